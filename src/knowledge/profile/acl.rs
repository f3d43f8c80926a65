//! `user` lines of a config file, checked as `ACLAppendUserForLoading` does: each rule is
//! applied to a throw-away user, and the first rule the server would refuse stops the start.
//! Unknown commands and categories are not errors at this point (modules load later).

use super::cparse::{self, cstr, strcaseeq};
use super::schema::ConfigType;
use super::{CommandTable, Profile};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Errno {
    /// Unknown command or category: tolerated while loading.
    NoEnt,
    Syntax,
    PatternAfterAllKeys,
    PatternAfterAllChannels,
    PasswordMissing,
    BadHash,
    FirstArgSubcommand,
    DbOutOfRange,
}

impl Errno {
    fn key(self) -> &'static str {
        match self {
            Errno::NoEnt => "unknown",
            Errno::Syntax => "syntax",
            Errno::PatternAfterAllKeys => "pattern_after_allkeys",
            Errno::PatternAfterAllChannels => "pattern_after_allchannels",
            Errno::PasswordMissing => "password_missing",
            Errno::BadHash => "bad_hash",
            Errno::FirstArgSubcommand => "first_arg_subcommand",
            Errno::DbOutOfRange => "db_out_of_range",
        }
    }
}

#[derive(Default)]
struct Selector {
    all_keys: bool,
    all_channels: bool,
}

struct FakeUser {
    /// SHA-256 of each password, as the server stores them.
    passwords: Vec<[u8; 32]>,
    root: Selector,
}

struct Ctx<'a> {
    profile: &'a Profile,
    table: Option<&'a CommandTable>,
    default_all_channels: bool,
}

/// A refused `user` line: the server's message and, when the message names another argument
/// (a server slip), the rule actually at fault.
pub struct UserError {
    pub message: String,
    pub culprit: Option<String>,
}

/// Checks one `user <name> <rules…>` line. `users` holds the names defined by earlier lines.
pub fn check_user_line(
    profile: &Profile,
    argv: &[Vec<u8>],
    users: &mut HashSet<Vec<u8>>,
    table: Option<&CommandTable>,
    default_all_channels: bool,
) -> Result<(), UserError> {
    let acl = &profile.loader.acl;
    let declare = |idx: usize, key: &str| {
        let error = acl.messages.get(key).cloned().unwrap_or_else(|| "Syntax error".into());
        let arg = argv.get(idx).map(|a| String::from_utf8_lossy(cstr(a)).into_owned()).unwrap_or_default();
        acl.declaration.replace("{arg}", &arg).replace("{error}", &error)
    };
    if acl.messages.contains_key("duplicate") && users.contains(&argv[1]) {
        return Err(UserError { message: declare(1, "duplicate"), culprit: None });
    }
    let rules = &argv[2..];
    let merged = if acl.selectors {
        match merge_selectors(rules) {
            Ok(m) => m,
            Err(open) => return Err(UserError { message: declare(open, "unmatched_paren"), culprit: None }),
        }
    } else {
        rules.to_vec()
    };
    let cx = Ctx { profile, table, default_all_channels };
    let mut user = FakeUser { passwords: Vec::new(), root: cx.new_selector() };
    for (j, op) in merged.iter().enumerate() {
        if let Err(e) = cx.set_user(&mut user, op) {
            if e != Errno::NoEnt {
                let idx = if acl.error_index == "merged" { j } else { j + 2 };
                let message = declare(idx, e.key());
                if idx != j + 2 {
                    // The server names the argument at the rule's index counted from the start
                    // of the line; say which rule it really refused.
                    return Err(UserError { message, culprit: Some(String::from_utf8_lossy(op).into_owned()) });
                }
                return Err(UserError { message, culprit: None });
            }
        }
    }
    users.insert(argv[1].clone());
    Ok(())
}

