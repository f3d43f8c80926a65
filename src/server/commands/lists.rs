//! List commands (`t_list.c`), including the blocking pops, which wait on their keys and
//! are served when a push makes one ready.

use super::blocking::{self, BlockKind, BlockRequest, TimeoutReply};
use super::{Ctx, Handler, NOT_INTEGER, Replied, SYNTAX, WRONGTYPE, notify};
use crate::server::keyspace::Value;
use crate::server::num::parse_i64;
use std::collections::VecDeque;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("lpush", lpush),
    ("rpush", rpush),
    ("lpushx", lpushx),
    ("rpushx", rpushx),
    ("linsert", linsert),
    ("llen", llen),
    ("lindex", lindex),
    ("lset", lset),
    ("lrange", lrange),
    ("ltrim", ltrim),
    ("lrem", lrem),
    ("lpos", lpos),
    ("lpop", lpop),
    ("rpop", rpop),
    ("rpoplpush", rpoplpush),
    ("lmove", lmove),
    ("lmpop", lmpop),
    ("blpop", blpop),
    ("brpop", brpop),
    ("brpoplpush", brpoplpush),
    ("blmove", blmove),
    ("blmpop", blmpop),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Head,
    Tail,
}

/// The list at a key: `Ok(None)` when absent, `Err` after writing WRONGTYPE.
fn list_mut<'c>(ctx: &'c mut Ctx, key: &[u8], read: bool) -> Result<Option<&'c mut VecDeque<Vec<u8>>>, Replied> {
    let (value, reply) = if read { ctx.read(key) } else { ctx.write(key) };
    match value {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => {
            reply.error(WRONGTYPE);
            Err(Replied)
        }
    }
}

fn push_generic(ctx: &mut Ctx, end: End, only_existing: bool) {
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let push_all = |list: &mut VecDeque<Vec<u8>>| {
        for i in 2..argv.len() {
            let v = argv.get(i).to_vec();
            match end {
                End::Head => list.push_front(v),
                End::Tail => list.push_back(v),
            }
        }
        list.len()
    };
    // One lookup on the hot path (the list exists).
    let len = match list_mut(ctx, key, false) {
        Err(Replied) => return,
        Ok(Some(list)) => push_all(list),
        Ok(None) if only_existing => {
            ctx.reply.int(0);
            return;
        }
        Ok(None) => {
            let mut list = VecDeque::with_capacity(argv.len() - 2);
            let len = push_all(&mut list);
            ctx.db().insert_new(key, Value::List(list));
            len
        }
    };
    ctx.modified(key);
    ctx.event(notify::LIST, if end == End::Head { "lpush" } else { "rpush" }, key);
    let db = ctx.client.db;
    ctx.st.signal_ready(db, key);
    ctx.reply.int(len as i64);
}

fn lpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, false);
}

fn rpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, false);
}

fn lpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, true);
}

fn rpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, true);
}

fn linsert(ctx: &mut Ctx) {
    let after = if ctx.arg(2).eq_ignore_ascii_case(b"after") {
        true
    } else if ctx.arg(2).eq_ignore_ascii_case(b"before") {
        false
    } else {
        ctx.err(SYNTAX);
        return;
    };
    let key = ctx.arg(1);
    let (pivot, value) = (ctx.arg(3), ctx.arg(4));
    let result = match list_mut(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(list)) => match list.iter().position(|e| e == pivot) {
            Some(i) => {
                list.insert(if after { i + 1 } else { i }, value.to_vec());
                list.len() as i64
            }
            None => -1,
        },
    };
    if result > 0 {
        ctx.modified(key);
        ctx.event(notify::LIST, "linsert", key);
    }
    ctx.reply.int(result);
}

fn llen(ctx: &mut Ctx) {
    let n = match list_mut(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(l) => l.map_or(0, |l| l.len()),
    };
    ctx.reply.int(n as i64);
}

/// Resolves a possibly negative index.
fn index_in(len: usize, index: i64) -> Option<usize> {
    let i = if index < 0 { len as i64 + index } else { index };
    (0..len as i64).contains(&i).then_some(i as usize)
}

fn lindex(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let index_arg = ctx.arg(2);
    let (value, reply) = ctx.read(key);
    let list = match value {
        None => return reply.null(),
        Some(Value::List(l)) => l,
        Some(_) => return reply.error(WRONGTYPE),
    };
    let Some(index) = parse_i64(index_arg) else { return reply.error(NOT_INTEGER) };
    match index_in(list.len(), index) {
        Some(i) => reply.bulk(&list[i]),
        None => reply.null(),
    }
}

