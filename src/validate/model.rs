//! What a validation run reports: one line per check, grouped by plan phase, with what was
//! sent and what came back.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Config,
    Handshakes,
    Commands,
    Workloads,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Config => "Config files accepted",
            Group::Handshakes => "Client handshakes",
            Group::Commands => "Commands the code uses",
            Group::Workloads => "Workloads",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Not run, and why (e.g. writes against a live server without --allow-writes).
    Skip,
}

/// One request and its reply, as text (`SET k v` → `+OK`).
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub sent: String,
    pub received: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub group: Group,
    pub name: String,
    pub status: Status,
    /// Why it failed or was skipped; what it proved when it passed.
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
    pub millis: u64,
}

impl Check {
    pub fn pass(group: Group, name: impl Into<String>, reason: impl Into<String>) -> Self {
        Check {
            group,
            name: name.into(),
            status: Status::Pass,
            reason: reason.into(),
            exchanges: Vec::new(),
            millis: 0,
        }
    }

    pub fn fail(group: Group, name: impl Into<String>, reason: impl Into<String>) -> Self {
        Check { status: Status::Fail, ..Check::pass(group, name, reason) }
    }

    pub fn skip(group: Group, name: impl Into<String>, reason: impl Into<String>) -> Self {
        Check { status: Status::Skip, ..Check::pass(group, name, reason) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    pub version: u32,
    /// What was validated against, e.g. `bundled server (valkey-9.1)` or a URL without secrets.
    pub target: String,
    pub profile: String,
    pub checks: Vec<Check>,
    pub summary: Counts,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl ValidationReport {
    pub fn new(target: String, profile: String, mut checks: Vec<Check>) -> Self {
        checks.sort_by_key(|c| c.group);
        let mut summary = Counts::default();
        for c in &checks {
            match c.status {
                Status::Pass => summary.passed += 1,
                Status::Fail => summary.failed += 1,
                Status::Skip => summary.skipped += 1,
            }
        }
        ValidationReport { version: 1, target, profile, checks, summary }
    }
}
