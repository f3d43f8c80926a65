//! Handshake replay: for each client the repository runs, send the exact connection sequence
//! that version sent to a real Valkey (`rules/handshakes/…`, recorded by
//! `scripts/capture-handshakes`), and check the target answers as real Valkey did — the answers
//! that client is known to accept. The client risks that depend on what the server says are
//! reproduced from the target's own answers and shown as the failure they would be.

use super::model::{Check, Exchange, Group};
use super::session::{Session, show};
use super::target::Running;
use crate::inventory::Ecosystem;
use crate::knowledge::Knowledge;
use crate::plan::model::ClientRef;
use redis::Value;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::time::Duration;

#[derive(Debug, Deserialize)]
struct CaptureFile {
    version: String,
    options: String,
    capture: Vec<Capture>,
}

#[derive(Debug, Deserialize)]
struct Capture {
    server: String,
    client_exit: i32,
    exchange: Vec<Recorded>,
}

#[derive(Debug, Deserialize)]
struct Recorded {
    connection: u32,
    command: Vec<String>,
    /// The reply as `scripts/capture-handshakes` renders it (JSON after `stable()`).
    reply: String,
}

/// INFO lines a client may read to identify the server: all the capture keeps of INFO.
const IDENTITY: [&str; 5] = ["redis_version", "server_name", "valkey_version", "server_mode", "redis_mode"];

fn eco(name: &str) -> Option<Ecosystem> {
    serde_json::from_value(Json::String(name.to_string())).ok()
}

/// The recording to replay for `client`: its exact version, else the newest recorded one
/// below it (marked as such).
fn recording(knowledge: &Knowledge, client: &ClientRef) -> Option<(CaptureFile, bool)> {
    let eco_enum = eco(&client.ecosystem)?;
    let version = client.version.as_deref()?;
    let prefix = format!("handshakes/{}/{}/", client.ecosystem, client.name);
    let mut best: Option<(String, &str)> = None;
    for (path, _) in knowledge.files_under(&prefix) {
        let Some(v) = path.strip_prefix(&prefix).and_then(|f| f.strip_suffix(".toml")) else { continue };
        let not_above =
            crate::versions::compare(eco_enum, v, version).is_some_and(|o| o != std::cmp::Ordering::Greater);
        let newer = best
            .as_ref()
            .is_none_or(|(b, _)| crate::versions::compare(eco_enum, v, b) == Some(std::cmp::Ordering::Greater));
        if not_above && newer {
            best = Some((v.to_string(), path));
        }
    }
    let (v, path) = best?;
    let file: CaptureFile = knowledge.parse_toml(path).ok()?;
    Some((file, v == version))
}

/// The reply as the capture script renders it, so the two compare as data.
fn canonical(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Int(n) => Json::from(*n),
        Value::BulkString(b) => stable_text(&String::from_utf8_lossy(b)),
        Value::SimpleString(s) => Json::String(s.clone()),
        Value::Okay => Json::String("OK".into()),
        Value::Array(items) | Value::Set(items) => Json::Array(items.iter().map(canonical).collect()),
        Value::Push { data, .. } => Json::Array(data.iter().map(canonical).collect()),
        Value::Map(pairs) => {
            let mut m = Map::new();
            for (k, v) in pairs {
                let key = match canonical(k) {
                    Json::String(s) => s,
                    other => other.to_string(),
                };
                if key != "id" {
                    m.insert(key, canonical(v));
                }
            }
            Json::Object(m)
        }
        Value::Double(d) => Json::String(d.to_string()),
        Value::Boolean(b) => Json::String(if *b { "t" } else { "f" }.into()),
        Value::VerbatimString { text, .. } => stable_text(text),
        Value::ServerError(e) => {
            Json::String(format!("ERR:{} {}", e.code(), e.details().unwrap_or_default()).trim_end().to_string())
        }
        other => Json::String(show(other)),
    }
}

fn stable_text(text: &str) -> Json {
    if text.contains("# Server") {
        let keep: Vec<&str> =
            text.lines().filter(|l| IDENTITY.contains(&l.split(':').next().unwrap_or(""))).map(str::trim).collect();
        return Json::String(format!("INFO (identity fields only): {}", keep.join(", ")));
    }
    Json::String(text.to_string())
}

/// Identity values that name the server's version: compared only when the recording was made
/// on the same release line as the target.
fn without_version(mut j: Json) -> Json {
    match &mut j {
        Json::Object(m) => {
            m.remove("version");
        }
        Json::String(s) if s.starts_with("INFO (identity fields only)") => {
            let kept: Vec<&str> = s.split(", ").filter(|p| !p.contains("valkey_version")).collect();
            *s = kept.join(", ");
        }
        _ => {}
    }
    j
}

