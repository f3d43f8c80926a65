//! Set commands (`t_set.c`). Results of set algebra are built the way the server builds
//! them (an intset first, converted as elements arrive), so they come back in its order.

use super::hashes::scan_page;
use super::keys::parse_scan;
use super::{Ctx, Handler, NOT_INTEGER, Replied, WRONGTYPE, notify};
use crate::server::keyspace::{SetValue, Value, glob_match};
use crate::server::num::parse_i64;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("sadd", sadd),
    ("srem", srem),
    ("smembers", smembers),
    ("sismember", sismember),
    ("smismember", smismember),
    ("scard", scard),
    ("spop", spop),
    ("srandmember", srandmember),
    ("smove", smove),
    ("sinter", sinter),
    ("sintercard", sintercard),
    ("sinterstore", sinterstore),
    ("sunion", sunion),
    ("sunionstore", sunionstore),
    ("sdiff", sdiff),
    ("sdiffstore", sdiffstore),
    ("sscan", sscan),
];

fn set_at<'c>(ctx: &'c mut Ctx, key: &[u8], read: bool) -> Result<Option<&'c mut SetValue>, Replied> {
    let (value, reply) = if read { ctx.read(key) } else { ctx.write(key) };
    match value {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => {
            reply.error(WRONGTYPE);
            Err(Replied)
        }
    }
}

fn sadd(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let enc = ctx.st.encodings;
    match set_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => {
            let set = SetValue::create(argv.get(2), argv.len() - 2, &enc);
            ctx.db().insert_new(key, Value::Set(set));
        }
        Ok(Some(_)) => {}
    }
    let Ok(Some(set)) = set_at(ctx, key, false) else { return };
    let added = (2..argv.len()).filter(|&i| set.add(argv.get(i), &enc)).count();
    if added > 0 {
        ctx.modified(key);
        ctx.event(notify::SET, "sadd", key);
    }
    ctx.reply.int(added as i64);
}

fn srem(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let removed = match set_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(set)) => (2..argv.len()).filter(|&i| set.remove(argv.get(i))).count(),
    };
    if removed > 0 {
        ctx.event(notify::SET, "srem", key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    ctx.reply.int(removed as i64);
}

fn smembers(ctx: &mut Ctx) {
    let members = match set_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => Vec::new(),
        Ok(Some(s)) => s.members(),
    };
    reply_set(ctx, &members);
}

fn reply_set(ctx: &mut Ctx, members: &[Vec<u8>]) {
    ctx.reply.set(members.len());
    for m in members {
        ctx.reply.bulk(m);
    }
}

fn sismember(ctx: &mut Ctx) {
    let member = ctx.arg(2);
    let found = match set_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(s) => s.is_some_and(|s| s.contains(member)),
    };
    ctx.reply.int(i64::from(found));
}

fn smismember(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let found: Vec<bool> = match set_at(ctx, argv.get(1), true) {
        Err(Replied) => return,
        Ok(s) => (2..argv.len()).map(|i| s.as_ref().is_some_and(|s| s.contains(argv.get(i)))).collect(),
    };
    ctx.reply.array(found.len());
    for f in found {
        ctx.reply.int(i64::from(f));
    }
}

fn scard(ctx: &mut Ctx) {
    let n = match set_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(s) => s.map_or(0, |s| s.len()),
    };
    ctx.reply.int(n as i64);
}

/// A count argument for SPOP/SRANDMEMBER; `None` (error written) when invalid.
fn count_arg(ctx: &mut Ctx, allow_negative: bool) -> Option<i64> {
    if !allow_negative {
        return super::lists::positive(ctx, 2, super::lists::MUST_BE_POSITIVE);
    }
    let Some(n) = parse_i64(ctx.arg(2)) else {
        ctx.err(NOT_INTEGER);
        return None;
    };
    if !allow_negative && n < 0 {
        ctx.err("value is out of range, must be positive");
        return None;
    }
    if allow_negative && n == i64::MIN {
        ctx.err("value is out of range");
        return None;
    }
    Some(n)
}

