//! Writes HCL the way `terraform fmt` leaves it: two-space indentation, `=` aligned across a
//! run of single-line arguments, one blank line between nested blocks and between top-level
//! blocks, LF line endings and a final newline.

use serde_json::Value;

/// An argument's value: a literal we write, or an expression copied verbatim from the user's
/// configuration (its references stay valid because it stays in the same directory).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    Raw(String),
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// Comment lines written above the block (without `# `).
    pub comments: Vec<String>,
    pub attrs: Vec<(String, Expr)>,
    pub blocks: Vec<Block>,
}

impl Block {
    pub fn new(ident: &str, labels: &[&str]) -> Self {
        Block { ident: ident.into(), labels: labels.iter().map(|l| l.to_string()).collect(), ..Default::default() }
    }

    pub fn attr(mut self, key: &str, value: Expr) -> Self {
        self.attrs.push((key.into(), value));
        self
    }

    pub fn string(self, key: &str, value: &str) -> Self {
        self.attr(key, Expr::Literal(Value::String(value.into())))
    }
}

/// A whole file: a header comment, then the blocks.
pub fn file(header: &[String], blocks: &[Block]) -> String {
    let mut out = String::new();
    for line in header {
        push_comment(&mut out, "", line);
    }
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 || !header.is_empty() {
            out.push('\n');
        }
        write_block(&mut out, b, 0);
    }
    out
}

fn push_comment(out: &mut String, indent: &str, line: &str) {
    if line.is_empty() {
        out.push_str(indent);
        out.push_str("#\n");
    } else {
        out.push_str(&format!("{indent}# {line}\n"));
    }
}

fn write_block(out: &mut String, b: &Block, depth: usize) {
    let indent = "  ".repeat(depth);
    for c in &b.comments {
        push_comment(out, &indent, c);
    }
    out.push_str(&indent);
    out.push_str(&b.ident);
    for l in &b.labels {
        out.push_str(&format!(" {}", quote(l)));
    }
    out.push_str(" {\n");
    write_attrs(out, &b.attrs, depth + 1);
    for (i, nested) in b.blocks.iter().enumerate() {
        if i > 0 || !b.attrs.is_empty() {
            out.push('\n');
        }
        write_block(out, nested, depth + 1);
    }
    out.push_str(&indent);
    out.push_str("}\n");
}

/// `terraform fmt` aligns `=` over a run of arguments whose values fit on one line; an
/// argument with a multi-line value stands alone (`key = [`, unpadded) and ends the run.
fn write_attrs(out: &mut String, attrs: &[(String, Expr)], depth: usize) {
    let indent = "  ".repeat(depth);
    let rendered: Vec<(String, String)> = attrs.iter().map(|(k, v)| (key(k), render(v, depth))).collect();
    let mut i = 0;
    while i < rendered.len() {
        if rendered[i].1.contains('\n') {
            out.push_str(&format!("{indent}{} = {}\n", rendered[i].0, rendered[i].1));
            i += 1;
            continue;
        }
        let mut j = i;
        while j < rendered.len() && !rendered[j].1.contains('\n') {
            j += 1;
        }
        let width = rendered[i..j].iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, v) in &rendered[i..j] {
            out.push_str(&format!("{indent}{k:<width$} = {v}\n"));
        }
        i = j;
    }
}

fn key(k: &str) -> String {
    if is_identifier(k) { k.to_string() } else { quote(k) }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn render(v: &Expr, depth: usize) -> String {
    match v {
        Expr::Raw(s) => s.clone(),
        Expr::Literal(v) => literal(v, depth),
    }
}

fn literal(v: &Value, depth: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            format!("[{}]", items.iter().map(|i| literal(i, depth)).collect::<Vec<_>>().join(", "))
        }
        Value::Array(items) => {
            let inner = "  ".repeat(depth + 1);
            let mut s = String::from("[\n");
            for item in items {
                s.push_str(&format!("{inner}{},\n", literal(item, depth + 1)));
            }
            s.push_str(&"  ".repeat(depth));
            s.push(']');
            s
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let attrs: Vec<(String, Expr)> = map.iter().map(|(k, v)| (k.clone(), Expr::Literal(v.clone()))).collect();
            let mut s = String::from("{\n");
            write_attrs(&mut s, &attrs, depth + 1);
            s.push_str(&"  ".repeat(depth));
            s.push('}');
            s
        }
    }
}

/// A quoted HCL string; `${` and `%{` are escaped so nothing is interpolated.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_align_and_blocks_are_separated() {
        let b = Block::new("resource", &["aws_x", "y"])
            .string("engine", "valkey")
            .string("engine_version", "8.0")
            .attr("list", Expr::Literal(json!([{"name": "a", "value": "1"}])));
        let mut p = Block::new("parameter", &[]);
        p.attrs.push(("name".into(), Expr::Raw("var.x".into())));
        let mut b = b;
        b.blocks.push(p.clone());
        b.blocks.push(p);
        let text = file(&[], &[b]);
        assert_eq!(
            text,
            "resource \"aws_x\" \"y\" {\n  engine         = \"valkey\"\n  engine_version = \"8.0\"\n  list = [\n    {\n      name  = \"a\"\n      value = \"1\"\n    },\n  ]\n\n  parameter {\n    name = var.x\n  }\n\n  parameter {\n    name = var.x\n  }\n}\n"
        );
    }

    #[test]
    fn strings_never_interpolate() {
        assert_eq!(quote("a\"b${c}%{d}\\"), "\"a\\\"b$${c}%%{d}\\\\\"");
    }
}
