//! CFG: server configuration files.

mod default_changes;
mod extended_redis_compatibility;
mod include_not_found;
mod io_threads;
mod module_not_loadable;
mod rewrite_renames;
mod target_ignores;
mod target_refuses_config;
pub mod verdicts;
pub mod view;

use super::{Rule, RuleContext};
use crate::findings::Finding;
use crate::knowledge::Profile;
use crate::knowledge::config_rules::ConfigRules;
use std::sync::Arc;

pub use default_changes::changed_defaults;
pub(crate) use target_refuses_config::{help_for, sentinel_help};

pub static RULES: &[&dyn Rule] = &[
    &target_refuses_config::TargetRefusesConfig,
    &module_not_loadable::ModuleNotLoadable,
    &target_ignores::TargetIgnoresDirective,
    &default_changes::ReliesOnChangedDefault,
    &rewrite_renames::RewriteRenamesDirective,
    &io_threads::IoThreadsVsCores,
    &extended_redis_compatibility::ExtendedRedisCompatibility,
    &include_not_found::IncludeNotFound,
];

/// The server the repository runs today, as the rules compare with it: its profile when the
/// repository (or the user) says which, else every Redis profile (a difference counts only
/// when all of them agree on it).
pub enum SourceSide {
    Known(Arc<Profile>),
    AnyRedis(Vec<Arc<Profile>>),
}

impl SourceSide {
    pub fn of(cx: &RuleContext) -> Self {
        Self::new(cx.knowledge, cx.source)
    }

    pub fn new(knowledge: &crate::knowledge::Knowledge, source: &crate::source::SourceServer) -> Self {
        if let Some(p) = source.profile.as_ref().and_then(|name| knowledge.profile(name).ok()) {
            return SourceSide::Known(p);
        }
        let mut all: Vec<Arc<Profile>> = knowledge
            .profile_names()
            .iter()
            .filter(|n| n.starts_with("redis-"))
            .filter_map(|n| knowledge.profile(n).ok())
            .collect();
        all.sort_by_key(|p| crate::knowledge::migration::profile_version(p.name()).map(|(_, a, b)| (a, b)));
        SourceSide::AnyRedis(all)
    }

    pub fn profiles(&self) -> &[Arc<Profile>] {
        match self {
            SourceSide::Known(p) => std::slice::from_ref(p),
            SourceSide::AnyRedis(all) => all,
        }
    }

    /// `Redis 7.4.1`, or `every Redis version from 6.2.5 to 8.2.3`.
    pub fn label(&self) -> String {
        match self {
            SourceSide::Known(p) => p.display_name(),
            SourceSide::AnyRedis(all) => match (all.first(), all.last()) {
                (Some(a), Some(b)) => {
                    format!("every Redis version from {} to {}", a.header.version, b.header.version)
                }
                _ => "Redis".into(),
            },
        }
    }

    /// Whether the source refuses a config line starting with `name` (every profile does,
    /// when the source is not known).
    pub fn refuses_name(&self, name: &str) -> bool {
        !self.profiles().is_empty() && self.profiles().iter().all(|p| !p.knows_directive(name))
    }
}

/// The CFG knowledge, or a finding saying it is broken.
pub fn config_rules(cx: &RuleContext, code: &str, out: &mut Vec<Finding>) -> Option<Arc<ConfigRules>> {
    match cx.knowledge.view::<ConfigRules>() {
        Ok(r) => Some(r),
        Err(e) => {
            out.push(
                Finding::new(
                    crate::scan::codes::UNPARSABLE,
                    crate::location::Location::file_only(e.origin.clone()),
                    format!("{code} not run: {}", e.message),
                )
                .help("a data file is broken (a --rules-dir overlay, or a bug to report)"),
            );
            None
        }
    }
}

/// A config value as the server prints it back (`CONFIG GET`), for messages.
pub fn shown(value: &str) -> String {
    if value.is_empty() { "\"\"".into() } else { value.to_string() }
}
