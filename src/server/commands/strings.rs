//! String commands (`t_string.c`): GET/SET and their option grammar, the INCR family with
//! the server's overflow errors and long-double float arithmetic, ranges and MSET.

use super::{Ctx, Handler, NOT_FLOAT, NOT_INTEGER, Replied, SYNTAX, WRONGTYPE, notify};
use crate::server::keyspace::Value;
use crate::server::longdouble::LongDouble;
use crate::server::num::{i64_to_vec, parse_i64};

pub const COMMANDS: &[(&str, Handler)] = &[
    ("get", get),
    ("set", set),
    ("setnx", setnx),
    ("setex", setex),
    ("psetex", psetex),
    ("getset", getset),
    ("getdel", getdel),
    ("getex", getex),
    ("mget", mget),
    ("mset", mset),
    ("msetnx", msetnx),
    ("append", append),
    ("strlen", strlen),
    ("incr", incr),
    ("decr", decr),
    ("incrby", incrby),
    ("decrby", decrby),
    ("incrbyfloat", incrbyfloat),
    ("getrange", getrange),
    ("substr", getrange),
    ("setrange", setrange),
    ("delifeq", delifeq),
];

/// The string at a key, `Ok(None)` when absent, `Err` (WRONGTYPE written) for another type.
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Replied> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(_) => {
            ctx.err(WRONGTYPE);
            Err(Replied)
        }
    }
}

fn get(ctx: &mut Ctx) {
    match ctx.read(ctx.arg(1)) {
        (None, reply) => reply.null(),
        (Some(Value::Str(s)), reply) => reply.bulk(s),
        (Some(_), reply) => reply.error(WRONGTYPE),
    }
}

