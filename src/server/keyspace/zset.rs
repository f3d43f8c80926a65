//! Sorted sets: members ordered by (score, member bytes), with rank queries.
//!
//! The order lives in a list of sorted blocks (a flat B-tree of one level): insert, delete
//! and rank cost a binary search plus a walk over block lengths, so large sets stay fast
//! without a skiplist's pointer chasing. A member→score map answers ZSCORE directly.

use super::Hasher;
use std::cmp::Ordering;
use std::collections::HashMap;

const BLOCK: usize = 256;

#[derive(Debug, Clone)]
pub struct ZSet {
    scores: HashMap<Vec<u8>, f64, Hasher>,
    blocks: Vec<Vec<(f64, Vec<u8>)>>,
    /// Whether the server would still hold this set as a listpack (small): ZSCAN then
    /// returns everything in one call.
    pub listpack: bool,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet { scores: HashMap::default(), blocks: Vec::new(), listpack: true }
    }
}

pub fn cmp_entry(a: (f64, &[u8]), b: (f64, &[u8])) -> Ordering {
    a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal).then_with(|| a.1.cmp(b.1))
}

/// A score bound as ZRANGEBYSCORE takes it: `(1.5` is exclusive, `-inf`/`+inf` open.
#[derive(Debug, Clone, Copy)]
pub struct ScoreBound {
    pub value: f64,
    pub exclusive: bool,
}

/// A lexicographic bound as ZRANGEBYLEX takes it: `-`, `+`, `[a`, `(a`.
#[derive(Debug, Clone)]
pub enum LexBound {
    Min,
    Max,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

impl ZSet {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Inserts or moves a member; returns the previous score.
    pub fn insert(&mut self, member: &[u8], score: f64, max_entries: usize, max_value: usize) -> Option<f64> {
        // A stored score never keeps the sign of zero (the server answers `0` for `-0`).
        let score = score + 0.0;
        let old = self.scores.insert(member.to_vec(), score);
        if let Some(old_score) = old {
            if old_score == score {
                return old;
            }
            self.remove_ordered(old_score, member);
        }
        self.insert_ordered(score, member);
        if self.listpack && (self.len() > max_entries || member.len() > max_value) {
            self.listpack = false;
        }
        old
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.remove(member)?;
        self.remove_ordered(score, member);
        Some(score)
    }

    fn find_block(&self, score: f64, member: &[u8]) -> usize {
        // First block whose last element is >= the entry; the last block otherwise.
        let idx = self.blocks.partition_point(|b| {
            let (s, m) = b.last().expect("blocks are never empty");
            cmp_entry((*s, m), (score, member)) == Ordering::Less
        });
        idx.min(self.blocks.len().saturating_sub(1))
    }

    fn insert_ordered(&mut self, score: f64, member: &[u8]) {
        if self.blocks.is_empty() {
            self.blocks.push(vec![(score, member.to_vec())]);
            return;
        }
        let bi = self.find_block(score, member);
        let block = &mut self.blocks[bi];
        let pos = block.partition_point(|(s, m)| cmp_entry((*s, m), (score, member)) == Ordering::Less);
        block.insert(pos, (score, member.to_vec()));
        if block.len() > 2 * BLOCK {
            let tail = block.split_off(BLOCK);
            self.blocks.insert(bi + 1, tail);
        }
    }

    fn remove_ordered(&mut self, score: f64, member: &[u8]) {
        let bi = self.find_block(score, member);
        let block = &mut self.blocks[bi];
        let pos = block.partition_point(|(s, m)| cmp_entry((*s, m), (score, member)) == Ordering::Less);
        if pos < block.len() && block[pos].1 == member {
            block.remove(pos);
            if block.is_empty() {
                self.blocks.remove(bi);
            }
        }
    }

