use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::knowledge::modules::{ModuleCatalog, so_name};
use crate::rules::{Rule, RuleContext};

/// `loadmodule` of a Redis module the target cannot load: no Valkey image ships its file,
/// and a server that cannot load a module named in its config aborts at start. The finding
/// quotes the log lines and says what Valkey offers instead (the module catalog).
pub struct ModuleNotLoadable;

impl Rule for ModuleNotLoadable {
    fn code(&self) -> &'static str {
        "CFG002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        if cx.target.header.product != crate::knowledge::profile::Product::Valkey {
            return;
        }
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let Ok(modules) = cx.knowledge.view::<ModuleCatalog>() else { return };
        let server = cx.target.display_name();
        for cfg in cx.inventory.server_configs.iter().filter(|c| c.kind == ServerConfigKind::Server) {
            for d in cfg.directives.iter().filter(|d| d.name == "loadmodule") {
                let Some(path) = d.args.first() else { continue };
                let Some(module) = modules.module_for_so(&path.value) else { continue };
                if module.valkey || module.loads_on_valkey.is_some() {
                    continue;
                }
                let log: Vec<String> =
                    rules.texts.module_not_loaded.iter().map(|l| l.replace("{path}", &path.value)).collect();
                let detail = modules.describe_loadmodule(&path.value).unwrap_or_default();
                out.push(
                    Finding::new(
                        self.code(),
                        path.location.clone().unwrap_or_else(|| d.location(&cfg.file)),
                        format!(
                            "{server} cannot start with '{}': {} is {}, which no Valkey image ships; where the file is \
                             missing the server logs `{}` and exits",
                            d.text,
                            so_name(&path.value),
                            module.title,
                            log.join("` / `")
                        ),
                    )
                    .help(format!(
                        "{detail}. Remove the line (the plan's rewritten config comments it out) or load the Valkey \
                         module that replaces it; whether this build of {} itself loads on Valkey was not verified",
                        module.title
                    ))
                    .fingerprint(format!("loadmodule:{}", so_name(&path.value))),
                );
            }
        }
    }
}
