//! The config loader of a profile's server, reproduced: the verdict on each line of a config
//! file and the exact text the server prints when it refuses one.
//!
//! The order of the checks follows `loadServerConfigFromString`: the config table first
//! (arity, then the value's type), then names kept for compatibility, then `include`,
//! `rename-command`, `user`, `loadmodule`, module-style names and `sentinel`; anything else is
//! unknown.

use super::cparse::{self, cstr, strcaseeq};
use super::schema::*;
use super::{CommandTable, Profile, acl, special};
use std::collections::HashSet;

/// What the server does with one config line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted (blank lines and comments too).
    Accepted,
    /// Accepted and without effect: a name kept so that old files still load.
    Ignored,
    /// The server refuses to start and prints `message` under the line.
    Refused { message: String },
    /// Accepted by the parser as a module configuration: the start aborts, logging `log`,
    /// unless a module loaded by the file registers the name.
    Deferred { log: Vec<String> },
}

impl Verdict {
    pub fn is_refused(&self) -> bool {
        matches!(self, Verdict::Refused { .. })
    }

    fn refused(message: impl Into<String>) -> Self {
        Verdict::Refused { message: message.into() }
    }
}

/// Kept for callers that want the tokens along with the verdict.
pub type LineVerdict = Verdict;

/// Checks the lines of one config file in order, keeping the state that spans lines: renamed
/// commands and the users already defined.
pub struct ConfigFileChecker<'p> {
    profile: &'p Profile,
    /// Top-level command names as `rename-command` sees them (lower case), once needed.
    commands: Option<HashSet<Vec<u8>>>,
    table: Option<std::sync::Arc<CommandTable>>,
    users: HashSet<Vec<u8>>,
    /// `acl-pubsub-default` as set so far: new users may use every channel.
    all_channels: bool,
    hint: Option<String>,
    loads_modules: bool,
}

impl<'p> ConfigFileChecker<'p> {
    pub fn new(profile: &'p Profile) -> Self {
        ConfigFileChecker {
            profile,
            commands: None,
            table: None,
            users: HashSet::new(),
            all_channels: acl::default_all_channels(profile),
            hint: None,
            loads_modules: false,
        }
    }

    /// Whether a `loadmodule` line was seen: a module may then claim deferred names.
    pub fn loads_modules(&self) -> bool {
        self.loads_modules
    }

    fn msg(&self, key: &str, fallback: &str) -> String {
        self.profile.loader.messages.get(key).cloned().unwrap_or_else(|| fallback.to_string())
    }

    /// One raw line of the file (without its newline), trimmed and split as the server does.
    pub fn check_line(&mut self, raw: &[u8]) -> Verdict {
        let line = trim(raw);
        if line.is_empty() || line[0] == b'#' {
            return Verdict::Accepted;
        }
        match cparse::split_args(line, self.profile.loader.text_after_closing_quote) {
            Err(_) => Verdict::refused(self.msg("unbalanced_quotes", "Unbalanced quotes in configuration line")),
            Ok(argv) if argv.is_empty() => Verdict::Accepted,
            Ok(argv) => self.check_argv(&argv),
        }
    }

