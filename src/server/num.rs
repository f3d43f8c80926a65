//! Numbers as the server reads and writes them. Replies must match byte for byte, so this
//! follows the server's own rules: `string2ll` (no `+`, no leading zeros), strict float
//! parsing that refuses overflow and underflow to zero, and the Grisu2 shortest-digits
//! formatter (`fpconv_dtoa`) with its particular choice between plain and scientific form.

/// `string2ll`: the strict integer syntax used for every integer argument — the same
/// parser the config loader's model uses, so the two cannot drift apart.
#[inline]
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    crate::knowledge::profile::cparse::string2ll(s)
}

/// `string2ull`-style unsigned parse used for cursors (SCAN accepts any u64).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    if !(b'1'..=b'9').contains(&s[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// `getDoubleFromObject`: a float argument. Refuses NaN, leading or trailing spaces, and
/// values that overflow to infinity or underflow to zero (strtod's ERANGE), but accepts
/// the spellings `inf`, `+inf`, `-inf`, `infinity`.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(s).ok()?;
    if text.is_empty() || text.as_bytes()[0].is_ascii_whitespace() {
        return None;
    }
    // Rust's float grammar also takes `_`-free forms only, like the server; it differs on
    // hexadecimal (refused by both here) and on the ERANGE cases handled below.
    let v: f64 = text.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    let body = text.trim_start_matches(['+', '-']);
    let spelled_infinite = body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity");
    if v.is_infinite() && !spelled_infinite {
        return None;
    }
    if v == 0.0 && mantissa_has_nonzero_digit(body) {
        return None;
    }
    Some(v)
}

fn mantissa_has_nonzero_digit(s: &str) -> bool {
    s.bytes().take_while(|c| *c != b'e' && *c != b'E').any(|c| (b'1'..=b'9').contains(&c))
}

/// Appends an i64 in decimal.
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = itoa_buf();
    out.extend_from_slice(format_i64(&mut buf, v));
}

pub fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
}

pub fn format_i64(buf: &mut [u8; 20], v: i64) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

pub fn i64_to_vec(v: i64) -> Vec<u8> {
    let mut buf = itoa_buf();
    format_i64(&mut buf, v).to_vec()
}

/// `d2string`: the text of a double stored in a sorted set or sent in RESP3 (`,` type).
/// Zero keeps its sign, infinities are `inf`/`-inf`.
pub fn d2string(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v < 0.0 { "-inf".into() } else { "inf".into() }
    } else if v == 0.0 {
        if v.is_sign_negative() { "-0".into() } else { "0".into() }
    } else if let Some(i) = double_to_i64(v) {
        // Integral values in ±2^62 print exactly, through the integer formatter.
        i64_to_vec(i).into_iter().map(char::from).collect()
    } else {
        fpconv_dtoa(v)
    }
}

/// `double2ll`: the double as an integer when it is integral and within ±(LLONG_MAX/2).
pub fn double_to_i64(v: f64) -> Option<i64> {
    let bound = (i64::MAX / 2) as f64;
    if !(-bound..=bound).contains(&v) {
        return None;
    }
    let i = v as i64;
    (i as f64 == v).then_some(i)
}

/// `fpconv_dtoa`: Grisu2 digits, written plain or in scientific form by the same
/// thresholds as the server (so `1e17` stays plain while `1e19` becomes `1e+19`).
pub fn fpconv_dtoa(d: f64) -> String {
    let bits = d.to_bits();
    let mut out = String::with_capacity(24);
    let neg = bits & SIGN_MASK != 0;
    if neg {
        out.push('-');
    }
    if d == 0.0 {
        out.push('0');
        return out;
    }
    if bits & EXP_MASK == EXP_MASK {
        out.push_str(if bits & FRAC_MASK != 0 { "nan" } else { "inf" });
        return out;
    }
    let (digits, k) = grisu2(d);
    emit_digits(&digits, k, neg, &mut out);
    out
}

const FRAC_MASK: u64 = 0x000F_FFFF_FFFF_FFFF;
const EXP_MASK: u64 = 0x7FF0_0000_0000_0000;
const HIDDEN_BIT: u64 = 0x0010_0000_0000_0000;
const SIGN_MASK: u64 = 0x8000_0000_0000_0000;
const EXP_BIAS: i32 = 1023 + 52;

#[derive(Clone, Copy)]
struct Fp {
    frac: u64,
    exp: i32,
}

