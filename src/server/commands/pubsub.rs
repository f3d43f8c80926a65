//! Pub/Sub: channel, pattern and shard-channel subscriptions, PUBLISH fan-out (RESP2 arrays
//! or RESP3 pushes, per subscriber), and PUBSUB introspection.

use super::{Ctx, Handler};
use crate::server::client::ClientState;
use crate::server::keyspace::glob_match;
use crate::server::reply::Reply;
use crate::server::state::{PubSub, State};

pub const COMMANDS: &[(&str, Handler)] = &[
    ("subscribe", subscribe),
    ("unsubscribe", unsubscribe),
    ("psubscribe", psubscribe),
    ("punsubscribe", punsubscribe),
    ("ssubscribe", ssubscribe),
    ("sunsubscribe", sunsubscribe),
    ("publish", publish),
    ("spublish", spublish),
    ("pubsub|channels", pubsub_channels),
    ("pubsub|numsub", pubsub_numsub),
    ("pubsub|numpat", pubsub_numpat),
    ("pubsub|shardchannels", pubsub_shardchannels),
    ("pubsub|shardnumsub", pubsub_shardnumsub),
];

/// Default `client-output-buffer-limit pubsub` hard limit: a subscriber that falls this far
/// behind is disconnected instead of growing without bound.
const PUBSUB_HARD_LIMIT: usize = 32 * 1024 * 1024;

fn confirm(reply: &mut Reply, kind: &str, channel: Option<&[u8]>, count: usize) {
    reply.push(3);
    reply.bulk_str(kind);
    match channel {
        Some(c) => reply.bulk(c),
        None => reply.null(),
    }
    reply.int(count as i64);
}

fn subscribe(ctx: &mut Ctx) {
    for i in 1..ctx.argc() {
        let ch = ctx.arg(i);
        if ctx.client.channels.insert(ch.to_vec()) {
            PubSub::subscribe(&mut ctx.st.pubsub.channels, ch, ctx.client.id);
        }
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "subscribe", Some(ch), n);
    }
}

fn psubscribe(ctx: &mut Ctx) {
    for i in 1..ctx.argc() {
        let p = ctx.arg(i);
        if ctx.client.patterns.insert(p.to_vec()) {
            ctx.st.pubsub.psubscribe(p, ctx.client.id);
        }
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "psubscribe", Some(p), n);
    }
}

fn ssubscribe(ctx: &mut Ctx) {
    for i in 1..ctx.argc() {
        let ch = ctx.arg(i);
        if ctx.client.shard_channels.insert(ch.to_vec()) {
            PubSub::subscribe(&mut ctx.st.pubsub.shard_channels, ch, ctx.client.id);
        }
        let n = ctx.client.shard_channels.len();
        confirm(&mut ctx.reply, "ssubscribe", Some(ch), n);
    }
}

fn sorted(set: &std::collections::HashSet<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut v: Vec<_> = set.iter().cloned().collect();
    v.sort();
    v
}

fn unsubscribe(ctx: &mut Ctx) {
    let targets: Vec<Vec<u8>> = if ctx.argc() > 1 {
        (1..ctx.argc()).map(|i| ctx.arg(i).to_vec()).collect()
    } else {
        sorted(&ctx.client.channels)
    };
    if targets.is_empty() {
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "unsubscribe", None, n);
        return;
    }
    for ch in targets {
        if ctx.client.channels.remove(&ch) {
            PubSub::unsubscribe(&mut ctx.st.pubsub.channels, &ch, ctx.client.id);
        }
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "unsubscribe", Some(&ch), n);
    }
}

fn punsubscribe(ctx: &mut Ctx) {
    let targets: Vec<Vec<u8>> = if ctx.argc() > 1 {
        (1..ctx.argc()).map(|i| ctx.arg(i).to_vec()).collect()
    } else {
        sorted(&ctx.client.patterns)
    };
    if targets.is_empty() {
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "punsubscribe", None, n);
        return;
    }
    for p in targets {
        if ctx.client.patterns.remove(&p) {
            ctx.st.pubsub.punsubscribe(&p, ctx.client.id);
        }
        let n = ctx.client.subscription_count();
        confirm(&mut ctx.reply, "punsubscribe", Some(&p), n);
    }
}

fn sunsubscribe(ctx: &mut Ctx) {
    let targets: Vec<Vec<u8>> = if ctx.argc() > 1 {
        (1..ctx.argc()).map(|i| ctx.arg(i).to_vec()).collect()
    } else {
        sorted(&ctx.client.shard_channels)
    };
    if targets.is_empty() {
        confirm(&mut ctx.reply, "sunsubscribe", None, ctx.client.shard_channels.len());
        return;
    }
    for ch in targets {
        if ctx.client.shard_channels.remove(&ch) {
            PubSub::unsubscribe(&mut ctx.st.pubsub.shard_channels, &ch, ctx.client.id);
        }
        let n = ctx.client.shard_channels.len();
        confirm(&mut ctx.reply, "sunsubscribe", Some(&ch), n);
    }
}

