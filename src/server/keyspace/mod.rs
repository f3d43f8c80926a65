//! The keyspace: numbered databases of keys with values and expiry times.
//!
//! Small hashes, sets and sorted sets keep the server's compact encodings (listpack, intset)
//! because those fix the order in which HGETALL, SMEMBERS and the SCAN family return
//! elements; a client comparing replies sees the same order as from the real server.

pub mod hash;
pub mod set;
pub mod zset;

use std::collections::{BTreeSet, HashMap, VecDeque};

pub use hash::HashValue;
pub use set::SetValue;
pub use zset::ZSet;

pub type Key = Vec<u8>;

/// The hasher of keyspace tables: fast, seeded per process (iteration order, like the
/// server's, is not stable across runs).
pub type Hasher = foldhash::fast::RandomState;

#[derive(Debug, Clone)]
pub enum Value {
    Str(Vec<u8>),
    List(VecDeque<Vec<u8>>),
    Hash(HashValue),
    Set(SetValue),
    ZSet(ZSet),
}

impl Value {
    /// The `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// Elements held, for deciding when a lazily freed value matters (UNLINK) and for
    /// `OBJECT`-like introspection.
    pub fn len(&self) -> usize {
        match self {
            Value::Str(_) => 1,
            Value::List(l) => l.len(),
            Value::Hash(h) => h.len(),
            Value::Set(s) => s.len(),
            Value::ZSet(z) => z.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Value,
    /// Absolute expiry time in Unix milliseconds.
    pub expire: Option<i64>,
}

/// The thresholds that decide compact encodings (from the live config).
#[derive(Debug, Clone, Copy)]
pub struct Encodings {
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub set_max_listpack_entries: usize,
    pub set_max_listpack_value: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
}

impl Default for Encodings {
    fn default() -> Self {
        Encodings {
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
        }
    }
}

#[derive(Debug, Default)]
pub struct Db {
    map: HashMap<Key, Entry, Hasher>,
    /// Keys with a TTL ordered by expiry, so expired keys are reclaimed exactly, not by
    /// sampling.
    expires: BTreeSet<(i64, Key)>,
    /// Keys ordered by a fixed hash: the SCAN cursor is a position in this order, so a scan
    /// returns every key present throughout it even while keys come and go.
    scan_order: BTreeSet<(u64, Key)>,
    /// Keys created since the last `take_created`, when `new` notifications are on.
    pub track_created: bool,
    created: Vec<Key>,
}

/// The hash that orders keys and fields for SCAN cursors.
pub fn scan_hash(key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key)
}

/// What lazy expiry removed during a lookup, for the caller to account for (stats, WATCH).
#[derive(Debug, Default, Clone, Copy)]
pub struct Expired(pub bool);

impl Db {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Sum of remaining TTLs, for `avg_ttl` in INFO keyspace.
    pub fn ttl_sum(&self, now: i64) -> (i64, usize) {
        let mut sum = 0i64;
        for (when, _) in &self.expires {
            sum = sum.saturating_add((when - now).max(0));
        }
        (sum, self.expires.len())
    }

    fn is_expired(entry: &Entry, now: i64) -> bool {
        entry.expire.is_some_and(|t| t <= now)
    }

    /// Removes the key if its time has passed; true when it did.
    pub fn expire_if_needed(&mut self, key: &[u8], now: i64) -> bool {
        let expired = self.map.get(key).is_some_and(|e| Self::is_expired(e, now));
        if expired {
            self.remove(key);
        }
        expired
    }

    /// The live entry, after lazy expiry.
    pub fn get(&mut self, key: &[u8], now: i64) -> (Option<&Entry>, Expired) {
        let expired = Expired(self.expire_if_needed(key, now));
        (self.map.get(key), expired)
    }

    /// The live entry with lazy expiry in two hash lookups; `Expired(true)` when the key
    /// was removed because its time had passed.
    pub fn lookup(&mut self, key: &[u8], now: i64) -> (Option<&mut Entry>, Expired) {
        let expired = self.map.get(key).is_some_and(|e| Self::is_expired(e, now));
        if expired {
            self.remove(key);
            return (None, Expired(true));
        }
        (self.map.get_mut(key), Expired(false))
    }

