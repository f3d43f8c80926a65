//! The C functions the server parses config values with, reproduced byte for byte: a value
//! accepted here is accepted there, including their quirks (NUL bytes end C strings, `strtoll`
//! skips spaces, `memtoull` ignores overflow of the digits…).

use super::schema::QuoteTail;
use std::ops::Range;

/// The bytes up to the first NUL: what C string functions see of an argument.
pub fn cstr(b: &[u8]) -> &[u8] {
    match memchr::memchr(0, b) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// `strcasecmp(a, b) == 0` on C strings.
pub fn strcaseeq(a: &[u8], b: &str) -> bool {
    cstr(a).eq_ignore_ascii_case(b.as_bytes())
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `sdssplitargs` refused the line: an unterminated quote (or, on older servers, text right
/// after a closing quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unbalanced;

/// `sdssplitargs`: the arguments of a config line (or of a multi-argument value split again).
pub fn split_args(line: &[u8], tail: QuoteTail) -> Result<Vec<Vec<u8>>, Unbalanced> {
    split_args_spanned(line, tail).map(|tokens| tokens.into_iter().map(|(arg, _)| arg).collect())
}

/// An argument's unescaped bytes and the byte range of its line it spans (quotes included).
pub type SpannedArg = (Vec<u8>, Range<usize>);

/// `sdssplitargs`, with where each argument is written: its unescaped bytes and the byte
/// range of `line` it spans (quotes included).
pub fn split_args_spanned(line: &[u8], tail: QuoteTail) -> Result<Vec<SpannedArg>, Unbalanced> {
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut p = 0;
    loop {
        while at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Ok(out);
        }
        let start = p;
        let mut current = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' && at(p + 2).is_ascii_hexdigit() && at(p + 3).is_ascii_hexdigit() {
                    let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                    current.push(hex(at(p + 2)) * 16 + hex(at(p + 3)));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    match tail {
                        QuoteTail::Refused => {
                            if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                                return Err(Unbalanced);
                            }
                            p += 1;
                            break;
                        }
                        QuoteTail::Joined => inq = false,
                    }
                } else if c == 0 {
                    return Err(Unbalanced);
                } else {
                    current.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    match tail {
                        QuoteTail::Refused => {
                            if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                                return Err(Unbalanced);
                            }
                            p += 1;
                            break;
                        }
                        QuoteTail::Joined => insq = false,
                    }
                } else if c == 0 {
                    return Err(Unbalanced);
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    other => current.push(other),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        out.push((current, start..p));
    }
}

/// `string2ll`: the strict integer parser (no `+`, no leading zeros, no spaces, the whole
/// argument including any NUL byte).
#[inline]
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// The outcome of C's `strtoll`/`strtol`: the value (saturated on overflow), how many bytes it
/// used, and whether it overflowed (`errno == ERANGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrToLl {
    pub value: i64,
    pub end: usize,
    pub overflow: bool,
}

impl StrToLl {
    /// `*endptr == '\0'`: the whole C string was a number (an empty one counts: C returns 0).
    pub fn whole(&self, s: &[u8]) -> bool {
        self.end == cstr(s).len()
    }
}

/// `strtoll(s, &end, base)` on the C string `s` (bases 8 and 10).
pub fn strtoll(s: &[u8], base: u32) -> StrToLl {
    let s = cstr(s);
    let mut p = 0;
    while p < s.len() && is_c_space(s[p]) {
        p += 1;
    }
    let mut negative = false;
    if p < s.len() && (s[p] == b'+' || s[p] == b'-') {
        negative = s[p] == b'-';
        p += 1;
    }
    let start = p;
    let mut acc: u128 = 0;
    let mut overflow = false;
    while p < s.len() {
        let Some(d) = (s[p] as char).to_digit(base) else { break };
        acc = acc * u128::from(base) + u128::from(d);
        if acc > (i64::MAX as u128) + 1 {
            overflow = true;
            acc = (i64::MAX as u128) + 1;
        }
        p += 1;
    }
    if p == start {
        // No digits: nothing is consumed, not even the spaces or the sign.
        return StrToLl { value: 0, end: 0, overflow: false };
    }
    let value = if negative {
        if acc > (i64::MAX as u128) + 1 {
            overflow = true;
            i64::MIN
        } else {
            (acc as i128).wrapping_neg() as i64
        }
    } else if acc > i64::MAX as u128 {
        overflow = true;
        i64::MAX
    } else {
        acc as i64
    };
    StrToLl { value, end: p, overflow }
}

/// What `memtoull` does when the digits overflow: older servers ignore strtoull's ERANGE and
/// take the largest value; newer ones refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryOverflow {
    /// strtoull: the largest unsigned value.
    Saturates,
    /// strtoll (Redis 6.2's memtoll): the largest signed value, also for digits past it.
    SaturatesSigned,
    Refused,
}

