//! Sorted set algebra (ZUNION/ZINTER/ZDIFF and their STORE forms, ZINTERCARD, with plain
//! sets accepted as inputs of score 1), ZRANDMEMBER and ZSCAN.

use super::hashes::scan_page;
use super::keys::parse_scan;
use super::zsets::{float_or, reply_entries};
use super::{Ctx, NOT_INTEGER, Replied, SYNTAX, WRONGTYPE, notify};
use crate::server::keyspace::{Value, ZSet, glob_match};
use crate::server::num::parse_i64;

/// One input of the algebra: members with their scores, in the input's order.
type Input = Vec<(Vec<u8>, f64)>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// An input as (member, score) in its iteration order; sets count as score 1.
fn load_input(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Input>, Replied> {
    let (value, reply) = ctx.write(key);
    match value {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z.iter().map(|(s, m)| (m.to_vec(), s)).collect())),
        Some(Value::Set(s)) => Ok(Some(s.members().into_iter().map(|m| (m, 1.0)).collect())),
        Some(_) => {
            reply.error(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// `zunionInterDiffGenericCommand`.
fn algebra(ctx: &mut Ctx, op: Op, store: bool) {
    let name = match (op, store) {
        (Op::Union, false) => "zunion",
        (Op::Inter, false) => "zinter",
        (Op::Diff, false) => "zdiff",
        (Op::Union, true) => "zunionstore",
        (Op::Inter, true) => "zinterstore",
        (Op::Diff, true) => "zdiffstore",
    };
    let numkeys_idx = if store { 2 } else { 1 };
    let Some(numkeys) = parse_i64(ctx.arg(numkeys_idx)) else {
        ctx.err(NOT_INTEGER);
        return;
    };
    if numkeys < 1 {
        ctx.err(&format!("at least 1 input key is needed for '{name}' command"));
        return;
    }
    let numkeys = numkeys as usize;
    if numkeys > ctx.argc() - numkeys_idx - 1 {
        ctx.err(SYNTAX);
        return;
    }
    let keys: Vec<Vec<u8>> = (numkeys_idx + 1..numkeys_idx + 1 + numkeys).map(|i| ctx.arg(i).to_vec()).collect();
    let mut weights = vec![1.0; numkeys];
    let mut aggregate = Aggregate::Sum;
    let mut with_scores = false;
    let mut j = numkeys_idx + 1 + numkeys;
    while j < ctx.argc() {
        let remaining = ctx.argc() - j;
        let opt = ctx.arg(j).to_ascii_lowercase();
        if op != Op::Diff && remaining > numkeys && opt == b"weights" {
            for (w, weight) in weights.iter_mut().enumerate() {
                let Some(v) = float_or(ctx, j + 1 + w, "weight value is not a float") else { return };
                *weight = v;
            }
            j += numkeys + 1;
        } else if op != Op::Diff && remaining >= 2 && opt == b"aggregate" {
            aggregate = match ctx.arg(j + 1).to_ascii_lowercase().as_slice() {
                b"sum" => Aggregate::Sum,
                b"min" => Aggregate::Min,
                b"max" => Aggregate::Max,
                _ => {
                    ctx.err(SYNTAX);
                    return;
                }
            };
            j += 2;
        } else if !store && opt == b"withscores" {
            with_scores = true;
            j += 1;
        } else {
            ctx.err(SYNTAX);
            return;
        }
    }
    let mut inputs = Vec::with_capacity(numkeys);
    for k in &keys {
        let Ok(input) = load_input(ctx, k) else { return };
        inputs.push(input);
    }
    let result = combine(op, &inputs, &weights, aggregate);
    if store {
        let dst = ctx.arg(1);
        store_result(ctx, dst, &result, name);
    } else {
        reply_entries(&mut ctx.reply, &result, with_scores);
    }
}

/// Applies one aggregate, with the server's rule that `inf + -inf` sums to 0, not NaN.
fn aggregate_into(target: &mut f64, value: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => *target = target.min(value),
        Aggregate::Max => *target = target.max(value),
    }
}

fn weighted(score: f64, weight: f64) -> f64 {
    let v = score * weight;
    if v.is_nan() { 0.0 } else { v }
}

/// The result sorted as a sorted set orders it.
fn combine(op: Op, inputs: &[Option<Input>], weights: &[f64], how: Aggregate) -> Vec<(f64, Vec<u8>)> {
    use std::collections::HashMap;
    let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
    match op {
        Op::Union => {
            for (i, input) in inputs.iter().enumerate() {
                for (m, s) in input.iter().flatten() {
                    let v = weighted(*s, weights[i]);
                    match acc.get_mut(m) {
                        Some(t) => aggregate_into(t, v, how),
                        None => {
                            acc.insert(m.clone(), v);
                        }
                    }
                }
            }
        }
        Op::Inter => {
            if inputs.iter().any(Option::is_none) {
                return Vec::new();
            }
            let maps: Vec<HashMap<&[u8], f64>> =
                inputs.iter().flatten().map(|v| v.iter().map(|(m, s)| (m.as_slice(), *s)).collect()).collect();
            if let Some(first) = inputs[0].as_ref() {
                'members: for (m, s) in first {
                    let mut total = weighted(*s, weights[0]);
                    for (i, map) in maps.iter().enumerate().skip(1) {
                        match map.get(m.as_slice()) {
                            Some(other) => aggregate_into(&mut total, weighted(*other, weights[i]), how),
                            None => continue 'members,
                        }
                    }
                    acc.insert(m.clone(), total);
                }
            }
        }
        Op::Diff => {
            if let Some(Some(first)) = inputs.first() {
                for (m, s) in first {
                    let elsewhere = inputs[1..].iter().flatten().any(|v| v.iter().any(|(o, _)| o == m));
                    if !elsewhere {
                        acc.insert(m.clone(), *s);
                    }
                }
            }
        }
    }
    let mut out: Vec<(f64, Vec<u8>)> = acc.into_iter().map(|(m, s)| (s, m)).collect();
    out.sort_by(|a, b| crate::server::keyspace::zset::cmp_entry((a.0, &a.1), (b.0, &b.1)));
    out
}

/// Stores a result as a sorted set (or deletes the destination when empty) and replies
/// its size; `event` names the keyspace notification of a stored result.
pub fn store_result(ctx: &mut Ctx, dst: &[u8], entries: &[(f64, Vec<u8>)], event: &str) {
    let enc = ctx.st.encodings;
    let db = ctx.client.db;
    let existed = ctx.lookup_write(dst).is_some();
    if entries.is_empty() {
        if existed {
            ctx.st.dbs[db].remove(dst);
            ctx.modified(dst);
            ctx.event(notify::GENERIC, "del", dst);
        }
        ctx.reply.int(0);
        return;
    }
    let mut z = ZSet::default();
    for (s, m) in entries {
        z.insert(m, *s, enc.zset_max_listpack_entries, enc.zset_max_listpack_value);
    }
    ctx.st.dbs[db].set(dst, Value::ZSet(z), false);
    ctx.modified(dst);
    ctx.st.signal_ready(db, dst);
    ctx.event(notify::ZSET, event, dst);
    ctx.reply.int(entries.len() as i64);
}

pub fn zunion(ctx: &mut Ctx) {
    algebra(ctx, Op::Union, false);
}

pub fn zinter(ctx: &mut Ctx) {
    algebra(ctx, Op::Inter, false);
}

pub fn zdiff(ctx: &mut Ctx) {
    algebra(ctx, Op::Diff, false);
}

pub fn zunionstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Union, true);
}

