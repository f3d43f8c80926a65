use super::view::deployments;
use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::dep::extended_redis_compatibility_needs;
use crate::rules::{Rule, RuleContext};

/// The repository's clients need Valkey to answer as Redis (a client version that reads
/// `redis_mode` or the `server` field of HELLO), and a server config could say so with
/// `extended-redis-compatibility yes`. Informational: upgrading the client is the lasting fix.
pub struct ExtendedRedisCompatibility;

impl Rule for ExtendedRedisCompatibility {
    fn code(&self) -> &'static str {
        "CFG007"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let target = &cx.target;
        if target.config("extended-redis-compatibility").is_none() {
            return;
        }
        let Ok(clients) = cx.knowledge.clients() else { return };
        let needs = extended_redis_compatibility_needs(cx.inventory, &clients);
        if needs.is_empty() {
            return;
        }
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let who: Vec<String> = needs
            .iter()
            .map(|n| {
                format!(
                    "{} {} ({}:{}) {}",
                    n.client, n.version, n.dependency.location.file, n.dependency.location.line, n.reason
                )
            })
            .collect();
        for d in deployments(cx.inventory).iter().filter(|d| d.kind() == ServerConfigKind::Server && d.is_whole()) {
            let on = d
                .last(target, "extended-redis-compatibility")
                .and_then(|l| l.first_arg().map(|v| v.eq_ignore_ascii_case("yes")))
                .unwrap_or(false);
            if on {
                continue;
            }
            out.push(
                Finding::new(
                    self.code(),
                    d.anchor(),
                    format!(
                        "the repository's clients need {} to answer as Redis: {}. `extended-redis-compatibility yes` in \
                         this config does that: {}",
                        target.display_name(),
                        who.join("; "),
                        rules.texts.extended_redis_compatibility
                    ),
                )
                .help(
                    "upgrade the client (the plan's client step says to which version); until then add \
                     `extended-redis-compatibility yes` to this config, and remove it once every client is upgraded"
                        .to_string()
                )
                .fingerprint("extended-redis-compatibility".to_string()),
            );
        }
    }
}
