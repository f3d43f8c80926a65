//! NuGet versions (up to four numeric parts, SemVer 2 pre-release labels compared without
//! case, metadata ignored) and NuGet ranges: a bare version means "this or higher", intervals
//! use Maven's brackets, and `*` floats.

use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub struct NugetVersion {
    numbers: [u64; 4],
    pre: Vec<String>,
    original: String,
}

impl NugetVersion {
    pub fn parse(v: &str) -> Option<Self> {
        let t = v.trim();
        let t = t.split('+').next()?;
        let (release, pre) = match t.split_once('-') {
            Some((r, p)) => (r, p.split('.').map(|s| s.to_ascii_lowercase()).collect()),
            None => (t, Vec::new()),
        };
        let mut numbers = [0u64; 4];
        let parts: Vec<&str> = release.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            numbers[i] = p.parse().ok()?;
        }
        Some(NugetVersion { numbers, pre, original: v.trim().to_string() })
    }
}

fn cmp_pre(a: &[String], b: &[String]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl Ord for NugetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| cmp_pre(&self.pre, &other.pre))
    }
}
impl PartialEq for NugetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NugetVersion {}
impl PartialOrd for NugetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone)]
pub struct NugetRange {
    lower: Option<(NugetVersion, bool)>,
    upper: Option<(NugetVersion, bool)>,
    /// `2.8.*`: the numeric prefix that floats.
    floating: Option<Vec<u64>>,
}

impl NugetRange {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bad = || format!("'{t}' is not a NuGet version range");
        if t == "*" {
            return Ok(NugetRange { lower: None, upper: None, floating: Some(Vec::new()) });
        }
        if let Some(prefix) = t.strip_suffix(".*") {
            let nums: Vec<u64> = prefix.split('.').map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
            return Ok(NugetRange { lower: None, upper: None, floating: Some(nums) });
        }
        if !t.starts_with(['[', '(']) {
            let v = NugetVersion::parse(t).ok_or_else(bad)?;
            return Ok(NugetRange { lower: Some((v, true)), upper: None, floating: None });
        }
        let open = t.chars().next().unwrap();
        let close = t.chars().last().unwrap();
        if !matches!(close, ']' | ')') {
            return Err(bad());
        }
        let body = &t[1..t.len() - 1];
        match body.split_once(',') {
            None => {
                let v = NugetVersion::parse(body).ok_or_else(bad)?;
                Ok(NugetRange { lower: Some((v.clone(), true)), upper: Some((v, true)), floating: None })
            }
            Some((lo, hi)) => {
                let lower = if lo.trim().is_empty() {
                    None
                } else {
                    Some((NugetVersion::parse(lo).ok_or_else(bad)?, open == '['))
                };
                let upper = if hi.trim().is_empty() {
                    None
                } else {
                    Some((NugetVersion::parse(hi).ok_or_else(bad)?, close == ']'))
                };
                Ok(NugetRange { lower, upper, floating: None })
            }
        }
    }

    pub fn allows(&self, v: &NugetVersion) -> bool {
        if let Some(prefix) = &self.floating {
            return v.pre.is_empty() && v.numbers.iter().zip(prefix).all(|(a, b)| a == b);
        }
        let lo = self.lower.as_ref().is_none_or(|(l, inc)| if *inc { v >= l } else { v > l });
        let hi = self.upper.as_ref().is_none_or(|(u, inc)| if *inc { v <= u } else { v < u });
        lo && hi
    }

    pub fn exact(&self) -> Option<String> {
        match (&self.lower, &self.upper) {
            (Some((l, true)), Some((u, true))) if l == u => Some(l.original.clone()),
            // NuGet resolves a bare minimum to the lowest version available, which is the
            // version named when it exists: what `dotnet restore` installs.
            (Some((l, true)), None) if self.floating.is_none() => Some(l.original.clone()),
            _ => None,
        }
    }

    pub fn floor(&self) -> Option<String> {
        if let Some(prefix) = &self.floating {
            let mut parts: Vec<String> = prefix.iter().map(u64::to_string).collect();
            while parts.len() < 3 {
                parts.push("0".into());
            }
            return Some(parts.join("."));
        }
        Some(self.lower.as_ref().map_or_else(|| "0.0.0".to_string(), |(l, _)| l.original.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_and_ranges() {
        let v = |s| NugetVersion::parse(s).unwrap();
        assert!(v("2.12.27") > v("2.9.32"));
        assert!(v("3.0.0-preview.1") < v("3.0.0"));
        assert!(v("1.0.0-Beta") == v("1.0.0-beta"));
        let r = NugetRange::parse("[2.6,2.12.27)").unwrap();
        assert!(r.allows(&v("2.12.26")) && !r.allows(&v("2.12.27")));
        assert_eq!(NugetRange::parse("2.8.0").unwrap().exact().as_deref(), Some("2.8.0"));
        assert!(NugetRange::parse("2.8.*").unwrap().allows(&v("2.8.24")));
    }
}
