//! The bundled RESP server: answers as the chosen Valkey (or Redis) profile does.
//!
//! Layout: `request` reads requests and `reply` writes replies (the codec), `frame` is the
//! general RESP value codec used to talk to servers, `connection` runs one client, `commands`
//! dispatches to one module per command family, `keyspace` holds the data, and `state` is
//! what all connections share. Commands run one at a time under one lock, which is what
//! makes transactions, blocking pops and pub/sub ordering behave as on the real server.

pub mod acl;
pub mod client;
pub mod commands;
pub mod config;
pub mod connection;
pub mod embed;
pub mod frame;
pub mod identity;
pub mod info;
pub mod keyspace;
pub mod longdouble;
pub mod num;
pub mod reply;
pub mod request;
pub mod serve;
pub mod state;
pub mod table;

use crate::knowledge::Profile;
use state::State;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use table::CommandTable;
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;

/// What differs between server versions in ways the profile does not spell out.
#[derive(Debug, Clone, Copy)]
pub struct Compat {
    pub valkey: bool,
    pub major: u32,
    pub minor: u32,
}

impl Compat {
    pub fn of(profile: &Profile) -> Self {
        let mut parts = profile.header.version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        Compat {
            valkey: profile.header.product == crate::knowledge::profile::Product::Valkey,
            major: parts.next().unwrap_or(0),
            minor: parts.next().unwrap_or(0),
        }
    }

    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// Valkey 9 prints unix-socket client addresses in brackets.
    pub fn bracket_unix_addr(&self) -> bool {
        self.valkey && self.major >= 9
    }
}

pub struct Server {
    pub profile: Arc<Profile>,
    pub table: CommandTable,
    pub compat: Compat,
    state: Mutex<State>,
    pub run_id: String,
    pub started: Instant,
    pub started_unix: i64,
    pub tcp_addr: Mutex<Option<SocketAddr>>,
    pub unix_path: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    shutdown_tx: watch::Sender<bool>,
}

impl Server {
    pub fn new(profile: Arc<Profile>, config: config::ConfigStore, unix_path: Option<PathBuf>) -> Arc<Self> {
        Self::with_file(profile, config, unix_path, None, &serve::FileExtras::default())
    }

    /// A server set up from a config file: its users and renamed commands applied.
    pub fn with_file(
        profile: Arc<Profile>,
        config: config::ConfigStore,
        unix_path: Option<PathBuf>,
        config_file: Option<PathBuf>,
        extras: &serve::FileExtras,
    ) -> Arc<Self> {
        let mut table = commands::table_from_profile(&profile);
        table.attach(&commands::handlers());
        for (from, to) in &extras.renames {
            table.rename(from, to);
        }
        let mut acl = acl::Acl::new(&table);
        acl.db_selectors = profile.loader.acl.db_selectors;
        acl.show_sanitize = !(Compat::of(&profile).valkey && Compat::of(&profile).major >= 9);
        acl.pubsub_default_all = config.get("acl-pubsub-default").is_some_and(|v| v == "allchannels");
        if let Some(pass) = config.get("requirepass").filter(|p| !p.is_empty()) {
            acl.set_default_password(pass.as_bytes());
        }
        for (user, rules) in &extras.users {
            let rules: Vec<&[u8]> = rules.iter().map(Vec::as_slice).collect();
            // The loader already accepted these rules.
            if let Ok(merged) = acl::Acl::merge_selectors(&rules) {
                let merged: Vec<&[u8]> = merged.iter().map(Vec::as_slice).collect();
                let _ = acl.set_user(user, &merged);
            }
        }
        let state = State::new(config, acl, Compat::of(&profile), &table);
        let (shutdown_tx, _) = watch::channel(false);
        Arc::new(Server {
            compat: Compat::of(&profile),
            profile,
            table,
            state: Mutex::new(state),
            run_id: random_hex(40),
            started: Instant::now(),
            started_unix: unix_ms() / 1000,
            tcp_addr: Mutex::new(None),
            unix_path,
            config_file,
            shutdown_tx,
        })
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock must not take the whole server down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown_tx.subscribe()
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown_tx.borrow()
    }

