//! The x87 80-bit `long double` that INCRBYFLOAT and HINCRBYFLOAT compute in: `strtold` to
//! read, one correctly rounded addition, and `%.17Lf` to print. Done in software with exact
//! big-integer arithmetic, because the reply text (`0.1 + 0.2` → `0.3`, not the double's
//! `0.30000000000000004`) depends on the 64-bit mantissa.

use std::cmp::Ordering;

/// A finite long double: `(-1)^negative × mant × 2^exp`, `mant` normalised to 64 bits unless
/// the value is subnormal or zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongDouble {
    negative: bool,
    mant: u64,
    exp: i32,
}

/// Smallest exponent of `mant` (the subnormal range ends here) and largest for finite values.
const MIN_EXP: i32 = -16445;
const MAX_EXP: i32 = 16320;
/// `MAX_LONG_DOUBLE_CHARS`: longer input is refused.
const MAX_CHARS: usize = 5 * 1024;

/// What `strtold` made of a string, before the server's own checks.
enum Parsed {
    Finite(LongDouble),
    Infinite(bool),
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble { negative: false, mant: 0, exp: 0 };

    /// `string2ld`: the whole string must be a float, with no leading space, not NaN, and not
    /// out of range. Infinities are accepted here (the sum is checked afterwards).
    pub fn parse(s: &[u8]) -> Option<Result<LongDouble, bool>> {
        if s.is_empty() || s.len() >= MAX_CHARS || s[0].is_ascii_whitespace() || s.contains(&0) {
            return None;
        }
        match parse_strtold(s)? {
            Parsed::Finite(v) => Some(Ok(v)),
            Parsed::Infinite(neg) => Some(Err(neg)),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.mant == 0
    }

    /// `a + b`, correctly rounded; `None` when the sum overflows to infinity.
    pub fn checked_add(self, other: LongDouble) -> Option<LongDouble> {
        if self.is_zero() {
            return Some(if other.is_zero() { LongDouble::ZERO } else { other });
        }
        if other.is_zero() {
            return Some(self);
        }
        let base = self.exp.min(other.exp);
        let a = BigUint::from_u64(self.mant).shl((self.exp - base) as usize);
        let b = BigUint::from_u64(other.mant).shl((other.exp - base) as usize);
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, a.add(&b))
        } else {
            match a.cmp(&b) {
                Ordering::Equal => return Some(LongDouble::ZERO),
                Ordering::Greater => (self.negative, a.sub(&b)),
                Ordering::Less => (other.negative, b.sub(&a)),
            }
        };
        round(negative, magnitude, base, false)
    }

    /// `%.17Lf` with the trailing zeros (and a bare `.`) removed, `-0` printed as `0`: the
    /// server's LD_STR_HUMAN text.
    pub fn to_human_string(self) -> String {
        let (int_part, frac_digits) = self.fixed17();
        let mut text = String::new();
        if self.negative {
            text.push('-');
        }
        text.push_str(&int_part);
        let frac = format!("{frac_digits:017}");
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            text.push('.');
            text.push_str(frac);
        }
        if text == "-0" { "0".into() } else { text }
    }

    /// The integer part in decimal and the 17 fraction digits, rounded half to even.
    fn fixed17(self) -> (String, u64) {
        const SCALE: u64 = 100_000_000_000_000_000;
        if self.exp >= 0 {
            return (BigUint::from_u64(self.mant).shl(self.exp as usize).to_decimal(), 0);
        }
        let shift = (-self.exp) as usize;
        // value × 10^17 = mant × 10^17 / 2^shift; round that to an integer.
        let scaled = BigUint::from_u64(self.mant).mul_small(SCALE);
        let (mut q, rem_cmp_half, odd) = scaled.shr_round_info(shift);
        let round_up = match rem_cmp_half {
            Ordering::Greater => true,
            Ordering::Equal => odd,
            Ordering::Less => false,
        };
        if round_up {
            q = q.add(&BigUint::from_u64(1));
        }
        let (int_part, frac) = q.div_small(SCALE);
        (int_part.to_decimal(), frac)
    }
}

