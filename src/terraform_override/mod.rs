//! Terraform override files for the move to Valkey: per Terraform directory, a
//! `valkey_override.tf` that overrides exactly the arguments that must change, and a normal
//! `valkey_parameter_groups.tf` for the new Valkey parameter groups (a new resource cannot
//! live in an override file: "Missing resource to override").
//!
//! Terraform's merge rules shape what is written: an argument replaces the argument of the
//! same name; a nested block replaces every block of its type, so nested blocks are never
//! overridden here; `depends_on` cannot be overridden; the target must be a block of the same
//! directory; a module's inputs can be overridden, the resources inside it cannot.
//!
//! This function never writes: it returns file contents for the caller (the plan) to write.

mod writer;

use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::TerraformKnowledge;
use crate::rules::tf::constraint::{Allows, allows_at_least};
use crate::rules::tf::view::{self, Cache, Engine, Service};
use crate::rules::tf::{moves, valkey_family};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use writer::{Block, Expr};

pub use writer::quote;

pub const OVERRIDE_FILE: &str = "valkey_override.tf";
pub const NEW_RESOURCES_FILE: &str = "valkey_parameter_groups.tf";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedFile {
    /// The Terraform directory, relative to the scan root (`.` for the root).
    pub dir: String,
    /// `dir/valkey_override.tf`, relative to the scan root.
    pub path: String,
    pub contents: String,
}

/// A cache the generator left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub dir: String,
    pub address: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    pub files: Vec<GeneratedFile>,
    pub skipped: Vec<Skipped>,
    /// Things a reviewer must know about a generated change (same shape as `skipped`).
    pub notes: Vec<Skipped>,
}

#[derive(Default)]
struct DirPlan {
    overrides: Vec<Block>,
    new_resources: Vec<Block>,
    /// The strictest provider release the directory's changes need.
    provider_need: Option<String>,
}

/// The override files that move every Redis cache of `inventory` that can move in place to
/// the Valkey release closest to `target_version` (a server version such as `9.1.2`).
pub fn generate(inventory: &Inventory, k: &TerraformKnowledge, target_version: &str) -> Overrides {
    let mut plans: BTreeMap<String, DirPlan> = BTreeMap::new();
    let mut skipped = Vec::new();
    let caches = view::caches(inventory, k);
    for c in &caches {
        let result = match c.service {
            Service::Global => global(c, &caches, k, target_version).map(|ch| ch.map(|ch| vec![(c.r.dir.clone(), ch)])),
            Service::CacheCluster => match c.engine {
                Engine::Written(ref e) if e == "redis" => {
                    Err("an aws_elasticache_cluster cannot run Valkey; move it into a replication group first (TF002)"
                        .into())
                }
                _ => continue,
            },
            _ if c.in_global_datastore() && c.engine.is_redis() => {
                continue; // moved by the global group's override
            }
            _ if moves(c) => match via_callers(c, inventory, k, target_version) {
                Some(result) => result,
                None => cache(c, inventory, k, target_version).map(|ch| ch.map(|ch| vec![(c.r.dir.clone(), ch)])),
            },
            _ => match &c.engine {
                Engine::Unresolved { expr, reason } if c.service != Service::CacheCluster => {
                    Err(format!("engine = {expr} could not be evaluated ({reason}); set it where it is defined"))
                }
                _ => continue,
            },
        };
        match result {
            Ok(Some(changes)) => {
                for (dir, change) in changes {
                    let plan = plans.entry(dir).or_default();
                    add_block(&mut plan.overrides, change.override_block);
                    plan.new_resources.extend(change.new_resources);
                    if let Some(need) = change.provider_need {
                        plan.provider_need = strictest(plan.provider_need.take(), need);
                    }
                }
            }
            Ok(None) => {}
            Err(reason) => {
                skipped.push(Skipped { dir: c.r.dir.clone(), address: c.r.address.clone(), reason });
            }
        }
    }
    let mut notes = Vec::new();
    for (dir, _) in plans.iter() {
        let callers: Vec<&str> = inventory
            .infra
            .iter()
            .filter(|r| r.module.as_ref().and_then(|m| m.local_dir.as_deref()) == Some(dir.as_str()))
            .map(|r| r.dir.as_str())
            .collect();
        if !callers.is_empty() {
            notes.push(Skipped {
                dir: dir.clone(),
                address: String::new(),
                reason: format!(
                    "{dir} is a module called from {}: an override there changes the caches of every caller",
                    callers.join(", ")
                ),
            });
        }
    }
    let mut files = Vec::new();
    for (dir, mut plan) in plans {
        if let Some(need) = &plan.provider_need
            && let Some(block) = provider_override(inventory, &dir, need)
        {
            plan.overrides.insert(0, block);
        }
        let header = vec![
            "Generated by valkey-migrate: moves this directory's caches from Redis OSS to Valkey.".to_string(),
            "Terraform merges this override file into the blocks of the same name in this directory;".to_string(),
            "it sets only the arguments that change. Review it with `terraform plan` before applying,".to_string(),
            "and note in the original files that an override applies.".to_string(),
        ];
        files.push(GeneratedFile {
            path: join(&dir, OVERRIDE_FILE),
            contents: writer::file(&header, &plan.overrides),
            dir: dir.clone(),
        });
        if !plan.new_resources.is_empty() {
            let header = vec![
                "Generated by valkey-migrate: Valkey parameter groups with the same settings as the Redis OSS"
                    .to_string(),
                "groups they replace (minus the parameters the Valkey family does not have). Delete the old"
                    .to_string(),
                "groups once no cache uses them.".to_string(),
            ];
            files.push(GeneratedFile {
                path: join(&dir, NEW_RESOURCES_FILE),
                contents: writer::file(&header, &plan.new_resources),
                dir,
            });
        }
    }
    Overrides { files, skipped, notes }
}

