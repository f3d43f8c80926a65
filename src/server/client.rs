//! What the server knows about each connection: identity, protocol, database, transaction
//! and subscription state, and the counters CLIENT LIST shows. Kept in the shared state so
//! that one client's command can see and act on another (CLIENT KILL, PUBLISH, unblocking).

use super::request::Argv;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Notify;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Tcp { peer: std::net::SocketAddr, local: std::net::SocketAddr },
    Unix { path: String },
}

#[derive(Debug)]
pub struct MultiState {
    pub queue: Vec<Argv>,
    /// A command was refused while queueing: EXEC must abort.
    pub dirty: bool,
}

/// A client waiting in a blocking command.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// The command to run again when a key becomes ready.
    pub argv: Argv,
    /// Deadline in Unix milliseconds, none for a zero timeout.
    pub deadline: Option<i64>,
    pub kind: super::commands::blocking::BlockKind,
    pub timeout_reply: super::commands::blocking::TimeoutReply,
}

#[derive(Debug)]
pub struct WatchedKey {
    pub db: usize,
    pub key: Vec<u8>,
    /// The key was already expired (logically absent) when watched.
    pub expired_at_watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply to the next command only.
    SkipNext,
    Skip,
}

#[derive(Debug)]
pub struct ClientState {
    pub id: u64,
    pub transport: Transport,
    /// The file descriptor number CLIENT LIST shows (we count like the server allocates).
    pub fd: u64,
    pub name: Option<Vec<u8>>,
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub resp: u8,
    pub db: usize,
    pub user: String,
    pub authenticated: bool,
    pub created: Instant,
    pub last_interaction: Instant,
    /// The last command run (its id in the command table), for CLIENT LIST.
    pub last_cmd: Option<usize>,
    pub multi: Option<MultiState>,
    pub watched: Vec<WatchedKey>,
    /// A watched key was touched: EXEC must fail.
    pub dirty_cas: bool,
    pub channels: HashSet<Vec<u8>>,
    pub patterns: HashSet<Vec<u8>>,
    pub shard_channels: HashSet<Vec<u8>>,
    pub blocked: Option<Blocked>,
    pub reply_mode: ReplyMode,
    pub no_evict: bool,
    pub no_touch: bool,
    /// CLIENT CAPA letters (`r` for redirect).
    pub capa: String,
    /// Replies produced by other clients' commands (pub/sub pushes, unblocked replies),
    /// waiting to be written by this client's task.
    pub outbox: Vec<u8>,
    pub wake: Arc<Notify>,
    pub kill: bool,
    pub close_after_reply: bool,
    pub net_in: u64,
    pub net_out: u64,
    pub commands: u64,
    pub monitor: bool,
}

impl ClientState {
    pub fn new(id: u64, transport: Transport, fd: u64, authenticated: bool) -> Self {
        let now = Instant::now();
        ClientState {
            id,
            transport,
            fd,
            name: None,
            lib_name: None,
            lib_ver: None,
            resp: 2,
            db: 0,
            user: "default".into(),
            authenticated,
            created: now,
            last_interaction: now,
            last_cmd: None,
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            channels: HashSet::new(),
            patterns: HashSet::new(),
            shard_channels: HashSet::new(),
            blocked: None,
            reply_mode: ReplyMode::On,
            no_evict: false,
            no_touch: false,
            capa: String::new(),
            outbox: Vec::new(),
            wake: Arc::new(Notify::new()),
            kill: false,
            close_after_reply: false,
            net_in: 0,
            net_out: 0,
            commands: 0,
            monitor: false,
        }
    }

    pub fn resp3(&self) -> bool {
        self.resp == 3
    }

    /// Subscriptions counted in SUBSCRIBE replies (channels and patterns).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    pub fn in_pubsub(&self) -> bool {
        self.subscription_count() + self.shard_channels.len() > 0
    }

    /// `addr=`: `ip:port`, or `path:0` for a unix socket.
    pub fn addr(&self, bracket_unix: bool) -> String {
        match &self.transport {
            Transport::Tcp { peer, .. } => peer.to_string(),
            Transport::Unix { path } => unix_addr(path, bracket_unix),
        }
    }

    pub fn laddr(&self, bracket_unix: bool) -> String {
        match &self.transport {
            Transport::Tcp { local, .. } => local.to_string(),
            Transport::Unix { path } => unix_addr(path, bracket_unix),
        }
    }

    pub fn ip(&self) -> String {
        match &self.transport {
            Transport::Tcp { peer, .. } => peer.ip().to_string(),
            Transport::Unix { path } => path.clone(),
        }
    }

    /// `flags=`: the letters CLIENT LIST shows.
    pub fn flags(&self) -> String {
        let mut f = String::new();
        if self.monitor {
            f.push('O');
        }
        if self.in_pubsub() {
            f.push('P');
        }
        if self.multi.is_some() {
            f.push('x');
        }
        if self.blocked.is_some() {
            f.push('b');
        }
        if self.dirty_cas {
            f.push('d');
        }
        if self.close_after_reply {
            f.push('c');
        }
        if matches!(self.transport, Transport::Unix { .. }) {
            f.push('U');
        }
        if self.no_evict {
            f.push('e');
        }
        if self.no_touch {
            f.push('T');
        }
        if f.is_empty() {
            f.push('N');
        }
        f
    }
}

/// Valkey 9 prints unix-socket peers as `[path:0]:0` (it formats them like an IPv6 address);
/// earlier versions print `path:0`.
fn unix_addr(path: &str, bracket: bool) -> String {
    if bracket { format!("[{path}:0]:0") } else { format!("{path}:0") }
}

/// A client name or library name may not hold spaces, newlines or other special characters.
pub fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}
