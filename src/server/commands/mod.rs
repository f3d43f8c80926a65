//! Dispatch (`processCommand`): look the command up in the profile's table, check arity,
//! authentication, ACL, transaction and pub/sub context in the server's order, then queue it
//! (inside MULTI) or call its handler. One module per command family holds the handlers.

pub mod acl_cmd;
pub mod blocking;
pub mod client;
pub mod connection;
pub mod hashes;
pub mod introspection;
pub mod keys;
pub mod lists;
pub mod notify;
pub mod pubsub;
pub mod server;
pub mod sets;
pub mod strings;
pub mod transactions;
pub mod zset_ops;
pub mod zset_pops;
pub mod zsets;

use super::Server;
use super::client::{ClientState, ReplyMode};
use super::keyspace::{Db, Value};
use super::reply::Reply;
use super::request::Argv;
use super::state::State;
use super::table::{CommandSpec, CommandTable};
use crate::knowledge::Profile;
use std::collections::HashMap;

pub type Handler = fn(&mut Ctx);

/// A helper failed and has already written the error reply; the handler just returns.
#[derive(Debug, Clone, Copy)]
pub struct Replied;
pub type Handlers = HashMap<&'static str, Handler>;

pub const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value";
pub const SYNTAX: &str = "syntax error";
pub const NOT_INTEGER: &str = "value is not an integer or out of range";
pub const NOT_FLOAT: &str = "value is not a valid float";

/// Everything a handler can reach while it runs.
pub struct Ctx<'a> {
    pub srv: &'a Server,
    pub st: &'a mut State,
    pub client: &'a mut ClientState,
    pub reply: Reply<'a>,
    pub argv: &'a Argv,
    /// Unix milliseconds, fixed for the whole command (the server's command time snapshot).
    pub now: i64,
    /// Running inside EXEC (or re-running for a woken blocked client): never block.
    pub in_exec: bool,
    /// Re-running a blocked command whose key became ready.
    pub retry: bool,
    /// Set by a blocking handler that must wait.
    pub block: Option<blocking::BlockRequest>,
}

impl<'a> Ctx<'a> {
    pub fn arg(&self, i: usize) -> &'a [u8] {
        self.argv.get(i)
    }

    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    pub fn db(&mut self) -> &mut Db {
        let i = self.client.db;
        &mut self.st.dbs[i]
    }

    /// Writes a simple error, the `-ERR` prefix added unless the text has its own code.
    pub fn err(&mut self, msg: &str) {
        self.reply.error(msg);
    }

    /// Parses argument `i` as an integer, replying the server's error when it is not.
    pub fn int_arg(&mut self, i: usize) -> Option<i64> {
        let v = super::num::parse_i64(self.arg(i));
        if v.is_none() {
            self.err(NOT_INTEGER);
        }
        v
    }

    pub fn float_arg(&mut self, i: usize) -> Option<f64> {
        let v = super::num::parse_f64(self.arg(i));
        if v.is_none() {
            self.err(NOT_FLOAT);
        }
        v
    }

    /// A key lookup for reading: lazy expiry, keyspace hit/miss statistics.
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Value> {
        self.read(key).0
    }

    /// A key lookup for writing: lazy expiry, no statistics.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Value> {
        self.write(key).0
    }

    /// Like `lookup_read`, also handing out the reply so a value can be written from the
    /// keyspace without copying it.
    pub fn read(&mut self, key: &[u8]) -> (Option<&mut Value>, &mut Reply<'a>) {
        self.access(key, true)
    }

    pub fn write(&mut self, key: &[u8]) -> (Option<&mut Value>, &mut Reply<'a>) {
        self.access(key, false)
    }

    fn access(&mut self, key: &[u8], count_hit: bool) -> (Option<&mut Value>, &mut Reply<'a>) {
        let db = self.client.db;
        let st = &mut *self.st;
        let (entry, expired) = st.dbs[db].lookup(key, self.now);
        let found = entry.is_some();
        if expired.0 {
            st.stats.expired_keys += 1;
            if !st.watched.is_empty() {
                st.touch_key(db, key, self.client);
            }
            if st.hot.notify_flags != 0 {
                notify::emit(st, Some(self.client), notify::EXPIRED, "expired", key, db);
            }
        }
        if count_hit {
            if found {
                st.stats.keyspace_hits += 1;
            } else {
                st.stats.keyspace_misses += 1;
                if st.hot.notify_flags & notify::KEY_MISS != 0 {
                    notify::emit(st, Some(self.client), notify::KEY_MISS, "keymiss", key, db);
                }
            }
        }
        (st.dbs[db].map_get_mut(key).map(|e| &mut e.value), &mut self.reply)
    }

    /// `signalModifiedKey` plus the dirty counter: a write happened.
    pub fn modified(&mut self, key: &[u8]) {
        let db = self.client.db;
        self.st.touch_key(db, key, self.client);
        self.st.stats.dirty += 1;
    }

    /// Removes a key left empty by a write (the server never keeps empty aggregates), with
    /// its `del` event.
    pub fn delete_if_empty(&mut self, key: &[u8]) {
        let db = self.client.db;
        if self.st.dbs[db].peek(key).is_some_and(|e| e.value.is_empty() && !matches!(e.value, Value::Str(_))) {
            self.st.dbs[db].remove(key);
            self.event(notify::GENERIC, "del", key);
        }
    }

    /// A keyspace notification for `key` in the current database.
    pub fn event(&mut self, class: u32, name: &str, key: &[u8]) {
        let db = self.client.db;
        self.event_in(db, class, name, key);
    }

    pub fn event_in(&mut self, db: usize, class: u32, name: &str, key: &[u8]) {
        if self.st.hot.notify_flags == 0 {
            return;
        }
        notify::flush_new(self.st, Some(self.client));
        notify::emit(self.st, Some(self.client), class, name, key, db);
    }
}

