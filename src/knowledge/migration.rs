//! `rules/migration.toml`: RDB formats each server writes and loads, and what a rollback can
//! and cannot do, per target.

use super::{Knowledge, KnowledgeError};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdbWrites {
    pub profile: String,
    pub version: u32,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdbLoads {
    pub target: String,
    pub native_max: u32,
    pub foreign_relaxed: bool,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    pub id: String,
    pub title: String,
    /// Only when the repository shows this kind of deployment (e.g. `elasticache`).
    pub requires: Option<String>,
    pub min_target: Option<String>,
    pub max_target: Option<String>,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    pub rdb_writes: Vec<RdbWrites>,
    pub rdb_loads: Vec<RdbLoads>,
    pub rollback: Vec<Rollback>,
}

impl Migration {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        knowledge.parse_toml("migration.toml")
    }

    pub fn writes(&self, profile: &str) -> Option<&RdbWrites> {
        self.rdb_writes.iter().find(|w| w.profile == profile)
    }

    pub fn loads(&self, target: &str) -> Option<&RdbLoads> {
        self.rdb_loads.iter().find(|l| l.target == target)
    }
}

/// Orders profile names of one product by version: `valkey-8.1` < `valkey-9.0`.
pub fn profile_version(name: &str) -> Option<(&str, u32, u32)> {
    let (product, version) = name.split_once('-')?;
    let (major, minor) = version.split_once('.')?;
    Some((product, major.parse().ok()?, minor.parse().ok()?))
}

/// Whether `name` is a profile of the same product within `[min, max]` (bounds optional).
pub fn in_range(name: &str, min: Option<&str>, max: Option<&str>) -> bool {
    let Some((product, major, minor)) = profile_version(name) else { return false };
    let check = |bound: Option<&str>, want_ge: bool| match bound.and_then(profile_version) {
        None => true,
        Some((p, ma, mi)) => {
            p == product && if want_ge { (major, minor) >= (ma, mi) } else { (major, minor) <= (ma, mi) }
        }
    };
    check(min, true) && check(max, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migration_data_loads_and_ranges_compare_versions() {
        let k = Knowledge::embedded().unwrap();
        let m = Migration::load(&k).unwrap();
        assert_eq!(m.writes("redis-7.4").unwrap().version, 12);
        assert!(m.loads("valkey-9.1").unwrap().foreign_relaxed);
        assert!(in_range("valkey-9.1", Some("valkey-8.0"), None));
        assert!(!in_range("valkey-8.1", Some("valkey-9.0"), None));
        assert!(in_range("valkey-8.1", Some("valkey-7.2"), Some("valkey-8.1")));
        assert!(!in_range("redis-8.2", Some("valkey-7.2"), None));
    }
}
