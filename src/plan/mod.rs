//! The migration plan: ordered steps built from the Inventory and the findings, with the
//! artifacts (rewritten configs, Terraform overrides, upgrade commands) that carry them out.
//!
//! Each area contributes the steps it knows how to plan; findings no contributor takes are
//! planned generically, grouped by rule, so every finding appears in the plan exactly once.

mod clients;
mod config;
mod cutover;
mod data;
mod infra;
mod leftover;
pub mod markdown;
pub mod model;
mod modules;
mod validation;
pub mod write;

use crate::config::Settings;
use crate::findings::{Finding, Severity};
use crate::inventory::Inventory;
use crate::knowledge::{Knowledge, Phase, Profile};
use crate::report::{TOOL_NAME, TOOL_VERSION};
use crate::source::SourceServer;
use model::*;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct PlanContext<'a> {
    pub inventory: &'a Inventory,
    pub findings: &'a [Finding],
    pub knowledge: &'a Knowledge,
    pub settings: &'a Settings,
    pub target: Arc<Profile>,
    pub source: &'a SourceServer,
    /// How the plan's own directory is named in the commands it prints (`--out` as given), or
    /// `None` when the plan is printed rather than written.
    pub out_dir: Option<String>,
    /// The scanned path as the user gave it, for commands that re-scan.
    pub scanned: String,
    /// The scan root on disk, for contributors that rewrite the repository's files.
    pub root: std::path::PathBuf,
}

impl PlanContext<'_> {
    /// Where the plan's files are, for the commands that use them: `--out` as given, or the
    /// directory the printed plan suggests writing them to.
    pub fn artifact_dir(&self) -> String {
        self.out_dir.clone().unwrap_or_else(|| "migration".to_string())
    }

    /// When the plan is only printed, the command that writes its files first.
    pub fn write_files_command(&self) -> Option<String> {
        self.out_dir.is_none().then(|| format!("valkey-migrate plan {} --out migration", shell_quote(&self.scanned)))
    }

    /// The command that validates this plan.
    pub fn validate_command(&self) -> String {
        let input = self.out_dir.as_deref().unwrap_or(&self.scanned);
        let target = if self.settings.target == crate::config::DEFAULT_TARGET {
            String::new()
        } else {
            format!(" --target {}", self.settings.target)
        };
        format!("valkey-migrate validate {}{target}", shell_quote(input))
    }
}

/// Quotes a path for a POSIX shell only when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Collects steps and artifacts while the contributors run.
#[derive(Default)]
pub struct PlanBuilder {
    steps: BTreeMap<Phase, Vec<Step>>,
    artifacts: Vec<Artifact>,
    consumed: Vec<bool>,
    target_reasons: Vec<String>,
}

impl PlanBuilder {
    pub fn add(&mut self, phase: Phase, step: Step) {
        self.steps.entry(phase).or_default().push(step);
    }

    /// Registers a file for the plan directory; returns its path for the step to cite.
    pub fn artifact(&mut self, path: String, kind: ArtifactKind, replaces: Option<String>, contents: String) -> String {
        let executable = kind == ArtifactKind::Script;
        self.artifacts.push(Artifact {
            reference: ArtifactRef { path: path.clone(), kind, replaces },
            contents,
            executable,
        });
        path
    }

    /// Marks findings as planned by the caller, so the generic pass does not plan them again;
    /// returns references to cite in the step.
    pub fn take(&mut self, cx: &PlanContext, pred: impl Fn(&Finding) -> bool) -> Vec<FindingRef> {
        let mut refs = Vec::new();
        for (i, f) in cx.findings.iter().enumerate() {
            if !self.consumed[i] && pred(f) {
                self.consumed[i] = true;
                refs.push(FindingRef::from(f));
            }
        }
        refs
    }

    /// Something in the repository that needs at least this target; said in the plan's
    /// "why this target".
    pub fn target_reason(&mut self, reason: impl Into<String>) {
        let r = reason.into();
        if !self.target_reasons.contains(&r) {
            self.target_reasons.push(r);
        }
    }
}

pub trait Contributor: Sync {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder);
}

/// Area contributors first (they take the findings they plan specifically), the generic
/// pass over what is left, then the phases every plan has.
fn contributors() -> Vec<&'static dyn Contributor> {
    vec![
        &modules::ModuleCommands,
        &clients::ClientUpgrades,
        &infra::Infrastructure,
        &data::DataMigration,
        &config::ServerConfigs,
        &leftover::Leftover,
        &validation::Validation,
        &cutover::Cutover,
    ]
}