#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    ifeq: Option<Vec<u8>>,
    /// Which expiry option and its argument index.
    expire: Option<(ExpireUnit, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireUnit {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// `parseExtendedStringArgumentsOrReply` for SET (`is_set`) and GETEX.
fn parse_options(ctx: &mut Ctx, from: usize, is_set: bool) -> Option<SetOptions> {
    let mut o = SetOptions::default();
    let mut j = from;
    while j < ctx.argc() {
        let opt = ctx.arg(j).to_ascii_uppercase();
        let has_next = j + 1 < ctx.argc();
        let has_expire = o.expire.is_some();
        match opt.as_slice() {
            b"NX" if is_set && !o.xx && o.ifeq.is_none() => o.nx = true,
            b"XX" if is_set && !o.nx && o.ifeq.is_none() => o.xx = true,
            b"IFEQ" if is_set && has_next && !o.nx && !o.xx && o.ifeq.is_none() && ifeq_supported(ctx) => {
                o.ifeq = Some(ctx.arg(j + 1).to_vec());
                j += 1;
            }
            b"GET" if is_set => o.get = true,
            b"KEEPTTL" if is_set && !o.persist && !has_expire => o.keepttl = true,
            b"PERSIST" if !is_set && !has_expire && !o.keepttl => o.persist = true,
            b"EX" | b"PX" | b"EXAT" | b"PXAT" if has_next && !o.keepttl && !o.persist => {
                let unit = match opt.as_slice() {
                    b"EX" => ExpireUnit::Ex,
                    b"PX" => ExpireUnit::Px,
                    b"EXAT" => ExpireUnit::ExAt,
                    _ => ExpireUnit::PxAt,
                };
                if o.expire.is_some_and(|(u, _)| u != unit) {
                    ctx.err(SYNTAX);
                    return None;
                }
                o.expire = Some((unit, j + 1));
                j += 1;
            }
            _ => {
                ctx.err(SYNTAX);
                return None;
            }
        }
        j += 1;
    }
    Some(o)
}

fn ifeq_supported(ctx: &Ctx) -> bool {
    ctx.srv.compat.valkey && ctx.srv.compat.at_least(8, 1)
}

/// `getExpireMillisecondsOrReply`: the absolute expiry in Unix ms.
fn expire_at(ctx: &mut Ctx, unit: ExpireUnit, i: usize) -> Option<i64> {
    let n = ctx.int_arg(i)?;
    let seconds = matches!(unit, ExpireUnit::Ex | ExpireUnit::ExAt);
    if n <= 0 || (seconds && n > i64::MAX / 1000) {
        invalid_expire(ctx);
        return None;
    }
    let mut ms = if seconds { n * 1000 } else { n };
    if matches!(unit, ExpireUnit::Ex | ExpireUnit::Px) {
        ms = ms.wrapping_add(ctx.now);
    }
    if ms <= 0 {
        invalid_expire(ctx);
        return None;
    }
    Some(ms)
}

/// The absolute expiry an EX/PX/EXAT/PXAT option asks for, if any; `Err` once the error
/// was replied.
fn deadline(ctx: &mut Ctx, expire: Option<(ExpireUnit, usize)>) -> Result<Option<i64>, Replied> {
    match expire {
        Some((unit, i)) => expire_at(ctx, unit, i).map(Some).ok_or(Replied),
        None => Ok(None),
    }
}

fn invalid_expire(ctx: &mut Ctx) {
    let name = super::lookup(&ctx.srv.table, ctx.argv).map(|s| s.full_name.clone()).unwrap_or_default();
    ctx.err(&format!("invalid expire time in '{name}' command"));
}

fn set(ctx: &mut Ctx) {
    let Some(opts) = parse_options(ctx, 3, true) else { return };
    let Ok(when) = deadline(ctx, opts.expire) else { return };
    let key = ctx.arg(1);
    let value = ctx.arg(2);
    let old = if opts.get || opts.ifeq.is_some() {
        match read_string(ctx, key) {
            Ok(v) => v,
            Err(Replied) => return,
        }
    } else {
        None
    };
    if opts.get {
        match &old {
            Some(v) => ctx.reply.bulk(v),
            None => ctx.reply.null(),
        }
    }
    let found = ctx.lookup_write(key).is_some();
    let abort =
        (opts.nx && found) || (opts.xx && !found) || opts.ifeq.as_ref().is_some_and(|cmp| old.as_ref() != Some(cmp));
    if abort {
        if !opts.get {
            ctx.reply.null();
        }
        return;
    }
    store(ctx, key, value.to_vec(), opts.keepttl, when, "set");
    if !opts.get {
        ctx.reply.ok();
    }
}

/// `setKey` plus the expiry, with the command's keyspace event (and `expire` when a TTL is
/// set). A time already past stores nothing, as on the server.
fn store(ctx: &mut Ctx, key: &[u8], value: Vec<u8>, keepttl: bool, when: Option<i64>, event: &str) {
    let db = ctx.client.db;
    if when.is_some_and(|w| w <= ctx.now) {
        if ctx.st.dbs[db].remove(key).is_some() {
            ctx.modified(key);
        }
        return;
    }
    ctx.st.dbs[db].set(key, Value::Str(value), keepttl);
    if let Some(when) = when {
        ctx.st.dbs[db].set_expire(key, Some(when));
    }
    ctx.modified(key);
    ctx.event(notify::STRING, event, key);
    if when.is_some() {
        ctx.event(notify::GENERIC, "expire", key);
    }
}

fn setnx(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    if ctx.lookup_write(key).is_some() {
        ctx.reply.int(0);
        return;
    }
    store(ctx, key, ctx.arg(2).to_vec(), false, None, "set");
    ctx.reply.int(1);
}

fn setex(ctx: &mut Ctx) {
    set_with_expire(ctx, ExpireUnit::Ex);
}

fn psetex(ctx: &mut Ctx) {
    set_with_expire(ctx, ExpireUnit::Px);
}

fn set_with_expire(ctx: &mut Ctx, unit: ExpireUnit) {
    let Some(when) = expire_at(ctx, unit, 2) else { return };
    let key = ctx.arg(1);
    store(ctx, key, ctx.arg(3).to_vec(), false, Some(when), "set");
    ctx.reply.ok();
}

fn getset(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let Ok(old) = read_string(ctx, key) else { return };
    match &old {
        Some(v) => ctx.reply.bulk(v),
        None => ctx.reply.null(),
    }
    store(ctx, key, ctx.arg(2).to_vec(), false, None, "set");
}

fn getdel(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let Ok(old) = read_string(ctx, key) else { return };
    match old {
        Some(v) => {
            ctx.reply.bulk(&v);
            ctx.db().remove(key);
            ctx.modified(key);
            ctx.event(notify::GENERIC, "del", key);
        }
        None => ctx.reply.null(),
    }
}

fn getex(ctx: &mut Ctx) {
    let Some(opts) = parse_options(ctx, 2, false) else { return };
    let Ok(when) = deadline(ctx, opts.expire) else { return };
    let key = ctx.arg(1);
    let Ok(value) = read_string(ctx, key) else { return };
    let Some(value) = value else {
        ctx.reply.null();
        return;
    };
    ctx.reply.bulk(&value);
    let db = ctx.client.db;
    if let Some(when) = when {
        if when <= ctx.now {
            ctx.st.dbs[db].remove(key);
            ctx.st.stats.expired_keys += 1;
            ctx.modified(key);
            ctx.event(notify::EXPIRED, "expired", key);
        } else {
            ctx.st.dbs[db].set_expire(key, Some(when));
            ctx.modified(key);
            ctx.event(notify::GENERIC, "expire", key);
        }
    } else if opts.persist && ctx.st.dbs[db].peek(key).is_some_and(|e| e.expire.is_some()) {
        ctx.st.dbs[db].set_expire(key, None);
        ctx.modified(key);
        ctx.event(notify::GENERIC, "persist", key);
    }
}

fn mget(ctx: &mut Ctx) {
    let n = ctx.argc() - 1;
    ctx.reply.array(n);
    for i in 1..=n {
        match ctx.read(ctx.arg(i)) {
            (Some(Value::Str(s)), reply) => reply.bulk(s),
            (_, reply) => reply.null(),
        }
    }
}

fn mset(ctx: &mut Ctx) {
    if ctx.argc() % 2 == 0 {
        let name = super::lookup(&ctx.srv.table, ctx.argv).map(|s| s.full_name.clone()).unwrap_or_default();
        ctx.err(&format!("wrong number of arguments for '{name}' command"));
        return;
    }
    for i in (1..ctx.argc()).step_by(2) {
        store(ctx, ctx.arg(i), ctx.arg(i + 1).to_vec(), false, None, "set");
    }
    ctx.reply.ok();
}

fn msetnx(ctx: &mut Ctx) {
    if ctx.argc() % 2 == 0 {
        ctx.err("wrong number of arguments for 'msetnx' command");
        return;
    }
    for i in (1..ctx.argc()).step_by(2) {
        if ctx.lookup_write(ctx.arg(i)).is_some() {
            ctx.reply.int(0);
            return;
        }
    }
    for i in (1..ctx.argc()).step_by(2) {
        store(ctx, ctx.arg(i), ctx.arg(i + 1).to_vec(), false, None, "set");
    }
    ctx.reply.int(1);
}

/// `checkStringLength`: the result may not exceed proto-max-bulk-len.
fn check_length(ctx: &mut Ctx, size: u64) -> bool {
    let max = ctx.st.config.get_int("proto-max-bulk-len").unwrap_or(512 * 1024 * 1024) as u64;
    if size > max {
        ctx.err("string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
    true
}

fn append(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let add = ctx.arg(2);
    let len = match ctx.lookup_write(key) {
        None => None,
        Some(Value::Str(s)) => Some(s.len()),
        Some(_) => {
            ctx.err(WRONGTYPE);
            return;
        }
    };
    let total = match len {
        None => {
            store(ctx, key, add.to_vec(), false, None, "append");
            add.len()
        }
        Some(len) => {
            if !check_length(ctx, (len + add.len()) as u64) {
                return;
            }
            if let Some(Value::Str(s)) = ctx.lookup_write(key) {
                s.extend_from_slice(add);
            }
            ctx.modified(key);
            ctx.event(notify::STRING, "append", key);
            len + add.len()
        }
    };
    ctx.reply.int(total as i64);
}

fn strlen(ctx: &mut Ctx) {
    match ctx.lookup_read(ctx.arg(1)) {
        None => ctx.reply.int(0),
        Some(Value::Str(s)) => {
            let n = s.len() as i64;
            ctx.reply.int(n);
        }
        Some(_) => ctx.err(WRONGTYPE),
    }
}

fn incr(ctx: &mut Ctx) {
    incr_by(ctx, 1);
}

fn decr(ctx: &mut Ctx) {
    incr_by(ctx, -1);
}

fn incrby(ctx: &mut Ctx) {
    if let Some(n) = ctx.int_arg(2) {
        incr_by(ctx, n);
    }
}

fn decrby(ctx: &mut Ctx) {
    let Some(n) = ctx.int_arg(2) else { return };
    if n == i64::MIN {
        ctx.err("decrement would overflow");
        return;
    }
    incr_by(ctx, -n);
}

/// `incrDecrCommand`.
fn incr_by(ctx: &mut Ctx, by: i64) {
    let key = ctx.arg(1);
    let overflow = "increment or decrement would overflow";
    let new = match ctx.lookup_write(key) {
        None => {
            store_number(ctx, key, i64_to_vec(by), "incrby");
            ctx.reply.int(by);
            return;
        }
        // A counter is updated where it is stored: no second lookup, no new allocation.
        Some(Value::Str(s)) => match parse_i64(s).map(|v| v.checked_add(by)) {
            Some(Some(new)) => {
                let mut buf = crate::server::num::itoa_buf();
                let text = crate::server::num::format_i64(&mut buf, new);
                s.clear();
                s.extend_from_slice(text);
                new
            }
            Some(None) => return ctx.err(overflow),
            None => return ctx.err(NOT_INTEGER),
        },
        Some(_) => return ctx.err(WRONGTYPE),
    };
    ctx.modified(key);
    ctx.event(notify::STRING, "incrby", key);
    ctx.reply.int(new);
}

/// Replaces a string's content keeping its TTL (INCR and friends do not reset expiry).
fn store_number(ctx: &mut Ctx, key: &[u8], text: Vec<u8>, event: &str) {
    let db = ctx.client.db;
    ctx.st.dbs[db].set(key, Value::Str(text), true);
    ctx.modified(key);
    ctx.event(notify::STRING, event, key);
}

fn incrbyfloat(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let current = match ctx.lookup_write(key) {
        None => LongDouble::ZERO,
        Some(Value::Str(s)) => match LongDouble::parse(s) {
            Some(Ok(v)) => v,
            _ => {
                ctx.err(NOT_FLOAT);
                return;
            }
        },
        Some(_) => {
            ctx.err(WRONGTYPE);
            return;
        }
    };
    let by = match LongDouble::parse(ctx.arg(2)) {
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            ctx.err("increment would produce NaN or Infinity");
            return;
        }
        None => {
            ctx.err(NOT_FLOAT);
            return;
        }
    };
    let Some(sum) = current.checked_add(by) else {
        ctx.err("increment would produce NaN or Infinity");
        return;
    };
    let text = sum.to_human_string().into_bytes();
    store_number(ctx, key, text.clone(), "incrbyfloat");
    ctx.reply.bulk(&text);
}

fn getrange(ctx: &mut Ctx) {
    let (Some(start), Some(end)) = (super::super::num::parse_i64(ctx.arg(2)), super::super::num::parse_i64(ctx.arg(3)))
    else {
        ctx.err(NOT_INTEGER);
        return;
    };
    let key = ctx.arg(1);
    let Ok(value) = read_string(ctx, key) else { return };
    let s = value.unwrap_or_default();
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.reply.bulk(b"");
        return;
    }
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if end < 0 {
        end = 0;
    }
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        ctx.reply.bulk(b"");
    } else {
        ctx.reply.bulk(&s[start as usize..=end as usize]);
    }
}

fn setrange(ctx: &mut Ctx) {
    let Some(offset) = ctx.int_arg(2) else { return };
    if offset < 0 {
        ctx.err("offset is out of range");
        return;
    }
    let key = ctx.arg(1);
    let value = ctx.arg(3);
    let existing = match ctx.lookup_write(key) {
        None => None,
        Some(Value::Str(s)) => Some(s.len()),
        Some(_) => {
            ctx.err(WRONGTYPE);
            return;
        }
    };
    if value.is_empty() {
        ctx.reply.int(existing.unwrap_or(0) as i64);
        return;
    }
    if !check_length(ctx, offset as u64 + value.len() as u64) {
        return;
    }
    let offset = offset as usize;
    if existing.is_none() {
        let db = ctx.client.db;
        ctx.st.dbs[db].set(key, Value::Str(Vec::new()), false);
    }
    let len = match ctx.lookup_write(key) {
        Some(Value::Str(s)) => {
            if s.len() < offset + value.len() {
                s.resize(offset + value.len(), 0);
            }
            s[offset..offset + value.len()].copy_from_slice(value);
            s.len()
        }
        _ => 0,
    };
    ctx.modified(key);
    ctx.event(notify::STRING, "setrange", key);
    ctx.reply.int(len as i64);
}

/// DELIFEQ (Valkey 9): deletes the key when it holds exactly this value.
fn delifeq(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let Ok(value) = read_string(ctx, key) else { return };
    if value.as_deref() == Some(ctx.arg(2)) {
        ctx.db().remove(key);
        ctx.modified(key);
        ctx.event(notify::GENERIC, "del", key);
        ctx.reply.int(1);
    } else {
        ctx.reply.int(0);
    }
}
