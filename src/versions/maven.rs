//! Maven's `ComparableVersion` ordering and version ranges (`[1.0,2.0)`, soft requirements).
//! Qualifiers order alpha < beta < milestone < rc < snapshot < release < sp; `RELEASE`,
//! `Final` and `GA` equal the bare version, so `6.3.0.RELEASE` == `6.3.0`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Int(u64),
    Str(String),
}

#[derive(Debug, Clone)]
pub struct MavenVersion {
    original: String,
    items: Vec<Item>,
}

fn qualifier_rank(q: &str) -> (u8, &str) {
    match q {
        "alpha" | "a" => (0, ""),
        "beta" | "b" => (1, ""),
        "milestone" | "m" => (2, ""),
        "rc" | "cr" => (3, ""),
        "snapshot" => (4, ""),
        "" | "ga" | "final" | "release" => (5, ""),
        "sp" => (6, ""),
        other => (7, other),
    }
}

impl MavenVersion {
    pub fn parse(v: &str) -> Self {
        let lower = v.trim().to_ascii_lowercase();
        let mut items = Vec::new();
        let mut cur = String::new();
        let mut cur_digit = None::<bool>;
        let flush = |cur: &mut String, items: &mut Vec<Item>| {
            if cur.is_empty() {
                return;
            }
            match cur.parse::<u64>() {
                Ok(n) => items.push(Item::Int(n)),
                Err(_) => items.push(Item::Str(std::mem::take(cur))),
            }
            cur.clear();
        };
        for c in lower.chars() {
            if c == '.' || c == '-' || c == '_' {
                flush(&mut cur, &mut items);
                cur_digit = None;
                continue;
            }
            let d = c.is_ascii_digit();
            if cur_digit.is_some_and(|prev| prev != d) {
                flush(&mut cur, &mut items);
            }
            cur_digit = Some(d);
            cur.push(c);
        }
        flush(&mut cur, &mut items);
        // Trailing "null" items (0, release, final, ga) do not change the version.
        while let Some(last) = items.last() {
            let null = match last {
                Item::Int(0) => true,
                Item::Str(s) => qualifier_rank(s).0 == 5,
                _ => false,
            };
            if null && items.len() > 1 {
                items.pop();
            } else {
                break;
            }
        }
        MavenVersion { original: v.trim().to_string(), items }
    }

    pub fn as_str(&self) -> &str {
        &self.original
    }
}

fn cmp_item(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(Item::Int(x)), Some(Item::Int(y))) => x.cmp(y),
        (Some(Item::Int(_)), Some(Item::Str(_))) => Ordering::Greater,
        (Some(Item::Str(_)), Some(Item::Int(_))) => Ordering::Less,
        (Some(Item::Str(x)), Some(Item::Str(y))) => qualifier_rank(x).cmp(&qualifier_rank(y)),
        (Some(Item::Int(x)), None) => x.cmp(&0),
        (None, Some(Item::Int(y))) => 0.cmp(y),
        (Some(Item::Str(x)), None) => qualifier_rank(x).cmp(&(5, "")),
        (None, Some(Item::Str(y))) => (5, "").cmp(&qualifier_rank(y)),
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.items.len().max(other.items.len());
        for i in 0..n {
            let o = cmp_item(self.items.get(i), other.items.get(i));
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}

#[derive(Debug, Clone)]
pub struct Interval {
    lower: Option<(MavenVersion, bool)>,
    upper: Option<(MavenVersion, bool)>,
}

impl Interval {
    fn allows(&self, v: &MavenVersion) -> bool {
        let lo = self.lower.as_ref().is_none_or(|(l, inc)| if *inc { v >= l } else { v > l });
        let hi = self.upper.as_ref().is_none_or(|(u, inc)| if *inc { v <= u } else { v < u });
        lo && hi
    }
}

/// A Maven/Gradle version requirement: a soft requirement (`1.2.3`, what Maven uses unless
/// another path wins), interval sets, or a Gradle dynamic version (`1.+`, `latest.release`).
#[derive(Debug, Clone)]
pub enum MavenRange {
    Soft(MavenVersion),
    Intervals(Vec<Interval>),
    Prefix(String),
    Any,
}

