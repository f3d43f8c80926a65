use super::knowledge;
use crate::findings::{Finding, Severity};
use crate::rules::{Rule, RuleContext};

/// Memorystore for Redis (`google_redis_instance`, `google_redis_cluster`) has no Valkey
/// option: Memorystore for Valkey is a different product and resource.
pub struct GoogleRedisNeedsNewInstance;

impl Rule for GoogleRedisNeedsNewInstance {
    fn code(&self) -> &'static str {
        "TF004"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for r in cx.inventory.infra.iter().filter(|r| r.provider == "google") {
            let Some(other) = k.other_cloud(&r.resource_type) else { continue };
            let mut f = Finding::new(
                self.code(),
                r.location.clone(),
                format!(
                    "{} is {}, which cannot be switched to Valkey by an attribute or an override file",
                    r.address, other.product
                ),
            )
            .help(format!("{} (source: {})", other.way, other.source))
            .fingerprint(format!("{}/{}", r.dir, r.address));
            if !other.status.is_verified() {
                f = f.severity_hint(Severity::Info);
            }
            out.push(f);
        }
    }
}
