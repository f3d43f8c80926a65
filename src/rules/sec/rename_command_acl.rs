use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::cfg::config_rules;
use crate::rules::{Rule, RuleContext};

/// `rename-command` used to keep commands from clients: it removes or hides the command for
/// everyone, admins included, and the server's own config file calls it deprecated in favour
/// of ACLs.
pub struct RenameCommandAsAccessControl;

impl Rule for RenameCommandAsAccessControl {
    fn code(&self) -> &'static str {
        "SEC002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = config_rules(cx, self.code(), out) else { return };
        let server = cx.target.display_name();
        for cfg in cx.inventory.server_configs.iter().filter(|c| c.kind == ServerConfigKind::Server) {
            for d in cfg.directives.iter().filter(|d| d.name == "rename-command" && d.args.len() == 2) {
                let (from, to) = (&d.args[0].value, &d.args[1].value);
                let lower = from.to_ascii_lowercase();
                let effect = if to.is_empty() {
                    format!(
                        "removes {from} for every client, administrators and tools included (`ERR unknown command \
                         '{lower}'`)"
                    )
                } else {
                    format!(
                        "hides {from} behind another name: any client that learns '{to}' can run it, and tools that \
                         send {from} get `ERR unknown command '{lower}'`"
                    )
                };
                out.push(
                    Finding::new(
                        self.code(),
                        d.location(&cfg.file),
                        format!(
                            "'{}' {effect}; {server}'s valkey.conf says: \"{}\"",
                            d.text, rules.texts.rename_command
                        ),
                    )
                    .help(format!(
                        "take {from} away with an ACL instead: `user default on nopass ~* &* +@all -{lower}` (or \
                             `-@dangerous`), and an admin user that keeps it, e.g. `user admin on >… ~* &* +@all` \
                             ({})",
                        rules.texts.rename_command_source
                    ))
                    .fingerprint(format!("rename-command:{lower}")),
                );
            }
        }
    }
}
