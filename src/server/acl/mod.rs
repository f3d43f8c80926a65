//! Users and their permissions (`ACL SETUSER` rules), checked before every command as the
//! server does: command bits with categories and first-arg exceptions, key patterns with
//! read/write permissions, channel patterns, and extra selectors.

mod check;
mod describe;

use super::table::{CommandSpec, CommandTable};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// ACL categories in the order `ACL CAT` lists them.
pub const CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetUserError {
    UnknownCommand,
    Syntax,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl SetUserError {
    /// `ACLSetUserStringError`.
    pub fn message(self) -> &'static str {
        match self {
            SetUserError::UnknownCommand => "Unknown command or category name in ACL",
            SetUserError::Syntax => "Syntax error",
            SetUserError::KeyAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            SetUserError::ChannelAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            SetUserError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            SetUserError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
            }
            SetUserError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    pub pattern: Vec<u8>,
    pub read: bool,
    pub write: bool,
}

impl KeyPattern {
    /// `sdsCatPatternString`: `~p`, `%R~p` or `%W~p`.
    pub fn describe(&self) -> String {
        let prefix = match (self.read, self.write) {
            (true, true) => "~".to_string(),
            (true, false) => "%R~".to_string(),
            (false, true) => "%W~".to_string(),
            (false, false) => "%~".to_string(),
        };
        format!("{prefix}{}", String::from_utf8_lossy(&self.pattern))
    }
}

#[derive(Debug, Clone)]
pub struct Selector {
    pub all_keys: bool,
    pub keys: Vec<KeyPattern>,
    pub all_channels: bool,
    pub channels: Vec<Vec<u8>>,
    /// Set by `+@all`: also covers commands added later.
    pub all_commands: bool,
    allowed: HashSet<usize>,
    first_args: HashMap<usize, Vec<String>>,
    /// The rules as given, kept so they can be described back without loss.
    pub command_rules: String,
    /// Valkey 9.1 `db=` rules: every database unless `dbs` lists the allowed ones.
    pub all_dbs: bool,
    pub dbs: Vec<u32>,
}

impl Default for Selector {
    fn default() -> Self {
        Selector {
            all_keys: false,
            keys: Vec::new(),
            all_channels: false,
            channels: Vec::new(),
            all_commands: false,
            allowed: HashSet::new(),
            first_args: HashMap::new(),
            command_rules: String::new(),
            all_dbs: true,
            dbs: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    /// `Some(true)` for sanitize-payload, `Some(false)` for skip-sanitize-payload.
    pub sanitize: Option<bool>,
    pub passwords: Vec<String>,
    pub root: Selector,
    pub selectors: Vec<Selector>,
}

impl User {
    fn new(name: &str) -> Self {
        User {
            name: name.to_string(),
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            root: Selector::default(),
            selectors: Vec::new(),
        }
    }

    pub fn check_password(&self, password: &[u8]) -> bool {
        self.nopass || self.passwords.contains(&hash_password(password))
    }

    /// Flag words in `ACLUserFlags` order. Valkey 9 accepts the payload-sanitizing words
    /// but no longer reports them.
    pub fn flag_words(&self, show_sanitize: bool) -> Vec<&'static str> {
        let mut f = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            f.push("nopass");
        }
        match self.sanitize {
            Some(false) if show_sanitize => f.push("skip-sanitize-payload"),
            Some(true) if show_sanitize => f.push("sanitize-payload"),
            _ => {}
        }
        f
    }
}

pub fn hash_password(password: &[u8]) -> String {
    Sha256::digest(password).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a command was refused, and at which argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
    Database,
}

pub struct Acl {
    pub users: BTreeMap<String, User>,
    categories: HashMap<&'static str, Vec<usize>>,
    /// Container command id → its subcommand ids.
    children: HashMap<usize, Vec<usize>>,
    /// Full name (lower case) → (id, parent id), for parsing rules.
    by_name: HashMap<String, (usize, Option<usize>)>,
    command_count: usize,
    /// `acl-pubsub-default`: new users get all channels when `allchannels`.
    pub pubsub_default_all: bool,
    /// The profile's server understands `db=` rules (Valkey 9.1).
    pub db_selectors: bool,
    /// The server reports `sanitize-payload` flags (before Valkey 9).
    pub show_sanitize: bool,
}

impl std::fmt::Debug for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acl").field("users", &self.users.keys().collect::<Vec<_>>()).finish()
    }
}

