//! SARIF 2.1.0 for GitHub code scanning: every rule with descriptions and help, relative
//! URIs, and `partialFingerprints` that survive lines moving.

use super::{Report, TOOL_NAME, TOOL_URI, TOOL_VERSION};
use crate::findings::Severity;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Stable identities for findings: rule, file and what the rule says identifies it, so the
/// same problem keeps its alert when unrelated lines are added above it. The same key twice
/// in one file (the same bad directive on two lines) gets an occurrence number, so the two
/// stay two alerts.
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let path = report.repo_path(&f.location.file);
            let key = if f.fingerprint.is_empty() { f.message.as_str() } else { f.fingerprint.as_str() };
            let identity = format!("{}\u{0}{}\u{0}{}", f.code, path, key);
            let n = seen.entry(identity.clone()).and_modify(|n| *n += 1).or_insert(1usize);
            let h = xxhash_rust::xxh3::xxh3_64(format!("{identity}\u{0}{n}").as_bytes());
            format!("{h:016x}")
        })
        .collect()
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let metas: Vec<_> = report.knowledge.catalog.iter().collect();
    let index: BTreeMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.code.as_str(), i)).collect();
    let rules: Vec<Value> = metas
        .iter()
        .map(|m| {
            let mut help_md = m.explanation.trim().to_string();
            if !m.references.is_empty() {
                help_md.push_str("\n\nReferences:\n");
                for r in &m.references {
                    help_md.push_str(&format!("- [{}]({})\n", r.title, r.url));
                }
            }
            let mut rule = json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.explanation.trim() },
                "help": { "text": m.explanation.trim(), "markdown": help_md },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": {
                    "tags": [m.family.to_ascii_lowercase(), "valkey-migration"],
                    "precision": "high",
                    "problem.severity": match m.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "recommendation" },
                },
            });
            if let Some(r) = m.references.first() {
                rule["helpUri"] = json!(r.url);
            }
            rule
        })
        .collect();

    let prints = fingerprints(report);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&prints)
        .map(|(f, print)| {
            let path = report.repo_path(&f.location.file);
            let path = if path.is_empty() { ".".to_string() } else { path };
            let l = &f.location;
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str(&format!("\nHelp: {h}"));
            }
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_escape(&path) },
                        "region": {
                            "startLine": l.line.max(1),
                            "startColumn": l.column.max(1),
                            "endLine": l.end_line.max(l.line).max(1),
                            "endColumn": if l.end_line > l.line { l.end_column.max(1) } else { l.end_column.max(l.column).max(1) },
                        },
                    },
                }],
                "partialFingerprints": { "valkeyMigrate/v1": print },
            });
            if let Some(&i) = index.get(f.code.as_str()) {
                result["ruleIndex"] = json!(i);
            }
            if !f.related.is_empty() {
                result["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({
                            "id": i + 1,
                            "message": { "text": r.message },
                            "physicalLocation": {
                                "artifactLocation": { "uri": uri_escape(&report.repo_path(&r.location.file)) },
                                "region": { "startLine": r.location.line.max(1), "startColumn": r.location.column.max(1) },
                            },
                        })
                    })
                    .collect();
            }
            result
        })
        .collect();

    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": TOOL_VERSION,
                    "semanticVersion": TOOL_VERSION,
                    "informationUri": TOOL_URI,
                    "rules": rules,
                },
            },
            "automationDetails": { "id": format!("{TOOL_NAME}/{}/", report.target) },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Percent-encodes what may not appear raw in a relative URI reference (RFC 3986), keeping `/`.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
