//! Facts about client dependencies that other rule families read: module client libraries
//! (for the MOD rules) and clients that need `extended-redis-compatibility` (for the CFG
//! info rule).

use super::analysis::{Index, affected};
use crate::inventory::{DepSource, Dependency, Inventory};
use crate::knowledge::Clients;
use crate::knowledge::clients::CompatEffect;
use std::collections::HashSet;

/// A module client library the project depends on directly.
#[derive(Debug, Clone)]
pub struct ModuleClientUse<'a> {
    pub dependency: &'a Dependency,
    /// Module ids from `rules/clients.toml` (`search`, `json`, `timeseries`, `bloom`, `graph`).
    pub modules: Vec<String>,
}

/// Direct dependencies on module client libraries, one per project and package: the
/// manifest line where there is one, else the lock entry marked direct. Transitive ones
/// (every `redis@4` pulls `@redis/search`) are not uses.
pub fn module_client_uses<'a>(inventory: &'a Inventory, clients: &Clients) -> Vec<ModuleClientUse<'a>> {
    let mut seen = HashSet::new();
    let mut deps: Vec<&Dependency> = inventory.dependencies.iter().filter(|d| d.direct).collect();
    deps.sort_by(|a, b| {
        (a.source == DepSource::Lockfile, &a.location).cmp(&(b.source == DepSource::Lockfile, &b.location))
    });
    let mut out = Vec::new();
    for d in deps {
        let Some(mc) = clients.module_client_for(d) else { continue };
        // A manifest line and its lock entry are one use: keyed by the manifest's directory.
        let dir_key = d.dir().to_string();
        if !seen.insert((d.ecosystem, d.ecosystem.normalize_name(&d.name), dir_key)) {
            continue;
        }
        out.push(ModuleClientUse { dependency: d, modules: mc.modules.clone() });
    }
    out
}

/// A client version whose Valkey problem `extended-redis-compatibility yes` solves.
#[derive(Debug, Clone)]
pub struct CompatNeed<'a> {
    pub dependency: &'a Dependency,
    pub client: String,
    pub version: String,
    pub risk: String,
    /// What the setting restores for this client, in words.
    pub reason: String,
}

/// The clients of the repository that need Valkey's `extended-redis-compatibility yes`
/// (for example StackExchange.Redis before 2.12.27 reads `redis_mode` to detect Sentinel
/// and Cluster). Empty when none does — then the setting should stay off.
pub fn extended_redis_compatibility_needs<'a>(inventory: &'a Inventory, clients: &'a Clients) -> Vec<CompatNeed<'a>> {
    let index = Index::new(inventory, clients);
    affected(&index)
        .into_iter()
        .flat_map(|(r, risks)| {
            risks
                .into_iter()
                .filter(|k| k.extended_redis_compatibility == CompatEffect::Fixes)
                .map(|k| CompatNeed {
                    dependency: r.dep,
                    client: r.client.display.clone(),
                    version: r.version.to_string(),
                    risk: k.id.clone(),
                    reason: k.effect.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
