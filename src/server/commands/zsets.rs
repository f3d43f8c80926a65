//! Sorted set commands (`t_zset.c`): ZADD and its flags, ranges by rank, score and lex
//! (ZRANGE and the older forms), ranks, counts and removals; pops are in `zset_pops`.

use super::{Ctx, Handler, NOT_FLOAT, NOT_INTEGER, Replied, SYNTAX, WRONGTYPE, notify};
use crate::server::keyspace::zset::{LexBound, ScoreBound};
use crate::server::keyspace::{Value, ZSet};
use crate::server::num::{parse_f64, parse_i64};
use crate::server::reply::Reply;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("zadd", zadd),
    ("zincrby", zincrby),
    ("zrem", zrem),
    ("zcard", zcard),
    ("zscore", zscore),
    ("zmscore", zmscore),
    ("zrank", zrank),
    ("zrevrank", zrevrank),
    ("zcount", zcount),
    ("zlexcount", zlexcount),
    ("zrange", zrange),
    ("zrangestore", zrangestore),
    ("zrevrange", zrevrange),
    ("zrangebyscore", zrangebyscore),
    ("zrevrangebyscore", zrevrangebyscore),
    ("zrangebylex", zrangebylex),
    ("zrevrangebylex", zrevrangebylex),
    ("zremrangebyrank", zremrangebyrank),
    ("zremrangebyscore", zremrangebyscore),
    ("zremrangebylex", zremrangebylex),
    ("zpopmin", super::zset_pops::zpopmin),
    ("zpopmax", super::zset_pops::zpopmax),
    ("bzpopmin", super::zset_pops::bzpopmin),
    ("bzpopmax", super::zset_pops::bzpopmax),
    ("zmpop", super::zset_pops::zmpop),
    ("bzmpop", super::zset_pops::bzmpop),
    ("zunion", super::zset_ops::zunion),
    ("zinter", super::zset_ops::zinter),
    ("zdiff", super::zset_ops::zdiff),
    ("zunionstore", super::zset_ops::zunionstore),
    ("zinterstore", super::zset_ops::zinterstore),
    ("zdiffstore", super::zset_ops::zdiffstore),
    ("zintercard", super::zset_ops::zintercard),
    ("zrandmember", super::zset_ops::zrandmember),
    ("zscan", super::zset_ops::zscan),
];

pub fn zset_at<'c>(ctx: &'c mut Ctx, key: &[u8], read: bool) -> Result<Option<&'c mut ZSet>, Replied> {
    let (value, reply) = if read { ctx.read(key) } else { ctx.write(key) };
    match value {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => {
            reply.error(WRONGTYPE);
            Err(Replied)
        }
    }
}

#[derive(Default)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

fn zadd(ctx: &mut Ctx) {
    let mut f = AddFlags::default();
    let mut idx = 2;
    while idx < ctx.argc() {
        match ctx.arg(idx).to_ascii_lowercase().as_slice() {
            b"nx" => f.nx = true,
            b"xx" => f.xx = true,
            b"ch" => f.ch = true,
            b"incr" => f.incr = true,
            b"gt" => f.gt = true,
            b"lt" => f.lt = true,
            _ => break,
        }
        idx += 1;
    }
    zadd_generic(ctx, idx, f);
}

fn zincrby(ctx: &mut Ctx) {
    zadd_generic(ctx, 2, AddFlags { incr: true, ..AddFlags::default() });
}

