//! Where a fact or a finding sits in the scanned tree.
//!
//! Every parser records byte spans at parse time; this module turns them into the 1-based
//! line/column pairs that every output format needs. Columns count Unicode scalar values
//! (SARIF `columnKind: unicodeCodePoints`), so a multi-byte character is one column.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The folder of a path relative to the scan root (`""` for a file at the root).
pub fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `dir/rel` with `.` and `..` resolved, both relative to the scan root; `None` when the result
/// climbs above the root.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A span in one file, relative to the scan root, with `/` separators on every platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// Byte offsets `[start, end)` into the file, for snippets and rewrites.
    #[serde(default, skip_serializing_if = "is_empty_span")]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

fn is_empty_span(s: &Span) -> bool {
    s.start == 0 && s.end == 0
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span { start: r.start, end: r.end }
    }
}

impl Span {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl Location {
    /// A location that names a whole file (line 1, column 1) — for facts about a file as such.
    pub fn file_only(file: impl Into<String>) -> Self {
        Location { file: file.into(), line: 1, column: 1, end_line: 1, end_column: 1, span: Span::default() }
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    pub fn display(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Offsets of line starts, built once per file, so that turning a byte offset into a line
/// is a binary search rather than a rescan.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column of `offset`; offsets past the end clamp to the end.
    pub fn position(&self, text: &[u8], offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let line_start = self.starts[line];
        let column = count_chars(&text[line_start..offset]) + 1;
        (line as u32 + 1, column as u32)
    }

    /// Byte range of 1-based `line`, without its line terminator.
    pub fn line_range(&self, text: &[u8], line: u32) -> Option<Range<usize>> {
        let idx = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(idx)?;
        if start > text.len() {
            return None;
        }
        let mut end = self.starts.get(idx + 1).map_or(text.len(), |&next| next - 1);
        if end > start && text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset of the start of 1-based `line` (clamped to the last line).
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        self.starts[idx]
    }
}

fn count_chars(bytes: &[u8]) -> usize {
    // Count bytes that are not UTF-8 continuation bytes; invalid sequences still advance.
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd\r\nxyz".as_bytes();
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 2), (1, 3));
        assert_eq!(idx.position(text, 3), (2, 1));
        // 'ç' is two bytes but one column.
        assert_eq!(idx.position(text, 5), (2, 2));
        assert_eq!(idx.position(text, 8), (3, 1));
        assert_eq!(idx.position(text, 100), (3, 4));
        assert_eq!(&text[idx.line_range(text, 2).unwrap()], "çd".as_bytes());
        assert_eq!(idx.line_range(text, 4), None);
    }
}
