//! A small YAML tree built from `saphyr-parser` events, keeping the position of every node
//! (pnpm-lock.yaml and yarn berry lock files need a line per package). Only what lock files
//! use: mappings, sequences, scalars; anchors are rare there and aliases read as empty.

use crate::location::Location;
use crate::sources::SourceFile;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 0-based column in characters.
    pub col: u32,
}

#[derive(Debug, Clone)]
pub enum YValue<'a> {
    Scalar(Cow<'a, str>, bool),
    Map(Vec<(YNode<'a>, YNode<'a>)>),
    Seq(Vec<YNode<'a>>),
    Alias,
}

#[derive(Debug, Clone)]
pub struct YNode<'a> {
    pub start: Pos,
    pub end: Pos,
    pub value: YValue<'a>,
}

#[derive(Debug, Clone)]
pub struct YamlError {
    pub at: Pos,
    pub message: String,
}

impl<'a> YNode<'a> {
    pub fn get(&self, key: &str) -> Option<&YNode<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn entry(&self, key: &str) -> Option<(&YNode<'a>, &YNode<'a>)> {
        match &self.value {
            YValue::Map(m) => m.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YValue::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(YNode<'a>, YNode<'a>)]> {
        match &self.value {
            YValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[YNode<'a>]> {
        match &self.value {
            YValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn location(&self, src: &SourceFile) -> Location {
        let a = offset(src, self.start);
        let b = offset(src, self.end).max(a);
        // A plain scalar ends where the next token starts; trim back to the text itself.
        let text = &src.bytes()[a..b];
        let trimmed = text.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |p| p + 1);
        src.location(a..a + trimmed)
    }
}

/// Byte offset of a line/character-column position.
pub fn offset(src: &SourceFile, pos: Pos) -> usize {
    let start = src.line_index().line_start(pos.line);
    let bytes = src.bytes();
    let mut i = start;
    let mut col = 0;
    while col < pos.col && i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
        while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
            i += 1;
        }
        col += 1;
    }
    i
}

pub fn error_location(src: &SourceFile, e: &YamlError) -> Location {
    let a = offset(src, e.at);
    src.location(a..a)
}

fn pos(m: saphyr_parser::Marker) -> Pos {
    Pos { line: m.line() as u32, col: m.col() as u32 }
}

/// Every document of the stream (pnpm 11 writes several, separated by `---`).
pub fn parse_documents(text: &str) -> Result<Vec<YNode<'_>>, YamlError> {
    parse_documents_skipping(text, &[])
}

/// As `parse_documents`, but the values of the named top-level keys are checked for syntax
/// and not kept (pnpm's `snapshots` repeats `packages` with peer variants: half the file).
pub fn parse_documents_skipping<'a>(text: &'a str, skip: &[&str]) -> Result<Vec<YNode<'a>>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    // Stack of open collections: (start, node under construction, pending key for maps).
    enum Open<'a> {
        Map(Pos, Vec<(YNode<'a>, YNode<'a>)>, Option<YNode<'a>>),
        Seq(Pos, Vec<YNode<'a>>),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut finished: Option<YNode> = None;
    // Set when the next value belongs to a skipped key; then the depth inside it.
    let mut skip_next = false;
    let mut skipping = 0usize;
    while let Some(ev) = parser.next_event() {
        let (ev, span): (Event, Span) =
            ev.map_err(|e| YamlError { at: pos(*e.marker()), message: e.info().to_string() })?;
        let mut placeholder = None;
        if skipping > 0 {
            match ev {
                Event::MappingStart(..) | Event::SequenceStart(..) => skipping += 1,
                Event::MappingEnd | Event::SequenceEnd => skipping -= 1,
                _ => {}
            }
            if skipping > 0 {
                continue;
            }
            // The skipped collection just closed: an empty scalar stands in for it.
            placeholder = Some(YNode {
                start: pos(span.start),
                end: pos(span.end),
                value: YValue::Scalar(Cow::Borrowed(""), true),
            });
        } else if skip_next {
            skip_next = false;
            if matches!(ev, Event::MappingStart(..) | Event::SequenceStart(..)) {
                skipping = 1;
                continue;
            }
        }
        let node = if let Some(p) = placeholder {
            p
        } else {
            match ev {
                Event::StreamEnd => break,
                Event::DocumentEnd => {
                    if let Some(n) = finished.take() {
                        docs.push(n);
                    }
                    continue;
                }
                Event::MappingStart(..) => {
                    stack.push(Open::Map(pos(span.start), Vec::new(), None));
                    continue;
                }
                Event::SequenceStart(..) => {
                    stack.push(Open::Seq(pos(span.start), Vec::new()));
                    continue;
                }
                Event::MappingEnd => match stack.pop() {
                    Some(Open::Map(start, m, _)) => YNode { start, end: pos(span.end), value: YValue::Map(m) },
                    _ => return Err(YamlError { at: pos(span.start), message: "unbalanced mapping".into() }),
                },
                Event::SequenceEnd => match stack.pop() {
                    Some(Open::Seq(start, s)) => YNode { start, end: pos(span.end), value: YValue::Seq(s) },
                    _ => return Err(YamlError { at: pos(span.start), message: "unbalanced sequence".into() }),
                },
                Event::Scalar(s, style, _, _) => YNode {
                    start: pos(span.start),
                    end: pos(span.end),
                    value: YValue::Scalar(s, style == ScalarStyle::Plain),
                },
                Event::Alias(_) => YNode { start: pos(span.start), end: pos(span.end), value: YValue::Alias },
                _ => continue,
            }
        };
        let stack_len = stack.len();
        match stack.last_mut() {
            None => finished = Some(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, m, pending)) => match pending.take() {
                None => {
                    skip_next = stack_len == 1 && node.as_str().is_some_and(|k| skip.contains(&k));
                    *pending = Some(node);
                }
                Some(k) => m.push((k, node)),
            },
        }
    }
    if let Some(n) = finished.take() {
        docs.push(n);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_keys_are_checked_but_not_kept() {
        let text = "a: 1\nsnapshots:\n  x@1:\n    dependencies:\n      y: 2\n  z@1: {}\nb: [3]\n";
        let docs = parse_documents_skipping(text, &["snapshots"]).unwrap();
        assert_eq!(docs[0].get("snapshots").and_then(YNode::as_str), Some(""));
        assert_eq!(docs[0].get("b").unwrap().as_seq().unwrap().len(), 1);
        assert_eq!(docs[0].get("a").and_then(YNode::as_str), Some("1"));
        assert!(parse_documents_skipping("snapshots:\n  x: [1,\n", &["snapshots"]).is_err());
    }

    #[test]
    fn tree_keeps_lines() {
        let text = "lockfileVersion: '9.0'\npackages:\n  ioredis@5.8.2:\n    resolution: {integrity: sha512-x}\n---\nb: [1, 2]\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        let (k, _) = docs[0].get("packages").unwrap().as_map().unwrap().first().map(|(k, v)| (k, v)).unwrap();
        assert_eq!(k.as_str(), Some("ioredis@5.8.2"));
        assert_eq!(k.start.line, 3);
        assert_eq!(docs[0].get("lockfileVersion").unwrap().as_str(), Some("9.0"));
        assert_eq!(docs[1].get("b").unwrap().as_seq().unwrap().len(), 2);
        let e = parse_documents("a: [1,\nb: c: d\n").unwrap_err();
        assert!(e.at.line >= 1);
    }
}
