use super::constraint::{Allows, allows_at_least};
use super::knowledge;
use super::view;
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// A popular module pinned to a release from before it accepted `engine = "valkey"`.
pub struct ModuleTooOldForValkey;

impl Rule for ModuleTooOldForValkey {
    fn code(&self) -> &'static str {
        "TF007"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            let (Some(m), Some(call)) = (c.module, c.r.module.as_ref()) else { continue };
            let Some(version) = &call.version else { continue };
            if allows_at_least(version, &m.valkey_since) != Some(Allows::Never) {
                continue;
            }
            let location = c.r.spans.get("version").map_or_else(|| c.r.location.clone(), |s| s.location.clone());
            out.push(
                Finding::new(
                    self.code(),
                    location,
                    format!(
                        "{} uses {} \"{version}\", which predates Valkey support in that module ({})",
                        c.r.address, m.id, m.valkey_since
                    ),
                )
                .help(format!(
                    "raise the module version to >= {} before switching its engine (read the module's changelog for \
                     other breaking changes between the two); source: {}",
                    m.valkey_since, m.source
                ))
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address)),
            );
        }
    }
}
