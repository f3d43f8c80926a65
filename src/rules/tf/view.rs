//! One view over every cache a Terraform directory manages, whether it is a resource or a call
//! of a popular module: which service it is, which engine it runs (written, defaulted by the
//! provider or module, inherited, or not known), and the names of the inputs that hold its
//! version, family and node type. Rules and the override generator share it.

use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::{ModuleSpec, TerraformKnowledge};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `aws_elasticache_replication_group`, and modules that create one.
    ElastiCache,
    /// `aws_elasticache_cluster` without a replication group.
    CacheCluster,
    Serverless,
    MemoryDb,
    /// `aws_elasticache_global_replication_group`.
    Global,
}

impl Service {
    /// The key of `engine_version` / `pricing` entries in `rules/terraform.toml`.
    pub fn knowledge_key(self) -> &'static str {
        match self {
            Service::ElastiCache | Service::CacheCluster | Service::Global => "elasticache",
            Service::Serverless => "elasticache-serverless",
            Service::MemoryDb => "memorydb",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Engine {
    /// Written in the configuration (or a variable it reads), lower-cased.
    Written(String),
    /// Not written: the provider or the module picks this one.
    Default(String),
    /// Set by another resource (a replication group's member cluster, a global datastore's
    /// secondary): not this block's to change.
    Inherited,
    /// Not written and nothing documented picks one.
    Unset,
    Unresolved {
        expr: String,
        reason: String,
    },
}

impl Engine {
    pub fn name(&self) -> Option<&str> {
        match self {
            Engine::Written(e) | Engine::Default(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_redis(&self) -> bool {
        self.name() == Some("redis")
    }
}

pub struct Cache<'a> {
    pub r: &'a InfraResource,
    pub service: Service,
    pub module: Option<&'a ModuleSpec>,
    pub engine: Engine,
    /// The primary of a global datastore declared in the same directory.
    pub global_primary: bool,
    /// The engine is a default no source documents (MemoryDB without `engine`): findings that
    /// rest on it are info at most.
    pub assumed: bool,
}

impl<'a> Cache<'a> {
    /// The attribute or module input holding a concept (`engine`, `engine_version`, `family`,
    /// `node_type`, `parameters`, `parameter_group_name`).
    pub fn key(&self, concept: &str) -> Option<String> {
        match self.module {
            Some(m) => m.input(concept).map(String::from),
            None => match (concept, self.service) {
                ("engine_version", Service::Serverless) => Some("major_engine_version".into()),
                ("family" | "parameters", _) => None,
                (c, _) => Some(c.to_string()),
            },
        }
    }

    /// The value Terraform would use for a concept: written, else the module's default.
    pub fn value(&self, concept: &str) -> Option<Value> {
        let key = self.key(concept)?;
        if let Some(v) = self.r.attr(&key) {
            return Some(v.clone());
        }
        if self.r.has(&key) {
            return None;
        }
        self.module.and_then(|m| m.default_of(&key))
    }

    pub fn str_value(&self, concept: &str) -> Option<String> {
        self.value(concept).and_then(|v| v.as_str().map(String::from))
    }

    /// Where to point for a concept: its value when written, else the block.
    pub fn location(&self, concept: &str) -> crate::location::Location {
        match self.key(concept) {
            Some(k) if self.r.has(&k) => self.r.attr_location(&k),
            _ => self.r.location.clone(),
        }
    }

    /// A member of a global datastore: its engine belongs to the global group.
    pub fn in_global_datastore(&self) -> bool {
        let key = self.key("global_replication_group_id").unwrap_or_else(|| "global_replication_group_id".into());
        self.global_primary || self.r.attr(&key).is_some() || self.r.unresolved.contains_key(&key)
    }
}

/// Every cache of the inventory that has an engine to speak of, in inventory order.
pub fn caches<'a>(inv: &'a Inventory, k: &'a TerraformKnowledge) -> Vec<Cache<'a>> {
    let mut all: Vec<Cache> = inv.infra.iter().filter_map(|r| cache(r, k)).collect();
    for g in inv.infra.iter().filter(|r| r.resource_type == "aws_elasticache_global_replication_group") {
        for primary in referenced(g, "primary_replication_group_id", "aws_elasticache_replication_group") {
            for c in all.iter_mut().filter(|c| c.r.dir == g.dir && c.r.address == primary) {
                c.global_primary = true;
            }
        }
    }
    all
}

pub fn cache<'a>(r: &'a InfraResource, k: &'a TerraformKnowledge) -> Option<Cache<'a>> {
    let (service, module) = match r.resource_type.as_str() {
        "aws_elasticache_replication_group" => (Service::ElastiCache, None),
        "aws_elasticache_serverless_cache" => (Service::Serverless, None),
        "aws_memorydb_cluster" => (Service::MemoryDb, None),
        "aws_elasticache_global_replication_group" => (Service::Global, None),
        "aws_elasticache_cluster" => (Service::CacheCluster, None),
        "module" => {
            let m = k.module_for_source(&r.module.as_ref()?.source)?;
            let service = match m.service.as_str() {
                "memorydb" => Service::MemoryDb,
                "elasticache-serverless" => Service::Serverless,
                _ => Service::ElastiCache,
            };
            (service, Some(m))
        }
        _ => return None,
    };
    let mut c = Cache { r, service, module, engine: Engine::Unset, global_primary: false, assumed: false };
    c.engine = engine_of(&c);
    if c.engine == Engine::Unset && service == Service::MemoryDb {
        // Clusters made before MemoryDB offered Valkey run Redis OSS; the provider sends no
        // engine and the API's default is not documented.
        c.engine = Engine::Default("redis".into());
        c.assumed = true;
    }
    Some(c)
}

fn engine_of(c: &Cache) -> Engine {
    let key = c.key("engine").unwrap_or_else(|| "engine".into());
    if let Some(u) = c.r.unresolved.get(&key) {
        return Engine::Unresolved { expr: u.expr.clone(), reason: u.reason.clone() };
    }
    if let Some(v) = c.r.attr(&key) {
        return match v.as_str() {
            Some(s) => Engine::Written(s.to_ascii_lowercase()),
            None => Engine::Unresolved { expr: v.to_string(), reason: "not a string".into() },
        };
    }
    if c.service == Service::CacheCluster && c.r.has("replication_group_id") {
        return Engine::Inherited;
    }
    if c.in_global_datastore() {
        return Engine::Inherited;
    }
    if let Some(m) = c.module {
        return match m.default_of(&key).and_then(|v| v.as_str().map(String::from)) {
            Some(d) => Engine::Default(d),
            None => Engine::Unset,
        };
    }
    match c.service {
        // The provider sends `redis` when engine is unset and the group is not in a global
        // datastore (replication_group.go, Create).
        Service::ElastiCache => Engine::Default("redis".into()),
        // The global group takes the primary's engine.
        Service::Global => Engine::Inherited,
        _ => Engine::Unset,
    }
}

/// The references of an attribute that point at a resource of `resource_type`, as
/// `type.name` addresses.
pub fn referenced(r: &InfraResource, key: &str, resource_type: &str) -> Vec<String> {
    r.spans
        .get(key)
        .map(|s| {
            s.references
                .iter()
                .filter_map(|reference| {
                    let mut parts = reference.split('.');
                    let (ty, name) = (parts.next()?, parts.next()?);
                    (ty == resource_type).then(|| format!("{ty}.{name}"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The resource with an address in the same Terraform directory.
pub fn find<'a>(inv: &'a Inventory, dir: &str, address: &str) -> Option<&'a InfraResource> {
    inv.infra.iter().find(|r| r.dir == dir && r.address == address)
}

/// Caps a finding at info when the engine behind it is assumed, and says so.
pub trait AssumedEngine {
    fn assumed(self, assumed: bool) -> Self;
}

impl AssumedEngine for crate::findings::Finding {
    fn assumed(mut self, assumed: bool) -> Self {
        if assumed {
            self.message.push_str(
                " (unverified: engine is not written and the service's default is not documented; Redis OSS assumed)",
            );
            self.severity_hint = Some(crate::findings::Severity::Info);
        }
        self
    }
}
