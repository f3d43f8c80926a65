use super::SourceSide;
use crate::findings::{Finding, Severity};
use crate::knowledge::profile::Verdict;
use crate::rules::{Rule, RuleContext};

/// A directive the target accepts and ignores: the line loads, and does nothing. The profile
/// says which names the loader keeps for old files; the finding says what the line did on
/// the source and why the target dropped it.
pub struct TargetIgnoresDirective;

impl Rule for TargetIgnoresDirective {
    fn code(&self) -> &'static str {
        "CFG003"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let target = &cx.target;
        let server = target.display_name();
        let source = SourceSide::of(cx);
        let config_set = target
            .error("config-set-unknown")
            .and_then(|e| e.reply.as_deref())
            .map(|r| r.trim_start_matches('-').trim_end().to_string());
        for cfg in &cx.inventory.server_configs {
            for d in &cfg.directives {
                let args: Vec<&str> = d.arg_values().collect();
                if target.check_directive(&d.name, &args) != Verdict::Ignored {
                    continue;
                }
                // What the line did before: a setting of the source, or already nothing.
                let live_before: Vec<String> = source
                    .profiles()
                    .iter()
                    .filter(|p| p.config(&d.name).is_some_and(|c| !c.runtime_only))
                    .map(|p| p.display_name())
                    .collect();
                let before = match (&source, live_before.is_empty()) {
                    (SourceSide::Known(p), false) => format!("; on {} it is a setting", p.display_name()),
                    (SourceSide::Known(p), true) => format!("; {} ignores it too", p.display_name()),
                    (SourceSide::AnyRedis(_), false) => format!("; it is a setting on {}", live_before.join(", ")),
                    (SourceSide::AnyRedis(_), true) => "; no Redis version uses it either".into(),
                };
                let why = rules.ignored(&d.name).map(|i| format!(" {}.", upper_first(&i.why))).unwrap_or_default();
                let set = config_set
                    .as_ref()
                    .map(|e| {
                        format!(
                            " `CONFIG SET {}` answers `{}`.",
                            d.name,
                            e.replace("'nosuchparam'", &format!("'{}'", d.name))
                        )
                    })
                    .unwrap_or_default();
                let mut f = Finding::new(
                    self.code(),
                    d.name_location.clone().unwrap_or_else(|| d.location(&cfg.file)),
                    format!("{server} accepts '{}' and ignores it: the line has no effect{before}.{why}{set}", d.text),
                )
                .help(format!(
                    "remove the line (the plan's rewritten config comments it out); {server}'s own CONFIG REWRITE turns it \
                     into `# ??? {}`",
                    d.text
                ))
                .fingerprint(format!("ignored:{}", d.name));
                if live_before.is_empty() {
                    // Nothing changes with the move: worth knowing, not a warning.
                    f = f.severity_hint(Severity::Info);
                }
                out.push(f);
            }
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
