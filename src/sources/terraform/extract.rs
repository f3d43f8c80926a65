//! Turns a merged, evaluated directory into Inventory facts: the cache resources, the calls of
//! cache modules, the provider requirements, and the cores of each node type.

use super::eval::{Evaluated, Scope};
use super::files::TfFile;
use super::merge::{AttrRef, DirModel, MergedBlock, Nested, block_location};
use super::refs::references;
use crate::inventory::{
    AttributeSpan, HostFact, HostSource, InfraResource, ModuleCall, NestedBlock, ProviderRequirement, Unresolved,
};
use crate::knowledge::terraform::TerraformKnowledge;
use crate::sources::Facts;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use std::collections::BTreeMap;

/// The resource types this tool reads, with their provider.
pub const RESOURCE_TYPES: &[(&str, &str)] = &[
    ("aws_elasticache_replication_group", "aws"),
    ("aws_elasticache_cluster", "aws"),
    ("aws_elasticache_serverless_cache", "aws"),
    ("aws_elasticache_global_replication_group", "aws"),
    ("aws_elasticache_parameter_group", "aws"),
    ("aws_elasticache_user", "aws"),
    ("aws_elasticache_user_group", "aws"),
    ("aws_memorydb_cluster", "aws"),
    ("aws_memorydb_parameter_group", "aws"),
    ("google_redis_instance", "google"),
    ("google_redis_cluster", "google"),
    ("google_memorystore_instance", "google"),
    ("azurerm_redis_cache", "azurerm"),
    ("azurerm_managed_redis", "azurerm"),
    ("azurerm_redis_enterprise_cluster", "azurerm"),
];

pub struct Extracted {
    pub resources: Vec<InfraResource>,
    /// Module calls with a local source: kept only when the called directory holds a cache.
    pub local_calls: Vec<InfraResource>,
}

pub fn extract(
    dir: &str,
    files: &[TfFile],
    model: &DirModel,
    scope: &Scope,
    knowledge: &TerraformKnowledge,
    out: &mut Facts,
) -> Extracted {
    let mut resources = Vec::new();
    for block in &model.resources {
        let ty = block.labels[0].as_str();
        let Some((_, provider)) = RESOURCE_TYPES.iter().find(|(t, _)| *t == ty) else { continue };
        let mut r = resource(dir, files, scope, block, provider, ty, format!("{ty}.{}", block.labels[1]));
        if r.attr_str("engine") != Some("memcached") {
            host_fact(&r, knowledge, out);
        }
        if ty.ends_with("_parameter_group") {
            parameters_summary(&mut r);
        }
        resources.push(r);
    }
    let mut local_calls = Vec::new();
    for block in &model.modules {
        let name = &block.labels[0];
        let source = block.attr("source").map(|a| scope.eval_attr(a));
        let Some(Ok(serde_json::Value::String(source))) = source.map(|e| e.value) else { continue };
        let version = block
            .attr("version")
            .and_then(|a| scope.eval_attr(a).value.ok())
            .and_then(|v| v.as_str().map(String::from));
        let local_dir = local_module_dir(dir, &source);
        let known = knowledge.module_for_source(&source).is_some();
        if !known && local_dir.is_none() {
            continue;
        }
        let version = version.or_else(|| git_ref(&source));
        let mut r = resource(dir, files, scope, block, "module", "module", format!("module.{name}"));
        for k in ["source", "version"] {
            r.attributes.remove(k);
            r.attribute_lines.remove(k);
        }
        r.module = Some(ModuleCall { source, version, local_dir: local_dir.clone() });
        if known {
            host_fact(&r, knowledge, out);
            resources.push(r);
        } else {
            local_calls.push(r);
        }
    }
    for p in &model.providers {
        if let Some(req) = provider_requirement(dir, files, scope, p.name.as_str(), p.file, p.attr) {
            out.inventory.providers.push(req);
        }
    }
    Extracted { resources, local_calls }
}

