//! A global datastore moves through its `aws_elasticache_global_replication_group` (engine
//! settable there from hashicorp/aws 6.11.0): ModifyGlobalReplicationGroup upgrades the global
//! datastore and every member.

use super::resources::{PgChange, parameter_group};
use super::writer::{Block, Expr};
use super::{Change, Moved};
use crate::inventory::Inventory;
use crate::knowledge::terraform::{TerraformKnowledge, parse_version};
use crate::rules::tf::valkey_family;
use crate::rules::tf::view::{self, Cache};

pub(super) fn global(
    c: &Cache,
    caches: &[Cache],
    inv: &Inventory,
    k: &TerraformKnowledge,
    target: &str,
) -> Result<Option<Change>, String> {
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
    let mut g = Block::new("resource", &[c.r.resource_type.as_str(), c.r.name.as_str()]);
    g.comments.push(format!(
        "{}: the global datastore and every member move to Valkey {version} (hashicorp/aws >= 6.11.0).",
        c.r.address
    ));
    g = g.string("engine", "valkey").string("engine_version", version);

    // The members' parameter group changes on the global group, and only with a major version
    // upgrade (the provider refuses it otherwise; ElastiCache copies the group to each member).
    let mut new_resources = Vec::new();
    let mut pg_name = None;
    let from_major = primary.str_value("engine_version").map(|v| parse_version(&v)[0]);
    if from_major.is_some_and(|from| parse_version(version)[0] > from)
        && let Some(family) = valkey_family(primary, k, version)
    {
        pg_name = match parameter_group(primary, inv, k, &family)? {
            PgChange::None => None,
            PgChange::Name(name) => Some(Expr::Literal(name.into())),
            PgChange::New(block, reference) => {
                new_resources.push(block);
                Some(Expr::Raw(reference))
            }
        };
    }
    if let Some(name) = &pg_name {
        g = g.attr("parameter_group_name", name.clone());
    }

    // The primary's own engine arguments: the provider ignores changes to them once the group
    // belongs to a global datastore, so this changes nothing in the plan. It keeps the
    // configuration true to what runs: left at "redis", a later removal from the global
    // datastore would plan a replacement of the primary back to Redis OSS (valkey → redis
    // forces a new resource).
    let mut p = Block::new("resource", &[primary.r.resource_type.as_str(), primary.r.name.as_str()]);
    p.comments.push(format!(
        "{}: moved by {} (its own engine arguments are ignored while it is a member); written so the \
         configuration says what runs.",
        primary.r.address, c.r.address
    ));
    p = p.string("engine", "valkey").string("engine_version", version);
    if let Some(name) = pg_name {
        p = p.attr("parameter_group_name", name);
    }

    let mut moved = vec![Moved::of(primary, &primary.r.dir, &primary.r.address, version)];
    for member in caches.iter().filter(|m| m.r.dir == c.r.dir && !m.global_primary) {
        let in_this = view::referenced(member.r, "global_replication_group_id", &c.r.resource_type);
        if in_this.contains(&c.r.address) {
            moved.push(Moved::of(member, &member.r.dir, &member.r.address, version));
        }
    }
    Ok(Some(Change {
        override_block: g,
        extra_overrides: vec![p],
        new_resources,
        provider_need: k.minimum("global-engine").map(|m| m.version.clone()),
        moved,
        ..Default::default()
    }))
}
