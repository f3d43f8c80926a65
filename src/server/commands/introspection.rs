//! COMMAND and its subcommands, answered from the profile's command table in the shapes the
//! server uses (flags and categories as status strings, key specs and docs as maps whose
//! keys come in the recorded order).

use super::{Ctx, Handler, SYNTAX};
use crate::knowledge::profile::{Argument, Command, CommandTable, KeySpec};
use crate::server::keyspace::glob_match;
use crate::server::reply::Reply;
use std::collections::BTreeMap;

pub const COMMANDS: &[(&str, Handler)] = &[
    ("command", command),
    ("command|count", command_count),
    ("command|list", command_list),
    ("command|info", command_info),
    ("command|docs", command_docs),
    ("command|getkeys", command_getkeys),
    ("command|getkeysandflags", command_getkeysandflags),
];

fn table(ctx: &Ctx) -> Option<std::sync::Arc<CommandTable>> {
    ctx.srv.profile.commands().ok()
}

fn command(ctx: &mut Ctx) {
    let Some(t) = table(ctx) else { return ctx.reply.empty_array() };
    let top: Vec<&Command> = t.top_level().collect();
    ctx.reply.array(top.len());
    for c in top {
        write_info(ctx, &t, c);
    }
}

fn command_count(ctx: &mut Ctx) {
    let n = table(ctx).map_or(0, |t| t.top_level().count());
    ctx.reply.int(n as i64);
}

fn command_list(ctx: &mut Ctx) {
    let Some(t) = table(ctx) else { return ctx.reply.empty_array() };
    enum Filter {
        None,
        /// No module commands exist in the bundled server.
        Module,
        AclCat(String),
        Pattern(Vec<u8>),
    }
    let filter = match ctx.argc() {
        2 => Filter::None,
        5 if ctx.arg(2).eq_ignore_ascii_case(b"filterby") => {
            let value = ctx.arg(4).to_vec();
            match ctx.arg(3).to_ascii_lowercase().as_slice() {
                b"module" => Filter::Module,
                b"aclcat" => Filter::AclCat(String::from_utf8_lossy(&value).to_ascii_lowercase()),
                b"pattern" => Filter::Pattern(value),
                _ => return ctx.err(SYNTAX),
            }
        }
        _ => return ctx.err(SYNTAX),
    };
    let names: Vec<&str> = t
        .commands
        .iter()
        .filter(|c| match &filter {
            Filter::None => true,
            Filter::Module => false,
            Filter::AclCat(cat) => c.acl_categories.iter().any(|a| a.trim_start_matches('@').eq_ignore_ascii_case(cat)),
            Filter::Pattern(p) => glob_match(p, c.name.as_bytes(), true),
        })
        .map(|c| c.name.as_str())
        .collect();
    ctx.reply.array(names.len());
    for n in names {
        ctx.reply.bulk_str(n);
    }
}

/// The entry a name refers to: `get`, `config|get`, or `CONFIG GET` spelled in two words is
/// not accepted here (COMMAND INFO takes full names).
fn find<'t>(t: &'t CommandTable, name: &[u8]) -> Option<&'t Command> {
    t.get(&String::from_utf8_lossy(name))
}

fn command_info(ctx: &mut Ctx) {
    let Some(t) = table(ctx) else { return ctx.reply.empty_array() };
    if ctx.argc() == 2 {
        return command(ctx);
    }
    ctx.reply.array(ctx.argc() - 2);
    for i in 2..ctx.argc() {
        match find(&t, ctx.arg(i)) {
            Some(c) => write_info(ctx, &t, c),
            None => ctx.reply.null(),
        }
    }
}

fn write_info(ctx: &mut Ctx, t: &CommandTable, c: &Command) {
    let format = &ctx.srv.profile.command_format;
    // Before Valkey 9 a command without subcommands sends an empty set there, not an
    // empty array; the profile records which shapes the server used.
    let empty_subs_as_set = format.kinds.get("info[9]").is_some_and(|k| k.iter().any(|x| x == "set"));
    let fields = info_fields(format);
    let r = &mut ctx.reply;
    write_info_entry(r, &format.orders, t, c, InfoShape { empty_subs_as_set, fields });
}

