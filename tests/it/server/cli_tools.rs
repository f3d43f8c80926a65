//! valkey-cli and redis-cli against the bundled server: the same commands print the same
//! output as against the real server (one-shot, piped, RESP3), and MONITOR says plainly that
//! it is not supported.

use super::harness::{start_bundled, start_real};
use crate::common::oracle;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn cli(tool: &Path, socket: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(tool)
        .arg("-s")
        .arg(socket)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

const ONE_SHOT: &[&[&str]] = &[
    &["PING"],
    &["SET", "a", "1"],
    &["INCR", "a"],
    &["GET", "a"],
    &["HSET", "h", "f", "v", "g", "w"],
    &["HGETALL", "h"],
    &["RPUSH", "l", "x", "y"],
    &["LRANGE", "l", "0", "-1"],
    &["ZADD", "z", "1.5", "m"],
    &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    &["CONFIG", "GET", "maxmemory"],
    &["COMMAND", "COUNT"],
    &["NOSUCH", "x"],
    &["LPUSH", "a", "x"],
    &["EXISTS", "a", "nope"],
    &["TTL", "a"],
    &["-3", "HGETALL", "h"],
    &["-3", "ZRANGE", "z", "0", "-1", "WITHSCORES"],
    &["--no-raw", "GET", "a"],
];

const PIPED: &str = "SET p 1\nINCR p\nGET p\nHSET hp a 1\nHGETALL hp\nMULTI\nINCR p\nEXEC\nNOSUCH\n";

#[test]
fn valkey_cli_and_redis_cli_print_what_they_print_for_the_real_server() {
    for tool in ["bin/valkey-cli", "bin/redis-cli"] {
        let Some(tool) = oracle(tool) else { continue };
        for profile in ["valkey-8.1", "valkey-9.1"] {
            let Some(real) = start_real(profile, &[]) else { continue };
            let bundled = start_bundled(profile, &[]);
            for args in ONE_SHOT {
                let want = cli(&tool, real.socket(), args, None);
                let got = cli(&tool, bundled.socket(), args, None);
                assert_eq!(got, want, "{} {profile} {args:?}", tool.display());
            }
            let want = cli(&tool, real.socket(), &[], Some(PIPED));
            let got = cli(&tool, bundled.socket(), &[], Some(PIPED));
            assert_eq!(got, want, "{} {profile} piped", tool.display());
            let info = cli(&tool, bundled.socket(), &["INFO", "server"], None);
            let version = &super::harness::knowledge().profile(profile).unwrap().header.version;
            assert!(info.contains(&format!("valkey_version:{version}")), "{info}");
        }
    }
}

#[test]
fn monitor_says_it_is_not_supported() {
    let Some(tool) = oracle("bin/valkey-cli") else { return };
    let bundled = start_bundled("valkey-9.1", &[]);
    let out = cli(&tool, bundled.socket(), &["MONITOR"], None);
    assert!(out.contains("does not implement 'monitor'"), "{out}");
}
