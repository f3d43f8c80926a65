//! RubyGems `Gem::Version` ordering (numeric and letter segments; any letter makes a
//! pre-release, which sorts before the release) and requirements (`~> 4.8`, `>= 4, < 6`).

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(u64),
    Str(String),
}

#[derive(Debug, Clone)]
pub struct GemVersion {
    segs: Vec<Seg>,
    original: String,
}

impl GemVersion {
    pub fn parse(v: &str) -> Option<Self> {
        let t = v.trim();
        if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        if !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
            return None;
        }
        let mut segs = Vec::new();
        let mut cur = String::new();
        let push = |cur: &mut String, segs: &mut Vec<Seg>| {
            if !cur.is_empty() {
                segs.push(cur.parse().map(Seg::Num).unwrap_or_else(|_| Seg::Str(cur.clone())));
                cur.clear();
            }
        };
        let mut prev_digit = None;
        for c in t.replace('-', ".pre.").chars() {
            if c == '.' {
                push(&mut cur, &mut segs);
                prev_digit = None;
                continue;
            }
            let d = c.is_ascii_digit();
            if prev_digit.is_some_and(|p| p != d) {
                push(&mut cur, &mut segs);
            }
            prev_digit = Some(d);
            cur.push(c);
        }
        push(&mut cur, &mut segs);
        // Canonical form: trailing zeros of the release part do not count.
        let first_str = segs.iter().position(|s| matches!(s, Seg::Str(_))).unwrap_or(segs.len());
        let (mut release, pre) = (segs[..first_str].to_vec(), segs[first_str..].to_vec());
        while release.len() > 1 && release.last() == Some(&Seg::Num(0)) {
            release.pop();
        }
        release.extend(pre);
        Some(GemVersion { segs: release, original: t.to_string() })
    }

    fn is_prerelease(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Str(_)))
    }

    fn release_numbers(&self) -> Vec<u64> {
        self.segs.iter().map_while(|s| if let Seg::Num(n) = s { Some(*n) } else { None }).collect()
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.segs.len().max(other.segs.len());
        for i in 0..n {
            let a = self.segs.get(i).cloned().unwrap_or(Seg::Num(0));
            let b = other.segs.get(i).cloned().unwrap_or(Seg::Num(0));
            let o = match (&a, &b) {
                (Seg::Num(x), Seg::Num(y)) => x.cmp(y),
                (Seg::Str(x), Seg::Str(y)) => x.cmp(y),
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GemVersion {}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

#[derive(Debug, Clone)]
pub struct GemRequirement(Vec<(Op, GemVersion)>);

impl GemRequirement {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for part in text.split(',') {
            let p = part.trim().trim_matches(['\'', '"']).trim();
            if p.is_empty() {
                continue;
            }
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(s, op)| p.strip_prefix(s).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, p));
            let v = GemVersion::parse(rest).ok_or_else(|| format!("'{p}' is not a RubyGems requirement"))?;
            out.push((op, v));
        }
        Ok(GemRequirement(out))
    }

    pub fn allows(&self, v: &GemVersion) -> bool {
        if v.is_prerelease() && !self.0.iter().any(|(_, r)| r.is_prerelease()) {
            return false;
        }
        self.0.iter().all(|(op, r)| match op {
            Op::Eq => v == r,
            Op::Ne => v != r,
            Op::Gt => v > r,
            Op::Ge => v >= r,
            Op::Lt => v < r,
            Op::Le => v <= r,
            Op::Pessimistic => {
                let mut upper = r.release_numbers();
                if upper.len() > 1 {
                    upper.pop();
                }
                *upper.last_mut().unwrap() += 1;
                let upper = GemVersion::parse(&upper.iter().map(u64::to_string).collect::<Vec<_>>().join(".")).unwrap();
                v >= r && v < &upper
            }
        })
    }

    pub fn exact(&self) -> Option<String> {
        match self.0.as_slice() {
            [(Op::Eq, v)] => Some(v.original.clone()),
            _ => None,
        }
    }

    pub fn floor(&self) -> Option<String> {
        let lows: Vec<&GemVersion> = self
            .0
            .iter()
            .filter(|(op, _)| matches!(op, Op::Eq | Op::Ge | Op::Gt | Op::Pessimistic))
            .map(|(_, v)| v)
            .collect();
        Some(lows.into_iter().max().map_or_else(|| "0".to_string(), |v| v.original.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_semantics() {
        let v = |s| GemVersion::parse(s).unwrap();
        assert!(v("5.0.0.beta1") < v("5.0.0"));
        assert_eq!(v("5.0"), v("5.0.0"));
        assert!(v("4.10.0") > v("4.9.9"));
        let r = GemRequirement::parse("~> 4.8, >= 4.8.1").unwrap();
        assert!(r.allows(&v("4.9")) && !r.allows(&v("4.8.0")) && !r.allows(&v("5.0")));
        let r = GemRequirement::parse("~> 4.8.1").unwrap();
        assert!(r.allows(&v("4.8.9")) && !r.allows(&v("4.9.0")));
        assert!(!GemRequirement::parse(">= 5").unwrap().allows(&v("6.0.0.rc1")));
    }
}