/// How a `COMMAND INFO` entry is shaped for the profile's server.
#[derive(Clone, Copy)]
struct InfoShape {
    empty_subs_as_set: bool,
    /// 10 since Redis 7 (tips, key specs, subcommands); 7 before.
    fields: usize,
}

/// The number of fields of an entry, from the positions the profile saw.
fn info_fields(format: &crate::knowledge::profile::CommandFormat) -> usize {
    match (0..10).take_while(|i| format.kinds.contains_key(&format!("info[{i}]"))).count() {
        0 => 10,
        n => n,
    }
}

fn write_info_entry(
    r: &mut Reply,
    orders: &BTreeMap<String, Vec<String>>,
    t: &CommandTable,
    c: &Command,
    shape: InfoShape,
) {
    r.array(shape.fields);
    r.bulk_str(&c.name);
    r.int(c.arity);
    r.set(c.flags.len());
    for f in &c.flags {
        r.simple(f);
    }
    r.int(c.first_key);
    r.int(c.last_key);
    r.int(c.step);
    r.set(c.acl_categories.len());
    for a in &c.acl_categories {
        r.simple(a);
    }
    if shape.fields < 10 {
        return;
    }
    r.set(c.tips.len());
    for tip in &c.tips {
        r.bulk_str(tip);
    }
    r.set(c.key_specs.len());
    for ks in &c.key_specs {
        write_key_spec(r, orders, ks);
    }
    let subs: Vec<&Command> = if c.name.contains('|') { Vec::new() } else { t.subcommands(&c.name).collect() };
    if subs.is_empty() && shape.empty_subs_as_set {
        r.set(0);
        return;
    }
    r.array(subs.len());
    for s in subs {
        write_info_entry(r, orders, t, s, shape);
    }
}

fn ordered<'a>(
    orders: &'a BTreeMap<String, Vec<String>>,
    kind: &str,
    keys: impl Iterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut keys: Vec<&str> = keys.collect();
    if let Some(order) = orders.get(kind) {
        keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    }
    keys
}

fn write_toml_value(r: &mut Reply, v: &toml::Value) {
    match v {
        toml::Value::Integer(i) => r.int(*i),
        toml::Value::String(s) => r.bulk_str(s),
        toml::Value::Boolean(b) => r.bool(*b),
        other => r.bulk_str(&other.to_string()),
    }
}

fn write_key_spec(r: &mut Reply, orders: &BTreeMap<String, Vec<String>>, ks: &KeySpec) {
    r.map(3 + usize::from(ks.notes.is_some()));
    if let Some(n) = &ks.notes {
        r.bulk_str("notes");
        r.bulk_str(n);
    }
    r.bulk_str("flags");
    r.set(ks.flags.len());
    for f in &ks.flags {
        r.simple(f);
    }
    for (label, search, kind) in [
        ("begin_search", &ks.begin_search, "key_spec.begin_search.spec"),
        ("find_keys", &ks.find_keys, "key_spec.find_keys.spec"),
    ] {
        r.bulk_str(label);
        r.map(2);
        r.bulk_str("type");
        r.bulk_str(&search.kind);
        r.bulk_str("spec");
        let keys = ordered(orders, kind, search.spec.keys().map(String::as_str));
        r.map(keys.len());
        for k in keys {
            r.bulk_str(k);
            write_toml_value(r, &search.spec[k]);
        }
    }
}

fn command_docs(ctx: &mut Ctx) {
    let Some(t) = table(ctx) else { return ctx.reply.map(0) };
    let wanted: Vec<&Command> = if ctx.argc() == 2 {
        t.top_level().collect()
    } else {
        (2..ctx.argc()).filter_map(|i| find(&t, ctx.arg(i))).collect()
    };
    let orders = ctx.srv.profile.command_format.orders.clone();
    ctx.reply.map(wanted.len());
    for c in wanted {
        ctx.reply.bulk_str(&c.name);
        write_docs(&mut ctx.reply, &orders, &t, c);
    }
}

