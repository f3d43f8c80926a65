use super::view::{self, Engine, Service};
use super::{knowledge, target_version};
use crate::findings::Finding;
use crate::inventory::InfraResource;
use crate::rules::{Rule, RuleContext};

/// A replication group in a global datastore: its engine, version and parameter group follow
/// the global group (the provider suppresses diffs on the primary and refuses them on a
/// secondary), so the change belongs on `aws_elasticache_global_replication_group`, which
/// accepts `engine` from provider 6.11.0.
pub struct GlobalDatastoreMember;

impl Rule for GlobalDatastoreMember {
    fn code(&self) -> &'static str {
        "TF003"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        let min = k.minimum("global-engine").map_or("6.11.0", |m| m.version.as_str()).to_string();
        let version = target_version(cx, &k, Service::Global);
        let globals: Vec<&InfraResource> = cx
            .inventory
            .infra
            .iter()
            .filter(|r| r.resource_type == "aws_elasticache_global_replication_group")
            .collect();
        for c in view::caches(cx.inventory, &k) {
            if c.service != Service::ElastiCache || c.module.is_some() {
                continue;
            }
            let as_primary = globals.iter().find(|g| {
                g.dir == c.r.dir
                    && view::referenced(g, "primary_replication_group_id", &c.r.resource_type).contains(&c.r.address)
            });
            let as_secondary = (!c.global_primary && c.in_global_datastore()).then(|| {
                view::referenced(c.r, "global_replication_group_id", "aws_elasticache_global_replication_group")
                    .into_iter()
                    .next()
            });
            let (role, global) = match (as_primary, as_secondary) {
                (Some(g), _) => ("the primary", Some(g.address.clone())),
                (None, Some(g)) => ("a secondary", g),
                (None, None) => continue,
            };
            if let Engine::Written(e) = &c.engine
                && e == "valkey"
            {
                continue;
            }
            // The global group already moves every member (engine is set there).
            let global_moves = global
                .as_deref()
                .and_then(|address| globals.iter().find(|g| g.dir == c.r.dir && g.address == address))
                .is_some_and(|g| g.attr_str("engine").is_some_and(|e| e.eq_ignore_ascii_case("valkey")));
            if global_moves {
                continue;
            }
            let global_name = global.clone().unwrap_or_else(|| "its aws_elasticache_global_replication_group".into());
            let effect = if role == "the primary" {
                "a change of engine here is suppressed: the plan shows nothing and nothing moves"
            } else {
                "engine, engine_version and parameter_group_name conflict with global_replication_group_id here"
            };
            out.push(
                Finding::new(
                    self.code(),
                    c.location("engine"),
                    format!("{} is {role} of global datastore {global_name}: {effect}", c.r.address),
                )
                .help(format!(
                    "set engine = \"valkey\" and engine_version = \"{version}\" on {global_name} instead; that upgrades the \
                     global datastore and every member, and needs hashicorp/aws >= {min} (engine became settable there in \
                     6.11.0); a parameter_group_name change there is only accepted with a major version upgrade"
                ))
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address)),
            );
        }
    }
}
