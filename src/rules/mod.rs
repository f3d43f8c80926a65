//! Rules read the Inventory and the knowledge and emit findings. A rule never parses and
//! never prints. Each family has a module; each rule has a file with its implementation, and
//! an entry with its metadata in `rules/catalog/<family>.toml`.

pub mod cfg;
pub mod dep;
pub mod img;
pub mod lic;
pub mod modules;
pub mod sec;
pub mod tf;

use crate::config::Settings;
use crate::findings::Finding;
use crate::inventory::Inventory;
use crate::knowledge::{Knowledge, Profile};
use std::sync::Arc;

pub struct RuleContext<'a> {
    pub inventory: &'a Inventory,
    pub knowledge: &'a Knowledge,
    pub settings: &'a Settings,
    /// The profile of the server the repository moves to.
    pub target: Arc<Profile>,
    /// The server the repository runs today, as far as it says (or as the user set it).
    pub source: &'a crate::source::SourceServer,
}

pub trait Rule: Sync + Send {
    /// The code this rule emits; its metadata must exist in the catalog.
    fn code(&self) -> &'static str;
    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>);
}

/// Every rule, family by family.
pub fn registry() -> Vec<&'static dyn Rule> {
    let mut all: Vec<&'static dyn Rule> = Vec::new();
    all.extend_from_slice(cfg::RULES);
    all.extend_from_slice(dep::RULES);
    all.extend_from_slice(tf::RULES);
    all.extend_from_slice(modules::RULES);
    all.extend_from_slice(img::RULES);
    all.extend_from_slice(lic::RULES);
    all.extend_from_slice(sec::RULES);
    all
}

/// Codes that the engine itself emits rather than a rule (scan notes, suppressions).
pub fn engine_codes() -> &'static [&'static str] {
    crate::scan::codes::ALL
}
