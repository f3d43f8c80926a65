//! Rule metadata: code, name, default severity, summary, explanation and references, one
//! TOML file per family under `rules/catalog/`. The implementation of each rule lives in
//! `src/rules/`; a test fails when one exists without the other.

use super::{Knowledge, KnowledgeError};
use crate::findings::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub explanation: String,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Filled from the file's `family` key.
    #[serde(default)]
    pub family: String,
    /// The plan phase this rule's findings belong to (by default, its family's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// A finding of this rule (at warning or above) blocks the migration until someone decides
    /// (e.g. a module without a Valkey equivalent): the plan's verdict becomes "blocked".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocker: bool,
}

/// The phases of a migration plan, in the order they are carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Blockers,
    Clients,
    Config,
    Infrastructure,
    Data,
    Validation,
    Cutover,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Blockers,
        Phase::Clients,
        Phase::Config,
        Phase::Infrastructure,
        Phase::Data,
        Phase::Validation,
        Phase::Cutover,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Phase::Blockers => "Blockers and decisions",
            Phase::Clients => "Client upgrades",
            Phase::Config => "Server configuration",
            Phase::Infrastructure => "Infrastructure",
            Phase::Data => "Data migration",
            Phase::Validation => "Validation",
            Phase::Cutover => "Cut-over and rollback",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Phase::Blockers => "blockers",
            Phase::Clients => "clients",
            Phase::Config => "config",
            Phase::Infrastructure => "infrastructure",
            Phase::Data => "data",
            Phase::Validation => "validation",
            Phase::Cutover => "cutover",
        }
    }
}

impl RuleMeta {
    /// Where this rule's findings go in a plan.
    pub fn plan_phase(&self) -> Phase {
        self.phase.unwrap_or(match self.family.as_str() {
            "DEP" => Phase::Clients,
            "CFG" | "SEC" => Phase::Config,
            "TF" | "IMG" => Phase::Infrastructure,
            "MOD" | "LIC" => Phase::Blockers,
            _ => Phase::Validation,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyFile {
    family: String,
    title: String,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleMeta>,
}

/// The order families are listed in: the way a migration is read, scan notes last.
const FAMILY_ORDER: &[&str] = &["CFG", "DEP", "MOD", "TF", "IMG", "LIC", "SEC", "SCAN"];

#[derive(Debug, Clone, Serialize)]
pub struct Family {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Default, Clone)]
pub struct Catalog {
    rules: BTreeMap<String, RuleMeta>,
    pub families: Vec<Family>,
}

impl Catalog {
    pub(super) fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let mut catalog = Catalog::default();
        let paths: Vec<String> = knowledge.files_under("catalog/").map(|(p, _)| p.to_string()).collect();
        for path in paths.iter().filter(|p| p.ends_with(".toml")) {
            let file: FamilyFile = knowledge.parse_toml(path)?;
            catalog.families.push(Family { code: file.family.clone(), title: file.title });
            for mut rule in file.rules {
                let problem = if !rule.code.starts_with(&file.family) {
                    Some(format!("rule {} is filed under family {}", rule.code, file.family))
                } else if catalog.rules.contains_key(&rule.code) {
                    Some(format!("rule code {} is defined twice", rule.code))
                } else if catalog.rules.values().any(|r| r.name == rule.name) {
                    Some(format!("rule name {} is used by two codes", rule.name))
                } else {
                    None
                };
                if let Some(message) = problem {
                    return Err(KnowledgeError {
                        message: format!("{}: {message}", knowledge.origin(path)),
                        origin: knowledge.origin(path),
                        location: None,
                        help: Some("every rule needs a unique code, prefixed by its family, and a unique name".into()),
                    });
                }
                rule.family = file.family.clone();
                catalog.rules.insert(rule.code.clone(), rule);
            }
        }
        catalog.families.sort_by_key(|f| {
            (FAMILY_ORDER.iter().position(|c| *c == f.code).unwrap_or(FAMILY_ORDER.len()), f.code.clone())
        });
        Ok(catalog)
    }

    pub fn get(&self, code: &str) -> Option<&RuleMeta> {
        self.rules.get(code)
    }

    /// Looks a rule up by code (`CFG001`, any case) or by name (`target-refuses-config`).
    pub fn find(&self, code_or_name: &str) -> Option<&RuleMeta> {
        self.rules
            .get(&code_or_name.to_ascii_uppercase())
            .or_else(|| self.rules.values().find(|r| r.name == code_or_name))
    }

    pub fn iter(&self) -> impl Iterator<Item = &RuleMeta> {
        self.rules.values()
    }

    /// True when `selector` names a rule code, a family, or a code prefix that matches a rule.
    pub fn selector_matches_any(&self, selector: &str) -> bool {
        let s = selector.to_ascii_uppercase();
        self.rules.keys().any(|code| code.starts_with(&s)) || self.rules.values().any(|r| r.name == selector)
    }
}