/// `zaddGenericCommand`.
fn zadd_generic(ctx: &mut Ctx, score_idx: usize, f: AddFlags) {
    let elements = ctx.argc() - score_idx;
    if elements % 2 == 1 || elements == 0 {
        ctx.err(SYNTAX);
        return;
    }
    let elements = elements / 2;
    if f.xx && f.nx {
        ctx.err("XX and NX options at the same time are not compatible");
        return;
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        ctx.err("GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if f.incr && elements > 1 {
        ctx.err("INCR option supports a single increment-element pair");
        return;
    }
    let mut scores = Vec::with_capacity(elements);
    for j in 0..elements {
        let Some(s) = ctx.float_arg(score_idx + j * 2) else { return };
        scores.push(s);
    }
    let key = ctx.arg(1);
    let enc = ctx.st.encodings;
    let argv = ctx.argv;
    match zset_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) if f.xx => {
            if f.incr {
                ctx.reply.null()
            } else {
                ctx.reply.int(0)
            }
            return;
        }
        Ok(None) => {
            ctx.db().insert_new(key, Value::ZSet(ZSet::default()));
        }
        Ok(Some(_)) => {}
    }
    let (mut added, mut updated, mut processed) = (0, 0, 0);
    let mut last_score = 0.0;
    let mut nan = false;
    {
        let Ok(Some(z)) = zset_at(ctx, key, false) else { return };
        for (j, &score) in scores.iter().enumerate() {
            let member = argv.get(score_idx + 1 + j * 2);
            match z.score(member) {
                Some(cur) => {
                    if f.nx {
                        continue;
                    }
                    let mut score = score;
                    if f.incr {
                        score += cur;
                        if score.is_nan() {
                            nan = true;
                            break;
                        }
                    }
                    if (f.lt && score >= cur) || (f.gt && score <= cur) {
                        continue;
                    }
                    processed += 1;
                    last_score = score;
                    if score != cur {
                        z.insert(member, score, enc.zset_max_listpack_entries, enc.zset_max_listpack_value);
                        updated += 1;
                    }
                }
                None if !f.xx => {
                    z.insert(member, score, enc.zset_max_listpack_entries, enc.zset_max_listpack_value);
                    added += 1;
                    processed += 1;
                    last_score = score;
                }
                None => {}
            }
        }
    }
    if added + updated > 0 {
        ctx.modified(key);
        let db = ctx.client.db;
        ctx.st.signal_ready(db, key);
        ctx.event(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
    }
    ctx.delete_if_empty(key);
    if nan {
        ctx.err("resulting score is not a number (NaN)");
        return;
    }
    if f.incr {
        if processed > 0 { ctx.reply.double(last_score) } else { ctx.reply.null() }
    } else {
        ctx.reply.int(if f.ch { added + updated } else { added });
    }
}

fn zrem(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let argv = ctx.argv;
    let removed = match zset_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(z)) => (2..argv.len()).filter(|&i| z.remove(argv.get(i)).is_some()).count(),
    };
    if removed > 0 {
        ctx.event(notify::ZSET, "zrem", key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    ctx.reply.int(removed as i64);
}

fn zcard(ctx: &mut Ctx) {
    let n = match zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(z) => z.map_or(0, |z| z.len()),
    };
    ctx.reply.int(n as i64);
}

fn zscore(ctx: &mut Ctx) {
    let member = ctx.arg(2);
    let score = match zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(z) => z.and_then(|z| z.score(member)),
    };
    match score {
        Some(s) => ctx.reply.double(s),
        None => ctx.reply.null(),
    }
}

fn zmscore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let scores: Vec<Option<f64>> = match zset_at(ctx, argv.get(1), true) {
        Err(Replied) => return,
        Ok(z) => (2..argv.len()).map(|i| z.as_ref().and_then(|z| z.score(argv.get(i)))).collect(),
    };
    ctx.reply.array(scores.len());
    for s in scores {
        match s {
            Some(s) => ctx.reply.double(s),
            None => ctx.reply.null(),
        }
    }
}