/// Changes by target directory; `Ok(None)`: nothing to change; `Err`: left alone, and why.
type ChangeResult = Result<Option<Vec<(String, Change)>>, String>;

struct Change {
    override_block: Block,
    new_resources: Vec<Block>,
    provider_need: Option<String>,
}

/// Two changes to the same block (two caches of one module, one caller) become one block.
fn add_block(blocks: &mut Vec<Block>, b: Block) {
    match blocks.iter_mut().find(|x| x.ident == b.ident && x.labels == b.labels) {
        Some(existing) => {
            for (k, v) in b.attrs {
                if !existing.attrs.iter().any(|(ek, _)| *ek == k) {
                    existing.attrs.push((k, v));
                }
            }
        }
        None => blocks.push(b),
    }
}

/// A cache inside a local module whose engine comes from the callers' arguments: the change
/// goes on each caller's module block (module inputs can be overridden; the resources inside
/// a module cannot be reached from outside it). `None` when the engine is not set that way.
fn via_callers(c: &Cache, inv: &Inventory, k: &TerraformKnowledge, target: &str) -> Option<ChangeResult> {
    // A value that flows from a variable (directly or through locals) is what a caller sets.
    let from_caller = |key: &str| c.r.origins.get(key).and_then(|o| o.via.strip_prefix("var.")).map(String::from);
    let callers: Vec<&InfraResource> = inv
        .infra
        .iter()
        .filter(|r| r.module.as_ref().and_then(|m| m.local_dir.as_deref()) == Some(c.r.dir.as_str()))
        .collect();
    if callers.is_empty() {
        return None;
    }
    let engine_input = from_caller("engine")?;
    let inside = |key: &str| {
        let at = c.r.attr_location(key);
        format!(
            "{key} is written inside the module ({}:{}); the callers can only change the engine, so change {key} \
             there in the same apply",
            at.file, at.line
        )
    };
    let version_key = c.key("engine_version").unwrap_or_else(|| "engine_version".into());
    let Some(version_input) = from_caller(&version_key) else {
        return Some(Err(inside(&version_key)));
    };
    let version = k.pick_version(c.service.knowledge_key(), target)?;
    let mut pg_input = None;
    if c.r.has("parameter_group_name") {
        let name = c.r.attr_str("parameter_group_name").unwrap_or_default();
        match (from_caller("parameter_group_name"), valkey_family(c, k, version)) {
            (Some(input), Some(family)) if name.starts_with("default.") => {
                let suffix = if name.contains(".cluster.on") { ".cluster.on" } else { "" };
                let default =
                    k.family(&family).map_or_else(|| format!("default.{family}"), |f| f.default_group.clone());
                pg_input = Some((input, format!("{default}{suffix}")));
            }
            _ => return Some(Err(inside("parameter_group_name"))),
        }
    }
    let changes = callers
        .iter()
        .map(|call| {
            let mut b = Block::new("module", &[call.name.as_str()]);
            b.comments.push(format!(
                "{}: {} in {} moves to Valkey {version} through this call's inputs.",
                call.address, c.r.address, c.r.dir
            ));
            b = b.string(&engine_input, "valkey").string(&version_input, version);
            if let Some((input, name)) = &pg_input {
                b = b.string(input, name);
            }
            (call.dir.clone(), Change { override_block: b, new_resources: Vec::new(), provider_need: None })
        })
        .collect();
    Some(Ok(Some(changes)))
}

