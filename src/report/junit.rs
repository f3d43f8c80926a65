//! JUnit XML: one test suite per file, one failing test case per finding, so CI systems that
//! read test reports show each finding where they show test failures.

use super::{Report, TOOL_NAME};
use crate::findings::Finding;
use quick_xml::escape::escape;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let total = report.findings.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="{TOOL_NAME}" tests="{}" failures="{total}">"#, total.max(1))?;
    if by_file.is_empty() {
        writeln!(out, r#"  <testsuite name="{TOOL_NAME}" tests="1" failures="0" errors="0" skipped="0">"#)?;
        writeln!(out, r#"    <testcase name="audit" classname="{TOOL_NAME}"/>"#)?;
        writeln!(out, "  </testsuite>")?;
    }
    for (file, findings) in by_file {
        let name = if file.is_empty() { "." } else { file };
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{n}" failures="{n}" errors="0" skipped="0">"#,
            escape(name),
            n = findings.len()
        )?;
        for f in findings {
            let l = &f.location;
            let mut body = format!("{}:{}:{}: {}", name, l.line, l.column, f.message);
            if let Some(h) = &f.help {
                body.push_str(&format!("\nhelp: {h}"));
            }
            writeln!(
                out,
                r#"    <testcase name="{code}({rule}) line {line}, column {col}" classname="{file}" file="{file}" line="{line}">"#,
                code = f.code,
                rule = escape(&f.name),
                line = l.line,
                col = l.column,
                file = escape(name),
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&f.message),
                f.severity,
                escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
