//! Generic key commands (`db.c`, `expire.c`): DEL/UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME,
//! COPY/MOVE/SWAPDB, the EXPIRE family and TTLs, plus the background expiry cycle.

use super::{Ctx, Handler, NOT_INTEGER, SYNTAX, notify};
use crate::server::Server;
use crate::server::keyspace::{Value, glob_match};
use crate::server::num::{parse_i64, parse_u64};
use std::sync::Arc;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("del", del),
    ("unlink", del),
    ("exists", exists),
    ("touch", exists),
    ("type", type_cmd),
    ("keys", keys),
    ("scan", scan),
    ("randomkey", randomkey),
    ("rename", rename),
    ("renamenx", renamenx),
    ("copy", copy),
    ("move", move_cmd),
    ("swapdb", swapdb),
    ("expire", expire),
    ("pexpire", pexpire),
    ("expireat", expireat),
    ("pexpireat", pexpireat),
    ("ttl", ttl),
    ("pttl", pttl),
    ("expiretime", expiretime),
    ("pexpiretime", pexpiretime),
    ("persist", persist),
    ("dbsize", dbsize),
    ("flushdb", flushdb),
    ("flushall", flushall),
    ("object|encoding", object_encoding),
];

fn del(ctx: &mut Ctx) {
    let mut deleted = 0;
    for i in 1..ctx.argc() {
        let key = ctx.arg(i);
        if ctx.lookup_write(key).is_some() {
            ctx.db().remove(key);
            ctx.modified(key);
            ctx.event(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    ctx.reply.int(deleted);
}

/// EXISTS counts repeats; TOUCH shares the logic (it only updates access times).
fn exists(ctx: &mut Ctx) {
    let mut n = 0;
    for i in 1..ctx.argc() {
        if ctx.lookup_read(ctx.arg(i)).is_some() {
            n += 1;
        }
    }
    ctx.reply.int(n);
}

fn type_cmd(ctx: &mut Ctx) {
    let name = ctx.lookup_read(ctx.arg(1)).map_or("none", |v| v.type_name());
    ctx.reply.simple(name);
}

fn keys(ctx: &mut Ctx) {
    let pattern = ctx.arg(1);
    let all = pattern == b"*";
    let now = ctx.now;
    let db = ctx.client.db;
    let d = ctx.reply.deferred();
    let mut n = 0;
    for (key, entry) in ctx.st.dbs[db].iter() {
        if entry.expire.is_some_and(|t| t <= now) {
            continue;
        }
        if all || glob_match(pattern, key, false) {
            ctx.reply.bulk(key);
            n += 1;
        }
    }
    ctx.reply.finish_array(d, n);
}

/// What SCAN-family commands share: the cursor and the MATCH/COUNT/TYPE/NOVALUES options.
pub struct ScanArgs {
    pub cursor: u64,
    pub pattern: Option<Vec<u8>>,
    pub count: usize,
    pub type_filter: Option<String>,
    pub novalues: bool,
}

/// Parses `cursor [MATCH p] [COUNT n] [TYPE t] [NOVALUES]` starting at `cursor_at`.
pub fn parse_scan(ctx: &mut Ctx, cursor_at: usize, allow_type: bool, allow_novalues: bool) -> Option<ScanArgs> {
    let Some(cursor) = parse_u64(ctx.arg(cursor_at)) else {
        ctx.err("invalid cursor");
        return None;
    };
    let mut args = ScanArgs { cursor, pattern: None, count: 10, type_filter: None, novalues: false };
    let mut i = cursor_at + 1;
    while i < ctx.argc() {
        let opt = ctx.arg(i).to_ascii_lowercase();
        let more = ctx.argc() - i - 1;
        match opt.as_slice() {
            b"count" if more >= 1 => {
                let Some(n) = parse_i64(ctx.arg(i + 1)) else {
                    ctx.err(NOT_INTEGER);
                    return None;
                };
                if n < 1 {
                    ctx.err(SYNTAX);
                    return None;
                }
                args.count = n as usize;
                i += 2;
            }
            b"match" if more >= 1 => {
                args.pattern = Some(ctx.arg(i + 1).to_vec());
                i += 2;
            }
            b"type" if allow_type && more >= 1 => {
                let t = String::from_utf8_lossy(ctx.arg(i + 1)).to_ascii_lowercase();
                if !["string", "list", "set", "zset", "hash", "stream"].contains(&t.as_str()) {
                    ctx.err(&format!("unknown type name '{}'", String::from_utf8_lossy(ctx.arg(i + 1))));
                    return None;
                }
                args.type_filter = Some(t);
                i += 2;
            }
            b"novalues" if allow_novalues => {
                args.novalues = true;
                i += 1;
            }
            _ => {
                ctx.err(SYNTAX);
                return None;
            }
        }
    }
    Some(args)
}

fn scan(ctx: &mut Ctx) {
    let Some(args) = parse_scan(ctx, 1, true, false) else { return };
    let db = ctx.client.db;
    let (candidates, next) = ctx.st.dbs[db].scan(args.cursor, args.count);
    let mut keys = Vec::with_capacity(candidates.len());
    for key in candidates {
        // Expired keys are dropped (and reclaimed) as the server does while scanning.
        let Some(value) = ctx.lookup_write(&key) else { continue };
        if args.type_filter.as_deref().is_some_and(|t| t != value.type_name()) {
            continue;
        }
        if args.pattern.as_deref().is_some_and(|p| !(p == b"*" || glob_match(p, &key, false))) {
            continue;
        }
        keys.push(key);
    }
    ctx.reply.array(2);
    ctx.reply.bulk(next.to_string().as_bytes());
    ctx.reply.array(keys.len());
    for k in keys {
        ctx.reply.bulk(&k);
    }
}

fn randomkey(ctx: &mut Ctx) {
    let db = ctx.client.db;
    let now = ctx.now;
    let live: Vec<Vec<u8>> =
        ctx.st.dbs[db].iter().filter(|(_, e)| e.expire.is_none_or(|t| t > now)).map(|(k, _)| k.clone()).collect();
    if live.is_empty() {
        ctx.reply.null();
    } else {
        let k = &live[fastrand::usize(..live.len())];
        ctx.reply.bulk(k);
    }
}

fn rename_generic(ctx: &mut Ctx, nx: bool) {
    let (from, to) = (ctx.arg(1), ctx.arg(2));
    if ctx.lookup_write(from).is_none() {
        ctx.err("no such key");
        return;
    }
    if from == to {
        if nx {
            ctx.reply.int(0)
        } else {
            ctx.reply.ok()
        }
        return;
    }
    if nx && ctx.lookup_write(to).is_some() {
        ctx.reply.int(0);
        return;
    }
    ctx.lookup_write(to);
    ctx.db().rename(from, to);
    ctx.modified(from);
    ctx.modified(to);
    ctx.event(notify::GENERIC, "rename_from", from);
    ctx.event(notify::GENERIC, "rename_to", to);
    if nx { ctx.reply.int(1) } else { ctx.reply.ok() }
}

fn rename(ctx: &mut Ctx) {
    rename_generic(ctx, false);
}

fn renamenx(ctx: &mut Ctx) {
    rename_generic(ctx, true);
}

fn db_index(ctx: &mut Ctx, i: usize) -> Option<usize> {
    let Some(n) = parse_i64(ctx.arg(i)).filter(|v| i32::try_from(*v).is_ok()) else {
        ctx.err(NOT_INTEGER);
        return None;
    };
    if n < 0 || n as usize >= ctx.st.dbs.len() {
        ctx.err("DB index is out of range");
        return None;
    }
    Some(n as usize)
}

fn copy(ctx: &mut Ctx) {
    let (from, to) = (ctx.arg(1), ctx.arg(2));
    let mut target_db = ctx.client.db;
    let mut replace = false;
    let mut i = 3;
    while i < ctx.argc() {
        let opt = ctx.arg(i);
        if opt.eq_ignore_ascii_case(b"replace") {
            replace = true;
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"db") && i + 1 < ctx.argc() {
            let Some(db) = db_index(ctx, i + 1) else { return };
            target_db = db;
            i += 2;
        } else {
            ctx.err(SYNTAX);
            return;
        }
    }
    let src_db = ctx.client.db;
    if src_db == target_db && from == to {
        ctx.err("source and destination objects are the same");
        return;
    }
    let now = ctx.now;
    super::expire_for_access(ctx.st, ctx.client, src_db, from, now);
    let Some(entry) = ctx.st.dbs[src_db].peek(from).cloned() else {
        ctx.reply.int(0);
        return;
    };
    super::expire_for_access(ctx.st, ctx.client, target_db, to, now);
    if ctx.st.dbs[target_db].peek(to).is_some() && !replace {
        ctx.reply.int(0);
        return;
    }
    ctx.st.dbs[target_db].insert_entry(to, entry);
    ctx.st.touch_key(target_db, to, ctx.client);
    ctx.st.stats.dirty += 1;
    ctx.event_in(target_db, notify::GENERIC, "copy_to", to);
    ctx.reply.int(1);
}

fn move_cmd(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let Some(target) = db_index(ctx, 2) else { return };
    let src = ctx.client.db;
    if src == target {
        ctx.err("source and destination objects are the same");
        return;
    }
    let now = ctx.now;
    super::expire_for_access(ctx.st, ctx.client, src, key, now);
    if ctx.st.dbs[src].peek(key).is_none() {
        ctx.reply.int(0);
        return;
    }
    super::expire_for_access(ctx.st, ctx.client, target, key, now);
    if ctx.st.dbs[target].peek(key).is_some() {
        ctx.reply.int(0);
        return;
    }
    let entry = ctx.st.dbs[src].remove(key).expect("checked above");
    ctx.st.dbs[target].insert_entry(key, entry);
    ctx.st.touch_key(src, key, ctx.client);
    ctx.st.touch_key(target, key, ctx.client);
    ctx.st.stats.dirty += 1;
    ctx.event_in(src, notify::GENERIC, "move_from", key);
    ctx.event_in(target, notify::GENERIC, "move_to", key);
    ctx.reply.int(1);
}

fn swapdb(ctx: &mut Ctx) {
    let Some(a) = parse_i64(ctx.arg(1)).filter(|v| i32::try_from(*v).is_ok()) else {
        ctx.err("invalid first DB index");
        return;
    };
    let Some(b) = parse_i64(ctx.arg(2)).filter(|v| i32::try_from(*v).is_ok()) else {
        ctx.err("invalid second DB index");
        return;
    };
    let n = ctx.st.dbs.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        ctx.err("DB index is out of range");
        return;
    }
    let (a, b) = (a as usize, b as usize);
    if a != b {
        ctx.st.touch_all_watched(Some(a), ctx.client);
        ctx.st.touch_all_watched(Some(b), ctx.client);
        ctx.st.dbs.swap(a, b);
        ctx.st.touch_all_watched(Some(a), ctx.client);
        ctx.st.touch_all_watched(Some(b), ctx.client);
        ctx.st.stats.dirty += 1;
    }
    ctx.reply.ok();
}

#[derive(Clone, Copy)]
enum Base {
    Relative,
    Absolute,
}

fn expire(ctx: &mut Ctx) {
    expire_generic(ctx, Base::Relative, true);
}

fn pexpire(ctx: &mut Ctx) {
    expire_generic(ctx, Base::Relative, false);
}

fn expireat(ctx: &mut Ctx) {
    expire_generic(ctx, Base::Absolute, true);
}

fn pexpireat(ctx: &mut Ctx) {
    expire_generic(ctx, Base::Absolute, false);
}

/// `expireGenericCommand` with the NX/XX/GT/LT conditions.
fn expire_generic(ctx: &mut Ctx, base: Base, seconds: bool) {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for i in 3..ctx.argc() {
        let opt = ctx.arg(i);
        match opt.to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"gt" => gt = true,
            b"lt" => lt = true,
            _ => {
                ctx.err(&format!("Unsupported option {}", String::from_utf8_lossy(opt)));
                return;
            }
        }
    }
    if nx && (xx || gt || lt) {
        ctx.err("NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if gt && lt {
        ctx.err("GT and LT options at the same time are not compatible");
        return;
    }
    let Some(mut when) = ctx.int_arg(2) else { return };
    let name = super::lookup(&ctx.srv.table, ctx.argv).map(|s| s.full_name.clone()).unwrap_or_default();
    let invalid = format!("invalid expire time in '{name}' command");
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            ctx.err(&invalid);
            return;
        }
        when *= 1000;
    }
    let basetime = match base {
        Base::Relative => ctx.now,
        Base::Absolute => 0,
    };
    if when > i64::MAX - basetime {
        ctx.err(&invalid);
        return;
    }
    when += basetime;
    let key = ctx.arg(1);
    if ctx.lookup_write(key).is_none() {
        ctx.reply.int(0);
        return;
    }
    let current = ctx.db().peek(key).and_then(|e| e.expire);
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && current.is_none_or(|c| when <= c))
        || (lt && current.is_some_and(|c| when >= c));
    if refused {
        ctx.reply.int(0);
        return;
    }
    if when <= ctx.now {
        ctx.db().remove(key);
        ctx.st.stats.expired_keys += 1;
        ctx.modified(key);
        ctx.event(notify::EXPIRED, "expired", key);
    } else {
        ctx.db().set_expire(key, Some(when));
        ctx.modified(key);
        ctx.event(notify::GENERIC, "expire", key);
    }
    ctx.reply.int(1);
}

