//! A JSON reader that keeps the byte span of every key and value. Lock files must point at
//! the line of each package, and serde_json forgets positions; this reader is built for the
//! 30 MB `package-lock.json` of a monorepo: one pass, strings borrowed unless escaped.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Key<'a>, Node<'a>)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub start: usize,
    pub end: usize,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key<'a> {
    pub start: usize,
    pub end: usize,
    pub name: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub offset: usize,
    pub message: String,
}

impl<'a> Node<'a> {
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Object(m) => m.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key and its value, for pointing at the line where a key is written.
    pub fn entry(&self, key: &str) -> Option<(&Key<'a>, &Node<'a>)> {
        match &self.value {
            Value::Object(m) => m.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Key<'a>, Node<'a>)]> {
        match &self.value {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// A short name of the value's type, for diagnostics ("expected an object, found …").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl Key<'_> {
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

const MAX_DEPTH: usize = 256;

pub fn parse(text: &str) -> Result<Node<'_>, Error> {
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, m: &str) -> Error {
        Error { offset: self.i.min(self.b.len()), message: m.to_string() }
    }

    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting is too deep"));
        }
        let start = self.i;
        let value = match self.b.get(self.i) {
            None => return Err(self.err("unexpected end of file")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a value")),
        };
        Ok(Node { start, end: self.i, value })
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, Error> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Value<'a>, Error> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i > s
        };
        if !digits(self) {
            return Err(self.err("invalid number"));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err("invalid number"));
            }
        }
        Ok(Value::Number(&self.s[start..self.i]))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.i += 1;
        let start = self.i;
        let Some(off) = memchr::memchr2(b'"', b'\\', &self.b[self.i..]) else {
            return Err(self.err("unterminated string"));
        };
        if self.b[self.i + off] == b'"' {
            let s = &self.s[start..start + off];
            if s.bytes().any(|c| c < 0x20) {
                self.i = start + s.bytes().position(|c| c < 0x20).unwrap();
                return Err(self.err("control character in a string"));
            }
            self.i += off + 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::from(&self.s[start..start + off]);
        self.i += off;
        loop {
            match self.b.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.b.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) && self.b[self.i + 1..].starts_with(b"\\u") {
                                self.i += 2;
                                let lo = self.hex4()?;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF))
                                    .unwrap_or('\u{FFFD}')
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    out.push(c);
                    self.i += 1;
                }
                Some(&c) if c < 0x20 => return Err(self.err("control character in a string")),
                Some(_) => {
                    let rest = &self.b[self.i..];
                    let n = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                    out.push_str(&self.s[self.i..self.i + n]);
                    self.i += n;
                }
            }
        }
    }

    /// Reads the four hex digits after `\u`, leaving `i` on the last one.
    fn hex4(&mut self) -> Result<u32, Error> {
        let h = self.b.get(self.i + 1..self.i + 5).ok_or_else(|| self.err("invalid \\u escape"))?;
        let s = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a key in double quotes"));
            }
            let kstart = self.i;
            let name = self.string()?;
            let key = Key { start: kstart, end: self.i, name };
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err("expected `:` after the key"));
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_serde(n: &Node) -> serde_json::Value {
        match &n.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(s) => serde_json::from_str(s).unwrap(),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde).collect()),
            Value::Object(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.name.to_string(), to_serde(v))).collect())
            }
        }
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "{\n  \"a\": {\"version\": \"1.2.3\"},\n  \"esc\\u00e9\": [1, -2.5e3, true, null]\n}";
        let root = parse(text).unwrap();
        let (k, v) = root.entry("a").unwrap();
        assert_eq!(&text[k.span()], "\"a\"");
        assert_eq!(&text[v.get("version").unwrap().span()], "\"1.2.3\"");
        assert_eq!(root.get("escé").unwrap().as_array().unwrap().len(), 4);
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(parse("{\"a\": }").unwrap_err().offset, 6);
        assert_eq!(parse("{\"a\": 1,}").unwrap_err().offset, 8);
        assert!(parse("[1, 2").is_err());
        assert!(parse("\"abc").is_err());
        assert!(parse("{} x").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|n| serde_json::json!(n)),
            "\\PC{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json(v in arb_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
            let parsed = parse(&text).unwrap();
            prop_assert_eq!(to_serde(&parsed), v);
        }

        #[test]
        fn never_panics(s in "\\PC{0,64}") {
            let _ = parse(&s);
        }
    }
}