/// Lazy expiry on access: an expired key is deleted, counted, and its watchers touched.
pub fn expire_for_access(st: &mut State, client: &mut ClientState, db: usize, key: &[u8], now: i64) {
    if st.dbs[db].expire_if_needed(key, now) {
        st.stats.expired_keys += 1;
        st.touch_key(db, key, client);
        notify::emit(st, Some(client), notify::EXPIRED, "expired", key, db);
    }
}

/// Every handler, by full command name.
pub fn handlers() -> Handlers {
    let mut h = Handlers::new();
    for family in [
        connection::COMMANDS,
        server::COMMANDS,
        strings::COMMANDS,
        keys::COMMANDS,
        hashes::COMMANDS,
        lists::COMMANDS,
        sets::COMMANDS,
        zsets::COMMANDS,
        pubsub::COMMANDS,
        transactions::COMMANDS,
        client::COMMANDS,
        acl_cmd::COMMANDS,
        introspection::COMMANDS,
    ] {
        for (name, f) in family {
            h.insert(*name, *f);
        }
    }
    h
}

pub fn table_from_profile(profile: &Profile) -> CommandTable {
    super::table::from_profile(profile, || {
        crate::knowledge::Knowledge::embedded().ok()?.profile(crate::config::DEFAULT_TARGET).ok()
    })
}

/// `numkeys key…` of LMPOP and ZMPOP from argument `at`: the index of the argument after
/// the keys (LEFT/RIGHT, MIN/MAX). `None` means the error was replied.
pub fn mpop_where(ctx: &mut Ctx, at: usize) -> Option<usize> {
    let numkeys = match crate::server::num::parse_i64(ctx.arg(at)) {
        Some(n) if n >= 1 => n as usize,
        _ => {
            ctx.err("numkeys should be greater than 0");
            return None;
        }
    };
    let where_idx = at + numkeys + 1;
    if where_idx >= ctx.argc() {
        ctx.err(SYNTAX);
        return None;
    }
    Some(where_idx)
}

/// The optional `COUNT n` that ends LMPOP and ZMPOP (and their blocking forms), from
/// argument `from` on; the count is 1 without it. `None` means the error was replied.
pub fn mpop_count(ctx: &mut Ctx, from: usize) -> Option<usize> {
    let mut count = None;
    let mut j = from;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        if count.is_none() && ctx.arg(j).eq_ignore_ascii_case(b"COUNT") && more > 0 {
            j += 1;
            match crate::server::num::parse_i64(ctx.arg(j)) {
                Some(n) if n >= 1 => count = Some(n as usize),
                _ => {
                    ctx.err("count should be greater than 0");
                    return None;
                }
            }
        } else {
            ctx.err(SYNTAX);
            return None;
        }
        j += 1;
    }
    Some(count.unwrap_or(1))
}

