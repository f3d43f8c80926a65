//! Server profiles: every profile loads, is sane, and answers lookups as the real server would.

use std::time::Instant;
use valkey_migrate::knowledge::Knowledge;
use valkey_migrate::knowledge::profile::{ConfigType, Verdict};

/// The profile names are a contract (`--target`, `--source`, config `target`).
const CONTRACT: &[&str] = &[
    "valkey-7.2",
    "valkey-8.0",
    "valkey-8.1",
    "valkey-9.0",
    "valkey-9.1",
    "redis-6.2",
    "redis-7.0",
    "redis-7.2",
    "redis-7.4",
    "redis-8.0",
    "redis-8.2",
];

fn knowledge() -> Knowledge {
    Knowledge::embedded().expect("embedded knowledge loads")
}

#[test]
fn every_profile_loads_and_is_sane() {
    let k = knowledge();
    let names = k.profile_names();
    for name in names.iter().filter(|n| CONTRACT.contains(&n.as_str())) {
        let p = k.profile(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name(), name);
        assert!(p.configs.len() > 120, "{name}: {} configs", p.configs.len());
        assert!(p.loader.fatal_header.contains(&p.header.version), "{name}: {}", p.loader.fatal_header);
        for c in &p.configs {
            match c.kind {
                ConfigType::Enum => assert!(!c.values.is_empty(), "{name} {}: enum without values", c.name),
                ConfigType::Special => assert!(c.special.is_some(), "{name} {}: special without texts", c.name),
                _ => {}
            }
            // The compiled-in default is a value the loader accepts (special grammars aside:
            // `replicaof ""` is refused by the real server too).
            if let Some(d) = &c.default {
                if c.kind != ConfigType::Special && !c.runtime_only {
                    let v = p.check_directive(&c.name, &[d.as_str()]);
                    assert_eq!(v, Verdict::Accepted, "{name}: default of {} ({d:?})", c.name);
                }
            }
        }
        let commands = p.commands().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(commands.commands.len() > 200, "{name}: {} commands", commands.commands.len());
        let get = p.command("GET").expect("GET exists");
        assert_eq!(get.arity, 2);
        // Redis 6.2 predates subcommands in COMMAND (7.0).
        if name != "redis-6.2" {
            assert!(p.command("client|info").is_some(), "{name}: subcommands are listed as parent|sub");
            assert!(get.docs.as_ref().is_some_and(|d| d.summary.is_some()), "{name}: COMMAND DOCS recorded");
        }
    }
}

#[test]
fn lookups_are_case_insensitive_and_know_aliases() {
    let k = knowledge();
    let p = k.profile("valkey-9.1").unwrap();
    assert_eq!(p.config("SLAVEOF").unwrap().name, "replicaof");
    assert_eq!(p.config("masterauth").unwrap().name, "primaryauth");
    assert_eq!(p.config("Slowlog-Max-Len").unwrap().name, "commandlog-slow-execution-max-len");
    assert!(p.config("search-timeout").is_none());
    assert_eq!(p.command("Config|Get").unwrap().name, "config|get");
}

#[test]
fn the_target_profile_loads_fast() {
    // Every audit loads its target profile; the command table is parsed only when asked for.
    let k = knowledge();
    let start = Instant::now();
    let p = k.profile("valkey-9.1").unwrap();
    let head = start.elapsed();
    let start = Instant::now();
    p.commands().unwrap();
    let commands = start.elapsed();
    eprintln!("valkey-9.1: profile {head:?}, command table {commands:?}");
    assert!(head.as_millis() < 500, "loading the profile took {head:?}");
}

#[test]
fn every_contract_profile_exists() {
    let names = knowledge().profile_names();
    for n in CONTRACT {
        assert!(names.iter().any(|x| x == n), "profile {n} is missing; have {names:?}");
    }
}