    /// A hint about the last refusal beyond the server's message (the rule really at fault,
    /// an earlier line that renamed a command), when there is one.
    pub fn last_hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// One line already split into its arguments, the directive name first.
    pub fn check_argv(&mut self, argv: &[Vec<u8>]) -> Verdict {
        self.hint = None;
        let Some(first) = argv.first() else { return Verdict::Accepted };
        let name = first.to_ascii_lowercase();
        let argc = argv.len();
        let config = std::str::from_utf8(&name).ok().and_then(|n| self.profile.config(n)).filter(|c| !c.runtime_only);
        if config.is_some_and(|c| c.module_config) {
            // Queued by the loader, claimed by the built-in module when the server starts.
            return if argc < 2 {
                Verdict::refused(self.msg("bad_directive", "Bad directive or wrong number of arguments"))
            } else {
                Verdict::Accepted
            };
        }
        if let Some(config) = config {
            if !config.multi_arg && argc != 2 {
                return Verdict::refused(self.msg("wrong_arguments", "wrong number of arguments"));
            }
            let values: Vec<Vec<u8>> = if config.multi_arg && argc == 2 && !argv[1].is_empty() {
                // A single argument is split again, so `save "900 1"` means `save 900 1`.
                cparse::split_args(&argv[1], self.profile.loader.text_after_closing_quote).unwrap_or_default()
            } else {
                argv[1..].to_vec()
            };
            return match self.check_value(config, &values) {
                Some(message) => Verdict::Refused { message },
                None => {
                    if config.name == "acl-pubsub-default" {
                        // Users defined further down start from this.
                        self.all_channels = values.first().is_some_and(|v| strcaseeq(v, "allchannels"));
                    }
                    Verdict::Accepted
                }
            };
        }
        let cname = cstr(&name);
        for d in &self.profile.directives {
            if let Some([lo, hi]) = d.arity {
                if cname == d.name.as_bytes() && (lo..=hi).contains(&argc) {
                    // A name kept for old files, or (Redis 6.2) one read outside the table.
                    return match d.status {
                        DirectiveStatus::Ignored => Verdict::Ignored,
                        DirectiveStatus::Live => Verdict::Accepted,
                    };
                }
            }
        }
        let live = |n: &str| {
            self.profile.directive(n).is_some_and(|d| d.status == DirectiveStatus::Live) && strcaseeq(&name, n)
        };
        if live("include") && argc == 2 {
            return Verdict::Accepted;
        }
        if live("rename-command") && argc == 3 {
            return self.rename_command(&argv[1], &argv[2]);
        }
        if live("user") && argc >= 2 {
            self.table();
            let table = self.table.as_deref();
            return match acl::check_user_line(self.profile, argv, &mut self.users, table, self.all_channels) {
                Ok(()) => Verdict::Accepted,
                Err(e) => {
                    self.hint = e.culprit.map(|c| {
                        format!("the rule the server refuses is '{c}' (its message names another argument of the line)")
                    });
                    Verdict::Refused { message: e.message }
                }
            };
        }
        if live("loadmodule") && argc >= 2 {
            self.loads_modules = true;
            return Verdict::Accepted;
        }
        let loader = &self.profile.loader;
        let dotted = cname.contains(&b'.');
        if dotted && loader.dotted_names == NameHandling::Deferred {
            if argc < 2 {
                return Verdict::refused(self.msg(
                    "module_config_without_value",
                    &self.msg("bad_directive", "Bad directive or wrong number of arguments"),
                ));
            }
            return Verdict::Deferred { log: self.deferred_log("dotted", argv) };
        }
        if live("sentinel") {
            return if argc == 1 {
                Verdict::Accepted
            } else {
                Verdict::refused(self.msg("sentinel", "sentinel directive while not in sentinel mode"))
            };
        }
        if loader.unknown_names == NameHandling::Deferred && argc >= 2 {
            return Verdict::Deferred { log: self.deferred_log("unknown", argv) };
        }
        Verdict::refused(self.msg("bad_directive", "Bad directive or wrong number of arguments"))
    }

    fn deferred_log(&self, case: &str, argv: &[Vec<u8>]) -> Vec<String> {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        let line = argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>().join(" ");
        self.profile
            .loader
            .deferred_log
            .get(case)
            .map(|lines| lines.iter().map(|l| l.replace("{name}", &name).replace("{line}", &line)).collect())
            .unwrap_or_default()
    }

    fn table(&mut self) -> Option<&CommandTable> {
        if self.table.is_none() {
            self.table = self.profile.commands().ok();
        }
        self.table.as_deref()
    }

    fn rename_command(&mut self, from: &[u8], to: &[u8]) -> Verdict {
        if self.commands.is_none() {
            let Some(table) = self.table() else {
                // Without a command table there is nothing to check against.
                return Verdict::Accepted;
            };
            // Module commands register after the config is read: not renamable from it.
            let names = table
                .top_level()
                .filter(|c| c.docs.as_ref().is_none_or(|d| d.module.is_none()))
                .map(|c| c.name.as_bytes().to_vec())
                .collect();
            self.commands = Some(names);
        }
        let from_l = from.to_ascii_lowercase();
        let exists = if from_l.contains(&b'|') {
            let parts: Vec<&[u8]> = from_l.split(|&b| b == b'|').collect();
            parts.len() == 2
                && self.commands.as_ref().is_some_and(|c| c.contains(parts[0]))
                && self.table.as_deref().is_some_and(|t| t.get(&String::from_utf8_lossy(&from_l)).is_some())
        } else {
            self.commands.as_ref().is_some_and(|c| c.contains(&from_l))
        };
        if !exists {
            let original = self.table.as_deref().is_some_and(|t| t.get(&String::from_utf8_lossy(&from_l)).is_some());
            let shown = String::from_utf8_lossy(from);
            self.hint = Some(if original {
                format!("'{shown}' was renamed or removed by an earlier rename-command line")
            } else {
                format!("{} has no command named '{shown}' when the config file is read", self.profile.display_name())
            });
            return Verdict::refused(self.msg("rename_no_such_command", "No such command in rename-command"));
        }
        if from_l.contains(&b'|') {
            // The server finds the subcommand, then fails an assertion deleting it from the
            // top-level table: it crashes rather than printing a config error.
            return Verdict::refused(format!(
                "the server aborts (assertion failure) renaming the subcommand '{}'",
                String::from_utf8_lossy(from)
            ));
        }
        let Some(commands) = self.commands.as_mut() else { return Verdict::Accepted };
        let to_l = to.to_ascii_lowercase();
        if !to.is_empty() && to_l != from_l && commands.contains(&to_l) {
            self.hint = Some(format!("'{}' is already a command name", String::from_utf8_lossy(to)));
            return Verdict::refused(self.msg("rename_target_exists", "Target command name already exists"));
        }
        // Only an accepted line changes the table: a refused one is not in the server's run.
        commands.remove(&from_l);
        if !to.is_empty() {
            commands.insert(to_l);
        }
        Verdict::Accepted
    }

