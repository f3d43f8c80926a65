//! Phase 2: client upgrades — per affected client, from → to, the command in the lock file's
//! own tool, and the option that works around the risk when no release fixes it; plus
//! `upgrade-clients.sh` with every command that moves a version.

use super::model::{ArtifactKind, FindingRef, Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext, shell_quote};
use crate::knowledge::Phase;
use crate::rules::dep::analysis::{Index, UpdateCommand, affected, update_command};
use crate::rules::dep::lock_drift::drift_target;
use crate::rules::dep::usage::trigger;
use std::collections::BTreeMap;

pub struct ClientUpgrades;

pub const SCRIPT: &str = "upgrade-clients.sh";

impl Contributor for ClientUpgrades {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        let index = Index::new(cx.inventory, &clients);
        // (directory, command) pairs for the script, in plan order.
        let mut script: BTreeMap<String, Vec<UpdateCommand>> = BTreeMap::new();
        for (r, risks) in affected(&index) {
            let loc = &r.dep.location;
            let cited: Vec<FindingRef> = plan
                .take(cx, |f| f.code.starts_with("DEP") && f.location.file == loc.file && f.location.line == loc.line);
            let dir = if r.dep.dir().is_empty() { ".".to_string() } else { r.dep.dir().to_string() };
            let in_range = drift_target(&r).is_some();
            let target = drift_target(&r).or_else(|| r.client.safe_upgrade(r.version));
            let project_dir = r.manifest.map_or(r.dep.dir(), |m| m.dir());
            let mut detail = String::new();
            for risk in &risks {
                let code = trigger(cx.inventory, r.client, risk, project_dir);
                detail.push_str(&format!("- {} {}\n", risk.effect, code.clause(risk)));
            }
            let (kind, title, commands) = match &target {
                Some(t) => {
                    let update = update_command(r.dep, t, in_range);
                    script.entry(dir.clone()).or_default().push(update.clone());
                    let drift = if in_range {
                        " The manifest's range already allows it: only the lock file moves."
                    } else {
                        " The manifest's range must allow it too."
                    };
                    detail.push_str(&format!("\nUpgrade {} from {} to {t} or later.{drift}\n", r.dep.name, r.version));
                    let commands = match &update {
                        UpdateCommand::Run(cmd) => vec![format!("(cd {} && {cmd})", shell_quote(&dir))],
                        UpdateCommand::Edit(edit) => {
                            detail.push_str(&format!("By hand: {edit}.\n"));
                            vec![]
                        }
                    };
                    (StepKind::Change, format!("{} {} → {t} (`{}`)", r.dep.name, r.version, loc.file), commands)
                }
                None => {
                    detail.push_str("\nNo release avoids this yet.");
                    let workarounds: Vec<String> = risks
                        .iter()
                        .filter_map(|k| {
                            trigger(cx.inventory, r.client, k, project_dir).workaround(
                                cx.inventory,
                                r.client,
                                k,
                                project_dir,
                            )
                        })
                        .collect();
                    if !workarounds.is_empty() {
                        detail
                            .push_str(&format!(" Work around it in the client's options: {}.", workarounds.join("; ")));
                    }
                    detail.push('\n');
                    (
                        StepKind::Change,
                        format!("{} {}: configure around the risk (`{}`)", r.dep.name, r.version, loc.file),
                        vec![],
                    )
                }
            };
            let alts: Vec<&str> =
                r.client.alternatives.iter().filter_map(|a| clients.by_id(&a.id)).map(|c| c.display.as_str()).collect();
            if !alts.is_empty() {
                detail.push_str(&format!("\nValkey-native alternative: {}.\n", alts.join(", ")));
            }
            let sources: Vec<&str> = risks.iter().flat_map(|k| k.sources.first()).map(String::as_str).collect();
            detail.push_str(&format!("\nSources: {}\n", sources.join("; ")));
            let mut step = Step::new(kind, title, detail);
            step.commands = commands;
            step.findings = cited;
            plan.add(Phase::Clients, step);
        }
        if script.is_empty() {
            return;
        }
        let mut text = String::from(
            "#!/bin/sh\n# Client upgrades for the move to Valkey, written by valkey-migrate plan.\n\
             # Each command runs in the directory that holds the lock file; review the diff of the\n\
             # lock files before committing.\nset -eu\ncd \"$(dirname \"$0\")\"\n",
        );
        text = text.replace("cd \"$(dirname \"$0\")\"\n", "");
        text.push_str(&format!("root=${{1:-{}}}\n", shell_quote(&cx.scanned)));
        // One subshell per directory; `set -e` stops at the first failing command, and an edit
        // to make by hand is a comment line (a command chained with `&&` to a comment would not parse).
        for (dir, cmds) in &script {
            text.push_str(&format!("\n(\n  cd \"$root\"/{}\n", shell_quote(dir)));
            for c in cmds {
                text.push_str(&format!("  {}\n", c.script_line()));
            }
            text.push_str(")\n");
        }
        let path = plan.artifact(SCRIPT.to_string(), ArtifactKind::Script, None, text);
        let mut step = Step::new(
            StepKind::Change,
            "Run the client upgrades",
            format!(
                "`{path}` runs every upgrade above, each in its lock file's directory. Pass the repository root if you run it from elsewhere.\n"
            ),
        );
        step.artifacts = vec![path.clone()];
        let run = format!("sh {} {}", shell_quote(&format!("{}/{path}", cx.artifact_dir())), shell_quote(&cx.scanned));
        step.commands = cx.write_files_command().into_iter().chain([run]).collect();
        plan.add(Phase::Clients, step);
    }
}