fn rank_generic(ctx: &mut Ctx, reverse: bool) {
    if ctx.argc() > 4 || (ctx.argc() == 4 && !ctx.arg(3).eq_ignore_ascii_case(b"withscore")) {
        ctx.err(SYNTAX);
        return;
    }
    let with_score = ctx.argc() == 4;
    let member = ctx.arg(2);
    let found = match zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => None,
        Ok(Some(z)) => {
            z.rank(member).map(|r| (if reverse { z.len() - 1 - r } else { r }, z.score(member).unwrap_or(0.0)))
        }
    };
    match (found, with_score) {
        (None, true) => ctx.reply.null_array(),
        (None, false) => ctx.reply.null(),
        (Some((r, _)), false) => ctx.reply.int(r as i64),
        (Some((r, s)), true) => {
            ctx.reply.array(2);
            ctx.reply.int(r as i64);
            ctx.reply.double(s);
        }
    }
}

fn zrank(ctx: &mut Ctx) {
    rank_generic(ctx, false);
}

fn zrevrank(ctx: &mut Ctx) {
    rank_generic(ctx, true);
}

/// `zslParseRange` for one bound: `(` makes it exclusive; the number is read leniently
/// (strtod), NaN refused.
pub fn parse_score_bound(raw: &[u8]) -> Option<ScoreBound> {
    let (exclusive, body) = match raw.first() {
        Some(b'(') => (true, &raw[1..]),
        _ => (false, raw),
    };
    let text = std::str::from_utf8(body).ok()?.trim_start();
    let value = if text.is_empty() {
        0.0
    } else {
        match text.parse::<f64>() {
            Ok(v) if !v.is_nan() => v,
            _ => return None,
        }
    };
    Some(ScoreBound { value, exclusive })
}

/// `zslParseLexRangeItem`.
pub fn parse_lex_bound(raw: &[u8]) -> Option<LexBound> {
    match raw.first() {
        Some(b'+') if raw.len() == 1 => Some(LexBound::Max),
        Some(b'-') if raw.len() == 1 => Some(LexBound::Min),
        Some(b'(') => Some(LexBound::Exclusive(raw[1..].to_vec())),
        Some(b'[') => Some(LexBound::Inclusive(raw[1..].to_vec())),
        _ => None,
    }
}

fn zcount(ctx: &mut Ctx) {
    let (Some(min), Some(max)) = (parse_score_bound(ctx.arg(2)), parse_score_bound(ctx.arg(3))) else {
        ctx.err("min or max is not a float");
        return;
    };
    let n = match zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(z)) => {
            let (s, e) = z.score_range(min, max);
            e - s
        }
    };
    ctx.reply.int(n as i64);
}