fn spop(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        ctx.err(super::SYNTAX);
        return;
    }
    let count = if ctx.argc() == 3 {
        match count_arg(ctx, false) {
            Some(n) => Some(n as usize),
            None => return,
        }
    } else {
        None
    };
    let key = ctx.arg(1);
    let popped = match set_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => {
            match count {
                Some(_) => ctx.reply.set(0),
                None => ctx.reply.null(),
            }
            return;
        }
        Ok(Some(set)) => {
            let n = count.unwrap_or(1).min(set.len());
            let picked = if n >= set.len() {
                set.members()
            } else {
                let mut idx: Vec<usize> = (0..set.len()).collect();
                fastrand::shuffle(&mut idx);
                idx.truncate(n);
                idx.into_iter().filter_map(|i| set.nth(i)).collect()
            };
            for m in &picked {
                set.remove(m);
            }
            picked
        }
    };
    if !popped.is_empty() {
        ctx.event(notify::SET, "spop", key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    match count {
        Some(_) => reply_set(ctx, &popped),
        None => ctx.reply.bulk(&popped[0]),
    }
}

fn srandmember(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        ctx.err(super::SYNTAX);
        return;
    }
    let count = if ctx.argc() == 3 {
        match count_arg(ctx, true) {
            Some(n) => Some(n),
            None => return,
        }
    } else {
        None
    };
    let members = match set_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => {
            match count {
                Some(_) => ctx.reply.empty_array(),
                None => ctx.reply.null(),
            }
            return;
        }
        Ok(Some(set)) => set.members(),
    };
    let Some(count) = count else {
        let m = &members[fastrand::usize(..members.len())];
        ctx.reply.bulk(m);
        return;
    };
    let picked: Vec<&Vec<u8>> = if count < 0 {
        (0..count.unsigned_abs()).map(|_| &members[fastrand::usize(..members.len())]).collect()
    } else if count as usize >= members.len() {
        members.iter().collect()
    } else {
        let mut idx: Vec<usize> = (0..members.len()).collect();
        fastrand::shuffle(&mut idx);
        idx.truncate(count as usize);
        idx.into_iter().map(|i| &members[i]).collect()
    };
    ctx.reply.array(picked.len());
    for m in picked {
        ctx.reply.bulk(m);
    }
}

fn smove(ctx: &mut Ctx) {
    let (src, dst, member) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    let enc = ctx.st.encodings;
    let src_has = match set_at(ctx, src, false) {
        Err(Replied) => return,
        Ok(None) => {
            ctx.reply.int(0);
            return;
        }
        Ok(Some(s)) => s.contains(member),
    };
    if set_at(ctx, dst, false).is_err() {
        return;
    }
    if src == dst {
        ctx.reply.int(i64::from(src_has));
        return;
    }
    if !src_has {
        ctx.reply.int(0);
        return;
    }
    if let Ok(Some(s)) = set_at(ctx, src, false) {
        s.remove(member);
    }
    ctx.event(notify::SET, "srem", src);
    ctx.delete_if_empty(src);
    ctx.modified(src);
    if ctx.lookup_write(dst).is_none() {
        let set = SetValue::create(member, 1, &enc);
        ctx.db().insert_new(dst, Value::Set(set));
    }
    if let Ok(Some(d)) = set_at(ctx, dst, false)
        && d.add(member, &enc)
    {
        ctx.modified(dst);
        ctx.event(notify::SET, "sadd", dst);
    }
    ctx.reply.int(1);
}

/// The sets named by argv[from..to]; `Err` after WRONGTYPE. Missing keys are `None`.
fn load_sets(ctx: &mut Ctx, keys: &[Vec<u8>]) -> Result<Vec<Option<SetValue>>, Replied> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        out.push(set_at(ctx, k, true)?.cloned());
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Inter,
    Union,
    Diff,
}

