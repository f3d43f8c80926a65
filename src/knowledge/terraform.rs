//! Typed views of `rules/terraform.toml` (what providers and managed services allow for a
//! Valkey move) and `rules/node-types.toml` (node type → vCPUs and memory).

use super::{Knowledge, KnowledgeError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Unverified,
    Inferred,
    VerifiedSecondary,
    Verified,
}

impl Status {
    /// Findings built on unverified knowledge are `info` at most.
    pub fn is_verified(self) -> bool {
        self != Status::Unverified
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMinimum {
    pub feature: String,
    pub summary: String,
    pub resources: Vec<String>,
    pub version: String,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EngineVersions {
    pub service: String,
    pub versions: Vec<String>,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Family {
    pub service: String,
    pub name: String,
    pub engine: String,
    pub versions: Vec<String>,
    pub default_group: String,
    #[serde(default)]
    pub removed: Vec<String>,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UnsupportedParameter {
    pub name: String,
    pub reason: String,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceRules {
    pub slow_failover_below: String,
    pub slow_failover_source: String,
    pub slow_failover_url: String,
    pub rollback: String,
    pub rollback_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModuleSpec {
    pub id: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub submodule: String,
    pub service: String,
    pub valkey_since: String,
    /// Concept (`engine`, `family`, `node_type`, …) → the module's input name.
    pub inputs: BTreeMap<String, String>,
    /// Input name → the module's default.
    #[serde(default)]
    pub defaults: BTreeMap<String, toml::Value>,
    pub status: Status,
    pub source: String,
    pub url: String,
}

impl ModuleSpec {
    /// The input name for a concept, e.g. `family` → `parameter_group_family`.
    pub fn input(&self, concept: &str) -> Option<&str> {
        self.inputs.get(concept).map(String::as_str)
    }

    pub fn default_of(&self, input: &str) -> Option<serde_json::Value> {
        self.defaults.get(input).and_then(|v| serde_json::to_value(v).ok())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct OtherCloud {
    pub resource: String,
    pub product: String,
    pub way: String,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PeerCheck {
    pub tool: String,
    pub id: String,
    pub name: String,
    pub resources: Vec<String>,
    pub checks: String,
    pub blind_spot: String,
    #[serde(default)]
    pub node_families: Vec<String>,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pricing {
    pub service: String,
    pub note: String,
    pub status: Status,
    pub source: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NodeType {
    #[serde(rename = "type")]
    pub node_type: String,
    pub vcpus: f64,
    pub vcpus_source: String,
    pub maxmemory_bytes: u64,
    pub generation: String,
    pub valkey: bool,
    pub redis: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TerraformKnowledge {
    #[serde(rename = "provider_minimum")]
    pub provider_minimums: Vec<ProviderMinimum>,
    #[serde(rename = "engine_version")]
    pub engine_versions: Vec<EngineVersions>,
    #[serde(rename = "family")]
    pub families: Vec<Family>,
    #[serde(rename = "unsupported_parameter")]
    pub unsupported_parameters: Vec<UnsupportedParameter>,
    pub service: ServiceRules,
    #[serde(rename = "module")]
    pub modules: Vec<ModuleSpec>,
    #[serde(rename = "other_cloud")]
    pub other_clouds: Vec<OtherCloud>,
    #[serde(rename = "peer_check")]
    pub peer_checks: Vec<PeerCheck>,
    pub pricing: Vec<Pricing>,
    #[serde(skip)]
    pub nodes: Vec<NodeType>,
}

#[derive(Deserialize)]
struct NodeFile {
    node: Vec<NodeType>,
}

impl TerraformKnowledge {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let mut k: TerraformKnowledge = knowledge.parse_toml("terraform.toml")?;
        k.nodes = knowledge.parse_toml::<NodeFile>("node-types.toml")?.node;
        Ok(k)
    }

    /// The shipped data. Parsers use it (they have no `Knowledge`); it is checked by a test,
    /// so a broken data file fails the build's tests rather than a user's run.
    pub fn embedded() -> &'static TerraformKnowledge {
        static CELL: OnceLock<TerraformKnowledge> = OnceLock::new();
        CELL.get_or_init(|| {
            let k = Knowledge::embedded().expect("embedded rules load");
            TerraformKnowledge::load(&k).expect("embedded rules/terraform.toml and rules/node-types.toml load")
        })
    }

    pub fn node_type(&self, name: &str) -> Option<&NodeType> {
        self.nodes.iter().find(|n| n.node_type.eq_ignore_ascii_case(name))
    }

    pub fn minimum(&self, feature: &str) -> Option<&ProviderMinimum> {
        self.provider_minimums.iter().find(|m| m.feature == feature)
    }

    pub fn minimum_for(&self, resource_type: &str) -> Option<&ProviderMinimum> {
        self.provider_minimums.iter().find(|m| m.resources.iter().any(|r| r == resource_type))
    }

    pub fn versions(&self, service: &str) -> Option<&EngineVersions> {
        self.engine_versions.iter().find(|v| v.service == service)
    }

    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The Valkey family of a service that holds an engine version (`8.1` → `valkey8`).
    pub fn family_for_version(&self, service: &str, version: &str) -> Option<&Family> {
        self.families
            .iter()
            .find(|f| f.service == service && f.engine == "valkey" && f.versions.iter().any(|v| v == version))
    }

    pub fn unsupported_parameter(&self, name: &str) -> Option<&UnsupportedParameter> {
        self.unsupported_parameters.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn other_cloud(&self, resource: &str) -> Option<&OtherCloud> {
        self.other_clouds.iter().find(|o| o.resource == resource)
    }

    pub fn pricing(&self, service: &str) -> Option<&Pricing> {
        self.pricing.iter().find(|p| p.service == service)
    }

    /// The module a `source` names, with its submodule (`…/aws//modules/serverless-cache`).
    pub fn module_for_source(&self, source: &str) -> Option<&ModuleSpec> {
        let (repo, sub) = normalize_module_source(source);
        self.modules.iter().find(|m| m.submodule == sub && m.sources.iter().any(|s| s.eq_ignore_ascii_case(&repo)))
    }

    /// The newest Valkey engine version a service offers that is not newer than `target`
    /// (`9.1.2` → `9.1`); the oldest when the target is older than all of them.
    pub fn pick_version(&self, service: &str, target: &str) -> Option<&str> {
        let versions = &self.versions(service)?.versions;
        let t = parse_version(target);
        versions
            .iter()
            .rev()
            .find(|v| parse_version(v) <= t || (service == "elasticache-serverless" && parse_version(v)[0] <= t[0]))
            .or_else(|| versions.first())
            .map(String::as_str)
    }
}

/// `git::https://github.com/org/repo.git//sub?ref=v1` → (`github.com/org/repo`, `sub`).
pub fn normalize_module_source(source: &str) -> (String, String) {
    let mut s = source.trim();
    for prefix in ["git::", "https://", "http://", "ssh://", "git@", "registry.terraform.io/"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    let s = s.split('?').next().unwrap_or(s);
    let (repo, sub) = match s.split_once("//") {
        Some((r, sub)) => (r, sub.trim_matches('/')),
        None => (s, ""),
    };
    let repo = repo.trim_end_matches('/').trim_end_matches(".git").replace("github.com:", "github.com/");
    (repo.to_ascii_lowercase(), sub.to_string())
}

/// Up to three numeric components; missing ones are 0 (`7` → [7, 0, 0]).
pub fn parse_version(v: &str) -> [u64; 3] {
    let mut out = [0u64; 3];
    for (i, part) in v.trim().trim_start_matches('v').split('.').take(3).enumerate() {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        out[i] = digits.parse().unwrap_or(0);
    }
    out
}

impl crate::knowledge::View for TerraformKnowledge {
    fn build(knowledge: &crate::knowledge::Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        TerraformKnowledge::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_data_loads() {
        let k = TerraformKnowledge::embedded();
        assert!(k.node_type("cache.r6g.large").is_some_and(|n| n.vcpus == 2.0));
        assert_eq!(k.family_for_version("elasticache", "8.1").unwrap().name, "valkey8");
        assert!(k.minimum("elasticache-valkey").is_some());
    }

    #[test]
    fn every_entry_names_its_source() {
        let k = TerraformKnowledge::embedded();
        let sourced = k
            .provider_minimums
            .iter()
            .map(|m| (&m.source, &m.url))
            .chain(k.engine_versions.iter().map(|m| (&m.source, &m.url)))
            .chain(k.families.iter().map(|m| (&m.source, &m.url)))
            .chain(k.unsupported_parameters.iter().map(|m| (&m.source, &m.url)))
            .chain(k.modules.iter().map(|m| (&m.source, &m.url)))
            .chain(k.other_clouds.iter().map(|m| (&m.source, &m.url)))
            .chain(k.peer_checks.iter().map(|m| (&m.source, &m.url)))
            .chain(k.pricing.iter().map(|m| (&m.source, &m.url)));
        for (source, url) in sourced {
            assert!(source.len() > 10 && url.starts_with("https://"), "{source} / {url}");
        }
        for n in &k.nodes {
            assert!(matches!(n.vcpus_source.as_str(), "third-party-table" | "ec2-size-ladder"), "{}", n.node_type);
            assert!(n.vcpus >= 1.0 && n.maxmemory_bytes > 0, "{}", n.node_type);
        }
    }

    #[test]
    fn module_sources_match_in_every_spelling() {
        let k = TerraformKnowledge::embedded();
        for s in [
            "terraform-aws-modules/elasticache/aws",
            "git::https://github.com/terraform-aws-modules/terraform-aws-elasticache.git?ref=v1.2.0",
            "github.com/terraform-aws-modules/terraform-aws-elasticache",
        ] {
            assert_eq!(k.module_for_source(s).map(|m| m.id.as_str()), Some("terraform-aws-modules/elasticache"), "{s}");
        }
        assert_eq!(
            k.module_for_source("terraform-aws-modules/elasticache/aws//modules/serverless-cache")
                .map(|m| m.id.as_str()),
            Some("terraform-aws-modules/elasticache//modules/serverless-cache")
        );
        assert!(k.module_for_source("terraform-aws-modules/vpc/aws").is_none());
    }

    #[test]
    fn the_picked_version_follows_the_target() {
        let k = TerraformKnowledge::embedded();
        assert_eq!(k.pick_version("elasticache", "9.1.2"), Some("9.1"));
        assert_eq!(k.pick_version("elasticache", "8.1.8"), Some("8.1"));
        assert_eq!(k.pick_version("elasticache", "10.0.0"), Some("9.1"));
        assert_eq!(k.pick_version("elasticache-serverless", "9.1.2"), Some("9"));
        assert_eq!(k.pick_version("memorydb", "9.1.2"), Some("7.2"));
    }
}
