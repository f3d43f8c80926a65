//! Validation output: a table for people, JSON for machines, JUnit so CI shows each check
//! as a test case.

use super::model::{Group, Status, ValidationReport};
use quick_xml::escape::escape;
use std::fmt::Write;

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Skip => "-",
    }
}

pub fn human(r: &ValidationReport) -> String {
    let mut out = format!("Validating against {} (profile {})\n", r.target, r.profile);
    let mut group = None;
    for c in &r.checks {
        if group != Some(c.group) {
            group = Some(c.group);
            let _ = writeln!(out, "\n{}", c.group.title());
        }
        let reason = c.reason.trim().replace('\n', "\n      ");
        let _ = writeln!(out, "  {} {}  — {reason} ({} ms)", mark(c.status), c.name, c.millis);
        if c.status == Status::Fail {
            for e in c.exchanges.iter().rev().take(3).collect::<Vec<_>>().into_iter().rev() {
                let _ = writeln!(out, "      > {}\n      < {}", e.sent, e.received);
            }
        }
    }
    let s = &r.summary;
    let _ = writeln!(out, "\n{} passed, {} failed, {} skipped.", s.passed, s.failed, s.skipped);
    out
}

pub fn json(r: &ValidationReport) -> String {
    serde_json::to_string_pretty(r).expect("plain data") + "\n"
}

pub fn junit(r: &ValidationReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        r#"<testsuites name="valkey-migrate validate" tests="{}" failures="{}" skipped="{}">"#,
        r.checks.len(),
        r.summary.failed,
        r.summary.skipped
    );
    for g in [Group::Config, Group::Handshakes, Group::Commands, Group::Workloads] {
        let cases: Vec<_> = r.checks.iter().filter(|c| c.group == g).collect();
        if cases.is_empty() {
            continue;
        }
        let failed = cases.iter().filter(|c| c.status == Status::Fail).count();
        let skipped = cases.iter().filter(|c| c.status == Status::Skip).count();
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failed}" skipped="{skipped}" errors="0">"#,
            escape(g.title()),
            cases.len()
        );
        for c in cases {
            let _ = write!(
                out,
                r#"    <testcase name="{}" classname="{}" time="{:.3}""#,
                escape(&c.name),
                escape(g.title()),
                c.millis as f64 / 1000.0
            );
            match c.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Skip => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", escape(&c.reason));
                }
                Status::Fail => {
                    let body: String =
                        c.exchanges.iter().map(|e| format!("> {}\n< {}\n", e.sent, e.received)).collect();
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&c.reason),
                        escape(&body)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
