//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    repo_root().join("testdata").join(rel)
}

/// The `valkey-migrate` binary under test, run with a clean environment for determinism.
pub fn cmd() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("valkey-migrate").expect("binary built");
    c.env_remove("GITHUB_STEP_SUMMARY").env("NO_COLOR", "1").env_remove("COLUMNS");
    c
}

/// Where `scripts/install-oracles` put the real servers and tools.
pub fn oracles_dir() -> PathBuf {
    std::env::var_os("VALKEY_MIGRATE_ORACLES").map(PathBuf::from).unwrap_or_else(|| repo_root().join(".oracles"))
}

/// A real binary from the oracles, or `None` when it is not installed. When the suite runs
/// under `scripts/test` (VALKEY_MIGRATE_REQUIRE_ORACLES=1) a missing oracle is a failure, so
/// the tests that compare with real servers can never pass by being skipped in CI.
pub fn oracle(rel: &str) -> Option<PathBuf> {
    let path = oracles_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("VALKEY_MIGRATE_REQUIRE_ORACLES").is_ok_and(|v| v == "1") {
        panic!("oracle {} is missing; run scripts/install-oracles", path.display());
    }
    eprintln!("skipping: oracle {} not installed (run scripts/install-oracles)", path.display());
    None
}

/// Copies a fixture tree into a fresh temp dir, so tests can add files (or break them)
/// without touching the repository.
pub fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(from, dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs `audit --format json` and returns the parsed document and the exit code.
pub fn audit_json(dir: &Path, extra: &[&str]) -> (serde_json::Value, i32) {
    let out = cmd().arg("audit").arg(dir).args(["--format", "json"]).args(extra).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, code)
}

/// `code@file:line` for each finding, the compact form most assertions compare.
pub fn finding_keys(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}:{}", f["code"].as_str().unwrap(), f["file"].as_str().unwrap(), f["line"]))
        .collect()
}

/// A real server from the oracles, started on a unix socket in a temp dir with no
/// persistence, and stopped (killed and reaped) when dropped.
pub struct RealServer {
    child: std::process::Child,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl RealServer {
    /// `None` when the oracle is not installed (and not required).
    pub fn start(binary: &str, extra_config: &str) -> Option<RealServer> {
        let bin = oracle(&format!("bin/{binary}"))?;
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("server.sock");
        let conf = dir.path().join("server.conf");
        std::fs::write(
            &conf,
            format!(
                "port 0\nunixsocket {}\nsave \"\"\nappendonly no\ndir {}\nlogfile \"\"\n{extra_config}\n",
                socket.display(),
                dir.path().display()
            ),
        )
        .unwrap();
        let child = std::process::Command::new(bin)
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut server = RealServer { child, socket, _dir: dir };
        for _ in 0..500 {
            // The file appears at bind(), just before listen(): wait until it accepts.
            if server.socket.exists() && std::os::unix::net::UnixStream::connect(&server.socket).is_ok() {
                return Some(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{binary} exited at start with {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = server.child.kill();
        panic!("{binary} did not open its socket");
    }

    pub fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