/// -2 without the key, -1 without a TTL, else the TTL (rounded to seconds unless `ms`).
fn ttl_generic(ctx: &mut Ctx, ms: bool, absolute: bool) {
    let key = ctx.arg(1);
    if ctx.lookup_read(key).is_none() {
        ctx.reply.int(-2);
        return;
    }
    let Some(expire) = ctx.db().peek(key).and_then(|e| e.expire) else {
        ctx.reply.int(-1);
        return;
    };
    let v = if absolute {
        if ms { expire } else { expire / 1000 }
    } else {
        let ttl = (expire - ctx.now).max(0);
        if ms { ttl } else { (ttl + 500) / 1000 }
    };
    ctx.reply.int(v);
}

fn ttl(ctx: &mut Ctx) {
    ttl_generic(ctx, false, false);
}

fn pttl(ctx: &mut Ctx) {
    ttl_generic(ctx, true, false);
}

fn expiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, false, true);
}

fn pexpiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, true, true);
}

fn persist(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    if ctx.lookup_write(key).is_none() {
        ctx.reply.int(0);
        return;
    }
    if ctx.db().peek(key).is_some_and(|e| e.expire.is_some()) {
        ctx.db().set_expire(key, None);
        ctx.modified(key);
        ctx.event(notify::GENERIC, "persist", key);
        ctx.reply.int(1);
    } else {
        ctx.reply.int(0);
    }
}

