//! What rules produce and every report consumes.

use crate::location::Location;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Ordered from least to most severe, so `>=` compares against a `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!("unknown severity '{other}' (expected error, warning or info)")),
        }
    }
}

/// A secondary place that explains a finding, e.g. the manifest line behind a lock-file pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One problem at one place. Rules fill `code`, `message`, `location` and `help`; the engine
/// fills `name` and `severity` from the rule catalog and the user's configuration, so that a
/// rule can never disagree with its own metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// What makes this finding the same finding across runs even when lines move
    /// (e.g. `ioredis@5.8.2` or the directive name); feeds SARIF `partialFingerprints`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// A severity chosen by the rule for this one finding (e.g. capped at info because the
    /// knowledge behind it is unverified). The user's configuration still wins.
    #[serde(skip)]
    pub severity_hint: Option<Severity>,
}

impl Finding {
    pub fn new(code: &str, location: Location, message: impl Into<String>) -> Self {
        Finding {
            code: code.to_string(),
            name: String::new(),
            severity: Severity::Warning,
            message: message.into(),
            location,
            help: None,
            related: Vec::new(),
            fingerprint: String::new(),
            severity_hint: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related { location, message: message.into() });
        self
    }

    pub fn fingerprint(mut self, key: impl Into<String>) -> Self {
        self.fingerprint = key.into();
        self
    }

    pub fn severity_hint(mut self, severity: Severity) -> Self {
        self.severity_hint = Some(severity);
        self
    }

    /// The order every output uses: file, line, column, code, then message as a tie-break.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (&self.location.file, self.location.line, self.location.column, &self.code, &self.message)
    }
}

pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Counts per severity, in the shape the JSON contract promises.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files_scanned: usize,
    pub suppressed: usize,
}

impl Summary {
    pub fn count(findings: &[Finding], files_scanned: usize, suppressed: usize) -> Self {
        let mut s = Summary { files_scanned, suppressed, ..Default::default() };
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}
