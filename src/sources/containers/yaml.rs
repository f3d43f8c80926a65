//! YAML as the container parsers need it: a plain tree of scalars (kept as written, so `7.0`
//! stays `7.0`), sequences and mappings, each node with its line and column, built from
//! `saphyr-parser` events. Anchors and aliases are resolved; merge keys (`<<: *base`, common
//! in compose files) are honoured by `get`.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub enum Value {
    Scalar(String, ScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    /// 1-based line of the node's first character.
    pub line: u32,
    /// 1-based column (in characters) of the node's first character.
    pub col: u32,
}

/// How many nodes alias expansion may create before the file is refused ("billion laughs").
const MAX_NODES: usize = 1_000_000;

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A scalar that is neither null nor empty.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) if s.trim().is_empty() => None,
            Value::Scalar(s, ScalarStyle::Plain) if s == "~" || s == "null" || s == "Null" || s == "NULL" => None,
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn is_block_scalar(&self) -> bool {
        matches!(&self.value, Value::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded))
    }

    pub fn seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The value under `key`, looking through merge keys (`<<`) when the mapping itself does
    /// not have it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let entries = self.entries();
        if let Some((_, v)) = entries.iter().find(|(k, _)| k.as_str() == Some(key)) {
            return Some(v);
        }
        for (k, v) in entries {
            if k.as_str() != Some("<<") {
                continue;
            }
            let found = match &v.value {
                Value::Map(_) => v.get(key),
                Value::Seq(items) => items.iter().find_map(|m| m.get(key)),
                Value::Scalar(..) => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// `get` along a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Mapping entries with scalar keys, merge keys expanded (own entries win).
    pub fn pairs(&self) -> Vec<(&str, &Node)> {
        let mut out: Vec<(&str, &Node)> = Vec::new();
        for (k, v) in self.entries() {
            match k.as_str() {
                Some("<<") => {}
                Some(key) => out.push((key, v)),
                None => {}
            }
        }
        for (k, v) in self.entries() {
            if k.as_str() == Some("<<") {
                let bases: Vec<&Node> = match &v.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![v],
                };
                for base in bases {
                    for (key, value) in base.pairs() {
                        if !out.iter().any(|(k, _)| *k == key) {
                            out.push((key, value));
                        }
                    }
                }
            }
        }
        out
    }
}

/// A YAML error with where the parser stopped.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

enum Frame {
    Seq(Vec<Node>, u32, u32, usize),
    Map(Vec<(Node, Node)>, Option<Node>, u32, u32, usize),
}

/// Every document of a stream. Documents read before an error are kept; the error says where
/// reading stopped.
pub fn parse(text: &str) -> (Vec<Node>, Option<YamlError>) {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut created = 0usize;
    let error = |e: ScanError| YamlError {
        message: e.info().to_string(),
        line: e.marker().line() as u32,
        col: e.marker().col() as u32 + 1,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(e) => return (docs, Some(error(e))),
        };
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        let finished: Option<(Node, usize)> = match event {
            Event::DocumentStart(_) => {
                stack.clear();
                root = None;
                None
            }
            Event::DocumentEnd => {
                if let Some(r) = root.take() {
                    docs.push(r);
                }
                None
            }
            Event::StreamEnd => break,
            Event::Scalar(value, style, anchor, _) => {
                created += 1;
                Some((Node { value: Value::Scalar(value.into_owned(), style), line, col }, anchor))
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => {
                    created += count(node);
                    if created > MAX_NODES {
                        let message = "too many aliases: the document expands beyond a million nodes".into();
                        return (docs, Some(YamlError { message, line, col }));
                    }
                    Some((node.clone(), 0))
                }
                None => {
                    let message = format!("unknown alias (anchor {id} is not defined before it)");
                    return (docs, Some(YamlError { message, line, col }));
                }
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), line, col, anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(Vec::new(), None, line, col, anchor));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, l, c, anchor)) => {
                    created += 1;
                    Some((Node { value: Value::Seq(items), line: l, col: c }, anchor))
                }
                Some(Frame::Map(entries, _, l, c, anchor)) => {
                    created += 1;
                    Some((Node { value: Value::Map(entries), line: l, col: c }, anchor))
                }
                None => None,
            },
            Event::StreamStart | Event::Nothing => None,
        };
        let Some((node, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(node),
            },
            None => root = Some(node),
        }
    }
    if let Some(r) = root.take() {
        docs.push(r);
    }
    (docs, None)
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar(..) => 0,
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_text_and_position() {
        let (docs, err) = parse("a:\n  tag: 7.0\n  b: \"x\"\n");
        assert!(err.is_none());
        let tag = docs[0].path(&["a", "tag"]).unwrap();
        assert_eq!((tag.as_str(), tag.line, tag.col), (Some("7.0"), 2, 8));
        assert_eq!(docs[0].path(&["a", "b"]).unwrap().as_str(), Some("x"));
    }

    #[test]
    fn multi_document_streams_and_merge_keys() {
        let text = "x-base: &base\n  image: redis:7\n  cpus: 1\n---\nkind: Pod\n---\nsvc:\n  <<: *base\n  cpus: 2\n";
        let (docs, err) = parse(text);
        assert!(err.is_none());
        assert_eq!(docs.len(), 3);
        let svc = docs[2].get("svc").unwrap();
        assert_eq!(svc.get("image").unwrap().as_str(), Some("redis:7"));
        assert_eq!(svc.get("cpus").unwrap().as_str(), Some("2"));
        let keys: Vec<_> = svc.pairs().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["cpus", "image"]);
    }

    #[test]
    fn errors_keep_earlier_documents() {
        let (docs, err) = parse("a: 1\n---\nb: [1, 2\n");
        assert_eq!(docs.len(), 1);
        let err = err.unwrap();
        assert!(err.line >= 3, "{err:?}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            text.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let (_, err) = parse(&text);
        assert!(err.unwrap().message.contains("too many aliases"));
    }
}