    /// 0-based rank in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        let bi = self.find_block(score, member);
        let before: usize = self.blocks[..bi].iter().map(Vec::len).sum();
        let pos = self.blocks[bi].partition_point(|(s, m)| cmp_entry((*s, m), (score, member)) == Ordering::Less);
        Some(before + pos)
    }

    /// Number of entries ordered before the first entry for which `is_after` holds
    /// (`is_after` must be monotonic over the order).
    fn count_before(&self, is_after: impl Fn(f64, &[u8]) -> bool) -> usize {
        let bi = self.blocks.partition_point(|b| {
            let (s, m) = b.last().expect("non-empty");
            !is_after(*s, m)
        });
        let before: usize = self.blocks[..bi].iter().map(Vec::len).sum();
        match self.blocks.get(bi) {
            Some(b) => before + b.partition_point(|(s, m)| !is_after(*s, m)),
            None => before,
        }
    }

    /// Ranks `[start, end)` of the entries within the score bounds.
    pub fn score_range(&self, min: ScoreBound, max: ScoreBound) -> (usize, usize) {
        let start = self.count_before(|s, _| if min.exclusive { s > min.value } else { s >= min.value });
        let end = self.count_before(|s, _| if max.exclusive { s >= max.value } else { s > max.value });
        (start, end.max(start))
    }

    /// Ranks `[start, end)` of the entries within lexicographic bounds (meaningful when all
    /// scores are equal, as the server documents).
    pub fn lex_range(&self, min: &LexBound, max: &LexBound) -> (usize, usize) {
        let start = self.count_before(|_, m| match min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Inclusive(v) => m >= v.as_slice(),
            LexBound::Exclusive(v) => m > v.as_slice(),
        });
        let end = self.count_before(|_, m| match max {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Inclusive(v) => m > v.as_slice(),
            LexBound::Exclusive(v) => m >= v.as_slice(),
        });
        (start, end.max(start))
    }

    /// Entries with ranks `[start, end)` in ascending order.
    pub fn range(&self, start: usize, end: usize) -> Vec<(f64, &[u8])> {
        let mut out = Vec::with_capacity(end.saturating_sub(start).min(1024));
        let mut skipped = 0;
        for block in &self.blocks {
            if skipped + block.len() <= start {
                skipped += block.len();
                continue;
            }
            let from = start.saturating_sub(skipped);
            for (s, m) in &block[from..] {
                if skipped + from + out.len() >= end {
                    return out;
                }
                out.push((*s, m.as_slice()));
            }
            skipped += block.len();
            if skipped >= end {
                break;
            }
        }
        out.truncate(end.saturating_sub(start));
        out
    }

    pub fn iter(&self) -> impl Iterator<Item = (f64, &[u8])> {
        self.blocks.iter().flatten().map(|(s, m)| (*s, m.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_ranks_across_blocks() {
        let mut z = ZSet::default();
        for i in (0..2000).rev() {
            z.insert(format!("m{i:05}").as_bytes(), f64::from(i % 7), 128, 64);
        }
        assert!(!z.listpack);
        let all: Vec<_> = z.iter().map(|(s, m)| (s, m.to_vec())).collect();
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| cmp_entry((a.0, &a.1), (b.0, &b.1)));
        assert_eq!(all, sorted);
        for (rank, (_, m)) in all.iter().enumerate().step_by(97) {
            assert_eq!(z.rank(m), Some(rank));
        }
        let (s, e) =
            z.score_range(ScoreBound { value: 2.0, exclusive: false }, ScoreBound { value: 3.0, exclusive: true });
        assert!(z.range(s, e).iter().all(|(score, _)| *score == 2.0));
        assert_eq!(e - s, all.iter().filter(|(sc, _)| *sc == 2.0).count());
        z.insert(b"m00000", 100.0, 128, 64);
        assert_eq!(z.rank(b"m00000"), Some(1999));
        assert_eq!(z.remove(b"m00000"), Some(100.0));
        assert_eq!(z.len(), 1999);
        assert_eq!(z.range(1998, 5000).len(), 1);
    }
}
