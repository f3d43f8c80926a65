use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::cfg::config_rules;
use crate::rules::cfg::view::deployments;
use crate::rules::{Rule, RuleContext};

/// `enable-debug-command yes`: DEBUG for every connection, remote ones included. Its
/// subcommands include SEGFAULT (crash the server), SLEEP (block it) and RELOAD.
pub struct DebugCommandEnabled;

impl Rule for DebugCommandEnabled {
    fn code(&self) -> &'static str {
        "SEC003"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let target = &cx.target;
        if target.config("enable-debug-command").is_none() {
            return;
        }
        let Some(rules) = config_rules(cx, self.code(), out) else { return };
        for d in deployments(cx.inventory).iter().filter(|d| d.kind() == ServerConfigKind::Server) {
            let Some(line) = d.last(target, "enable-debug-command") else { continue };
            if !line.first_arg().is_some_and(|v| v.eq_ignore_ascii_case("yes")) {
                continue;
            }
            out.push(
                Finding::new(
                    self.code(),
                    line.location(),
                    format!(
                        "'{}' lets every connection, remote ones included, run DEBUG: DEBUG SEGFAULT crashes the server, \
                         DEBUG SLEEP blocks it, DEBUG RELOAD replaces the data from disk (DEBUG HELP on {})",
                        line.directive.text,
                        target.display_name()
                    ),
                )
                .help(format!(
                    "use `enable-debug-command local` (loopback and unix socket only) or remove the line; with the \
                     default `no` a DEBUG call answers `{}` ({})",
                    rules.texts.debug_refused, rules.texts.debug_source
                ))
                .fingerprint("enable-debug-command".to_string()),
            );
        }
    }
}