fn lset(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let (index_arg, value) = (ctx.arg(2), ctx.arg(3));
    let (found, reply) = ctx.write(key);
    let list = match found {
        None => return reply.error("no such key"),
        Some(Value::List(l)) => l,
        Some(_) => return reply.error(WRONGTYPE),
    };
    let Some(index) = parse_i64(index_arg) else { return reply.error(NOT_INTEGER) };
    match index_in(list.len(), index) {
        Some(i) => {
            list[i] = value.to_vec();
            reply.ok();
        }
        None => return reply.error("index out of range"),
    }
    ctx.modified(key);
    ctx.event(notify::LIST, "lset", key);
}

/// `start`/`end` as LRANGE and LTRIM normalise them: `None` for an empty range.
fn normalise_range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

fn lrange(ctx: &mut Ctx) {
    let (Some(start), Some(end)) = (parse_i64(ctx.arg(2)), parse_i64(ctx.arg(3))) else {
        ctx.err(NOT_INTEGER);
        return;
    };
    let (value, reply) = ctx.read(ctx.arg(1));
    let list = match value {
        None => return reply.empty_array(),
        Some(Value::List(l)) => l,
        Some(_) => return reply.error(WRONGTYPE),
    };
    match normalise_range(list.len(), start, end) {
        None => reply.empty_array(),
        Some((s, e)) => {
            reply.array(e - s + 1);
            for item in list.range(s..=e) {
                reply.bulk(item);
            }
        }
    }
}

fn ltrim(ctx: &mut Ctx) {
    let (Some(start), Some(end)) = (parse_i64(ctx.arg(2)), parse_i64(ctx.arg(3))) else {
        ctx.err(NOT_INTEGER);
        return;
    };
    let key = ctx.arg(1);
    match list_mut(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => {}
        Ok(Some(list)) => {
            match normalise_range(list.len(), start, end) {
                None => list.clear(),
                Some((s, e)) => {
                    list.truncate(e + 1);
                    list.drain(..s);
                }
            }
            ctx.modified(key);
            ctx.event(notify::LIST, "ltrim", key);
            ctx.delete_if_empty(key);
        }
    }
    ctx.reply.ok();
}

fn lrem(ctx: &mut Ctx) {
    let Some(count) = ctx.int_arg(2) else { return };
    let key = ctx.arg(1);
    let target = ctx.arg(3);
    let removed = match list_mut(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(list)) => {
            let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
            let mut removed = 0;
            if count >= 0 {
                let mut i = 0;
                while i < list.len() && removed < limit {
                    if list[i] == target {
                        list.remove(i);
                        removed += 1;
                    } else {
                        i += 1;
                    }
                }
            } else {
                let mut i = list.len();
                while i > 0 && removed < limit {
                    i -= 1;
                    if list[i] == target {
                        list.remove(i);
                        removed += 1;
                    }
                }
            }
            removed
        }
    };
    if removed > 0 {
        ctx.modified(key);
        ctx.event(notify::LIST, "lrem", key);
        ctx.delete_if_empty(key);
    }
    ctx.reply.int(removed as i64);
}

/// `getPositiveLongFromObjectOrReply`: one message for text and negatives alike.
pub fn positive(ctx: &mut Ctx, i: usize, msg: &str) -> Option<i64> {
    match parse_i64(ctx.arg(i)) {
        Some(v) if v >= 0 => Some(v),
        _ => {
            ctx.err(msg);
            None
        }
    }
}

pub const MUST_BE_POSITIVE: &str = "value is out of range, must be positive";

