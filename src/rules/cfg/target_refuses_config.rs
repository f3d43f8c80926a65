use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::{Rule, RuleContext};

/// A line the target server's config loader rejects: the server exits at start. The message
/// quotes what the real server prints, so a user can match it against their logs.
pub struct TargetRefusesConfig;

impl Rule for TargetRefusesConfig {
    fn code(&self) -> &'static str {
        "CFG001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let target = &cx.target;
        let server = target.display_name();
        for cfg in cx.inventory.server_configs.iter().filter(|c| c.kind == ServerConfigKind::Server) {
            for err in &cfg.syntax_errors {
                let location = err.location.clone().unwrap_or_else(|| crate::location::Location::file_only(&cfg.file));
                out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!("{server} refuses to start: \">>> '{}'\" — {}", err.text, err.message),
                    )
                    .help("close the quote; inside double quotes a literal quote is written \\\"")
                    .fingerprint(format!("syntax:{}", err.text)),
                );
            }
            for d in &cfg.directives {
                if target.knows_directive(&d.name) {
                    continue;
                }
                let location = d.name_location.clone().unwrap_or_else(|| d.location(&cfg.file));
                out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!(
                            "{server} refuses to start: \">>> '{}'\" — Bad directive or wrong number of arguments",
                            d.text
                        ),
                    )
                    .help(format!("'{}' is not a directive {server} knows; remove the line or replace it", d.name))
                    .fingerprint(format!("unknown:{}", d.name)),
                );
            }
        }
    }
}
