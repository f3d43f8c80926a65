//! Composer versions (`v` prefix, up to four numbers, stability suffixes) and constraints
//! (`^`, `~`, wildcards, hyphen ranges, `,`/space for AND, `||` for OR, `@stability` flags).

use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub struct ComposerVersion {
    numbers: [u64; 4],
    /// dev < alpha < beta < RC < stable < patch; with its number.
    stability: (u8, u64),
    original: String,
}

fn stability_rank(s: &str) -> Option<u8> {
    Some(match s {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "rc" => 3,
        "" | "stable" => 4,
        "p" | "pl" | "patch" => 5,
        _ => return None,
    })
}

impl ComposerVersion {
    pub fn parse(v: &str) -> Option<Self> {
        let t = v.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        if t.starts_with("dev-") || t.is_empty() {
            return None;
        }
        let lower = t.to_ascii_lowercase();
        let split = lower.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(lower.len());
        let (release, suffix) = lower.split_at(split);
        let release = release.trim_end_matches('.');
        let mut numbers = [0u64; 4];
        let parts: Vec<&str> = release.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            numbers[i] = p.parse().ok()?;
        }
        let suffix = suffix.trim_start_matches(['-', '.', '_']);
        let word_end = suffix.find(|c: char| c.is_ascii_digit()).unwrap_or(suffix.len());
        let (word, num) = suffix.split_at(word_end);
        let rank = stability_rank(word.trim_end_matches(['.', '-']))?;
        let num = if num.is_empty() { 0 } else { num.trim_start_matches(['.', '-']).parse().ok()? };
        Some(ComposerVersion { numbers, stability: (rank, num), original: v.trim().to_string() })
    }

    fn bump(numbers: &[u64]) -> ComposerVersion {
        let mut n = [0u64; 4];
        n[..numbers.len()].copy_from_slice(numbers);
        ComposerVersion { numbers: n, stability: (0, 0), original: String::new() }
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then(self.stability.cmp(&other.stability))
    }
}
impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ComposerVersion {}
impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone)]
enum Clause {
    Ge(ComposerVersion),
    Gt(ComposerVersion),
    Le(ComposerVersion),
    Lt(ComposerVersion),
    Eq(ComposerVersion),
    Ne(ComposerVersion),
}

/// OR of AND-groups of clauses.
#[derive(Debug, Clone)]
pub struct ComposerConstraint(Vec<Vec<Clause>>);

fn release_numbers(s: &str) -> Result<Vec<u64>, String> {
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    s.split('.').map(|p| p.parse::<u64>().map_err(|_| format!("'{s}' is not a version"))).collect()
}

fn parse_clause(p: &str, out: &mut Vec<Clause>) -> Result<(), String> {
    let p = p.split('@').next().unwrap_or(p).trim();
    let bad = || format!("'{p}' is not a Composer constraint");
    if p.is_empty() || p == "*" {
        return Ok(());
    }
    let ver = |s: &str| ComposerVersion::parse(s).ok_or_else(bad);
    if let Some(rest) = p.strip_prefix('^') {
        let nums = release_numbers(rest)?;
        let lo = ver(rest)?;
        let idx = nums.iter().position(|&n| n != 0).unwrap_or(nums.len() - 1);
        let mut hi = nums[..=idx].to_vec();
        hi[idx] += 1;
        out.push(Clause::Ge(lo));
        out.push(Clause::Lt(ComposerVersion::bump(&hi)));
    } else if let Some(rest) = p.strip_prefix('~') {
        let nums = release_numbers(rest)?;
        out.push(Clause::Ge(ver(rest)?));
        let mut hi = if nums.len() > 1 { nums[..nums.len() - 1].to_vec() } else { nums.clone() };
        *hi.last_mut().unwrap() += 1;
        out.push(Clause::Lt(ComposerVersion::bump(&hi)));
    } else if p.ends_with(".*") || p.ends_with(".x") {
        let nums = release_numbers(&p[..p.len() - 2])?;
        out.push(Clause::Ge(ComposerVersion::bump(&nums)));
        let mut hi = nums.clone();
        *hi.last_mut().unwrap() += 1;
        out.push(Clause::Lt(ComposerVersion::bump(&hi)));
    } else if let Some(r) = p.strip_prefix(">=") {
        out.push(Clause::Ge(ver(r)?));
    } else if let Some(r) = p.strip_prefix("<=") {
        out.push(Clause::Le(ver(r)?));
    } else if let Some(r) = p.strip_prefix("!=").or_else(|| p.strip_prefix("<>")) {
        out.push(Clause::Ne(ver(r)?));
    } else if let Some(r) = p.strip_prefix('>') {
        out.push(Clause::Gt(ver(r)?));
    } else if let Some(r) = p.strip_prefix('<') {
        out.push(Clause::Lt(ver(r)?));
    } else {
        out.push(Clause::Eq(ver(p.trim_start_matches(['=']))?));
    }
    Ok(())
}

