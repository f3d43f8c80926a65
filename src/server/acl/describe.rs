//! How users and selectors are printed back (`ACL GETUSER`, `ACL LIST`), in the server's
//! own order and words.

use super::{Acl, Selector, User};

impl Acl {
    /// `ACLDescribeSelectorCommandRules`.
    pub fn describe_commands(s: &Selector) -> String {
        let base = if s.all_commands { "+@all" } else { "-@all" };
        if s.command_rules.is_empty() { base.to_string() } else { format!("{base} {}", s.command_rules) }
    }

    /// `alldbs`, `resetdbs` or `db=0,1`.
    pub fn describe_dbs(s: &Selector) -> String {
        if s.all_dbs {
            "alldbs".into()
        } else if s.dbs.is_empty() {
            "resetdbs".into()
        } else {
            format!("db={}", s.dbs.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
        }
    }

    /// Whether a selector lets a command touch database `db`.
    pub fn db_allowed(s: &Selector, db: usize) -> bool {
        s.all_dbs || s.dbs.contains(&(db as u32))
    }

    /// `ACLDescribeSelector`: keys, channels, then commands.
    pub fn describe_selector(s: &Selector) -> String {
        let mut out = String::new();
        if s.all_keys {
            out.push_str("~* ");
        } else {
            for k in &s.keys {
                out.push_str(&k.describe());
                out.push(' ');
            }
        }
        if s.all_channels {
            out.push_str("&* ");
        } else {
            out.push_str("resetchannels ");
            for c in &s.channels {
                out.push('&');
                out.push_str(&String::from_utf8_lossy(c));
                out.push(' ');
            }
        }
        if !s.all_dbs {
            out.push_str(&Self::describe_dbs(s));
            out.push(' ');
        }
        out.push_str(&Self::describe_commands(s));
        out
    }

    /// `ACLDescribeUser`: the ACL LIST line after `user <name> `.
    pub fn describe_user(&self, u: &User) -> String {
        let mut out = String::new();
        for f in u.flag_words(self.show_sanitize) {
            out.push_str(f);
            out.push(' ');
        }
        for p in &u.passwords {
            out.push('#');
            out.push_str(p);
            out.push(' ');
        }
        out.push_str(&Self::describe_selector(&u.root));
        for s in &u.selectors {
            out.push_str(&format!(" ({})", Self::describe_selector(s)));
        }
        out
    }
}
