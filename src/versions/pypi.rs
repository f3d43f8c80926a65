//! PEP 440 through `pep440_rs`, plus Poetry's caret/tilde/bare syntax, which
//! `[tool.poetry.dependencies]` uses instead of PEP 440 specifiers.

use pep440_rs::{Version, VersionSpecifiers};
use std::str::FromStr;

pub fn parse_version(v: &str) -> Option<Version> {
    Version::from_str(v.trim()).ok()
}

#[derive(Debug, Clone)]
pub struct Specifiers(VersionSpecifiers);

impl Specifiers {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pep440 = to_pep440(text)?;
        VersionSpecifiers::from_str(&pep440)
            .map(Specifiers)
            .map_err(|e| format!("'{text}' is not a PEP 440 specifier: {e}"))
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.0.contains(v)
    }

    pub fn exact(&self) -> Option<String> {
        match self.0.iter().collect::<Vec<_>>().as_slice() {
            [s] if matches!(s.operator(), pep440_rs::Operator::Equal | pep440_rs::Operator::ExactEqual) => {
                Some(s.version().to_string())
            }
            _ => None,
        }
    }

    pub fn floor(&self) -> Option<String> {
        use pep440_rs::Operator::*;
        self.0
            .iter()
            .filter(|s| matches!(s.operator(), Equal | ExactEqual | GreaterThanEqual | GreaterThan | TildeEqual))
            .map(|s| s.version().clone())
            .max()
            .map(|v| v.to_string())
            .or_else(|| self.0.iter().next().is_none().then(|| "0".to_string()))
    }
}

/// Translates one Poetry constraint (comma- or `||`-free parts) into PEP 440.
fn to_pep440(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() || t == "*" {
        return Ok(String::new());
    }
    if t.contains("||") || t.contains(" | ") {
        return Err(format!("'{t}': alternatives (`||`) cannot be expressed as one PEP 440 specifier set"));
    }
    let mut parts = Vec::new();
    for part in t.split(',').flat_map(split_poetry_spaces) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        if let Some(rest) = p.strip_prefix('^') {
            let (lo, hi) = caret_bounds(rest.trim())?;
            parts.push(format!(">={lo}"));
            parts.push(format!("<{hi}"));
        } else if let Some(rest) = p.strip_prefix('~').filter(|r| !r.starts_with('=')) {
            let (lo, hi) = tilde_bounds(rest.trim())?;
            parts.push(format!(">={lo}"));
            parts.push(format!("<{hi}"));
        } else if p.starts_with(|c: char| c.is_ascii_digit()) {
            // A bare version (or `1.2.*`) is Poetry's exact constraint.
            parts.push(format!("=={p}"));
        } else {
            parts.push(p.to_string());
        }
    }
    Ok(parts.join(","))
}

/// Poetry allows `>=1.2 <2.0` (space-separated AND); PEP 440 does not.
fn split_poetry_spaces(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            // A space followed (after more spaces) by an operator starts a new clause.
            let mut j = i;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && matches!(b[j], b'<' | b'>' | b'=' | b'!' | b'^' | b'~') && !s[start..i].trim().is_empty()
            {
                let prev = s[start..i].trim();
                if !prev.ends_with(['<', '>', '=', '!', '~', '^']) {
                    out.push(&s[start..i]);
                    start = j;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out.push(&s[start..]);
    out
}

fn release_parts(v: &str) -> Result<Vec<u64>, String> {
    v.split('.').map(|p| p.parse::<u64>().map_err(|_| format!("'{v}' is not a plain release version"))).collect()
}

fn join(parts: &[u64]) -> String {
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

fn caret_bounds(v: &str) -> Result<(String, String), String> {
    let parts = release_parts(v)?;
    let first_nonzero = parts.iter().position(|&p| p != 0).unwrap_or(parts.len().saturating_sub(1));
    let mut hi: Vec<u64> = parts[..=first_nonzero.min(parts.len() - 1)].to_vec();
    *hi.last_mut().unwrap() += 1;
    Ok((v.to_string(), join(&hi)))
}

fn tilde_bounds(v: &str) -> Result<(String, String), String> {
    let parts = release_parts(v)?;
    let keep = if parts.len() >= 2 { 2 } else { 1 };
    let mut hi: Vec<u64> = parts[..keep].to_vec();
    *hi.last_mut().unwrap() += 1;
    Ok((v.to_string(), join(&hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_syntax_translates() {
        assert_eq!(to_pep440("^4.5.1").unwrap(), ">=4.5.1,<5");
        assert_eq!(to_pep440("^0.3").unwrap(), ">=0.3,<0.4");
        assert_eq!(to_pep440("~4.5").unwrap(), ">=4.5,<4.6");
        assert_eq!(to_pep440("5.0.1").unwrap(), "==5.0.1");
        assert_eq!(to_pep440(">=4.2 <6").unwrap(), ">=4.2,<6");
        assert_eq!(to_pep440("~=4.5").unwrap(), "~=4.5");
        assert_eq!(to_pep440("*").unwrap(), "");
    }

    #[test]
    fn floor_and_exact() {
        let s = Specifiers::parse(">=4.2,<6").unwrap();
        assert_eq!(s.floor().as_deref(), Some("4.2"));
        assert_eq!(s.exact(), None);
        assert_eq!(Specifiers::parse("").unwrap().floor().as_deref(), Some("0"));
    }
}