fn join(dir: &str, file: &str) -> String {
    if dir == "." { file.to_string() } else { format!("{dir}/{file}") }
}

fn strictest(a: Option<String>, b: String) -> Option<String> {
    use crate::knowledge::terraform::parse_version;
    Some(match a {
        Some(a) if parse_version(&a) >= parse_version(&b) => a,
        _ => b,
    })
}

fn cache(c: &Cache, inv: &Inventory, k: &TerraformKnowledge, target: &str) -> Result<Option<Change>, String> {
    let version =
        k.pick_version(c.service.knowledge_key(), target).ok_or("no Valkey version known for this service")?;
    if let Some(m) = c.module {
        return module(c, m, k, version).map(Some);
    }
    let labels = [c.r.resource_type.as_str(), c.r.name.as_str()];
    let mut b = Block::new("resource", &labels);
    b.comments.push(format!("{}: Redis OSS to Valkey {version}, in place.", c.r.address));
    b = b.string("engine", "valkey");
    let version_key = c.key("engine_version").unwrap_or_else(|| "engine_version".into());
    b = b.string(&version_key, version);
    let mut new_resources = Vec::new();
    if let Some(family) = valkey_family(c, k, version) {
        match parameter_group(c, inv, k, &family)? {
            PgChange::None => {}
            PgChange::Name(name) => b = b.string("parameter_group_name", &name),
            PgChange::New(new_block, reference) => {
                b = b.attr("parameter_group_name", Expr::Raw(reference));
                new_resources.push(new_block);
            }
        }
    }
    let feature = if c.service == Service::MemoryDb { "memorydb-engine" } else { "elasticache-valkey" };
    Ok(Some(Change { override_block: b, new_resources, provider_need: k.minimum(feature).map(|m| m.version.clone()) }))
}

enum PgChange {
    None,
    Name(String),
    New(Block, String),
}

fn parameter_group(c: &Cache, inv: &Inventory, k: &TerraformKnowledge, family: &str) -> Result<PgChange, String> {
    let memorydb = c.service == Service::MemoryDb;
    let pg_type = if memorydb { "aws_memorydb_parameter_group" } else { "aws_elasticache_parameter_group" };
    if !c.r.has("parameter_group_name") {
        return Ok(if memorydb { PgChange::Name("default.memorydb-valkey7".into()) } else { PgChange::None });
    }
    if let Some(name) = c.r.attr_str("parameter_group_name") {
        if memorydb && name.starts_with("default.") {
            return Ok(PgChange::Name("default.memorydb-valkey7".into()));
        }
        if let Some(rest) = name.strip_prefix("default.") {
            let suffix = if rest.contains(".cluster.on") { ".cluster.on" } else { "" };
            let default = k.family(family).map_or_else(|| format!("default.{family}"), |f| f.default_group.clone());
            return Ok(PgChange::Name(format!("{default}{suffix}")));
        }
    }
    let referenced = view::referenced(c.r, "parameter_group_name", pg_type);
    let [address] = referenced.as_slice() else {
        let expr = c.r.spans.get("parameter_group_name").map(|s| s.expr.clone()).unwrap_or_default();
        return Err(format!(
            "parameter_group_name = {expr} names a custom group this directory does not declare; create a {family} \
             copy of it with the same static parameters and point parameter_group_name at it with the engine change"
        ));
    };
    let pg = view::find(inv, &c.r.dir, address)
        .ok_or_else(|| format!("{address} is referenced but not declared in {}", c.r.dir))?;
    copy_parameter_group(inv, pg, k, family).map(|(block, name)| PgChange::New(block, format!("{pg_type}.{name}.name")))
}

