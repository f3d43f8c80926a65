//! Real client libraries against the bundled server: each connects (with its own handshake:
//! HELLO, CLIENT SETINFO…), runs a workload, and uses pub/sub and a blocking pop. The same
//! scripts run against the real server too, so their expectations are the real server's.

use super::harness::{knowledge, oracle_for};
use crate::common::{oracle, repo_root};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use valkey_migrate::server::Listen;
use valkey_migrate::server::embed::Running;

/// Where `scripts/install-clients` put a library, or `None` when it is not installed (a
/// failure under `scripts/test`, like a missing oracle).
fn client(rel: &str) -> Option<PathBuf> {
    let base =
        std::env::var_os("VALKEY_MIGRATE_CLIENTS").map(PathBuf::from).unwrap_or_else(|| repo_root().join(".clients"));
    let path = base.join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("VALKEY_MIGRATE_REQUIRE_ORACLES").is_ok_and(|v| v == "1") {
        panic!("client library {} is missing; run scripts/install-clients", path.display());
    }
    eprintln!("skipping: client library {} not installed (run scripts/install-clients)", path.display());
    None
}

fn bundled(profile: &str) -> Running {
    let profile = knowledge().profile(profile).unwrap();
    let listen = Listen { tcp: true, bind: vec!["127.0.0.1".into()], port: 0, unixsocket: None, unixsocketperm: None };
    Running::start(Arc::clone(&profile), &[], listen).unwrap()
}

struct RealTcp {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for RealTcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn real(profile: &str) -> Option<RealTcp> {
    let bin = oracle(oracle_for(profile)?)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "real server did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    Some(RealTcp { child, port, _dir: dir })
}

fn run(program: &str, args: &[String]) -> (bool, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && text.contains("DONE"), text)
}

const NODE: &[(&str, &str, &str)] = &[
    ("ioredis-4.9.5", "ioredis", "ioredis"),
    ("ioredis-5.9.2", "ioredis", "ioredis"),
    ("ioredis-6.0.0", "ioredis", "ioredis"),
    ("iovalkey-0.4.0", "iovalkey", "ioredis"),
    ("redis-4.7.0", "redis", "node-redis"),
    ("redis-5.9.0", "redis", "node-redis"),
    ("redis-6.3.1", "redis", "node-redis"),
];

const PYTHON: &[(&str, &str)] = &[("redis-8.1.0", "redis"), ("valkey-6.2.0", "valkey")];

fn node_args(dir: &str, package: &str, kind: &str, port: u16, resp: u8) -> Option<Vec<String>> {
    let lib = client(&format!("node/{dir}/node_modules/{package}"))?;
    let script = repo_root().join("testdata/server/clients/node_client.js");
    Some(vec![script.display().to_string(), lib.display().to_string(), kind.into(), port.to_string(), resp.to_string()])
}

fn python_args(dir: &str, module: &str, port: u16, resp: u8) -> Option<Vec<String>> {
    let site = client(&format!("py/{dir}"))?;
    let script = repo_root().join("testdata/server/clients/py_client.py");
    Some(vec![
        script.display().to_string(),
        site.display().to_string(),
        module.into(),
        port.to_string(),
        resp.to_string(),
    ])
}

#[test]
fn node_clients_work() {
    let mut failures = Vec::new();
    for &(dir, package, kind) in NODE {
        // node-redis 5 and 6 speak RESP3 when asked; run them both ways.
        let protocols: &[u8] = if dir.starts_with("redis-4") || kind == "ioredis" { &[2] } else { &[2, 3] };
        for &resp in protocols {
            let server = bundled("valkey-9.1");
            let port = server.tcp_addr.unwrap().port();
            let Some(args) = node_args(dir, package, kind, port, resp) else { continue };
            let (ok, text) = run("node", &args);
            if !ok {
                failures.push(format!("{dir} resp{resp}:\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn python_clients_work() {
    let mut failures = Vec::new();
    for &(dir, module) in PYTHON {
        for resp in [2, 3] {
            let server = bundled("valkey-9.1");
            let port = server.tcp_addr.unwrap().port();
            let Some(args) = python_args(dir, module, port, resp) else { continue };
            let (ok, text) = run("python3", &args);
            if !ok {
                failures.push(format!("{dir} resp{resp}:\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The client scripts hold against the real server: their expectations are not ours.
#[test]
fn client_scripts_hold_against_the_real_server() {
    let mut failures = Vec::new();
    for (i, resp) in [2u8, 3].into_iter().enumerate() {
        let Some(server) = real("valkey-9.1") else { return };
        let Some(args) = python_args(PYTHON[i].0, PYTHON[i].1, server.port, resp) else { continue };
        let (ok, text) = run("python3", &args);
        if !ok {
            failures.push(text);
        }
    }
    for &(dir, package, kind) in [NODE[1], NODE[5]].iter() {
        let Some(server) = real("valkey-9.1") else { return };
        let Some(args) = node_args(dir, package, kind, server.port, 2) else { continue };
        let (ok, text) = run("node", &args);
        if !ok {
            failures.push(text);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `redis` crate, the Rust client, synchronously and with its tokio connection.
#[test]
fn rust_redis_crate_works() {
    let server = bundled("valkey-9.1");
    let port = server.tcp_addr.unwrap().port();
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
    let mut con = client.get_connection().unwrap();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    let v: String = redis::cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!(v, "v");
    let n: i64 = redis::cmd("INCRBY").arg("n").arg(5).query(&mut con).unwrap();
    assert_eq!(n, 5);
    let (a, b): (i64, String) =
        redis::pipe().atomic().cmd("INCR").arg("n").cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!((a, b.as_str()), (6, "v"));
    let err = redis::cmd("LPUSH").arg("k").arg("x").query::<i64>(&mut con).unwrap_err();
    assert!(err.to_string().contains("WRONGTYPE"), "{err}");
    let mut sub_con = client.get_connection().unwrap();
    let mut pubsub = sub_con.as_pubsub();
    pubsub.subscribe("news").unwrap();
    let receivers: i64 = redis::cmd("PUBLISH").arg("news").arg("hello").query(&mut con).unwrap();
    assert_eq!(receivers, 1);
    pubsub.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let msg = pubsub.get_message().unwrap();
    assert_eq!((msg.get_channel_name(), msg.get_payload::<String>().unwrap().as_str()), ("news", "hello"));

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut con = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("HSET").arg("h").arg("a").arg("1").query_async(&mut con).await.unwrap();
        let all: std::collections::HashMap<String, String> =
            redis::cmd("HGETALL").arg("h").query_async(&mut con).await.unwrap();
        assert_eq!(all.get("a").map(String::as_str), Some("1"));
    });
}