/// The optional `LIMIT n` that ends SINTERCARD and ZINTERCARD, from argument `from` on (0:
/// no limit). `None` means the error was replied.
pub fn intercard_limit(ctx: &mut Ctx, from: usize) -> Option<usize> {
    let mut limit = 0usize;
    let mut j = from;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        if ctx.arg(j).eq_ignore_ascii_case(b"LIMIT") && more > 0 {
            j += 1;
            let l = ctx.int_arg(j)?;
            if l < 0 {
                ctx.err("LIMIT can't be negative");
                return None;
            }
            limit = l as usize;
        } else {
            ctx.err(SYNTAX);
            return None;
        }
        j += 1;
    }
    Some(limit)
}

/// Commands that may run while a RESP2 client is subscribed.
const PUBSUB_CONTEXT: &[&str] =
    &["ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset"];

/// Commands that run immediately inside MULTI instead of being queued.
const MULTI_IMMEDIATE: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

/// `processCommand` for one parsed request.
pub fn process(srv: &Server, st: &mut State, client: &mut ClientState, argv: &Argv, out: &mut Vec<u8>) {
    let name = argv.get(0);
    if name.eq_ignore_ascii_case(b"host:") || name.eq_ignore_ascii_case(b"post") {
        // An HTTP request sent to the server: it closes without a reply.
        client.kill = true;
        return;
    }
    let mark = out.len();
    let reply_mode = client.reply_mode;
    let mut reply = Reply::new(out, client.resp3());
    if name.eq_ignore_ascii_case(b"quit") && srv.table.get(b"quit").is_none() {
        // Before QUIT was a command (Redis 6.2) the server answered it ahead of any check.
        reply.ok();
        client.close_after_reply = true;
        return;
    }
    let spec = match lookup(&srv.table, argv) {
        Ok(spec) => spec,
        Err(msg) => {
            reply.error(&msg);
            reject(st, client, None, &reply);
            finish_reply_mode(client, reply_mode, out, mark);
            return;
        }
    };
    if let Some(msg) = precheck(srv, st, client, spec, argv) {
        if spec.full_name == "exec" {
            // A refused EXEC discards the transaction and says why (`execCommandAbort`).
            client.multi = None;
            st.unwatch_all(client);
            let reason = msg.strip_prefix('-').unwrap_or(&msg);
            reply.error(&format!("-EXECABORT Transaction discarded because of: {reason}"));
        } else {
            reply.error(&msg);
        }
        reject(st, client, Some(spec), &reply);
        finish_reply_mode(client, reply_mode, out, mark);
        return;
    }
    if client.multi.is_some() && !MULTI_IMMEDIATE.contains(&spec.full_name.as_str()) {
        if let Some(m) = client.multi.as_mut() {
            m.queue.push(argv.clone());
        }
        reply.simple("QUEUED");
        finish_reply_mode(client, reply_mode, out, mark);
        return;
    }
    let resp3 = client.resp3();
    let before = out.len();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut reply = Reply::new(out, resp3);
        call(srv, st, client, spec, argv, &mut reply, false);
    }));
    if outcome.is_err() {
        // A bug in a handler: the client gets an error instead of a dropped connection.
        out.truncate(before);
        Reply::new(out, resp3).error(&format!("valkey-migrate: internal error while running '{}'", spec.full_name));
    }
    finish_reply_mode(client, reply_mode, out, mark);
    if !st.ready_keys.is_empty() {
        blocking::serve_ready_keys(srv, st, client);
    }
}

