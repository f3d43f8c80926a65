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
pub struct RelaxedLoad {
    /// Commands whose data a relaxed load of a foreign RDB refuses.
    pub refused_commands: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    pub rdb_writes: Vec<RdbWrites>,
    pub rdb_loads: Vec<RdbLoads>,
    pub relaxed_load: RelaxedLoad,
    pub rollback: Vec<Rollback>,
}

/// What a target does with a snapshot of a given RDB version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadVerdict {
    Loads,
    /// Only with `rdb-version-check relaxed`, and only without the data `relaxed_load` refuses.
    NeedsRelaxed,
    Refused,
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

    /// The RDB format a server of `product` at `major.minor` writes: that of the nearest
    /// profile at or below it (a Redis 7.4.2 image writes what `redis-7.4` writes).
    pub fn writes_for(&self, product: &str, major: u32, minor: u32) -> Option<&RdbWrites> {
        let name = nearest_profile(product, (major, minor), self.rdb_writes.iter().map(|w| w.profile.as_str()))?;
        self.writes(&name)
    }

    pub fn verdict(&self, target: &str, rdb: u32) -> Option<LoadVerdict> {
        let loads = self.loads(target)?;
        Some(if rdb <= loads.native_max {
            LoadVerdict::Loads
        } else if (12..80).contains(&rdb) && loads.foreign_relaxed {
            LoadVerdict::NeedsRelaxed
        } else if rdb == 80 && profile_version(target).is_some_and(|(p, ma, _)| p == "valkey" && ma >= 9) {
            // VALKEY080 is Valkey 9's own format.
            LoadVerdict::Loads
        } else {
            LoadVerdict::Refused
        })
    }
}

/// The profile of `product` nearest at or below `major.minor`, among `profiles`.
pub fn nearest_profile<'a>(product: &str, line: (u32, u32), profiles: impl Iterator<Item = &'a str>) -> Option<String> {
    profiles
        .filter_map(|p| {
            let (prod, ma, mi) = profile_version(p)?;
            (prod == product && (ma, mi) <= line).then_some(((ma, mi), p))
        })
        .max()
        .map(|(_, p)| p.to_string())
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

impl crate::knowledge::View for Migration {
    fn build(knowledge: &crate::knowledge::Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        Migration::load(knowledge)
    }
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
        assert_eq!(m.writes_for("redis", 7, 4).unwrap().version, 12);
        assert_eq!(m.writes_for("redis", 8, 4).unwrap().version, 12);
        assert_eq!(m.writes_for("redis", 7, 1).unwrap().version, 10);
        assert!(m.writes_for("redis", 5, 0).is_none());
        assert_eq!(m.verdict("valkey-8.1", 12), Some(LoadVerdict::Refused));
        assert_eq!(m.verdict("valkey-9.1", 12), Some(LoadVerdict::NeedsRelaxed));
        assert_eq!(m.verdict("valkey-8.1", 11), Some(LoadVerdict::Loads));
        assert_eq!(m.verdict("valkey-9.0", 80), Some(LoadVerdict::Loads));
        assert_eq!(m.verdict("valkey-8.1", 80), Some(LoadVerdict::Refused));
    }
}
