//! INFO: the sections and fields of the profile's server, in its order, with live values
//! where the bundled server has them (clients, keyspace, statistics) and the recorded values
//! of the real server elsewhere.

use super::Server;
use super::client::ClientState;
use super::state::State;
use crate::knowledge::profile::InfoSection;

/// Which sections an INFO request asks for.
pub fn wanted_sections<'p>(sections: &'p [InfoSection], args: &[&[u8]]) -> Vec<&'p InfoSection> {
    let names: Vec<String> = args.iter().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    sections
        .iter()
        .filter(|s| {
            let name = s.section.to_ascii_lowercase();
            if (names.is_empty() || has("default")) && s.default {
                return true;
            }
            has("everything") || (has("all") && name != "modules") || has(&name)
        })
        .collect()
}

fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1024.0 {
        format!("{}B", n as u64)
    } else if n < 1024.0 * 1024.0 {
        format!("{:.2}K", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", n / (1024.0 * 1024.0))
    } else {
        format!("{:.2}G", n / (1024.0 * 1024.0 * 1024.0))
    }
}

/// Live values the bundled server knows; `None` falls back to the recorded value.
fn live_value(srv: &Server, st: &State, current: &ClientState, field: &str) -> Option<String> {
    let uptime = srv.started.elapsed().as_secs();
    let clients = st.clients.len() + 1;
    let all_clients = || st.clients.values().chain(std::iter::once(current));
    let v = match field {
        "tcp_port" => srv.tcp_addr.lock().ok().and_then(|a| a.map(|a| a.port())).unwrap_or(0).to_string(),
        "uptime_in_seconds" => uptime.to_string(),
        "uptime_in_days" => (uptime / 86400).to_string(),
        "process_id" => std::process::id().to_string(),
        "run_id" => srv.run_id.clone(),
        "server_time_usec" => super::unix_us().to_string(),
        "lru_clock" => ((super::unix_ms() / 1000) & ((1 << 24) - 1)).to_string(),
        "executable" => std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
        "config_file" => srv.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        "os" => os_string(),
        "hz" | "configured_hz" => st.config.get("hz").unwrap_or("10").to_string(),
        "availability_zone" => st.config.get("availability-zone").unwrap_or("").to_string(),
        "connected_clients" => clients.to_string(),
        "maxclients" => st.config.get("maxclients").unwrap_or("10000").to_string(),
        "blocked_clients" => all_clients().filter(|c| c.blocked.is_some()).count().to_string(),
        "pubsub_clients" => all_clients().filter(|c| c.in_pubsub()).count().to_string(),
        "watching_clients" => all_clients().filter(|c| !c.watched.is_empty()).count().to_string(),
        "total_watched_keys" => st.watched.len().to_string(),
        "total_blocking_keys" => st.blocked_on.len().to_string(),
        "maxmemory" => st.config.get("maxmemory").unwrap_or("0").to_string(),
        "maxmemory_human" => human_bytes(st.config.get_int("maxmemory").unwrap_or(0).max(0) as u64),
        "maxmemory_policy" => st.config.get("maxmemory-policy").unwrap_or("noeviction").to_string(),
        "rdb_changes_since_last_save" => st.stats.dirty.to_string(),
        "rdb_last_save_time" => srv.started_unix.to_string(),
        "aof_enabled" => u8::from(st.config.get_bool("appendonly")).to_string(),
        "total_connections_received" => st.stats.connections_received.to_string(),
        "total_commands_processed" => st.stats.commands_processed.to_string(),
        "total_net_input_bytes" => st.stats.net_input_bytes.to_string(),
        "total_net_output_bytes" => st.stats.net_output_bytes.to_string(),
        "total_reads_processed" => st.stats.reads_processed.to_string(),
        "total_writes_processed" => st.stats.writes_processed.to_string(),
        "rejected_connections" => st.stats.rejected_connections.to_string(),
        "expired_keys" => st.stats.expired_keys.to_string(),
        "keyspace_hits" => st.stats.keyspace_hits.to_string(),
        "keyspace_misses" => st.stats.keyspace_misses.to_string(),
        "pubsub_channels" => st.pubsub.channels.len().to_string(),
        "pubsub_patterns" => st.pubsub.patterns.len().to_string(),
        "pubsubshard_channels" => st.pubsub.shard_channels.len().to_string(),
        "total_error_replies" => st.stats.total_error_replies.to_string(),
        "client_query_buffer_limit_disconnections" => st.stats.query_buffer_limit_disconnections.to_string(),
        "client_output_buffer_limit_disconnections" => st.stats.output_buffer_limit_disconnections.to_string(),
        "acl_access_denied_auth" => st.stats.acl_denied_auth.to_string(),
        "acl_access_denied_cmd" => st.stats.acl_denied_cmd.to_string(),
        "acl_access_denied_key" => st.stats.acl_denied_key.to_string(),
        "acl_access_denied_channel" => st.stats.acl_denied_channel.to_string(),
        "master_replid" => srv.run_id.clone(),
        "clients_hz" => st.config.get("hz").unwrap_or("10").to_string(),
        _ => return None,
    };
    Some(v)
}