/// `memtoull`: bytes with an optional unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`, any case).
/// `None` is the server's "argument must be a memory value".
pub fn memtoull(arg: &[u8], overflow: MemoryOverflow) -> Option<u64> {
    let p = cstr(arg);
    if p.first() == Some(&b'-') {
        return None;
    }
    let digits = p.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = &p[digits..];
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &d in &p[..digits] {
        val = match overflow {
            MemoryOverflow::Refused => val.checked_mul(10)?.checked_add(u64::from(d - b'0'))?,
            MemoryOverflow::Saturates | MemoryOverflow::SaturatesSigned => {
                val.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            }
        };
    }
    if overflow == MemoryOverflow::SaturatesSigned {
        // memtoll returns `val * mul` in a long long without checking: it wraps.
        return Some((val.min(i64::MAX as u64) as i64).wrapping_mul(mul as i64) as u64);
    }
    if val > u64::MAX / mul {
        return None;
    }
    Some(val * mul)
}

/// Which double parser the server links: C's `strtod`, or `fast_float` (Valkey ≥ 8.1), which
/// knows no hexadecimal and no leading `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FloatParser {
    Strtod,
    FastFloat,
}

/// `string2d`: a number that uses the whole argument, is not NaN and did not overflow or
/// underflow.
pub fn string2d(s: &[u8], parser: FloatParser) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let (value, used) = match parser {
        FloatParser::Strtod => strtod(s)?,
        FloatParser::FastFloat => fast_float(s)?,
    };
    if used != s.len() || value.is_nan() {
        return None;
    }
    Some(value)
}