    /// `None` when the value is accepted, else the server's message.
    fn check_value(&self, config: &ConfigParam, args: &[Vec<u8>]) -> Option<String> {
        // A multi-argument value can split into nothing; the server then reads an empty value.
        let empty = Vec::new();
        let first = args.first().unwrap_or(&empty);
        match config.kind {
            ConfigType::Bool => {
                let v = first;
                if !strcaseeq(v, "yes") && !strcaseeq(v, "no") {
                    return Some(self.msg("bool", "argument must be 'yes' or 'no'"));
                }
                reject_value(config, std::slice::from_ref(v))
            }
            ConfigType::Enum => {
                let ok = !args.is_empty()
                    && (config.multi_arg || args.len() == 1)
                    && args.iter().all(|a| config.values.iter().any(|v| strcaseeq(a, v)));
                if !ok {
                    let template = self.msg("enum", "argument(s) must be one of the following: {values}");
                    return Some(template.replace("{values}", &config.values.join(", ")));
                }
                reject_value(config, args)
            }
            ConfigType::Int | ConfigType::Memory | ConfigType::MemoryPercent | ConfigType::Octal => {
                self.check_number(config, first)
            }
            ConfigType::String => check_string(config, first),
            ConfigType::Special => special::check(self.profile, config, args),
        }
    }

    fn check_number(&self, config: &ConfigParam, v: &[u8]) -> Option<String> {
        let parsed: Option<i64> = match config.kind {
            ConfigType::Int => cparse::string2ll(v),
            ConfigType::Octal => {
                let r = cparse::strtoll(v, 8);
                (!r.overflow && r.whole(v)).then_some(r.value)
            }
            _ => cparse::memtoull(v, self.profile.loader.memory_overflow)
                .map(|u| u as i64)
                .or_else(|| {
                    // A percentage: digits then `%`, stored negated.
                    if config.kind != ConfigType::MemoryPercent || v.len() < 2 || v[v.len() - 1] != b'%' {
                        return None;
                    }
                    cparse::string2ll(&v[..v.len() - 1]).filter(|n| *n >= 0).map(|n| -n)
                })
                .or_else(|| {
                    // A memory config whose range goes below zero takes a plain negative number.
                    let signed = config.min.as_deref().is_some_and(|m| m.starts_with('-'));
                    if signed { cparse::string2ll(v) } else { None }
                }),
        };
        let Some(value) = parsed else {
            let (key, fallback) = match config.kind {
                ConfigType::Int => ("int", "argument couldn't be parsed into an integer"),
                ConfigType::Octal => ("octal", "argument couldn't be parsed as an octal number"),
                ConfigType::Memory => ("memory", "argument must be a memory value"),
                _ => ("memory_percent", "argument must be a memory or percent value"),
            };
            return Some(self.msg(key, fallback));
        };
        if config.unsigned && value < 0 {
            return Some(self.msg("negative", "argument must be greater or equal to 0"));
        }
        if let (Some(max), true) = (config.percent_max, value < 0) {
            if config.kind == ConfigType::MemoryPercent {
                if value < -max {
                    let t = self.msg("percent", "percentage argument must be less or equal to {max}");
                    return Some(t.replace("{max}", &max.to_string()));
                }
                return None;
            }
        }
        let (Some(min), Some(max)) = (&config.min, &config.max) else { return None };
        let radix = if config.kind == ConfigType::Octal { 8 } else { 10 };
        let lo = i128::from_str_radix(min, radix).ok()?;
        let hi = i128::from_str_radix(max, radix).ok()?;
        // The server compares unsigned types as unsigned: only visible when a bound is past
        // i64::MAX, where it prints the bound in full.
        let unsigned = hi > i128::from(i64::MAX);
        let v = if unsigned { i128::from(value as u64) } else { i128::from(value) };
        if v < lo || v > hi {
            let t = self.msg("range", "argument must be between {min} and {max} inclusive");
            return Some(t.replace("{min}", min).replace("{max}", max));
        }
        None
    }
}

