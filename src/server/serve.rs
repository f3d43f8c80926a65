//! `valkey-migrate serve`: load a config file as the profile's server would, bind, and run
//! until SHUTDOWN, SIGINT or SIGTERM.

use super::config::ConfigStore;
use super::{Bound, Listen, Server};
use crate::knowledge::Profile;
use crate::sources::SourceFile;
use crate::sources::server_config::parse_config;
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

/// A config file the server refuses: the fatal text it prints and its exit status.
#[derive(Debug)]
pub struct FatalConfig {
    pub text: String,
}

/// Reads a config file (and its includes) into the store, refusing what the profile's
/// server refuses, with its exact fatal message.
pub fn load_config_file(profile: &Profile, store: &mut ConfigStore, path: &Path) -> Result<Vec<(String, Vec<String>)>, FatalConfig> {
    let fatal_file = |err: &str| FatalConfig {
        text: format!("\n{}\n{err}\n", profile.identity.fatal_config_header),
    };
    let bytes = std::fs::read(path).map_err(|e| {
        fatal_file(&format!("Fatal error, can't open config file '{}': {}", path.display(), io_reason(&e)))
    })?;
    let src = SourceFile::from_bytes(path.display().to_string(), bytes);
    let parsed = parse_config(&src);
    let mut applied = Vec::new();
    // Lines in file order: directives and syntax errors interleave.
    let mut events: Vec<(u32, Result<&crate::inventory::ConfigDirective, &crate::inventory::ConfigSyntaxError>)> = parsed
        .directives
        .iter()
        .map(|d| (d.line, Ok(d)))
        .chain(parsed.syntax_errors.iter().map(|e| (e.line, Err(e))))
        .collect();
    events.sort_by_key(|(line, _)| *line);
    for (line, event) in events {
        let (text, verdict) = match event {
            Err(e) => (e.text.clone(), Err(e.message.clone())),
            Ok(d) => {
                let args: Vec<String> = d.args.iter().map(|a| a.value.clone()).collect();
                (d.text.clone(), judge(profile, store, &d.name, &args).map(|()| (d.name.clone(), args)))
            }
        };
        match verdict {
            Ok((name, args)) => {
                if name == "include" {
                    for a in &args {
                        applied.extend(load_config_file(profile, store, Path::new(a))?);
                    }
                } else {
                    applied.push((name, args));
                }
            }
            Err(err) => {
                return Err(FatalConfig {
                    text: format!(
                        "\n{}\nReading the configuration file, at line {line}\n>>> '{text}'\n{err}\n",
                        profile.identity.fatal_config_header
                    ),
                });
            }
        }
    }
    Ok(applied)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// The server's verdict on one directive, applying it to the store when accepted.
// TODO(profiles merge): use the profile's `check_directive` for types, ranges and texts.
fn judge(profile: &Profile, store: &mut ConfigStore, name: &str, args: &[String]) -> Result<(), String> {
    const BAD: &str = "Bad directive or wrong number of arguments";
    if matches!(name, "include" | "rename-command" | "user" | "loadmodule") {
        return Ok(());
    }
    if profile.config(name).is_some() {
        store.set(name, args.join(" "));
        return Ok(());
    }
    if profile.directive(name).is_some() {
        return Ok(());
    }
    Err(BAD.into())
}

/// Runs the server in the foreground; returns the process exit code.
pub fn run(opts: ServeOptions) -> u8 {
    let mut store = ConfigStore::from_profile(&opts.profile);
    if let Some(path) = &opts.config_file {
        if let Err(fatal) = load_config_file(&opts.profile, &mut store, path) {
            eprint!("{}", fatal.text);
            return 1;
        }
    }
    let port = opts.port.unwrap_or_else(|| store.get_int("port").map_or(6379, |p| p as u16));
    let bind: Vec<String> = match &opts.bind {
        Some(b) => b.split_whitespace().map(str::to_string).collect(),
        None => vec!["127.0.0.1".into()],
    };
    let unixsocket = opts.unixsocket.clone().or_else(|| store.get("unixsocket").filter(|s| !s.is_empty()).map(PathBuf::from));
    let listen = Listen { tcp: port != 0, bind, port, unixsocket: unixsocket.clone(), unixsocketperm: None };
    store.set("port", port.to_string());
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(opts.threads.max(1)).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("valkey-migrate serve: cannot start the runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        let server = Server::new(opts.profile.clone(), store, unixsocket);
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
