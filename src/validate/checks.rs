//! Config, command and handshake checks.

use super::model::{Check, Exchange, Group};
use super::session::{Session, show};
use super::target::{self, TargetSpec};
use crate::plan::model::CommandRef;
use std::time::{Duration, Instant};

/// Each config file must be accepted by the target: a server we start must come up with it;
/// a live server must report the same values for the directives the file sets.
pub async fn configs(
    spec: &TargetSpec,
    profile: &str,
    files: &[(String, String, Vec<String>)],
    timeout: Duration,
) -> Vec<Check> {
    let mut checks = Vec::new();
    for (name, text, notes) in files {
        let started = Instant::now();
        let mut check = match spec {
            TargetSpec::Url(_) => live_config(spec, profile, name, text, timeout).await,
            _ => match target::start(spec, profile, Some((name, text)), timeout).await {
                Ok(running) => match running.connect(timeout).await {
                    Ok(con) => {
                        let mut s = Session::new(con, timeout);
                        match s.call(&["PING"]).await {
                            Ok(_) => Check {
                                exchanges: s.log,
                                ..Check::pass(
                                    Group::Config,
                                    name,
                                    "the server started with this file and answered PING",
                                )
                            },
                            Err(e) => Check::fail(Group::Config, name, format!("started but PING failed: {e}")),
                        }
                    }
                    Err(e) => Check::fail(Group::Config, name, e),
                },
                Err(e) => Check::fail(Group::Config, name, format!("refused at start: {e}")),
            },
        };
        check.millis = started.elapsed().as_millis() as u64;
        if !notes.is_empty() {
            check.reason = format!("{} ({})", check.reason, notes.join("; "));
        }
        checks.push(check);
    }
    checks
}

/// Against a live server we never restart anything: compare `CONFIG GET` with the file.
async fn live_config(spec: &TargetSpec, profile: &str, name: &str, text: &str, timeout: Duration) -> Check {
    let running = match target::start(spec, profile, None, timeout).await {
        Ok(r) => r,
        Err(e) => return Check::fail(Group::Config, name, e),
    };
    let con = match running.connect(timeout).await {
        Ok(c) => c,
        Err(e) => return Check::fail(Group::Config, name, e),
    };
    let mut s = Session::new(con, timeout);
    let src = crate::sources::SourceFile::from_bytes(name.to_string(), text.as_bytes().to_vec());
    let parsed = crate::sources::server_config::parse_config(&src);
    let mut differences = Vec::new();
    for d in &parsed.directives {
        if matches!(
            d.name.as_str(),
            "include" | "rename-command" | "user" | "loadmodule" | "save" | "bind" | "client-output-buffer-limit"
        ) {
            continue;
        }
        let want = d.args.iter().map(|a| a.value.as_str()).collect::<Vec<_>>().join(" ");
        match s.call(&["CONFIG", "GET", &d.name]).await {
            Ok(v) => {
                let got = flat_second(&v);
                if got.is_none() {
                    differences.push(format!("line {}: {} is unknown to the server", d.line, d.name));
                } else if let Some(got) = got.filter(|g| !same_value(g, &want)) {
                    differences
                        .push(format!("line {}: {} is {got:?} on the server, {want:?} in the file", d.line, d.name));
                }
            }
            Err(e) => differences.push(format!("line {}: CONFIG GET {} failed: {e}", d.line, d.name)),
        }
    }
    let check = if differences.is_empty() {
        Check::pass(Group::Config, name, "every directive in the file matches the live server's CONFIG GET")
    } else {
        Check::fail(Group::Config, name, differences.join("; "))
    };
    Check { exchanges: s.log, ..check }
}

fn flat_second(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::Array(items) if items.len() >= 2 => match &items[1] {
            redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            other => Some(show(other)),
        },
        redis::Value::Map(pairs) if !pairs.is_empty() => match &pairs[0].1 {
            redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            other => Some(show(other)),
        },
        _ => None,
    }
}

/// Servers report memory in bytes and booleans as yes/no whatever the file said.
fn same_value(server: &str, file: &str) -> bool {
    let norm = |v: &str| -> String {
        let l = v.trim().to_ascii_lowercase();
        let units: [(&str, u64); 8] = [
            ("kb", 1024),
            ("mb", 1 << 20),
            ("gb", 1 << 30),
            ("k", 1000),
            ("m", 1_000_000),
            ("g", 1_000_000_000),
            ("b", 1),
            ("", 1),
        ];
        for (suffix, mult) in units {
            if let Some(n) = l.strip_suffix(suffix).and_then(|n| n.parse::<u64>().ok()) {
                return (n * mult).to_string();
            }
        }
        l
    };
    norm(server) == norm(file)
}

/// Every command the code sends must exist on the target (`COMMAND INFO` answers nil when
/// it does not).
pub async fn commands(s: &mut Session, commands: &[CommandRef]) -> Vec<Check> {
    let mut checks = Vec::new();
    for c in commands {
        let started = Instant::now();
        let before = s.log.len();
        let name = format!("{} ({}:{})", c.command, c.file, c.line);
        let mut check = match s.call(&["COMMAND", "INFO", &c.command]).await {
            Ok(redis::Value::Array(items)) if items.first().is_some_and(|i| !matches!(i, redis::Value::Nil)) => {
                Check::pass(Group::Commands, name, "the target has this command")
            }
            Ok(_) => Check::fail(Group::Commands, name, format!("the target has no {} command", c.command)),
            Err(e) => Check::fail(Group::Commands, name, format!("COMMAND INFO failed: {e}")),
        };
        check.exchanges = s.log[before..].to_vec();
        check.millis = started.elapsed().as_millis() as u64;
        checks.push(check);
    }
    checks
}

pub fn exchanges_since(s: &Session, start: usize) -> Vec<Exchange> {
    s.log[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::same_value;

    #[test]
    fn values_compare_as_the_server_normalises_them() {
        assert!(same_value("1073741824", "1gb"));
        assert!(same_value("yes", "YES"));
        assert!(same_value("100000", "100k"));
        assert!(!same_value("allkeys-lru", "volatile-lru"));
    }
}