fn write_docs(r: &mut Reply, orders: &BTreeMap<String, Vec<String>>, t: &CommandTable, c: &Command) {
    let d = c.docs.clone().unwrap_or_default();
    let subs: Vec<&Command> = if c.name.contains('|') { Vec::new() } else { t.subcommands(&c.name).collect() };
    let mut keys: Vec<&str> = vec!["group"];
    for (k, present) in [
        ("summary", d.summary.is_some()),
        ("since", d.since.is_some()),
        ("complexity", d.complexity.is_some()),
        ("module", d.module.is_some()),
        ("doc_flags", !d.doc_flags.is_empty()),
        ("deprecated_since", d.deprecated_since.is_some()),
        ("replaced_by", d.replaced_by.is_some()),
        ("history", !d.history.is_empty()),
        ("arguments", !d.arguments.is_empty()),
        ("subcommands", !subs.is_empty()),
    ] {
        if present {
            keys.push(k);
        }
    }
    let keys = ordered(orders, "docs", keys.into_iter());
    r.map(keys.len());
    for k in keys {
        r.bulk_str(k);
        match k {
            "summary" => r.bulk_str(d.summary.as_deref().unwrap_or("")),
            "since" => r.bulk_str(d.since.as_deref().unwrap_or("")),
            "group" => r.bulk_str(d.group.as_deref().unwrap_or("")),
            "complexity" => r.bulk_str(d.complexity.as_deref().unwrap_or("")),
            "module" => r.bulk_str(d.module.as_deref().unwrap_or("")),
            "deprecated_since" => r.bulk_str(d.deprecated_since.as_deref().unwrap_or("")),
            "replaced_by" => r.bulk_str(d.replaced_by.as_deref().unwrap_or("")),
            "doc_flags" => {
                r.set(d.doc_flags.len());
                for f in &d.doc_flags {
                    r.simple(f);
                }
            }
            "history" => {
                r.set(d.history.len());
                for (version, change) in &d.history {
                    r.array(2);
                    r.bulk_str(version);
                    r.bulk_str(change);
                }
            }
            "arguments" => write_args(r, orders, &d.arguments),
            "subcommands" => {
                r.map(subs.len());
                for s in &subs {
                    r.bulk_str(&s.name);
                    write_docs(r, orders, t, s);
                }
            }
            _ => r.null(),
        }
    }
}

fn write_args(r: &mut Reply, orders: &BTreeMap<String, Vec<String>>, args: &[Argument]) {
    r.array(args.len());
    for a in args {
        let mut keys: Vec<&str> = vec!["name", "type"];
        for (k, present) in [
            ("display_text", a.display_text.is_some()),
            ("key_spec_index", a.key_spec_index.is_some()),
            ("token", a.token.is_some()),
            ("summary", a.summary.is_some()),
            ("since", a.since.is_some()),
            ("deprecated_since", a.deprecated_since.is_some()),
            ("flags", !a.flags.is_empty()),
            ("arguments", !a.arguments.is_empty()),
            ("value", a.value.is_some()),
        ] {
            if present {
                keys.push(k);
            }
        }
        let keys = ordered(orders, "arg", keys.into_iter());
        r.map(keys.len());
        for k in keys {
            r.bulk_str(k);
            match k {
                "name" => r.bulk_str(&a.name),
                "type" => r.bulk_str(&a.kind),
                "display_text" => r.bulk_str(a.display_text.as_deref().unwrap_or("")),
                "key_spec_index" => r.int(a.key_spec_index.unwrap_or(-1)),
                "token" => r.bulk_str(a.token.as_deref().unwrap_or("")),
                "summary" => r.bulk_str(a.summary.as_deref().unwrap_or("")),
                "since" => r.bulk_str(a.since.as_deref().unwrap_or("")),
                "deprecated_since" => r.bulk_str(a.deprecated_since.as_deref().unwrap_or("")),
                "value" => r.bulk_str(a.value.as_deref().unwrap_or("")),
                "flags" => {
                    r.set(a.flags.len());
                    for f in &a.flags {
                        r.simple(f);
                    }
                }
                "arguments" => write_args(r, orders, &a.arguments),
                _ => r.null(),
            }
        }
    }
}