impl MavenRange {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty version".into());
        }
        if t.starts_with("latest.") || t == "+" {
            return Ok(MavenRange::Any);
        }
        if let Some(prefix) = t.strip_suffix('+') {
            return Ok(MavenRange::Prefix(prefix.to_string()));
        }
        if t.contains("${") {
            return Err(format!("'{t}' holds an unresolved property"));
        }
        if !t.starts_with(['[', '(']) {
            return Ok(MavenRange::Soft(MavenVersion::parse(t)));
        }
        let mut out = Vec::new();
        let mut rest = t;
        while !rest.is_empty() {
            let open = rest.chars().next().unwrap();
            let close_at = rest.find([']', ')']).ok_or_else(|| format!("'{t}': unclosed range"))?;
            let close = rest.as_bytes()[close_at] as char;
            let body = &rest[1..close_at];
            let interval = match body.split_once(',') {
                None => {
                    let v = MavenVersion::parse(body);
                    if open != '[' || close != ']' {
                        return Err(format!("'{t}': a single version range must be [x]"));
                    }
                    Interval { lower: Some((v.clone(), true)), upper: Some((v, true)) }
                }
                Some((lo, hi)) => Interval {
                    lower: (!lo.trim().is_empty()).then(|| (MavenVersion::parse(lo), open == '[')),
                    upper: (!hi.trim().is_empty()).then(|| (MavenVersion::parse(hi), close == ']')),
                },
            };
            if !matches!(open, '[' | '(') {
                return Err(format!("'{t}': expected [ or ("));
            }
            out.push(interval);
            rest = rest[close_at + 1..].trim_start().trim_start_matches(',').trim_start();
        }
        Ok(MavenRange::Intervals(out))
    }

    pub fn allows(&self, v: &MavenVersion) -> bool {
        match self {
            MavenRange::Soft(s) => v == s,
            MavenRange::Intervals(list) => list.iter().any(|i| i.allows(v)),
            MavenRange::Prefix(p) => v.as_str().starts_with(p.as_str()),
            MavenRange::Any => true,
        }
    }

    pub fn exact(&self) -> Option<String> {
        match self {
            MavenRange::Soft(v) => Some(v.as_str().to_string()),
            MavenRange::Intervals(list) => match list.as_slice() {
                [Interval { lower: Some((l, true)), upper: Some((u, true)) }] if l == u => Some(l.as_str().to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn floor(&self) -> Option<String> {
        match self {
            MavenRange::Soft(v) => Some(v.as_str().to_string()),
            MavenRange::Intervals(list) => list
                .iter()
                .map(|i| i.lower.as_ref().map(|(l, _)| l.clone()))
                .min()
                .map(|l| l.map_or("0".into(), |v| v.as_str().to_string())),
            MavenRange::Prefix(p) => Some(format!("{}0", p)),
            MavenRange::Any => Some("0".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s)
    }

    #[test]
    fn ordering_follows_comparable_version() {
        assert!(v("1.0-alpha-1") < v("1.0-beta-1"));
        assert!(v("1.0-beta-1") < v("1.0-M1"));
        assert!(v("1.0-M1") < v("1.0-RC1"));
        assert!(v("1.0-RC1") < v("1.0-SNAPSHOT"));
        assert!(v("1.0-SNAPSHOT") < v("1.0"));
        assert!(v("1.0") < v("1.0-sp1"));
        assert_eq!(v("1.0.0"), v("1"));
        assert_eq!(v("6.3.0.RELEASE"), v("6.3.0"));
        assert!(v("3.48.0") > v("3.9.0"));
        assert!(v("1.0.1") > v("1.0-sp1"));
    }

    #[test]
    fn ranges() {
        let r = MavenRange::parse("[1.2,1.3],[1.5,)").unwrap();
        assert!(r.allows(&v("1.2.5")) && !r.allows(&v("1.4")) && r.allows(&v("2.0")));
        let r = MavenRange::parse("(,1.0]").unwrap();
        assert!(r.allows(&v("0.9")) && r.allows(&v("1.0")) && !r.allows(&v("1.0.1")));
        assert_eq!(MavenRange::parse("[5.1.0]").unwrap().exact().as_deref(), Some("5.1.0"));
        assert!(MavenRange::parse("5.+").unwrap().allows(&v("5.2.0")));
        assert!(MavenRange::parse("${jedis.version}").is_err());
    }
}