const TENS: [u64; 20] = [
    10000000000000000000,
    1000000000000000000,
    100000000000000000,
    10000000000000000,
    1000000000000000,
    100000000000000,
    10000000000000,
    1000000000000,
    100000000000,
    10000000000,
    1000000000,
    100000000,
    10000000,
    1000000,
    100000,
    10000,
    1000,
    100,
    10,
    1,
];

/// Normalised powers of ten 10^-348 … 10^340 in steps of 8 (Grisu's cache).
const POWERS_TEN: [(u64, i32); 87] = [
    (18054884314459144840, -1220),
    (13451937075301367670, -1193),
    (10022474136428063862, -1166),
    (14934650266808366570, -1140),
    (11127181549972568877, -1113),
    (16580792590934885855, -1087),
    (12353653155963782858, -1060),
    (18408377700990114895, -1034),
    (13715310171984221708, -1007),
    (10218702384817765436, -980),
    (15227053142812498563, -954),
    (11345038669416679861, -927),
    (16905424996341287883, -901),
    (12595523146049147757, -874),
    (9384396036005875287, -847),
    (13983839803942852151, -821),
    (10418772551374772303, -794),
    (15525180923007089351, -768),
    (11567161174868858868, -741),
    (17236413322193710309, -715),
    (12842128665889583758, -688),
    (9568131466127621947, -661),
    (14257626930069360058, -635),
    (10622759856335341974, -608),
    (15829145694278690180, -582),
    (11793632577567316726, -555),
    (17573882009934360870, -529),
    (13093562431584567480, -502),
    (9755464219737475723, -475),
    (14536774485912137811, -449),
    (10830740992659433045, -422),
    (16139061738043178685, -396),
    (12024538023802026127, -369),
    (17917957937422433684, -343),
    (13349918974505688015, -316),
    (9946464728195732843, -289),
    (14821387422376473014, -263),
    (11042794154864902060, -236),
    (16455045573212060422, -210),
    (12259964326927110867, -183),
    (18268770466636286478, -157),
    (13611294676837538539, -130),
    (10141204801825835212, -103),
    (15111572745182864684, -77),
    (11258999068426240000, -50),
    (16777216000000000000, -24),
    (12500000000000000000, 3),
    (9313225746154785156, 30),
    (13877787807814456755, 56),
    (10339757656912845936, 83),
    (15407439555097886824, 109),
    (11479437019748901445, 136),
    (17105694144590052135, 162),
    (12744735289059618216, 189),
    (9495567745759798747, 216),
    (14149498560666738074, 242),
    (10542197943230523224, 269),
    (15709099088952724970, 295),
    (11704190886730495818, 322),
    (17440603504673385349, 348),
    (12994262207056124023, 375),
    (9681479787123295682, 402),
    (14426529090290212157, 428),
    (10748601772107342003, 455),
    (16016664761464807395, 481),
    (11933345169920330789, 508),
    (17782069995880619868, 534),
    (13248674568444952270, 561),
    (9871031767461413346, 588),
    (14708983551653345445, 614),
    (10959046745042015199, 641),
    (16330252207878254650, 667),
    (12166986024289022870, 694),
    (18130221999122236476, 720),
    (13508068024458167312, 747),
    (10064294952495520794, 774),
    (14996968138956309548, 800),
    (11173611982879273257, 827),
    (16649979327439178909, 853),
    (12405201291620119593, 880),
    (9242595204427927429, 907),
    (13772540099066387757, 933),
    (10261342003245940623, 960),
    (15290591125556738113, 986),
    (11392378155556871081, 1013),
    (16975966327722178521, 1039),
    (12648080533535911531, 1066),
];

fn build_fp(d: f64) -> Fp {
    let bits = d.to_bits();
    let frac = bits & FRAC_MASK;
    let exp = ((bits & EXP_MASK) >> 52) as i32;
    if exp != 0 { Fp { frac: frac + HIDDEN_BIT, exp: exp - EXP_BIAS } } else { Fp { frac, exp: -EXP_BIAS + 1 } }
}

fn normalize(fp: &mut Fp) {
    while fp.frac & HIDDEN_BIT == 0 {
        fp.frac <<= 1;
        fp.exp -= 1;
    }
    let shift = 64 - 52 - 1;
    fp.frac <<= shift;
    fp.exp -= shift;
}

