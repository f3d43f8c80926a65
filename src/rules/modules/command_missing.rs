use crate::findings::Finding;
use crate::inventory::CommandUse;
use crate::knowledge::modules::{Coverage, Family, ModuleCatalog};
use crate::rules::{Rule, RuleContext};

/// A command the code sends that the target does not have: a module command, a vector-set
/// command, or a core command that reached Valkey later. Says what Valkey offers instead.
pub struct CommandMissingOnTarget;

impl Rule for CommandMissingOnTarget {
    fn code(&self) -> &'static str {
        "MOD001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(modules) = super::modules(cx, self.code(), out) else {
            return;
        };
        let target = cx.target.display_name();
        for u in &cx.inventory.command_uses {
            let finding = if let Some(family) = u.command.strip_suffix(".*").and_then(|f| modules.family(f)) {
                Some(family_use(&modules, family, u, &target))
            } else if let Some(family) = modules.family_of(&u.command) {
                if super::target_has(cx, &u.command) == Some(true) {
                    continue;
                }
                Some(module_command(&modules, family, u, &target))
            } else if super::target_has(cx, &u.command) == Some(false) {
                Some(core_command(cx, u, &target))
            } else {
                None
            };
            if let Some(f) = finding {
                out.push(f.fingerprint(u.command.clone()));
            }
        }
    }
}

fn via(u: &CommandUse) -> String {
    u.via.as_ref().map(|v| format!("; sent through {v}")).unwrap_or_default()
}

fn module_command(modules: &ModuleCatalog, family: &Family, u: &CommandUse, target: &str) -> Finding {
    let module = modules.module(&family.module).map_or(family.module.as_str(), |m| m.title.as_str());
    let legacy = if family.legacy.contains(&u.command) { ", RediSearch 1.x document API" } else { "" };
    let head =
        format!("{} ({}, {module} module{legacy}{}) is not a command of {target}", u.command, family.title, via(u));
    let (tail, help) = match modules.coverage(family, &u.command) {
        Coverage::Covered { equivalent, since } => {
            let since = since.map(|s| format!(" from release {s}")).unwrap_or_default();
            let missing = modules.uncovered(family);
            let gap = if missing.is_empty() {
                String::new()
            } else {
                format!(" It does not implement {}.", missing.join(", "))
            };
            (
                format!(": {} implements it{since}; load that module on the target", equivalent.title),
                format!(
                    "{} ({}): {}.{gap} Compatibility: {}. The {} image ships it.",
                    equivalent.title, equivalent.licence, equivalent.maturity, equivalent.compatibility, equivalent.image
                ),
            )
        }
        Coverage::NotCovered { equivalent } => (
            format!(": {} implements other {} commands, but not this one", equivalent.title, family.id),
            format!(
                "rewrite this call with the commands {} has ({}); {}",
                equivalent.title,
                family.valkey.covers.join(", "),
                family.valkey.note.as_deref().unwrap_or(equivalent.maturity.as_str())
            ),
        ),
        Coverage::None { why } => (
            format!(": nothing in Valkey implements it; {why}"),
            "keep this feature on a Redis server, move it out of the data store, or find a module that loads on Valkey and test it".to_string(),
        ),
    };
    Finding::new("MOD001", u.location.clone(), format!("{head}{tail}")).help(help)
}

fn family_use(modules: &ModuleCatalog, family: &Family, u: &CommandUse, target: &str) -> Finding {
    let module = modules.module(&family.module).map_or(family.module.as_str(), |m| m.title.as_str());
    let message =
        format!("the code uses {} ({module} module{}); {target} has no {}.* commands", family.title, via(u), family.id);
    let help = match family.valkey.equivalent.as_deref().and_then(|e| modules.equivalent(e)) {
        Some(eq) => format!(
            "{} implements {}; it does not implement {}. {}",
            eq.title,
            family.valkey.covers.join(", "),
            modules.uncovered(family).join(", "),
            eq.maturity
        ),
        None => format!("nothing in Valkey implements it: {}", family.valkey.none.as_deref().unwrap_or("no module")),
    };
    Finding::new("MOD001", u.location.clone(), message).help(help)
}

fn core_command(cx: &RuleContext, u: &CommandUse, target: &str) -> Finding {
    let sent = u.via.as_ref().map(|v| format!(" (sent through {v})")).unwrap_or_default();
    let message = format!("{} is not a command of {target}{sent}", u.command);
    let help = match super::first_valkey_with(cx, &u.command) {
        Some(first) => {
            format!("{first} and later have {}: choose such a target (--target), or avoid the command", u.command)
        }
        None => format!("no Valkey version knows {}: rewrite the code without it", u.command),
    };
    Finding::new("MOD001", u.location.clone(), message).help(help)
}
