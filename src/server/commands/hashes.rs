//! Hash commands (`t_hash.c`).

use super::keys::{ScanArgs, parse_scan};
use super::{Ctx, Handler, NOT_INTEGER, Replied, SYNTAX, WRONGTYPE, notify};
use crate::server::keyspace::{HashValue, Value, glob_match, scan_hash};
use crate::server::longdouble::LongDouble;
use crate::server::num::{i64_to_vec, parse_i64};

pub const COMMANDS: &[(&str, Handler)] = &[
    ("hset", hset),
    ("hmset", hmset),
    ("hsetnx", hsetnx),
    ("hget", hget),
    ("hmget", hmget),
    ("hgetall", hgetall),
    ("hkeys", hkeys),
    ("hvals", hvals),
    ("hlen", hlen),
    ("hexists", hexists),
    ("hdel", hdel),
    ("hincrby", hincrby),
    ("hincrbyfloat", hincrbyfloat),
    ("hstrlen", hstrlen),
    ("hrandfield", hrandfield),
    ("hscan", hscan),
];

/// The hash at a key: `Ok(None)` when absent, `Err` after writing WRONGTYPE.
fn hash_at<'c>(ctx: &'c mut Ctx, key: &[u8], read: bool) -> Result<Option<&'c mut HashValue>, Replied> {
    let (value, reply) = if read { ctx.read(key) } else { ctx.write(key) };
    match value {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => {
            reply.error(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// The hash at a key for writing, created when missing.
fn hash_create<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<&'c mut HashValue, Replied> {
    if hash_at(ctx, key, false)?.is_none() {
        ctx.db().insert_new(key, Value::Hash(HashValue::default()));
    }
    match hash_at(ctx, key, false) {
        Ok(Some(h)) => Ok(h),
        _ => Err(Replied),
    }
}

fn set_fields(ctx: &mut Ctx) -> Option<usize> {
    let name = if ctx.arg(0).eq_ignore_ascii_case(b"hmset") { "hmset" } else { "hset" };
    if ctx.argc() % 2 == 1 {
        ctx.err(&format!("wrong number of arguments for '{name}' command"));
        return None;
    }
    let key = ctx.arg(1);
    let enc = ctx.st.encodings;
    let argv = ctx.argv;
    let hash = hash_create(ctx, key).ok()?;
    hash.prepare_for((2..argv.len()).map(|i| argv.get(i)), &enc);
    let mut added = 0;
    for i in (2..argv.len()).step_by(2) {
        if hash.set(argv.get(i), argv.get(i + 1), &enc) {
            added += 1;
        }
    }
    ctx.modified(key);
    ctx.event(notify::HASH, "hset", key);
    Some(added)
}

fn hset(ctx: &mut Ctx) {
    if let Some(added) = set_fields(ctx) {
        ctx.reply.int(added as i64);
    }
}

fn hmset(ctx: &mut Ctx) {
    if set_fields(ctx).is_some() {
        ctx.reply.ok();
    }
}

fn hsetnx(ctx: &mut Ctx) {
    let (key, field, value) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    let enc = ctx.st.encodings;
    let Ok(hash) = hash_create(ctx, key) else { return };
    if hash.contains(field) {
        ctx.reply.int(0);
        return;
    }
    hash.prepare_for([field, value].into_iter(), &enc);
    hash.set(field, value, &enc);
    ctx.modified(key);
    ctx.event(notify::HASH, "hset", key);
    ctx.reply.int(1);
}

fn hget(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    let (value, reply) = ctx.read(ctx.arg(1));
    match value {
        None => reply.null(),
        Some(Value::Hash(h)) => match h.get(field) {
            Some(v) => reply.bulk(v),
            None => reply.null(),
        },
        Some(_) => reply.error(WRONGTYPE),
    }
}

fn hmget(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (value, reply) = ctx.read(argv.get(1));
    let hash = match value {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => return reply.error(WRONGTYPE),
    };
    reply.array(argv.len() - 2);
    for i in 2..argv.len() {
        match hash.as_ref().and_then(|h| h.get(argv.get(i))) {
            Some(v) => reply.bulk(v),
            None => reply.null(),
        }
    }
}

#[derive(Clone, Copy)]
enum Part {
    Keys,
    Values,
    Both,
}

fn get_all(ctx: &mut Ctx, part: Part) {
    let (value, reply) = ctx.read(ctx.arg(1));
    let hash = match value {
        None => {
            return match part {
                Part::Both => reply.map(0),
                _ => reply.empty_array(),
            };
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return reply.error(WRONGTYPE),
    };
    match part {
        Part::Both => reply.map(hash.len()),
        _ => reply.array(hash.len()),
    }
    for (f, v) in hash.iter() {
        match part {
            Part::Keys => reply.bulk(f),
            Part::Values => reply.bulk(v),
            Part::Both => {
                reply.bulk(f);
                reply.bulk(v);
            }
        }
    }
}

fn hgetall(ctx: &mut Ctx) {
    get_all(ctx, Part::Both);
}

fn hkeys(ctx: &mut Ctx) {
    get_all(ctx, Part::Keys);
}

fn hvals(ctx: &mut Ctx) {
    get_all(ctx, Part::Values);
}

fn hlen(ctx: &mut Ctx) {
    let n = match hash_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(h) => h.map_or(0, |h| h.len()),
    };
    ctx.reply.int(n as i64);
}

fn hexists(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    let found = match hash_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(h) => h.is_some_and(|h| h.contains(field)),
    };
    ctx.reply.int(i64::from(found));
}

fn hstrlen(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    let n = match hash_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(h) => h.and_then(|h| h.get(field).map(<[u8]>::len)).unwrap_or(0),
    };
    ctx.reply.int(n as i64);
}