fn resource(
    dir: &str,
    files: &[TfFile],
    scope: &Scope,
    block: &MergedBlock,
    provider: &str,
    ty: &str,
    address: String,
) -> InfraResource {
    let mut r = InfraResource {
        provider: provider.to_string(),
        resource_type: ty.to_string(),
        name: block.labels.last().cloned().unwrap_or_default(),
        address,
        dir: dir.to_string(),
        attributes: BTreeMap::new(),
        unresolved: BTreeMap::new(),
        attribute_lines: BTreeMap::new(),
        origins: BTreeMap::new(),
        blocks: Vec::new(),
        module: None,
        spans: BTreeMap::new(),
        location: block_location(files, block.file, block.block),
    };
    for (key, a) in &block.attrs {
        // Tags say nothing about the engine and would swamp the inventory; `depends_on` is
        // ordering only.
        if matches!(key.as_str(), "tags" | "tags_all" | "depends_on") {
            continue;
        }
        let span = attr_span(files, *a);
        if key == "provider" {
            // A provider reference (`aws.secondary`) is a name, not a value to evaluate.
            r.attribute_lines.insert(key.clone(), span.location.line);
            r.attributes.insert(key.clone(), serde_json::Value::String(span.expr.clone()));
            r.spans.insert(key.clone(), span);
            continue;
        }
        r.attribute_lines.insert(key.clone(), span.location.line);
        record(key, scope.eval_attr(*a), &span, &mut r.attributes, &mut r.unresolved, Some(&mut r.origins));
        r.spans.insert(key.clone(), span);
    }
    for n in &block.nested {
        r.blocks.push(nested_block(files, scope, n));
    }
    r
}

fn record(
    key: &str,
    value: Evaluated,
    span: &AttributeSpan,
    attributes: &mut BTreeMap<String, serde_json::Value>,
    unresolved: &mut BTreeMap<String, Unresolved>,
    origins: Option<&mut BTreeMap<String, crate::inventory::Origin>>,
) {
    match value.value {
        Ok(v) => {
            attributes.insert(key.to_string(), v);
            if let (Some(origins), Some(o)) = (origins, value.origin) {
                origins.insert(key.to_string(), o);
            }
        }
        Err(reason) => {
            unresolved.insert(key.to_string(), Unresolved { expr: span.expr.clone(), reason });
        }
    }
}

fn nested_block(files: &[TfFile], scope: &Scope, n: &Nested) -> NestedBlock {
    let dynamic = n.block.ident.as_str() == "dynamic";
    let block_type = if dynamic {
        n.block.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default()
    } else {
        n.block.ident.as_str().to_string()
    };
    let location = block_location(files, n.file, n.block);
    let mut b = NestedBlock {
        block_type,
        dynamic,
        attributes: BTreeMap::new(),
        unresolved: BTreeMap::new(),
        spans: BTreeMap::new(),
        line: location.line,
        location: Some(location),
    };
    if dynamic {
        // The blocks a `dynamic` block makes depend on its `for_each`: record the content's
        // expressions as written, never their values.
        for content in n.block.body.get_blocks("content") {
            for attr in content.body.attributes() {
                let span = attr_span(files, AttrRef { file: n.file, attr });
                b.unresolved.insert(
                    attr.key.as_str().to_string(),
                    Unresolved { expr: span.expr.clone(), reason: "set by a dynamic block".into() },
                );
                b.spans.insert(attr.key.as_str().to_string(), span);
            }
        }
        return b;
    }
    for (key, a) in &n.attrs {
        let span = attr_span(files, *a);
        record(key, scope.eval_attr(*a), &span, &mut b.attributes, &mut b.unresolved, None);
        b.spans.insert(key.clone(), span);
    }
    b
}

/// A parameter group's `parameter` blocks as one list of `{name, value}`, the shape module
/// inputs use, so every parameter group reads the same in the inventory. Parameters whose
/// name or value is not known stay only in `blocks`, with their expressions.
fn parameters_summary(r: &mut InfraResource) {
    let list: Vec<serde_json::Value> = r
        .blocks_of("parameter")
        .filter(|b| !b.dynamic)
        .filter_map(|b| {
            let name = b.attributes.get("name")?.clone();
            let value = b.attributes.get("value")?.clone();
            Some(serde_json::json!({ "name": name, "value": value }))
        })
        .collect();
    if !list.is_empty() {
        r.attributes.insert("parameters".into(), serde_json::Value::Array(list));
    }
}

