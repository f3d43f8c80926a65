use crate::location::Location;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A piece of managed infrastructure (an ElastiCache replication group, a Memorystore
/// instance, a call of a popular cache module), read as Terraform reads its directory: every
/// file of the directory together, override files merged, variables and locals resolved where
/// that is possible without running anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InfraResource {
    /// `aws`, `google`, `azurerm`, or `module` for a module call.
    pub provider: String,
    /// The resource type, or `module` for a module call.
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    /// As Terraform addresses it inside its module: `aws_elasticache_replication_group.cache`,
    /// `module.redis`.
    pub address: String,
    /// The Terraform directory (module) that declares it, relative to the scan root (`.` for
    /// the root itself). Override files and variables act per directory.
    pub dir: String,
    /// The values Terraform would see, where they are statically known.
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Attributes whose value depends on something only a plan knows (another resource, a
    /// data source, a variable without a default): the expression as written and why.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, Unresolved>,
    /// Where each attribute is written (the override file that last set it, if any).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_lines: BTreeMap<String, u32>,
    /// For values that came through a variable or a local: where the value itself is written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub origins: BTreeMap<String, Origin>,
    /// Nested blocks (`parameter`, `lifecycle`, `authentication_mode`, …) in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<NestedBlock>,
    /// Module calls only: where the module comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<ModuleCall>,
    /// Full locations and expression texts of the attributes, for findings and overrides.
    #[serde(skip)]
    pub spans: BTreeMap<String, AttributeSpan>,
    #[serde(flatten)]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unresolved {
    pub expr: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// `var.engine`, `local.engine`, …
    pub via: String,
    pub file: String,
    pub line: u32,
}

/// The exact text and place of one attribute's value expression.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeSpan {
    pub location: Location,
    /// The value expression as written (without surrounding whitespace or comments).
    pub expr: String,
    /// References the expression makes (`aws_elasticache_parameter_group.redis.name`,
    /// `var.engine`), in order.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NestedBlock {
    #[serde(rename = "type")]
    pub block_type: String,
    /// For `dynamic "parameter"`: `parameter`, with `dynamic` set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dynamic: bool,
    pub attributes: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, Unresolved>,
    #[serde(skip)]
    pub spans: BTreeMap<String, AttributeSpan>,
    pub line: u32,
    #[serde(skip)]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleCall {
    pub source: String,
    /// The `version` argument, or the `ref` of a git source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// For a local source (`./modules/cache`): the module's directory relative to the scan root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_dir: Option<String>,
}

/// What a Terraform directory asks of a provider: `required_providers` entries and the
/// version `.terraform.lock.hcl` selected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderRequirement {
    pub dir: String,
    /// The local name (`aws`) for a requirement; the full address for a lock entry.
    pub name: String,
    /// `hashicorp/aws` (as declared; `registry.terraform.io/hashicorp/aws` in a lock file).
    pub source: String,
    /// The version constraint as written (`~> 5.0`), when one is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// The exact version a lock file selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<String>,
    #[serde(flatten)]
    pub location: Location,
}

impl InfraResource {
    pub fn attr(&self, key: &str) -> Option<&serde_json::Value> {
        self.attributes.get(key).filter(|v| !v.is_null())
    }

    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(|v| v.as_str())
    }

    /// Whether the attribute is written at all (resolved or not).
    pub fn has(&self, key: &str) -> bool {
        self.attributes.contains_key(key) || self.unresolved.contains_key(key)
    }

    pub fn attr_bool(&self, key: &str) -> Option<bool> {
        self.attributes.get(key).and_then(|v| v.as_bool().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
    }

    /// The place to point at for an attribute: its value when written, else the block.
    pub fn attr_location(&self, key: &str) -> Location {
        self.spans.get(key).map_or_else(|| self.location.clone(), |s| s.location.clone())
    }

    pub fn blocks_of<'a>(&'a self, block_type: &'a str) -> impl Iterator<Item = &'a NestedBlock> + 'a {
        self.blocks.iter().filter(move |b| b.block_type == block_type)
    }

    /// `lifecycle { create_before_destroy = true }`.
    pub fn create_before_destroy(&self) -> bool {
        self.blocks_of("lifecycle").any(|b| b.attributes.get("create_before_destroy") == Some(&true.into()))
    }
}
