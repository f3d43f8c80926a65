//! Transactions: MULTI queues, EXEC runs the queue atomically (or aborts on a queueing error
//! or a touched WATCHed key), DISCARD, WATCH and UNWATCH.

use super::{Ctx, Handler};
use crate::server::client::{MultiState, WatchedKey};
use crate::server::reply::Reply;

pub const COMMANDS: &[(&str, Handler)] =
    &[("multi", multi), ("exec", exec), ("discard", discard), ("watch", watch), ("unwatch", unwatch)];

fn multi(ctx: &mut Ctx) {
    if ctx.client.multi.is_some() {
        ctx.err("MULTI calls can not be nested");
        return;
    }
    ctx.client.multi = Some(MultiState { queue: Vec::new(), dirty: false });
    ctx.reply.ok();
}

fn discard(ctx: &mut Ctx) {
    if ctx.client.multi.take().is_none() {
        ctx.err("DISCARD without MULTI");
        return;
    }
    ctx.st.unwatch_all(ctx.client);
    ctx.reply.ok();
}

/// `isWatchedKeyExpired`: a watched key that expired since WATCH counts as changed.
fn watched_key_expired(ctx: &Ctx) -> bool {
    ctx.client.watched.iter().any(|w| !w.expired_at_watch && ctx.st.dbs[w.db].is_logically_expired(&w.key, ctx.now))
}

fn exec(ctx: &mut Ctx) {
    let Some(multi) = ctx.client.multi.take() else {
        ctx.err("EXEC without MULTI");
        return;
    };
    if watched_key_expired(ctx) {
        ctx.client.dirty_cas = true;
    }
    if multi.dirty {
        ctx.err("-EXECABORT Transaction discarded because of previous errors.");
        ctx.st.unwatch_all(ctx.client);
        return;
    }
    if ctx.client.dirty_cas {
        ctx.reply.null_array();
        ctx.st.unwatch_all(ctx.client);
        return;
    }
    ctx.st.unwatch_all(ctx.client);
    ctx.reply.array(multi.queue.len());
    for argv in &multi.queue {
        let Ok(spec) = super::lookup(&ctx.srv.table, argv) else { continue };
        if let Some(reason) = super::acl_check(ctx.st, ctx.client, spec, argv) {
            let reason = reason.trim_start_matches("-NOPERM ");
            ctx.err(&format!(
                "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"
            ));
            continue;
        }
        let resp3 = ctx.client.resp3();
        let mut reply = Reply::new(&mut *ctx.reply.out, resp3);
        super::call(ctx.srv, ctx.st, ctx.client, spec, argv, &mut reply, true);
        ctx.reply.resp3 = ctx.client.resp3();
    }
}

fn watch(ctx: &mut Ctx) {
    if ctx.client.multi.is_some() {
        ctx.err("WATCH inside MULTI is not allowed");
        return;
    }
    let db = ctx.client.db;
    for i in 1..ctx.argc() {
        let key = ctx.arg(i);
        if ctx.client.watched.iter().any(|w| w.db == db && w.key == key) {
            continue;
        }
        let expired = ctx.st.dbs[db].is_logically_expired(key, ctx.now);
        ctx.client.watched.push(WatchedKey { db, key: key.to_vec(), expired_at_watch: expired });
        ctx.st.watched.entry((db, key.to_vec())).or_default().push(ctx.client.id);
    }
    ctx.reply.ok();
}

fn unwatch(ctx: &mut Ctx) {
    ctx.st.unwatch_all(ctx.client);
    ctx.reply.ok();
}