impl Acl {
    pub fn new(table: &CommandTable) -> Self {
        let mut categories: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut by_name = HashMap::new();
        let mut add = |spec: &CommandSpec, parent: Option<usize>| {
            by_name.insert(spec.full_name.clone(), (spec.id, parent));
            for cat in &spec.categories {
                if let Some(known) = CATEGORIES.iter().find(|c| c.eq_ignore_ascii_case(cat)) {
                    categories.entry(known).or_default().push(spec.id);
                }
            }
        };
        for cmd in table.top_level() {
            add(cmd, None);
            for sub in cmd.subcommands.values() {
                add(sub, Some(cmd.id));
                children.entry(cmd.id).or_default().push(sub.id);
            }
        }
        let mut acl = Acl {
            users: BTreeMap::new(),
            categories,
            children,
            by_name,
            command_count: table.names().len(),
            pubsub_default_all: false,
            db_selectors: false,
            show_sanitize: true,
        };
        let mut default = User::new("default");
        default.sanitize = Some(true);
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            acl.apply(&mut default, op.as_bytes()).expect("default user rules are valid");
        }
        acl.users.insert("default".into(), default);
        acl
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.get(name)
    }

    /// `requirepass`: replaces the default user's passwords (empty means nopass).
    pub fn set_default_password(&mut self, password: &[u8]) {
        let mut user = self.users.remove("default").expect("default user exists");
        let _ = self.apply(&mut user, b"resetpass");
        if password.is_empty() {
            let _ = self.apply(&mut user, b"nopass");
        } else {
            let mut op = b">".to_vec();
            op.extend_from_slice(password);
            let _ = self.apply(&mut user, &op);
        }
        self.users.insert("default".into(), user);
    }

    /// `ACLMergeSelectorArguments`: a selector written over several arguments
    /// (`(~a*`, `+get)`) becomes one. `Err` holds the index of an unclosed `(`.
    pub fn merge_selectors(ops: &[&[u8]]) -> Result<Vec<Vec<u8>>, usize> {
        let mut out = Vec::new();
        let mut open: Option<(usize, Vec<u8>)> = None;
        for (j, op) in ops.iter().enumerate() {
            if let Some((_, sel)) = open.as_mut() {
                sel.push(b' ');
                sel.extend_from_slice(op);
                if op.last() == Some(&b')') {
                    out.push(open.take().expect("open selector").1);
                }
                continue;
            }
            if op.first() == Some(&b'(') && op.last() != Some(&b')') {
                open = Some((j, op.to_vec()));
                continue;
            }
            out.push(op.to_vec());
        }
        match open {
            Some((j, _)) => Err(j),
            None => Ok(out),
        }
    }

    /// `ACL SETUSER`: applies every rule to a copy, so a bad rule changes nothing.
    pub fn set_user(&mut self, name: &str, ops: &[&[u8]]) -> Result<(), (usize, SetUserError)> {
        let mut user = self.users.get(name).cloned().unwrap_or_else(|| {
            let mut u = User::new(name);
            if self.show_sanitize {
                // Before Valkey 9 a new user starts with payload sanitizing on, and says so.
                u.sanitize = Some(true);
            }
            if self.pubsub_default_all {
                u.root.all_channels = true;
            }
            u
        });
        for (i, op) in ops.iter().enumerate() {
            self.apply(&mut user, op).map_err(|e| (i, e))?;
        }
        self.users.insert(name.to_string(), user);
        Ok(())
    }

    fn apply(&self, user: &mut User, op: &[u8]) -> Result<(), SetUserError> {
        if op.is_empty() {
            return Ok(());
        }
        let lower = String::from_utf8_lossy(op).to_ascii_lowercase();
        match lower.as_str() {
            "on" => user.enabled = true,
            "off" => user.enabled = false,
            "skip-sanitize-payload" => user.sanitize = Some(false),
            "sanitize-payload" => user.sanitize = Some(true),
            "nopass" => {
                user.nopass = true;
                user.passwords.clear();
            }
            "resetpass" => {
                user.nopass = false;
                user.passwords.clear();
            }
            "clearselectors" => user.selectors.clear(),
            "reset" => {
                for step in ["resetpass", "resetkeys", "resetchannels"] {
                    self.apply(user, step.as_bytes())?;
                }
                if self.pubsub_default_all {
                    self.apply(user, b"allchannels")?;
                }
                for step in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                    self.apply(user, step.as_bytes())?;
                }
            }
            _ => match op[0] {
                b'>' | b'#' => {
                    let hash = if op[0] == b'>' { hash_password(&op[1..]) } else { valid_hash(&op[1..])? };
                    if !user.passwords.contains(&hash) {
                        user.passwords.push(hash);
                    }
                    user.nopass = false;
                }
                b'<' | b'!' => {
                    let hash = if op[0] == b'<' { hash_password(&op[1..]) } else { valid_hash(&op[1..])? };
                    let pos = user.passwords.iter().position(|p| *p == hash).ok_or(SetUserError::NoSuchPassword)?;
                    user.passwords.remove(pos);
                }
                b'(' if op.len() > 1 && op[op.len() - 1] == b')' => {
                    let inner = &op[1..op.len() - 1];
                    let tokens = crate::knowledge::profile::cparse::split_args(
                        inner,
                        crate::knowledge::profile::QuoteTail::Refused,
                    )
                    .map_err(|_| SetUserError::Syntax)?;
                    let mut selector = Selector::default();
                    for token in tokens {
                        self.apply_selector(&mut selector, &token)?;
                    }
                    user.selectors.push(selector);
                }
                _ => self.apply_selector(&mut user.root, op)?,
            },
        }
        Ok(())
    }

    fn apply_selector(&self, s: &mut Selector, op: &[u8]) -> Result<(), SetUserError> {
        let lower = String::from_utf8_lossy(op).to_ascii_lowercase();
        match lower.as_str() {
            "allkeys" | "~*" => {
                s.all_keys = true;
                s.keys.clear();
            }
            "resetkeys" => {
                s.all_keys = false;
                s.keys.clear();
            }
            "allchannels" | "&*" => {
                s.all_channels = true;
                s.channels.clear();
            }
            "resetchannels" => {
                s.all_channels = false;
                s.channels.clear();
            }
            "allcommands" | "+@all" => {
                s.all_commands = true;
                s.allowed = (0..self.command_count).collect();
                s.first_args.clear();
                s.command_rules.clear();
            }
            "nocommands" | "-@all" => {
                s.all_commands = false;
                s.allowed.clear();
                s.first_args.clear();
                s.command_rules.clear();
            }
            "alldbs" if self.db_selectors => {
                s.all_dbs = true;
                s.dbs.clear();
            }
            "resetdbs" if self.db_selectors => {
                s.all_dbs = false;
                s.dbs.clear();
            }
            _ if self.db_selectors && lower.starts_with("db=") => {
                let mut ids = Vec::new();
                for part in lower[3..].split(',') {
                    let id = crate::server::num::parse_i64(part.as_bytes())
                        .filter(|v| (0..=i64::from(i32::MAX)).contains(v))
                        .ok_or(SetUserError::Syntax)?;
                    if !ids.contains(&(id as u32)) {
                        ids.push(id as u32);
                    }
                }
                s.all_dbs = false;
                s.dbs = ids;
            }
            _ => match op[0] {
                b'~' | b'%' => {
                    if s.all_keys {
                        return Err(SetUserError::KeyAfterAll);
                    }
                    let (read, write, offset) = if op[0] == b'%' {
                        let (mut read, mut write) = (false, false);
                        let mut i = 1;
                        let mut ok = true;
                        while i < op.len() {
                            match op[i].to_ascii_uppercase() {
                                b'R' if !read => read = true,
                                b'W' if !write => write = true,
                                b'~' => {
                                    i += 1;
                                    break;
                                }
                                _ => {
                                    ok = false;
                                    break;
                                }
                            }
                            i += 1;
                        }
                        if !(read || write) || !ok {
                            return Err(SetUserError::Syntax);
                        }
                        (read, write, i)
                    } else {
                        (true, true, 1)
                    };
                    let pattern = op[offset..].to_vec();
                    if pattern.iter().any(u8::is_ascii_whitespace) {
                        return Err(SetUserError::Syntax);
                    }
                    match s.keys.iter_mut().find(|k| k.pattern == pattern) {
                        Some(existing) => {
                            existing.read |= read;
                            existing.write |= write;
                        }
                        None => s.keys.push(KeyPattern { pattern, read, write }),
                    }
                }
                b'&' => {
                    if s.all_channels {
                        return Err(SetUserError::ChannelAfterAll);
                    }
                    let pattern = op[1..].to_vec();
                    if pattern.iter().any(u8::is_ascii_whitespace) {
                        return Err(SetUserError::Syntax);
                    }
                    if !s.channels.contains(&pattern) {
                        s.channels.push(pattern);
                    }
                }
                b'+' | b'-' if op.get(1) == Some(&b'@') => {
                    let allow = op[0] == b'+';
                    let name = &lower[2..];
                    let ids = if name == "all" {
                        (0..self.command_count).collect()
                    } else {
                        let known = CATEGORIES.iter().find(|c| **c == name).ok_or(SetUserError::UnknownCommand)?;
                        self.categories.get(known).cloned().unwrap_or_default()
                    };
                    update_rules(&mut s.command_rules, &lower[1..], allow);
                    for id in ids {
                        self.set_bit(s, id, allow);
                    }
                }
                b'+' => {
                    let name = &lower[1..];
                    if let Some((cmd, sub)) = name.rsplit_once('|') {
                        let &(id, parent) = self.by_name.get(cmd).ok_or(SetUserError::UnknownCommand)?;
                        if parent.is_some() {
                            return Err(SetUserError::FirstArgOfSubcommand);
                        }
                        if sub.is_empty() {
                            return Err(SetUserError::Syntax);
                        }
                        if self.children.contains_key(&id) {
                            let &(sub_id, _) = self.by_name.get(name).ok_or(SetUserError::UnknownCommand)?;
                            self.change_perm(s, sub_id, true);
                        } else {
                            let list = s.first_args.entry(id).or_default();
                            if !list.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                                list.push(sub.to_string());
                            }
                        }
                        update_rules(&mut s.command_rules, name, true);
                    } else {
                        let &(id, _) = self.by_name.get(name).ok_or(SetUserError::UnknownCommand)?;
                        self.change_perm(s, id, true);
                        update_rules(&mut s.command_rules, name, true);
                    }
                }
                b'-' => {
                    let name = &lower[1..];
                    let &(id, _) = self.by_name.get(name).ok_or(SetUserError::UnknownCommand)?;
                    self.change_perm(s, id, false);
                    update_rules(&mut s.command_rules, name, false);
                }
                _ => return Err(SetUserError::Syntax),
            },
        }
        Ok(())
    }

    fn set_bit(&self, s: &mut Selector, id: usize, allow: bool) {
        if allow {
            s.allowed.insert(id);
        } else {
            s.allowed.remove(&id);
        }
    }

    /// `ACLChangeSelectorPerm`: a container's rule applies to its subcommands too.
    fn change_perm(&self, s: &mut Selector, id: usize, allow: bool) {
        self.set_bit(s, id, allow);
        s.first_args.remove(&id);
        for &sub in self.children.get(&id).into_iter().flatten() {
            self.set_bit(s, sub, allow);
        }
    }
}