fn hdel(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let deleted = match hash_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(h)) => (2..argv.len()).filter(|&i| h.remove(argv.get(i))).count(),
    };
    if deleted > 0 {
        ctx.event(notify::HASH, "hdel", key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    ctx.reply.int(deleted as i64);
}

fn hincrby(ctx: &mut Ctx) {
    let Some(by) = ctx.int_arg(3) else { return };
    let (key, field) = (ctx.arg(1), ctx.arg(2));
    let enc = ctx.st.encodings;
    let Ok(hash) = hash_create(ctx, key) else { return };
    let current = match hash.get(field) {
        None => 0,
        Some(v) => match parse_i64(v) {
            Some(n) => n,
            None => {
                ctx.err("hash value is not an integer");
                return;
            }
        },
    };
    let Some(new) = current.checked_add(by) else {
        ctx.err("increment or decrement would overflow");
        return;
    };
    hash.set(field, &i64_to_vec(new), &enc);
    ctx.modified(key);
    ctx.event(notify::HASH, "hincrby", key);
    ctx.reply.int(new);
}

fn hincrbyfloat(ctx: &mut Ctx) {
    let by = match LongDouble::parse(ctx.arg(3)) {
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            ctx.err("value is NaN or Infinity");
            return;
        }
        None => {
            ctx.err(super::NOT_FLOAT);
            return;
        }
    };
    let (key, field) = (ctx.arg(1), ctx.arg(2));
    let enc = ctx.st.encodings;
    let Ok(hash) = hash_create(ctx, key) else { return };
    let current = match hash.get(field) {
        None => LongDouble::ZERO,
        Some(v) => match LongDouble::parse(v) {
            Some(Ok(n)) => n,
            _ => {
                ctx.err("hash value is not a float");
                return;
            }
        },
    };
    let Some(sum) = current.checked_add(by) else {
        ctx.err("increment would produce NaN or Infinity");
        return;
    };
    let text = sum.to_human_string().into_bytes();
    hash.prepare_for([field, text.as_slice()].into_iter(), &enc);
    hash.set(field, &text, &enc);
    ctx.modified(key);
    ctx.event(notify::HASH, "hincrbyfloat", key);
    ctx.reply.bulk(&text);
}

