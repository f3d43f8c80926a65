use super::knowledge;
use super::view::{self, AssumedEngine, Engine};
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// `engine` left out: the provider (or the module) fills in `redis`. Pinning it makes the
/// engine a line a reviewer sees change, and keeps a future default change from moving the
/// cache by surprise (a PR to make `valkey` the provider default is open).
pub struct EngineImplicit;

impl Rule for EngineImplicit {
    fn code(&self) -> &'static str {
        "TF009"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            let Engine::Default(default) = &c.engine else { continue };
            let key = c.key("engine").unwrap_or_else(|| "engine".into());
            let who = match c.module {
                _ if c.assumed => "what the service picks when none is sent".to_string(),
                Some(m) => format!("the {} module's default for its `{key}` input", m.id),
                None => "the hashicorp/aws provider's default".to_string(),
            };
            out.push(
                Finding::new(
                    self.code(),
                    c.r.location.clone(),
                    format!("{} does not set {key}: it runs {default} because that is {who}", c.r.address),
                )
                .help(format!(
                    "write {key} = \"{default}\" now (or \"valkey\" when you move), so the engine is visible in the \
                     configuration and in every plan that changes it"
                ))
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address))
                .assumed(c.assumed),
            );
        }
    }
}
