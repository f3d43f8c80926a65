//! The permission check before every command: command bits, key patterns by read/write
//! access, channels, databases, and extra selectors.

use super::{Acl, Denied, Selector, User};
use crate::server::keyspace::glob_match;
use crate::server::table::CommandSpec;

impl Acl {
    /// `ACLCheckAllUserCommandPerm`: whether the user may run this command with these
    /// arguments. Keys are checked with read/write permission by the command's flags.
    pub fn check(&self, user: &User, spec: &CommandSpec, argv: &[&[u8]], db: usize) -> Result<(), Denied> {
        let mut first_denial = None;
        for (i, s) in std::iter::once(&user.root).chain(user.selectors.iter()).enumerate() {
            match self.check_selector(s, spec, argv, db) {
                Ok(()) => return Ok(()),
                Err(d) if i == 0 => first_denial = Some(d),
                Err(d) => {
                    // A selector's key or channel denial is more informative than "command".
                    if first_denial == Some(Denied::Command) && d != Denied::Command {
                        first_denial = Some(d);
                    }
                }
            }
        }
        Err(first_denial.unwrap_or(Denied::Command))
    }

    fn check_selector(&self, s: &Selector, spec: &CommandSpec, argv: &[&[u8]], db: usize) -> Result<(), Denied> {
        if !s.allowed.contains(&spec.id) {
            // `+cmd|arg` exceptions exist only for commands without subcommands.
            let ok = match (s.first_args.get(&spec.id), argv.get(1)) {
                (Some(list), Some(arg)) => list.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(arg)),
                _ => false,
            };
            if !ok {
                return Err(Denied::Command);
            }
        }
        if !s.all_dbs {
            // SELECT names the database it will use; commands on keys use the current one.
            let target = if spec.full_name == "select" {
                argv.get(1).and_then(|a| crate::server::num::parse_i64(a)).map(|d| d.max(0) as usize)
            } else if spec.keys.first > 0 {
                Some(db)
            } else {
                None
            };
            if target.is_some_and(|d| !Self::db_allowed(s, d)) {
                return Err(Denied::Database);
            }
        }
        if !s.all_keys {
            let (need_read, need_write) = (spec.flags.readonly || !spec.flags.write, spec.flags.write);
            for i in spec.key_indexes(argv.len()) {
                let key = argv[i];
                let allowed = s
                    .keys
                    .iter()
                    .any(|k| (!need_read || k.read) && (!need_write || k.write) && glob_match(&k.pattern, key, false));
                if !allowed {
                    return Err(Denied::Key(i));
                }
            }
        }
        if !s.all_channels {
            for (i, channel, is_pattern) in channel_args(spec, argv) {
                let allowed = s
                    .channels
                    .iter()
                    .any(|c| if is_pattern { c.as_slice() == channel } else { glob_match(c, channel, false) });
                if !allowed {
                    return Err(Denied::Channel(i));
                }
            }
        }
        Ok(())
    }

    /// Whether the user may use a channel (for pattern subscriptions the pattern itself
    /// must be listed).
    pub fn channel_allowed(user: &User, channel: &[u8], is_pattern: bool) -> bool {
        std::iter::once(&user.root).chain(user.selectors.iter()).any(|s| {
            s.all_channels
                || s.channels
                    .iter()
                    .any(|c| if is_pattern { c.as_slice() == channel } else { glob_match(c, channel, false) })
        })
    }
}

/// The channel arguments of pub/sub commands: (argument index, channel, is a pattern).
fn channel_args<'a>(spec: &CommandSpec, argv: &[&'a [u8]]) -> Vec<(usize, &'a [u8], bool)> {
    match spec.full_name.as_str() {
        "publish" | "spublish" => argv.get(1).map(|c| vec![(1, *c, false)]).unwrap_or_default(),
        "subscribe" | "ssubscribe" => (1..argv.len()).map(|i| (i, argv[i], false)).collect(),
        "psubscribe" => (1..argv.len()).map(|i| (i, argv[i], true)).collect(),
        _ => Vec::new(),
    }
}
