use super::verdicts::judge;
use crate::findings::Finding;
use crate::inventory::ConfigDirective;
use crate::inventory::ServerConfigKind;
use crate::knowledge::Profile;
use crate::knowledge::profile::ConfigType;
use crate::knowledge::profile::Verdict;
use crate::rules::{Rule, RuleContext};

/// A line the target server's config loader rejects: the server exits at start. Each line is
/// judged by the target profile's own loader (its tokeniser, its config table, its texts),
/// and the message quotes what the real server prints, so a user can match it to their logs.
pub struct TargetRefusesConfig;

impl Rule for TargetRefusesConfig {
    fn code(&self) -> &'static str {
        "CFG001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let target = &cx.target;
        let rules = super::config_rules(cx, self.code(), out);
        let sentinel = rules.as_ref().and_then(|r| r.sentinel(target.name()));
        for cfg in &cx.inventory.server_configs {
            let server = if cfg.kind == ServerConfigKind::Sentinel {
                format!("{}'s sentinel", target.display_name())
            } else {
                target.display_name()
            };
            let judged = judge(cfg, target, sentinel);
            for l in &judged.lines {
                let text = l.text;
                match &l.verdict {
                    Verdict::Refused { message } => {
                        let name = text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                        out.push(
                            Finding::new(
                                self.code(),
                                l.blame(target, message),
                                format!("{server} refuses to start: \">>> '{text}'\" — {message}"),
                            )
                            .help(if l.sentinel_statement {
                                sentinel_help(l.directive, message, sentinel)
                            } else {
                                l.hint.clone().unwrap_or_else(|| help_for(target, &name, message))
                            })
                            .fingerprint(format!("{name}:{message}")),
                        );
                    }
                    // Queued module configurations abort the start unless a module loaded by
                    // this file registers them; with a `loadmodule` line we cannot tell.
                    Verdict::Deferred { log } if !judged.loads_modules => {
                        let name = text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                        out.push(
                            Finding::new(
                                self.code(),
                                l.location.clone(),
                                format!(
                                    "{server} refuses to start: '{text}' is read as a module configuration and no \
                                     module claims it; the log says: {}",
                                    log.join(" / ")
                                ),
                            )
                            .help(format!(
                                "'{name}' is not a setting of {server}; remove the line, or load the module that defines it"
                            ))
                            .fingerprint(format!("module-config:{name}")),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

/// What to do about a `sentinel` statement the target's sentinel refuses.
pub(crate) fn sentinel_help(
    statement: Option<&ConfigDirective>,
    message: &str,
    sentinel: Option<&crate::knowledge::config_rules::Sentinel>,
) -> String {
    let name = statement.and_then(|d| d.args.first()).map_or("", |a| a.value.as_str());
    let Some(s) = sentinel else { return String::new() };
    if message == s.no_such_primary {
        return "define the primary with a `sentinel monitor` line before the lines that name it".into();
    }
    match s.statement(name) {
        Some(st) => format!(
            "'sentinel {name}' takes {} argument(s) after its name",
            st.argc.iter().map(|n| (n - 2).to_string()).collect::<Vec<_>>().join(" or ")
        ),
        None => match s.rewrites.iter().find(|(old, _)| old.as_str() == name) {
            Some((_, new)) => format!("this sentinel spells it '{new}'"),
            None => format!("'{name}' is not a sentinel statement this version knows; remove the line or replace it"),
        },
    }
}

pub(crate) fn help_for(target: &Profile, name: &str, message: &str) -> String {
    let loader = &target.loader.messages;
    let is = |key: &str| loader.get(key).is_some_and(|m| m == message);
    let server = target.display_name();
    if is("unbalanced_quotes") {
        return "close the quote; inside double quotes a literal quote is written \\\"".into();
    }
    if is("bad_directive") {
        return match closest_name(target, name) {
            Some(close) => format!("{server} knows no '{name}' with these arguments; did you mean '{close}'?"),
            None => format!(
                "'{name}' is not a directive {server} knows (or it has the wrong number of arguments); remove the \
                 line or replace it"
            ),
        };
    }
    if name == "user" {
        return "fix the ACL rule the message points at (see https://valkey.io/topics/acl/)".into();
    }
    let Some(c) = target.config(name) else { return "fix the line as the message says".into() };
    if let Some(grammar) = special_grammar(&c.name) {
        return format!("'{name}' takes {grammar}");
    }
    if is("wrong_arguments") {
        return format!("'{name}' takes exactly one value; quote a value that contains spaces");
    }
    let range = match (&c.min, &c.max) {
        (Some(lo), Some(hi)) => format!(" from {lo} to {hi}"),
        _ => String::new(),
    };
    match c.kind {
        ConfigType::Bool => format!("'{name}' takes yes or no"),
        ConfigType::Enum if c.multi_arg => format!("'{name}' takes one or more of: {}", c.values.join(", ")),
        ConfigType::Enum => format!("'{name}' takes one of: {}", c.values.join(", ")),
        ConfigType::Int => format!("'{name}' takes an integer{range}"),
        ConfigType::Octal => format!("'{name}' takes an octal mode{range}, such as 700"),
        ConfigType::Memory => format!("'{name}' takes a size in bytes{range}, with an optional unit (100mb, 2gb)"),
        ConfigType::MemoryPercent => format!(
            "'{name}' takes a size in bytes (100mb, 2gb) or a percentage up to {}%",
            c.percent_max.unwrap_or(100)
        ),
        ConfigType::String | ConfigType::Special => match c.default.as_deref() {
            Some(d) if !d.is_empty() => format!("fix the value of '{name}' (its default is '{d}')"),
            _ => format!("fix the value of '{name}' as the message says"),
        },
    }
}

/// The grammar of the configs with a syntax of their own.
fn special_grammar(name: &str) -> Option<&'static str> {
    Some(match name {
        "save" => "pairs of <seconds> <changes> (seconds at least 1), or \"\" to disable snapshots",
        "client-output-buffer-limit" => {
            "groups of four: <class> <hard limit> <soft limit> <soft seconds>, class normal, replica or pubsub"
        }
        "oom-score-adj-values" => "three numbers between -2000 and 2000 (primary, replica, background child)",
        "notify-keyspace-events" => "one word of event class letters, such as KEA or Ex",
        "bind" | "rdma-bind" => "up to 16 addresses",
        "replicaof" => "<host> <port>, or `no one`",
        "latency-tracking-info-percentiles" => "percentiles between 0 and 100, such as 50 99 99.9",
        "dir" => "an existing directory",
        _ => return None,
    })
}

/// A name the target knows that is one or two edits from `name` (a typo, `-log` / `-logs`).
fn closest_name(target: &Profile, name: &str) -> Option<String> {
    let known = target
        .configs
        .iter()
        .filter(|c| !c.hidden && !c.runtime_only)
        .flat_map(|c| std::iter::once(c.name.as_str()).chain(c.aliases.iter().map(String::as_str)))
        .chain(target.directives.iter().map(|d| d.name.as_str()));
    known
        .map(|k| (strsim::levenshtein(k, name), k))
        .filter(|(d, _)| *d <= 2 && *d > 0)
        .min()
        .map(|(_, k)| k.to_string())
}
