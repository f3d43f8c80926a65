//! One Terraform file, parsed: configuration (`.tf`), variable values (`.tfvars`,
//! `.tfvars.json`) or the dependency lock file. Syntax errors become SCAN004 diagnostics at
//! the place the parser stopped, and the file is left out of its directory's evaluation.

use crate::findings::Finding;
use crate::scan::codes;
use crate::sources::{Facts, SourceFile};
use hcl_edit::structure::Body;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Terraform's JSON syntax (`.tf.json`): claimed so that it is reported, not read.
    JsonConfig,
    /// A primary configuration file.
    Config,
    /// `override.tf` or `*_override.tf`: merged into the primary blocks after them.
    Override,
    /// Loaded by Terraform on its own (`terraform.tfvars`, `*.auto.tfvars`, and their `.json`).
    AutoVars,
    /// Another `.tfvars` file: used only when named with `-var-file`.
    OtherVars,
    /// `.terraform.lock.hcl`.
    Lock,
}

impl FileKind {
    pub fn of(file_name: &str) -> Option<FileKind> {
        let lower = file_name.to_ascii_lowercase();
        if lower == ".terraform.lock.hcl" {
            Some(FileKind::Lock)
        } else if lower.ends_with(".tf.json") {
            Some(FileKind::JsonConfig)
        } else if lower == "override.tf" || lower.ends_with("_override.tf") {
            Some(FileKind::Override)
        } else if lower.ends_with(".tf") {
            Some(FileKind::Config)
        } else if lower == "terraform.tfvars"
            || lower == "terraform.tfvars.json"
            || lower.ends_with(".auto.tfvars")
            || lower.ends_with(".auto.tfvars.json")
        {
            Some(FileKind::AutoVars)
        } else if lower.ends_with(".tfvars") || lower.ends_with(".tfvars.json") {
            Some(FileKind::OtherVars)
        } else {
            None
        }
    }

    pub fn is_vars(self) -> bool {
        matches!(self, FileKind::AutoVars | FileKind::OtherVars)
    }
}

/// The content of a parsed file. JSON variable files are kept as JSON values with the line of
/// each top-level key.
pub enum Content {
    Hcl(Body),
    JsonVars(Vec<(String, serde_json::Value, u32)>),
}

pub struct TfFile<'a> {
    pub src: &'a SourceFile,
    pub kind: FileKind,
    pub content: Content,
}

impl<'a> TfFile<'a> {
    pub fn text(&self) -> &'a str {
        self.src.text().unwrap_or_default()
    }

    pub fn file_name(&self) -> &str {
        self.src.rel.rsplit('/').next().unwrap_or(&self.src.rel)
    }

    pub fn body(&self) -> Option<&Body> {
        match &self.content {
            Content::Hcl(b) => Some(b),
            Content::JsonVars(_) => None,
        }
    }
}

/// Parses one file; `None` (with a diagnostic) when it cannot be read as its kind.
pub fn parse<'a>(src: &'a SourceFile, kind: FileKind, out: &mut Facts) -> Option<TfFile<'a>> {
    let text = src.text_or_report(out)?;
    let content = if src.rel.to_ascii_lowercase().ends_with(".json") {
        Content::JsonVars(parse_json_vars(src, text, out)?)
    } else {
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => Content::Hcl(body),
            Err(e) => {
                let at = e.location().offset().min(text.len());
                let end = (at + 1).min(text.len()).max(at);
                out.diagnostic(
                    Finding::new(
                        codes::UNPARSABLE,
                        src.location(at..end),
                        format!("not valid HCL: {}; this file was left out of its directory", first_line(e.message())),
                    )
                    .help(
                        "`terraform validate` shows the same error; until it is fixed, nothing this file declares \
                         (resources, variables, locals) is taken into account",
                    ),
                );
                return None;
            }
        }
    };
    Some(TfFile { src, kind, content })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn parse_json_vars(src: &SourceFile, text: &str, out: &mut Facts) -> Option<Vec<(String, serde_json::Value, u32)>> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.line().max(1) as u32;
            let mut location = src.line_location(line);
            location.column = e.column().max(1) as u32;
            out.diagnostic(
                Finding::new(
                    codes::UNPARSABLE,
                    location,
                    format!("not valid JSON: {e}; the variable values were not read"),
                )
                .help("a .tfvars.json file holds one JSON object whose keys are variable names"),
            );
            return None;
        }
    };
    let serde_json::Value::Object(map) = value else {
        out.diagnostic(
            Finding::new(codes::UNPARSABLE, src.line_location(1), "a .tfvars.json file must hold a JSON object")
                .help("write {\"variable_name\": value, …}"),
        );
        return None;
    };
    Some(
        map.into_iter()
            .map(|(k, v)| {
                let needle = format!("\"{k}\"");
                let line = text.find(&needle).map_or(1, |at| src.location(at..at).line);
                (k, v, line)
            })
            .collect(),
    )
}
