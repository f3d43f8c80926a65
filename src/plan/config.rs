//! Phase 3: server configuration — each config file (or YAML file holding config text) that
//! needs changes, rewritten for the target by `config_rewrite`: the file goes into the plan
//! directory as `config/<path>`, and the step shows the diff and cites the findings the
//! rewrite resolves. Config on command lines cannot be rewritten here: its step lists the
//! changes to make by hand.

use super::model::{ArtifactKind, FindingRef, Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext, shell_quote};
use crate::config_rewrite::{Action, Change, RewriteContext, needed_changes, rewritable, rewrite};
use crate::findings::Finding;
use crate::inventory::{ConfigOrigin, ServerConfig};
use crate::knowledge::Phase;
use crate::knowledge::config_rules::ConfigRules;
use crate::knowledge::modules::ModuleCatalog;
use crate::rules::cfg::SourceSide;
use std::collections::BTreeMap;

pub struct ServerConfigs;

/// The codes whose findings a rewrite answers.
const RESOLVED: &[&str] = &["CFG001", "CFG002", "CFG003", "CFG004"];

/// Whether `f` is answered by `changes` made to `file`.
fn answered(f: &Finding, file: &str, changes: &[Change]) -> bool {
    if f.location.file != file || !RESOLVED.contains(&f.code.as_str()) {
        return false;
    }
    if f.code == "CFG004" {
        return changes.iter().any(|c| c.action == Action::Added);
    }
    changes.iter().any(|c| c.code == f.code && c.action == Action::CommentedOut && c.line == f.location.line)
}

/// One line per change; added lines that share a reason are listed together.
fn change_lines(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < changes.len() {
        let c = &changes[i];
        match c.action {
            Action::CommentedOut => {
                out.push_str(&format!("- line {}: `{}` commented out — {} ({})\n", c.line, c.text, c.reason, c.code));
                i += 1;
            }
            Action::Added => {
                let same: Vec<&Change> =
                    changes[i..].iter().take_while(|o| o.action == Action::Added && o.reason == c.reason).collect();
                let lines: Vec<String> = same.iter().map(|o| format!("`{}`", o.text)).collect();
                out.push_str(&format!("- {} added — {} ({})\n", lines.join(", "), c.reason, c.code));
                i += same.len();
            }
        }
    }
    out
}