    /// Commands of the profile that have a handler, out of all top-level commands and
    /// subcommands the profile lists.
    pub fn coverage(&self) -> (usize, usize, Vec<String>) {
        let mut missing = Vec::new();
        let mut total = 0;
        for spec in self.table.top_level() {
            let listed: Vec<&table::CommandSpec> = spec.subcommands.values().filter(|s| !s.synthetic).collect();
            if !listed.is_empty() {
                total += listed.len();
                missing.extend(listed.iter().filter(|s| s.handler.is_none()).map(|s| s.full_name.clone()));
                continue;
            }
            // A container whose subcommands the profile does not list counts once, as
            // implemented when any of them is.
            total += 1;
            let handled = spec.handler.is_some() || spec.subcommands.values().any(|s| s.handler.is_some());
            if !handled {
                missing.push(spec.full_name.clone());
            }
        }
        missing.sort();
        (total - missing.len(), total, missing)
    }
}

pub fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

pub fn unix_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

pub fn random_hex(len: usize) -> String {
    (0..len).map(|_| char::from_digit(fastrand::u32(0..16), 16).expect("hex digit")).collect()
}

/// Where to listen.
#[derive(Debug, Clone)]
pub struct Listen {
    /// `None` or `Some(0)` … `Some(0)` binds an ephemeral port (tests); the server's own
    /// `port 0` (no TCP) is expressed as `tcp: false`.
    pub tcp: bool,
    pub bind: Vec<String>,
    pub port: u16,
    pub unixsocket: Option<PathBuf>,
    pub unixsocketperm: Option<u32>,
}

/// A server bound to its sockets, ready to accept.
pub struct Bound {
    pub server: Arc<Server>,
    tcp: Vec<TcpListener>,
    unix: Option<UnixListener>,
}

impl Bound {
    pub async fn bind(server: Arc<Server>, listen: &Listen) -> std::io::Result<Bound> {
        let mut tcp = Vec::new();
        if listen.tcp {
            for addr in &listen.bind {
                let host = addr.trim_start_matches('-');
                let listener = TcpListener::bind((host, listen.port)).await?;
                if server.tcp_addr.lock().map(|a| a.is_none()).unwrap_or(false) {
                    *server.tcp_addr.lock().unwrap_or_else(|e| e.into_inner()) = listener.local_addr().ok();
                }
                tcp.push(listener);
            }
        }
        let unix = match &listen.unixsocket {
            Some(path) => {
                let _ = std::fs::remove_file(path);
                let l = UnixListener::bind(path)?;
                if let Some(perm) = listen.unixsocketperm {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
                }
                Some(l)
            }
            None => None,
        };
        Ok(Bound { server, tcp, unix })
    }

    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp.first().and_then(|l| l.local_addr().ok())
    }

    /// Accepts connections until shutdown, then lets open connections finish their
    /// current replies and closes them.
    pub async fn run(self) {
        let server = self.server;
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.tcp {
            let server = server.clone();
            tasks.spawn(async move { accept_tcp(server, listener).await });
        }
        if let Some(listener) = self.unix {
            let server = server.clone();
            tasks.spawn(async move { accept_unix(server, listener).await });
        }
        let mut stop = server.shutdown_signal();
        let expiry = tokio::spawn(commands::keys::active_expire_loop(server.clone()));
        let _ = stop.wait_for(|s| *s).await;
        expiry.abort();
        tasks.shutdown().await;
        if let Some(path) = &server.unix_path {
            let _ = std::fs::remove_file(path);
        }
        // Connections watch the same signal; give them a moment to flush and close.
        for _ in 0..50 {
            if server.state().clients.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

async fn accept_tcp(server: Arc<Server>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let local = stream.local_addr().unwrap_or(peer);
                let transport = client::Transport::Tcp { peer, local };
                tokio::spawn(connection::run(server.clone(), stream, transport));
            }
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                eprintln!("valkey-migrate serve: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

async fn accept_unix(server: Arc<Server>, listener: UnixListener) {
    let path = server.unix_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let transport = client::Transport::Unix { path: path.clone() };
                tokio::spawn(connection::run(server.clone(), stream, transport));
            }
            Err(e) => {
                eprintln!("valkey-migrate serve: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