fn parse_strtold(s: &[u8]) -> Option<Parsed> {
    let (negative, body) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        return Some(Parsed::Infinite(negative));
    }
    let finite = if lower.starts_with(b"0x") { parse_hex(&lower[2..])? } else { parse_decimal(&lower)? };
    let (magnitude, bin_exp, sticky) = finite;
    if magnitude.is_zero() {
        // A written zero is fine; a non-zero value that rounds to zero is ERANGE.
        return (!sticky).then_some(Parsed::Finite(LongDouble { negative, ..LongDouble::ZERO }));
    }
    match round(negative, magnitude, bin_exp, sticky) {
        Some(v) if v.is_zero() => None,
        Some(v) => Some(Parsed::Finite(v)),
        None => None,
    }
}

/// Decimal digits with an optional point and exponent → an exact `n × 2^e` (with a sticky bit
/// when the division by a power of five was inexact).
fn parse_decimal(s: &[u8]) -> Option<(BigUint, i32, bool)> {
    let mut digits = BigUint::default();
    let mut chunk = 0u64;
    let mut chunk_len = 0;
    let mut seen_digit = false;
    let mut frac_digits: i64 = 0;
    let mut i = 0;
    let mut after_point = false;
    while i < s.len() {
        match s[i] {
            c @ b'0'..=b'9' => {
                seen_digit = true;
                chunk = chunk * 10 + u64::from(c - b'0');
                chunk_len += 1;
                if chunk_len == 9 {
                    digits = digits.mul_small(1_000_000_000).add(&BigUint::from_u64(chunk));
                    chunk = 0;
                    chunk_len = 0;
                }
                if after_point {
                    frac_digits += 1;
                }
            }
            b'.' if !after_point => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    digits = digits.mul_small(10u64.pow(chunk_len)).add(&BigUint::from_u64(chunk));
    let mut exp10: i64 = -frac_digits;
    if i < s.len() {
        if s[i] != b'e' {
            return None;
        }
        let rest = &s[i + 1..];
        let (neg, num) = match rest.first() {
            Some(b'-') => (true, &rest[1..]),
            Some(b'+') => (false, &rest[1..]),
            _ => (false, rest),
        };
        if num.is_empty() || !num.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let e: i64 = std::str::from_utf8(num).ok()?.parse().unwrap_or(i64::MAX / 4).min(100_000);
        exp10 += if neg { -e } else { e };
    }
    if digits.is_zero() {
        return Some((digits, 0, false));
    }
    if exp10 > 6000 {
        return None; // overflows whatever the digits
    }
    if exp10 < -12000 {
        return Some((BigUint::default(), 0, true));
    }
    if exp10 >= 0 {
        let mut n = digits;
        for _ in 0..exp10 {
            n = n.mul_small(10);
        }
        return Some((n, 0, false));
    }
    // n / 10^k = n / 5^k × 2^-k; scale n up first so the quotient keeps 66+ bits.
    let k = (-exp10) as usize;
    let five_bits = (k as f64 * 5f64.log2()).ceil() as usize + 1;
    let shift = (66 + five_bits).saturating_sub(digits.bit_len());
    let mut q = digits.shl(shift);
    let mut sticky = false;
    let mut left = k;
    while left > 0 {
        let step = left.min(13);
        let (quot, rem) = q.div_small(5u64.pow(step as u32));
        sticky |= rem != 0;
        q = quot;
        left -= step;
    }
    Some((q, -(shift as i32) - k as i32, sticky))
}

fn parse_hex(s: &[u8]) -> Option<(BigUint, i32, bool)> {
    let mut n = BigUint::default();
    let mut exp2: i64 = 0;
    let mut seen = false;
    let mut after_point = false;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            c if c.is_ascii_hexdigit() => {
                seen = true;
                let v = (c as char).to_digit(16).expect("hex digit");
                n = n.mul_small(16).add(&BigUint::from_u64(u64::from(v)));
                if after_point {
                    exp2 -= 4;
                }
            }
            b'.' if !after_point => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if i < s.len() {
        if s[i] != b'p' {
            return None;
        }
        let rest = &s[i + 1..];
        let (neg, num) = match rest.first() {
            Some(b'-') => (true, &rest[1..]),
            Some(b'+') => (false, &rest[1..]),
            _ => (false, rest),
        };
        if num.is_empty() || !num.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let e: i64 = std::str::from_utf8(num).ok()?.parse().unwrap_or(i64::MAX / 4).min(100_000);
        exp2 += if neg { -e } else { e };
    }
    if n.is_zero() {
        return Some((n, 0, false));
    }
    let exp2 = exp2.clamp(-40_000, 40_000) as i32;
    Some((n, exp2, false))
}

/// Rounds `magnitude × 2^exp` (plus a sticky bit below it) to a long double, half to even.
/// `None` on overflow.
fn round(negative: bool, magnitude: BigUint, exp: i32, sticky: bool) -> Option<LongDouble> {
    let len = magnitude.bit_len() as i32;
    if len == 0 {
        return Some(LongDouble { negative, ..LongDouble::ZERO });
    }
    // Bits to drop so 64 remain, or more when that would go below the subnormal floor.
    let mut drop = (len - 64).max(MIN_EXP - exp);
    if drop <= 0 {
        let mant = magnitude.low_u64() << (-drop).min(63) as u32;
        let e = exp + drop;
        let v = normalise(LongDouble { negative, mant, exp: e });
        return (v.exp <= MAX_EXP).then_some(v);
    }
    let (q, half_cmp, odd) = magnitude.shr_round_info(drop as usize);
    let half_cmp = if half_cmp == Ordering::Equal && sticky { Ordering::Greater } else { half_cmp };
    let round_up = match half_cmp {
        Ordering::Greater => true,
        Ordering::Equal => odd,
        Ordering::Less => false,
    };
    let mut mant = q.low_u64() as u128;
    if round_up {
        mant += 1;
    }
    if mant >> 64 != 0 {
        mant >>= 1;
        drop += 1;
    }
    let v = normalise(LongDouble { negative, mant: mant as u64, exp: exp + drop });
    (v.exp <= MAX_EXP).then_some(v)
}

fn normalise(mut v: LongDouble) -> LongDouble {
    if v.mant == 0 {
        return LongDouble { negative: v.negative, ..LongDouble::ZERO };
    }
    while v.mant >> 63 == 0 && v.exp > MIN_EXP {
        v.mant <<= 1;
        v.exp -= 1;
    }
    v
}

/// Just enough unsigned big-integer arithmetic for the conversions above (little-endian
/// 32-bit limbs, always trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct BigUint(Vec<u32>);

impl BigUint {
    fn from_u64(v: u64) -> Self {
        let mut b = BigUint(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(top) => (self.0.len() - 1) * 32 + (32 - top.leading_zeros() as usize),
        }
    }

    fn low_u64(&self) -> u64 {
        let lo = self.0.first().copied().unwrap_or(0) as u64;
        let hi = self.0.get(1).copied().unwrap_or(0) as u64;
        lo | (hi << 32)
    }

    fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|limb| limb >> (i % 32) & 1 == 1)
    }

    fn mul_small(&self, m: u64) -> Self {
        let mut out = Vec::with_capacity(self.0.len() + 2);
        let mut carry: u128 = 0;
        for &limb in &self.0 {
            let v = limb as u128 * m as u128 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        while carry != 0 {
            out.push(carry as u32);
            carry >>= 32;
        }
        let mut b = BigUint(out);
        b.trim();
        b
    }

    fn add(&self, other: &Self) -> Self {
        let n = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v = self.0.get(i).copied().unwrap_or(0) as u64 + other.0.get(i).copied().unwrap_or(0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            out.push(carry as u32);
        }
        let mut b = BigUint(out);
        b.trim();
        b
    }

    /// `self - other`, with `self >= other`.
    fn sub(&self, other: &Self) -> Self {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = self.0[i] as i64 - other.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        let mut b = BigUint(out);
        b.trim();
        b
    }

    fn shl(&self, bits: usize) -> Self {
        if self.is_zero() {
            return self.clone();
        }
        let (limbs, rem) = (bits / 32, bits % 32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &limb in &self.0 {
            if rem == 0 {
                out.push(limb);
            } else {
                out.push((limb << rem) | carry);
                carry = limb >> (32 - rem);
            }
        }
        if carry != 0 {
            out.push(carry);
        }
        let mut b = BigUint(out);
        b.trim();
        b
    }

    /// `self >> bits`, how the dropped bits compare with one half, and whether the kept
    /// value is odd: everything round-half-to-even needs.
    fn shr_round_info(&self, bits: usize) -> (Self, Ordering, bool) {
        if bits == 0 {
            return (self.clone(), Ordering::Less, self.bit(0));
        }
        let half_bit = self.bit(bits - 1);
        let below = (0..bits - 1).any(|i| self.bit(i));
        let cmp = match (half_bit, below) {
            (false, _) => Ordering::Less,
            (true, false) => Ordering::Equal,
            (true, true) => Ordering::Greater,
        };
        let (limbs, rem) = (bits / 32, bits % 32);
        let mut out = Vec::new();
        for i in limbs..self.0.len() {
            let lo = self.0[i] >> rem;
            let hi = if rem == 0 { 0 } else { self.0.get(i + 1).copied().unwrap_or(0) << (32 - rem) };
            out.push(lo | hi);
        }
        let mut q = BigUint(out);
        q.trim();
        let odd = q.bit(0);
        (q, cmp, odd)
    }

    fn div_small(&self, d: u64) -> (Self, u64) {
        let mut out = vec![0u32; self.0.len()];
        let mut rem: u128 = 0;
        for i in (0..self.0.len()).rev() {
            let cur = (rem << 32) | self.0[i] as u128;
            out[i] = (cur / d as u128) as u32;
            rem = cur % d as u128;
        }
        let mut q = BigUint(out);
        q.trim();
        (q, rem as u64)
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut chunks = Vec::new();
        let mut n = self.clone();
        while !n.is_zero() {
            let (q, r) = n.div_small(1_000_000_000);
            chunks.push(r);
            n = q;
        }
        let mut s = chunks.pop().expect("non-zero").to_string();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(current: &str, by: &str) -> Option<String> {
        let a = LongDouble::parse(current.as_bytes())?.ok()?;
        let b = LongDouble::parse(by.as_bytes())?.ok()?;
        Some(a.checked_add(b)?.to_human_string())
    }

    /// Replies observed from valkey-server 9.1.2 to INCRBYFLOAT.
    #[test]
    fn sums_print_as_the_server_prints_them() {
        assert_eq!(incr("0", "0.1").unwrap(), "0.1");
        assert_eq!(incr("0.1", "0.2").unwrap(), "0.3");
        assert_eq!(incr("10.5", "0.1").unwrap(), "10.6");
        assert_eq!(incr("150000", "1e-20").unwrap(), "150000");
        assert_eq!(incr("0", "1.5e5").unwrap(), "150000");
        assert_eq!(
            incr("0.1", "1e300").unwrap(),
            "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144"
        );
        assert_eq!(incr("5", "-5").unwrap(), "0");
        assert_eq!(incr("-0.5", "0.25").unwrap(), "-0.25");
        assert_eq!(incr("0x10", "1").unwrap(), "17");
        assert_eq!(incr("3.0e3", "-1").unwrap(), "2999");
    }

    #[test]
    fn refuses_what_strtold_refuses() {
        for bad in ["", " 1", "1 ", "nan", "1e", "abc", "1e99999", "1e-99999", "0x", "1.2.3"] {
            assert!(LongDouble::parse(bad.as_bytes()).and_then(Result::ok).is_none(), "{bad}");
        }
        assert_eq!(LongDouble::parse(b"-inf").map(|r| r.is_err()), Some(true));
    }
}
