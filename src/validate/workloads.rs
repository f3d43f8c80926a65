//! The workloads from the seed story, run against the target and checked for correct results:
//! a session store, fixed- and sliding-window rate limiters, pub/sub fan-out and a leaderboard.
//! Every key lives under one prefix with a TTL, so a run against a live server leaves nothing
//! behind even if it is interrupted.

use super::model::Exchange;
use super::session::{Session, show};
use futures_util::StreamExt;
use redis::Value;
use std::time::Duration;

pub type Outcome = Result<String, String>;

fn flat(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) | Value::Set(items) => items.iter().flat_map(flat).collect(),
        Value::Map(pairs) => pairs.iter().flat_map(|(k, v)| flat(k).into_iter().chain(flat(v))).collect(),
        Value::BulkString(b) => vec![String::from_utf8_lossy(b).into_owned()],
        Value::SimpleString(s) => vec![s.clone()],
        Value::Int(n) => vec![n.to_string()],
        Value::Double(d) => vec![d.to_string()],
        other => vec![show(other)],
    }
}

pub async fn session_store(s: &mut Session, prefix: &str) -> Outcome {
    let key = format!("{prefix}sess:4f1c");
    s.expect(&["HSET", &key, "user", "alice", "role", "admin"], "(integer) 2").await?;
    s.expect(&["EXPIRE", &key, "1800"], "(integer) 1").await?;
    let all = s.call(&["HGETALL", &key]).await?;
    let fields = flat(&all);
    let mut pairs: Vec<(String, String)> =
        fields.chunks(2).map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or_default())).collect();
    pairs.sort();
    if pairs != [("role".into(), "admin".into()), ("user".into(), "alice".into())] {
        return Err(format!("HGETALL returned {}, expected user=alice role=admin", show(&all)));
    }
    // A request refreshes the session: touch a field and push the TTL out again.
    s.expect(&["HSET", &key, "last_seen", "1732600000"], "(integer) 1").await?;
    s.expect(&["EXPIRE", &key, "1800"], "(integer) 1").await?;
    let ttl = s.int(&["TTL", &key]).await?;
    if !(1..=1800).contains(&ttl) {
        return Err(format!("TTL after refresh is {ttl}, expected 1..=1800"));
    }
    s.expect(&["HGET", &key, "user"], "\"alice\"").await?;
    s.expect(&["DEL", &key], "(integer) 1").await?;
    s.expect(&["EXISTS", &key], "(integer) 0").await?;
    Ok("hash session written, read, TTL refreshed and deleted".into())
}

pub async fn fixed_window(s: &mut Session, prefix: &str) -> Outcome {
    let key = format!("{prefix}rl:fixed:alice");
    const LIMIT: i64 = 3;
    let mut allowed = 0;
    for i in 1..=5 {
        let n = s.int(&["INCR", &key]).await?;
        if n != i {
            return Err(format!("INCR returned {n} on request {i}"));
        }
        if n == 1 {
            s.expect(&["EXPIRE", &key, "60", "NX"], "(integer) 1").await?;
        } else {
            // NX: a later EXPIRE must not extend the window.
            s.expect(&["EXPIRE", &key, "60", "NX"], "(integer) 0").await?;
        }
        if n <= LIMIT {
            allowed += 1;
        }
    }
    let ttl = s.int(&["TTL", &key]).await?;
    if !(1..=60).contains(&ttl) {
        return Err(format!("window TTL is {ttl}, expected 1..=60"));
    }
    s.call(&["DEL", &key]).await?;
    if allowed != LIMIT {
        return Err(format!("{allowed} requests allowed, expected {LIMIT}"));
    }
    Ok(format!("INCR + EXPIRE NX counted 5 requests, allowed {LIMIT}"))
}

pub async fn sliding_window(s: &mut Session, prefix: &str) -> Outcome {
    let key = format!("{prefix}rl:sliding:alice");
    let time = flat(&s.call(&["TIME"]).await?);
    let now_ms: i64 = time.first().and_then(|t| t.parse::<i64>().ok()).ok_or("TIME returned no seconds")? * 1000;
    let at = |offset: i64| (now_ms - offset).to_string();
    s.expect(&["ZADD", &key, &at(30_000), "req-1", &at(20_000), "req-2", &at(0), "req-3"], "(integer) 3").await?;
    // Drop what fell out of the 25-second window, then count what is left.
    s.expect(&["ZREMRANGEBYSCORE", &key, "-inf", &format!("({}", at(25_000))], "(integer) 1").await?;
    s.expect(&["ZCARD", &key], "(integer) 2").await?;
    s.expect(&["PEXPIRE", &key, "25000"], "(integer) 1").await?;
    let members = flat(&s.call(&["ZRANGE", &key, "0", "-1"]).await?);
    if members != ["req-2", "req-3"] {
        return Err(format!("window holds {members:?}, expected req-2 and req-3"));
    }
    s.call(&["DEL", &key]).await?;
    Ok("sorted-set window trimmed by score and counted".into())
}

