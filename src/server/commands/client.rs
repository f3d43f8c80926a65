//! CLIENT subcommands: identity (ID, SETNAME, GETNAME, SETINFO, INFO, LIST), KILL and
//! UNBLOCK of other connections, and per-connection switches (REPLY, NO-EVICT, NO-TOUCH).

use super::{Ctx, Handler, NOT_INTEGER, SYNTAX};
use crate::server::client::{ClientState, ReplyMode, valid_name};
use crate::server::num::parse_i64;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("client|id", id),
    ("client|setname", setname),
    ("client|getname", getname),
    ("client|setinfo", setinfo),
    ("client|info", info),
    ("client|list", list),
    ("client|kill", kill),
    ("client|unblock", unblock),
    ("client|reply", reply),
    ("client|no-evict", no_evict),
    ("client|no-touch", no_touch),
    ("client|getredir", getredir),
    ("client|trackinginfo", trackinginfo),
    ("client|capa", capa),
];

fn id(ctx: &mut Ctx) {
    ctx.reply.int(ctx.client.id as i64);
}

fn setname(ctx: &mut Ctx) {
    let name = ctx.arg(2);
    if !valid_name(name) {
        ctx.err("Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    ctx.client.name = (!name.is_empty()).then(|| name.to_vec());
    ctx.reply.ok();
}

fn getname(ctx: &mut Ctx) {
    match &ctx.client.name {
        Some(n) => {
            let n = n.clone();
            ctx.reply.bulk(&n)
        }
        None => ctx.reply.null(),
    }
}

fn setinfo(ctx: &mut Ctx) {
    let (attr, value) = (ctx.arg(2), ctx.arg(3));
    let which = if attr.eq_ignore_ascii_case(b"lib-name") {
        "LIB-NAME"
    } else if attr.eq_ignore_ascii_case(b"lib-ver") {
        "LIB-VER"
    } else {
        ctx.err(&format!("Unrecognized option '{}'", String::from_utf8_lossy(attr)));
        return;
    };
    if !valid_name(value) {
        ctx.err(&format!("{which} cannot contain spaces, newlines or special characters."));
        return;
    }
    let v = (!value.is_empty()).then(|| value.to_vec());
    if which == "LIB-NAME" {
        ctx.client.lib_name = v;
    } else {
        ctx.client.lib_ver = v;
    }
    ctx.reply.ok();
}

/// One CLIENT LIST line (`catClientInfoString`), in the fields of the profile's version.
pub fn info_line(ctx: &Ctx, c: &ClientState, current_cmd: Option<&str>) -> String {
    let compat = ctx.srv.compat;
    let text = |v: &Option<Vec<u8>>| v.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let multi = c.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
    let multi_mem: usize = c.multi.as_ref().map_or(0, |m| m.queue.iter().map(|a| a.bytes()).sum());
    let argv_mem = if current_cmd.is_some() { ctx.argv.bytes() } else { 0 };
    let bracket = compat.bracket_unix_addr();
    let mut s = format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={}",
        c.id,
        c.addr(bracket),
        c.laddr(bracket),
        c.fd,
        text(&c.name),
        c.created.elapsed().as_secs(),
        if current_cmd.is_some() { 0 } else { c.last_interaction.elapsed().as_secs() },
        c.flags()
    );
    if compat.valkey && compat.at_least(8, 0) {
        s.push_str(" capa=");
        s.push_str(&c.capa);
    }
    s.push_str(&format!(
        " db={} sub={} psub={} ssub={} multi={multi}",
        c.db,
        c.channels.len(),
        c.patterns.len(),
        c.shard_channels.len()
    ));
    if compat.valkey || compat.at_least(7, 2) {
        s.push_str(&format!(" watch={}", c.watched.len()));
    }
    let cmd = match current_cmd {
        Some(name) => name.to_string(),
        None => c.last_cmd.and_then(|id| ctx.srv.table.names().get(id)).cloned().unwrap_or_else(|| "NULL".into()),
    };
    s.push_str(&format!(
        " qbuf=0 qbuf-free=0 argv-mem={argv_mem} multi-mem={multi_mem} rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem={} events=r cmd={cmd} user={} redir=-1 resp={}",
        1024 + multi_mem + argv_mem,
        c.user,
        c.resp
    ));
    if compat.valkey || compat.at_least(7, 2) {
        s.push_str(&format!(" lib-name={} lib-ver={}", text(&c.lib_name), text(&c.lib_ver)));
    }
    if !compat.valkey && compat.at_least(8, 0) {
        s.push_str(" io-thread=0");
    }
    if (compat.valkey && compat.at_least(8, 0)) || (!compat.valkey && compat.at_least(8, 0)) {
        s.push_str(&format!(" tot-net-in={} tot-net-out={} tot-cmds={}", c.net_in, c.net_out, c.commands));
    }
    s.push('\n');
    s
}

fn info(ctx: &mut Ctx) {
    let line = info_line(ctx, ctx.client, Some("client|info"));
    ctx.reply.verbatim(line.as_bytes());
}

/// Filters shared by CLIENT LIST and CLIENT KILL.
#[derive(Default)]
struct Filter {
    ids: Option<Vec<u64>>,
    kind: Option<String>,
    user: Option<String>,
    addr: Option<String>,
    laddr: Option<String>,
    skipme: Option<bool>,
    maxage: Option<u64>,
    name: Option<Vec<u8>>,
    idle: Option<u64>,
    lib_name: Option<Vec<u8>>,
    lib_ver: Option<Vec<u8>>,
    db: Option<usize>,
    ip: Option<String>,
}

fn parse_filter(ctx: &mut Ctx, from: usize, for_kill: bool) -> Option<Filter> {
    let mut f = Filter::default();
    let mut i = from;
    while i < ctx.argc() {
        let opt = ctx.arg(i).to_ascii_lowercase();
        if opt == b"id" && i + 1 < ctx.argc() {
            let mut ids = Vec::new();
            i += 1;
            // LIST takes several ids, KILL one per ID keyword.
            while i < ctx.argc() {
                match parse_i64(ctx.arg(i)) {
                    Some(n) if n > 0 => ids.push(n as u64),
                    _ if !ids.is_empty() && !for_kill => break,
                    _ => {
                        ctx.err(SYNTAX);
                        return None;
                    }
                }
                i += 1;
                if for_kill {
                    break;
                }
            }
            f.ids.get_or_insert_with(Vec::new).extend(ids);
            continue;
        }
        if i + 1 >= ctx.argc() {
            ctx.err(SYNTAX);
            return None;
        }
        let value = ctx.arg(i + 1);
        let text = String::from_utf8_lossy(value).into_owned();
        // Valkey 9 added filters by name, idle time, library, database, capability and IP.
        let extended = ctx.srv.compat.valkey && ctx.srv.compat.at_least(9, 0);
        if !extended
            && matches!(
                opt.as_slice(),
                b"name" | b"idle" | b"lib-name" | b"lib-ver" | b"db" | b"capa" | b"ip" | b"flags"
            )
        {
            ctx.err(SYNTAX);
            return None;
        }
        match opt.as_slice() {
            b"type" => {
                let t = text.to_ascii_lowercase();
                if !["normal", "master", "primary", "replica", "slave", "pubsub"].contains(&t.as_str()) {
                    ctx.err(&format!("Unknown client type '{text}'"));
                    return None;
                }
                f.kind = Some(t);
            }
            b"user" => {
                if for_kill && ctx.st.acl.user(&text).is_none() {
                    ctx.err(&format!("No such user '{text}'"));
                    return None;
                }
                f.user = Some(text)
            }
            b"addr" => f.addr = Some(text),
            b"laddr" => f.laddr = Some(text),
            b"ip" => f.ip = Some(text),
            b"name" => f.name = Some(value.to_vec()),
            b"lib-name" => f.lib_name = Some(value.to_vec()),
            b"lib-ver" => f.lib_ver = Some(value.to_vec()),
            b"skipme" => match text.to_ascii_lowercase().as_str() {
                "yes" => f.skipme = Some(true),
                "no" => f.skipme = Some(false),
                _ => {
                    ctx.err(SYNTAX);
                    return None;
                }
            },
            b"maxage" | b"idle" | b"db" => {
                let Some(n) = parse_i64(value).filter(|n| *n >= 0) else {
                    ctx.err(SYNTAX);
                    return None;
                };
                match opt.as_slice() {
                    b"maxage" => f.maxage = Some(n as u64),
                    b"idle" => f.idle = Some(n as u64),
                    _ => f.db = Some(n as usize),
                }
            }
            _ => {
                ctx.err(SYNTAX);
                return None;
            }
        }
        i += 2;
    }
    Some(f)
}

fn matches(ctx: &Ctx, f: &Filter, c: &ClientState) -> bool {
    let bracket = ctx.srv.compat.bracket_unix_addr();
    if f.ids.as_ref().is_some_and(|ids| !ids.contains(&c.id)) {
        return false;
    }
    if let Some(kind) = &f.kind {
        let is_pubsub = c.in_pubsub();
        let ok = match kind.as_str() {
            "normal" => !is_pubsub,
            "pubsub" => is_pubsub,
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    f.user.as_ref().is_none_or(|u| *u == c.user)
        && f.addr.as_ref().is_none_or(|a| *a == c.addr(bracket) || *a == c.addr(false))
        && f.laddr.as_ref().is_none_or(|a| *a == c.laddr(bracket) || *a == c.laddr(false))
        && f.ip.as_ref().is_none_or(|ip| *ip == c.ip())
        && f.maxage.is_none_or(|m| c.created.elapsed().as_secs() >= m)
        && f.idle.is_none_or(|m| c.last_interaction.elapsed().as_secs() >= m)
        && f.name.as_ref().is_none_or(|n| c.name.as_deref().unwrap_or_default() == n.as_slice())
        && f.lib_name.as_ref().is_none_or(|n| c.lib_name.as_deref().unwrap_or_default() == n.as_slice())
        && f.lib_ver.as_ref().is_none_or(|n| c.lib_ver.as_deref().unwrap_or_default() == n.as_slice())
        && f.db.is_none_or(|d| d == c.db)
}

fn list(ctx: &mut Ctx) {
    let Some(f) = parse_filter(ctx, 2, false) else { return };
    let mut ids: Vec<u64> = ctx.st.clients.keys().copied().chain(std::iter::once(ctx.client.id)).collect();
    ids.sort_unstable();
    let mut out = String::new();
    for id in ids {
        if id == ctx.client.id {
            if f.skipme != Some(true) && matches(ctx, &f, ctx.client) {
                out.push_str(&info_line(ctx, ctx.client, Some("client|list")));
            }
        } else if let Some(c) = ctx.st.clients.get(&id) {
            if matches(ctx, &f, c) {
                out.push_str(&info_line(ctx, c, None));
            }
        }
    }
    ctx.reply.verbatim(out.as_bytes());
}

fn kill(ctx: &mut Ctx) {
    // Old form: CLIENT KILL addr.
    if ctx.argc() == 3 {
        let addr = String::from_utf8_lossy(ctx.arg(2)).into_owned();
        let f = Filter { addr: Some(addr), skipme: Some(false), ..Filter::default() };
        if kill_matching(ctx, &f) == 0 {
            ctx.err("No such client");
        } else {
            ctx.reply.ok();
        }
        return;
    }
    let Some(mut f) = parse_filter(ctx, 2, true) else { return };
    if f.skipme.is_none() {
        f.skipme = Some(true);
    }
    let n = kill_matching(ctx, &f);
    ctx.reply.int(n as i64);
}

fn kill_matching(ctx: &mut Ctx, f: &Filter) -> usize {
    let ids: Vec<u64> = ctx.st.clients.iter().filter(|(_, c)| matches(ctx, f, c)).map(|(id, _)| *id).collect();
    for id in &ids {
        if let Some(c) = ctx.st.clients.get_mut(id) {
            c.kill = true;
            c.wake.notify_one();
        }
    }
    let mut n = ids.len();
    if f.skipme == Some(false) && matches(ctx, f, ctx.client) {
        ctx.client.close_after_reply = true;
        n += 1;
    }
    n
}

fn unblock(ctx: &mut Ctx) {
    let Some(id) = parse_i64(ctx.arg(2)) else {
        ctx.err(NOT_INTEGER);
        return;
    };
    let with_error = match ctx.argc() {
        3 => false,
        4 if ctx.arg(3).eq_ignore_ascii_case(b"timeout") => false,
        4 if ctx.arg(3).eq_ignore_ascii_case(b"error") => true,
        _ => {
            ctx.err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    };
    let done = id > 0 && super::blocking::unblock(ctx.st, id as u64, with_error);
    ctx.reply.int(i64::from(done));
}

fn reply(ctx: &mut Ctx) {
    match ctx.arg(2).to_ascii_lowercase().as_slice() {
        b"on" => {
            ctx.client.reply_mode = ReplyMode::On;
            ctx.reply.ok();
        }
        b"off" => ctx.client.reply_mode = ReplyMode::Off,
        b"skip" => {
            if ctx.client.reply_mode != ReplyMode::Off {
                ctx.client.reply_mode = ReplyMode::SkipNext;
            }
        }
        _ => ctx.err(SYNTAX),
    }
}

fn on_off(ctx: &mut Ctx) -> Option<bool> {
    match ctx.arg(2).to_ascii_lowercase().as_slice() {
        b"on" => Some(true),
        b"off" => Some(false),
        _ => {
            ctx.err(SYNTAX);
            None
        }
    }
}

fn no_evict(ctx: &mut Ctx) {
    if let Some(v) = on_off(ctx) {
        ctx.client.no_evict = v;
        ctx.reply.ok();
    }
}

fn no_touch(ctx: &mut Ctx) {
    if let Some(v) = on_off(ctx) {
        ctx.client.no_touch = v;
        ctx.reply.ok();
    }
}

fn getredir(ctx: &mut Ctx) {
    ctx.reply.int(-1);
}

/// Tracking is not offered, so the report is always "off".
fn trackinginfo(ctx: &mut Ctx) {
    ctx.reply.map(3);
    ctx.reply.bulk_str("flags");
    ctx.reply.set(1);
    ctx.reply.bulk_str("off");
    ctx.reply.bulk_str("redirect");
    ctx.reply.int(-1);
    ctx.reply.bulk_str("prefixes");
    ctx.reply.empty_array();
}

/// CLIENT CAPA (Valkey 8): capabilities a client claims; unknown ones are ignored.
fn capa(ctx: &mut Ctx) {
    for i in 2..ctx.argc() {
        if ctx.arg(i).eq_ignore_ascii_case(b"redirect") && !ctx.client.capa.contains('r') {
            ctx.client.capa.push('r');
        }
    }
    ctx.reply.ok();
}
