//! Runs scripted sessions against the bundled server and the real server of the same
//! profile, and renders what each answered, frame by frame, for a byte-for-byte comparison.
//!
//! A session script (`testdata/server/sessions/*.session`) is a list of steps:
//!
//! ```text
//! # comment
//! @profiles valkey-9.1          which profiles to run (default: the Valkey ones; the Redis
//!                               profiles join where their servers answer alike)
//! @config maxclients 3          config both servers start with (before the first step)
//! @conn sub                     following steps use connection `sub` (opened on first use)
//! SET k "a b"                   a command, tokenised like the server's inline protocol and
//!                               sent as a RESP array; one reply is read
//! !2 SUBSCRIBE a b              read two replies
//! !0 BLPOP l 0                  read nothing (the client blocks)
//! !close raw "*x\r\n"           raw bytes (C escapes); read until the server closes
//! inline SET a "b               raw inline line (CRLF added)
//! @read 1                       read one more reply without sending
//! @quiet                        nothing else may arrive
//! @sleep 50                     milliseconds
//! @scanall SCAN {cursor} COUNT 2   iterate to cursor 0, record the sorted elements
//! ~sort KEYS *                  normalisers before the command: ~sort (array order),
//!                               ~ints (integer values), ~shape (values, keep types),
//!                               ~fields:a,b (values of `a=`/`a:` fields, and of map keys),
//!                               ~info (INFO fields the profile marks volatile),
//!                               ~sortlines (line order within INFO sections)
//! ```
//!
//! Normalisers are explicit per step, so a difference can only be hidden where the script
//! says a value legitimately differs (ids, timestamps, addresses, ordering of hash tables).

#![allow(dead_code)]

use super::normalise::{Norm, normalise};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use valkey_migrate::knowledge::Knowledge;
use valkey_migrate::server::Listen;
use valkey_migrate::server::embed::Running;
use valkey_migrate::server::frame::{Decoder, Frame};

/// A real server binary for each profile we compare against.
pub fn oracle_for(profile: &str) -> Option<&'static str> {
    match profile {
        "valkey-8.1" => Some("bin/valkey-server-8.1"),
        "valkey-9.1" => Some("bin/valkey-server-9.1"),
        "redis-6.2" => Some("bin/redis-server-6.2"),
        "redis-7.0" => Some("bin/redis-server-7.0"),
        "redis-8.2" => Some("bin/redis-server-8.2"),
        _ => None,
    }
}

pub const PROFILES: &[&str] = &["valkey-8.1", "valkey-9.1"];

pub enum Target {
    Real { child: Child, dir: tempfile::TempDir, socket: PathBuf },
    Bundled { running: Running, _dir: tempfile::TempDir, socket: PathBuf },
}

impl Target {
    pub fn socket(&self) -> &Path {
        match self {
            Target::Real { socket, .. } | Target::Bundled { socket, .. } => socket,
        }
    }

