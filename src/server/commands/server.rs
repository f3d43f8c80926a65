//! Server commands: INFO, CONFIG, MODULE LIST, TIME, LASTSAVE, SHUTDOWN.

use super::{Ctx, Handler, SYNTAX};
use crate::server::identity;
use crate::server::keyspace::glob_match;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("info", info),
    ("time", time),
    ("lastsave", lastsave),
    ("module|list", module_list),
    ("config|get", config_get),
    ("config|set", config_set),
    ("config|resetstat", config_resetstat),
    ("config|rewrite", config_rewrite),
    ("shutdown", shutdown),
];

fn info(ctx: &mut Ctx) {
    let args: Vec<&[u8]> = (1..ctx.argc()).map(|i| ctx.arg(i)).collect();
    let text = crate::server::info::render(ctx.srv, ctx.st, ctx.client, &args);
    ctx.reply.verbatim(text.as_bytes());
}

fn time(ctx: &mut Ctx) {
    let us = crate::server::unix_us();
    ctx.reply.array(2);
    ctx.reply.bulk_i64(us / 1_000_000);
    ctx.reply.bulk_i64(us % 1_000_000);
}

fn lastsave(ctx: &mut Ctx) {
    let t = if ctx.st.stats.last_save_unix > 0 { ctx.st.stats.last_save_unix } else { ctx.srv.started_unix };
    ctx.reply.int(t);
}

fn module_list(ctx: &mut Ctx) {
    let profile = ctx.srv.profile.clone();
    match identity::hello_field(&profile, ctx.client.resp3(), "modules") {
        Some(v) => identity::write_value(&mut ctx.reply, v),
        None => ctx.reply.empty_array(),
    }
}

/// CONFIG GET: exact names answer with the name as asked; patterns match names and aliases
/// (not hidden parameters), the result in name order without repeats.
fn config_get(ctx: &mut Ctx) {
    let mut found: Vec<(String, String)> = Vec::new();
    let listed = ctx.st.config.listed_names();
    for i in 2..ctx.argc() {
        let pattern = String::from_utf8_lossy(ctx.arg(i)).into_owned();
        let is_glob = pattern.bytes().any(|b| matches!(b, b'*' | b'?' | b'['));
        if !is_glob {
            if let Some(v) = ctx.st.config.get(&pattern) {
                if !found.iter().any(|(k, _)| k.eq_ignore_ascii_case(&pattern)) {
                    found.push((pattern.clone(), v.to_string()));
                }
            }
            continue;
        }
        for (name, hidden) in &listed {
            if *hidden || !glob_match(pattern.as_bytes(), name.as_bytes(), true) {
                continue;
            }
            if found.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(v) = ctx.st.config.get(name) {
                found.push((name.clone(), v.to_string()));
            }
        }
    }
    found.sort_by_key(|a| a.0.to_ascii_lowercase());
    ctx.reply.map(found.len());
    for (k, v) in found {
        ctx.reply.bulk_str(&k);
        ctx.reply.bulk_str(&v);
    }
}

/// CONFIG SET name value [name value …]: every pair is checked before any is applied.
fn config_set(ctx: &mut Ctx) {
    if ctx.argc() % 2 != 0 {
        ctx.err("wrong number of arguments for 'config|set' command");
        return;
    }
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    for i in (2..ctx.argc()).step_by(2) {
        let name = String::from_utf8_lossy(ctx.arg(i)).into_owned();
        let Some(param) = ctx.st.config.param(&name).cloned() else {
            ctx.err(&format!("Unknown option or number of arguments for CONFIG SET - '{name}'"));
            return;
        };
        let failed = |reason: &str| format!("CONFIG SET failed (possibly related to argument '{name}') - {reason}");
        if !param.mutable {
            ctx.err(&failed("can't set immutable config"));
            return;
        }
        if param.protected && !protected_allowed(ctx) {
            ctx.err(&failed("can't set protected config"));
            return;
        }
        if pairs.iter().any(|(n, _)| ctx.st.config.canonical(n) == ctx.st.config.canonical(&name)) {
            ctx.err(&failed("duplicate parameter"));
            return;
        }
        pairs.push((name, ctx.arg(i + 1).to_vec()));
    }
    let mut next = ctx.st.config.clone();
    for (name, value) in &pairs {
        if let Err(reason) = next.apply(name, std::slice::from_ref(value)) {
            ctx.err(&format!("CONFIG SET failed (possibly related to argument '{name}') - {reason}"));
            return;
        }
    }
    ctx.st.config = next;
    for (name, value) in &pairs {
        apply_side_effects(ctx, name, value);
    }
    ctx.st.refresh();
    ctx.reply.ok();
}

fn protected_allowed(ctx: &Ctx) -> bool {
    let setting = ctx.st.config.get("enable-protected-configs").unwrap_or("no").to_ascii_lowercase();
    let local = match &ctx.client.transport {
        crate::server::client::Transport::Unix { .. } => true,
        crate::server::client::Transport::Tcp { peer, .. } => peer.ip().is_loopback(),
    };
    setting == "yes" || (setting == "local" && local)
}

/// What a new value changes beyond the stored text.
fn apply_side_effects(ctx: &mut Ctx, name: &str, value: &[u8]) {
    match ctx.st.config.canonical(name).as_deref() {
        Some("requirepass") => ctx.st.acl.set_default_password(value),
        Some("acl-pubsub-default") => ctx.st.acl.pubsub_default_all = value.eq_ignore_ascii_case(b"allchannels"),
        // The server clamps the frequency instead of refusing it.
        Some("hz") => {
            let hz = ctx.st.config.get_int("hz").unwrap_or(10).clamp(1, 500);
            ctx.st.config.set("hz", hz.to_string());
        }
        _ => {}
    }
}

fn config_resetstat(ctx: &mut Ctx) {
    let stats = &mut ctx.st.stats;
    let keep_dirty = stats.dirty;
    let last_save = stats.last_save_unix;
    let commands = stats.commands.len();
    *stats = Default::default();
    stats.commands = vec![Default::default(); commands];
    stats.dirty = keep_dirty;
    stats.last_save_unix = last_save;
    ctx.reply.ok();
}

/// CONFIG REWRITE would overwrite the user's config file; the bundled server never does.
fn config_rewrite(ctx: &mut Ctx) {
    match &ctx.srv.config_file {
        None => ctx.err("The server is running without a config file"),
        Some(path) => ctx.err(&format!(
            "valkey-migrate: the bundled server does not rewrite config files ({} is left as it is)",
            path.display()
        )),
    }
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: stops the server; nothing is persisted.
fn shutdown(ctx: &mut Ctx) {
    let mut abort = false;
    let mut save = false;
    let mut nosave = false;
    for i in 1..ctx.argc() {
        match ctx.arg(i).to_ascii_lowercase().as_slice() {
            b"nosave" => nosave = true,
            b"save" => save = true,
            b"now" | b"force" => {}
            b"abort" => abort = true,
            _ => {
                ctx.err(SYNTAX);
                return;
            }
        }
    }
    if (abort && ctx.argc() > 2) || (save && nosave) {
        ctx.err(SYNTAX);
        return;
    }
    if abort {
        ctx.err("No shutdown in progress.");
        return;
    }
    ctx.srv.shutdown();
    ctx.client.close_after_reply = true;
}
