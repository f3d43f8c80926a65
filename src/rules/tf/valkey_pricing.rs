use super::view::{self, Service};
use super::{knowledge, moves};
use crate::findings::{Finding, Severity};
use crate::rules::{Rule, RuleContext};

/// What the move does to the bill: Valkey is priced below Redis OSS on ElastiCache and
/// MemoryDB, and Redis OSS reserved nodes keep applying.
pub struct ValkeyPricing;

impl Rule for ValkeyPricing {
    fn code(&self) -> &'static str {
        "TF013"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            let moving =
                moves(&c) || (c.engine.is_redis() && matches!(c.service, Service::CacheCluster | Service::ElastiCache));
            if !moving {
                continue;
            }
            let Some(p) = k.pricing(c.service.knowledge_key()) else { continue };
            let node = c.str_value("node_type").map(|n| format!(" ({n})")).unwrap_or_default();
            let mut f = Finding::new(self.code(), c.r.location.clone(), format!("{}{node}: {}", c.r.address, p.note))
                .help(format!(
                    "check the reservations you hold before and after the move; source: {} ({})",
                    p.source, p.url
                ))
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address));
            if !p.status.is_verified() {
                f = f.severity_hint(Severity::Info);
            }
            out.push(f);
        }
    }
}