pub fn zinterstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Inter, true);
}

pub fn zdiffstore(ctx: &mut Ctx) {
    algebra(ctx, Op::Diff, true);
}

pub fn zintercard(ctx: &mut Ctx) {
    let numkeys = match parse_i64(ctx.arg(1)) {
        Some(n) if n >= 1 => n as usize,
        Some(_) => {
            ctx.err("at least 1 input key is needed for 'zintercard' command");
            return;
        }
        None => {
            ctx.err(NOT_INTEGER);
            return;
        }
    };
    if numkeys > ctx.argc() - 2 {
        ctx.err(SYNTAX);
        return;
    }
    let Some(limit) = super::intercard_limit(ctx, 2 + numkeys) else { return };
    let keys: Vec<Vec<u8>> = (2..2 + numkeys).map(|i| ctx.arg(i).to_vec()).collect();
    let mut inputs = Vec::new();
    for k in &keys {
        let Ok(input) = load_input(ctx, k) else { return };
        inputs.push(input);
    }
    let n = combine(Op::Inter, &inputs, &vec![1.0; numkeys], Aggregate::Sum).len();
    ctx.reply.int(if limit > 0 { n.min(limit) } else { n } as i64);
}

pub fn zrandmember(ctx: &mut Ctx) {
    let (count, with_scores) = match ctx.argc() {
        2 => (None, false),
        3 | 4 => {
            let Some(c) = parse_i64(ctx.arg(2)) else {
                ctx.err(NOT_INTEGER);
                return;
            };
            if ctx.argc() == 4 && !ctx.arg(3).eq_ignore_ascii_case(b"withscores") {
                ctx.err(SYNTAX);
                return;
            }
            if ctx.argc() == 4 && c.unsigned_abs() > (i64::MAX / 2) as u64 {
                ctx.err("value is out of range");
                return;
            }
            (Some(c), ctx.argc() == 4)
        }
        _ => {
            ctx.err(SYNTAX);
            return;
        }
    };
    let entries: Vec<(f64, Vec<u8>)> = match super::zsets::zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => {
            match count {
                Some(_) => ctx.reply.empty_array(),
                None => ctx.reply.null(),
            }
            return;
        }
        Ok(Some(z)) => z.iter().map(|(s, m)| (s, m.to_vec())).collect(),
    };
    let Some(count) = count else {
        let (_, m) = &entries[fastrand::usize(..entries.len())];
        ctx.reply.bulk(m);
        return;
    };
    let picked: Vec<(f64, Vec<u8>)> = if count < 0 {
        (0..count.unsigned_abs()).map(|_| entries[fastrand::usize(..entries.len())].clone()).collect()
    } else {
        let mut idx: Vec<usize> = (0..entries.len()).collect();
        fastrand::shuffle(&mut idx);
        idx.truncate(count as usize);
        idx.into_iter().map(|i| entries[i].clone()).collect()
    };
    reply_entries(&mut ctx.reply, &picked, with_scores);
}

pub fn zscan(ctx: &mut Ctx) {
    let Some(args) = parse_scan(ctx, 2, false, false) else { return };
    let (items, compact) = match super::zsets::zset_at(ctx, ctx.arg(1), true) {
        Err(Replied) => return,
        Ok(None) => (Vec::new(), true),
        Ok(Some(z)) => (z.iter().map(|(s, m)| (m.to_vec(), s)).collect(), z.listpack),
    };
    let (next, page) = scan_page(items, compact, &args);
    let page: Vec<(Vec<u8>, f64)> = page
        .into_iter()
        .filter(|(m, _)| args.pattern.as_deref().is_none_or(|p| p == b"*" || glob_match(p, m, false)))
        .collect();
    ctx.reply.array(2);
    ctx.reply.bulk(next.to_string().as_bytes());
    ctx.reply.array(page.len() * 2);
    for (m, s) in page {
        ctx.reply.bulk(&m);
        ctx.reply.bulk(crate::server::num::d2string(s).as_bytes());
    }
}
