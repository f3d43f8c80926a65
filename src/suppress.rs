//! `valkey-migrate: ignore[CODE, …]` comments: silence findings on the same line or the
//! line below, and report the comments that silence nothing.

use crate::findings::Finding;
use crate::location::Location;
use crate::scan::codes;
use crate::sources::SourceFile;
use std::collections::HashMap;

const MARKER: &[u8] = b"valkey-migrate:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub location: Location,
    /// Upper-cased codes or prefixes; empty means every code.
    pub codes: Vec<String>,
}

/// Records every suppression comment in a file. Any comment syntax works (`#`, `//`, `--`),
/// since the marker is unusual enough not to appear by accident.
pub fn collect(src: &SourceFile, out: &mut Vec<Suppression>) {
    let bytes = src.bytes();
    for at in memchr::memmem::find_iter(bytes, MARKER) {
        let rest = &bytes[at + MARKER.len()..];
        let rest_trimmed = rest.iter().position(|b| !matches!(b, b' ' | b'\t')).map_or(&rest[..0], |p| &rest[p..]);
        let Some(after) = rest_trimmed.strip_prefix(b"ignore") else {
            continue;
        };
        let (codes, len) = if let Some(list) = after.strip_prefix(b"[") {
            let Some(close) = list.iter().position(|&b| b == b']' || b == b'\n') else {
                continue;
            };
            if list[close] != b']' {
                continue;
            }
            let codes = String::from_utf8_lossy(&list[..close])
                .split(',')
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>();
            (codes, "ignore[".len() + close + 1)
        } else {
            (Vec::new(), "ignore".len())
        };
        let consumed = MARKER.len() + (rest.len() - rest_trimmed.len()) + len;
        out.push(Suppression { location: src.location(at..at + consumed), codes });
    }
}

fn matches(s: &Suppression, code: &str) -> bool {
    s.codes.is_empty() || s.codes.iter().any(|c| code.starts_with(c.as_str()))
}

/// Removes suppressed findings; returns how many were removed and a finding for each
/// suppression that matched nothing.
pub fn apply(findings: &mut Vec<Finding>, suppressions: &[Suppression]) -> (usize, Vec<Finding>) {
    let mut by_file: HashMap<&str, Vec<(usize, &Suppression)>> = HashMap::new();
    for (i, s) in suppressions.iter().enumerate() {
        by_file.entry(s.location.file.as_str()).or_default().push((i, s));
    }
    let mut used = vec![false; suppressions.len()];
    let before = findings.len();
    findings.retain(|f| {
        let Some(list) = by_file.get(f.location.file.as_str()) else {
            return true;
        };
        let line = f.location.line;
        let mut hit = false;
        for &(i, s) in list {
            let applies = s.location.line == line || s.location.line + 1 == line;
            if applies && matches(s, &f.code) {
                used[i] = true;
                hit = true;
            }
        }
        !hit
    });
    let removed = before - findings.len();
    let unused = suppressions
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(s, _)| {
            let what = if s.codes.is_empty() { "any finding".to_string() } else { s.codes.join(", ") };
            Finding::new(
                codes::UNUSED_SUPPRESSION,
                s.location.clone(),
                format!("suppression comment for {what} matches no finding on this line or the next"),
            )
            .help("remove the comment, or fix the code in it")
            .fingerprint(what)
        })
        .collect();
    (removed, unused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers_in_any_comment_style() {
        let src = SourceFile::from_bytes(
            "a.conf",
            b"# valkey-migrate: ignore[cfg001, SEC]\nport 1\n// valkey-migrate:ignore\nx // valkey-migrate: ignore[\nvalkey-migrate: other\n".to_vec(),
        );
        let mut out = Vec::new();
        collect(&src, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].codes, ["CFG001", "SEC"]);
        assert_eq!((out[0].location.line, out[0].location.column), (1, 3));
        assert!(out[1].codes.is_empty());
        assert_eq!(out[1].location.line, 3);
    }

    #[test]
    fn applies_to_same_and_next_line_and_reports_unused() {
        let s = |line, codes: &[&str]| Suppression {
            location: Location { line, end_line: line, ..Location::file_only("a.conf") },
            codes: codes.iter().map(|c| c.to_string()).collect(),
        };
        let f = |line, code: &str| {
            Finding::new(code, Location { line, end_line: line, ..Location::file_only("a.conf") }, "m")
        };
        let mut findings = vec![f(2, "CFG001"), f(2, "SEC001"), f(5, "CFG002"), f(9, "CFG001")];
        let sups = [s(1, &["CFG001"]), s(5, &["CFG"]), s(7, &["DEP"])];
        let (removed, unused) = apply(&mut findings, &sups);
        assert_eq!(removed, 2);
        assert_eq!(findings.iter().map(|f| f.location.line).collect::<Vec<_>>(), [2, 9]);
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].location.line, 7);
    }
}