fn is_data_command(cmd: &[String]) -> bool {
    cmd.iter().any(|a| a.starts_with("capture:")) || cmd.first().is_some_and(|c| c.eq_ignore_ascii_case("QUIT"))
}

pub async fn replay(
    running: &Running,
    clients: &[ClientRef],
    knowledge: &Knowledge,
    target_version: &str,
    timeout: Duration,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let table = knowledge.clients().ok();
    // `redis` and the `@redis/client` it pulls in are one client: replay it once, from the
    // package that has a recording.
    let recorded: Vec<Option<(CaptureFile, bool)>> = clients.iter().map(|c| recording(knowledge, c)).collect();
    let representative = |i: usize| -> bool {
        let Some(id) = &clients[i].client else { return true };
        let group: Vec<usize> = (0..clients.len()).filter(|&j| clients[j].client.as_ref() == Some(id)).collect();
        let chosen = group.iter().copied().find(|&j| recorded[j].is_some()).unwrap_or(group[0]);
        chosen == i
    };
    for (i, client) in clients.iter().enumerate() {
        if !representative(i) {
            continue;
        }
        let name = format!("{} {}", client.name, client.version.as_deref().unwrap_or("(unversioned)"));
        let started = std::time::Instant::now();
        let mut check = match &recorded[i] {
            None => {
                Check::skip(Group::Handshakes, &name, "no recorded handshake for this client at or below this version")
            }
            Some((file, exact)) => {
                let line = target_version.rsplit_once('.').map_or(target_version, |(l, _)| l);
                let capture = file
                    .capture
                    .iter()
                    .find(|c| c.server.contains(&format!(" {line}.")))
                    .or_else(|| file.capture.last())
                    .expect("a recording holds at least one capture");
                let same_line = capture.server.contains(&format!(" {line}."));
                let opted_out = client.features.iter().any(|f| f == "maint-notifications-off");
                match replay_one(running, capture, opted_out, same_line, timeout).await {
                    Err(e) => Check::fail(Group::Handshakes, &name, e),
                    Ok((mismatches, notes, log)) => {
                        let basis = if *exact {
                            format!("as {name} recorded it against {}", capture.server)
                        } else {
                            format!(
                                "as {} {} (the nearest recorded release) did against {}",
                                client.name, file.version, capture.server
                            )
                        };
                        let mut c = if mismatches.is_empty() {
                            let mut reason = format!("every reply matches real Valkey's, {basis} ({})", file.options);
                            if !notes.is_empty() {
                                reason.push_str(&format!("; {}", notes.join("; ")));
                            }
                            if capture.client_exit != 0 {
                                Check::fail(
                                    Group::Handshakes,
                                    &name,
                                    format!("{reason}; the client itself failed against real Valkey"),
                                )
                            } else {
                                Check::pass(Group::Handshakes, &name, reason)
                            }
                        } else {
                            Check::fail(Group::Handshakes, &name, format!("{} ({basis})", mismatches.join("; ")))
                        };
                        c.exchanges = log;
                        c
                    }
                }
            }
        };
        if check.status != super::model::Status::Fail {
            if let Some((why, log)) = reproduce_risks(running, client, table.as_deref(), timeout).await {
                check = Check { status: super::model::Status::Fail, reason: why, exchanges: log, ..check };
            }
        }
        if check.status == super::model::Status::Skip
            && table.as_ref().is_none_or(|t| client.client.as_ref().is_none_or(|id| t.by_id(id).is_none()))
        {
            continue;
        }
        check.millis = started.elapsed().as_millis() as u64;
        checks.push(check);
    }
    checks
}

type Replayed = (Vec<String>, Vec<String>, Vec<Exchange>);

