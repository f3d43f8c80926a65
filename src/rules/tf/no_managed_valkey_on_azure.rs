use super::knowledge;
use crate::findings::{Finding, Severity};
use crate::rules::{Rule, RuleContext};

/// Azure has no managed Valkey: neither Azure Cache for Redis nor its successor, Azure Managed
/// Redis (Redis Enterprise), can run it. The finding says what the options are.
pub struct NoManagedValkeyOnAzure;

impl Rule for NoManagedValkeyOnAzure {
    fn code(&self) -> &'static str {
        "TF005"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for r in cx.inventory.infra.iter().filter(|r| r.provider == "azurerm") {
            let Some(other) = k.other_cloud(&r.resource_type) else { continue };
            let mut f = Finding::new(
                self.code(),
                r.location.clone(),
                format!("{} is {}: Azure offers no managed Valkey to switch it to", r.address, other.product),
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