    pub fn get_mut(&mut self, key: &[u8], now: i64) -> (Option<&mut Entry>, Expired) {
        let expired = Expired(self.expire_if_needed(key, now));
        (self.map.get_mut(key), expired)
    }

    /// The entry as stored, after `lookup` has done the expiry.
    pub fn map_get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.map.get_mut(key)
    }

    /// Looks at an entry without expiring it (for introspection that must not change state).
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.map.get(key)
    }

    /// Whether the key exists and its time has passed (WATCH needs this without deleting).
    pub fn is_logically_expired(&self, key: &[u8], now: i64) -> bool {
        self.map.get(key).is_some_and(|e| Self::is_expired(e, now))
    }

    /// Stores a value, replacing any old one and dropping its TTL unless `keep_ttl`.
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        if let Some(entry) = self.map.get_mut(key) {
            entry.value = value;
            if !keep_ttl {
                if let Some(when) = entry.expire.take() {
                    self.expires.remove(&(when, key.to_vec()));
                }
            }
            return;
        }
        self.scan_order.insert((scan_hash(key), key.to_vec()));
        self.map.insert(key.to_vec(), Entry { value, expire: None });
        self.created(key);
    }

    fn created(&mut self, key: &[u8]) {
        if self.track_created {
            self.created.push(key.to_vec());
        }
    }

    pub fn has_created(&self) -> bool {
        !self.created.is_empty()
    }

    pub fn take_created(&mut self) -> Vec<Key> {
        std::mem::take(&mut self.created)
    }

    /// Inserts a value for a key known to be absent.
    pub fn insert_new(&mut self, key: &[u8], value: Value) -> &mut Entry {
        if !self.map.contains_key(key) {
            self.scan_order.insert((scan_hash(key), key.to_vec()));
            self.created(key);
        }
        self.map.entry(key.to_vec()).or_insert(Entry { value, expire: None })
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.map.remove(key)?;
        self.scan_order.remove(&(scan_hash(key), key.to_vec()));
        if let Some(when) = entry.expire {
            self.expires.remove(&(when, key.to_vec()));
        }
        Some(entry)
    }

    pub fn set_expire(&mut self, key: &[u8], when: Option<i64>) {
        let Some(entry) = self.map.get_mut(key) else { return };
        if let Some(old) = entry.expire.take() {
            self.expires.remove(&(old, key.to_vec()));
        }
        if let Some(when) = when {
            entry.expire = Some(when);
            self.expires.insert((when, key.to_vec()));
        }
    }

    /// Deletes up to `limit` keys whose time has passed; returns them (for stats and WATCH).
    pub fn expire_due(&mut self, now: i64, limit: usize) -> Vec<Key> {
        let mut due = Vec::new();
        while due.len() < limit {
            let Some((when, key)) = self.expires.first().cloned() else { break };
            if when > now {
                break;
            }
            self.expires.pop_first();
            self.map.remove(&key);
            self.scan_order.remove(&(scan_hash(&key), key.clone()));
            due.push(key);
        }
        due
    }

    pub fn clear(&mut self) -> usize {
        let n = self.map.len();
        self.map.clear();
        self.expires.clear();
        self.scan_order.clear();
        n
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.map.keys()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.map.iter()
    }

    /// Moves the entry (value and TTL) to a new key, replacing what was there.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        let Some(entry) = self.remove(from) else { return false };
        self.remove(to);
        let expire = entry.expire;
        self.scan_order.insert((scan_hash(to), to.to_vec()));
        self.map.insert(to.to_vec(), entry);
        self.created(to);
        if let Some(when) = expire {
            self.expires.insert((when, to.to_vec()));
        }
        true
    }

    /// Inserts a whole entry (MOVE, COPY, SWAPDB-like operations).
    pub fn insert_entry(&mut self, key: &[u8], entry: Entry) {
        self.remove(key);
        if let Some(when) = entry.expire {
            self.expires.insert((when, key.to_vec()));
        }
        self.scan_order.insert((scan_hash(key), key.to_vec()));
        self.map.insert(key.to_vec(), entry);
        self.created(key);
    }

    /// Up to `count` keys from cursor position `from` in scan order, and the next cursor
    /// (0 when the scan is complete).
    pub fn scan(&self, from: u64, count: usize) -> (Vec<Key>, u64) {
        let mut keys = Vec::with_capacity(count.min(1024));
        let mut iter = self.scan_order.range((from, Vec::new())..);
        for (_, k) in iter.by_ref().take(count) {
            keys.push(k.clone());
        }
        let next = iter.next().map_or(0, |(h, _)| *h);
        (keys, next)
    }
}

