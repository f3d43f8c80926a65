//! The server a validation runs against: the bundled one, a real binary we spawn, or a live
//! server at a URL.

use redis::aio::MultiplexedConnection;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// The bundled server, answering as this profile (from the run's knowledge, so a
    /// `--rules-dir` overlay reaches it).
    Bundled(std::sync::Arc<crate::knowledge::Profile>),
    Binary(PathBuf),
    Url(Remote),
}

/// A live server: its URL, and for TLS (`rediss://`, `valkeys://`) the CA that signed its
/// certificate when the system's roots do not cover it.
#[derive(Debug, Clone)]
pub struct Remote {
    pub url: String,
    pub ca_cert: Option<PathBuf>,
    /// A client certificate and its key (PEM), for a server that verifies its clients.
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

impl TargetSpec {
    /// Whether checks may write (workloads, CONFIG SET): always on servers we start ourselves.
    pub fn owns_server(&self) -> bool {
        !matches!(self, TargetSpec::Url(_))
    }
}

/// A running server we can talk to. Servers we started are stopped on drop.
pub struct Running {
    pub client: redis::Client,
    pub description: String,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
    _bundled: Option<crate::validate::bundled::Handle>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Running {
    pub async fn connect(&self, timeout: Duration) -> Result<MultiplexedConnection, String> {
        match tokio::time::timeout(timeout, self.client.get_multiplexed_async_connection()).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(format!("cannot connect to {}: {e}", self.description)),
            Err(_) => Err(format!("connecting to {} timed out after {timeout:?}", self.description)),
        }
    }
}

/// Removes credentials from a URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

pub async fn start(
    spec: &TargetSpec,
    profile: &str,
    config: Option<(&str, &str)>,
    timeout: Duration,
) -> Result<Running, String> {
    match spec {
        TargetSpec::Url(remote) => {
            let client = remote_client(remote)?;
            Ok(Running { client, description: redact(&remote.url), child: None, _dir: None, _bundled: None })
        }
        TargetSpec::Binary(bin) => spawn_binary(bin, config, timeout).await,
        TargetSpec::Bundled(bundled) => {
            let handle = crate::validate::bundled::start(bundled.clone(), config).await?;
            let client = client_for(handle.url(), config.map(|(_, t)| t))?;
            Ok(Running {
                client,
                description: format!("bundled server ({profile})"),
                child: None,
                _dir: None,
                _bundled: Some(handle),
            })
        }
    }
}

fn remote_client(remote: &Remote) -> Result<redis::Client, String> {
    let url = &remote.url;
    let bad = |e: redis::RedisError| format!("bad --server URL {}: {e}", redact(url));
    let tls = url.starts_with("rediss://") || url.starts_with("valkeys://");
    if !tls {
        if remote.ca_cert.is_some() || remote.client_cert.is_some() {
            return Err(format!("TLS options need a TLS URL (rediss:// or valkeys://), not {}", redact(url)));
        }
        return redis::Client::open(url.as_str()).map_err(bad);
    }
    // rustls needs a process-wide crypto provider; a second install fails harmlessly.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let read = |option: &str, path: &Path| {
        std::fs::read(path).map_err(|e| format!("cannot read {option} {}: {e}", path.display()))
    };
    let root_cert = match &remote.ca_cert {
        Some(path) => Some(read("--tls-ca-cert", path)?),
        None => None,
    };
    let client_tls = match &remote.client_cert {
        Some((cert, key)) => {
            Some(redis::ClientTlsConfig { client_cert: read("--tls-cert", cert)?, client_key: read("--tls-key", key)? })
        }
        None => None,
    };
    redis::Client::build_with_tls(url.as_str(), redis::TlsCertificates { client_tls, root_cert }).map_err(bad)
}

/// Starts a real server binary with a config file (the user's, with our own socket, no
/// persistence and no daemonising appended — later lines win), on a unix socket in a temp dir.
/// Fails with what the server printed when it refuses the file.
async fn spawn_binary(bin: &Path, config: Option<(&str, &str)>, timeout: Duration) -> Result<Running, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let sock = dir.path().join("valkey.sock");
    let mut text = config.map(|(_, t)| t.to_string()).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n# Appended by valkey-migrate validate: run privately and leave nothing behind.\nport 0\nunixsocket {}\ndaemonize no\nsave \"\"\nappendonly no\ndir {}\nlogfile \"\"\nsupervised no\n",
        quote(&sock),
        quote(dir.path())
    ));
    let conf = dir.path().join("validate.conf");
    std::fs::write(&conf, text).map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
    let mut child = Command::new(bin)
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            let mut said = String::from_utf8_lossy(&out.stderr).trim().to_string();
            if said.is_empty() {
                // Some refusals (Redis 8's deferred ones, module load failures) go to the log, i.e. stdout.
                said = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter(|l| l.contains(" # "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            return Err(format!("{} exited with {status} at start:\n{said}", bin.display()));
        }
        // The socket file appears at bind(), a moment before listen(): wait until it accepts.
        if sock.exists() && accepts(&sock) {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("{} did not open its socket within {timeout:?}", bin.display()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let url = format!("unix://{}", sock.display());
    let client = client_for(&url, config.map(|(_, t)| t))?;
    let name = config.map_or_else(|| "without a config file".to_string(), |(n, _)| n.to_string());
    Ok(Running {
        client,
        description: format!("{} ({name})", bin.display()),
        child: Some(child),
        _dir: Some(dir),
        _bundled: None,
    })
}

/// A client for a server we started: when the config sets `requirepass`, authenticate with
/// it, as the application would.
fn client_for(url: &str, config: Option<&str>) -> Result<redis::Client, String> {
    use redis::IntoConnectionInfo;
    let mut info = url.into_connection_info().map_err(|e| e.to_string())?;
    let password = config.and_then(|text| {
        let src = crate::sources::SourceFile::from_bytes("validate.conf", text.as_bytes().to_vec());
        let parsed = crate::sources::server_config::parse_config(&src);
        parsed
            .directives
            .iter()
            .rev()
            .find(|d| d.name == "requirepass")
            .and_then(|d| d.args.first())
            .map(|a| a.value.clone())
    });
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        let settings = info.redis_settings().clone().set_password(p);
        info = info.set_redis_settings(settings);
    }
    redis::Client::open(info).map_err(|e| e.to_string())
}

#[cfg(unix)]
fn accepts(sock: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(sock).is_ok()
}

#[cfg(not(unix))]
fn accepts(_sock: &Path) -> bool {
    true
}

fn quote(p: &Path) -> String {
    format!("\"{}\"", p.display().to_string().replace('\\', "\\\\").replace('"', "\\\""))
}