fn lpos(ctx: &mut Ctx) {
    let (mut rank, mut count, mut maxlen) = (1i64, None::<i64>, 0i64);
    let mut j = 3;
    while j < ctx.argc() {
        let opt = ctx.arg(j);
        let more = ctx.argc() - 1 - j;
        if opt.eq_ignore_ascii_case(b"RANK") && more > 0 {
            j += 1;
            let Some(r) = ctx.int_arg(j) else { return };
            if r == i64::MIN {
                ctx.err("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                return;
            }
            if r == 0 {
                ctx.err("RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                return;
            }
            rank = r;
        } else if opt.eq_ignore_ascii_case(b"COUNT") && more > 0 {
            j += 1;
            let Some(c) = positive(ctx, j, "COUNT can't be negative") else { return };
            count = Some(c);
        } else if opt.eq_ignore_ascii_case(b"MAXLEN") && more > 0 {
            j += 1;
            let Some(m) = positive(ctx, j, "MAXLEN can't be negative") else { return };
            maxlen = m;
        } else {
            ctx.err(SYNTAX);
            return;
        }
        j += 1;
    }
    let target = ctx.arg(2);
    let (value, reply) = ctx.read(ctx.arg(1));
    let list = match value {
        None => return if count.is_some() { reply.empty_array() } else { reply.null() },
        Some(Value::List(l)) => l,
        Some(_) => return reply.error(WRONGTYPE),
    };
    let len = list.len();
    let limit = if maxlen == 0 { len } else { (maxlen as usize).min(len) };
    let wanted = match count {
        Some(0) => usize::MAX,
        Some(c) => c as usize,
        None => 1,
    };
    let mut skip = rank.unsigned_abs() - 1;
    let mut found = Vec::new();
    for step in 0..limit {
        let i = if rank > 0 { step } else { len - 1 - step };
        if list[i] == target {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            found.push(i as i64);
            if found.len() >= wanted {
                break;
            }
        }
    }
    match count {
        Some(_) => {
            reply.array(found.len());
            for i in found {
                reply.int(i);
            }
        }
        None => match found.first() {
            Some(&i) => reply.int(i),
            None => reply.null(),
        },
    }
}

fn pop_generic(ctx: &mut Ctx, end: End) {
    if ctx.argc() > 3 {
        let name = if end == End::Head { "lpop" } else { "rpop" };
        ctx.err(&format!("wrong number of arguments for '{name}' command"));
        return;
    }
    let count = if ctx.argc() == 3 {
        let Some(n) = positive(ctx, 2, MUST_BE_POSITIVE) else { return };
        Some(n as usize)
    } else {
        None
    };
    let key = ctx.arg(1);
    let (value, reply) = ctx.write(key);
    let list = match value {
        None => return if count.is_some() { reply.null_array() } else { reply.null() },
        Some(Value::List(l)) => l,
        Some(_) => return reply.error(WRONGTYPE),
    };
    match count {
        Some(0) => return reply.empty_array(),
        Some(n) => {
            let n = n.min(list.len());
            reply.array(n);
            for _ in 0..n {
                let v = if end == End::Head { list.pop_front() } else { list.pop_back() };
                reply.bulk(&v.unwrap_or_default());
            }
        }
        None => {
            let v = if end == End::Head { list.pop_front() } else { list.pop_back() };
            reply.bulk(&v.unwrap_or_default());
        }
    }
    ctx.modified(key);
    ctx.event(notify::LIST, pop_event(end), key);
    ctx.delete_if_empty(key);
}

fn pop_event(end: End) -> &'static str {
    if end == End::Head { "lpop" } else { "rpop" }
}

fn push_event(end: End) -> &'static str {
    if end == End::Head { "lpush" } else { "rpush" }
}

fn lpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Head);
}

fn rpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Tail);
}

fn end_arg(ctx: &mut Ctx, i: usize) -> Option<End> {
    let a = ctx.arg(i);
    if a.eq_ignore_ascii_case(b"left") {
        Some(End::Head)
    } else if a.eq_ignore_ascii_case(b"right") {
        Some(End::Tail)
    } else {
        ctx.err(SYNTAX);
        None
    }
}

/// `lmoveGenericCommand`: pops from one list and pushes onto another; `None` when the
/// source is empty (nothing written), `Some(())` when a reply was written.
fn move_one(ctx: &mut Ctx, from: End, to: End) -> Option<()> {
    let (src, dst) = (ctx.arg(1), ctx.arg(2));
    match list_mut(ctx, src, false) {
        Err(Replied) => return Some(()),
        Ok(None) => return None,
        Ok(Some(l)) if l.is_empty() => return None,
        Ok(Some(_)) => {}
    }
    if list_mut(ctx, dst, false).is_err() {
        return Some(());
    }
    let value = {
        let Ok(Some(list)) = list_mut(ctx, src, false) else { return None };
        let v = if from == End::Head { list.pop_front() } else { list.pop_back() };
        v.unwrap_or_default()
    };
    // The server pushes first and reports in that order: the push, then the pop.
    if ctx.lookup_write(dst).is_none() {
        ctx.db().insert_new(dst, Value::List(VecDeque::new()));
    }
    if let Ok(Some(list)) = list_mut(ctx, dst, false) {
        match to {
            End::Head => list.push_front(value.clone()),
            End::Tail => list.push_back(value.clone()),
        }
    }
    ctx.modified(dst);
    ctx.event(notify::LIST, push_event(to), dst);
    ctx.modified(src);
    ctx.event(notify::LIST, pop_event(from), src);
    ctx.delete_if_empty(src);
    let db = ctx.client.db;
    ctx.st.signal_ready(db, dst);
    ctx.reply.bulk(&value);
    Some(())
}

fn rpoplpush(ctx: &mut Ctx) {
    if move_one(ctx, End::Tail, End::Head).is_none() {
        ctx.reply.null();
    }
}

fn lmove(ctx: &mut Ctx) {
    let Some(from) = end_arg(ctx, 3) else { return };
    let Some(to) = end_arg(ctx, 4) else { return };
    if move_one(ctx, from, to).is_none() {
        ctx.reply.null();
    }
}

