//! A cache declared as a resource of the directory: its own block is overridden, and a Redis
//! parameter group it uses gets a Valkey copy in a normal file.

use super::names::{renamed_expr, suffixed_expr};
use super::writer::{Block, Expr};
use super::{Change, Moved};
use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::TerraformKnowledge;
use crate::rules::tf::valkey_family;
use crate::rules::tf::view::{self, Cache, Service};
use serde_json::Value;

pub(super) fn cache(
    c: &Cache,
    inv: &Inventory,
    k: &TerraformKnowledge,
    target: &str,
) -> Result<Option<Change>, String> {
    let version =
        k.pick_version(c.service.knowledge_key(), target).ok_or("no Valkey version known for this service")?;
    if let Some(m) = c.module {
        return super::modules::module(c, m, k, version).map(Some);
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
    Ok(Some(Change {
        override_block: b,
        new_resources,
        provider_need: k.minimum(feature).map(|m| m.version.clone()),
        moved: vec![Moved::of(c, &c.r.dir, &c.r.address, version)],
        ..Default::default()
    }))
}

pub(super) enum PgChange {
    None,
    /// A default group of the Valkey family.
    Name(String),
    /// A new group, and the expression that names it.
    New(Block, String),
}

/// The parameter group a cache needs on Valkey: the Valkey family's default for a default
/// group, a copy for a custom group the directory declares.
pub(super) fn parameter_group(
    c: &Cache,
    inv: &Inventory,
    k: &TerraformKnowledge,
    family: &str,
) -> Result<PgChange, String> {
    let memorydb = c.service == Service::MemoryDb;
    let pg_type = if memorydb { "aws_memorydb_parameter_group" } else { "aws_elasticache_parameter_group" };
    if !c.r.has("parameter_group_name") {
        return Ok(if memorydb { PgChange::Name("default.memorydb-valkey7".into()) } else { PgChange::None });
    }
    if let Some(name) = c.r.attr_str("parameter_group_name") {
        if memorydb && name.starts_with("default.") {
            return Ok(PgChange::Name("default.memorydb-valkey7".into()));
        }
        if name.starts_with("default.") {
            return Ok(PgChange::Name(default_group(name, k, family)));
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

/// `default.redis7.cluster.on` → `default.valkey9.cluster.on`: the default group of the family,
/// in the same cluster mode.
pub(super) fn default_group(name: &str, k: &TerraformKnowledge, family: &str) -> String {
    let suffix = if name.contains(".cluster.on") { ".cluster.on" } else { "" };
    let default = k.family(family).map_or_else(|| format!("default.{family}"), |f| f.default_group.clone());
    format!("{default}{suffix}")
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
        // Written as expressions, never as the values they resolve to here: the copy must be
        // right in every workspace and environment the original serves.
        let expr = pg.spans[key].expr.clone();
        let value = match key.as_str() {
            "family" => Expr::Literal(Value::String(family.into())),
            "name" => Expr::Raw(renamed_expr(&expr, family)),
            "description" => Expr::Raw(suffixed_expr(&expr, " (Valkey)")),
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
