use crate::findings::{Finding, Severity};
use crate::inventory::IncludeStatus;
use crate::rules::{Rule, RuleContext};

/// An `include` the server cannot follow: a file missing from the repository (the server
/// exits at start), a loop (the server recurses until it crashes), a file that could not be
/// read here; an absolute path outside the repository is only noted.
pub struct IncludeNotFound;

impl Rule for IncludeNotFound {
    fn code(&self) -> &'static str {
        "CFG008"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let server = cx.target.display_name();
        for cfg in &cx.inventory.server_configs {
            for inc in &cfg.includes {
                let location = inc.location.clone().unwrap_or_else(|| crate::location::Location {
                    line: inc.line,
                    end_line: inc.line,
                    ..crate::location::Location::file_only(&cfg.file)
                });
                let log = rules.texts.include_missing.replace("{path}", &inc.pattern);
                let (message, help, severity) = match &inc.status {
                    IncludeStatus::Found | IncludeStatus::NoMatch => continue,
                    IncludeStatus::Missing => (
                        format!(
                            "'include {}' names a file that is not in the repository (looked for from the scan root and \
                             beside {}); where it is missing, {server} logs `{log}` and exits",
                            inc.pattern, cfg.file
                        ),
                        "add the file, fix the path (the server opens it relative to its working directory), or remove \
                         the line"
                            .to_string(),
                        None,
                    ),
                    IncludeStatus::Outside => (
                        format!(
                            "'include {}' names a file outside the repository: it cannot be checked here, and where it \
                             is missing {server} logs `{log}` and exits",
                            inc.pattern
                        ),
                        "make sure the file exists on every host, with content the target accepts".to_string(),
                        Some(Severity::Info),
                    ),
                    IncludeStatus::Loop => (
                        format!(
                            "'include {}' leads back to a file that includes it ({}): the server follows includes \
                             without a limit and crashes (segmentation fault, exit status 139) with no message",
                            inc.pattern,
                            inc.resolved.join(", ")
                        ),
                        "break the loop: a file must not include itself, directly or through others".to_string(),
                        None,
                    ),
                    IncludeStatus::Unreadable(reason) => (
                        format!("'include {}' could not be read here: {reason}", inc.pattern),
                        "check the file; the rest of its settings were not checked".to_string(),
                        Some(Severity::Warning),
                    ),
                };
                let mut f = Finding::new(self.code(), location, message)
                    .help(help)
                    .fingerprint(format!("include:{}", inc.pattern));
                if let Some(s) = severity {
                    f = f.severity_hint(s);
                }
                out.push(f);
            }
        }
    }
}
