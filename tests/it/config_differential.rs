//! The config loader reproduced in `knowledge::profile` against the real one: for a corpus of
//! config lines (every directive name of every profile, good and bad values, wrong arity,
//! quoting edge cases), our verdict — refused or not, and the message — must equal what the
//! real server does when started on a file holding those lines.
//!
//! The server stops at the first line it refuses, so the file is started again from the line
//! after each refusal, behind the lines accepted so far (they carry state: users defined,
//! commands renamed). A line it refuses nowhere else ends each file, so a server never gets as
//! far as listening. That is one start per refused line.

use crate::common::oracle;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use valkey_migrate::knowledge::Knowledge;
use valkey_migrate::knowledge::profile::{ConfigFileChecker, ConfigParam, ConfigType, Profile, Verdict};

const SENTINEL: &[u8] = b"port sentinel-not-a-number";

/// What the real server did with one line: `None` accepted, `Some(message)` refused.
pub(crate) type Outcome = Option<String>;

/// Starts `binary` on `content` and returns the line it refused and the message.
fn first_refusal(binary: &Path, dir: &Path, content: &[u8]) -> Option<(usize, String)> {
    let path = dir.join("probe.conf");
    std::fs::write(&path, content).unwrap();
    let mut child = Command::new(binary)
        .arg(&path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} kept running on {}", binary.display(), String::from_utf8_lossy(content));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut err = Vec::new();
    child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
    let text = String::from_utf8_lossy(&err);
    let block = &text[text.rfind("\n*** FATAL CONFIG FILE ERROR")?..];
    let mut lines = block.lines().skip(2);
    let at: usize = lines.next()?.strip_prefix("Reading the configuration file, at line ")?.parse().ok()?;
    lines.next()?; // >>> 'line'
    let message = lines.collect::<Vec<_>>().join("\n");
    Some((at, message))
}

/// The real server's outcome for each line.
pub(crate) fn real_outcomes(binary: &Path, lines: &[Vec<u8>]) -> Vec<Outcome> {
    let dir = tempfile::tempdir().unwrap();
    let mut out: Vec<Option<Outcome>> = vec![None; lines.len()];
    let mut accepted: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut body: Vec<&[u8]> = accepted.clone();
        body.extend(lines[i..].iter().map(Vec::as_slice));
        body.push(SENTINEL);
        let content = body.join(&b"\n"[..]);
        let Some((at, message)) = first_refusal(binary, dir.path(), &[content, b"\n".to_vec()].concat()) else {
            // The server died without its fatal block (6.2's `dir` exits from chdir): find
            // the culprit by trying the next line alone.
            let mut one: Vec<&[u8]> = accepted.clone();
            one.push(&lines[i]);
            one.push(SENTINEL);
            match first_refusal(binary, dir.path(), &[one.join(&b"\n"[..]), b"\n".to_vec()].concat()) {
                Some((at, _)) if at == accepted.len() + 2 => {
                    out[i] = Some(None);
                    accepted.push(&lines[i]);
                }
                Some((_, message)) => out[i] = Some(Some(message)),
                None => out[i] = Some(Some("(the server exits without a fatal config error block)".into())),
            }
            i += 1;
            continue;
        };
        let k = at - 1 - accepted.len();
        for j in i..(i + k).min(lines.len()) {
            out[j] = Some(None);
            accepted.push(&lines[j]);
        }
        if i + k >= lines.len() {
            break;
        }
        out[i + k] = Some(Some(message));
        i += k + 1;
    }
    out.into_iter().map(|o| o.expect("every line classified")).collect()
}

/// Our outcome for each line: refusals do not change the checker's state, as a refused line
/// is not in the server's next run.
fn our_outcomes(profile: &Profile, lines: &[Vec<u8>]) -> Vec<Outcome> {
    let mut checker = ConfigFileChecker::new(profile);
    lines
        .iter()
        .map(|l| match checker.check_line(l) {
            Verdict::Refused { message } => Some(message),
            // Deferred names pass the parser; the start aborts later, past our sentinel.
            Verdict::Accepted | Verdict::Ignored | Verdict::Deferred { .. } => None,
        })
        .collect()
}

fn q(v: &str) -> String {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic() && !b"\"'\\".contains(&b)) {
        return v.to_string();
    }
    let mut s = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if (' '..='~').contains(&c) => s.push(c),
            c => {
                for b in c.to_string().bytes() {
                    s.push_str(&format!("\\x{b:02x}"));
                }
            }
        }
    }
    s.push('"');
    s
}

