use crate::findings::{Finding, Severity};
use crate::inventory::ModuleRefKind;
use crate::knowledge::images::{ImageCatalog, Product};
use crate::knowledge::modules::{ModuleCatalog, ModuleInfo, so_name};
use crate::location::Location;
use crate::rules::{Rule, RuleContext};

/// A Redis module loaded or shipped: a `loadmodule` line, `--loadmodule`, `MODULE LOAD`, a
/// module file copied into an image, or an image that bundles modules. Module data does not
/// move to Valkey by RDB; the finding says so and what Valkey offers.
pub struct RedisModuleDependency;

impl Rule for RedisModuleDependency {
    fn code(&self) -> &'static str {
        "MOD002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(modules) = super::modules(cx, self.code(), out) else {
            return;
        };
        for cfg in &cx.inventory.server_configs {
            for d in cfg.directives.iter().filter(|d| d.name == "loadmodule") {
                if let Some(path) = d.arg_values().next() {
                    let what = format!("`loadmodule {path}`");
                    push_module(&modules, path, &what, d.location(&cfg.file), true, out);
                }
            }
        }
        for m in &cx.inventory.module_refs {
            let (what, loads) = match m.kind {
                ModuleRefKind::LoadmoduleArg => (format!("`--loadmodule {}`", m.path), true),
                ModuleRefKind::ModuleLoadCommand => (format!("`MODULE LOAD {}`", m.path), true),
                ModuleRefKind::Mention => (format!("the module file {}", m.path), false),
            };
            push_module(&modules, &m.path, &what, m.location.clone(), loads, out);
        }
        let Ok(images) = cx.knowledge.view::<ImageCatalog>() else {
            return;
        };
        for fact in &cx.inventory.images {
            let Some(info) = images.classify(&fact.name) else {
                continue;
            };
            if !matches!(info.product, Product::RedisStack | Product::RedisModule) {
                continue;
            }
            let shipped: Vec<&ModuleInfo> = info.modules.iter().filter_map(|id| modules.module(id)).collect();
            let reference = super::super::img::reference_text(fact);
            let titles: Vec<&str> = shipped.iter().map(|m| m.title.as_str()).collect();
            let types: Vec<&str> = shipped.iter().flat_map(|m| m.data_types.iter().map(String::as_str)).collect();
            let offers: Vec<String> = shipped.iter().map(|m| modules.valkey_offer(m)).collect();
            let message = format!(
                "{reference} ships {}; data in module types ({}) cannot move to Valkey by RDB snapshot or replication",
                titles.join(", "),
                types.join(", ")
            );
            out.push(
                Finding::new("MOD002", fact.location.clone(), message)
                    .help(format!(
                        "on Valkey: {}. Export module data and re-create it on the target",
                        offers.join("; ")
                    ))
                    .fingerprint(format!("image:{}", fact.name)),
            );
        }
    }
}

fn push_module(
    modules: &ModuleCatalog,
    path: &str,
    what: &str,
    location: Location,
    loads: bool,
    out: &mut Vec<Finding>,
) {
    let fingerprint = format!("module:{}", so_name(path));
    let Some(module) = modules.module_for_so(path) else {
        if loads {
            out.push(
                Finding::new("MOD002", location, format!("{what} loads a module this tool does not know"))
                    .help("Valkey loads modules built for the Redis module API (FalkorDB was verified); test this one on the target, and plan how its data moves")
                    .severity_hint(Severity::Info)
                    .fingerprint(fingerprint),
            );
        }
        return;
    };
    if module.valkey {
        return;
    }
    if let Some(valkey) = &module.loads_on_valkey {
        out.push(
            Finding::new("MOD002", location, format!("{what} loads {}, which also runs on Valkey", module.title))
                .help(valkey.clone())
                .severity_hint(Severity::Info)
                .fingerprint(fingerprint),
        );
        return;
    }
    let mut message = format!("{what} is {}", module.title);
    if !module.data_types.is_empty() {
        message.push_str(&format!(
            "; data in its types ({}) cannot move to Valkey by RDB snapshot or replication",
            module.data_types.join(", ")
        ));
    }
    if let Some(eol) = &module.end_of_life {
        message.push_str(&format!(" ({eol})"));
    }
    out.push(
        Finding::new("MOD002", location, message)
            .help(format!(
                "on Valkey: {}. Export module data and re-create it on the target",
                modules.valkey_offer(module)
            ))
            .fingerprint(fingerprint),
    );
}
