//! Rewriting a server config for the target: what the target refuses at start, cannot load or
//! ignores is commented out, with a comment saying why (in the server's own words), and the
//! defaults the config relies on that change across the move are set to their old values
//! below the rest. Everything else — comments, blank lines, order, spacing, line endings — is
//! kept byte for byte, and no line is dropped: a commented-out line stays in the file.
//!
//! Config files are rewritten whole; config text in a YAML literal block (`commonConfiguration:
//! |`) is rewritten in place, each line at the block's indentation. Command lines are not
//! rewritten (the plan lists their changes).

mod text;

use crate::inventory::{ConfigOrigin, Inventory, ServerConfig, ServerConfigKind};
use crate::knowledge::Profile;
use crate::knowledge::config_rules::ConfigRules;
use crate::knowledge::modules::{ModuleCatalog, so_name};
use crate::knowledge::profile::{Product, Verdict};
use crate::rules::cfg::SourceSide;
use crate::rules::cfg::verdicts::judge;
use crate::rules::cfg::view::deployments;
use std::collections::BTreeMap;

/// What the rewrite reads.
pub struct RewriteContext<'a> {
    pub inventory: &'a Inventory,
    pub target: &'a Profile,
    pub source: &'a SourceSide,
    pub rules: &'a ConfigRules,
    pub modules: Option<&'a ModuleCatalog>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The line is kept as a comment under the reason.
    CommentedOut,
    /// A line added (a default set to its old value).
    Added,
}

/// One change, with the rule whose finding it answers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// The line in the original file (for an added line, the last line of the file).
    pub line: u32,
    pub text: String,
    pub action: Action,
    pub reason: String,
    pub code: &'static str,
}

/// A rewritten file.
#[derive(Debug, Clone)]
pub struct Rewritten {
    /// The repository file the text replaces (for an embedded block, the YAML file).
    pub file: String,
    pub text: Vec<u8>,
    pub changes: Vec<Change>,
}

