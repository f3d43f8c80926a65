use super::facts::module_client_uses;
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// A library whose purpose is a Redis module (Search, JSON, TimeSeries, Bloom, Graph): the
/// code that uses it needs the matching Valkey module, which covers part of the commands,
/// or there is none. A blocker candidate for the migration plan.
pub struct ModuleClientLibrary;

impl Rule for ModuleClientLibrary {
    fn code(&self) -> &'static str {
        "DEP004"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        for u in module_client_uses(cx.inventory, &clients) {
            let parts: Vec<String> = u
                .modules
                .iter()
                .filter_map(|id| clients.module(id))
                .map(|m| match &m.valkey_module {
                    Some(v) => format!("{} → {v} on Valkey ({})", m.display, m.coverage),
                    None => format!("{} → {}", m.display, m.coverage),
                })
                .collect();
            let none = u.modules.iter().filter_map(|id| clients.module(id)).any(|m| m.valkey_module.is_none());
            let message = format!(
                "{} {} is a client for Redis modules: {}",
                u.dependency.name,
                u.dependency.version.as_deref().or(u.dependency.requirement.as_deref()).unwrap_or(""),
                parts.join("; "),
            );
            let help = if none {
                "a module it needs has no Valkey equivalent: this blocks the move for the code that uses it; keep that data on Redis or replace the feature".to_string()
            } else {
                "load the Valkey module (the valkey/valkey-bundle image ships valkey-json, valkey-bloom and valkey-search) and check that the commands your code sends are in its coverage; Valkey GLIDE's server-modules API (GlideFt, GlideJson) drives them".to_string()
            };
            out.push(
                Finding::new(self.code(), u.dependency.location.clone(), message)
                    .help(help)
                    .fingerprint(format!("module-client:{}", u.dependency.name)),
            );
        }
    }
}