fn normalized_boundaries(fp: &Fp) -> (Fp, Fp) {
    let mut upper = Fp { frac: (fp.frac << 1) + 1, exp: fp.exp - 1 };
    while upper.frac & (HIDDEN_BIT << 1) == 0 {
        upper.frac <<= 1;
        upper.exp -= 1;
    }
    let u_shift = 64 - 52 - 2;
    upper.frac <<= u_shift;
    upper.exp -= u_shift;
    let l_shift = if fp.frac == HIDDEN_BIT { 2 } else { 1 };
    let mut lower = Fp { frac: (fp.frac << l_shift) - 1, exp: fp.exp - l_shift };
    lower.frac <<= lower.exp - upper.exp;
    lower.exp = upper.exp;
    (lower, upper)
}

fn multiply(a: &Fp, b: &Fp) -> Fp {
    let lomask = 0xFFFF_FFFFu64;
    let ah_bl = (a.frac >> 32) * (b.frac & lomask);
    let al_bh = (a.frac & lomask) * (b.frac >> 32);
    let al_bl = (a.frac & lomask) * (b.frac & lomask);
    let ah_bh = (a.frac >> 32) * (b.frac >> 32);
    let mut tmp = (ah_bl & lomask) + (al_bh & lomask) + (al_bl >> 32);
    tmp += 1u64 << 31;
    Fp { frac: ah_bh + (ah_bl >> 32) + (al_bh >> 32) + (tmp >> 32), exp: a.exp + b.exp + 64 }
}

fn cached_pow10(exp: i32) -> (Fp, i32) {
    const ONE_LOG_TEN: f64 = 0.301_029_995_663_981_14;
    let approx = (-(exp + 87) as f64 * ONE_LOG_TEN) as i32;
    let mut idx = ((approx + 348) / 8) as usize;
    loop {
        let current = exp + POWERS_TEN[idx].1 + 64;
        if current < -60 {
            idx += 1;
            continue;
        }
        if current > -32 {
            idx -= 1;
            continue;
        }
        let k = -348 + idx as i32 * 8;
        return (Fp { frac: POWERS_TEN[idx].0, exp: POWERS_TEN[idx].1 }, k);
    }
}

fn round_digit(digits: &mut [u8], delta: u64, mut rem: u64, kappa: u64, frac: u64) {
    let last = digits.len() - 1;
    while rem < frac
        && delta - rem >= kappa
        && (rem.wrapping_add(kappa) < frac || frac - rem > rem.wrapping_add(kappa).wrapping_sub(frac))
    {
        digits[last] -= 1;
        rem += kappa;
    }
}

fn generate_digits(fp: &Fp, upper: &Fp, lower: &Fp, k: &mut i32) -> Vec<u8> {
    let wfrac = upper.frac - fp.frac;
    let mut delta = upper.frac - lower.frac;
    let one_frac = 1u64 << -upper.exp;
    let shift = -upper.exp as u32;
    let mut part1 = upper.frac >> shift;
    let mut part2 = upper.frac & (one_frac - 1);
    let mut digits = Vec::with_capacity(18);
    let mut kappa = 10;
    let mut div_idx = 10;
    while kappa > 0 {
        let div = TENS[div_idx];
        let digit = part1 / div;
        if digit != 0 || !digits.is_empty() {
            digits.push(b'0' + digit as u8);
        }
        part1 -= digit * div;
        kappa -= 1;
        let tmp = (part1 << shift) + part2;
        if tmp <= delta {
            *k += kappa;
            round_digit(&mut digits, delta, tmp, div << shift, wfrac);
            return digits;
        }
        div_idx += 1;
    }
    let mut unit_idx = 18;
    loop {
        part2 = part2.wrapping_mul(10);
        delta = delta.wrapping_mul(10);
        kappa -= 1;
        let digit = part2 >> shift;
        if digit != 0 || !digits.is_empty() {
            digits.push(b'0' + digit as u8);
        }
        part2 &= one_frac - 1;
        if part2 < delta {
            *k += kappa;
            round_digit(&mut digits, delta, part2, one_frac, wfrac.wrapping_mul(TENS[unit_idx]));
            return digits;
        }
        unit_idx -= 1;
    }
}

fn grisu2(d: f64) -> (Vec<u8>, i32) {
    let mut w = build_fp(d);
    let (mut lower, mut upper) = normalized_boundaries(&w);
    normalize(&mut w);
    let (cp, k) = cached_pow10(upper.exp);
    let w = multiply(&w, &cp);
    upper = multiply(&upper, &cp);
    lower = multiply(&lower, &cp);
    lower.frac += 1;
    upper.frac -= 1;
    let mut kk = -k;
    let digits = generate_digits(&w, &upper, &lower, &mut kk);
    (digits, kk)
}