fn trim(raw: &[u8]) -> &[u8] {
    // sdstrim(line, " \t\r\n")
    let strip = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = raw.iter().position(|b| !strip(b)).unwrap_or(raw.len());
    let end = raw.iter().rposition(|b| !strip(b)).map_or(start, |p| p + 1);
    &raw[start..end]
}

fn reject_value(config: &ConfigParam, args: &[Vec<u8>]) -> Option<String> {
    let has = |v: &str| args.iter().any(|a| strcaseeq(a, v));
    for check in &config.checks {
        match check {
            Check::RejectValue { value, message } if args.len() == 1 && has(value) => return Some(message.clone()),
            Check::RejectCombination { values, message } if values.iter().all(|v| has(v)) => {
                return Some(message.clone());
            }
            _ => {}
        }
    }
    None
}

/// Parses `2d-2e 30-39` into the set of bytes it names.
fn byte_set(ranges: &str) -> [bool; 256] {
    let mut set = [false; 256];
    for part in ranges.split_whitespace() {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (u8::from_str_radix(a, 16), u8::from_str_radix(b, 16)) {
            for x in a..=b {
                set[usize::from(x)] = true;
            }
        }
    }
    set
}

fn check_string(config: &ConfigParam, v: &[u8]) -> Option<String> {
    for check in &config.checks {
        let bad = match check {
            Check::NonEmpty { .. } => cstr(v).is_empty(),
            Check::Basename { .. } => cstr(v).iter().any(|&b| b == b'/' || b == b'\\'),
            Check::Charset { valid, nul_invalid, stops_at_nul, .. } => {
                let set = byte_set(valid);
                let bytes = if *stops_at_nul { cstr(v) } else { v };
                bytes.iter().any(|&b| if b == 0 { *nul_invalid } else { !set[usize::from(b)] })
            }
            Check::MaxLen { max, .. } => cstr(v).len() > *max,
            Check::Ipv4 { .. } => {
                let s = cstr(v);
                !s.is_empty()
                    && std::str::from_utf8(s).ok().and_then(|s| s.parse::<std::net::Ipv4Addr>().ok()).is_none()
            }
            Check::Ipv6 { .. } => {
                let s = cstr(v);
                !s.is_empty()
                    && std::str::from_utf8(s).ok().and_then(|s| s.parse::<std::net::Ipv6Addr>().ok()).is_none()
            }
            Check::ProcTitleTemplate { variables, empty_variables, .. } => {
                !template_ok(cstr(v), variables, empty_variables)
            }
            Check::RejectValue { .. } | Check::RejectCombination { .. } => false,
        };
        if bad {
            return Some(check_message(check).to_string());
        }
    }
    None
}

fn check_message(c: &Check) -> &str {
    match c {
        Check::NonEmpty { message }
        | Check::Basename { message }
        | Check::Charset { message, .. }
        | Check::MaxLen { message, .. }
        | Check::Ipv4 { message }
        | Check::Ipv6 { message }
        | Check::ProcTitleTemplate { message, .. }
        | Check::RejectValue { message, .. }
        | Check::RejectCombination { message, .. } => message,
    }
}

/// `validateProcTitleTemplate`: `sdstemplate` must expand it (known `{variables}`, `{{` for a
/// brace) and the result, trimmed of spaces, must not be empty.
fn template_ok(t: &[u8], variables: &[String], empty_variables: &[String]) -> bool {
    let mut visible = false;
    let mut p = 0;
    while p < t.len() {
        let Some(open) = t[p..].iter().position(|&b| b == b'{').map(|i| p + i) else {
            visible |= t[p..].iter().any(|&b| b != b' ');
            break;
        };
        visible |= t[p..open].iter().any(|&b| b != b' ');
        let sv = open + 1;
        if sv >= t.len() {
            return false;
        }
        if t[sv] == b'{' {
            visible = true;
            p = sv + 1;
            continue;
        }
        let Some(close) = t[sv..].iter().position(|&b| b == b'}').map(|i| sv + i) else { return false };
        let name = String::from_utf8_lossy(&t[sv..close]);
        if !variables.iter().any(|v| *v == name) {
            return false;
        }
        if !empty_variables.iter().any(|v| *v == name) {
            visible = true;
        }
        p = close + 1;
    }
    visible
}
