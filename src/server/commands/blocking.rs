//! Blocking commands (BLPOP, BLMOVE, BZPOPMIN…): a client that finds nothing waits on its
//! keys; when a write makes one of them ready, waiting clients are served first come first
//! served by running their command again, as the server reprocesses blocked commands.

use super::{Ctx, Replied, Server};
use crate::server::client::{Blocked, ClientState};
use crate::server::keyspace::Value;
use crate::server::reply::Reply;
use crate::server::request::Argv;
use crate::server::state::State;

/// What a blocked client is waiting for: data of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    List,
    ZSet,
}

/// How a timeout is reported: BLPOP and friends reply a null array, BLMOVE a null bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    NullArray,
    NullBulk,
}

#[derive(Debug, Clone)]
pub struct BlockRequest {
    pub keys: Vec<Vec<u8>>,
    /// Deadline in Unix ms; `None` waits forever.
    pub deadline: Option<i64>,
    pub kind: BlockKind,
    pub timeout_reply: TimeoutReply,
}

/// Parses a blocking timeout in seconds (`0` waits forever) into a deadline, replying the
/// server's errors.
pub fn parse_timeout(ctx: &mut Ctx, i: usize) -> Result<Option<i64>, Replied> {
    // The server reads a long double; a double carries every timeout that is in range.
    let Some(secs) = crate::server::num::parse_f64(ctx.arg(i)) else {
        ctx.err("timeout is not a float or out of range");
        return Err(Replied);
    };
    let ms = (secs * 1000.0).ceil();
    if ms > i64::MAX as f64 {
        ctx.err("timeout is out of range");
        return Err(Replied);
    }
    let ms = ms as i64;
    if ms < 0 {
        ctx.err("timeout is negative");
        return Err(Replied);
    }
    if ms == 0 {
        return Ok(None);
    }
    if ms > i64::MAX - ctx.now {
        ctx.err("timeout is out of range");
        return Err(Replied);
    }
    Ok(Some(ctx.now + ms))
}

/// Called by a handler that found nothing to pop: block, unless inside EXEC (or being
/// retried), where the timeout reply is given at once.
pub fn wait_or_timeout(ctx: &mut Ctx, request: BlockRequest) {
    if ctx.retry {
        ctx.block = Some(request);
        return;
    }
    if ctx.in_exec {
        write_timeout(&mut ctx.reply, request.timeout_reply);
        return;
    }
    ctx.block = Some(request);
}

fn write_timeout(reply: &mut Reply, kind: TimeoutReply) {
    match kind {
        TimeoutReply::NullArray => reply.null_array(),
        TimeoutReply::NullBulk => reply.null(),
    }
}

/// Registers the client on its keys.
pub fn block(st: &mut State, client: &mut ClientState, argv: &Argv, request: BlockRequest) {
    let db = client.db;
    for key in &request.keys {
        let queue = st.blocked_on.entry((db, key.clone())).or_default();
        if !queue.contains(&client.id) {
            queue.push_back(client.id);
        }
    }
    client.blocked = Some(Blocked {
        db,
        keys: request.keys,
        argv: argv.clone(),
        deadline: request.deadline,
        kind: request.kind,
        timeout_reply: request.timeout_reply,
    });
}

/// Whether the key now holds data of the awaited kind (a value of another type leaves the
/// client waiting, as on the server).
fn kind_matches(value: Option<&Value>, kind: BlockKind) -> bool {
    match (value, kind) {
        (Some(Value::List(l)), BlockKind::List) => !l.is_empty(),
        (Some(Value::ZSet(z)), BlockKind::ZSet) => !z.is_empty(),
        _ => false,
    }
}

/// `handleClientsBlockedOnKeys`: serves clients waiting on keys that got data, in the
/// order the keys became ready and, per key, the order the clients blocked.
pub fn serve_ready_keys(srv: &Server, st: &mut State, current: &mut ClientState) {
    while !st.ready_keys.is_empty() {
        let (db, key) = st.ready_keys.remove(0);
        let waiting: Vec<u64> =
            st.blocked_on.get(&(db, key.clone())).map(|q| q.iter().copied().collect()).unwrap_or_default();
        for id in waiting {
            let now = crate::server::unix_ms();
            let ready = {
                let entry = st.dbs[db].peek(&key).filter(|e| e.expire.is_none_or(|t| t > now));
                let Some(kind) = st.clients.get(&id).and_then(|c| c.blocked.as_ref()).map(|b| b.kind) else { continue };
                kind_matches(entry.map(|e| &e.value), kind)
            };
            if !ready || id == current.id {
                continue;
            }
            let Some(mut other) = st.clients.remove(&id) else { continue };
            let Some(blocked) = other.blocked.clone() else {
                st.clients.insert(id, other);
                continue;
            };
            let mut out = Vec::new();
            let served = rerun(srv, st, &mut other, &blocked.argv, &mut out);
            if served {
                st.remove_blocked(&mut other);
                other.outbox.extend_from_slice(&out);
                other.wake.notify_one();
            }
            st.clients.insert(id, other);
        }
    }
}

/// Runs a blocked command again; true when it completed (it did not ask to wait).
fn rerun(srv: &Server, st: &mut State, client: &mut ClientState, argv: &Argv, out: &mut Vec<u8>) -> bool {
    let Ok(spec) = super::lookup(&srv.table, argv) else { return true };
    let Some(handler) = spec.handler else { return true };
    let saved_db = client.db;
    if let Some(b) = &client.blocked {
        client.db = b.db;
    }
    let resp3 = client.resp3();
    let mut ctx = Ctx {
        srv,
        st,
        client,
        reply: Reply::new(out, resp3),
        argv,
        now: crate::server::unix_ms(),
        in_exec: false,
        retry: true,
        block: None,
    };
    handler(&mut ctx);
    let served = ctx.block.is_none();
    client.db = saved_db;
    if served {
        st.stats.commands[spec.id].calls += 1;
        st.stats.commands_processed += 1;
    }
    served
}

/// A blocked client's deadline passed: reply the timeout and let it continue.
pub fn timeout(srv: &Server, id: u64) {
    let mut st = srv.state();
    let Some(mut client) = st.clients.remove(&id) else { return };
    let expired = client.blocked.as_ref().is_some_and(|b| b.deadline.is_some_and(|d| d <= crate::server::unix_ms()));
    if expired {
        let kind = client.blocked.as_ref().map(|b| b.timeout_reply).unwrap_or(TimeoutReply::NullArray);
        st.remove_blocked(&mut client);
        let resp3 = client.resp3();
        let mut out = Vec::new();
        write_timeout(&mut Reply::new(&mut out, resp3), kind);
        client.outbox.extend_from_slice(&out);
    }
    st.clients.insert(id, client);
}

/// CLIENT UNBLOCK: ends another client's wait with its timeout reply, or an error.
pub fn unblock(st: &mut State, id: u64, with_error: bool) -> bool {
    let Some(mut client) = st.clients.remove(&id) else { return false };
    let was_blocked = client.blocked.is_some();
    if was_blocked {
        let kind = client.blocked.as_ref().map(|b| b.timeout_reply).unwrap_or(TimeoutReply::NullArray);
        st.remove_blocked(&mut client);
        let resp3 = client.resp3();
        let mut out = Vec::new();
        let mut reply = Reply::new(&mut out, resp3);
        if with_error {
            reply.error("-UNBLOCKED client unblocked via CLIENT UNBLOCK");
        } else {
            write_timeout(&mut reply, kind);
        }
        client.outbox.extend_from_slice(&out);
        client.wake.notify_one();
    }
    st.clients.insert(id, client);
    was_blocked
}