async fn replay_one(
    running: &Running,
    capture: &Capture,
    opted_out: bool,
    same_line: bool,
    timeout: Duration,
) -> Result<Replayed, String> {
    // A connection that sends nothing of its own: the recorded client speaks.
    let info = running.client.get_connection_info().clone();
    let settings = info.redis_settings().clone().set_skip_set_lib_name();
    let client = redis::Client::open(info.set_redis_settings(settings)).map_err(|e| e.to_string())?;
    let con = tokio::time::timeout(timeout, client.get_multiplexed_async_connection())
        .await
        .map_err(|_| "connecting timed out".to_string())?
        .map_err(|e| format!("cannot connect: {e}"))?;
    let mut s = Session::new(con, timeout);
    let (mut mismatches, mut notes) = (Vec::new(), Vec::new());
    for r in capture.exchange.iter().filter(|e| e.connection == 1) {
        if is_data_command(&r.command) {
            break;
        }
        let probe = r.command.len() > 1 && r.command[1].eq_ignore_ascii_case("MAINT_NOTIFICATIONS");
        if probe && opted_out {
            notes.push("the code switches maintenance notifications off, so the probe is not sent".to_string());
            continue;
        }
        let args: Vec<&str> = r.command.iter().map(String::as_str).collect();
        let got = match s.call(&args).await {
            Ok(v) => canonical(&v),
            Err(e) => Json::String(format!("ERR:{e}")),
        };
        let want: Json = serde_json::from_str(&r.reply).unwrap_or(Json::String(r.reply.clone()));
        let (got_cmp, want_cmp) = if same_line {
            (got.clone(), want.clone())
        } else {
            (without_version(got.clone()), without_version(want.clone()))
        };
        if got_cmp != want_cmp {
            mismatches.push(format!("{} answered {got}, real Valkey answered {want}", r.command.join(" ")));
        } else if let Json::String(e) = &got
            && e.starts_with("ERR:")
        {
            notes.push(format!(
                "{} gets an error ({}) which the client ignores; each connection adds to errorstat_ERR",
                r.command[..2.min(r.command.len())].join(" "),
                e.trim_start_matches("ERR:")
            ));
        }
    }
    Ok((mismatches, notes, s.log))
}

/// Risks that depend on what the server answers, checked against the target's answers when
/// the code uses the feature that triggers them.
async fn reproduce_risks(
    running: &Running,
    client: &ClientRef,
    table: Option<&crate::knowledge::Clients>,
    timeout: Duration,
) -> Option<(String, Vec<Exchange>)> {
    let entry = table?.by_id(client.client.as_deref()?)?;
    let version = client.version.as_deref()?;
    let uses = |f: &str| client.features.iter().any(|x| x == f);
    let con = running.connect(timeout).await.ok()?;
    let mut s = Session::new(con, timeout);
    for risk in entry.risks_at(version) {
        match risk.id.as_str() {
            "csc-requires-redis-server" if uses("client-side-caching") => {
                let hello = s.call(&["HELLO", "3"]).await.ok()?;
                let fields = canonical(&hello);
                let server = fields.get("server").and_then(Json::as_str).unwrap_or("");
                let v = fields.get("version").and_then(Json::as_str).unwrap_or("");
                let new_enough = crate::versions::compare(Ecosystem::Cargo, v, "7.4.0")
                    .is_some_and(|o| o != std::cmp::Ordering::Less);
                if server != "redis" || !new_enough {
                    return Some((
                        format!(
                            "{} with client-side caching refuses this server: HELLO 3 answers server={server}, version={v}, and the client requires server=redis and version ≥ 7.4 ({})",
                            client.name, risk.effect
                        ),
                        s.log,
                    ));
                }
            }
            "topology-reads-redis-mode" if uses("sentinel") || uses("cluster") => {
                let info = s.call(&["INFO", "server"]).await.ok()?;
                let text = match &info {
                    Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
                    Value::VerbatimString { text, .. } => text.clone(),
                    _ => String::new(),
                };
                if !text.lines().any(|l| l.starts_with("redis_mode:")) {
                    let mode = text.lines().find(|l| l.starts_with("server_mode:")).unwrap_or("server_mode:?").trim();
                    let why = format!(
                        "{} reads `redis_mode` from INFO server to find the topology; this server prints `{mode}` instead, so the client misdetects it ({})",
                        client.name, risk.effect
                    );
                    return Some((why, s.log));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_render_as_the_capture_script_renders_them() {
        let hello = Value::Map(vec![
            (Value::BulkString(b"server".to_vec()), Value::BulkString(b"valkey".to_vec())),
            (Value::BulkString(b"id".to_vec()), Value::Int(7)),
            (Value::BulkString(b"proto".to_vec()), Value::Int(3)),
        ]);
        let want: Json = serde_json::from_str(r#"{"proto": 3, "server": "valkey"}"#).unwrap();
        assert_eq!(canonical(&hello), want);
        let info = Value::BulkString(b"# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nos:Linux\r\n".to_vec());
        assert_eq!(
            canonical(&info),
            Json::String("INFO (identity fields only): redis_version:7.2.4, server_name:valkey".into())
        );
    }
}
