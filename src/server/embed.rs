//! Running the bundled server inside another program (validation, tests): on its own
//! runtime thread, stopped when the handle is dropped.

use super::config::ConfigStore;
use super::{Bound, Listen, Server};
use crate::knowledge::Profile;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Running {
    pub server: Arc<Server>,
    pub tcp_addr: Option<SocketAddr>,
    pub unix_path: Option<PathBuf>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Starts a server with the profile's defaults overridden by `config` (name, value).
    pub fn start(profile: Arc<Profile>, config: &[(&str, &str)], listen: Listen) -> std::io::Result<Running> {
        let mut store = ConfigStore::from_profile(&profile);
        for (name, value) in config {
            // As a config file line would be read: validated and normalised (`1mb`).
            if let Err(reason) = store.apply(name, &[value.as_bytes().to_vec()]) {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{name}: {reason}")));
            }
        }
        if !listen.tcp {
            store.set("port", "0".into());
        }
        if let Some(path) = &listen.unixsocket {
            store.set("unixsocket", path.display().to_string());
        }
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let server = Server::new(profile, store, listen.unixsocket.clone());
        let bound = runtime.block_on(Bound::bind(server.clone(), &listen))?;
        let tcp_addr = bound.tcp_addr();
        let thread = std::thread::Builder::new().name("valkey-migrate-server".into()).spawn(move || {
            runtime.block_on(bound.run());
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
        })?;
        Ok(Running { server, tcp_addr, unix_path: listen.unixsocket, thread: Some(thread) })
    }

    pub fn stop(&mut self) {
        self.server.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}
