//! Server profiles: what one server version knows and how it answers — config directives,
//! commands and identity. Generated from the real binaries by `scripts/gen-profiles`
//! (`rules/profiles/<name>.toml`).

use super::{Knowledge, KnowledgeError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Valkey,
    Redis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileHeader {
    pub name: String,
    pub product: Product,
    pub version: String,
    /// Where the data came from (binary and package, or the profile it derives from).
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Identity {
    /// The header line of a fatal config error, e.g. `*** FATAL CONFIG FILE ERROR (Version 9.1.2) ***`.
    #[serde(default)]
    pub fatal_config_header: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigParam {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub default: Option<String>,
}

/// A directive a config file may carry that `CONFIG GET` does not list (`include`,
/// `rename-command`, deprecated names the server accepts and ignores, …).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Directive {
    pub name: String,
    /// `live` (does something) or `ignored` (accepted, no effect).
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProfileFile {
    profile: ProfileHeader,
    #[serde(default)]
    identity: Identity,
    #[serde(default, rename = "config")]
    configs: Vec<ConfigParam>,
    #[serde(default, rename = "directive")]
    directives: Vec<Directive>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub header: ProfileHeader,
    pub identity: Identity,
    pub configs: Vec<ConfigParam>,
    pub directives: Vec<Directive>,
    by_name: HashMap<String, usize>,
}

impl Profile {
    pub(super) fn load(knowledge: &Knowledge, name: &str) -> Result<Self, KnowledgeError> {
        let rel = format!("profiles/{name}.toml");
        if knowledge.file(&rel).is_none() {
            return Err(KnowledgeError {
                message: format!("unknown server profile '{name}'"),
                origin: rel,
                location: None,
                help: Some(format!("known profiles: {}", knowledge.profile_names().join(", "))),
            });
        }
        let file: ProfileFile = knowledge.parse_toml(&rel)?;
        let mut by_name = HashMap::new();
        for (i, c) in file.configs.iter().enumerate() {
            by_name.insert(c.name.to_ascii_lowercase(), i);
            for a in &c.aliases {
                by_name.insert(a.to_ascii_lowercase(), i);
            }
        }
        Ok(Profile {
            header: file.profile,
            identity: file.identity,
            configs: file.configs,
            directives: file.directives,
            by_name,
        })
    }

    pub fn name(&self) -> &str {
        &self.header.name
    }

    /// A human label such as `Valkey 9.1.2`.
    pub fn display_name(&self) -> String {
        let product = match self.header.product {
            Product::Valkey => "Valkey",
            Product::Redis => "Redis",
        };
        format!("{product} {}", self.header.version)
    }

    /// The config parameter a directive name (or alias) refers to, case-insensitively.
    pub fn config(&self, name: &str) -> Option<&ConfigParam> {
        self.by_name.get(&name.to_ascii_lowercase()).map(|&i| &self.configs[i])
    }

    /// A special or deprecated directive by name, case-insensitively.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Whether a config file line starting with `name` gets past the server's parser.
    pub fn knows_directive(&self, name: &str) -> bool {
        self.config(name).is_some() || self.directive(name).is_some()
    }
}
