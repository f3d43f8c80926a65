//! Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO and AUTH.

use super::{Ctx, Handler, NOT_INTEGER};
use crate::server::client::{ReplyMode, valid_name};
use crate::server::identity;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("ping", ping),
    ("echo", echo),
    ("select", select),
    ("quit", quit),
    ("reset", reset),
    ("hello", hello),
    ("auth", auth),
];

fn ping(ctx: &mut Ctx) {
    if ctx.argc() > 2 {
        ctx.err("wrong number of arguments for 'ping' command");
        return;
    }
    // A RESP2 subscriber gets a pub/sub-shaped pong.
    if ctx.client.in_pubsub() && !ctx.client.resp3() {
        ctx.reply.array(2);
        ctx.reply.bulk(b"pong");
        ctx.reply.bulk(if ctx.argc() == 2 { ctx.arg(1) } else { b"" });
    } else if ctx.argc() == 2 {
        ctx.reply.bulk(ctx.arg(1));
    } else {
        ctx.reply.simple("PONG");
    }
}

fn echo(ctx: &mut Ctx) {
    ctx.reply.bulk(ctx.arg(1));
}

fn select(ctx: &mut Ctx) {
    let Some(db) = crate::server::num::parse_i64(ctx.arg(1)).filter(|v| i32::try_from(*v).is_ok()) else {
        ctx.err(NOT_INTEGER);
        return;
    };
    if db < 0 || db as usize >= ctx.st.dbs.len() {
        ctx.err("DB index is out of range");
        return;
    }
    ctx.client.db = db as usize;
    ctx.reply.ok();
}

fn quit(ctx: &mut Ctx) {
    ctx.reply.ok();
    ctx.client.close_after_reply = true;
}

/// RESET: back to a fresh connection's state, with the default user.
fn reset(ctx: &mut Ctx) {
    ctx.client.multi = None;
    ctx.st.unwatch_all(ctx.client);
    super::pubsub::unsubscribe_all(ctx.st, ctx.client);
    ctx.client.resp = 2;
    ctx.reply.resp3 = false;
    ctx.client.db = 0;
    ctx.client.name = None;
    ctx.client.reply_mode = ReplyMode::On;
    ctx.client.no_evict = false;
    ctx.client.no_touch = false;
    ctx.client.user = "default".into();
    ctx.client.authenticated = ctx.st.acl.user("default").is_some_and(|u| u.nopass && u.enabled);
    ctx.reply.simple("RESET");
}

/// Checks a username/password pair; on success the client is logged in as that user.
pub fn authenticate(ctx: &mut Ctx, user: &[u8], password: &[u8]) -> bool {
    let name = String::from_utf8_lossy(user).into_owned();
    let ok = ctx.st.acl.user(&name).is_some_and(|u| u.enabled && u.check_password(password));
    if ok {
        ctx.client.user = name;
        ctx.client.authenticated = true;
    } else {
        ctx.st.stats.acl_denied_auth += 1;
    }
    ok
}

fn auth(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        ctx.err(super::SYNTAX);
        return;
    }
    let (user, password) = if ctx.argc() == 2 {
        if ctx.st.acl.user("default").is_some_and(|u| u.nopass) {
            ctx.err(
                "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            );
            return;
        }
        (&b"default"[..], ctx.arg(1))
    } else {
        (ctx.arg(1), ctx.arg(2))
    };
    if authenticate(ctx, user, password) {
        ctx.reply.ok();
    } else {
        ctx.err("-WRONGPASS invalid username-password pair or user is disabled.");
    }
}

fn hello(ctx: &mut Ctx) {
    let mut proto = None;
    let mut next = 1;
    if ctx.argc() >= 2 {
        let Some(v) = crate::server::num::parse_i64(ctx.arg(1)) else {
            ctx.err("Protocol version is not an integer or out of range");
            return;
        };
        if !(2..=3).contains(&v) {
            ctx.err("-NOPROTO unsupported protocol version");
            return;
        }
        proto = Some(v as u8);
        next = 2;
    }
    let mut auth_pair = None;
    let mut setname = None;
    let mut j = next;
    while j < ctx.argc() {
        let more = ctx.argc() - j - 1;
        let opt = ctx.arg(j);
        if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
            auth_pair = Some((ctx.arg(j + 1), ctx.arg(j + 2)));
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
            let name = ctx.arg(j + 1);
            if !valid_name(name) {
                ctx.err("Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            setname = Some(name);
            j += 2;
        } else {
            ctx.err(&format!("Syntax error in HELLO option '{}'", String::from_utf8_lossy(opt)));
            return;
        }
    }
    let needs_auth = !ctx.st.acl.user("default").is_some_and(|u| u.nopass && u.enabled);
    if auth_pair.is_none() && needs_auth && !ctx.client.authenticated {
        let text = if ctx.srv.compat.valkey || ctx.srv.compat.at_least(7, 2) {
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
        } else {
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
        };
        ctx.err(text);
        return;
    }
    if let Some((user, password)) = auth_pair {
        if !authenticate(ctx, user, password) {
            ctx.err("-WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
    }
    if let Some(name) = setname {
        ctx.client.name = (!name.is_empty()).then(|| name.to_vec());
    }
    if let Some(p) = proto {
        ctx.client.resp = p;
        ctx.reply.resp3 = p == 3;
    }
    write_hello(ctx);
}

/// The HELLO reply as the profile recorded it, with this connection's id and protocol.
fn write_hello(ctx: &mut Ctx) {
    let resp3 = ctx.client.resp3();
    let profile = ctx.srv.profile.clone();
    let Some(record) = identity::hello_record(&profile, resp3) else {
        ctx.err("valkey-migrate: the profile has no HELLO reply recorded");
        return;
    };
    // Valkey pretends to be Redis 7.2.4 when asked to.
    let extended = ctx.srv.compat.valkey && ctx.st.config.get_bool("extended-redis-compatibility");
    let zone = ctx.st.config.get("availability-zone").unwrap_or("").to_string();
    ctx.reply.map(record.fields.len() + usize::from(!zone.is_empty()));
    for f in &record.fields {
        ctx.reply.bulk_str(&f.field);
        match f.field.as_str() {
            "proto" => ctx.reply.int(i64::from(ctx.client.resp)),
            "id" => ctx.reply.int(ctx.client.id as i64),
            "server" if extended => ctx.reply.bulk_str("redis"),
            "version" if extended => ctx.reply.bulk_str("7.2.4"),
            _ => identity::write_value(&mut ctx.reply, &f.value),
        }
    }
    if !zone.is_empty() {
        ctx.reply.bulk_str("availability_zone");
        ctx.reply.bulk_str(&zone);
    }
}