impl Contributor for ServerConfigs {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let Ok(rules) = cx.knowledge.view::<ConfigRules>() else { return };
        let modules = cx.knowledge.view::<ModuleCatalog>().ok();
        let source = SourceSide::new(cx.knowledge, cx.source);
        let rcx = RewriteContext {
            inventory: cx.inventory,
            target: &cx.target,
            source: &source,
            rules: &rules,
            modules: modules.as_deref(),
        };
        let server = cx.target.display_name();
        let mut by_file: BTreeMap<&str, Vec<&ServerConfig>> = BTreeMap::new();
        for c in cx.inventory.server_configs.iter().filter(|c| rewritable(c)) {
            by_file.entry(c.file.as_str()).or_default().push(c);
        }
        for (file, configs) in by_file {
            let original = match std::fs::read(cx.root.join(file)) {
                Ok(b) => b,
                Err(_) => continue,
            };
            let Some(rewritten) = rewrite(&rcx, &configs, &original) else { continue };
            let Ok(new_text) = String::from_utf8(rewritten.text.clone()) else {
                // Not UTF-8: a plan file could not hold it byte for byte; list the changes.
                manual_step(
                    cx,
                    plan,
                    file,
                    "its bytes are not UTF-8, so the plan cannot carry a copy",
                    &rewritten.changes,
                    Spelling::ConfigLine,
                );
                continue;
            };
            let old_text = String::from_utf8_lossy(&original).into_owned();
            let artifact = format!("config/{file}");
            let path = plan.artifact(artifact.clone(), ArtifactKind::Config, Some(file.to_string()), new_text.clone());
            let cited: Vec<FindingRef> = plan.take(cx, |f| answered(f, file, &rewritten.changes));
            let what = match configs.iter().find_map(|c| match &c.origin {
                ConfigOrigin::Embedded { key, .. } => Some(key.clone()),
                _ => None,
            }) {
                Some(key) => format!("The config text under `{key}` in `{file}`"),
                None => format!("`{file}`"),
            };
            let commented = rewritten.changes.iter().filter(|c| c.action == Action::CommentedOut).count();
            let added = rewritten.changes.len() - commented;
            let mut detail = format!(
                "{what} is rewritten for {server}: {} commented out and {} added, each under a comment that says \
                 why; comments, order and spacing are kept. Review the diff, then copy the file over the original.\n\n",
                crate::report::plural(commented, "line"),
                crate::report::plural(added, "default")
            );
            detail.push_str(&change_lines(&rewritten.changes));
            let mut step = Step::new(StepKind::Change, format!("Rewrite `{file}` for {server}"), detail);
            step.artifacts = vec![path];
            step.commands = cx
                .write_files_command()
                .into_iter()
                .chain([format!(
                    "cp {} {}",
                    shell_quote(&format!("{}/{artifact}", cx.artifact_dir())),
                    shell_quote(&format!("{}/{file}", cx.scanned.trim_end_matches('/')))
                )])
                .collect();
            step.diff = Some(unified_diff(file, &old_text, &new_text));
            step.findings = cited;
            plan.add(Phase::Config, step);
        }
        for cfg in cx.inventory.server_configs.iter().filter(|c| matches!(c.origin, ConfigOrigin::CommandLine { .. })) {
            let changes = needed_changes(&rcx, cfg);
            if changes.is_empty() {
                continue;
            }
            let why = "it is a command line: change its options where it is written";
            manual_step(cx, plan, &cfg.file, why, &changes, Spelling::Option);
        }
    }
}

/// A step for changes made by hand, citing the findings they answer.
/// How a setting to add is written where the change is made.
#[derive(Clone, Copy)]
enum Spelling {
    /// `name value`, a line of a config file.
    ConfigLine,
    /// `--name value`, an option of a server command line.
    Option,
}

fn manual_step(
    cx: &PlanContext,
    plan: &mut PlanBuilder,
    file: &str,
    why: &str,
    changes: &[Change],
    spelling: Spelling,
) {
    let cited: Vec<FindingRef> = plan.take(cx, |f| {
        f.location.file == file
            && RESOLVED.contains(&f.code.as_str())
            && (f.code == "CFG004" && changes.iter().any(|c| c.action == Action::Added)
                || changes.iter().any(|c| c.code == f.code && c.line == f.location.line))
    });
    let mut detail = format!(
        "The server config in `{file}` needs these changes for {}, and the plan does not rewrite it ({why}):\n\n",
        cx.target.display_name()
    );
    let mut i = 0;
    while i < changes.len() {
        let c = &changes[i];
        let line = match c.action {
            Action::CommentedOut => {
                i += 1;
                let text = match spelling {
                    Spelling::ConfigLine => c.text.clone(),
                    Spelling::Option => format!("--{}", c.text),
                };
                format!("- remove `{text}` (line {}) — {} ({})", c.line, c.reason, c.code)
            }
            Action::Added => {
                // Settings that share a reason are listed together, the reason said once.
                let same: Vec<String> = changes[i..]
                    .iter()
                    .take_while(|o| o.action == Action::Added && o.reason == c.reason)
                    .map(|o| match spelling {
                        Spelling::ConfigLine => format!("`{}`", o.text),
                        Spelling::Option => format!("`--{}`", o.text),
                    })
                    .collect();
                i += same.len();
                format!("- set {} — {} ({})", same.join(", "), c.reason, c.code)
            }
        };
        detail.push_str(&line);
        detail.push('\n');
    }
    let mut step = Step::new(StepKind::Change, format!("Change the server options in `{file}` by hand"), detail);
    step.findings = cited;
    plan.add(Phase::Config, step);
}

fn unified_diff(file: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string()
}
