//! Sorted set pops (`t_zset.c`): ZPOPMIN/ZPOPMAX, ZMPOP, and their blocking forms, which
//! wait for a push and serve waiters first come, first served.

use super::blocking::{self, BlockKind, BlockRequest, TimeoutReply};
use super::zsets::{reply_entries, zset_at};
use super::{Ctx, Replied, SYNTAX, notify};
use crate::server::keyspace::ZSet;

/// Pops up to `count` entries from one end.
fn pop_entries(z: &mut ZSet, max: bool, count: usize) -> Vec<(f64, Vec<u8>)> {
    let n = count.min(z.len());
    let (s, e) = if max { (z.len() - n, z.len()) } else { (0, n) };
    let mut picked: Vec<(f64, Vec<u8>)> = z.range(s, e).into_iter().map(|(sc, m)| (sc, m.to_vec())).collect();
    if max {
        picked.reverse();
    }
    for (_, m) in &picked {
        z.remove(m);
    }
    picked
}

fn pop_event(max: bool) -> &'static str {
    if max { "zpopmax" } else { "zpopmin" }
}

fn pop_generic(ctx: &mut Ctx, max: bool) {
    if ctx.argc() > 3 {
        ctx.err(SYNTAX);
        return;
    }
    let count = if ctx.argc() == 3 {
        let Some(n) = super::lists::positive(ctx, 2, super::lists::MUST_BE_POSITIVE) else { return };
        Some(n as usize)
    } else {
        None
    };
    let key = ctx.arg(1);
    let popped = match zset_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => Vec::new(),
        Ok(Some(z)) => pop_entries(z, max, count.unwrap_or(1)),
    };
    if !popped.is_empty() {
        ctx.event(notify::ZSET, pop_event(max), key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    if count.is_none() && !popped.is_empty() {
        ctx.reply.array(2);
        ctx.reply.bulk(&popped[0].1);
        ctx.reply.double(popped[0].0);
        return;
    }
    reply_entries(&mut ctx.reply, &popped, true);
}

pub fn zpopmin(ctx: &mut Ctx) {
    pop_generic(ctx, false);
}

pub fn zpopmax(ctx: &mut Ctx) {
    pop_generic(ctx, true);
}

fn bzpop(ctx: &mut Ctx, max: bool) {
    let Ok(deadline) = blocking::parse_timeout(ctx, ctx.argc() - 1) else { return };
    let keys: Vec<Vec<u8>> = (1..ctx.argc() - 1).map(|i| ctx.arg(i).to_vec()).collect();
    for key in &keys {
        let popped = match zset_at(ctx, key, false) {
            Err(Replied) => return,
            Ok(None) => continue,
            Ok(Some(z)) => pop_entries(z, max, 1),
        };
        let Some((score, member)) = popped.into_iter().next() else { continue };
        ctx.reply.array(3);
        ctx.reply.bulk(key);
        ctx.reply.bulk(&member);
        ctx.reply.double(score);
        ctx.event(notify::ZSET, pop_event(max), key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
        return;
    }
    blocking::wait_or_timeout(
        ctx,
        BlockRequest { keys, deadline, kind: BlockKind::ZSet, timeout_reply: TimeoutReply::NullArray },
    );
}

pub fn bzpopmin(ctx: &mut Ctx) {
    bzpop(ctx, false);
}

pub fn bzpopmax(ctx: &mut Ctx) {
    bzpop(ctx, true);
}

/// `numkeys key… MIN|MAX [COUNT n]` from `at`: (keys, max, count).
fn parse_mpop(ctx: &mut Ctx, at: usize) -> Option<(Vec<Vec<u8>>, bool, usize)> {
    let where_idx = super::mpop_where(ctx, at)?;
    let max = if ctx.arg(where_idx).eq_ignore_ascii_case(b"min") {
        false
    } else if ctx.arg(where_idx).eq_ignore_ascii_case(b"max") {
        true
    } else {
        ctx.err(SYNTAX);
        return None;
    };
    let count = super::mpop_count(ctx, where_idx + 1)?;
    let keys = (at + 1..where_idx).map(|i| ctx.arg(i).to_vec()).collect();
    Some((keys, max, count))
}

/// Pops from the first non-empty sorted set: `[key, [[member, score]…]]`.
fn mpop_from(ctx: &mut Ctx, keys: &[Vec<u8>], max: bool, count: usize) -> Result<bool, Replied> {
    for key in keys {
        let popped = match zset_at(ctx, key, false)? {
            None => continue,
            Some(z) => pop_entries(z, max, count),
        };
        if popped.is_empty() {
            continue;
        }
        ctx.reply.array(2);
        ctx.reply.bulk(key);
        ctx.reply.array(popped.len());
        for (s, m) in &popped {
            ctx.reply.array(2);
            ctx.reply.bulk(m);
            ctx.reply.double(*s);
        }
        ctx.event(notify::ZSET, pop_event(max), key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
        return Ok(true);
    }
    Ok(false)
}

pub fn zmpop(ctx: &mut Ctx) {
    let Some((keys, max, count)) = parse_mpop(ctx, 1) else { return };
    if let Ok(false) = mpop_from(ctx, &keys, max, count) {
        ctx.reply.null_array();
    }
}

pub fn bzmpop(ctx: &mut Ctx) {
    let Ok(deadline) = blocking::parse_timeout(ctx, 1) else { return };
    let Some((keys, max, count)) = parse_mpop(ctx, 2) else { return };
    if let Ok(false) = mpop_from(ctx, &keys, max, count) {
        blocking::wait_or_timeout(
            ctx,
            BlockRequest { keys, deadline, kind: BlockKind::ZSet, timeout_reply: TimeoutReply::NullArray },
        );
    }
}
