//! The state every connection shares, behind one lock (the server is single-threaded in
//! spirit: commands run one at a time, so MULTI, blocking pops and pub/sub order behave as
//! they do on the real server).

use super::client::ClientState;
use super::keyspace::{Db, Encodings};
use std::collections::{BTreeMap, HashMap, VecDeque};

#[derive(Debug, Default, Clone)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected: u64,
    pub failed: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub connections_received: u64,
    pub commands_processed: u64,
    pub rejected_connections: u64,
    pub expired_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub reads_processed: u64,
    pub writes_processed: u64,
    pub query_buffer_limit_disconnections: u64,
    pub output_buffer_limit_disconnections: u64,
    /// By command id (see `CommandTable::names`).
    pub commands: Vec<CommandStat>,
    pub errors: BTreeMap<String, u64>,
    pub total_error_replies: u64,
    pub dirty: u64,
    pub last_save_unix: i64,
    pub acl_denied_auth: u64,
    pub acl_denied_cmd: u64,
    pub acl_denied_key: u64,
    pub acl_denied_channel: u64,
}

/// Pub/Sub subscriptions, both directions (channel → clients kept here; client → channels
/// in each client's state).
#[derive(Debug, Default)]
pub struct PubSub {
    pub channels: HashMap<Vec<u8>, Vec<u64>>,
    /// Patterns in subscription order, each with its clients.
    pub patterns: Vec<(Vec<u8>, Vec<u64>)>,
    pub shard_channels: HashMap<Vec<u8>, Vec<u64>>,
}

impl PubSub {
    pub fn subscribe(map: &mut HashMap<Vec<u8>, Vec<u64>>, channel: &[u8], id: u64) {
        let subs = map.entry(channel.to_vec()).or_default();
        if !subs.contains(&id) {
            subs.push(id);
        }
    }

    pub fn unsubscribe(map: &mut HashMap<Vec<u8>, Vec<u64>>, channel: &[u8], id: u64) {
        if let Some(subs) = map.get_mut(channel) {
            subs.retain(|&c| c != id);
            if subs.is_empty() {
                map.remove(channel);
            }
        }
    }

    pub fn psubscribe(&mut self, pattern: &[u8], id: u64) {
        match self.patterns.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, subs)) => {
                if !subs.contains(&id) {
                    subs.push(id);
                }
            }
            None => self.patterns.push((pattern.to_vec(), vec![id])),
        }
    }

    pub fn punsubscribe(&mut self, pattern: &[u8], id: u64) {
        if let Some(i) = self.patterns.iter().position(|(p, _)| p == pattern) {
            self.patterns[i].1.retain(|&c| c != id);
            if self.patterns[i].1.is_empty() {
                self.patterns.remove(i);
            }
        }
    }
}

/// Settings read on every request, kept ready instead of parsed from the config each time.
/// `State::refresh` recomputes them after CONFIG SET and ACL changes.
#[derive(Debug, Clone, Copy)]
pub struct Hot {
    pub proto_max_bulk_len: i64,
    pub query_buffer_limit: usize,
    pub maxclients: usize,
    pub timeout: i64,
    /// The default user needs a password (`authRequired`).
    pub auth_required: bool,
    /// The default user may run every command on every key, channel and database.
    pub default_unrestricted: bool,
    /// `notify-keyspace-events` as flags (0: no notifications).
    pub notify_flags: u32,
}

pub struct State {
    pub hot: Hot,
    pub dbs: Vec<Db>,
    pub clients: HashMap<u64, ClientState>,
    pub next_client_id: u64,
    pub pubsub: PubSub,
    /// Clients blocked on each (db, key), first come first served.
    pub blocked_on: HashMap<(usize, Vec<u8>), VecDeque<u64>>,
    /// Keys that received data while clients wait on them, to serve after the command.
    pub ready_keys: Vec<(usize, Vec<u8>)>,
    /// Clients watching each (db, key).
    pub watched: HashMap<(usize, Vec<u8>), Vec<u64>>,
    pub stats: Stats,
    pub config: super::config::ConfigStore,
    pub acl: super::acl::Acl,
    pub encodings: Encodings,
    /// Clients are paused (CLIENT PAUSE) until this Unix ms, for all or only writes.
    pub pause_until: Option<(i64, bool)>,
}