/// A copy of a Redis parameter group in the Valkey family: same arguments and parameters
/// (expressions copied as written), minus the parameters the family does not have.
fn copy_parameter_group(
    inv: &Inventory,
    pg: &InfraResource,
    k: &TerraformKnowledge,
    family: &str,
) -> Result<(Block, String), String> {
    if pg.blocks_of("parameter").any(|b| b.dynamic) {
        return Err(format!(
            "{} builds its parameters with a dynamic block; write the {family} copy by hand",
            pg.address
        ));
    }
    let removed = k.family(family).map(|f| f.removed.clone()).unwrap_or_default();
    let mut new_name = format!("{}_{}", pg.name, family.replace('.', "_"));
    // Never collide with a block the directory already declares (a copy made by hand).
    while inv.infra.iter().any(|r| r.dir == pg.dir && r.resource_type == pg.resource_type && r.name == new_name) {
        new_name.push_str("_new");
    }
    let mut b = Block::new("resource", &[pg.resource_type.as_str(), new_name.as_str()]);
    b.comments.push(format!("Copy of {} for {family}.", pg.address));
    let mut keys: Vec<&String> = pg.spans.keys().collect();
    keys.sort_by_key(|key| pg.attribute_lines.get(*key).copied().unwrap_or(u32::MAX));
    for key in keys {
        let expr = pg.spans[key].expr.clone();
        let value = match key.as_str() {
            "family" => Expr::Literal(Value::String(family.into())),
            "name" => match pg.attr_str("name") {
                Some(n) => Expr::Literal(Value::String(renamed(n, family))),
                None => Expr::Raw(format!("\"${{{expr}}}-{}\"", family.replace('_', "-"))),
            },
            "description" => match pg.attr_str("description") {
                Some(d) => Expr::Literal(Value::String(format!("{d} (Valkey)"))),
                None => Expr::Raw(expr),
            },
            "tags" | "tags_all" | "provider" | "count" | "for_each" => Expr::Raw(expr),
            _ => Expr::Raw(expr),
        };
        b.attrs.push((key.clone(), value));
    }
    for p in pg.blocks_of("parameter") {
        let name = p.attributes.get("name").and_then(|v| v.as_str());
        if name.is_some_and(|n| removed.iter().any(|r| r.eq_ignore_ascii_case(n))) {
            continue;
        }
        let mut nb = Block::new("parameter", &[]);
        for key in ["name", "value"] {
            if let Some(s) = p.spans.get(key) {
                nb.attrs.push((key.into(), Expr::Raw(s.expr.clone())));
            }
        }
        b.blocks.push(nb);
    }
    if pg.create_before_destroy() || !pg.has("name") {
        let mut lc = Block::new("lifecycle", &[]);
        lc.attrs.push(("create_before_destroy".into(), Expr::Literal(Value::Bool(true))));
        b.blocks.push(lc);
    }
    Ok((b, new_name))
}

/// `sessions-redis7` → `sessions-valkey8`; a name without the old family gets a suffix.
fn renamed(name: &str, family: &str) -> String {
    let dashed = family.replace(['.', '_'], "-");
    for old in [
        "redis7",
        "redis6-x",
        "redis6.x",
        "redis5.0",
        "redis5-0",
        "redis4.0",
        "memorydb-redis7",
        "memorydb_redis7",
        "redis",
    ] {
        if let Some(at) = name.rfind(old) {
            return format!("{}{dashed}{}", &name[..at], &name[at + old.len()..]);
        }
    }
    format!("{name}-{dashed}")
}

