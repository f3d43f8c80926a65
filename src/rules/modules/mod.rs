//! MOD: modules and commands — what the code sends and the servers load that Valkey lacks.

mod command_missing;
mod module_dependency;

use super::{Rule, RuleContext};
use crate::findings::Finding;
use crate::knowledge::commands;
use crate::knowledge::modules::ModuleCatalog;
use crate::location::Location;
use crate::scan::codes;

pub static RULES: &[&dyn Rule] = &[&command_missing::CommandMissingOnTarget, &module_dependency::RedisModuleDependency];

/// The module catalog of this run (with `--rules-dir` applied), or a finding saying why not.
pub(crate) fn modules(cx: &RuleContext, code: &str, out: &mut Vec<Finding>) -> Option<std::sync::Arc<ModuleCatalog>> {
    match cx.knowledge.view::<ModuleCatalog>() {
        Ok(c) => Some(c),
        Err(e) => {
            out.push(
                Finding::new(
                    codes::UNPARSABLE,
                    Location::file_only(&e.origin),
                    format!("rule {code} skipped: {}", e.message),
                )
                .help("fix the data file; the other rules ran"),
            );
            None
        }
    }
}

/// Whether the target profile has a command, from its command table; `None` without one.
pub(crate) fn target_has(cx: &RuleContext, command: &str) -> Option<bool> {
    commands::has_command(&cx.target, command)
}

/// The first Valkey version that has the command, e.g. `Valkey 9.0`.
pub(crate) fn first_valkey_with(cx: &RuleContext, command: &str) -> Option<String> {
    commands::first_valkey_with(cx.knowledge, command).map(|v| format!("Valkey {}", v.line_text()))
}
