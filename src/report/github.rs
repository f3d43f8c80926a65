//! GitHub Actions workflow commands (`::error file=…::message`), escaped as the Actions
//! toolkit does, capped at what GitHub shows per step, plus a Markdown job summary.

use super::{Report, TOOL_NAME, plural};
use crate::findings::{Finding, Severity};
use std::io::{self, Write};

/// GitHub shows at most 10 annotations of each level per step; the rest are dropped silently
/// by GitHub, so we print them as plain log lines instead.
const PER_LEVEL_LIMIT: usize = 10;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn annotation(report: &Report, f: &Finding) -> String {
    let l = &f.location;
    let mut props = Vec::new();
    let path = report.repo_path(&l.file);
    if !path.is_empty() {
        props.push(format!("file={}", escape_property(&path)));
        props.push(format!("line={}", l.line.max(1)));
        if l.end_line > l.line {
            // GitHub ignores columns on multi-line annotations.
            props.push(format!("endLine={}", l.end_line));
        } else {
            props.push(format!("endLine={}", l.line.max(1)));
            props.push(format!("col={}", l.column.max(1)));
            props.push(format!("endColumn={}", l.end_column.max(l.column).max(1)));
        }
    }
    props.push(format!("title={}", escape_property(&format!("{TOOL_NAME} {} ({})", f.code, f.name))));
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    format!("::{} {}::{}", command(f.severity), props.join(","), escape_data(&message))
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut shown = [0usize; 3];
    let mut overflow = Vec::new();
    for f in ordered {
        let slot = &mut shown[f.severity as usize];
        if *slot < PER_LEVEL_LIMIT {
            *slot += 1;
            writeln!(out, "{}", annotation(report, f))?;
        } else {
            overflow.push(f);
        }
    }
    if !overflow.is_empty() {
        writeln!(
            out,
            "{} more not annotated (GitHub shows {PER_LEVEL_LIMIT} per level per step):",
            plural(overflow.len(), "finding")
        )?;
        for f in overflow {
            writeln!(out, "{}: {} [{}] {}", f.location.display(), f.severity, f.code, f.message)?;
        }
    }
    let s = report.summary;
    writeln!(
        out,
        "{TOOL_NAME}: {}, {}, {} ({} scanned)",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        plural(s.files_scanned, "file")
    )?;
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        file.write_all(step_summary_markdown(report).as_bytes())?;
    }
    Ok(())
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table of the findings for `$GITHUB_STEP_SUMMARY` (capped well below GitHub's
/// 1 MiB limit per step).
pub fn step_summary_markdown(report: &Report) -> String {
    const ROW_LIMIT: usize = 500;
    let s = report.summary;
    let mut md = format!(
        "## {TOOL_NAME} audit (target {})\n\n| errors | warnings | infos | files scanned |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |\n\n",
        report.target, s.errors, s.warnings, s.infos, s.files_scanned
    );
    if report.findings.is_empty() {
        md.push_str("No problems found.\n");
        return md;
    }
    md.push_str("| severity | code | location | message |\n|---|---|---|---|\n");
    for f in report.findings.iter().take(ROW_LIMIT) {
        md.push_str(&format!(
            "| {} | `{}` {} | `{}` | {} |\n",
            f.severity,
            f.code,
            f.name,
            md_cell(&report.repo_path(&f.location.display())),
            md_cell(&f.message)
        ));
    }
    if report.findings.len() > ROW_LIMIT {
        md.push_str(&format!("\n…and {} more; see the SARIF report.\n", report.findings.len() - ROW_LIMIT));
    }
    md.push('\n');
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(escape_property("x:y,z%"), "x%3Ay%2Cz%25");
    }
}