/// Pops up to `count` elements of the first non-empty list among `keys`, replying
/// `[key, [elements]]`; `false` when every list was empty or missing.
fn mpop_from(ctx: &mut Ctx, keys: &[&[u8]], end: End, count: usize) -> Result<bool, Replied> {
    for &key in keys {
        let Some(list) = list_mut(ctx, key, false)? else { continue };
        if list.is_empty() {
            continue;
        }
        let n = count.min(list.len());
        let items: Vec<Vec<u8>> =
            (0..n).filter_map(|_| if end == End::Head { list.pop_front() } else { list.pop_back() }).collect();
        ctx.reply.array(2);
        ctx.reply.bulk(key);
        ctx.reply.array(items.len());
        for item in &items {
            ctx.reply.bulk(item);
        }
        ctx.modified(key);
        ctx.event(notify::LIST, pop_event(end), key);
        ctx.delete_if_empty(key);
        return Ok(true);
    }
    Ok(false)
}

/// Parses `numkeys key… LEFT|RIGHT [COUNT n]` starting at `at`.
fn parse_mpop(ctx: &mut Ctx, at: usize) -> Option<(End, usize)> {
    let where_idx = super::mpop_where(ctx, at)?;
    let end = end_arg(ctx, where_idx)?;
    let count = super::mpop_count(ctx, where_idx + 1)?;
    Some((end, count))
}

fn lmpop(ctx: &mut Ctx) {
    let Some((end, count)) = parse_mpop(ctx, 1) else { return };
    let keys = mpop_keys(ctx, 1);
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    match mpop_from(ctx, &key_refs, end, count) {
        Err(Replied) => {}
        Ok(true) => {}
        Ok(false) => ctx.reply.null_array(),
    }
}

fn mpop_keys(ctx: &Ctx, at: usize) -> Vec<Vec<u8>> {
    let numkeys = parse_i64(ctx.arg(at)).unwrap_or(0).max(0) as usize;
    (at + 1..at + 1 + numkeys).map(|i| ctx.arg(i).to_vec()).collect()
}

fn blocking_pop(ctx: &mut Ctx, end: End) {
    let Ok(deadline) = blocking::parse_timeout(ctx, ctx.argc() - 1) else { return };
    let keys: Vec<Vec<u8>> = (1..ctx.argc() - 1).map(|i| ctx.arg(i).to_vec()).collect();
    for key in &keys {
        let popped = match list_mut(ctx, key, false) {
            Err(Replied) => return,
            Ok(None) => continue,
            Ok(Some(list)) => {
                if end == End::Head {
                    list.pop_front()
                } else {
                    list.pop_back()
                }
            }
        };
        let Some(value) = popped else { continue };
        ctx.reply.array(2);
        ctx.reply.bulk(key);
        ctx.reply.bulk(&value);
        ctx.modified(key);
        ctx.event(notify::LIST, pop_event(end), key);
        ctx.delete_if_empty(key);
        return;
    }
    blocking::wait_or_timeout(
        ctx,
        BlockRequest { keys, deadline, kind: BlockKind::List, timeout_reply: TimeoutReply::NullArray },
    );
}

fn blpop(ctx: &mut Ctx) {
    blocking_pop(ctx, End::Head);
}

fn brpop(ctx: &mut Ctx) {
    blocking_pop(ctx, End::Tail);
}

fn blocking_move(ctx: &mut Ctx, from: End, to: End, timeout_at: usize) {
    let Ok(deadline) = blocking::parse_timeout(ctx, timeout_at) else { return };
    if move_one(ctx, from, to).is_none() {
        let keys = vec![ctx.arg(1).to_vec()];
        blocking::wait_or_timeout(
            ctx,
            BlockRequest { keys, deadline, kind: BlockKind::List, timeout_reply: TimeoutReply::NullArray },
        );
    }
}

fn brpoplpush(ctx: &mut Ctx) {
    blocking_move(ctx, End::Tail, End::Head, 3);
}

fn blmove(ctx: &mut Ctx) {
    let Some(from) = end_arg(ctx, 3) else { return };
    let Some(to) = end_arg(ctx, 4) else { return };
    blocking_move(ctx, from, to, 5);
}

fn blmpop(ctx: &mut Ctx) {
    let Ok(deadline) = blocking::parse_timeout(ctx, 1) else { return };
    let Some((end, count)) = parse_mpop(ctx, 2) else { return };
    let keys = mpop_keys(ctx, 2);
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    match mpop_from(ctx, &key_refs, end, count) {
        Err(Replied) | Ok(true) => {}
        Ok(false) => blocking::wait_or_timeout(
            ctx,
            BlockRequest { keys, deadline, kind: BlockKind::List, timeout_reply: TimeoutReply::NullArray },
        ),
    }
}
