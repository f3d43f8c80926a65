//! Terraform version constraints (`~> 5.0`, `>= 5.73, < 6.0`), with the semantics of
//! hashicorp/go-version that Terraform uses: clauses joined by commas all hold; `~>` lets only
//! the last written component grow (`~> 5.0` is `>= 5.0, < 6.0`; `~> 1` has no upper bound).

use crate::knowledge::terraform::parse_version;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allows {
    /// Every version the constraint accepts is at least the minimum.
    Always,
    /// Some accepted versions reach the minimum, older ones too (the lock file decides).
    Sometimes,
    /// No accepted version reaches the minimum.
    Never,
}

type V = [u64; 3];

/// Whether a constraint admits versions `>= min`. `None` when the constraint cannot be read.
pub fn allows_at_least(constraint: &str, min: &str) -> Option<Allows> {
    let min = parse_version(min);
    let mut lo: (V, bool) = ([0, 0, 0], true); // (version, inclusive)
    let mut hi: Option<(V, bool)> = None;
    for clause in constraint.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let (op, rest) = split_op(clause);
        let rest = rest.trim();
        if rest.is_empty() || !rest.trim_start_matches('v').starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let v = parse_version(rest);
        let segments = rest.split('.').count().min(3);
        match op {
            "=" | "" => {
                lo = max_lo(lo, (v, true));
                hi = min_hi(hi, (v, true));
            }
            "!=" => {}
            ">" => lo = max_lo(lo, (v, false)),
            ">=" => lo = max_lo(lo, (v, true)),
            "<" => hi = min_hi(hi, (v, false)),
            "<=" => hi = min_hi(hi, (v, true)),
            "~>" => {
                lo = max_lo(lo, (v, true));
                if segments >= 2 {
                    let mut upper = [0u64; 3];
                    upper[..segments - 2].copy_from_slice(&v[..segments - 2]);
                    upper[segments - 2] = v[segments - 2] + 1;
                    hi = min_hi(hi, (upper, false));
                }
            }
            _ => return None,
        }
    }
    let candidate = if lo.0 >= min { lo } else { (min, true) };
    let reachable = match hi {
        None => true,
        Some((h, inclusive)) => candidate.0 < h || (inclusive && candidate.1 && candidate.0 == h),
    };
    Some(if !reachable {
        Allows::Never
    } else if lo.0 >= min {
        Allows::Always
    } else {
        Allows::Sometimes
    })
}

fn split_op(clause: &str) -> (&str, &str) {
    for op in ["~>", ">=", "<=", "!=", ">", "<", "="] {
        if let Some(rest) = clause.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", clause)
}

fn max_lo(a: (V, bool), b: (V, bool)) -> (V, bool) {
    if b.0 > a.0 || (b.0 == a.0 && !b.1) { b } else { a }
}

fn min_hi(a: Option<(V, bool)>, b: (V, bool)) -> Option<(V, bool)> {
    match a {
        Some(a) if a.0 < b.0 || (a.0 == b.0 && !a.1) => Some(a),
        _ => Some(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pessimistic_and_range_constraints() {
        let cases = [
            ("~> 4.67", "5.73.0", Some(Allows::Never)),
            ("~> 5.0", "5.73.0", Some(Allows::Sometimes)),
            ("~> 5.80", "5.73.0", Some(Allows::Always)),
            ("~> 5.0.1", "5.73.0", Some(Allows::Never)),
            ("~> 5", "6.11.0", Some(Allows::Sometimes)),
            (">= 5.73, < 6.0", "6.11.0", Some(Allows::Never)),
            (">= 5.73, < 6.0", "5.73.0", Some(Allows::Always)),
            (">= 4.0", "5.73.0", Some(Allows::Sometimes)),
            ("5.72.0", "5.73.0", Some(Allows::Never)),
            ("= 5.73.0", "5.73.0", Some(Allows::Always)),
            ("<= 5.73.0", "5.73.0", Some(Allows::Sometimes)),
            ("< 5.73.0", "5.73.0", Some(Allows::Never)),
            (">5.73.0", "5.73.0", Some(Allows::Always)),
            ("latest", "5.73.0", None),
        ];
        for (c, min, want) in cases {
            assert_eq!(allows_at_least(c, min), want, "{c} vs {min}");
        }
    }
}