/// C's `strtod` (decimal, hexadecimal, `inf`, `infinity`, `nan`): the value and the bytes used;
/// `None` when nothing was a number, or on overflow/underflow (errno ERANGE with HUGE_VAL or 0).
fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let mut p = 0;
    let negative = match s.first() {
        Some(b'-') => {
            p += 1;
            true
        }
        Some(b'+') => {
            p += 1;
            false
        }
        _ => false,
    };
    let rest = &s[p..];
    let lower: Vec<u8> = rest.iter().take(8).map(u8::to_ascii_lowercase).collect();
    let sign = if negative { -1.0 } else { 1.0 };
    if lower.starts_with(b"infinity") {
        return Some((sign * f64::INFINITY, p + 8));
    }
    if lower.starts_with(b"inf") {
        return Some((sign * f64::INFINITY, p + 3));
    }
    if lower.starts_with(b"nan") {
        let mut end = p + 3;
        // nan(chars)
        if s.get(end) == Some(&b'(') {
            if let Some(close) = s[end..].iter().position(|&b| b == b')') {
                if s[end + 1..end + close].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                    end += close + 1;
                }
            }
        }
        return Some((f64::NAN, end));
    }
    if lower.starts_with(b"0x") {
        let (v, used) = hex_float(&rest[2..]);
        if used > 0 {
            return finite(sign * v?, p + 2 + used);
        }
        // "0x" without hex digits: the "0" alone is the number.
        return Some((0.0, p + 1));
    }
    let mut q = p;
    let int_digits = s[q..].iter().take_while(|b| b.is_ascii_digit()).count();
    q += int_digits;
    let mut frac_digits = 0;
    if s.get(q) == Some(&b'.') {
        frac_digits = s[q + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if int_digits + frac_digits > 0 {
            q += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(q), Some(b'e' | b'E')) {
        let mut e = q + 1;
        if matches!(s.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let exp_digits = s[e..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits > 0 {
            q = e + exp_digits;
        }
    }
    let text = std::str::from_utf8(&s[..q]).ok()?;
    let v: f64 = text.parse().ok()?;
    let nonzero_digits = s[p..q].iter().take_while(|b| **b != b'e' && **b != b'E').any(|b| (b'1'..=b'9').contains(b));
    if v == 0.0 && nonzero_digits {
        return None; // underflow
    }
    finite(v, q)
}

/// `fast_float::from_chars`: `[-]digits[.digits][e[±]digits]`, `inf`, `infinity`, `nan`.
fn fast_float(s: &[u8]) -> Option<(f64, usize)> {
    let p = usize::from(s.first() == Some(&b'-'));
    let sign = if p == 1 { -1.0 } else { 1.0 };
    let lower: Vec<u8> = s[p..].iter().take(8).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"infinity") {
        return Some((sign * f64::INFINITY, p + 8));
    }
    if lower.starts_with(b"inf") {
        return Some((sign * f64::INFINITY, p + 3));
    }
    if lower.starts_with(b"nan") {
        return Some((f64::NAN, p + 3));
    }
    if s.get(p) == Some(&b'+') {
        return None;
    }
    if s[p..].len() >= 2 && s[p] == b'0' && matches!(s[p + 1], b'x' | b'X') {
        // No hexadecimal: the number is the `0`, and the `x…` is left over.
        return Some((0.0, p + 1));
    }
    strtod(s)
}

fn finite(v: f64, used: usize) -> Option<(f64, usize)> {
    if v.is_infinite() { None } else { Some((v, used)) }
}

/// The mantissa and binary exponent of a C hex float after `0x`: (value, bytes used).
fn hex_float(s: &[u8]) -> (Option<f64>, usize) {
    let mut p = 0;
    let mut mant: f64 = 0.0;
    let mut digits = 0;
    let mut scale: i32 = 0;
    while let Some(d) = s.get(p).and_then(|&b| (b as char).to_digit(16)) {
        mant = mant * 16.0 + f64::from(d);
        digits += 1;
        p += 1;
    }
    if s.get(p) == Some(&b'.') {
        let mut q = p + 1;
        let mut frac = 0;
        while let Some(d) = s.get(q).and_then(|&b| (b as char).to_digit(16)) {
            mant = mant * 16.0 + f64::from(d);
            scale -= 4;
            frac += 1;
            q += 1;
        }
        if digits + frac > 0 {
            p = q;
            digits += frac;
        }
    }
    if digits == 0 {
        return (None, 0);
    }
    let mut exp: i32 = 0;
    if matches!(s.get(p), Some(b'p' | b'P')) {
        let mut e = p + 1;
        let neg = match s.get(e) {
            Some(b'-') => {
                e += 1;
                true
            }
            Some(b'+') => {
                e += 1;
                false
            }
            _ => false,
        };
        let n = s[e..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n > 0 {
            let text = std::str::from_utf8(&s[e..e + n]).unwrap_or("0");
            exp = text.parse::<i32>().unwrap_or(i32::MAX);
            if neg {
                exp = -exp;
            }
            p = e + n;
        }
    }
    let v = mant * 2f64.powi(exp.saturating_add(scale));
    if v == 0.0 && mant != 0.0 {
        return (None, p);
    }
    (Some(v), p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str, tail: QuoteTail) -> Result<Vec<String>, Unbalanced> {
        split_args(line.as_bytes(), tail)
            .map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn splits_like_both_generations_of_sdssplitargs() {
        use QuoteTail::*;
        assert_eq!(args(r#"requirepass "a b\x41\n""#, Refused).unwrap(), ["requirepass", "a bA\n"]);
        assert!(args(r#"port "0"x"#, Refused).is_err());
        assert_eq!(args(r#"port "0"x"#, Joined).unwrap(), ["port", "0x"]);
        assert_eq!(args(r#"port "1""2"'3'4"#, Joined).unwrap(), ["port", "1234"]);
        assert!(args(r#"port "1"" 2"#, Joined).is_err());
        assert_eq!(args(r"x 'it\'s'", Refused).unwrap(), ["x", "it's"]);
    }

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        for bad in [&b"01"[..], b"+1", b" 1", b"-0", b"", b"1\x00"] {
            assert_eq!(string2ll(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn strtoll_skips_spaces_and_saturates() {
        assert_eq!(strtoll(b" +17", 10), StrToLl { value: 17, end: 4, overflow: false });
        assert_eq!(strtoll(b"0777", 8).value, 0o777);
        assert!(strtoll(b"99999999999999999999", 10).overflow);
        let empty = strtoll(b"", 10);
        assert!(empty.whole(b""));
        assert!(!strtoll(b"8", 8).whole(b"8"));
    }

    #[test]
    fn memtoull_units() {
        use MemoryOverflow::*;
        assert_eq!(memtoull(b"1gb", Refused), Some(1 << 30));
        assert_eq!(memtoull(b"1K", Refused), Some(1000));
        assert_eq!(memtoull(b"", Refused), Some(0));
        assert_eq!(memtoull(b"k", Refused), Some(0));
        assert_eq!(memtoull(b"1\x00zz", Refused), Some(1));
        assert_eq!(memtoull(b"1tb", Refused), None);
        assert_eq!(memtoull(b"-1", Refused), None);
        assert_eq!(memtoull(b"18446744073709551615", Refused), Some(u64::MAX));
        assert_eq!(memtoull(b"18446744073709551616", Refused), None);
        assert_eq!(memtoull(b"18446744073709551616", Saturates), Some(u64::MAX));
        assert_eq!(memtoull(b"99999999999999999999gb", Saturates), None);
    }

    #[test]
    fn string2d_follows_strtod() {
        use FloatParser::*;
        assert_eq!(string2d(b"99.9", Strtod), Some(99.9));
        assert_eq!(string2d(b"0x10", Strtod), Some(16.0));
        assert_eq!(string2d(b"0x10", FastFloat), None);
        assert_eq!(string2d(b"+1", FastFloat), None);
        assert_eq!(string2d(b"inf", Strtod), Some(f64::INFINITY));
        assert_eq!(string2d(b"1e999", Strtod), None);
        assert_eq!(string2d(b"nan", Strtod), None);
        assert_eq!(string2d(b" 1", Strtod), None);
        assert_eq!(string2d(b"1.", Strtod), Some(1.0));
        assert_eq!(string2d(b".5", Strtod), Some(0.5));
        assert_eq!(string2d(b".", Strtod), None);
    }
}