/// The value `acl-pubsub-default` has when a fresh user is created: channels are all allowed
/// when it says `allchannels`.
pub fn default_all_channels(profile: &Profile) -> bool {
    profile
        .config("acl-pubsub-default")
        .filter(|c| c.kind == ConfigType::Enum)
        .and_then(|c| c.default.as_deref())
        .is_some_and(|d| d == "allchannels")
}

/// `ACLMergeSelectorArguments`: joins `(` … `)` spread over several arguments; the error is the
/// index of an unclosed `(`.
fn merge_selectors(rules: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in rules.iter().enumerate() {
        let ends = op.last() == Some(&b')');
        match open.as_mut() {
            None if op.first() == Some(&b'(') && !ends => open = Some((j, op.clone())),
            None => out.push(op.clone()),
            Some((_, sel)) => {
                sel.push(b' ');
                sel.extend_from_slice(cstr(op));
                if ends {
                    out.push(open.take().expect("open").1);
                }
            }
        }
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}

impl Ctx<'_> {
    fn new_selector(&self) -> Selector {
        Selector { all_keys: false, all_channels: self.default_all_channels }
    }

    fn simple(&self, op: &[u8], name: &str) -> bool {
        strcaseeq(op, name) && self.profile.loader.acl.simple_ops.iter().any(|s| s == name)
    }

    fn set_user(&self, u: &mut FakeUser, op: &[u8]) -> Result<(), Errno> {
        if op.is_empty() {
            return Ok(());
        }
        for name in ["on", "off", "skip-sanitize-payload", "sanitize-payload", "clearselectors"] {
            if self.simple(op, name) {
                return Ok(());
            }
        }
        if self.simple(op, "nopass") || self.simple(op, "resetpass") {
            u.passwords.clear();
            return Ok(());
        }
        if self.simple(op, "reset") {
            u.passwords.clear();
            u.root = self.new_selector();
            return Ok(());
        }
        match op[0] {
            b'>' => {
                let h = sha256(&op[1..]);
                if !u.passwords.contains(&h) {
                    u.passwords.push(h);
                }
                Ok(())
            }
            b'#' => {
                let h = parse_hash(&op[1..]).ok_or(Errno::BadHash)?;
                if !u.passwords.contains(&h) {
                    u.passwords.push(h);
                }
                Ok(())
            }
            b'<' | b'!' => {
                let h = if op[0] == b'<' { sha256(&op[1..]) } else { parse_hash(&op[1..]).ok_or(Errno::BadHash)? };
                let before = u.passwords.len();
                u.passwords.retain(|p| *p != h);
                if u.passwords.len() == before { Err(Errno::PasswordMissing) } else { Ok(()) }
            }
            b'(' if self.profile.loader.acl.selectors && op.last() == Some(&b')') => {
                let inner = &op[1..op.len() - 1];
                let args = cparse::split_args(inner, self.profile.loader.text_after_closing_quote).unwrap_or_default();
                let mut s = self.new_selector();
                for a in &args {
                    self.set_selector(&mut s, a)?;
                }
                Ok(())
            }
            _ => {
                let mut root = std::mem::take(&mut u.root);
                let r = self.set_selector(&mut root, op);
                u.root = root;
                r
            }
        }
    }

    fn set_selector(&self, s: &mut Selector, op: &[u8]) -> Result<(), Errno> {
        if self.simple(op, "allkeys") || strcaseeq(op, "~*") {
            s.all_keys = true;
            return Ok(());
        }
        if self.simple(op, "resetkeys") {
            s.all_keys = false;
            return Ok(());
        }
        if self.simple(op, "allchannels") || strcaseeq(op, "&*") {
            s.all_channels = true;
            return Ok(());
        }
        if self.simple(op, "resetchannels") {
            s.all_channels = false;
            return Ok(());
        }
        for name in ["allcommands", "nocommands", "alldbs", "resetdbs"] {
            if self.simple(op, name) {
                return Ok(());
            }
        }
        if strcaseeq(op, "+@all") || strcaseeq(op, "-@all") {
            return Ok(());
        }
        let at = |i: usize| op.get(i).copied().unwrap_or(0);
        match at(0) {
            b'~' | b'%' => {
                if s.all_keys {
                    return Err(Errno::PatternAfterAllKeys);
                }
                let mut offset = 1;
                if at(0) == b'%' {
                    let (mut read, mut write, mut ok) = (false, false, true);
                    while offset < op.len() {
                        let c = op[offset].to_ascii_uppercase();
                        if c == b'R' && !read {
                            read = true;
                        } else if c == b'W' && !write {
                            write = true;
                        } else if op[offset] == b'~' {
                            offset += 1;
                            break;
                        } else {
                            ok = false;
                            break;
                        }
                        offset += 1;
                    }
                    if !(read || write) || !ok {
                        return Err(Errno::Syntax);
                    }
                }
                if has_spaces(&op[offset.min(op.len())..]) {
                    return Err(Errno::Syntax);
                }
                Ok(())
            }
            b'&' => {
                if s.all_channels {
                    return Err(Errno::PatternAfterAllChannels);
                }
                if has_spaces(&op[1..]) {
                    return Err(Errno::Syntax);
                }
                Ok(())
            }
            b'+' | b'-' if at(1) == b'@' => Ok(()), // unknown categories are tolerated
            b'+' => self.allow_command(cstr(&op[1..])),
            b'-' => Ok(()), // an unknown command is tolerated; a known one is fine
            _ if self.profile.loader.acl.db_selectors && op.len() >= 3 && op[..3].eq_ignore_ascii_case(b"db=") => {
                db_list(&op[3..])
            }
            _ => Err(Errno::Syntax),
        }
    }

    fn allow_command(&self, name: &[u8]) -> Result<(), Errno> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else { return Ok(()) };
        let (cmd, sub) = (&name[..bar], &name[bar + 1..]);
        match self.lookup(cmd) {
            None => Err(Errno::NoEnt),
            Some(is_sub) if is_sub => Err(Errno::FirstArgSubcommand),
            Some(_) if sub.is_empty() => Err(Errno::Syntax),
            Some(_) => Ok(()),
        }
    }

    /// `ACLLookupCommand` on the original command table: `Some(is_subcommand)` when found.
    fn lookup(&self, name: &[u8]) -> Option<bool> {
        let table = self.table?;
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let parts = name.split('|').count();
        if parts > 2 {
            return None;
        }
        let c = table.get(&name)?;
        if c.docs.as_ref().is_some_and(|d| d.module.is_some()) {
            return None; // module commands register after the config is read
        }
        Some(parts == 2)
    }
}

fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
}

/// `db=0,1`: comma-separated database ids (Valkey 9.1).
fn db_list(list: &[u8]) -> Result<(), Errno> {
    if list.is_empty() {
        return Err(Errno::Syntax);
    }
    for item in list.split(|&b| b == b',') {
        let r = cparse::strtoll(item, 10);
        if item.is_empty() || !r.whole(item) {
            return Err(Errno::Syntax);
        }
        if r.value < 0 || r.value > i64::from(i32::MAX) {
            return Err(Errno::DbOutOfRange);
        }
    }
    Ok(())
}

fn parse_hash(h: &[u8]) -> Option<[u8; 32]> {
    if h.len() != 64 || !h.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in h.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// SHA-256, as the server hashes passwords (so `<pass` can remove a `#hash`).
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), v[0], v[1], v[2], v[3].wrapping_add(t1), v[4], v[5], v[6]];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vectors() {
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn selectors_merge_across_arguments() {
        let a = |s: &str| s.as_bytes().to_vec();
        assert_eq!(merge_selectors(&[a("on"), a("(~a"), a("+get)")]).unwrap(), [a("on"), a("(~a +get)")]);
        assert_eq!(merge_selectors(&[a("on"), a("(~a")]), Err(1));
    }
}
