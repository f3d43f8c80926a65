//! ACL subcommands: users (SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI), categories,
//! DRYRUN, GENPASS and an ACL LOG that records nothing yet.

use super::{Ctx, Handler};
use crate::server::acl::{Acl, CATEGORIES, Denied, Selector};
use crate::server::request::Argv;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("acl|whoami", whoami),
    ("acl|setuser", setuser),
    ("acl|getuser", getuser),
    ("acl|deluser", deluser),
    ("acl|users", users),
    ("acl|list", list),
    ("acl|cat", cat),
    ("acl|genpass", genpass),
    ("acl|dryrun", dryrun),
    ("acl|save", save_load),
    ("acl|load", save_load),
];

fn whoami(ctx: &mut Ctx) {
    let user = ctx.client.user.clone();
    ctx.reply.bulk_str(&user);
}

fn setuser(ctx: &mut Ctx) {
    let name = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let raw: Vec<&[u8]> = (3..ctx.argc()).map(|i| ctx.arg(i)).collect();
    let merged = match Acl::merge_selectors(&raw) {
        Ok(m) => m,
        Err(j) => {
            ctx.err(&format!(
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(raw[j])
            ));
            return;
        }
    };
    let ops: Vec<&[u8]> = merged.iter().map(Vec::as_slice).collect();
    match ctx.st.acl.set_user(&name, &ops) {
        Ok(()) => {
            ctx.st.refresh();
            ctx.reply.ok()
        }
        Err((i, e)) => {
            ctx.err(&format!("Error in ACL SETUSER modifier '{}': {}", String::from_utf8_lossy(ops[i]), e.message()))
        }
    }
}

fn selector_fields(ctx: &mut Ctx, s: &Selector) {
    let keys =
        if s.all_keys { "~*".to_string() } else { s.keys.iter().map(|k| k.describe()).collect::<Vec<_>>().join(" ") };
    let channels = if s.all_channels {
        "&*".to_string()
    } else {
        s.channels.iter().map(|c| format!("&{}", String::from_utf8_lossy(c))).collect::<Vec<_>>().join(" ")
    };
    ctx.reply.bulk_str("commands");
    ctx.reply.bulk_str(&Acl::describe_commands(s));
    ctx.reply.bulk_str("keys");
    ctx.reply.bulk_str(&keys);
    ctx.reply.bulk_str("channels");
    ctx.reply.bulk_str(&channels);
    if ctx.st.acl.db_selectors {
        ctx.reply.bulk_str("databases");
        let dbs = Acl::describe_dbs(s);
        ctx.reply.bulk_str(if s.all_dbs {
            "alldbs"
        } else if s.dbs.is_empty() {
            ""
        } else {
            &dbs
        });
    }
}

fn getuser(ctx: &mut Ctx) {
    let name = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let Some(user) = ctx.st.acl.user(&name).cloned() else {
        ctx.reply.null();
        return;
    };
    let db = usize::from(ctx.st.acl.db_selectors);
    ctx.reply.map(6 + db);
    ctx.reply.bulk_str("flags");
    let flags = user.flag_words(ctx.st.acl.show_sanitize);
    ctx.reply.set(flags.len());
    for f in flags {
        ctx.reply.bulk_str(f);
    }
    ctx.reply.bulk_str("passwords");
    ctx.reply.array(user.passwords.len());
    for p in &user.passwords {
        ctx.reply.bulk_str(p);
    }
    selector_fields(ctx, &user.root);
    ctx.reply.bulk_str("selectors");
    ctx.reply.array(user.selectors.len());
    for s in &user.selectors {
        ctx.reply.map(3 + db);
        selector_fields(ctx, s);
    }
}

fn deluser(ctx: &mut Ctx) {
    let names: Vec<String> = (2..ctx.argc()).map(|i| String::from_utf8_lossy(ctx.arg(i)).into_owned()).collect();
    if names.iter().any(|n| n == "default") {
        ctx.err("The 'default' user cannot be removed");
        return;
    }
    let mut deleted = 0;
    for n in &names {
        if ctx.st.acl.users.remove(n).is_some() {
            deleted += 1;
            // Connections authenticated as a deleted user are closed.
            for c in ctx.st.clients.values_mut().filter(|c| c.user == *n) {
                c.kill = true;
                c.wake.notify_one();
            }
            if ctx.client.user == *n {
                ctx.client.close_after_reply = true;
            }
        }
    }
    ctx.reply.int(deleted);
}

