//! Names and descriptions of the copies the generator writes, as expressions built from the
//! user's own expression: `"${local.name}-params"` becomes `"${local.name}-params-valkey9"`,
//! never the value it resolves to in the one workspace that was read (a literal would be wrong
//! in every other environment, and would rename the group there).

use super::writer::quote;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::template::Element;

/// Family names as they appear inside parameter-group names, longest first so that
/// `memorydb-redis7` wins over `redis7` and `redis7` over `redis`.
const OLD_FAMILY_TOKENS: &[&str] = &[
    "memorydb-redis7",
    "memorydb_redis7",
    "redis6-x",
    "redis6.x",
    "redis5.0",
    "redis5-0",
    "redis4.0",
    "redis7",
    "redis",
];

/// `sessions-redis7` → `sessions-valkey9`; a name without the old family gets the new one as a
/// suffix (`sessions` → `sessions-valkey9`).
pub fn renamed(name: &str, family: &str) -> String {
    let dashed = dashed(family);
    match last_token(name) {
        Some((at, len)) => format!("{}{dashed}{}", &name[..at], &name[at + len..]),
        None => format!("{name}-{dashed}"),
    }
}

/// The expression of a copy's name, from the expression of the original's name (as written).
pub fn renamed_expr(expr: &str, family: &str) -> String {
    let expr = expr.trim();
    match expr.parse::<Expression>() {
        Ok(Expression::String(s)) => quote(&renamed(s.value(), family)),
        Ok(Expression::StringTemplate(t)) => {
            // The old family in a literal part is replaced in place; otherwise the new family is
            // appended before the closing quote. Interpolations are never touched.
            let elements: Vec<&Element> = t.iter().collect();
            let literal = elements.iter().rev().find_map(|e| match e {
                Element::Literal(l) => {
                    let span = l.span()?;
                    last_token(&expr[span.clone()]).map(|(at, len)| (span.start + at, len))
                }
                _ => None,
            });
            match literal {
                Some((at, len)) => format!("{}{}{}", &expr[..at], dashed(family), &expr[at + len..]),
                None => format!("{}-{}\"", &expr[..expr.len() - 1], dashed(family)),
            }
        }
        _ => wrapped(expr, &format!("-{}", dashed(family))),
    }
}

/// The expression of a text with `suffix` appended (`"Sessions"` → `"Sessions (Valkey)"`).
pub fn suffixed_expr(expr: &str, suffix: &str) -> String {
    let expr = expr.trim();
    match expr.parse::<Expression>() {
        Ok(Expression::String(s)) => quote(&format!("{}{suffix}", s.value())),
        Ok(Expression::StringTemplate(_)) => {
            format!("{}{}\"", &expr[..expr.len() - 1], quote(suffix).trim_matches('"'))
        }
        _ => wrapped(expr, suffix),
    }
}

/// Any other expression: interpolated into a template with the suffix after it. A multi-line
/// expression (a heredoc) cannot sit inside a quoted template, so it goes through `format`.
fn wrapped(expr: &str, suffix: &str) -> String {
    let escaped = quote(suffix);
    if expr.contains('\n') {
        // A heredoc's closing marker must end its line.
        format!("format(\"%s{}\", chomp({expr}\n))", escaped.trim_matches('"').replace('%', "%%"))
    } else {
        format!("\"${{{expr}}}{}\"", escaped.trim_matches('"'))
    }
}

fn dashed(family: &str) -> String {
    family.replace(['.', '_'], "-")
}

/// The byte offset and length of the last old-family token in `text`.
fn last_token(text: &str) -> Option<(usize, usize)> {
    // Longest token first at the rightmost position: `…-memorydb-redis7` is one token.
    let mut best: Option<(usize, usize)> = None;
    for t in OLD_FAMILY_TOKENS {
        if let Some(at) = text.rfind(t) {
            let better = match best {
                None => true,
                Some((b_at, b_len)) => at + t.len() > b_at + b_len || (at + t.len() == b_at + b_len && t.len() > b_len),
            };
            if better {
                best = Some((at, t.len()));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_expressions() {
        let cases = [
            // A template: the family goes inside it, before the closing quote.
            (r#""${local.name}-params""#, "memorydb_valkey7", r#""${local.name}-params-memorydb-valkey7""#),
            (r#""${local.name}-params""#, "valkey9", r#""${local.name}-params-valkey9""#),
            // The old family in a literal part is replaced, wherever it sits.
            (r#""${var.env}-sessions-redis7""#, "valkey9", r#""${var.env}-sessions-valkey9""#),
            (r#""redis7-${var.env}""#, "valkey8", r#""valkey8-${var.env}""#),
            (r#""${var.env}-memorydb-redis7""#, "memorydb_valkey7", r#""${var.env}-memorydb-valkey7""#),
            // ... but never inside an interpolation.
            (r#""${var.redis7_name}-x""#, "valkey9", r#""${var.redis7_name}-x-valkey9""#),
            (r#""${lookup(var.m, "redis7")}""#, "valkey9", r#""${lookup(var.m, "redis7")}-valkey9""#),
            // A plain string.
            (r#""sessions-redis7""#, "valkey9", r#""sessions-valkey9""#),
            (r#""sessions""#, "valkey9", r#""sessions-valkey9""#),
            // Any other expression is interpolated.
            ("local.name", "valkey9", r#""${local.name}-valkey9""#),
            (r#"format("%s-pg", var.env)"#, "valkey9", r#""${format("%s-pg", var.env)}-valkey9""#),
        ];
        for (expr, family, want) in cases {
            assert_eq!(renamed_expr(expr, family), want, "{expr}");
            // What is written parses as one expression.
            want.parse::<Expression>().unwrap_or_else(|e| panic!("{want}: {e}"));
        }
    }

    #[test]
    fn descriptions_keep_their_expressions() {
        assert_eq!(suffixed_expr(r#""Sessions""#, " (Valkey)"), r#""Sessions (Valkey)""#);
        assert_eq!(suffixed_expr(r#""Cache for ${var.env}""#, " (Valkey)"), r#""Cache for ${var.env} (Valkey)""#);
        assert_eq!(suffixed_expr("var.description", " (Valkey)"), r#""${var.description} (Valkey)""#);
        let heredoc = "<<EOT\nSessions\nEOT";
        let out = suffixed_expr(heredoc, " (Valkey)");
        assert_eq!(out, "format(\"%s (Valkey)\", chomp(<<EOT\nSessions\nEOT\n))");
        hcl::parse(&format!("x = {out}\n")).unwrap();
    }

    #[test]
    fn the_longest_family_token_wins() {
        assert_eq!(renamed("ledger-memorydb-redis7", "memorydb_valkey7"), "ledger-memorydb-valkey7");
        assert_eq!(renamed("app-redis6.x", "valkey8"), "app-valkey8");
        assert_eq!(renamed("redis-cache", "valkey9"), "valkey9-cache");
    }
}
