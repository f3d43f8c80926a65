//! GitLab Code Quality report (a JSON array of issues; CodeClimate's subset that GitLab reads):
//! findings show up in merge-request widgets and diffs.

use super::Report;
use crate::findings::Severity;
use serde_json::json;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let prints = super::sarif::fingerprints(report);
    let issues: Vec<_> = report
        .findings
        .iter()
        .zip(prints)
        .map(|(f, print)| {
            let path = report.repo_path(&f.location.file);
            let mut description = f.message.clone();
            if let Some(h) = &f.help {
                description.push_str(&format!(" — {h}"));
            }
            json!({
                "description": description,
                "check_name": format!("{} {}", f.code, f.name),
                "fingerprint": print,
                "severity": match f.severity { Severity::Error => "major", Severity::Warning => "minor", Severity::Info => "info" },
                "location": { "path": if path.is_empty() { ".".to_string() } else { path }, "lines": { "begin": f.location.line.max(1) } },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