/// `stringmatchlen`: glob-style matching as KEYS, SCAN MATCH and PSUBSCRIBE use it, with
/// the same recursion cap and the same pruning of hopeless `*` backtracking.
pub fn glob_match(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    glob_inner(pattern, text, nocase, &mut skip_longer, 0)
}

fn glob_eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase { a.eq_ignore_ascii_case(&b) } else { a == b }
}

fn glob_inner(p: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: usize) -> bool {
    if nesting > 1000 {
        return false;
    }
    let (mut pi, mut si) = (0, 0);
    while pi < p.len() && si < s.len() {
        match p[pi] {
            b'*' => {
                while pi + 1 < p.len() && p[pi + 1] == b'*' {
                    pi += 1;
                }
                if pi + 1 == p.len() {
                    return true;
                }
                while si < s.len() {
                    if glob_inner(&p[pi + 1..], &s[si..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                pi += 1;
                let not = p.get(pi) == Some(&b'^');
                if not {
                    pi += 1;
                }
                let mut matched = false;
                loop {
                    if pi < p.len() && p[pi] == b'\\' && pi + 1 < p.len() {
                        pi += 1;
                        if p[pi] == s[si] {
                            matched = true;
                        }
                    } else if pi < p.len() && p[pi] == b']' {
                        break;
                    } else if pi >= p.len() {
                        pi -= 1;
                        break;
                    } else if pi + 2 < p.len() && p[pi + 1] == b'-' {
                        let (mut start, mut end, mut c) = (p[pi], p[pi + 2], s[si]);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = start.to_ascii_lowercase();
                            end = end.to_ascii_lowercase();
                            c = c.to_ascii_lowercase();
                        }
                        pi += 2;
                        if (start..=end).contains(&c) {
                            matched = true;
                        }
                    } else if glob_eq(p[pi], s[si], nocase) {
                        matched = true;
                    }
                    pi += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            c => {
                let c = if c == b'\\' && pi + 1 < p.len() {
                    pi += 1;
                    p[pi]
                } else {
                    c
                };
                if !glob_eq(c, s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        pi += 1;
        if si == s.len() {
            while pi < p.len() && p[pi] == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi == p.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_stringmatchlen() {
        assert!(glob_match(b"*", b"anything", false));
        assert!(glob_match(b"h?llo", b"hello", false));
        assert!(glob_match(b"h*llo", b"heeeello", false));
        assert!(glob_match(b"h[ae]llo", b"hallo", false));
        assert!(!glob_match(b"h[^e]llo", b"hello", false));
        assert!(glob_match(b"h[a-b]llo", b"hbllo", false));
        assert!(glob_match(b"user:\\*", b"user:*", false));
        assert!(!glob_match(b"user:\\*", b"user:1", false));
        // The server's matcher never matches an empty string (KEYS * has its own shortcut).
        assert!(!glob_match(b"*", b"", false));
        assert!(!glob_match(b"?", b"", false));
        assert!(glob_match(b"a*b*c", b"axxbyyc", false));
        assert!(glob_match(b"HELLO", b"hello", true));
    }

    #[test]
    fn expiry_is_exact_and_lazy() {
        let mut db = Db::default();
        db.set(b"k", Value::Str(b"v".to_vec()), false);
        db.set_expire(b"k", Some(100));
        assert!(db.get(b"k", 99).0.is_some());
        assert!(db.get(b"k", 100).0.is_none());
        assert_eq!(db.expires_len(), 0);
        db.set(b"a", Value::Str(vec![]), false);
        db.set_expire(b"a", Some(5));
        assert_eq!(db.expire_due(10, 10), vec![b"a".to_vec()]);
        assert!(db.is_empty());
    }
}