fn dbsize(ctx: &mut Ctx) {
    let n = ctx.db().len();
    ctx.reply.int(n as i64);
}

/// `[ASYNC|SYNC]` for FLUSHDB/FLUSHALL.
fn flush_option(ctx: &mut Ctx) -> bool {
    if ctx.argc() > 2 {
        ctx.err(SYNTAX);
        return false;
    }
    if ctx.argc() == 2 && !(ctx.arg(1).eq_ignore_ascii_case(b"async") || ctx.arg(1).eq_ignore_ascii_case(b"sync")) {
        ctx.err(SYNTAX);
        return false;
    }
    true
}

fn flushdb(ctx: &mut Ctx) {
    if !flush_option(ctx) {
        return;
    }
    let db = ctx.client.db;
    ctx.st.touch_all_watched(Some(db), ctx.client);
    let n = ctx.st.dbs[db].clear();
    ctx.st.stats.dirty += n as u64;
    ctx.reply.ok();
}

fn flushall(ctx: &mut Ctx) {
    if !flush_option(ctx) {
        return;
    }
    ctx.st.touch_all_watched(None, ctx.client);
    let mut n = 0;
    for db in &mut ctx.st.dbs {
        n += db.clear();
    }
    ctx.st.stats.dirty += n as u64 + 1;
    ctx.reply.ok();
}

