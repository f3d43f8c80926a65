//! Helpers shared by the package-manager parsers: span-keeping JSON and YAML readers, and
//! the small conveniences every lock-file parser needs (diagnostics, path filters).

pub mod json;
pub mod xml;
pub mod yaml;

#[cfg(test)]
pub mod testutil;

use crate::findings::Finding;
use crate::location::Location;
use crate::scan::codes;
use crate::sources::{Facts, SourceFile};

/// Lock files inside installed or vendored trees describe someone else's project.
pub fn in_vendored_tree(rel_path: &str) -> bool {
    rel_path.split('/').rev().skip(1).any(|dir| {
        matches!(
            dir,
            "node_modules" | "vendor" | "bower_components" | ".yarn" | "site-packages" | ".venv" | "third_party"
        )
    })
}

/// Records that a file could not be read as its format, at the place of the problem.
pub fn unparsable(out: &mut Facts, location: Location, what: &str, detail: &str, help: &str) {
    out.diagnostic(Finding::new(codes::UNPARSABLE, location, format!("{what}: {detail}")).help(help.to_string()));
}

pub fn json_or_report<'a>(src: &'a SourceFile, out: &mut Facts, what: &str) -> Option<json::Node<'a>> {
    let text = src.text_or_report(out)?;
    if text.trim().is_empty() {
        unparsable(out, src.file_location(), what, "the file is empty", "regenerate it with the package manager");
        return None;
    }
    match json::parse(text) {
        Ok(n) => Some(n),
        Err(e) => {
            unparsable(
                out,
                src.location(e.offset..(e.offset + 1).min(text.len())),
                what,
                &format!("not valid JSON: {}", e.message),
                "fix the JSON syntax at the marked place or regenerate the file; nothing in it was read",
            );
            None
        }
    }
}

pub fn yaml_or_report<'a>(src: &'a SourceFile, out: &mut Facts, what: &str) -> Option<Vec<yaml::YNode<'a>>> {
    yaml_skipping_or_report(src, out, what, &[])
}

/// As `yaml_or_report`, not keeping the values of the named top-level keys.
pub fn yaml_skipping_or_report<'a>(
    src: &'a SourceFile,
    out: &mut Facts,
    what: &str,
    skip: &[&str],
) -> Option<Vec<yaml::YNode<'a>>> {
    let text = src.text_or_report(out)?;
    if text.trim().is_empty() {
        unparsable(out, src.file_location(), what, "the file is empty", "regenerate it with the package manager");
        return None;
    }
    match yaml::parse_documents_skipping(text, skip) {
        Ok(d) => Some(d),
        Err(e) => {
            unparsable(
                out,
                yaml::error_location(src, &e),
                what,
                &format!("not valid YAML: {}", e.message),
                "fix the YAML syntax at the marked place or regenerate the file; nothing in it was read",
            );
            None
        }
    }
}

/// A TOML document with spans, or a diagnostic at the first error.
pub fn toml_or_report<T: serde::de::DeserializeOwned>(src: &SourceFile, out: &mut Facts, what: &str) -> Option<T> {
    let text = src.text_or_report(out)?;
    if text.trim().is_empty() {
        unparsable(out, src.file_location(), what, "the file is empty", "regenerate it with its tool");
        return None;
    }
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let loc = e.span().map_or_else(|| src.file_location(), |s| src.location(s));
            unparsable(
                out,
                loc,
                what,
                &format!("not valid: {}", e.message().trim()),
                "fix the TOML at the marked place or regenerate the file; nothing in it was read",
            );
            None
        }
    }
}