pub fn attr_span(files: &[TfFile], a: AttrRef) -> AttributeSpan {
    let f = &files[a.file];
    let (location, expr) = match a.attr.value.span() {
        Some(s) => (f.src.location(s.clone()), f.text().get(s).unwrap_or_default().trim().to_string()),
        None => (f.src.file_location(), String::new()),
    };
    AttributeSpan { location, expr, references: references(&a.attr.value) }
}

fn provider_requirement(
    dir: &str,
    files: &[TfFile],
    scope: &Scope,
    name: &str,
    file: usize,
    attr: &hcl_edit::structure::Attribute,
) -> Option<ProviderRequirement> {
    let span = attr_span(files, AttrRef { file, attr });
    let (source, constraint) = match &attr.value {
        // `aws = "~> 3.0"` (0.12 style) or `provider "aws" { version = … }`: a HashiCorp provider.
        Expression::String(_) | Expression::StringTemplate(_) => {
            let v = scope.eval(&attr.value).value.ok()?;
            let pname = if attr.key.as_str() == "version" { name } else { attr.key.as_str() };
            (format!("hashicorp/{pname}"), v.as_str().map(String::from))
        }
        Expression::Object(_) => {
            let v = scope.eval(&attr.value).value.ok()?;
            let source =
                v.get("source").and_then(|s| s.as_str()).map_or_else(|| format!("hashicorp/{name}"), String::from);
            (source, v.get("version").and_then(|s| s.as_str()).map(String::from))
        }
        _ => return None,
    };
    Some(ProviderRequirement {
        dir: dir.to_string(),
        name: name.to_string(),
        source: normalize_provider_source(&source),
        constraint,
        locked: None,
        location: span.location,
    })
}

/// `hashicorp/aws`, however it is written (`registry.terraform.io/hashicorp/AWS`).
pub fn normalize_provider_source(source: &str) -> String {
    let lower = source.to_ascii_lowercase();
    lower.strip_prefix("registry.terraform.io/").unwrap_or(&lower).to_string()
}

/// The cores of the node type a cache runs on, for rules that size threads by cores.
fn host_fact(r: &InfraResource, knowledge: &TerraformKnowledge, out: &mut Facts) {
    let key = if r.resource_type == "module" {
        match r.module.as_ref().and_then(|m| knowledge.module_for_source(&m.source)) {
            Some(m) => m.inputs.get("node_type").cloned().unwrap_or_default(),
            None => return,
        }
    } else {
        "node_type".to_string()
    };
    let Some(node_type) = r.attr_str(&key) else { return };
    let Some(node) = knowledge.node_type(node_type) else { return };
    out.inventory.hosts.push(HostFact {
        source: HostSource::NodeType,
        subject: format!("{} ({node_type})", r.address),
        cores: Some(node.vcpus),
        location: r.attr_location(&key),
    });
}

fn local_module_dir(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    // Terraform names the root module's folder `.`.
    let joined = crate::location::join_relative(dir, source)?;
    Some(if joined.is_empty() { ".".into() } else { joined })
}

fn git_ref(source: &str) -> Option<String> {
    let q = source.split_once('?')?.1;
    q.split('&').find_map(|kv| kv.strip_prefix("ref=")).map(|r| r.trim_start_matches('v').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_module_dirs_resolve_against_the_caller() {
        assert_eq!(local_module_dir("envs/prod", "../../modules/cache").as_deref(), Some("modules/cache"));
        assert_eq!(local_module_dir(".", "./modules/cache").as_deref(), Some("modules/cache"));
        assert_eq!(local_module_dir(".", "../outside"), None);
        assert_eq!(local_module_dir(".", "terraform-aws-modules/elasticache/aws"), None);
    }

    #[test]
    fn git_refs_are_versions() {
        assert_eq!(
            git_ref("git::https://github.com/cloudposse/terraform-aws-elasticache-redis.git?ref=v1.9.0").as_deref(),
            Some("1.9.0")
        );
        assert_eq!(git_ref("cloudposse/elasticache-redis/aws"), None);
    }
}
