//! `valkey-migrate serve` end to end: config files loaded (and refused) as the real server
//! does, listeners, graceful shutdown, maxclients, --coverage.

use super::harness::{encode_command, knowledge, oracle_for};
use crate::common::{cmd, oracle};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("valkey-migrate")
}

/// What a server does with a config file: `Some((stdout, stderr, exit code))` when it exits
/// within a few seconds, `None` when it starts and keeps running (it is then stopped).
fn outcome(program: &Path, args: &[&str], conf: &Path, dir: &Path) -> Option<(String, String, i32)> {
    let mut child = Command::new(program)
        .args(args)
        .arg(conf)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return Some((out, err, status.code().unwrap_or(-1)));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The last log line without its pid and timestamp: the message the server stopped on (the
/// startup banner before it is the real server's own).
fn last_log_message(s: &str) -> String {
    s.lines().last().map(|l| l.split_once(" # ").map_or(l.to_string(), |(_, m)| format!("# {m}"))).unwrap_or_default()
}

#[test]
fn refuses_config_files_as_the_real_server_does() {
    let cases: &[(&str, &str)] = &[
        ("unknown-directive", "port 0\nsearch-timeout 50\n"),
        ("bad-memory", "maxmemory lots\n"),
        ("bad-enum", "maxmemory-policy allkeys-foo\n"),
        ("bad-bool", "appendonly maybe\n"),
        ("range", "hz -1\n"),
        ("wrong-args", "port 1 2\n"),
        ("unbalanced", "port 0\nrequirepass \"abc\n"),
        ("quote-tail", "save \"a\"b\n"),
        ("bad-user", "user alice on >pw nosuchrule\n"),
        ("rename-unknown", "rename-command NOSUCH x\n"),
        ("include-missing", "include /nonexistent/valkey-migrate-test.conf\n"),
        ("no-listener", "port 0\n"),
        (
            "runs",
            "port 0\nunixsocket runs.sock\ndaemonize no\ndatabases 4\n# comment\n\n   \nsave \"\"\nbind 127.0.0.1 -::1\n",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for profile in ["valkey-8.1", "valkey-9.1"] {
        let Some(real) = oracle(oracle_for(profile).unwrap()) else { continue };
        for (name, text) in cases {
            let conf = dir.path().join(format!("{name}.conf"));
            std::fs::write(&conf, text).unwrap();
            let want = outcome(&real, &[], &conf, dir.path());
            let got = outcome(&bin(), &["serve", "--profile", profile, "--port", "0"], &conf, dir.path());
            match (want, got) {
                (None, None) => {}
                (Some((want_out, want_err, want_code)), Some((got_out, got_err, got_code))) => {
                    assert_eq!(got_code, want_code, "{profile} {name}: exit code\n{got_err}");
                    assert_eq!(got_err, want_err, "{profile} {name}: stderr");
                    assert_eq!(last_log_message(&got_out), last_log_message(&want_out), "{profile} {name}: stdout");
                }
                (want, got) => panic!("{profile} {name}: real server {want:?}, bundled server {got:?}"),
            }
        }
    }
}

struct Served {
    child: Child,
    _dir: tempfile::TempDir,
    socket: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(config: &str, extra: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("s.sock");
    let conf = dir.path().join("valkey.conf");
    std::fs::write(&conf, format!("unixsocket {}\n{config}", socket.display())).unwrap();
    let child = Command::new(bin())
        .arg("serve")
        .args(extra)
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Served { child, _dir: dir, socket }
}

fn call(s: &mut UnixStream, words: &[&str]) -> String {
    let words: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
    s.write_all(&encode_command(&words)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut decoder = valkey_migrate::server::frame::Decoder::default();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(f) = decoder.next_frame().unwrap() {
            return String::from_utf8_lossy(&f.to_bytes()).into_owned();
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed");
        decoder.feed(&buf[..n]);
    }
}

#[test]
fn loads_an_accepted_config_file_and_stops_on_sigterm() {
    let mut served = serve(
        "port 0\nmaxmemory 1mb\nrequirepass s3cret\nrename-command FLUSHALL \"\"\nuser app on >pw ~app:* +@all\nhz 20\n",
        &[],
    );
    let mut s = UnixStream::connect(&served.socket).unwrap();
    assert_eq!(call(&mut s, &["GET", "k"]), "-NOAUTH Authentication required.\r\n");
    assert_eq!(call(&mut s, &["AUTH", "s3cret"]), "+OK\r\n");
    assert_eq!(call(&mut s, &["CONFIG", "GET", "maxmemory"]), "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
    assert_eq!(call(&mut s, &["CONFIG", "GET", "hz"]), "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
    assert!(call(&mut s, &["FLUSHALL"]).starts_with("-ERR unknown command 'FLUSHALL'"));
    assert_eq!(call(&mut s, &["AUTH", "app", "pw"]), "+OK\r\n");
    assert_eq!(call(&mut s, &["SET", "other", "x"]), "-NOPERM No permissions to access a key\r\n");
    let info = call(&mut s, &["INFO", "server"]);
    assert!(info.contains("config_file:/"), "{info}");
    // SIGTERM: the server closes connections and exits cleanly.
    unsafe_kill(served.child.id());
    let status = wait_exit(&mut served.child);
    assert_eq!(status, Some(0));
    assert!(UnixStream::connect(&served.socket).is_err());
}

fn unsafe_kill(pid: u32) {
    Command::new("kill").arg("-TERM").arg(pid.to_string()).status().unwrap();
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn shutdown_command_stops_the_server() {
    let mut served = serve("port 0\n", &[]);
    let mut s = UnixStream::connect(&served.socket).unwrap();
    s.write_all(b"SHUTDOWN NOSAVE\r\n").unwrap();
    assert_eq!(wait_exit(&mut served.child), Some(0));
}

#[test]
fn listens_on_loopback_tcp_and_enforces_maxclients() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let served = serve("maxclients 2\n", &["--port", &port.to_string()]);
    let mut a = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    a.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = a.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"+PONG\r\n");
    let _b = UnixStream::connect(&served.socket).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut text = String::new();
    c.read_to_string(&mut text).unwrap();
    assert_eq!(text, "-ERR max number of clients reached\r\n");
}

#[test]
fn coverage_is_reported_for_every_profile() {
    for name in knowledge().profile_names() {
        let out = cmd().args(["serve", "--coverage", "--profile", &name]).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or_default();
        assert!(first.contains(&format!("({name}):")) && first.contains(" commands implemented ("), "{name}: {first}");
        let (done, total) = first
            .split_once("): ")
            .and_then(|(_, rest)| rest.split_once(" of "))
            .map(|(d, rest)| (d.parse::<usize>().unwrap(), rest.split(' ').next().unwrap().parse::<usize>().unwrap()))
            .unwrap();
        assert!(done > 100 && done < total, "{name}: {first}");
    }
    let out = cmd().args(["serve", "--profile", "valkey-0.1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown server profile 'valkey-0.1'"));
}

/// A client whose unparsed input passes client-query-buffer-limit is disconnected without
/// a reply, by both servers.
#[test]
fn query_buffer_limit_disconnects() {
    use super::harness::{start_bundled, start_real};
    let config = vec![("client-query-buffer-limit".to_string(), "1048576".to_string())];
    for profile in ["valkey-8.1", "valkey-9.1"] {
        let Some(real) = start_real(profile, &config) else { continue };
        let bundled = start_bundled(profile, &config);
        let mut outcomes = Vec::new();
        for target in [&real, &bundled] {
            let mut s = target.connect();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
            // One big argument announced, then more than the limit of it sent.
            let _ = s.write_all(b"*2\r\n$4\r\nECHO\r\n$5000000\r\n");
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..40 {
                if s.write_all(&chunk).is_err() {
                    break;
                }
            }
            // Closed means end of stream or a reset, with nothing written back; a timeout
            // means the server kept the connection open.
            let mut rest = Vec::new();
            let closed = match s.read_to_end(&mut rest) {
                Ok(_) => true,
                Err(e) => matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
            };
            outcomes.push(closed && rest.is_empty());
        }
        assert_eq!(outcomes, [true, true], "{profile}: connection closed without a reply");
    }
}