fn emit_digits(digits: &[u8], k: i32, neg: bool, out: &mut String) {
    let ndigits = digits.len() as i32;
    let exp = (k + ndigits - 1).abs();
    let ascii = |d: &[u8]| std::str::from_utf8(d).expect("ascii digits").to_string();
    if k >= 0 && exp < ndigits + 7 {
        out.push_str(&ascii(digits));
        out.extend(std::iter::repeat_n('0', k as usize));
        return;
    }
    if k < 0 && (k > -7 || exp < 4) {
        let offset = ndigits - k.abs();
        if offset <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-offset) as usize));
            out.push_str(&ascii(digits));
        } else {
            out.push_str(&ascii(&digits[..offset as usize]));
            out.push('.');
            out.push_str(&ascii(&digits[offset as usize..]));
        }
        return;
    }
    let nd = ndigits.min(18 - i32::from(neg)) as usize;
    out.push(digits[0] as char);
    if nd > 1 {
        out.push('.');
        out.push_str(&ascii(&digits[1..nd]));
    }
    out.push('e');
    out.push(if k + ndigits - 1 < 0 { '-' } else { '+' });
    out.push_str(&exp.to_string());
}

/// `ld2string` in LD_STR_AUTO mode (`%.17Lg` on a long double) is only used by commands we
/// reply to through `longdouble`; doubles the server prints with `%.17g` (e.g. in INFO) go
/// through this helper.
pub fn format_g17(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{v:.16e}");
    let (mantissa, exp) = sci.split_once('e').expect("scientific form");
    let exp: i32 = exp.parse().expect("exponent");
    if !(-4..17).contains(&exp) {
        let m = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = (16 - exp).max(0) as usize;
    trim_fraction(&format!("{v:.decimals$}")).to_string()
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        for bad in [&b""[..], b"-", b"-0", b"+1", b"01", b"1 ", b" 1", b"9223372036854775808", b"1.0", b"0x1"] {
            assert_eq!(parse_i64(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn floats_refuse_what_the_server_refuses() {
        assert_eq!(parse_f64(b"+3"), Some(3.0));
        assert_eq!(parse_f64(b"1.e5"), Some(1e5));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"5e-324"), Some(5e-324));
        for bad in [&b""[..], b" 1", b"1 ", b"nan", b"1e400", b"1e-400", b"0x10", b"1e", b"1_0"] {
            assert_eq!(parse_f64(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_f64(b"0.0"), Some(0.0));
        assert_eq!(parse_f64(b"0e-500"), Some(0.0));
    }

    /// Every pair observed from valkey-server 9.1.2 (`ZADD` then `ZRANGE … WITHSCORES`).
    #[test]
    fn doubles_print_as_valkey_prints_them() {
        let seen = [
            (1.1, "1.1"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (123456789012345678.0, "123456789012345680"),
            (0.0001, "0.0001"),
            (1e16, "10000000000000000"),
            (1e17, "100000000000000000"),
            (1e18, "1000000000000000000"),
            (1e19, "1e+19"),
            (1e20, "1e+20"),
            (1.5e300, "1.5e+300"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1234567.125, "1234567.125"),
            (12345678901234567890.0, "12345678901234567000"),
            (0.000123, "0.000123"),
            (1e-5, "0.00001"),
            (3.0e-5, "0.00003"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (-1.5e-7, "-1.5e-7"),
            (1.2345678901234567e-5, "1.2345678901234568e-5"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (9007199254740993.0, "9007199254740992"),
            (0.3, "0.3"),
            (2.675, "2.675"),
            (123456.7890123, "1.234567890123e+5"),
            (0.0001234567, "1.234567e-4"),
            (12345.678901234567, "1.2345678901234567e+4"),
            (1234.5678, "1234.5678"),
            (33.333333333333336, "33.333333333333336"),
            (f64::INFINITY, "inf"),
            (1152921504606846976.0, "1152921504606846976"),
            (4611686018427387904.0, "4611686018427387904"),
            (9223372036854775808.0, "9223372036854776000"),
            (1.5e8, "150000000"),
        ];
        for (v, text) in seen {
            assert_eq!(d2string(v), text, "{v:e}");
        }
        assert_eq!(d2string(-0.0), "-0");
    }
}