/// CLIENT REPLY OFF/SKIP: drop what this command wrote.
fn finish_reply_mode(client: &mut ClientState, mode: ReplyMode, out: &mut Vec<u8>, mark: usize) {
    match mode {
        ReplyMode::On => {}
        ReplyMode::Off => {
            if client.reply_mode == ReplyMode::Off {
                out.truncate(mark);
            }
        }
        ReplyMode::Skip => {
            out.truncate(mark);
            if client.reply_mode == ReplyMode::Skip {
                client.reply_mode = ReplyMode::On;
            }
        }
        ReplyMode::SkipNext => {}
    }
    if client.reply_mode == ReplyMode::SkipNext && mode == ReplyMode::SkipNext {
        client.reply_mode = ReplyMode::Skip;
    }
}

fn reject(st: &mut State, client: &mut ClientState, spec: Option<&CommandSpec>, reply: &Reply) {
    if let Some(m) = client.multi.as_mut() {
        m.dirty = true;
    }
    if let Some(spec) = spec {
        if let Some(s) = st.stats.commands.get_mut(spec.stats_id) {
            s.rejected += 1;
        }
    }
    count_errors(st, reply);
}

fn count_errors(st: &mut State, reply: &Reply) {
    if let Some(code) = &reply.last_error {
        st.stats.total_error_replies += u64::from(reply.errors);
        *st.stats.errors.entry(code.clone()).or_default() += u64::from(reply.errors);
    }
}

/// `lookupCommand` plus `commandCheckExistence`'s error texts.
pub fn lookup<'t>(table: &'t CommandTable, argv: &Argv) -> Result<&'t CommandSpec, String> {
    let name = argv.get(0);
    let sub = (argv.len() > 1).then(|| argv.get(1));
    if let Some(spec) = table.lookup(name, sub) {
        return Ok(spec);
    }
    if table.get(name).is_some_and(CommandSpec::is_container) {
        if table.legacy_errors {
            return Err(legacy_subcommand_error(argv));
        }
        let sub = c_str(argv.get(1));
        return Err(format!(
            "unknown subcommand '{}'. Try {} HELP.",
            truncate_lossy(sub, 128),
            String::from_utf8_lossy(c_str(name)).to_ascii_uppercase()
        ));
    }
    let (open, close) = if table.legacy_errors { ("`", "`, ") } else { ("'", "' ") };
    let mut args = String::new();
    for i in 1..argv.len() {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push_str(open);
        args.push_str(&truncate_lossy(c_str(argv.get(i)), room));
        args.push_str(close);
    }
    if table.legacy_errors {
        let name = String::from_utf8_lossy(c_str(name));
        return Err(format!("unknown command `{name}`, with args beginning with: {args}"));
    }
    Err(format!("unknown command '{}', with args beginning with: {args}", truncate_lossy(c_str(name), 128)))
}

/// `addReplySubcommandSyntaxError` of the servers that dispatched subcommands themselves:
/// one text for an unknown subcommand and for a wrong number of arguments.
fn legacy_subcommand_error(argv: &Argv) -> String {
    format!(
        "Unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        truncate_lossy(c_str(argv.get(1)), 128),
        String::from_utf8_lossy(c_str(argv.get(0))).to_ascii_uppercase()
    )
}

/// `%s` stops at a NUL byte.
fn c_str(b: &[u8]) -> &[u8] {
    memchr::memchr(0, b).map_or(b, |i| &b[..i])
}

fn truncate_lossy(b: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&b[..b.len().min(max)]).into_owned()
}