fn zlexcount(ctx: &mut Ctx) {
    let (Some(min), Some(max)) = (parse_lex_bound(ctx.arg(2)), parse_lex_bound(ctx.arg(3))) else {
        ctx.err("min or max not valid string range item");
        return;
    };
    let n = match zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(z)) => {
            let (s, e) = z.lex_range(&min, &max);
            e - s
        }
    };
    ctx.reply.int(n as i64);
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Writes entries as ZRANGE does: members, or members with scores (flat in RESP2, pairs
/// in RESP3).
pub fn reply_entries(reply: &mut Reply, entries: &[(f64, Vec<u8>)], with_scores: bool) {
    if with_scores && reply.resp3 {
        reply.array(entries.len());
        for (s, m) in entries {
            reply.array(2);
            reply.bulk(m);
            reply.double(*s);
        }
    } else if with_scores {
        reply.array(entries.len() * 2);
        for (s, m) in entries {
            reply.bulk(m);
            reply.double(*s);
        }
    } else {
        reply.array(entries.len());
        for (_, m) in entries {
            reply.bulk(m);
        }
    }
}

/// `zrangeGenericCommand`: the ZRANGE grammar shared by every range command. `store` is
/// the destination for ZRANGESTORE.
fn range_generic(ctx: &mut Ctx, first: usize, store: Option<&[u8]>, mut kind: RangeType, mut reverse: Option<bool>) {
    let key = ctx.arg(first);
    let (mut min_idx, mut max_idx) = (first + 1, first + 2);
    let (mut with_scores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut j = first + 3;
    while j < ctx.argc() {
        let left = ctx.argc() - j - 1;
        let opt = ctx.arg(j).to_ascii_lowercase();
        if store.is_none() && opt == b"withscores" {
            with_scores = true;
        } else if opt == b"limit" && left >= 2 {
            let (Some(o), Some(l)) = (parse_i64(ctx.arg(j + 1)), parse_i64(ctx.arg(j + 2))) else {
                ctx.err(NOT_INTEGER);
                return;
            };
            offset = o;
            limit = l;
            j += 2;
        } else if reverse.is_none() && opt == b"rev" {
            reverse = Some(true);
        } else if kind == RangeType::Auto && opt == b"bylex" {
            kind = RangeType::Lex;
        } else if kind == RangeType::Auto && opt == b"byscore" {
            kind = RangeType::Score;
        } else {
            ctx.err(SYNTAX);
            return;
        }
        j += 1;
    }
    let reverse = reverse.unwrap_or(false);
    if kind == RangeType::Auto {
        kind = RangeType::Rank;
    }
    if limit != -1 && kind == RangeType::Rank {
        ctx.err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return;
    }
    if with_scores && kind == RangeType::Lex {
        ctx.err("syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    if reverse && kind != RangeType::Rank {
        std::mem::swap(&mut min_idx, &mut max_idx);
    }
    enum Bounds {
        Rank(i64, i64),
        Score(ScoreBound, ScoreBound),
        Lex(LexBound, LexBound),
    }
    let bounds = match kind {
        RangeType::Score => match (parse_score_bound(ctx.arg(min_idx)), parse_score_bound(ctx.arg(max_idx))) {
            (Some(a), Some(b)) => Bounds::Score(a, b),
            _ => {
                ctx.err("min or max is not a float");
                return;
            }
        },
        RangeType::Lex => match (parse_lex_bound(ctx.arg(min_idx)), parse_lex_bound(ctx.arg(max_idx))) {
            (Some(a), Some(b)) => Bounds::Lex(a, b),
            _ => {
                ctx.err("min or max not valid string range item");
                return;
            }
        },
        _ => match (parse_i64(ctx.arg(min_idx)), parse_i64(ctx.arg(max_idx))) {
            (Some(a), Some(b)) => Bounds::Rank(a, b),
            _ => {
                ctx.err(NOT_INTEGER);
                return;
            }
        },
    };
    let entries: Vec<(f64, Vec<u8>)> = match zset_at(ctx, key, true) {
        Err(Replied) => return,
        Ok(None) => Vec::new(),
        Ok(Some(z)) => {
            let len = z.len();
            let (s, e) = match &bounds {
                Bounds::Rank(start, end) => {
                    let (mut start, mut end) = (*start, *end);
                    let llen = len as i64;
                    if start < 0 {
                        start += llen;
                    }
                    if end < 0 {
                        end += llen;
                    }
                    if start < 0 {
                        start = 0;
                    }
                    if start > end || start >= llen {
                        (0, 0)
                    } else {
                        let end = end.min(llen - 1);
                        if reverse {
                            ((llen - 1 - end) as usize, (llen - start) as usize)
                        } else {
                            (start as usize, end as usize + 1)
                        }
                    }
                }
                Bounds::Score(a, b) => z.score_range(*a, *b),
                Bounds::Lex(a, b) => z.lex_range(a, b),
            };
            let mut picked: Vec<(f64, Vec<u8>)> = z.range(s, e).into_iter().map(|(sc, m)| (sc, m.to_vec())).collect();
            if reverse {
                picked.reverse();
            }
            if !matches!(bounds, Bounds::Rank(..)) {
                if offset < 0 || (offset > 0 && offset as usize >= len) {
                    picked.clear();
                } else {
                    picked.drain(..(offset as usize).min(picked.len()));
                    if limit >= 0 {
                        picked.truncate(limit as usize);
                    }
                }
            }
            picked
        }
    };
    match store {
        None => reply_entries(&mut ctx.reply, &entries, with_scores),
        Some(dst) => {
            super::zset_ops::store_result(ctx, dst, &entries, "zrangestore");
        }
    }
}

fn zrange(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Auto, None);
}

fn zrangestore(ctx: &mut Ctx) {
    let dst = ctx.arg(1);
    range_generic(ctx, 2, Some(dst), RangeType::Auto, None);
}

fn zrevrange(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Rank, Some(true));
}

fn zrangebyscore(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Score, Some(false));
}