impl ComposerConstraint {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut groups = Vec::new();
        for alt in text.split("||").flat_map(|a| a.split(" | ")) {
            let alt = alt.trim();
            let mut clauses = Vec::new();
            if let Some((lo, hi)) = alt.split_once(" - ") {
                clauses.push(Clause::Ge(ComposerVersion::parse(lo).ok_or_else(|| format!("'{lo}' is not a version"))?));
                clauses.push(Clause::Le(ComposerVersion::parse(hi).ok_or_else(|| format!("'{hi}' is not a version"))?));
            } else {
                // Operators may be separated from their version by a space (`>= 1.0`).
                let normalized = alt.replace(">= ", ">=").replace("<= ", "<=").replace("> ", ">").replace("< ", "<");
                for part in normalized.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
                    parse_clause(part, &mut clauses)?;
                }
            }
            groups.push(clauses);
        }
        Ok(ComposerConstraint(groups))
    }

    pub fn allows(&self, v: &ComposerVersion) -> bool {
        self.0.iter().any(|g| {
            g.iter().all(|c| match c {
                Clause::Ge(x) => v >= x,
                Clause::Gt(x) => v > x,
                Clause::Le(x) => v <= x,
                Clause::Lt(x) => v < x,
                Clause::Eq(x) => v.cmp(x) == Ordering::Equal,
                Clause::Ne(x) => v.cmp(x) != Ordering::Equal,
            })
        })
    }

    pub fn exact(&self) -> Option<String> {
        match self.0.as_slice() {
            [g] => match g.as_slice() {
                [Clause::Eq(v)] => Some(v.original.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn floor(&self) -> Option<String> {
        self.0
            .iter()
            .map(|g| {
                g.iter()
                    .find_map(|c| match c {
                        Clause::Ge(v) | Clause::Gt(v) | Clause::Eq(v) => Some(v.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| ComposerVersion::bump(&[0]))
            })
            .min()
            .map(|v| {
                if v.original.is_empty() {
                    v.numbers[..3].iter().map(u64::to_string).collect::<Vec<_>>().join(".")
                } else {
                    v.original
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_semantics() {
        let v = |s| ComposerVersion::parse(s).unwrap();
        assert!(v("v3.0.0-beta1") < v("3.0.0"));
        assert!(v("2.10.0") > v("2.9.9"));
        let c = ComposerConstraint::parse("~2.1").unwrap();
        assert!(c.allows(&v("2.9")) && !c.allows(&v("3.0")));
        let c = ComposerConstraint::parse(">=1.0 <2.0").unwrap();
        assert!(c.allows(&v("1.5")) && !c.allows(&v("2.0")));
        let c = ComposerConstraint::parse("^0.3").unwrap();
        assert!(c.allows(&v("0.3.9")) && !c.allows(&v("0.4.0")));
        assert_eq!(ComposerConstraint::parse("2.2.2").unwrap().exact().as_deref(), Some("2.2.2"));
        assert_eq!(ComposerConstraint::parse("^2.1 || ^3.0").unwrap().floor().as_deref(), Some("2.1"));
    }
}
