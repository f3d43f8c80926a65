//! The target's verdict on every line of a config, as its loader reads them in order (state
//! carries from line to line: renamed commands, users, the primaries a sentinel monitors).
//! CFG001 reports the refusals; the rewrite comments them out.

use crate::inventory::{ConfigDirective, ServerConfig, ServerConfigKind};
use crate::knowledge::Profile;
use crate::knowledge::config_rules::Sentinel;
use crate::knowledge::profile::{ConfigFileChecker, Verdict};
use crate::location::{Location, Span};

/// One non-comment line and what the target does with it.
pub struct Judged<'a> {
    pub line: u32,
    pub text: &'a str,
    /// `None` for a line the tokeniser refuses (unbalanced quotes).
    pub directive: Option<&'a ConfigDirective>,
    pub location: Location,
    pub verdict: Verdict,
    /// What the loader's message does not say (the earlier line that renamed a command).
    pub hint: Option<String>,
    /// A `sentinel …` statement of a sentinel config, judged by the sentinel's own rules.
    pub sentinel_statement: bool,
}

pub struct Judgement<'a> {
    pub lines: Vec<Judged<'a>>,
    /// A `loadmodule` line was accepted: a module may claim the deferred names.
    pub loads_modules: bool,
}

pub fn judge<'a>(cfg: &'a ServerConfig, target: &Profile, sentinel: Option<&Sentinel>) -> Judgement<'a> {
    let is_sentinel = cfg.kind == ServerConfigKind::Sentinel;
    let mut lines: Vec<(u32, &str, Option<&ConfigDirective>, Location)> = cfg
        .directives
        .iter()
        .map(|d| (d.line, d.text.as_str(), Some(d), d.location(&cfg.file)))
        .chain(cfg.syntax_errors.iter().map(|e| {
            let loc = e.location.clone().unwrap_or_else(|| Location {
                line: e.line,
                end_line: e.line,
                ..Location::file_only(&cfg.file)
            });
            (e.line, e.text.as_str(), None, loc)
        }))
        .collect();
    lines.sort_by_key(|l| l.0);
    let mut checker = ConfigFileChecker::new(target);
    let mut primaries: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (line, text, directive, location) in lines {
        let statement = directive.filter(|d| is_sentinel && d.name == "sentinel" && !d.args.is_empty());
        let (verdict, hint) = match (statement, sentinel) {
            (Some(d), Some(s)) => {
                let args: Vec<&str> = d.arg_values().collect();
                match s.check(&args, &primaries) {
                    Some(message) => (Verdict::Refused { message: message.to_string() }, None),
                    None => {
                        if args[0].eq_ignore_ascii_case("monitor") {
                            primaries.push(args[1].to_string());
                        }
                        (Verdict::Accepted, None)
                    }
                }
            }
            // No sentinel data for this target: say nothing rather than guess.
            (Some(_), None) => (Verdict::Accepted, None),
            (None, _) => {
                let v = checker.check_line(text.as_bytes());
                (v, checker.last_hint().map(str::to_string))
            }
        };
        out.push(Judged { line, text, directive, location, verdict, hint, sentinel_statement: statement.is_some() });
    }
    Judgement { lines: out, loads_modules: checker.loads_modules() }
}

impl Judged<'_> {
    /// The part of the line a refusal is about: the name of an unknown directive, the
    /// values of a bad value, the whole line otherwise.
    pub fn blame(&self, target: &Profile, message: &str) -> Location {
        let is = |key: &str| target.loader.messages.get(key).is_some_and(|m| m == message);
        let Some(d) = self.directive else { return self.location.clone() };
        if is("bad_directive") {
            return d.name_location.clone().unwrap_or_else(|| self.location.clone());
        }
        if is("wrong_arguments") || is("unbalanced_quotes") || self.sentinel_statement {
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
