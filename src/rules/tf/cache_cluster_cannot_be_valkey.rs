use super::engine_moves_in_place::creates_only_a_cache_cluster;
use super::knowledge;
use super::view::{self, Engine, Service};
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// `aws_elasticache_cluster` (a cache cluster outside any replication group) cannot run
/// Valkey: AWS CreateCacheCluster accepts memcached and redis only, and the provider removed
/// `valkey` from the resource again (PR #45017).
pub struct CacheClusterCannotBeValkey;

const WAY: &str = "move it into a replication group first: create an aws_elasticache_replication_group with \
    primary_cluster_id = the cluster's id (AWS: \"Creating a replication group using an existing cluster\"), bring it \
    under Terraform with an import block, drop the aws_elasticache_cluster from state with a removed block, then \
    switch the replication group's engine to valkey. No override is generated for this cache";

impl Rule for CacheClusterCannotBeValkey {
    fn code(&self) -> &'static str {
        "TF002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            let standalone = c.service == Service::CacheCluster || creates_only_a_cache_cluster(&c);
            if !standalone {
                continue;
            }
            let message = match &c.engine {
                Engine::Written(e) | Engine::Default(e) if e == "redis" => format!(
                    "{} is a standalone cache cluster (aws_elasticache_cluster): AWS cannot create or switch one to Valkey",
                    c.r.address
                ),
                Engine::Written(e) if e == "valkey" => format!(
                    "{} asks for a Valkey aws_elasticache_cluster: AWS CreateCacheCluster accepts memcached and redis only, \
                     and current provider versions reject engine = \"valkey\" here",
                    c.r.address
                ),
                _ => continue,
            };
            out.push(
                Finding::new(self.code(), c.location("engine"), message)
                    .help(WAY)
                    .fingerprint(format!("{}/{}", c.r.dir, c.r.address)),
            );
        }
    }
}