pub fn build(cx: &PlanContext) -> (Plan, Vec<Artifact>) {
    let mut builder = PlanBuilder { consumed: vec![false; cx.findings.len()], ..Default::default() };
    for c in contributors() {
        c.contribute(cx, &mut builder);
    }
    let PlanBuilder { steps, mut artifacts, target_reasons, .. } = builder;
    artifacts.sort_by(|a, b| a.reference.path.cmp(&b.reference.path));

    let mut phases = Vec::new();
    for (n, phase) in Phase::ALL.iter().enumerate() {
        let mut list = steps.get(phase).cloned().unwrap_or_default();
        // Blockers first, then changes, checks and notes; contributors' order within a kind.
        list.sort_by_key(|s| s.kind);
        for (i, s) in list.iter_mut().enumerate() {
            s.id = format!("{}-{}", phase.id(), i + 1);
        }
        phases.push(PhasePlan {
            id: phase.id(),
            number: n + 1,
            title: phase.title(),
            depends_on: dependencies(*phase),
            steps: list,
        });
    }

    let summary = phases
        .iter()
        .filter(|p| p.id != "validation" && p.id != "cutover")
        .map(|p| AreaSummary {
            phase: p.id.to_string(),
            title: p.title.to_string(),
            blockers: p.steps.iter().filter(|s| s.kind == StepKind::Blocker).count(),
            changes: p.steps.iter().filter(|s| s.kind == StepKind::Change).count(),
            warnings: p.steps.iter().flat_map(|s| &s.findings).filter(|f| f.severity == Severity::Warning).count(),
        })
        .collect();

    let verdict = verdict(&phases, &cx.target);
    let mut reasons = vec![if cx.settings.target == crate::config::DEFAULT_TARGET {
        format!("{} is the newest stable Valkey (the default; `--target` picks another)", cx.target.display_name())
    } else {
        format!("{} was chosen with `--target` or the `target` setting", cx.target.display_name())
    }];
    reasons.extend(target_reasons);
    let plan = Plan {
        version: PLAN_SCHEMA_VERSION,
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        target: TargetChoice { profile: cx.settings.target.clone(), server: cx.target.display_name(), reasons },
        source: SourceInfo {
            profile: cx.source.profile.clone(),
            from_setting: cx.source.from_setting,
            evidence: cx
                .source
                .evidence
                .iter()
                .map(|e| match &e.profile {
                    Some(p) => format!("{} ({}) → `{p}`", e.what, e.location.display()),
                    None => format!("{} ({}) → no profile for this version", e.what, e.location.display()),
                })
                .collect(),
        },
        verdict,
        summary,
        phases,
        artifacts: artifacts.iter().map(|a| a.reference.clone()).collect(),
        validation: validation_inputs(cx, &artifacts),
        generated_at: None,
    };
    (plan, artifacts)
}

fn validation_inputs(cx: &PlanContext, artifacts: &[Artifact]) -> ValidationInputs {
    let rewritten: Vec<&Artifact> = artifacts.iter().filter(|a| a.reference.kind == ArtifactKind::Config).collect();
    // A rewritten YAML file (a Helm values file holding config text) is not a file a server
    // starts with: only rewritten server config files are.
    let starts_a_server = |a: &&&Artifact| {
        cx.inventory.server_configs.iter().any(|c| {
            c.is_file()
                && c.kind == crate::inventory::ServerConfigKind::Server
                && a.reference.replaces.as_deref() == Some(c.file.as_str())
        })
    };
    // A file another config includes is checked inside that config, not alone: on its own it
    // may lack what the including file sets.
    let included = cx.inventory.included_config_files();
    let mut configs: Vec<String> = rewritten
        .iter()
        .filter(starts_a_server)
        .filter(|a| !a.reference.replaces.as_deref().is_some_and(|f| included.contains(f)))
        .map(|a| a.reference.path.clone())
        .collect();
    for c in &cx.inventory.server_configs {
        let replaced = rewritten.iter().any(|a| a.reference.replaces.as_deref() == Some(c.file.as_str()));
        // Config text in YAML files and command lines is not a file a server starts with.
        if !replaced
            && !included.contains(c.file.as_str())
            && c.kind == crate::inventory::ServerConfigKind::Server
            && c.is_file()
        {
            configs.push(c.file.clone());
        }
    }
    let mut commands: Vec<CommandRef> = Vec::new();
    for u in &cx.inventory.command_uses {
        if !commands.iter().any(|c| c.command == u.command) {
            commands.push(CommandRef {
                command: u.command.clone(),
                file: u.location.file.clone(),
                line: u.location.line,
            });
        }
    }
    commands.sort_by(|a, b| a.command.cmp(&b.command));
    // The clients the repository really runs (known client libraries, resolved versions from
    // lock files or exact pins), for handshake replay.
    let mut clients: Vec<ClientRef> = match cx.knowledge.clients() {
        Ok(table) => crate::rules::dep::analysis::Index::new(cx.inventory, &table)
            .resolved()
            .into_iter()
            .map(|r| {
                let mut features: Vec<String> = cx
                    .inventory
                    .client_features
                    .iter()
                    .filter(|f| f.clients.iter().any(|c| c == &r.client.id))
                    .map(|f| f.feature.as_str().to_string())
                    .collect();
                features.sort();
                features.dedup();
                ClientRef {
                    ecosystem: r.dep.ecosystem.as_str().to_string(),
                    name: r.dep.name.clone(),
                    version: Some(r.version.to_string()),
                    client: Some(r.client.id.clone()),
                    features,
                }
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    clients.sort_by(|a, b| (&a.ecosystem, &a.name, &a.version).cmp(&(&b.ecosystem, &b.name, &b.version)));
    clients.dedup();
    ValidationInputs { root: None, configs, commands, clients }
}

fn verdict(phases: &[PhasePlan], target: &Profile) -> Verdict {
    let all = || phases.iter().flat_map(|p| &p.steps);
    let blockers: Vec<&Step> = all().filter(|s| s.kind == StepKind::Blocker).collect();
    let changes = all().filter(|s| s.kind == StepKind::Change).count();
    let server = target.display_name();
    if let Some(first) = blockers.first() {
        let reason = if blockers.len() == 1 {
            format!("one decision before moving to {server}: {}", first.title)
        } else {
            format!("{} decisions before moving to {server}; first: {}", blockers.len(), first.title)
        };
        Verdict { status: Status::Blocked, reason }
    } else if changes > 0 {
        Verdict {
            status: Status::ReadyWithChanges,
            reason: format!("{} before moving to {server}", crate::report::plural(changes, "change")),
        }
    } else {
        Verdict {
            status: Status::Ready,
            reason: format!("nothing in this repository has to change to run on {server}"),
        }
    }
}
