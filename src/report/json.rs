//! The JSON contract (version 1): other tools and our own tests rely on its shape.

use super::{Report, TOOL_NAME, TOOL_VERSION};
use crate::findings::{Finding, Severity, Summary};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'static str,
    target: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        code: &f.code,
        name: &f.name,
        severity: f.severity,
        message: &f.message,
        file: &f.location.file,
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        help: f.help.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                file: &r.location.file,
                line: r.location.line,
                column: r.location.column,
            })
            .collect(),
        fingerprint: &f.fingerprint,
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: 1,
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION, target: &report.target },
        findings: report.findings.iter().map(finding).collect(),
        summary: report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
