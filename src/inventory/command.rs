use crate::location::Location;
use serde::{Deserialize, Serialize};

/// A server command the code sends, found in a string literal or a client API call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandUse {
    /// Upper-case command name, e.g. `FT.SEARCH`. `FT.*` when code reaches a module through its
    /// client namespace (`r.ft("idx")`) without a call the scanner can name.
    pub command: String,
    /// The client API that issues it, when the command is not written as a string
    /// (e.g. `client.ft.search`, `redis-om Schema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(flatten)]
    pub location: Location,
}

/// How a repository asks a server to load a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModuleRefKind {
    /// `--loadmodule <path>` on a server command line (compose, Kubernetes, Dockerfile, Helm).
    LoadmoduleArg,
    /// `MODULE LOAD <path>` sent from code.
    ModuleLoadCommand,
    /// A known module file named anywhere else (copied into an image, a path in code).
    Mention,
}

/// A module file a repository loads or ships, outside server config files (those are in
/// `server_configs` as `loadmodule` directives).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleRef {
    /// The path or file name as written, e.g. `/opt/redis-stack/lib/redisearch.so`.
    pub path: String,
    pub kind: ModuleRefKind,
    #[serde(flatten)]
    pub location: Location,
}