/// A value in the real server's format for a field whose value the profile does not record
/// (it changes from run to run, or describes the machine): a client that parses `ok`,
/// `none`, a ratio or a human size must read the same shape here, not a bare `0`.
fn unrecorded_value(st: &State, field: &str) -> String {
    match field {
        // How we read the clock, and a build without GCC, as the server prints them.
        "monotonic_clock" => "POSIX clock_gettime".into(),
        "gcc_version" => "0.0.0".into(),
        "process_supervised" => "no".into(),
        "rdb_last_bgsave_status" | "aof_last_bgrewrite_status" | "aof_last_write_status" => "ok".into(),
        "paused_reason"
        | "paused_actions"
        | "tls_server_cert_serial"
        | "tls_client_cert_serial"
        | "tls_ca_cert_serial" => "none".into(),
        "rdb_last_bgsave_time_sec"
        | "rdb_current_bgsave_time_sec"
        | "aof_last_rewrite_time_sec"
        | "aof_current_rewrite_time_sec"
        | "second_repl_offset" => "-1".into(),
        "master_replid2" => "0".repeat(40),
        "total_system_memory" => total_system_memory().to_string(),
        "total_system_memory_human" => human_bytes(total_system_memory()),
        "maxmemory_human" => human_bytes(st.config.get_int("maxmemory").unwrap_or(0).max(0) as u64),
        f if f.ends_with("_human") => human_bytes(0),
        f if f.ends_with("_ratio") => "1.00".into(),
        f if f.ends_with("_perc") => {
            if f.starts_with("used_memory") {
                "100.00%".into()
            } else {
                "0.00".into()
            }
        }
        f if f.ends_with("_kbps") => "0.00".into(),
        f if f.starts_with("used_cpu_") || f == "used_active_time_main_thread" => "0.000000".into(),
        _ => "0".into(),
    }
}

fn total_system_memory() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// `listener<i>` lines: one per kind of socket the server listens on, numbered by kind
/// (0 TCP, 1 unix) as Valkey 8+ and Redis 8 number their connection types.
fn listeners(srv: &Server, out: &mut String) {
    if let Some(addr) = srv.tcp_addr.lock().ok().and_then(|a| *a) {
        out.push_str(&format!("listener0:name=tcp,bind={},port={}\r\n", addr.ip(), addr.port()));
    }
    if let Some(path) = &srv.unix_path {
        out.push_str(&format!("listener1:name=unix,bind={}\r\n", path.display()));
    }
}

fn is_listener(field: &str) -> bool {
    field.strip_prefix("listener").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `uname -s -r -m` as the server prints it.
fn os_string() -> String {
    let read = |p: &str| std::fs::read_to_string(p).map(|s| s.trim().to_string()).unwrap_or_default();
    let release = read("/proc/sys/kernel/osrelease");
    let kind = read("/proc/sys/kernel/ostype");
    format!("{} {} {}", if kind.is_empty() { "Linux".into() } else { kind }, release, std::env::consts::ARCH)
}

/// The INFO text for the requested sections.
pub fn render(srv: &Server, st: &State, current: &ClientState, args: &[&[u8]]) -> String {
    let sections = wanted_sections(&srv.profile.identity.info, args);
    let mut out = String::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&format!("# {}\r\n", section.section));
        match section.section.as_str() {
            "Keyspace" => keyspace(st, section, &mut out),
            "Commandstats" => commandstats(srv, st, &mut out),
            "Errorstats" => errorstats(st, &mut out),
            "Latencystats" => latencystats(srv, st, &mut out),
            _ => {
                let mut listed = false;
                for f in &section.fields {
                    if is_listener(&f.name) {
                        if !std::mem::replace(&mut listed, true) {
                            listeners(srv, &mut out);
                        }
                        continue;
                    }
                    let value = live_value(srv, st, current, &f.name)
                        .or_else(|| f.value.clone())
                        .unwrap_or_else(|| unrecorded_value(st, &f.name));
                    out.push_str(&format!("{}:{value}\r\n", f.name));
                }
            }
        }
    }
    out
}

fn keyspace(st: &State, section: &InfoSection, out: &mut String) {
    let now = super::unix_ms();
    for (i, db) in st.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        let (ttl_sum, with_ttl) = db.ttl_sum(now);
        let avg = if with_ttl == 0 { 0 } else { ttl_sum / with_ttl as i64 };
        let mut parts = Vec::new();
        for key in &section.dynamic_keys {
            let v = match key.as_str() {
                "keys" => db.len().to_string(),
                "expires" => db.expires_len().to_string(),
                "avg_ttl" => avg.to_string(),
                _ => "0".into(),
            };
            parts.push(format!("{key}={v}"));
        }
        if section.dynamic_keys.is_empty() {
            parts.push(format!("keys={},expires={},avg_ttl={avg}", db.len(), db.expires_len()));
        }
        out.push_str(&format!("db{i}:{}\r\n", parts.join(",")));
    }
}

/// Commands by name with their statistics.
fn by_name<'a>(srv: &'a Server, st: &'a State) -> Vec<(&'a String, &'a super::state::CommandStat)> {
    let mut v: Vec<_> = srv.table.names().iter().zip(st.stats.commands.iter()).collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

fn commandstats(srv: &Server, st: &State, out: &mut String) {
    for (name, s) in by_name(srv, st) {
        if s.calls == 0 && s.rejected == 0 && s.failed == 0 {
            continue;
        }
        let per_call = if s.calls == 0 { 0.0 } else { s.usec as f64 / s.calls as f64 };
        out.push_str(&format!(
            "cmdstat_{name}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            s.calls, s.usec, s.rejected, s.failed
        ));
    }
}

fn errorstats(st: &State, out: &mut String) {
    for (code, count) in &st.stats.errors {
        out.push_str(&format!("errorstat_{code}:count={count}\r\n"));
    }
}

fn latencystats(srv: &Server, st: &State, out: &mut String) {
    for (name, s) in by_name(srv, st) {
        if s.calls == 0 {
            continue;
        }
        let avg = s.usec as f64 / s.calls as f64;
        out.push_str(&format!("latency_percentiles_usec_{name}:p50={avg:.3},p99={avg:.3},p99.9={avg:.3}\r\n"));
    }
}