    pub fn connect(&self) -> UnixStream {
        let s = UnixStream::connect(self.socket()).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        s
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Target::Real { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the real server for a profile (`None` when its oracle is not installed).
pub fn start_real(profile: &str, config: &[(String, String)]) -> Option<Target> {
    let bin = crate::common::oracle(oracle_for(profile)?)?;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("real.sock");
    let mut cmd = Command::new(bin);
    cmd.args(["--port", "0", "--save", "", "--appendonly", "no", "--loglevel", "warning"])
        .arg("--unixsocket")
        .arg(&socket)
        .arg("--dir")
        .arg(dir.path());
    for (k, v) in config {
        cmd.arg(format!("--{k}")).arg(v);
    }
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start real server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !socket.exists() || UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "real server for {profile} did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    Some(Target::Real { child, dir, socket })
}

pub fn knowledge() -> &'static Knowledge {
    static K: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
    K.get_or_init(|| Knowledge::embedded().expect("embedded knowledge loads"))
}

pub fn start_bundled(profile: &str, config: &[(String, String)]) -> Target {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bundled.sock");
    let profile = knowledge().profile(profile).expect("profile");
    let listen = Listen { tcp: false, bind: vec![], port: 0, unixsocket: Some(socket.clone()), unixsocketperm: None };
    let cfg: Vec<(&str, &str)> = config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let running = Running::start(Arc::clone(&profile), &cfg, listen).expect("start bundled server");
    // Connect once as `start_real` does to see the server up, so connection counts agree.
    drop(UnixStream::connect(&socket));
    std::thread::sleep(Duration::from_millis(5));
    Target::Bundled { running, _dir: dir, socket }
}

#[derive(Debug, Clone)]
enum Step {
    Conn(String),
    Sleep(u64),
    Read(usize),
    Quiet,
    Close,
    ScanAll { words: Vec<Vec<u8>>, norm: Norm },
    Send { bytes: Vec<u8>, expect: Expect, norm: Norm, text: String },
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    Frames(usize),
    Close,
}

pub struct Script {
    pub name: String,
    pub profiles: Vec<String>,
    pub config: Vec<(String, String)>,
    steps: Vec<(usize, Step)>,
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
            match b[i] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    out
}

pub fn encode_command(words: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for w in words {
        out.extend_from_slice(format!("${}\r\n", w.len()).as_bytes());
        out.extend_from_slice(w);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn split(line: &str) -> Vec<Vec<u8>> {
    valkey_migrate::knowledge::profile::cparse::split_args(
        line.as_bytes(),
        valkey_migrate::knowledge::profile::QuoteTail::Refused,
    )
    .unwrap_or_else(|_| panic!("unbalanced quotes in script line {line:?}"))
}

impl Script {
    pub fn load(path: &Path) -> Script {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut script = Script {
            name,
            profiles: PROFILES.iter().map(|p| p.to_string()).collect(),
            config: Vec::new(),
            steps: Vec::new(),
        };
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let lineno = n + 1;
            let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
            let step = match head {
                "@profiles" => {
                    script.profiles = rest.split_whitespace().map(str::to_string).collect();
                    continue;
                }
                "@config" => {
                    let (k, v) = rest.split_once(' ').unwrap_or((rest, ""));
                    let v = split(v).into_iter().next().map(|w| String::from_utf8(w).unwrap()).unwrap_or_default();
                    script.config.push((k.to_string(), v));
                    continue;
                }
                "@conn" => Step::Conn(rest.to_string()),
                "@sleep" => Step::Sleep(rest.parse().unwrap()),
                "@read" => Step::Read(rest.parse().unwrap()),
                "@quiet" => Step::Quiet,
                "@close" => Step::Close,
                _ => {
                    let mut expect = Expect::Frames(1);
                    let mut norm = Norm::default();
                    let mut rest_line = line;
                    loop {
                        let (word, tail) = rest_line.split_once(' ').unwrap_or((rest_line, ""));
                        if let Some(n) = word.strip_prefix('!') {
                            expect = if n == "close" { Expect::Close } else { Expect::Frames(n.parse().unwrap()) };
                        } else if word == "~sort" {
                            norm.sort = true;
                        } else if word == "~ints" {
                            norm.ints = true;
                        } else if word == "~sortpairs" {
                            norm.sortpairs = true;
                        } else if word == "~sortlines" {
                            norm.sortlines = true;
                        } else if word == "~info" {
                            norm.info = true;
                        } else if word == "~shape" {
                            norm.shape = true;
                        } else if let Some(f) = word.strip_prefix("~fields:") {
                            norm.fields = f.split(',').map(str::to_string).collect();
                        } else {
                            break;
                        }
                        rest_line = tail;
                    }
                    if let Some(cmd) = rest_line.strip_prefix("@scanall ") {
                        Step::ScanAll { words: split(cmd), norm }
                    } else if let Some(raw) = rest_line.strip_prefix("raw ") {
                        let quoted = raw.trim();
                        let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')).expect("raw \"...\"");
                        Step::Send { bytes: unescape(inner), expect, norm, text: rest_line.to_string() }
                    } else if let Some(inline) = rest_line.strip_prefix("inline ") {
                        // Sent as written: the server does its own unescaping.
                        let mut bytes = inline.as_bytes().to_vec();
                        bytes.extend_from_slice(b"\r\n");
                        Step::Send { bytes, expect, norm, text: rest_line.to_string() }
                    } else {
                        Step::Send {
                            bytes: encode_command(&split(rest_line)),
                            expect,
                            norm,
                            text: rest_line.to_string(),
                        }
                    }
                }
            };
            script.steps.push((lineno, step));
        }
        script
    }
}

struct Conn {
    stream: Option<UnixStream>,
    decoder: Decoder,
    profile: String,
}

impl Conn {
    /// Reads `n` frames (or until close); what arrived, as rendered lines.
    fn read_frames(&mut self, n: Option<usize>, norm: &Norm, out: &mut Vec<String>) {
        let mut got = 0;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            while n.is_none_or(|n| got < n) {
                match self.decoder.next_frame() {
                    Ok(Some(mut f)) => {
                        normalise(&mut f, norm, &self.profile);
                        out.push(render(&f.to_bytes()));
                        got += 1;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        out.push(format!("<undecodable: {e}>"));
                        return;
                    }
                }
            }
            if n.is_some_and(|n| got >= n) {
                return;
            }
            let Some(stream) = self.stream.as_mut() else {
                out.push("<closed>".into());
                return;
            };
            let mut buf = [0u8; 65536];
            match stream.read(&mut buf) {
                Ok(0) => {
                    self.stream = None;
                    if self.decoder.in_frame() {
                        out.push(format!("<partial frame: {} bytes>", self.decoder.buffered()));
                    }
                    out.push("<closed>".into());
                    return;
                }
                Ok(k) => self.decoder.feed(&buf[..k]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    if Instant::now() > deadline {
                        out.push(format!("<timeout after {got} frames>"));
                        return;
                    }
                }
                Err(_) => {
                    self.stream = None;
                    out.push("<closed>".into());
                    return;
                }
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) -> bool {
        match self.stream.as_mut() {
            Some(s) => s.write_all(bytes).is_ok(),
            None => false,
        }
    }
}

/// Runs a script against one server; the rendered transcript.
pub fn run_script(script: &Script, target: &Target, profile: &str) -> Vec<String> {
    let mut conns: std::collections::BTreeMap<String, Conn> = Default::default();
    let mut current = "main".to_string();
    let mut out = Vec::new();
    for (lineno, step) in &script.steps {
        let conn = conns.entry(current.clone()).or_insert_with(|| Conn {
            stream: Some(target.connect()),
            decoder: Decoder::default(),
            profile: profile.to_string(),
        });
        match step {
            Step::Conn(name) => {
                current = name.clone();
                conns.entry(current.clone()).or_insert_with(|| Conn {
                    stream: Some(target.connect()),
                    decoder: Decoder::default(),
                    profile: profile.to_string(),
                });
            }
            Step::Sleep(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::Read(n) => {
                out.push(format!("{lineno} [{current}] @read {n}"));
                conn.read_frames(Some(*n), &Norm::default(), &mut out);
            }
            Step::Quiet => {
                std::thread::sleep(Duration::from_millis(50));
                let mut extra = Vec::new();
                if let Some(s) = conn.stream.as_mut() {
                    let mut buf = [0u8; 4096];
                    if let Ok(k) = s.read(&mut buf) {
                        extra.extend_from_slice(&buf[..k]);
                    }
                }
                if !extra.is_empty() || conn.decoder.buffered() > 0 {
                    out.push(format!("{lineno} [{current}] unexpected: {}", render(&extra)));
                }
            }
            Step::Close => {
                conns.remove(&current);
            }
            Step::ScanAll { words, norm } => {
                out.push(format!("{lineno} [{current}] @scanall {}", render(&words.join(&b' '))));
                let mut cursor = b"0".to_vec();
                let mut all = Vec::new();
                for _ in 0..10_000 {
                    let cmd: Vec<Vec<u8>> =
                        words.iter().map(|w| if w == b"{cursor}" { cursor.clone() } else { w.clone() }).collect();
                    conn.send(&encode_command(&cmd));
                    let mut page = Vec::new();
                    let mut raw = Vec::new();
                    read_one(conn, &mut raw, &mut page);
                    let Some(Frame::Array(mut parts)) = page.pop() else {
                        out.extend(raw);
                        break;
                    };
                    let items = parts.pop().unwrap();
                    cursor = parts.pop().unwrap().as_bytes().unwrap().to_vec();
                    if let Some(items) = match items {
                        Frame::Array(v) => Some(v),
                        _ => None,
                    } {
                        all.extend(items);
                    }
                    if cursor == b"0" {
                        break;
                    }
                }
                let mut f = Frame::Array(all);
                let norm = Norm { sort: true, ..norm.clone() };
                normalise(&mut f, &norm, profile);
                out.push(render(&f.to_bytes()));
            }
            Step::Send { bytes, expect, norm, text } => {
                out.push(format!("{lineno} [{current}] {text}"));
                if !conn.send(bytes) {
                    // The server closed first; whether the write or the next read notices
                    // depends on timing, not on the server.
                    out.push("<closed>".into());
                    continue;
                }
                match expect {
                    // Let the server take the request in before another connection acts,
                    // so the order of events is the script's, not the scheduler's.
                    Expect::Frames(0) => std::thread::sleep(Duration::from_millis(20)),
                    Expect::Frames(n) => conn.read_frames(Some(*n), norm, &mut out),
                    Expect::Close => conn.read_frames(None, norm, &mut out),
                }
            }
        }
    }
    out
}

fn read_one(conn: &mut Conn, rendered: &mut Vec<String>, frames: &mut Vec<Frame>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(Some(f)) = conn.decoder.next_frame() {
            frames.push(f);
            return;
        }
        let Some(stream) = conn.stream.as_mut() else {
            rendered.push("<closed>".into());
            return;
        };
        let mut buf = [0u8; 65536];
        match stream.read(&mut buf) {
            Ok(0) | Err(_) if Instant::now() > deadline => {
                rendered.push("<timeout>".into());
                return;
            }
            Ok(k) if k > 0 => conn.decoder.feed(&buf[..k]),
            _ => {}
        }
    }
}

pub fn render(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Runs a session file against both servers of every profile it names and fails with a
/// readable diff when any reply differs.
pub fn check_session(path: &Path) {
    let script = Script::load(path);
    let mut failures = Vec::new();
    for profile in &script.profiles {
        let Some(real) = start_real(profile, &script.config) else { continue };
        let bundled = start_bundled(profile, &script.config);
        let want = run_script(&script, &real, profile);
        let got = run_script(&script, &bundled, profile);
        if std::env::var_os("VALKEY_MIGRATE_SESSION_DUMP").is_some() {
            eprintln!("=== {} on {profile} (real)\n{}", script.name, want.join("\n"));
        }
        // A script that waits for replies the real server never sends is a broken script
        // (and a slow one): say so rather than compare two timeouts.
        if let Some(line) = want.iter().find(|l| l.starts_with("<timeout")) {
            failures.push(format!("{profile}: the real server timed out in session {}: {line}", script.name));
            continue;
        }
        if want != got {
            // One RESP line per diff line, so a difference inside a long text reply (INFO,
            // CLIENT LIST) shows as the one line that differs.
            let want_text = want.join("\n").replace("\\r\\n", "\\r\\n\n") + "\n";
            let got_text = got.join("\n").replace("\\r\\n", "\\r\\n\n") + "\n";
            let diff = similar::TextDiff::from_lines(&want_text, &got_text)
                .unified_diff()
                .header(&format!("{profile} real server"), &format!("{profile} bundled server"))
                .to_string();
            failures.push(diff);
        }
    }
    assert!(failures.is_empty(), "session {} differs:\n{}", script.name, failures.join("\n"));
}
