//! The plan as data: what `plan.json` serialises (schema: docs/plan.schema.json) and what
//! `plan.md` renders.

use crate::findings::{Finding, Severity};
use crate::knowledge::Phase;
use serde::Serialize;

pub const PLAN_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub version: u32,
    pub tool: Tool,
    pub target: TargetChoice,
    pub source: SourceInfo,
    pub verdict: Verdict,
    pub summary: Vec<AreaSummary>,
    pub phases: Vec<PhasePlan>,
    pub artifacts: Vec<ArtifactRef>,
    /// What `valkey-migrate validate` checks, so that a plan directory is enough to validate.
    pub validation: ValidationInputs,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct ValidationInputs {
    /// The scanned repository, relative to the plan directory (set when the plan is written
    /// with `--out`), so that `validate PLAN_DIR` finds the repository's files from anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Config files to start the target with: plan artifacts (`config/…`) when the plan
    /// rewrites them, else the repository's own, relative to the scanned root.
    pub configs: Vec<String>,
    /// Every distinct command the code sends, with one place that sends it.
    pub commands: Vec<CommandRef>,
    /// Every client library the repository resolves, for handshake replay.
    pub clients: Vec<ClientRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CommandRef {
    pub command: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ClientRef {
    pub ecosystem: String,
    pub name: String,
    pub version: Option<String>,
    /// The client's id in `rules/clients.toml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// How the code uses it, as far as the scan saw (`client-side-caching`, `sentinel`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetChoice {
    pub profile: String,
    /// e.g. `Valkey 9.1.2`.
    pub server: String,
    /// Why this target: the default, the user's choice, and what in the repository needs it.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub profile: Option<String>,
    pub from_setting: bool,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ready,
    ReadyWithChanges,
    Blocked,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready",
            Status::ReadyWithChanges => "Ready with changes",
            Status::Blocked => "Blocked",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub status: Status,
    /// One line: why.
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AreaSummary {
    pub phase: String,
    pub title: String,
    pub blockers: usize,
    pub changes: usize,
    pub warnings: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Must be decided or fixed before the move can go ahead.
    Blocker,
    /// Something to change in the repository or the infrastructure.
    Change,
    /// Something to run or verify.
    Check,
    /// Worth knowing; nothing to do.
    Note,
}

/// A finding a step answers, by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl From<&Finding> for FindingRef {
    fn from(f: &Finding) -> Self {
        FindingRef {
            code: f.code.clone(),
            name: f.name.clone(),
            severity: f.severity,
            file: f.location.file.clone(),
            line: f.location.line,
            message: f.message.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Stable within a plan: `<phase>-<n>`, assigned in order.
    pub id: String,
    pub kind: StepKind,
    pub title: String,
    /// Markdown.
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// Paths of artifacts (relative to the plan directory) this step adds or replaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<String>,
    /// A unified diff of what the step changes, for review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRef>,
}

impl Step {
    pub fn new(kind: StepKind, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Step {
            id: String::new(),
            kind,
            title: title.into(),
            detail: detail.into(),
            commands: Vec::new(),
            artifacts: Vec::new(),
            diff: None,
            findings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PhasePlan {
    pub id: &'static str,
    pub number: usize,
    pub title: &'static str,
    /// Phases that must be done first.
    pub depends_on: Vec<&'static str>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    Config,
    Terraform,
    Script,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactRef {
    /// Relative to the plan directory, `/`-separated.
    pub path: String,
    pub kind: ArtifactKind,
    /// The repository file it replaces or sits beside, relative to the scan root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// A file the plan writes under `--out`.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub reference: ArtifactRef,
    pub contents: String,
    /// Scripts are written executable.
    pub executable: bool,
}

/// Which phases must come before which (drawn in the Mermaid diagram too).
pub fn dependencies(phase: Phase) -> Vec<&'static str> {
    match phase {
        Phase::Blockers => vec![],
        Phase::Clients | Phase::Config | Phase::Infrastructure => vec!["blockers"],
        Phase::Data => vec!["infrastructure"],
        Phase::Validation => vec!["clients", "config", "data"],
        Phase::Cutover => vec!["validation"],
    }
}

/// The current UTC time as RFC 3339, for `--timestamp`.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day, rem) = crate::clock::civil(secs as i64);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
