//! Editing a file's bytes line by line: commented-out lines under their reason, added lines at
//! the end, everything else as it was (line endings included).

use super::Edit;
use crate::knowledge::Profile;
use std::collections::BTreeMap;

/// How wide the explanation comments are wrapped (the project's code width).
const WIDTH: usize = 100;

pub fn line_count(original: &[u8]) -> u32 {
    if original.is_empty() {
        return 0;
    }
    original.split(|&b| b == b'\n').count() as u32 - u32::from(original.ends_with(b"\n"))
}

/// `# valkey-migrate: …` wrapped, each line at `indent`.
fn comment(reason: &str, indent: usize, eol: &[u8]) -> Vec<u8> {
    wrapped("# valkey-migrate:", reason, indent, eol)
}

/// `text` as comment lines starting with `first`, wrapped at `WIDTH`.
fn wrapped(first: &str, text: &str, indent: usize, eol: &[u8]) -> Vec<u8> {
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    let mut line = format!("{pad}{first}");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > WIDTH && line.len() > indent + 2 {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(eol);
            line = format!("{pad}#  ");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(eol);
    out
}

/// A value as a config line writes it: `""` when empty, quoted when it holds blanks or quotes.
fn value_text(target: &Profile, name: &str, value: &str) -> String {
    let multi = target.config(name).is_some_and(|c| c.multi_arg);
    if value.is_empty() {
        "\"\"".into()
    } else if !multi && value.bytes().any(|b| b.is_ascii_whitespace() || b == b'"' || b == b'\'') {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_string()
    }
}

pub fn apply(
    original: &[u8],
    edits: &BTreeMap<u32, Edit>,
    added: &[(String, String, String)],
    target: &Profile,
) -> Vec<u8> {
    let crlf = original.windows(2).any(|w| w == b"\r\n");
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(original.len() + 256);
    let mut previous: Option<&str> = None;
    for (i, raw) in original.split_inclusive(|&b| b == b'\n').enumerate() {
        let n = i as u32 + 1;
        let Some(edit) = edits.get(&n) else {
            out.extend_from_slice(raw);
            previous = None;
            continue;
        };
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let ending = &raw[body.len()..];
        if previous != Some(edit.reason.as_str()) {
            out.extend(comment(&format!("{} ({})", edit.reason, edit.code), edit.indent, eol));
        }
        let (pad, content) = body.split_at(body.iter().take(edit.indent).take_while(|b| **b == b' ').count());
        out.extend_from_slice(pad);
        out.extend_from_slice(b"# ");
        out.extend_from_slice(content);
        out.extend_from_slice(if ending.is_empty() { b"" } else { ending });
        previous = Some(edit.reason.as_str());
    }
    if !added.is_empty() {
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(eol);
        out.extend(comment(
            &format!(
                "defaults that change on {}, set to the values the server used before so that nothing changes \
                 with the move; delete a line to take {}'s default. (CFG004)",
                target.display_name(),
                target.display_name()
            ),
            0,
            eol,
        ));
        let mut last_reason = "";
        for (name, value, reason) in added {
            if reason != last_reason {
                out.extend(wrapped("# -", reason, 0, eol));
                last_reason = reason;
            }
            out.extend_from_slice(format!("{name} {}", value_text(target, name, value)).as_bytes());
            out.extend_from_slice(eol);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_wrap_at_the_indentation() {
        let c = String::from_utf8(comment(&"word ".repeat(40), 2, b"\n")).unwrap();
        assert!(c.lines().all(|l| l.starts_with("  #") && l.len() <= WIDTH), "{c}");
        assert!(c.starts_with("  # valkey-migrate: word"));
    }

    #[test]
    fn line_counts() {
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
        assert_eq!(line_count(b""), 0);
    }
}
