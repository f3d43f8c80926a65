use crate::findings::Finding;
use crate::inventory::ConfigDirective;
use crate::inventory::ServerConfigKind;
use crate::knowledge::Profile;
use crate::knowledge::profile::ConfigType;
use crate::knowledge::profile::{ConfigFileChecker, Verdict};
use crate::location::{Location, Span};
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
        let server = target.display_name();
        for cfg in cx.inventory.server_configs.iter().filter(|c| c.kind == ServerConfigKind::Server) {
            // Every non-comment line, in file order: the loader carries state from line to line.
            let mut lines: Vec<Line> = cfg
                .directives
                .iter()
                .map(|d| Line { line: d.line, text: &d.text, directive: Some(d), location: d.location(&cfg.file) })
                .chain(cfg.syntax_errors.iter().map(|e| Line {
                    line: e.line,
                    text: &e.text,
                    directive: None,
                    location: e.location.clone().unwrap_or_else(|| Location {
                        line: e.line,
                        end_line: e.line,
                        ..Location::file_only(&cfg.file)
                    }),
                }))
                .collect();
            lines.sort_by_key(|l| l.line);
            let mut checker = ConfigFileChecker::new(target);
            let mut deferred = Vec::new();
            for l in lines {
                let text = l.text;
                match checker.check_line(text.as_bytes()) {
                    Verdict::Refused { message } => {
                        let name = text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                        out.push(
                            Finding::new(
                                self.code(),
                                l.blame(target, &message),
                                format!("{server} refuses to start: \">>> '{text}'\" — {message}"),
                            )
                            .help(checker.last_hint().map_or_else(|| help_for(target, &name, &message), str::to_string))
                            .fingerprint(format!("{name}:{message}")),
                        );
                    }
                    Verdict::Deferred { log } => deferred.push((text, l.location, log)),
                    Verdict::Accepted | Verdict::Ignored => {}
                }
            }
            // Queued module configurations abort the start unless a module loaded by this file
            // registers them; with a `loadmodule` line we cannot tell, so we say nothing.
            if !checker.loads_modules() {
                for (text, location, log) in deferred {
                    let name = text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                    out.push(
                        Finding::new(
                            self.code(),
                            location,
                            format!(
                                "{server} refuses to start: '{text}' is read as a module configuration and no module \
                                 claims it; the log says: {}",
                                log.join(" / ")
                            ),
                        )
                        .help(format!(
                            "'{name}' is not a setting of {server}; remove the line, or load the module that defines it"
                        ))
                        .fingerprint(format!("module-config:{name}")),
                    );
                }
            }
        }
    }
}

struct Line<'a> {
    line: u32,
    text: &'a str,
    directive: Option<&'a ConfigDirective>,
    location: Location,
}

impl Line<'_> {
    /// The part of the line the message is about: the name of an unknown directive, the
    /// values of a bad value, the whole line otherwise.
    fn blame(&self, target: &Profile, message: &str) -> Location {
        let is = |key: &str| target.loader.messages.get(key).is_some_and(|m| m == message);
        let Some(d) = self.directive else { return self.location.clone() };
        if is("bad_directive") {
            return d.name_location.clone().unwrap_or_else(|| self.location.clone());
        }
        if is("wrong_arguments") || is("unbalanced_quotes") {
            return self.location.clone();
        }
        let first = d.args.first().and_then(|a| a.location.as_ref());
        let last = d.args.last().and_then(|a| a.location.as_ref());
        match (first, last) {
            (Some(a), Some(b)) => Location {
                end_line: b.end_line,
                end_column: b.end_column,
                span: Span { start: a.span.start, end: b.span.end },
                ..a.clone()
            },
            _ => self.location.clone(),
        }
    }
}

fn help_for(target: &Profile, name: &str, message: &str) -> String {
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