impl State {
    pub fn new(
        config: super::config::ConfigStore,
        acl: super::acl::Acl,
        compat: super::Compat,
        table: &super::table::CommandTable,
    ) -> Self {
        let databases = config.get_int("databases").unwrap_or(16).clamp(1, 1 << 20) as usize;
        let encodings = config.encodings();
        let mut stats = Stats { commands: vec![CommandStat::default(); table.names().len()], ..Stats::default() };
        if compat.valkey && compat.at_least(9, 1) {
            // Observed on valkey-server 9.1.2: its Lua engine module runs CONFIG GET twice while
            // the server starts, which INFO then counts.
            stats.commands_processed = 2;
            if let Some(spec) = table.lookup(b"config", Some(b"get")) {
                stats.commands[spec.id] = CommandStat { calls: 2, usec: 2, ..CommandStat::default() };
            }
        }
        let mut st = State {
            hot: Hot {
                proto_max_bulk_len: 512 * 1024 * 1024,
                query_buffer_limit: 1 << 30,
                maxclients: 10000,
                timeout: 0,
                auth_required: false,
                default_unrestricted: true,
                notify_flags: 0,
            },
            dbs: (0..databases).map(|_| Db::default()).collect(),
            clients: HashMap::new(),
            next_client_id: 1,
            pubsub: PubSub::default(),
            blocked_on: HashMap::new(),
            ready_keys: Vec::new(),
            watched: HashMap::new(),
            stats,
            config,
            acl,
            encodings,
            pause_until: None,
        };
        st.refresh();
        st
    }

    pub fn refresh(&mut self) {
        let c = &self.config;
        self.hot.proto_max_bulk_len = c.get_int("proto-max-bulk-len").unwrap_or(512 * 1024 * 1024);
        self.hot.query_buffer_limit = c.get_int("client-query-buffer-limit").unwrap_or(1 << 30).max(0) as usize;
        self.hot.maxclients = c.get_int("maxclients").unwrap_or(10000).max(1) as usize;
        self.hot.timeout = c.get_int("timeout").unwrap_or(0);
        let default = self.acl.user("default");
        self.hot.auth_required = !default.is_some_and(|u| u.nopass && u.enabled);
        self.hot.default_unrestricted = default.is_some_and(|u| {
            let s = &u.root;
            s.all_commands && s.all_keys && s.all_channels && s.all_dbs
        });
        self.encodings = self.config.encodings();
        use super::commands::notify;
        let flags = notify::parse_flags(self.config.get("notify-keyspace-events").unwrap_or(""));
        self.hot.notify_flags = if flags & (notify::KEYSPACE | notify::KEYEVENT) == 0 { 0 } else { flags };
        let track = self.hot.notify_flags & notify::NEW != 0;
        for db in &mut self.dbs {
            db.track_created = track;
        }
    }

    /// `touchWatchedKey`: a key changed, so transactions watching it must fail.
    pub fn touch_key(&mut self, db: usize, key: &[u8], current: &mut ClientState) {
        if self.watched.is_empty() {
            return;
        }
        let Some(ids) = self.watched.get(&(db, key.to_vec())) else { return };
        for id in ids.clone() {
            if id == current.id {
                current.dirty_cas = true;
            } else if let Some(c) = self.clients.get_mut(&id) {
                c.dirty_cas = true;
            }
        }
    }

    /// `touchAllWatchedKeysInDb`: FLUSHDB/FLUSHALL invalidate every watch on keys that
    /// existed.
    pub fn touch_all_watched(&mut self, db: Option<usize>, current: &mut ClientState) {
        let keys: Vec<(usize, Vec<u8>)> =
            self.watched.keys().filter(|(d, _)| db.is_none_or(|x| x == *d)).cloned().collect();
        for (d, k) in keys {
            if self.dbs[d].peek(&k).is_some() {
                self.touch_key(d, &k, current);
            }
        }
    }

    /// A list or sorted set got elements: clients blocked on it may be served.
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        let k = (db, key.to_vec());
        if self.blocked_on.contains_key(&k) && !self.ready_keys.contains(&k) {
            self.ready_keys.push(k);
        }
    }

    pub fn unwatch_all(&mut self, client: &mut ClientState) {
        for w in client.watched.drain(..) {
            let k = (w.db, w.key);
            if let Some(ids) = self.watched.get_mut(&k) {
                ids.retain(|&id| id != client.id);
                if ids.is_empty() {
                    self.watched.remove(&k);
                }
            }
        }
        client.dirty_cas = false;
    }

    /// Removes a client from every wait queue it is in.
    pub fn remove_blocked(&mut self, client: &mut ClientState) {
        if let Some(b) = client.blocked.take() {
            for key in b.keys {
                let k = (b.db, key);
                if let Some(q) = self.blocked_on.get_mut(&k) {
                    q.retain(|&id| id != client.id);
                    if q.is_empty() {
                        self.blocked_on.remove(&k);
                    }
                }
            }
        }
    }
}