fn values_for(c: &ConfigParam) -> Vec<String> {
    let mut v: Vec<String> = vec!["zzzz-invalid".into(), String::new()];
    if let Some(d) = &c.default {
        v.push(d.clone());
    }
    match c.kind {
        ConfigType::Bool => v.extend(["yes", "no", "YES", "maybe", "1", "yes\0no"].map(String::from)),
        ConfigType::Enum => {
            v.extend(c.values.iter().cloned());
            v.extend(c.values.iter().map(|x| x.to_uppercase()));
            if c.values.len() > 1 {
                v.push(format!("{} {}", c.values[0], c.values[1]));
                v.push(format!("{} {}", c.values[c.values.len() - 1], c.values[1]));
            }
        }
        ConfigType::Int | ConfigType::Memory | ConfigType::MemoryPercent | ConfigType::Octal => {
            v.extend(
                [
                    "0",
                    "1",
                    "-1",
                    "01",
                    "+1",
                    "1.5",
                    "abc",
                    "2147483647",
                    "2147483648",
                    "4294967296",
                    "9223372036854775807",
                    "9223372036854775808",
                    "-9223372036854775808",
                    "18446744073709551615",
                    "99999999999999999999",
                    " 5",
                ]
                .map(String::from),
            );
            for bound in [&c.min, &c.max].into_iter().flatten() {
                if let Ok(n) = bound.parse::<i128>() {
                    v.extend([n - 1, n, n + 1].map(|x| x.to_string()));
                }
            }
            if matches!(c.kind, ConfigType::Memory | ConfigType::MemoryPercent) {
                v.extend(
                    ["1k", "1kb", "10MB", "1gb", "1G", "1tb", "1.5gb", "-1gb", "k", "1b", "1\0zz"].map(String::from),
                );
            }
            if c.kind == ConfigType::MemoryPercent {
                v.extend(["0%", "50%", "100%", "101%", "-5%", "%", "5%%", "99999999999999999999%"].map(String::from));
            }
            if c.kind == ConfigType::Octal {
                v.extend(["777", "0777", "0o7", "8", "1000", "-0"].map(String::from));
            }
        }
        ConfigType::String => {
            v.extend(
                [
                    "abc",
                    "a b",
                    "a/b",
                    "a\\b",
                    "bad char!",
                    "{title}",
                    "x{title}",
                    "{bogus}",
                    "{{x",
                    "a{b",
                    "::1",
                    "10.0.0.1",
                    "1.2.3",
                    "a\0b",
                ]
                .map(String::from),
            );
            v.push("h".repeat(255));
            v.push("h".repeat(256));
            v.push("h".repeat(300));
        }
        ConfigType::Special => v.extend(special_values(&c.name)),
    }
    v
}

fn special_values(name: &str) -> Vec<String> {
    let s: &[&str] = match name {
        "save" => &["", "900 1", "900 1 300 10", "900", "0 1", "1 -1", "a 1", "900 1 300", "1 0", " 900 1", "3600 1x"],
        "client-output-buffer-limit" => &[
            "normal 0 0 0",
            "replica 256mb 64mb 60",
            "slave 1gb 1gb 0",
            "pubsub 32mb 8mb 60",
            "master 0 0 0",
            "normal 0 0",
            "bogus 0 0 0",
            "normal 1tb 0 0",
            "normal 0 0 -1",
            "normal 0 0 4294967295",
            "normal 0 0 x",
            "NORMAL 0 0 0 pubsub 1 1 1",
        ],
        "oom-score-adj-values" => &["0 200 800", "0 200", "0 200 2001", "-2000 0 2000", "a b c", "0 200 800 1"],
        "notify-keyspace-events" => &["KEA", "Ex", "", "KEA!", "g$lshzxetmdn", "z\0!", "o", "c", "n", "KEAX"],
        "bind" | "rdma-bind" => &["127.0.0.1", "127.0.0.1 -::1", "* -::*", "not-an-address"],
        "replicaof" => &[
            "no one",
            "NO ONE",
            "127.0.0.1 6379",
            "127.0.0.1 65536",
            "127.0.0.1 -1",
            "127.0.0.1 x",
            "host",
            "127.0.0.1 4294967297",
        ],
        "latency-tracking-info-percentiles" => {
            &["50 99 99.9", "", "0", "100", "100.1", "-1", "x", "0x10", "inf", "nan", "1e2", "1e-400", "50 x"]
        }
        "dir" => &["/tmp", ".", ""],
        _ => &[],
    };
    s.iter().map(|x| x.to_string()).collect()
}