/// The members of the result in the server's order (and as a set value for the STORE forms).
fn compute(ctx: &Ctx, op: Op, sets: &[Option<SetValue>]) -> SetValue {
    let enc = ctx.st.encodings;
    let mut result = SetValue::Intset(Vec::new());
    match op {
        Op::Inter => {
            if sets.iter().any(Option::is_none) {
                return result;
            }
            let mut order: Vec<&SetValue> = sets.iter().flatten().collect();
            order.sort_by_key(|s| s.len());
            let Some((first, rest)) = order.split_first() else { return result };
            for m in first.members() {
                if rest.iter().all(|s| s.contains(&m)) {
                    result.add(&m, &enc);
                }
            }
        }
        Op::Union => {
            for s in sets.iter().flatten() {
                for m in s.members() {
                    result.add(&m, &enc);
                }
            }
        }
        Op::Diff => {
            let Some(Some(first)) = sets.first() else { return result };
            for m in first.members() {
                if !sets[1..].iter().flatten().any(|s| s.contains(&m)) {
                    result.add(&m, &enc);
                }
            }
        }
    }
    result
}

fn algebra(ctx: &mut Ctx, op: Op, store: bool) {
    let first_key = if store { 2 } else { 1 };
    let keys: Vec<Vec<u8>> = (first_key..ctx.argc()).map(|i| ctx.arg(i).to_vec()).collect();
    let Ok(sets) = load_sets(ctx, &keys) else { return };
    let result = compute(ctx, op, &sets);
    if !store {
        reply_set(ctx, &result.members());
        return;
    }
    let dst = ctx.arg(1);
    let n = result.len();
    let db = ctx.client.db;
    if n == 0 {
        if ctx.st.dbs[db].remove(dst).is_some() {
            ctx.modified(dst);
            ctx.event(notify::GENERIC, "del", dst);
        }
    } else {
        ctx.st.dbs[db].set(dst, Value::Set(result), false);
        ctx.modified(dst);
        let event = match op {
            Op::Inter => "sinterstore",
            Op::Union => "sunionstore",
            Op::Diff => "sdiffstore",
        };
        ctx.event(notify::SET, event, dst);
    }
    ctx.reply.int(n as i64);
}

fn sinter(ctx: &mut Ctx) {
    algebra(ctx, Op::Inter, false);
}

fn sinterstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Inter, true);
}

fn sunion(ctx: &mut Ctx) {
    algebra(ctx, Op::Union, false);
}

fn sunionstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Union, true);
}

fn sdiff(ctx: &mut Ctx) {
    algebra(ctx, Op::Diff, false);
}

fn sdiffstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Diff, true);
}

fn sintercard(ctx: &mut Ctx) {
    let numkeys = match parse_i64(ctx.arg(1)) {
        Some(n) if n >= 1 => n as usize,
        _ => {
            ctx.err("numkeys should be greater than 0");
            return;
        }
    };
    if numkeys > ctx.argc() - 2 {
        ctx.err("Number of keys can't be greater than number of args");
        return;
    }
    let Some(limit) = super::intercard_limit(ctx, 2 + numkeys) else { return };
    let keys: Vec<Vec<u8>> = (2..2 + numkeys).map(|i| ctx.arg(i).to_vec()).collect();
    let Ok(sets) = load_sets(ctx, &keys) else { return };
    let n = compute(ctx, Op::Inter, &sets).len();
    let n = if limit > 0 { n.min(limit) } else { n };
    ctx.reply.int(n as i64);
}

fn sscan(ctx: &mut Ctx) {
    let Some(args) = parse_scan(ctx, 2, false, false) else { return };
    let (members, compact) = match set_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => (Vec::new(), true),
        Ok(Some(s)) => (s.members(), s.is_compact()),
    };
    let items = members.into_iter().map(|m| (m, ())).collect();
    let (next, page) = scan_page(items, compact, &args);
    let page: Vec<Vec<u8>> = page
        .into_iter()
        .map(|(m, ())| m)
        .filter(|m| args.pattern.as_deref().is_none_or(|p| p == b"*" || glob_match(p, m, false)))
        .collect();
    ctx.reply.array(2);
    ctx.reply.bulk(next.to_string().as_bytes());
    ctx.reply.array(page.len());
    for m in page {
        ctx.reply.bulk(&m);
    }
}
