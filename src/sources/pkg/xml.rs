//! A small XML element tree with byte spans, over quick-xml events (pom.xml, *.csproj,
//! Directory.Packages.props, packages.config). Text and attribute values keep their spans so
//! a finding can point at the `<version>` text or the `Version="…"` value itself.

use quick_xml::Reader;
use quick_xml::events::Event;
use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub span: Range<usize>,
    pub attrs: Vec<(String, String, Range<usize>)>,
    pub text: String,
    pub text_span: Range<usize>,
    pub children: Vec<Element>,
}

#[derive(Debug)]
pub struct XmlError {
    pub offset: usize,
    pub message: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// A case-insensitive attribute (MSBuild does not care about case).
    pub fn attr(&self, name: &str) -> Option<(&str, Range<usize>)> {
        self.attrs.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(name)).map(|(_, v, s)| (v.as_str(), s.clone()))
    }

    pub fn child_text(&self, name: &str) -> Option<(&str, Range<usize>)> {
        self.child(name).map(|c| (c.text.trim(), c.text_span.clone()))
    }

    /// Every element at `path` below this one (`dependencies/dependency`).
    pub fn at<'a>(&'a self, path: &[&str]) -> Vec<&'a Element> {
        let mut cur = vec![self];
        for p in path {
            cur = cur.into_iter().flat_map(|e| e.children.iter().filter(move |c| c.name == *p)).collect();
        }
        cur
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// Parses the whole document and returns its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| XmlError { offset: reader.error_position() as usize, message: e.to_string() })?;
        let after = reader.buffer_position() as usize;
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let is_empty = after >= 2 && text.as_bytes().get(after - 2) == Some(&b'/');
                let raw = &text[before..after];
                let mut el = Element { name: local(e.name().as_ref()), span: before..after, ..Default::default() };
                for a in e.attributes().with_checks(false).flatten() {
                    let key = local(a.key.as_ref());
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let span = attr_span(raw, &key).map_or(before..after, |r| before + r.start..before + r.end);
                    el.attrs.push((key, value, span));
                }
                if is_empty {
                    attach(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(XmlError { offset: before, message: "closing tag without an opening tag".into() });
                };
                el.span.end = after;
                attach(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let raw = &text[before..after];
                    let decoded = t.xml10_content().to_string();
                    let lead = raw.len() - raw.trim_start().len();
                    top.text_span = before + lead..before + raw.trim_end().len();
                    top.text.push_str(&decoded);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                    top.text_span = before..after;
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.into_inner().to_string();
                    top.text.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError { offset: open.span.start, message: format!("<{}> is never closed", open.name) });
    }
    root.ok_or(XmlError { offset: 0, message: "no root element".into() })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => {
            if root.is_none() {
                *root = Some(el);
            }
        }
    }
}

/// The span of an attribute's value inside a raw start tag.
fn attr_span(raw: &str, key: &str) -> Option<Range<usize>> {
    let lower = raw.to_ascii_lowercase();
    let key = key.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&key) {
        let at = from + i;
        let rest = &raw[at + key.len()..];
        let trimmed = rest.trim_start();
        if let Some(after_eq) = trimmed.strip_prefix('=') {
            let value = after_eq.trim_start();
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let start = raw.len() - value.len() + 1;
                let end = start + value[1..].find(quote)?;
                return Some(start..end);
            }
        }
        from = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_text_and_attributes() {
        let t = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"StackExchange.Redis\" Version=\"2.8.0\" />\n  </ItemGroup>\n  <v> 1.2 </v>\n</Project>";
        let root = parse(t).unwrap();
        let pr = &root.at(&["ItemGroup", "PackageReference"])[0];
        let (v, span) = pr.attr("version").unwrap();
        assert_eq!((v, &t[span]), ("2.8.0", "2.8.0"));
        let (text, span) = root.child_text("v").unwrap();
        assert_eq!((text, &t[span]), ("1.2", "1.2"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
    }
}
