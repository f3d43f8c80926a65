//! Server commands: INFO, CONFIG, COMMAND, MODULE LIST, TIME, LASTSAVE.

use super::{Ctx, Handler};

pub const COMMANDS: &[(&str, Handler)] = &[("time", time), ("lastsave", lastsave), ("module|list", module_list)];

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
    write_module_list(ctx);
}

/// The modules the profile's server reports as loaded (HELLO and MODULE LIST share it):
/// Valkey 9.1 has Lua as a module, Redis 8 its built-in vector sets.
pub fn write_module_list(ctx: &mut Ctx) {
    let c = ctx.srv.compat;
    let module = if c.valkey && c.at_least(9, 1) {
        Some(("lua", "lua"))
    } else if !c.valkey && c.at_least(8, 0) {
        Some(("vectorset", ""))
    } else {
        None
    };
    match module {
        None => ctx.reply.empty_array(),
        Some((name, path)) => {
            ctx.reply.array(1);
            ctx.reply.map(4);
            ctx.reply.bulk_str("name");
            ctx.reply.bulk_str(name);
            ctx.reply.bulk_str("ver");
            ctx.reply.int(1);
            ctx.reply.bulk_str("path");
            ctx.reply.bulk_str(path);
            ctx.reply.bulk_str("args");
            ctx.reply.empty_array();
        }
    }
}
