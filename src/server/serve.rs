//! `valkey-migrate serve`: load a config file as the profile's server would, bind, and run
//! until SHUTDOWN, SIGINT or SIGTERM.

use super::config::ConfigStore;
use super::{Bound, Listen, Server};
use crate::knowledge::Profile;
use crate::knowledge::profile::check::{ConfigFileChecker, Verdict};
use crate::knowledge::profile::cparse::split_args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct ServeOptions {
    pub profile: Arc<Profile>,
    pub config_file: Option<PathBuf>,
    pub port: Option<u16>,
    pub bind: Option<String>,
    pub unixsocket: Option<PathBuf>,
    pub threads: usize,
}

/// A config file the server refuses: what it prints before exiting 1 — the fatal block on
/// stderr, or a log line on stdout.
#[derive(Debug)]
pub struct FatalConfig {
    pub text: String,
    pub log: Option<String>,
}

/// A line in the server's log format: `pid:M 26 Nov 2026 13:17:09.961 # message`.
pub fn log_line(message: &str) -> String {
    let ms = super::unix_ms();
    let (year, month, day, rem) = crate::clock::civil(ms.div_euclid(1000));
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}:M {day:02} {} {year} {:02}:{:02}:{:02}.{:03} # {message}\n",
        std::process::id(),
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// Directives of a config file that act beyond the config table.
#[derive(Debug, Default)]
pub struct FileExtras {
    /// `user` lines: name and rules.
    pub users: Vec<(String, Vec<Vec<u8>>)>,
    /// `rename-command` lines: old name, new name (empty disables).
    pub renames: Vec<(String, String)>,
    pub modules: Vec<String>,
}

/// Reads a config file (and its includes) into the store exactly as the profile's server
/// would: each line judged by the profile's loader, the first refusal fatal with the
/// server's text.
pub fn load_config_file(profile: &Profile, store: &mut ConfigStore, path: &Path) -> Result<FileExtras, FatalConfig> {
    let mut checker = ConfigFileChecker::new(profile);
    let mut extras = FileExtras::default();
    load_into(profile, &mut checker, store, path, &mut extras)?;
    Ok(extras)
}

fn load_into(
    profile: &Profile,
    checker: &mut ConfigFileChecker,
    store: &mut ConfigStore,
    path: &Path,
    extras: &mut FileExtras,
) -> Result<(), FatalConfig> {
    let bytes = std::fs::read(path).map_err(|e| {
        // The server logs this one (on stdout, as a log line) instead of the fatal block.
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        FatalConfig {
            text: String::new(),
            log: Some(log_line(&format!(
                "Fatal error, can't open config file '{}': {}",
                shown.display(),
                io_reason(&e)
            ))),
        }
    })?;
    // The server reads the file as a C string: a NUL byte ends it.
    let end = memchr::memchr(0, &bytes).unwrap_or(bytes.len());
    for (i, raw) in bytes[..end].split(|&b| b == b'\n').enumerate() {
        let line_no = i as u32 + 1;
        let verdict = checker.check_line(raw);
        let trimmed = trim(raw);
        let shown = String::from_utf8_lossy(trimmed).into_owned();
        match verdict {
            Verdict::Refused { message } => {
                return Err(FatalConfig { text: profile.render_fatal(line_no, &shown, &message), log: None });
            }
            Verdict::Deferred { log } => {
                let lines: String = log.iter().map(|l| log_line(l.trim_start_matches("# "))).collect();
                return Err(FatalConfig { text: String::new(), log: Some(lines) });
            }
            Verdict::Ignored => {}
            Verdict::Accepted => {
                let Ok(argv) = split_args(trimmed, profile.loader.text_after_closing_quote) else { continue };
                let Some((name, args)) = argv.split_first() else { continue };
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                match name.as_str() {
                    "include" => {
                        for a in args {
                            load_into(profile, checker, store, Path::new(&*String::from_utf8_lossy(a)), extras)?;
                        }
                    }
                    "user" => {
                        let user = args.first().map(|u| String::from_utf8_lossy(u).into_owned()).unwrap_or_default();
                        extras.users.push((user, args.get(1..).unwrap_or_default().to_vec()));
                    }
                    "rename-command" if args.len() == 2 => extras.renames.push((
                        String::from_utf8_lossy(&args[0]).to_ascii_lowercase(),
                        String::from_utf8_lossy(&args[1]).into_owned(),
                    )),
                    "loadmodule" => extras
                        .modules
                        .push(args.first().map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default()),
                    _ if store.param(&name).is_some() => {
                        // The checker accepted it; a failure here would be our own bug, and
                        // the value then keeps its default rather than stopping the start.
                        let _ = store.apply(&name, args);
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// `sdstrim(line, " \t\r\n")`.
fn trim(line: &[u8]) -> &[u8] {
    let strip = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !strip(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !strip(b)).map_or(start, |p| p + 1);
    &line[start..end]
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Runs the server in the foreground; returns the process exit code.
pub fn run(opts: ServeOptions) -> u8 {
    if let Err(e) = opts.profile.commands() {
        eprintln!(
            "valkey-migrate serve: the command table of profile {} does not load: {}",
            opts.profile.name(),
            e.message
        );
        return 2;
    }
    let mut store = ConfigStore::from_profile(&opts.profile);
    let mut extras = FileExtras::default();
    if let Some(path) = &opts.config_file {
        match load_config_file(&opts.profile, &mut store, path) {
            Ok(e) => extras = e,
            Err(fatal) => {
                eprint!("{}", fatal.text);
                if let Some(log) = fatal.log {
                    print!("{log}");
                }
                return 1;
            }
        }
        for m in &extras.modules {
            eprintln!("valkey-migrate serve: not loading module {m}: the bundled server cannot run modules");
        }
    }
    let port = opts.port.unwrap_or_else(|| store.get_int("port").map_or(6379, |p| p as u16));
    let bind: Vec<String> = match &opts.bind {
        Some(b) => b.split_whitespace().map(str::to_string).collect(),
        None => vec!["127.0.0.1".into()],
    };
    let unixsocket =
        opts.unixsocket.clone().or_else(|| store.get("unixsocket").filter(|s| !s.is_empty()).map(PathBuf::from));
    let listen = Listen { tcp: port != 0, bind, port, unixsocket: unixsocket.clone(), unixsocketperm: None };
    if !listen.tcp && listen.unixsocket.is_none() {
        print!("{}", log_line("Configured to not listen anywhere, exiting."));
        return 1;
    }
    store.set("port", port.to_string());
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(opts.threads.max(1)).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("valkey-migrate serve: cannot start the runtime: {e}");
                return 2;
            }
        };
    runtime.block_on(async move {
        let config_file = opts.config_file.as_ref().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
        let server = Server::with_file(opts.profile.clone(), store, unixsocket, config_file, &extras);
        let bound = match Bound::bind(server.clone(), &listen).await {
            Ok(b) => b,
            Err(e) => {
                eprintln!("valkey-migrate serve: cannot listen on {}:{}: {e}", listen.bind.join(","), listen.port);
                return 1;
            }
        };
        let mut where_ = Vec::new();
        if let Some(addr) = bound.tcp_addr() {
            where_.push(addr.to_string());
        }
        if let Some(p) = &listen.unixsocket {
            where_.push(p.display().to_string());
        }
        eprintln!(
            "valkey-migrate serve: answering as {} (profile {}) on {}",
            opts.profile.display_name(),
            opts.profile.name(),
            where_.join(" and ")
        );
        let stopper = server.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            stopper.shutdown();
        });
        bound.run().await;
        0
    })
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