fn hrandfield(ctx: &mut Ctx) {
    let (count, with_values) = match ctx.argc() {
        2 => (None, false),
        3 | 4 => {
            let Some(c) = parse_i64(ctx.arg(2)) else {
                ctx.err(NOT_INTEGER);
                return;
            };
            if ctx.argc() == 4 && !ctx.arg(3).eq_ignore_ascii_case(b"withvalues") {
                ctx.err(SYNTAX);
                return;
            }
            (Some(c), ctx.argc() == 4)
        }
        _ => {
            ctx.err(SYNTAX);
            return;
        }
    };
    if with_values && count.is_some_and(|c| c.unsigned_abs() > (i64::MAX / 2) as u64) {
        ctx.err("value is out of range");
        return;
    }
    let (value, reply) = ctx.read(ctx.arg(1));
    let hash = match value {
        None => return if count.is_some() { reply.empty_array() } else { reply.null() },
        Some(Value::Hash(h)) => h,
        Some(_) => return reply.error(WRONGTYPE),
    };
    let entries: Vec<(&[u8], &[u8])> = hash.iter().collect();
    let pick: Vec<usize> = match count {
        None => {
            let i = fastrand::usize(..entries.len());
            return reply.bulk(entries[i].0);
        }
        Some(0) => Vec::new(),
        Some(c) if c < 0 => (0..c.unsigned_abs()).map(|_| fastrand::usize(..entries.len())).collect(),
        Some(c) if c as usize >= entries.len() => (0..entries.len()).collect(),
        Some(c) => {
            let mut idx: Vec<usize> = (0..entries.len()).collect();
            fastrand::shuffle(&mut idx);
            idx.truncate(c as usize);
            idx
        }
    };
    if with_values && reply.resp3 {
        reply.array(pick.len());
        for i in pick {
            reply.array(2);
            reply.bulk(entries[i].0);
            reply.bulk(entries[i].1);
        }
    } else {
        reply.array(if with_values { pick.len() * 2 } else { pick.len() });
        for i in pick {
            reply.bulk(entries[i].0);
            if with_values {
                reply.bulk(entries[i].1);
            }
        }
    }
}

/// One page of a SCAN over a collection held in a hash table: elements ordered by a fixed
/// hash of their name, from the cursor on. Compact encodings return everything at once,
/// as the server does for listpacks and intsets.
pub fn scan_page<T>(items: Vec<(Vec<u8>, T)>, compact: bool, args: &ScanArgs) -> (u64, Vec<(Vec<u8>, T)>) {
    if compact {
        return (0, items);
    }
    let mut keyed: Vec<(u64, Vec<u8>, T)> =
        items.into_iter().map(|(k, v)| (scan_hash(&k), k, v)).filter(|(h, _, _)| *h >= args.cursor).collect();
    keyed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let next = keyed.get(args.count).map_or(0, |(h, _, _)| *h);
    keyed.truncate(args.count);
    (next, keyed.into_iter().map(|(_, k, v)| (k, v)).collect())
}

fn hscan(ctx: &mut Ctx) {
    let allow_novalues = ctx.srv.compat.valkey && ctx.srv.compat.at_least(8, 0);
    let Some(args) = parse_scan(ctx, 2, false, allow_novalues) else { return };
    let (value, reply) = ctx.read(ctx.arg(1));
    let hash = match value {
        None => {
            reply.array(2);
            reply.bulk(b"0");
            reply.empty_array();
            return;
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return reply.error(WRONGTYPE),
    };
    let items: Vec<(Vec<u8>, Vec<u8>)> = hash.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
    let (next, page) = scan_page(items, hash.is_listpack(), &args);
    let page: Vec<_> = page
        .into_iter()
        .filter(|(f, _)| args.pattern.as_deref().is_none_or(|p| p == b"*" || glob_match(p, f, false)))
        .collect();
    reply.array(2);
    reply.bulk(next.to_string().as_bytes());
    reply.array(if args.novalues { page.len() } else { page.len() * 2 });
    for (f, v) in page {
        reply.bulk(&f);
        if !args.novalues {
            reply.bulk(&v);
        }
    }
}
