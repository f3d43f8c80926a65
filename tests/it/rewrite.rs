//! The rewritten configs of `plan` against the real target servers: every fixture under
//! `testdata/rewrite/`, rewritten for Valkey 8.1 and for Valkey 9.1, must start the real
//! valkey-server 8.1.8 / 9.1.2 (a sentinel config, its sentinel), while the originals do not —
//! and nothing of the original may be lost: every line is still there, as it was or commented.

use crate::common::{cmd, copy_tree, oracle, testdata};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a start ended: `Ok` when the server came up (or, for a sentinel started without a
/// port, got past its config), `Err` with what it printed otherwise.
fn start(binary: &Path, dir: &Path, rel: &str, sentinel: bool) -> Result<(), String> {
    let run = tempfile::tempdir().unwrap();
    let socket = run.path().join("s.sock");
    let mut text = std::fs::read(dir.join(rel)).unwrap();
    // The lines that make a config file runnable here come last, so they win; everything the
    // file itself sets is read first, as on its own host.
    text.extend_from_slice(
        format!(
            "\nport 0\nunixsocket {}\ndir {}\nlogfile \"\"\ndaemonize no\npidfile {}\nsave \"\"\nappendonly no\n",
            socket.display(),
            run.path().display(),
            run.path().join("pid").display()
        )
        .as_bytes(),
    );
    let conf = run.path().join("server.conf");
    std::fs::write(&conf, &text).unwrap();
    let mut c = Command::new(binary);
    c.arg(&conf).current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if sentinel {
        c.arg("--sentinel");
    }
    let mut child = c.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if socket.exists() {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(());
        }
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
            // A sentinel without a port stops once its config is read: that is a pass.
            if sentinel && !text.contains("FATAL CONFIG FILE ERROR") && text.contains("not listen anywhere") {
                return Ok(());
            }
            return Err(format!("{status}: {text}"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("did not come up in 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The plan's rewritten configs for `target`, applied over a copy of the fixtures.
fn rewritten(target: &str) -> (tempfile::TempDir, Vec<String>) {
    let repo = copy_tree(&testdata("rewrite"));
    let out = tempfile::tempdir().unwrap();
    let plan_dir = out.path().join("plan");
    let status = cmd()
        .args(["plan", repo.path().to_str().unwrap(), "--no-config", "--target", target, "--out"])
        .arg(&plan_dir)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", String::from_utf8_lossy(&status.stderr));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan_dir.join("plan.json")).unwrap()).unwrap();
    let mut files = Vec::new();
    for a in plan["artifacts"].as_array().unwrap().iter().filter(|a| a["kind"] == "config") {
        let original = a["replaces"].as_str().unwrap().to_string();
        std::fs::copy(plan_dir.join(a["path"].as_str().unwrap()), repo.path().join(&original)).unwrap();
        files.push(original);
    }
    files.sort();
    (repo, files)
}

fn fixtures() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p: PathBuf = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let base = testdata("rewrite");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// Files that are started on their own (an included file is started through its includer).
fn started(files: &[String]) -> Vec<&String> {
    files.iter().filter(|f| !f.ends_with("common.conf")).collect()
}

fn check_target(target: &str, binary: &str) {
    let Some(bin) = oracle(&format!("bin/{binary}")) else { return };
    let original = testdata("rewrite");
    let (repo, files) = rewritten(target);
    // Every fixture but the one that needs nothing on this target is rewritten.
    assert!(files.len() >= fixtures().len() - 1, "{target}: rewritten {files:?}");
    for rel in started(&fixtures()) {
        let sentinel = rel.contains("sentinel");
        let before = start(&bin, &original, rel, sentinel);
        let after = start(&bin, repo.path(), rel, sentinel);
        assert!(after.is_ok(), "{target}: {binary} refuses the rewritten {rel}: {}", after.unwrap_err());
        if files.contains(rel) && rel != "layered/valkey.conf" {
            assert!(before.is_err(), "{target}: {binary} already starts with the original {rel}");
        }
    }
    // Nothing is lost: each original line is in the rewrite, as it was or after `# `.
    for rel in &files {
        let old = std::fs::read(original.join(rel)).unwrap();
        let new = std::fs::read(repo.path().join(rel)).unwrap();
        let new_lines: Vec<&[u8]> = new.split(|&b| b == b'\n').collect();
        for line in old.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let kept = new_lines.iter().any(|n| *n == line || n.strip_prefix(b"# ") == Some(line));
            assert!(kept, "{target}: {rel} lost the line {:?}", String::from_utf8_lossy(line));
        }
    }
}

#[test]
fn rewritten_configs_start_valkey_9_1() {
    check_target("valkey-9.1", "valkey-server-9.1");
}

#[test]
fn rewritten_configs_start_valkey_8_1() {
    check_target("valkey-8.1", "valkey-server-8.1");
}

#[test]
fn the_rewrite_keeps_bytes_it_does_not_change() {
    let (repo, _) = rewritten("valkey-9.1");
    let new = std::fs::read(repo.path().join("redis-windows.conf")).unwrap();
    // CRLF stays CRLF, on the comment lines too; tabs stay tabs.
    assert!(new.split(|&b| b == b'\n').filter(|l| !l.is_empty()).all(|l| l.ends_with(b"\r")), "{new:?}");
    assert!(String::from_utf8_lossy(&new).contains("\tmaxmemory\t100mb\r\n"));
    let text = String::from_utf8_lossy(&new);
    assert!(text.contains("# sanitize-dump-payload yes\r\n"), "{text}");
    // Valkey 8.1 still reads sanitize-dump-payload: only 9.1 ignores it.
    let (repo81, _) = rewritten("valkey-8.1");
    let text81 = std::fs::read_to_string(repo81.path().join("redis-windows.conf")).unwrap();
    assert!(text81.contains("\nsanitize-dump-payload yes\r\n"), "{text81}");
}