fn zrevrangebyscore(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Score, Some(true));
}

fn zrangebylex(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Lex, Some(false));
}

fn zrevrangebylex(ctx: &mut Ctx) {
    range_generic(ctx, 1, None, RangeType::Lex, Some(true));
}

fn remove_range(ctx: &mut Ctx, kind: RangeType) {
    let key = ctx.arg(1);
    enum B {
        Rank(i64, i64),
        Score(ScoreBound, ScoreBound),
        Lex(LexBound, LexBound),
    }
    let bounds = match kind {
        RangeType::Score => match (parse_score_bound(ctx.arg(2)), parse_score_bound(ctx.arg(3))) {
            (Some(a), Some(b)) => B::Score(a, b),
            _ => {
                ctx.err("min or max is not a float");
                return;
            }
        },
        RangeType::Lex => match (parse_lex_bound(ctx.arg(2)), parse_lex_bound(ctx.arg(3))) {
            (Some(a), Some(b)) => B::Lex(a, b),
            _ => {
                ctx.err("min or max not valid string range item");
                return;
            }
        },
        _ => match (parse_i64(ctx.arg(2)), parse_i64(ctx.arg(3))) {
            (Some(a), Some(b)) => B::Rank(a, b),
            _ => {
                ctx.err(NOT_INTEGER);
                return;
            }
        },
    };
    let removed = match zset_at(ctx, key, false) {
        Err(Replied) => return,
        Ok(None) => 0,
        Ok(Some(z)) => {
            let len = z.len() as i64;
            let (s, e) = match bounds {
                B::Rank(mut start, mut end) => {
                    if start < 0 {
                        start += len;
                    }
                    if end < 0 {
                        end += len;
                    }
                    if start < 0 {
                        start = 0;
                    }
                    if start > end || start >= len { (0, 0) } else { (start as usize, end.min(len - 1) as usize + 1) }
                }
                B::Score(a, b) => z.score_range(a, b),
                B::Lex(a, b) => z.lex_range(&a, &b),
            };
            let members: Vec<Vec<u8>> = z.range(s, e).into_iter().map(|(_, m)| m.to_vec()).collect();
            for m in &members {
                z.remove(m);
            }
            members.len()
        }
    };
    if removed > 0 {
        let event = match kind {
            RangeType::Score => "zremrangebyscore",
            RangeType::Lex => "zremrangebylex",
            _ => "zremrangebyrank",
        };
        ctx.event(notify::ZSET, event, key);
        ctx.delete_if_empty(key);
        ctx.modified(key);
    }
    ctx.reply.int(removed as i64);
}

fn zremrangebyrank(ctx: &mut Ctx) {
    remove_range(ctx, RangeType::Rank);
}

fn zremrangebyscore(ctx: &mut Ctx) {
    remove_range(ctx, RangeType::Score);
}

fn zremrangebylex(ctx: &mut Ctx) {
    remove_range(ctx, RangeType::Lex);
}

/// A score argument (weights and the like) with a command-specific error.
pub fn float_or(ctx: &mut Ctx, i: usize, msg: &str) -> Option<f64> {
    let v = parse_f64(ctx.arg(i));
    if v.is_none() {
        ctx.err(if msg.is_empty() { NOT_FLOAT } else { msg });
    }
    v
}
