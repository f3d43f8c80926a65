use super::knowledge;
use super::view::{self, Engine, Service};
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// Checks other linters run on these resources that an engine switch (or the move to a
/// replication group) quietly stops, or trips over: what to re-check by hand.
pub struct PeerCheckBlindSpot;

impl Rule for PeerCheckBlindSpot {
    fn code(&self) -> &'static str {
        "TF012"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            if c.module.is_some() {
                continue;
            }
            let engine = c.engine.name().map(str::to_string);
            for p in k.peer_checks.iter().filter(|p| p.resources.contains(&c.r.resource_type)) {
                let applies = if !p.node_families.is_empty() {
                    let family = c.r.attr_str("node_type").and_then(|n| n.split('.').nth(1)).unwrap_or_default();
                    p.node_families.iter().any(|f| f == family)
                } else {
                    // Backup checks keyed on engine == "redis" on aws_elasticache_cluster: the
                    // cluster moves to a replication group, or already asks for valkey.
                    c.service == Service::CacheCluster
                        && matches!(&c.engine, Engine::Written(_))
                        && matches!(engine.as_deref(), Some("redis" | "valkey"))
                };
                if !applies {
                    continue;
                }
                let subject = if p.node_families.is_empty() { "snapshot_retention_limit" } else { "node_type" };
                out.push(
                    Finding::new(
                        self.code(),
                        c.location(subject),
                        format!("{} {} ({}) checks that {} on {}, but {}", p.tool, p.id, p.name, p.checks, c.r.address, p.blind_spot),
                    )
                    .help(format!(
                        "after the move, check {subject} on this cache yourself or with a policy of your own; source: {}",
                        p.source
                    ))
                    .fingerprint(format!("{}/{}/{}", c.r.dir, c.r.address, p.id)),
                );
            }
        }
    }
}