/// OBJECT ENCODING: the encoding the server would use for the value.
fn object_encoding(ctx: &mut Ctx) {
    let key = ctx.arg(2);
    let enc = ctx.st.encodings;
    let compat = ctx.srv.compat;
    let has_ttl = ctx.db().peek(key).is_some_and(|e| e.expire.is_some());
    let name = match ctx.lookup_write(key) {
        None => {
            ctx.reply.null();
            return;
        }
        Some(Value::Str(s)) => {
            if s.len() <= 20 && parse_i64(s).is_some() {
                "int"
            } else if embeds(compat, key.len(), s.len(), has_ttl) {
                "embstr"
            } else {
                "raw"
            }
        }
        Some(Value::List(l)) => {
            let bytes: usize = l.iter().map(|e| e.len() + 11).sum();
            if bytes <= 8 * 1024 && l.len() <= 128 * 1024 { "listpack" } else { "quicklist" }
        }
        Some(Value::Hash(h)) => {
            if h.is_listpack() {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Some(Value::Set(s)) => match s {
            crate::server::keyspace::SetValue::Intset(_) => "intset",
            crate::server::keyspace::SetValue::Listpack(_) => "listpack",
            crate::server::keyspace::SetValue::Table(_) => "hashtable",
        },
        Some(Value::ZSet(z)) => {
            if z.listpack && z.len() <= enc.zset_max_listpack_entries {
                "listpack"
            } else {
                "skiplist"
            }
        }
    };
    ctx.reply.bulk_str(name);
}

/// Whether a string value is allocated with its object (`embstr`). Valkey 8.1 and later
/// embed the key (and the expiry) in the same allocation, so the limit depends on both; the
/// byte budgets below reproduce what valkey-server 8.1.8 and 9.1.2 report.
fn embeds(compat: crate::server::Compat, key_len: usize, value_len: usize, has_ttl: bool) -> bool {
    if !(compat.valkey && compat.at_least(8, 1)) {
        return value_len <= 44;
    }
    let sds_header = |len: usize| if len < 32 { 1 } else { 3 };
    let key_part = 1 + sds_header(key_len) + key_len + 1;
    let value_part = 3 + value_len + 1;
    let budget = if compat.at_least(9, 0) { 120 } else { 48 };
    key_part + value_part + if has_ttl { 8 } else { 0 } <= budget
}

/// The background half of expiry (`activeExpireCycle`): keys are reclaimed exactly when
/// due, a bounded number per tick so a mass expiry never stalls clients.
pub async fn active_expire_loop(server: Arc<Server>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let mut st = server.state();
        let now = crate::server::unix_ms();
        for db in 0..st.dbs.len() {
            let due = st.dbs[db].expire_due(now, 1000);
            if due.is_empty() {
                continue;
            }
            st.stats.expired_keys += due.len() as u64;
            for key in due {
                notify::emit(&mut st, None, notify::EXPIRED, "expired", &key, db);
                let k = (db, key);
                if let Some(ids) = st.watched.get(&k).cloned() {
                    for id in ids {
                        if let Some(c) = st.clients.get_mut(&id) {
                            c.dirty_cas = true;
                        }
                    }
                }
            }
        }
    }
}
