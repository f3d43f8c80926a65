//! The bundled server as a validation target: started in-process on 127.0.0.1 with a free
//! port, answering as the target profile, with the config file loaded as that profile's
//! server loads it (refused with the same text).

use crate::knowledge::Profile;
use crate::server::config::ConfigStore;
use crate::server::serve::{FileExtras, load_config_file};
use crate::server::{Bound, Listen, Server};
use std::sync::Arc;

/// A running bundled server; stopped when dropped.
pub struct Handle {
    url: String,
    server: Arc<Server>,
}

impl Handle {
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.server.shutdown();
    }
}

/// Starts the server for `profile` with `config` (name, text) on the current runtime.
pub async fn start(profile: Arc<Profile>, config: Option<(&str, &str)>) -> Result<Handle, String> {
    profile
        .commands()
        .map_err(|e| format!("the command table of profile {} does not load: {}", profile.name(), e.message))?;
    let mut store = ConfigStore::from_profile(&profile);
    let mut extras = FileExtras::default();
    // Kept alive until the server is up: the config's includes were inlined by `prepare`,
    // and the loader reads from a path.
    let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    if let Some((_, text)) = config {
        let path = dir.path().join("validate.conf");
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        extras = load_config_file(&profile, &mut store, &path).map_err(|fatal| {
            let mut said = fatal.text.trim().to_string();
            if let Some(log) = fatal.log {
                said.push_str(log.trim_end());
            }
            format!("the bundled server ({}) exited at start:\n{said}", profile.name())
        })?;
        if let Some(module) = extras.modules.first() {
            // The real server would load it; we cannot, so the file is not proven either way.
            return Err(format!(
                "the bundled server cannot load modules (`loadmodule {module}`); validate this file with \
                 --server-bin on a server that has the module"
            ));
        }
    }
    let server = Server::with_file(profile.clone(), store, None, None, &extras);
    let listen = Listen { tcp: true, bind: vec!["127.0.0.1".into()], port: 0, unixsocket: None, unixsocketperm: None };
    let bound = Bound::bind(server.clone(), &listen)
        .await
        .map_err(|e| format!("the bundled server cannot listen on 127.0.0.1: {e}"))?;
    let addr = bound.tcp_addr().ok_or("the bundled server has no TCP address")?;
    // CONFIG GET port answers the port clients really reach, as on a real server.
    server.state().config.set("port", addr.port().to_string());
    tokio::spawn(bound.run());
    Ok(Handle { url: format!("redis://{addr}"), server })
}