/// A real server on a unix socket in a temp dir, stopped when dropped.
struct RealServer {
    child: std::process::Child,
    sock: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl RealServer {
    fn start(binary: &std::path::Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("s.sock");
        let child = std::process::Command::new(binary)
            .args(["--port", "0", "--save", "", "--appendonly", "no"])
            .arg("--unixsocket")
            .arg(&sock)
            .arg("--dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while std::os::unix::net::UnixStream::connect(&sock).is_err() {
            assert!(Instant::now() < deadline, "{} did not start", binary.display());
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        RealServer { child, sock, _dir: dir }
    }

    /// Sends one command and returns the reply's top-level elements as text (RESP2).
    fn call(&self, args: &[&str]) -> Vec<String> {
        use std::io::{BufRead, BufReader, Write};
        let mut s = std::os::unix::net::UnixStream::connect(&self.sock).unwrap();
        let mut req = format!("*{}\r\n", args.len());
        for a in args {
            req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        s.write_all(req.as_bytes()).unwrap();
        let mut r = BufReader::new(s);
        fn read(r: &mut impl BufRead, out: &mut Vec<String>) {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let line = line.trim_end();
            let (t, rest) = line.split_at(1);
            match t {
                "*" => {
                    for _ in 0..rest.parse::<i64>().unwrap().max(0) {
                        read(r, out);
                    }
                }
                "$" => {
                    let n: i64 = rest.parse().unwrap();
                    if n >= 0 {
                        let mut buf = vec![0; n as usize + 2];
                        std::io::Read::read_exact(r, &mut buf).unwrap();
                        out.push(String::from_utf8_lossy(&buf[..n as usize]).into_owned());
                    }
                }
                _ => out.push(rest.to_string()),
            }
        }
        let mut out = Vec::new();
        read(&mut r, &mut out);
        out
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = std::os::unix::net::UnixStream::connect(&self.sock)
            .and_then(|mut s| std::io::Write::write_all(&mut s, b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n"));
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn generated_profiles_match_the_running_binaries() {
    // A drift check: re-run scripts/gen-profiles when a binary changes.
    let k = knowledge();
    for (profile, binary) in [
        ("valkey-8.1", "valkey-server-8.1"),
        ("valkey-9.1", "valkey-server-9.1"),
        ("redis-6.2", "redis-server-6.2"),
        ("redis-7.0", "redis-server-7.0"),
        ("redis-8.2", "redis-server-8.2"),
    ] {
        let Some(bin) = crate::common::oracle(&format!("bin/{binary}")) else { continue };
        let p = k.profile(profile).unwrap();
        let server = RealServer::start(&bin);
        let reply = server.call(&["CONFIG", "GET", "*"]);
        let live: std::collections::BTreeSet<String> = reply.chunks(2).map(|kv| kv[0].clone()).collect();
        let ours: std::collections::BTreeSet<String> = p
            .configs
            .iter()
            .filter(|c| !c.hidden)
            .flat_map(|c| std::iter::once(c.name.clone()).chain(c.aliases.iter().cloned()))
            .collect();
        assert_eq!(live, ours, "{profile}: CONFIG GET * names differ from the profile");
        let count: i64 = server.call(&["COMMAND", "COUNT"])[0].parse().unwrap();
        assert_eq!(Some(count), p.command_format.count, "{profile}: COMMAND COUNT");
        let top = p.commands().unwrap().top_level().count() as i64;
        assert_eq!(top, count, "{profile}: top-level commands in the table");
        let version = server.call(&["INFO", "server"]).join("");
        assert!(version.contains(&p.header.version), "{profile}: INFO server lacks {}", p.header.version);
    }
}

fn verdict(profile: &str, line: &str) -> Verdict {
    knowledge().profile(profile).unwrap().check_line(line.as_bytes())
}

fn refused(message: &str) -> Verdict {
    Verdict::Refused { message: message.into() }
}

#[test]
fn check_line_gives_the_servers_verdict_and_text() {
    assert_eq!(verdict("valkey-9.1", "io-threads 300"), refused("argument must be between 1 and 256 inclusive"));
    assert_eq!(verdict("valkey-9.1", "maxmemory 1gb"), Verdict::Accepted);
    assert_eq!(verdict("valkey-9.1", "io-threads-do-reads yes"), Verdict::Ignored);
    assert_eq!(verdict("valkey-9.1", "# a comment"), Verdict::Accepted);
    assert!(matches!(verdict("valkey-9.1", "json.max-document-size 1"), Verdict::Deferred { .. }));
    // Valkey 9 joins text after a closing quote to the argument (valkey PR #2098); 8.1 refuses.
    assert_eq!(verdict("valkey-9.1", r#"requirepass "a"b"#), Verdict::Accepted);
    assert_eq!(verdict("valkey-8.1", r#"requirepass "a"b"#), refused("Unbalanced quotes in configuration line"));
    // Redis 8 queues unknown names as module settings; it refuses negative unsigned values first.
    let Verdict::Deferred { log } = verdict("redis-8.2", "search-timeout 500") else { panic!("not deferred") };
    assert_eq!(log[1], "# >>> 'search-timeout 500'");
    assert_eq!(verdict("redis-8.2", "maxclients -1"), refused("argument must be greater or equal to 0"));
    assert_eq!(verdict("redis-7.0", "maxclients -1"), refused("argument must be between 1 and 4294967295 inclusive"));
}

#[test]
fn derived_profiles_follow_their_sources() {
    // server.md §0 point 2 and §1.2: Valkey 7.2 lacks Redis 7.4's additions, Valkey 8.0 has them.
    let bad = refused("Bad directive or wrong number of arguments");
    assert_eq!(verdict("valkey-7.2", "hide-user-data-from-log yes"), bad);
    assert_eq!(verdict("valkey-8.0", "hide-user-data-from-log yes"), Verdict::Accepted);
    assert_eq!(verdict("redis-7.4", "hide-user-data-from-log yes"), Verdict::Accepted);
    assert_eq!(verdict("redis-7.2", "hide-user-data-from-log yes"), bad);
    // io-threads: 1..128 before Valkey 8.1 (§2.1).
    assert_eq!(verdict("valkey-8.0", "io-threads 200"), refused("argument must be between 1 and 128 inclusive"));
    assert_eq!(verdict("valkey-8.1", "io-threads 200"), Verdict::Accepted);
    // primaryauth is Valkey 8.0+; masterauth its alias there, the name in 7.2 (§1.3).
    assert_eq!(verdict("valkey-7.2", "primaryauth s3cret"), bad);
    assert_eq!(verdict("valkey-7.2", "masterauth s3cret"), Verdict::Accepted);
    assert_eq!(verdict("redis-7.4", "primaryauth s3cret"), bad);
    // Hash-field TTL commands: Redis 7.4, Valkey 9.0; HGETDEL Valkey 9.1 (§3.1).
    let k = knowledge();
    let has = |p: &str, c: &str| k.profile(p).unwrap().command(c).is_some();
    assert!(has("redis-7.4", "hexpire") && !has("redis-7.2", "hexpire"));
    assert!(has("valkey-9.0", "hexpire") && !has("valkey-8.1", "hexpire"));
    assert!(has("valkey-9.1", "hgetdel") && !has("valkey-9.0", "hgetdel"));
    assert!(has("valkey-8.1", "commandlog") && !has("valkey-8.0", "commandlog"));
    // The fatal header names each version.
    let header = |p: &str| k.profile(p).unwrap().loader.fatal_header.clone();
    assert_eq!(header("valkey-9.0"), "*** FATAL CONFIG FILE ERROR (Version 9.0.0) ***");
    assert_eq!(header("redis-7.4"), "*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***");
}

#[test]
fn the_fatal_text_renders_like_the_server() {
    let p = knowledge().profile("valkey-8.1").unwrap();
    assert_eq!(
        p.render_fatal(2, "search-timeout 500", "Bad directive or wrong number of arguments"),
        "\n*** FATAL CONFIG FILE ERROR (Version 8.1.8) ***\nReading the configuration file, at line 2\n>>> \
         'search-timeout 500'\nBad directive or wrong number of arguments\n"
    );
}

#[test]
fn a_stateful_file_check_tracks_renames_and_users() {
    let k = knowledge();
    let p = k.profile("valkey-9.1").unwrap();
    let mut c = valkey_migrate::knowledge::profile::ConfigFileChecker::new(&p);
    assert_eq!(c.check_line(b"rename-command FLUSHALL safe-flush"), Verdict::Accepted);
    assert_eq!(c.check_line(b"rename-command flushall other"), refused("No such command in rename-command"));
    assert_eq!(c.check_line(b"rename-command keys safe-flush"), refused("Target command name already exists"));
    assert_eq!(c.check_line(b"user app on >pw ~app:* +@read"), Verdict::Accepted);
    assert_eq!(
        c.check_line(b"user app off"),
        refused(
            "Error in user declaration 'app': Duplicate user found. A user can only be defined once in config files"
        )
    );
}