pub async fn leaderboard(s: &mut Session, prefix: &str) -> Outcome {
    let key = format!("{prefix}leaderboard");
    s.expect(&["ZINCRBY", &key, "10", "alice"], "\"10\"").await?;
    s.expect(&["ZINCRBY", &key, "25", "bob"], "\"25\"").await?;
    s.expect(&["ZINCRBY", &key, "5", "alice"], "\"15\"").await?;
    s.expect(&["ZADD", &key, "20", "carol"], "(integer) 1").await?;
    s.expect(&["EXPIRE", &key, "300"], "(integer) 1").await?;
    let top = flat(&s.call(&["ZREVRANGE", &key, "0", "2", "WITHSCORES"]).await?);
    if top != ["bob", "25", "carol", "20", "alice", "15"] {
        return Err(format!("ZREVRANGE WITHSCORES returned {top:?}"));
    }
    s.expect(&["ZREVRANK", &key, "alice"], "(integer) 2").await?;
    s.expect(&["ZRANK", &key, "alice"], "(integer) 0").await?;
    s.expect(&["ZRANK", &key, "nobody"], "(nil)").await?;
    s.call(&["DEL", &key]).await?;
    Ok("ZINCRBY, ZREVRANGE WITHSCORES and ZRANK agree".into())
}

/// Three subscribers (two on the channel, one on a pattern) must each get one message.
pub async fn pubsub_fanout(
    client: &redis::Client,
    prefix: &str,
    timeout: Duration,
    log: &mut Vec<Exchange>,
) -> Outcome {
    let channel = format!("{prefix}events:orders");
    let pattern = format!("{prefix}events:*");
    let mut subs = Vec::new();
    for i in 0..3 {
        let mut ps = tokio::time::timeout(timeout, client.get_async_pubsub())
            .await
            .map_err(|_| "subscribe connection timed out".to_string())?
            .map_err(|e| format!("subscribe connection failed: {e}"))?;
        if i < 2 {
            ps.subscribe(&channel).await.map_err(|e| format!("SUBSCRIBE failed: {e}"))?;
            log.push(Exchange { sent: format!("SUBSCRIBE {channel}"), received: "subscribed".into() });
        } else {
            ps.psubscribe(&pattern).await.map_err(|e| format!("PSUBSCRIBE failed: {e}"))?;
            log.push(Exchange { sent: format!("PSUBSCRIBE {pattern}"), received: "subscribed".into() });
        }
        subs.push(ps);
    }
    let mut publisher = tokio::time::timeout(timeout, client.get_multiplexed_async_connection())
        .await
        .map_err(|_| "publisher connection timed out".to_string())?
        .map_err(|e| e.to_string())?;
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg(&channel)
        .arg("order-42")
        .query_async(&mut publisher)
        .await
        .map_err(|e| e.to_string())?;
    log.push(Exchange { sent: format!("PUBLISH {channel} order-42"), received: format!("(integer) {receivers}") });
    if receivers != 3 {
        return Err(format!("PUBLISH reached {receivers} subscribers, expected 3"));
    }
    for (i, ps) in subs.iter_mut().enumerate() {
        let msg = tokio::time::timeout(timeout, ps.on_message().next())
            .await
            .map_err(|_| format!("subscriber {} got nothing within {timeout:?}", i + 1))?
            .ok_or_else(|| format!("subscriber {} was disconnected", i + 1))?;
        let payload: String = msg.get_payload().map_err(|e| e.to_string())?;
        log.push(Exchange {
            sent: format!("(subscriber {})", i + 1),
            received: format!("message {} {payload}", msg.get_channel_name()),
        });
        if payload != "order-42" || msg.get_channel_name() != channel {
            return Err(format!("subscriber {} got {payload:?} on {}", i + 1, msg.get_channel_name()));
        }
    }
    Ok("one PUBLISH reached two channel subscribers and one pattern subscriber".into())
}