impl Rewritten {
    /// The text as UTF-8 (a config file with other bytes keeps them, shown lossily here).
    pub fn text_lossy(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// What to do with one line of the original file.
struct Edit {
    reason: String,
    code: &'static str,
    /// The indentation of the config text in its file (a YAML block's).
    indent: usize,
}

/// Whether `cfg` is text that can be rewritten in place: a config file, or a YAML literal
/// block whose lines are the config's lines.
pub fn rewritable(cfg: &ServerConfig) -> bool {
    matches!(&cfg.origin, ConfigOrigin::File | ConfigOrigin::Embedded { block: Some(_), .. })
}

/// The rewrite of the configs written in one file (a config file, or the blocks of one YAML
/// file) whose text is `original`; `None` when nothing has to change.
pub fn rewrite(cx: &RewriteContext, configs: &[&ServerConfig], original: &[u8]) -> Option<Rewritten> {
    let file = configs.first()?.file.clone();
    let mut edits: BTreeMap<u32, Edit> = BTreeMap::new();
    let mut changes = Vec::new();
    let mut added = Vec::new();
    for cfg in configs.iter().filter(|c| rewritable(c)) {
        let indent = match &cfg.origin {
            ConfigOrigin::Embedded { block: Some(b), .. } => b.indent as usize,
            _ => 0,
        };
        let (e, c) = line_edits(cx, cfg);
        for (line, (reason, code)) in e {
            edits.insert(line, Edit { reason, code, indent });
        }
        changes.extend(c);
        if cfg.is_file() {
            added.extend(pinned_defaults(cx, cfg));
        }
    }
    if edits.is_empty() && added.is_empty() {
        return None;
    }
    let last_line = text::line_count(original);
    for (name, value, reason) in &added {
        changes.push(Change {
            line: last_line,
            text: format!("{name} {value}"),
            action: Action::Added,
            reason: reason.clone(),
            code: "CFG004",
        });
    }
    changes.sort_by_key(|c| c.line);
    let text = text::apply(original, &edits, &added, cx.target);
    Some(Rewritten { file, text, changes })
}

/// The changes a config needs that cannot be written into it here (a command line): what
/// to comment out and what to add, with why.
pub fn needed_changes(cx: &RewriteContext, cfg: &ServerConfig) -> Vec<Change> {
    let (_, mut changes) = line_edits(cx, cfg);
    for (name, value, reason) in pinned_defaults(cx, cfg) {
        changes.push(Change {
            line: 0,
            text: format!("{name} {value}"),
            action: Action::Added,
            reason,
            code: "CFG004",
        });
    }
    changes
}

/// The lines to comment out: refused (CFG001), a module the target cannot load (CFG002),
/// ignored (CFG003), and module settings nothing will claim once those modules are gone.
type LineEdits = BTreeMap<u32, (String, &'static str)>;

fn line_edits(cx: &RewriteContext, cfg: &ServerConfig) -> (LineEdits, Vec<Change>) {
    let target = cx.target;
    let server = target.display_name();
    let sentinel = cx.rules.sentinel(target.name());
    let judged = judge(cfg, target, sentinel);
    let mut edits: LineEdits = BTreeMap::new();
    let mut changes = Vec::new();
    let mut push = |edits: &mut LineEdits, first: u32, last: u32, text: &str, reason: String, code| {
        for line in first..=last {
            edits.insert(line, (reason.clone(), code));
        }
        changes.push(Change { line: first, text: text.to_string(), action: Action::CommentedOut, reason, code });
    };
    // Modules the target cannot load: their lines go, and with them the reason a module
    // setting could be claimed.
    let mut dropped_modules = Vec::new();
    if cfg.kind == ServerConfigKind::Server
        && target.header.product == Product::Valkey
        && let Some(modules) = cx.modules
    {
        for d in cfg.directives.iter().filter(|d| d.name == "loadmodule") {
            let Some(path) = d.args.first() else { continue };
            let Some(m) = modules.module_for_so(&path.value) else { continue };
            if m.valkey || m.loads_on_valkey.is_some() {
                continue;
            }
            let offer = modules.valkey_offer(m);
            let reason = format!(
                "{server} cannot load {} ({}): no Valkey image ships it, and a server that cannot load a module named \
                 in its config stops at start. On Valkey: {offer}.",
                m.title,
                so_name(&path.value)
            );
            let loc = d.location(&cfg.file);
            push(&mut edits, loc.line, loc.end_line.max(loc.line), &d.text, reason, "CFG002");
            dropped_modules.push(d.line);
        }
    }
    let loads_remaining = cfg.directives.iter().any(|d| d.name == "loadmodule" && !dropped_modules.contains(&d.line))
        && judged.loads_modules;
    for l in &judged.lines {
        if edits.contains_key(&l.line) {
            continue;
        }
        let (first, last) = (l.location.line, l.location.end_line.max(l.location.line));
        match &l.verdict {
            Verdict::Refused { message } => {
                let what = if l.sentinel_statement { format!("{server}'s sentinel") } else { server.clone() };
                let name = l.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                let help = if l.sentinel_statement {
                    crate::rules::cfg::sentinel_help(l.directive, message, sentinel)
                } else {
                    l.hint.clone().unwrap_or_else(|| crate::rules::cfg::help_for(target, &name, message))
                };
                let reason = format!("{what} refuses this line at start: \"{message}\". {}", sentence(&help));
                push(&mut edits, first, last, l.text, reason, "CFG001");
            }
            Verdict::Ignored => {
                let name = l.directive.map_or("", |d| d.name.as_str());
                let why = cx.rules.ignored(name).map(|i| format!(" {}.", upper_first(&i.why))).unwrap_or_default();
                let reason = format!("{server} accepts this line and ignores it.{why}");
                push(&mut edits, first, last, l.text, reason, "CFG003");
            }
            Verdict::Deferred { log } if !loads_remaining => {
                let reason = format!(
                    "{server} reads this as a module setting and stops at start when no loaded module claims it: {}.",
                    log.join(" / ")
                );
                push(&mut edits, first, last, l.text, reason, "CFG001");
            }
            _ => {}
        }
    }
    (edits, changes)
}

/// The defaults a whole config relies on that change: (name, old value, why), the names of
/// one group sharing their reason.
fn pinned_defaults(cx: &RewriteContext, cfg: &ServerConfig) -> Vec<(String, String, String)> {
    let all = deployments(cx.inventory);
    let Some(d) = all.iter().find(|d| std::ptr::eq(d.root, cfg)) else { return Vec::new() };
    let mut out = Vec::new();
    for group in crate::rules::cfg::changed_defaults(d, cx.target, cx.source, cx.rules) {
        let names: Vec<&str> = group.iter().map(|c| c.name.as_str()).collect();
        let news: Vec<String> = group.iter().map(|c| crate::rules::cfg::shown(&c.new)).collect();
        let mut new = news.clone();
        new.dedup();
        let meaning = cx.rules.default_change(&group[0].name).map(|c| format!(": {}", c.meaning)).unwrap_or_default();
        let why = format!(
            "{} {} {} on {}{meaning}",
            names.join(", "),
            if names.len() == 1 { "defaults to" } else { "default to" },
            new.join("/"),
            cx.target.display_name()
        );
        for c in group {
            out.push((c.name, c.old, why.clone()));
        }
    }
    out
}

fn upper_first(s: &str) -> String {
    let s = s.trim_end_matches('.');
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `text` as a sentence: capitalised, ending with a full stop unless it has its own mark.
fn sentence(text: &str) -> String {
    let t = upper_first(text);
    if t.ends_with(['?', '!']) { t } else { format!("{t}.") }
}