/// The checks between lookup and execution; `Some(error)` refuses the command.
fn precheck(srv: &Server, st: &mut State, client: &mut ClientState, spec: &CommandSpec, argv: &Argv) -> Option<String> {
    if !spec.arity_ok(argv.len()) {
        if spec.synthetic {
            return Some(legacy_subcommand_error(argv));
        }
        return Some(format!("wrong number of arguments for '{}' command", spec.full_name));
    }
    if spec.full_name == "debug" || matches!(spec.full_name.as_str(), "module|load" | "module|loadex" | "module|unload")
    {
        let (option, name) = if spec.full_name == "debug" {
            ("enable-debug-command", "DEBUG")
        } else {
            ("enable-module-command", "MODULE")
        };
        let setting = st.config.get(option).unwrap_or("no").to_ascii_lowercase();
        let local = matches!(client.transport, super::client::Transport::Unix { .. })
            || matches!(&client.transport, super::client::Transport::Tcp { peer, .. } if peer.ip().is_loopback());
        if setting != "yes" && !(setting == "local" && local) {
            return Some(format!(
                "{name} command not allowed. If the {option} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
            ));
        }
    }
    if st.hot.auth_required && !client.authenticated && !spec.flags.no_auth {
        return Some("-NOAUTH Authentication required.".into());
    }
    if client.multi.is_some() && spec.flags.no_multi {
        // Valkey 9 names the command; the profile's captured reply tells which form applies.
        let names_command =
            srv.profile.error("nested-multi").and_then(|e| e.reply.as_deref()).is_some_and(|r| r.contains("'multi'"));
        return Some(if names_command {
            format!("Command '{}' not allowed inside a transaction", spec.full_name)
        } else {
            "Command not allowed inside a transaction".into()
        });
    }
    if let Some(msg) = acl_check(st, client, spec, argv) {
        return Some(msg);
    }
    if client.in_pubsub() && !client.resp3() && !PUBSUB_CONTEXT.contains(&spec.full_name.as_str()) {
        return Some(format!(
            "Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            spec.full_name
        ));
    }
    None
}

/// The ACL verdict with the server's NOPERM texts.
pub fn acl_check(st: &mut State, client: &ClientState, spec: &CommandSpec, argv: &Argv) -> Option<String> {
    if st.hot.default_unrestricted && client.user == "default" {
        return None;
    }
    let user = st.acl.user(&client.user)?;
    let args: Vec<&[u8]> = argv.iter().collect();
    match st.acl.check(user, spec, &args, client.db) {
        Ok(()) => None,
        Err(super::acl::Denied::Command) => {
            st.stats.acl_denied_cmd += 1;
            Some(format!("-NOPERM User {} has no permissions to run the '{}' command", client.user, spec.full_name))
        }
        Err(super::acl::Denied::Key(_)) => {
            st.stats.acl_denied_key += 1;
            Some("-NOPERM No permissions to access a key".into())
        }
        Err(super::acl::Denied::Channel(_)) => {
            st.stats.acl_denied_channel += 1;
            Some("-NOPERM No permissions to access a channel".into())
        }
        Err(super::acl::Denied::Database) => Some("-NOPERM No permissions to access database".into()),
    }
}

/// `call()`: runs a handler with statistics. Blocking handlers may ask to wait.
pub fn call(
    srv: &Server,
    st: &mut State,
    client: &mut ClientState,
    spec: &CommandSpec,
    argv: &Argv,
    reply: &mut Reply,
    in_exec: bool,
) {
    let started = std::time::Instant::now();
    let errors_before = reply.errors;
    let resp3 = reply.resp3;
    let out_ref: &mut Vec<u8> = reply.out;
    let (errors, last_error, block) = {
        let mut ctx = Ctx {
            srv,
            st: &mut *st,
            client: &mut *client,
            reply: Reply::new(out_ref, resp3),
            argv,
            now: super::unix_ms(),
            in_exec,
            retry: false,
            block: None,
        };
        match spec.handler {
            Some(handler) => handler(&mut ctx),
            None => ctx.err(&format!(
                "valkey-migrate: the bundled server does not implement '{}' ({} knows it)",
                spec.full_name,
                srv.profile.display_name()
            )),
        }
        (ctx.reply.errors, ctx.reply.last_error.take(), ctx.block.take())
    };
    reply.errors = errors_before + errors;
    if last_error.is_some() {
        reply.last_error = last_error;
    }
    let elapsed = started.elapsed().as_micros() as u64;
    client.commands += 1;
    client.last_cmd = Some(spec.stats_id);
    if st.hot.notify_flags != 0 {
        notify::flush_new(st, Some(client));
    }
    // Counted once it ran: INFO does not see itself.
    st.stats.commands_processed += 1;
    let stat = &mut st.stats.commands[spec.stats_id];
    stat.calls += 1;
    stat.usec += elapsed;
    if errors > 0 {
        stat.failed += 1;
        if let Some(code) = &reply.last_error {
            st.stats.total_error_replies += u64::from(errors);
            *st.stats.errors.entry(code.clone()).or_default() += u64::from(errors);
        }
    }
    if let Some(request) = block {
        blocking::block(st, client, argv, request);
    }
}