/// The keys of a command line, from its key specs; `None` with the server's error text.
pub fn keys_of(cmd: &Command, argv: &[&[u8]]) -> Result<Vec<(usize, Vec<String>)>, &'static str> {
    let mut out = Vec::new();
    for ks in &cmd.key_specs {
        let int = |s: &crate::knowledge::profile::KeySearch, k: &str| {
            s.spec.get(k).and_then(toml::Value::as_integer).unwrap_or(0)
        };
        let argc = argv.len() as i64;
        let first = match ks.begin_search.kind.as_str() {
            "index" => int(&ks.begin_search, "index"),
            "keyword" => {
                let keyword = ks.begin_search.spec.get("keyword").and_then(toml::Value::as_str).unwrap_or("");
                let start = int(&ks.begin_search, "startfrom");
                let range: Vec<i64> =
                    if start >= 0 { (start..argc).collect() } else { (1..=argc + start).rev().collect() };
                match range.into_iter().find(|&i| argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes())) {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            _ => continue,
        };
        if first >= argc {
            continue;
        }
        let (last, step) = match ks.find_keys.kind.as_str() {
            "range" => {
                let last = int(&ks.find_keys, "lastkey");
                let step = int(&ks.find_keys, "keystep").max(1);
                let limit = int(&ks.find_keys, "limit");
                let last = if last >= 0 {
                    first + last
                } else if limit <= 1 {
                    argc + last
                } else {
                    first + ((argc - first) / limit) + last
                };
                (last, step)
            }
            "keynum" => {
                let idx = first + int(&ks.find_keys, "keynumidx");
                let Some(n) = argv.get(idx as usize).and_then(|v| crate::server::num::parse_i64(v)) else {
                    return Err("Invalid arguments specified for command");
                };
                let firstkey = first + int(&ks.find_keys, "firstkey");
                let step = int(&ks.find_keys, "keystep").max(1);
                let last = firstkey + (n - 1) * step;
                if n <= 0 {
                    continue;
                }
                if last >= argc {
                    return Err("Invalid arguments specified for command");
                }
                out.extend((firstkey..=last).step_by(step as usize).map(|i| (i as usize, ks.flags.clone())));
                continue;
            }
            _ => continue,
        };
        let mut i = first;
        while i <= last && i < argc {
            out.push((i as usize, ks.flags.clone()));
            i += step;
        }
    }
    Ok(out)
}

fn getkeys(ctx: &mut Ctx, with_flags: bool) {
    let Some(t) = table(ctx) else { return ctx.err("Invalid command specified") };
    let argv: Vec<&[u8]> = (2..ctx.argc()).map(|i| ctx.arg(i)).collect();
    let name = String::from_utf8_lossy(argv[0]).to_ascii_lowercase();
    let top = t.get(&name);
    let cmd = match top {
        Some(c) if t.subcommands(&c.name).next().is_some() && argv.len() > 1 => {
            t.get(&format!("{}|{}", c.name, String::from_utf8_lossy(argv[1]).to_ascii_lowercase()))
        }
        other => other,
    };
    let Some(cmd) = cmd else { return ctx.err("Invalid command specified") };
    let argc = argv.len() as i64;
    if (cmd.arity > 0 && cmd.arity != argc) || argc < -cmd.arity {
        return ctx.err("Invalid number of arguments specified for command");
    }
    let mut keys = match keys_of(cmd, &argv) {
        Ok(k) => k,
        Err(e) => return ctx.err(e),
    };
    // SET has its own key finder: without GET it only overwrites (`setGetKeys`).
    if cmd.name == "set" {
        let has_get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
        for (_, flags) in &mut keys {
            *flags = if has_get {
                vec!["RW".into(), "access".into(), "update".into()]
            } else {
                vec!["OW".into(), "update".into()]
            };
        }
    }
    if keys.is_empty() {
        return ctx.err("The command has no key arguments");
    }
    ctx.reply.array(keys.len());
    for (i, flags) in keys {
        if with_flags {
            ctx.reply.array(2);
            ctx.reply.bulk(argv[i]);
            ctx.reply.set(flags.len());
            for f in &flags {
                ctx.reply.simple(f);
            }
        } else {
            ctx.reply.bulk(argv[i]);
        }
    }
}

fn command_getkeys(ctx: &mut Ctx) {
    getkeys(ctx, false);
}

fn command_getkeysandflags(ctx: &mut Ctx) {
    getkeys(ctx, true);
}