fn valid_hash(h: &[u8]) -> Result<String, SetUserError> {
    if h.len() != 64 || !h.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {
        return Err(SetUserError::BadHash);
    }
    Ok(String::from_utf8_lossy(h).into_owned())
}

/// `ACLUpdateCommandRules`: drop earlier rules for the same command (or its subcommands),
/// then append this one.
fn update_rules(rules: &mut String, rule: &str, allow: bool) {
    let kept: Vec<&str> = rules
        .split(' ')
        .filter(|r| !r.is_empty())
        .filter(|r| {
            let name = &r[1..];
            !(name == rule
                || (name.len() > rule.len() && name.starts_with(rule) && name.as_bytes()[rule.len()] == b'|'))
        })
        .collect();
    let mut out = kept.join(" ");
    if !out.is_empty() {
        out.push(' ');
    }
    out.push(if allow { '+' } else { '-' });
    out.push_str(rule);
    *rules = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_rules_replace_earlier_ones() {
        let mut r = String::new();
        update_rules(&mut r, "get", true);
        update_rules(&mut r, "config|get", true);
        update_rules(&mut r, "@string", true);
        update_rules(&mut r, "config", false);
        assert_eq!(r, "+get +@string -config");
        update_rules(&mut r, "get", false);
        assert_eq!(r, "+@string -config -get");
    }

    #[test]
    fn hashes_passwords_with_sha256() {
        assert_eq!(hash_password(b"pw"), "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
    }
}