/// Lines for every name of every profile (a name unknown to the target must be refused),
/// with values that exercise its type, arity and the tokeniser.
fn corpus(target: &Profile, all: &[std::sync::Arc<Profile>]) -> Vec<Vec<u8>> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for p in all {
        for c in &p.configs {
            names.insert(c.name.clone());
            names.extend(c.aliases.iter().cloned());
        }
        for d in &p.directives {
            names.insert(d.name.clone());
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for name in &names {
        let config = target.config(name).or_else(|| all.iter().find_map(|p| p.config(name)));
        match name.as_str() {
            "include" => lines.extend(["include".into(), "include /dev/null".into(), "include /dev/null x".into()]),
            "rename-command" => lines.extend([
                "rename-command".into(),
                "rename-command flushall".into(),
                "rename-command zzzz-nosuch x".into(),
                "rename-command FLUSHALL zzzz-flushall".into(),
                "rename-command flushall again".into(),
                "rename-command zzzz-flushall get".into(),
                "rename-command debug \"\"".into(),
                "rename-command keys KEYS".into(),
                "rename-command a b c".into(),
            ]),
            "user" => lines.extend(user_lines()),
            "loadmodule" => lines.extend(["loadmodule".into(), "loadmodule /nonexistent/module.so arg".into()]),
            "sentinel" => lines.extend(["sentinel".into(), "sentinel monitor mymaster 127.0.0.1 6379 2".into()]),
            // A `dir` that does not exist is refused by chdir(): an environment fact, not
            // the loader's; only existing directories and the empty one are compared.
            "dir" => lines.extend(special_values("dir").iter().map(|v| format!("dir {}", q(v)))),
            _ => {
                lines.push(name.clone());
                lines.push(format!("{name} a b"));
                lines.push(format!("{name} a b c d"));
                if let Some(c) = config {
                    for v in values_for(c) {
                        lines.push(format!("{name} {}", q(&v)));
                    }
                    if c.multi_arg && c.kind == ConfigType::Special {
                        for v in special_values(&c.name) {
                            lines.push(format!("{name} {v}"));
                        }
                    }
                } else {
                    lines.extend([format!("{name} yes"), format!("{name} 1")]);
                }
            }
        }
    }
    lines.extend(quoting_lines());
    // Nothing here runs past the loader (the sentinel line stops it), so `daemonize yes` or a
    // `logfile` path cannot take effect; only `dir` and `include` touch the machine at parse.
    lines.into_iter().map(String::into_bytes).collect()
}

fn user_lines() -> Vec<String> {
    [
        "user",
        "user alice",
        "user bob on >secret ~* &* +@all",
        "user bob on",
        "user carol on nopass badop",
        "user dave off #zz",
        "user erin on <nopass",
        "user frank ~* ~x",
        "user grace &* &x",
        "user heidi on +config|get|x",
        "user ivan on +get|",
        "user judy on (~a",
        "user mallory on (~a +get)",
        "user mallory2 on (~a (+get)",
        "user oscar on db=0",
        "user peggy %RW~k %X~k",
        "user sybil on +nosuchcommand -@nosuchcategory",
        "user trent on resetpass >a <a",
        "user victor on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 <password",
        "user walter \"~a b\"",
        "user xavier on clearselectors sanitize-payload skip-sanitize-payload",
        "user yolanda reset on alldbs",
        "user zed on &chan",
    ]
    .map(String::from)
    .to_vec()
}

fn quoting_lines() -> Vec<String> {
    [
        "port \"6379",
        "port '6379",
        "port \"63\"79",
        "port '63'79",
        "port 63\"79\"",
        "requirepass \"a\"b",
        "requirepass \"a b\" c",
        "requirepass \"\\x41\\x42\"",
        "requirepass \"\\xZZ\"",
        "requirepass \"a\\\"b\"",
        "requirepass 'it\\'s'",
        "requirepass \"tab\\there\"",
        "maxmemory \"1\\x00zz\"",
        "appendonly \"yes\\x00zz\"",
        "maxmemory-policy \"allkeys-lru\\x00x\"",
        "hz 10 # a comment",
        "hz \"10\"",
        "HZ 10",
        "Hz '10'",
        "   hz 10   ",
        "\thz\t10",
        "hz 10\r",
        "#hz bogus",
        "  # indented comment",
        "\"hz\" 10",
        "\"\" 10",
        "save \"900 1\" \"300 10\"",
        "save \"\\\"900 1\"",
        "save \"\"",
        "bind \"127.0.0.1 -::1\"",
        "maxmemory \"\"",
        "unixsocketperm \"\"",
        "zzzz.module-option 1",
        "zzzz.module-option",
        "Module.Option 1 2",
        "search-timeout 500",
        "ts-compaction-policy avg:1m:1h",
        "io-threads 300",
        "maxmemory-policy allkeys-foo",
    ]
    .map(String::from)
    .to_vec()
}

/// Compares our verdicts with a real binary's; returns (agreeing lines, total, disagreements).
fn differential(profile_name: &str, binary: &str) -> Option<(usize, usize, Vec<String>)> {
    let bin = oracle(&format!("bin/{binary}"))?;
    let k = Knowledge::embedded().unwrap();
    let all: Vec<_> = k.profile_names().iter().filter_map(|n| k.profile(n).ok()).collect();
    let target = k.profile(profile_name).unwrap();
    let lines = corpus(&target, &all);
    let start = Instant::now();
    let real = real_outcomes(&bin, &lines);
    let ours = our_outcomes(&target, &lines);
    let mut diffs = Vec::new();
    for ((line, r), o) in lines.iter().zip(&real).zip(&ours) {
        if r != o {
            diffs.push(format!("{:?}: server {:?}, ours {:?}", String::from_utf8_lossy(line), r, o));
        }
    }
    let agree = lines.len() - diffs.len();
    eprintln!(
        "config differential {profile_name} vs {binary}: {agree}/{} lines agree ({:.2}%), {} refused, {:?}",
        lines.len(),
        100.0 * agree as f64 / lines.len() as f64,
        real.iter().filter(|r| r.is_some()).count(),
        start.elapsed()
    );
    Some((agree, lines.len(), diffs))
}

fn assert_agrees(profile_name: &str, binary: &str) {
    let Some((agree, total, diffs)) = differential(profile_name, binary) else { return };
    assert!(diffs.is_empty(), "{profile_name}: {agree}/{total} agree; disagreements:\n{}", diffs.join("\n"));
}

#[test]
fn valkey_9_1_loader_matches_the_real_server() {
    assert_agrees("valkey-9.1", "valkey-server-9.1");
}

#[test]
fn valkey_8_1_loader_matches_the_real_server() {
    assert_agrees("valkey-8.1", "valkey-server-8.1");
}

#[test]
fn redis_7_0_loader_matches_the_real_server() {
    assert_agrees("redis-7.0", "redis-server-7.0");
}

#[test]
fn redis_8_2_loader_matches_the_real_server() {
    assert_agrees("redis-8.2", "redis-server-8.2");
}

/// Redis 6.2 reads a dozen directives (`save`, `slaveof`, `logfile`, `client-output-buffer-limit`,
/// …) in branches of its own rather than through the config table, with other arities and
/// texts; those are not reproduced, so 6.2 is held to its measured agreement, not to 100%.
/// It is a source profile (a team migrates from it), never a target.
#[test]
fn redis_6_2_loader_mostly_matches_the_real_server() {
    let Some((agree, total, diffs)) = differential("redis-6.2", "redis-server-6.2") else { return };
    let rate = agree as f64 / total as f64;
    assert!(rate >= 0.985, "redis-6.2: {agree}/{total} agree; disagreements:\n{}", diffs.join("\n"));
}

#[test]
fn the_fatal_text_is_the_servers() {
    let Some(bin) = oracle("bin/valkey-server-9.1") else { return };
    let k = Knowledge::embedded().unwrap();
    let p = k.profile("valkey-9.1").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.conf");
    std::fs::write(&file, "port 0\n\n  io-threads 300  \n").unwrap();
    let out = Command::new(&bin).arg(&file).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let Verdict::Refused { message } = p.check_line(b"  io-threads 300  ") else { panic!("accepted") };
    assert_eq!(String::from_utf8_lossy(&out.stderr), p.render_fatal(3, "io-threads 300", &message));
}