fn module(
    c: &Cache,
    m: &crate::knowledge::terraform::ModuleSpec,
    k: &TerraformKnowledge,
    version: &str,
) -> Result<Change, String> {
    if let Some(call) = &c.r.module
        && let Some(v) = &call.version
        && allows_at_least(v, &m.valkey_since) == Some(Allows::Never)
    {
        return Err(format!(
            "{} \"{v}\" predates Valkey support ({}); raise the module version first (TF007)",
            m.id, m.valkey_since
        ));
    }
    let mut b = Block::new("module", &[c.r.name.as_str()]);
    b.comments.push(format!("{}: Redis OSS to Valkey {version} through the module's inputs.", c.r.address));
    b = b.string(m.input("engine").unwrap_or("engine"), "valkey");
    b = b.string(m.input("engine_version").unwrap_or("engine_version"), version);
    if let (Some(family_key), Some(family)) = (m.input("family"), valkey_family(c, k, version)) {
        b = b.string(family_key, &family);
        if let Some(params_key) = m.input("parameters")
            && let Some(Value::Array(items)) = c.r.attr(params_key)
            && let Some(f) = k.family(&family)
        {
            let kept: Vec<Value> = items
                .iter()
                .filter(|p| !p.get("name").and_then(Value::as_str).is_some_and(|n| f.removed.iter().any(|r| r == n)))
                .cloned()
                .collect();
            if kept.len() != items.len() {
                b = b.attr(params_key, Expr::Literal(Value::Array(kept)));
            }
        }
    }
    Ok(Change { override_block: b, new_resources: Vec::new(), provider_need: None })
}

/// A global datastore moves through its global group (provider >= 6.11.0).
fn global(c: &Cache, caches: &[Cache], k: &TerraformKnowledge, target: &str) -> Result<Option<Change>, String> {
    let primary = caches.iter().find(|p| {
        p.global_primary && p.r.dir == c.r.dir && {
            view::referenced(c.r, "primary_replication_group_id", "aws_elasticache_replication_group")
                .contains(&p.r.address)
        }
    });
    let Some(primary) = primary else {
        return Err(
            "the primary replication group is not declared in this directory; set engine on the global group by hand"
                .into(),
        );
    };
    if !primary.engine.is_redis() {
        return Ok(None);
    }
    let version = k.pick_version("elasticache", target).ok_or("no Valkey version known")?;
    let mut b = Block::new("resource", &[c.r.resource_type.as_str(), c.r.name.as_str()]);
    b.comments.push(format!(
        "{}: the global datastore and every member move to Valkey {version} (hashicorp/aws >= 6.11.0).",
        c.r.address
    ));
    b = b.string("engine", "valkey").string("engine_version", version);
    Ok(Some(Change {
        override_block: b,
        new_resources: Vec::new(),
        provider_need: k.minimum("global-engine").map(|m| m.version.clone()),
    }))
}

/// A `terraform` block raising hashicorp/aws when this directory's constraint never reaches
/// the release the changes need. Terraform replaces the provider's whole requirement with the
/// override's, so the new one is written in full.
fn provider_override(inv: &Inventory, dir: &str, need: &str) -> Option<Block> {
    let req = inv
        .providers
        .iter()
        .find(|p| p.dir == dir && p.source == "hashicorp/aws" && p.locked.is_none() && p.constraint.is_some())?;
    let constraint = req.constraint.as_deref()?;
    if allows_at_least(constraint, need) != Some(Allows::Never) {
        return None;
    }
    let mut entry = serde_json::Map::new();
    entry.insert("source".into(), Value::String("hashicorp/aws".into()));
    entry.insert("version".into(), Value::String(format!(">= {need}")));
    let mut rp = Block::new("required_providers", &[]);
    rp.attrs.push((req.name.clone(), Expr::Literal(Value::Object(entry))));
    let mut t = Block::new("terraform", &[]);
    t.comments.push(format!(
        "hashicorp/aws \"{constraint}\" never reaches {need}, the first release these changes need. Run \
         `terraform init -upgrade` afterwards."
    ));
    t.blocks.push(rp);
    Some(t)
}

#[cfg(test)]
mod tests;