fn users(ctx: &mut Ctx) {
    let names: Vec<String> = ctx.st.acl.users.keys().cloned().collect();
    ctx.reply.array(names.len());
    for n in names {
        ctx.reply.bulk_str(&n);
    }
}

fn list(ctx: &mut Ctx) {
    let lines: Vec<String> =
        ctx.st.acl.users.values().map(|u| format!("user {} {}", u.name, ctx.st.acl.describe_user(u))).collect();
    ctx.reply.array(lines.len());
    for l in lines {
        ctx.reply.bulk_str(&l);
    }
}

fn cat(ctx: &mut Ctx) {
    if ctx.argc() == 2 {
        ctx.reply.array(CATEGORIES.len());
        for c in CATEGORIES {
            ctx.reply.bulk_str(c);
        }
        return;
    }
    let wanted = String::from_utf8_lossy(ctx.arg(2)).to_ascii_lowercase();
    if !CATEGORIES.contains(&wanted.as_str()) {
        ctx.err(&format!("Unknown category '{}'", String::from_utf8_lossy(ctx.arg(2))));
        return;
    }
    let mut names: Vec<String> =
        ctx.srv.table.all().filter(|s| s.has_category(&wanted)).map(|s| s.full_name.clone()).collect();
    names.sort();
    ctx.reply.array(names.len());
    for n in names {
        ctx.reply.bulk_str(&n);
    }
}

fn genpass(ctx: &mut Ctx) {
    let bits = if ctx.argc() > 2 {
        let Some(b) = ctx.int_arg(2) else { return };
        if b <= 0 || b > 4096 {
            ctx.err(
                "ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
            );
            return;
        }
        b as usize
    } else {
        256
    };
    let chars = bits.div_ceil(4);
    ctx.reply.bulk_str(&crate::server::random_hex(chars));
}

fn dryrun(ctx: &mut Ctx) {
    let name = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let Some(user) = ctx.st.acl.user(&name).cloned() else {
        ctx.err(&format!("User '{name}' not found"));
        return;
    };
    let argv = Argv::from_slices(&(3..ctx.argc()).map(|i| ctx.arg(i)).collect::<Vec<_>>());
    let spec = match super::lookup(&ctx.srv.table, &argv) {
        Ok(spec) => spec,
        Err(_) => {
            ctx.err(&format!("Command '{}' not found", String::from_utf8_lossy(argv.get(0))));
            return;
        }
    };
    if !spec.arity_ok(argv.len()) {
        ctx.err(&format!("wrong number of arguments for '{}' command", spec.full_name));
        return;
    }
    let args: Vec<&[u8]> = argv.iter().collect();
    match ctx.st.acl.check(&user, spec, &args, ctx.client.db) {
        Ok(()) => ctx.reply.ok(),
        Err(Denied::Command) => {
            ctx.reply.bulk_str(&format!("User {name} has no permissions to run the '{}' command", spec.full_name))
        }
        Err(Denied::Key(i)) => ctx.reply.bulk_str(&format!(
            "User {name} has no permissions to access the '{}' key",
            String::from_utf8_lossy(args[i])
        )),
        Err(Denied::Channel(i)) => ctx.reply.bulk_str(&format!(
            "User {name} has no permissions to access the '{}' channel",
            String::from_utf8_lossy(args[i])
        )),
        Err(Denied::Database) => ctx.reply.bulk_str(&format!("User {name} has no permissions to access database")),
    }
}

/// Without an `aclfile` the server refuses; with one, users would be read from or written to
/// it, which the bundled server does not do.
fn save_load(ctx: &mut Ctx) {
    if !ctx.st.config.get("aclfile").unwrap_or("").is_empty() {
        ctx.err("valkey-migrate: the bundled server does not read or write ACL files");
        return;
    }
    ctx.err(
        "This instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a configuration file set) in order to store users in the configuration.",
    );
}