/// Drops every subscription of a client that leaves (or RESETs), without replies.
pub fn unsubscribe_all(st: &mut State, client: &mut ClientState) {
    for ch in client.channels.drain() {
        PubSub::unsubscribe(&mut st.pubsub.channels, &ch, client.id);
    }
    for p in client.patterns.drain() {
        st.pubsub.punsubscribe(&p, client.id);
    }
    for ch in client.shard_channels.drain() {
        PubSub::unsubscribe(&mut st.pubsub.shard_channels, &ch, client.id);
    }
}

/// Writes one message to a subscriber's outbox: another client is woken to send it; the
/// publisher itself gets it right after the reply to PUBLISH, as the server orders it.
fn deliver(ctx: &mut Ctx, id: u64, parts: &[&[u8]]) {
    let write = |out: &mut Vec<u8>, resp3: bool| {
        let mut r = Reply::new(out, resp3);
        r.push(parts.len());
        for p in parts {
            r.bulk(p);
        }
    };
    if id == ctx.client.id {
        let resp3 = ctx.client.resp3();
        write(&mut ctx.client.outbox, resp3);
        return;
    }
    if let Some(c) = ctx.st.clients.get_mut(&id) {
        let resp3 = c.resp3();
        write(&mut c.outbox, resp3);
        if c.outbox.len() > PUBSUB_HARD_LIMIT {
            c.kill = true;
            ctx.st.stats.output_buffer_limit_disconnections += 1;
        }
        c.wake.notify_one();
    }
}

fn publish(ctx: &mut Ctx) {
    let channel = ctx.arg(1);
    let message = ctx.arg(2);
    let mut receivers = 0;
    let direct: Vec<u64> = ctx.st.pubsub.channels.get(channel).cloned().unwrap_or_default();
    for id in direct {
        deliver(ctx, id, &[b"message", channel, message]);
        receivers += 1;
    }
    let patterns: Vec<(Vec<u8>, Vec<u64>)> =
        ctx.st.pubsub.patterns.iter().filter(|(p, _)| glob_match(p, channel, false)).cloned().collect();
    for (pattern, ids) in patterns {
        for id in ids {
            deliver(ctx, id, &[b"pmessage", &pattern, channel, message]);
            receivers += 1;
        }
    }
    ctx.reply.int(receivers);
}

fn spublish(ctx: &mut Ctx) {
    let channel = ctx.arg(1);
    let message = ctx.arg(2);
    let ids: Vec<u64> = ctx.st.pubsub.shard_channels.get(channel).cloned().unwrap_or_default();
    for &id in &ids {
        deliver(ctx, id, &[b"smessage", channel, message]);
    }
    ctx.reply.int(ids.len() as i64);
}

fn list_channels(ctx: &mut Ctx, shard: bool) {
    let map = if shard { &ctx.st.pubsub.shard_channels } else { &ctx.st.pubsub.channels };
    let pattern = (ctx.argc() > 2).then(|| ctx.arg(2));
    let mut names: Vec<Vec<u8>> =
        map.keys().filter(|c| pattern.is_none_or(|p| glob_match(p, c, false))).cloned().collect();
    names.sort();
    ctx.reply.array(names.len());
    for n in names {
        ctx.reply.bulk(&n);
    }
}

fn pubsub_channels(ctx: &mut Ctx) {
    list_channels(ctx, false);
}

fn pubsub_shardchannels(ctx: &mut Ctx) {
    list_channels(ctx, true);
}

fn numsub(ctx: &mut Ctx, shard: bool) {
    let n = ctx.argc() - 2;
    ctx.reply.map(n);
    for i in 2..ctx.argc() {
        let ch = ctx.arg(i);
        let map = if shard { &ctx.st.pubsub.shard_channels } else { &ctx.st.pubsub.channels };
        let count = map.get(ch).map_or(0, Vec::len);
        ctx.reply.bulk(ch);
        ctx.reply.int(count as i64);
    }
}

fn pubsub_numsub(ctx: &mut Ctx) {
    numsub(ctx, false);
}

fn pubsub_shardnumsub(ctx: &mut Ctx) {
    numsub(ctx, true);
}

fn pubsub_numpat(ctx: &mut Ctx) {
    let n = ctx.st.pubsub.patterns.len();
    ctx.reply.int(n as i64);
}
