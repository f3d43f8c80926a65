//! INFO fields whose values the sessions mask (they change from run to run, or describe the
//! machine) must still have the real server's shape: a client or a monitoring agent that
//! parses `ok`, a ratio, a percentage or a human size must read one here too.

use super::harness::{PROFILES, start_bundled, start_real};
use std::io::{Read, Write};

/// `INFO everything` as `name → value`, per-item sections (`cmdstat_…`, `db0`, …) left out.
fn info(target: &super::harness::Target) -> Vec<(String, String)> {
    let mut s = target.connect();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    s.write_all(b"*2\r\n$4\r\nINFO\r\n$10\r\neverything\r\n").unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the INFO reply was complete");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((header, body)) = text.split_once("\r\n") {
            let len: usize = header.trim_start_matches('$').parse().unwrap();
            if body.len() >= len + 2 {
                return body[..len]
                    .split("\r\n")
                    .filter(|l| !l.starts_with('#'))
                    .filter_map(|l| l.split_once(':'))
                    .filter(|(k, v)| !v.contains('=') && !k.starts_with("db"))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
            }
        }
    }
}

fn shape(value: &str) -> &'static str {
    let all = |s: &str, f: fn(u8) -> bool| !s.is_empty() && s.bytes().all(f);
    let digits = |s: &str| all(s, |b| b.is_ascii_digit());
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    if digits(unsigned) {
        return "integer";
    }
    if let Some(n) = value.strip_suffix('%') {
        return if n.split_once('.').is_some_and(|(a, b)| digits(a) && b.len() == 2 && digits(b)) {
            "percent"
        } else {
            "text"
        };
    }
    if let Some((a, b)) = unsigned.split_once('.') {
        if digits(a) && digits(b) {
            return if b.len() == 2 {
                "decimal(2)"
            } else if b.len() == 6 {
                "decimal(6)"
            } else {
                "decimal"
            };
        }
        if digits(a) && b.split('.').all(digits) {
            return "version";
        }
        if digits(a) && b.len() == 3 && digits(&b[..2]) && b.as_bytes()[2].is_ascii_alphabetic() {
            return "human size";
        }
    }
    if value.len() > 1 && digits(&value[..value.len() - 1]) && value.as_bytes()[value.len() - 1].is_ascii_alphabetic() {
        return "human size";
    }
    if value.is_empty() { "empty" } else { "text" }
}

#[test]
fn unrecorded_info_values_have_the_real_servers_shape() {
    for profile in PROFILES {
        let Some(real) = start_real(profile, &[]) else { continue };
        let bundled = start_bundled(profile, &[]);
        let (real, bundled) = (info(&real), info(&bundled));
        let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        assert_eq!(names(&bundled), names(&real), "{profile}: the fields of INFO everything");
        let differ: Vec<String> = real
            .iter()
            .zip(&bundled)
            .filter(|((_, r), (_, b))| shape(r) != shape(b))
            // The path of the executable and of the config file are text either way.
            .map(|((k, r), (_, b))| format!("{k}: real {r:?} ({}), bundled {b:?} ({})", shape(r), shape(b)))
            .collect();
        assert!(differ.is_empty(), "{profile}: values of another shape:\n{}", differ.join("\n"));
    }
}
