//! What the CFG and SEC rules know beyond the profiles: `rules/server-config.toml` (what a
//! changed default means, io-threads guidance, the servers' texts) and `rules/sentinel.toml`
//! (what each version's sentinel accepts and rewrites, probed by `scripts/probe-sentinel`).

use super::{Knowledge, KnowledgeError};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultChange {
    pub names: Vec<String>,
    pub meaning: String,
    pub source: String,
    /// The change matters only when this setting has this value.
    #[serde(default)]
    pub only_if: Option<Condition>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub name: String,
    pub value: String,
}

/// Why a directive the target accepts does nothing there.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignored {
    pub name: String,
    pub why: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSection {
    pub ignore: Vec<String>,
    pub ignore_source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clamp {
    pub profile: String,
    pub max: u32,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IoThreads {
    pub valkey_guidance: String,
    pub valkey_source: String,
    pub redis_guidance: String,
    pub redis_source: String,
    pub oversubscribed: String,
    pub oversubscribed_source: String,
    #[serde(default)]
    pub clamp: Vec<Clamp>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub module_not_loaded: Vec<String>,
    pub module_not_loaded_source: String,
    pub include_missing: String,
    pub include_source: String,
    pub protected_mode_denied: String,
    pub protected_mode_source: String,
    pub debug_refused: String,
    pub debug_source: String,
    pub rename_command: String,
    pub rename_command_source: String,
    pub extended_redis_compatibility: String,
    pub extended_redis_compatibility_source: String,
    pub config_rewrite_source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerConfigFile {
    default_change: Vec<DefaultChange>,
    ignored: Vec<Ignored>,
    defaults: DefaultsSection,
    io_threads: IoThreads,
    texts: Texts,
}

/// One `sentinel <statement>` a sentinel accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub name: String,
    /// Argument counts accepted, `sentinel` and the statement included.
    pub argc: Vec<usize>,
    /// The first argument names a primary defined by an earlier `sentinel monitor`.
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SentinelVersionFile {
    profile: String,
    source: String,
    #[serde(default)]
    same_as: Option<String>,
    #[serde(default)]
    unverified: bool,
    #[serde(default)]
    unrecognized: Option<String>,
    #[serde(default)]
    no_such_primary: Option<String>,
    #[serde(default)]
    statements: Vec<Statement>,
    #[serde(default)]
    rewrites: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SentinelFile {
    version: Vec<SentinelVersionFile>,
}

/// What one version's sentinel accepts in its config file.
#[derive(Debug, Clone)]
pub struct Sentinel {
    pub profile: String,
    pub source: String,
    pub unverified: bool,
    pub unrecognized: String,
    pub no_such_primary: String,
    pub statements: Vec<Statement>,
    /// Statement → the name the sentinel writes back when it rewrites its file.
    pub rewrites: BTreeMap<String, String>,
}

impl Sentinel {
    pub fn statement(&self, name: &str) -> Option<&Statement> {
        self.statements.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The server's verdict on `sentinel <args…>` (the statement first), given the primaries
    /// defined by earlier lines: `None` accepted, else the message it prints.
    pub fn check(&self, args: &[&str], primaries: &[String]) -> Option<&str> {
        let Some(st) = args.first().and_then(|n| self.statement(n)) else { return Some(&self.unrecognized) };
        if !st.argc.contains(&(args.len() + 1)) {
            return Some(&self.unrecognized);
        }
        if st.primary && !args.get(1).is_some_and(|p| primaries.iter().any(|m| m == p)) {
            return Some(&self.no_such_primary);
        }
        None
    }
}

#[derive(Debug, Clone)]
pub struct ConfigRules {
    pub default_changes: Vec<DefaultChange>,
    pub ignored: Vec<Ignored>,
    pub defaults: DefaultsSection,
    pub io_threads: IoThreads,
    pub texts: Texts,
    sentinels: Vec<Sentinel>,
}

impl ConfigRules {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let file: ServerConfigFile = knowledge.parse_toml("server-config.toml")?;
        let sentinel: SentinelFile = knowledge.parse_toml("sentinel.toml")?;
        let origin = knowledge.origin("sentinel.toml");
        let mut sentinels: Vec<Sentinel> = Vec::new();
        for v in sentinel.version.iter().filter(|v| v.same_as.is_none()) {
            let missing = |what: &str| KnowledgeError {
                message: format!("{origin}: sentinel version {} has no `{what}`", v.profile),
                origin: origin.clone(),
                location: None,
                help: Some("a probed version lists its texts; a derived one names `same_as`".into()),
            };
            sentinels.push(Sentinel {
                profile: v.profile.clone(),
                source: v.source.clone(),
                unverified: v.unverified,
                unrecognized: v.unrecognized.clone().ok_or_else(|| missing("unrecognized"))?,
                no_such_primary: v.no_such_primary.clone().ok_or_else(|| missing("no_such_primary"))?,
                statements: v.statements.clone(),
                rewrites: v.rewrites.clone(),
            });
        }
        for v in sentinel.version.iter() {
            let Some(base) = &v.same_as else { continue };
            let Some(b) = sentinels.iter().find(|s| &s.profile == base).cloned() else {
                return Err(KnowledgeError {
                    message: format!("{origin}: sentinel version {} is the same as unknown {base}", v.profile),
                    origin: origin.clone(),
                    location: None,
                    help: None,
                });
            };
            sentinels.push(Sentinel {
                profile: v.profile.clone(),
                source: format!("{} ({})", b.source, v.source),
                unverified: v.unverified || b.unverified,
                ..b
            });
        }
        Ok(ConfigRules {
            default_changes: file.default_change,
            ignored: file.ignored,
            defaults: file.defaults,
            io_threads: file.io_threads,
            texts: file.texts,
            sentinels,
        })
    }

    /// What `profile`'s sentinel accepts, when known.
    pub fn sentinel(&self, profile: &str) -> Option<&Sentinel> {
        self.sentinels.iter().find(|s| s.profile == profile)
    }

    /// What a changed default of `name` means, when the data says.
    pub fn default_change(&self, name: &str) -> Option<&DefaultChange> {
        self.default_changes.iter().find(|d| d.names.iter().any(|n| n == name))
    }

    /// Why `name` has no effect on the versions that ignore it, when the data says.
    pub fn ignored(&self, name: &str) -> Option<&Ignored> {
        self.ignored.iter().find(|i| i.name.eq_ignore_ascii_case(name))
    }

    /// The io-threads value `profile` really uses at most, when it clamps silently.
    pub fn io_threads_clamp(&self, profile: &str) -> Option<&Clamp> {
        self.io_threads.clamp.iter().find(|c| c.profile == profile)
    }
}

impl super::View for ConfigRules {
    fn build(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        ConfigRules::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_its_sentinel() {
        let k = Knowledge::embedded().unwrap();
        let rules = k.view::<ConfigRules>().unwrap();
        for name in k.profile_names() {
            assert!(rules.sentinel(&name).is_some(), "no sentinel data for {name}");
        }
        let v9 = rules.sentinel("valkey-9.1").unwrap();
        assert_eq!(
            v9.rewrites.get("master-reboot-down-after-period").map(String::as_str),
            Some("primary-reboot-down-after-period")
        );
        let r7 = rules.sentinel("redis-7.4").unwrap();
        assert!(r7.unverified);
        let primaries = vec!["mymaster".to_string()];
        assert_eq!(
            r7.check(&["primary-reboot-down-after-period", "mymaster", "1"], &primaries),
            Some(r7.unrecognized.as_str())
        );
        assert_eq!(v9.check(&["primary-reboot-down-after-period", "mymaster", "1"], &primaries), None);
        assert_eq!(
            v9.check(&["down-after-milliseconds", "other", "1"], &primaries),
            Some("No such master with specified name.")
        );
        assert_eq!(v9.check(&["monitor", "m", "h", "1"], &primaries), Some(v9.unrecognized.as_str()));
    }
}
