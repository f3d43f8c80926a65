use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::cfg::view::{Deployment, deployments};
use crate::rules::cfg::{SourceSide, config_rules};
use crate::rules::{Rule, RuleContext};

/// A server that listens beyond the loopback with no password for the default user: with
/// `protected-mode no` anyone who reaches the port runs every command; with protected mode
/// on, clients on other hosts are refused (`-DENIED …`) — which on Redis 6.2 an explicit
/// `bind` used to switch off.
pub struct ExposedWithoutAuth;

/// How the default user authenticates, as far as the config says.
enum Auth {
    None,
    Password,
    /// An ACL file decides; it is not read here.
    Unknown,
}

fn auth(d: &Deployment, target: &crate::knowledge::Profile) -> Auth {
    if d.last(target, "aclfile").and_then(|l| l.first_arg().map(|v| !v.is_empty())).unwrap_or(false) {
        return Auth::Unknown;
    }
    let mut password =
        d.last(target, "requirepass").and_then(|l| l.first_arg().map(|v| !v.is_empty())).unwrap_or(false);
    // `user default …` rules apply in order: a password clears nopass and the reverse.
    for l in d.lines.iter().filter(|l| l.directive.name == "user") {
        let args: Vec<&str> = l.directive.arg_values().collect();
        if args.first() != Some(&"default") {
            continue;
        }
        for rule in &args[1..] {
            let r = rule.to_ascii_lowercase();
            if r.starts_with('>') || r.starts_with('#') {
                password = true;
            } else if r == "nopass" || r == "resetpass" || r == "reset" {
                password = false;
            } else if r == "off" {
                // A disabled default user: new connections must AUTH as someone else.
                password = true;
            }
        }
    }
    if password { Auth::Password } else { Auth::None }
}

/// Whether every address is a loopback one (`127.x`, `::1`, `localhost`, `-` prefix aside).
fn loopback_only(addresses: &[&str]) -> bool {
    !addresses.is_empty()
        && addresses.iter().all(|a| {
            let a = a.trim_start_matches('-');
            a.starts_with("127.") || a == "::1" || a.eq_ignore_ascii_case("localhost")
        })
}

impl Rule for ExposedWithoutAuth {
    fn code(&self) -> &'static str {
        "SEC001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = config_rules(cx, self.code(), out) else { return };
        let target = &cx.target;
        let server = target.display_name();
        let source = SourceSide::of(cx);
        for d in deployments(cx.inventory) {
            // A chart's block is completed by the chart (which may set a password itself).
            if !d.is_whole() || !matches!(auth(&d, target), Auth::None) {
                continue;
            }
            let sentinel = d.kind() == ServerConfigKind::Sentinel;
            let bind = d.last(target, "bind");
            let addresses: Vec<&str> = bind.map(|l| l.directive.arg_values().collect()).unwrap_or_default();
            if bind.is_some() && loopback_only(&addresses) {
                continue;
            }
            let listens = match bind {
                Some(_) => format!("listens on {}", addresses.join(" ")),
                None => "listens on every interface (no bind line)".to_string(),
            };
            let pm_line = d.last(target, "protected-mode");
            // A sentinel runs with protected mode off unless its file turns it on.
            let protected =
                pm_line.and_then(|l| l.first_arg().map(|v| v.eq_ignore_ascii_case("yes"))).unwrap_or(!sentinel);
            let what = if sentinel { format!("{server}'s sentinel") } else { server.clone() };
            if !protected {
                let location = pm_line.or(bind).map_or_else(|| d.anchor(), |l| l.location());
                out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!(
                            "{what} {listens} with protected mode off and no password for the default user: anyone who \
                             reaches the port runs every command{}",
                            if sentinel { " (SENTINEL SET, SENTINEL FAILOVER…)" } else { " (CONFIG SET, FLUSHALL, MODULE LOAD when enabled…)" }
                        ),
                    )
                    .help(if sentinel {
                        "set `requirepass` in this sentinel's file (and `sentinel auth-pass` for the servers it watches), \
                         or bind it to the addresses its clients use and firewall the port"
                            .to_string()
                    } else {
                        "set a password (`requirepass`, or `user default on >password …` with ACLs) and give the clients \
                         the password; if a firewall already limits who reaches the port, say so with a suppression comment"
                            .to_string()
                    })
                    .fingerprint("exposed".to_string()),
                );
                continue;
            }
            // Official images may build the server with protected mode off by default: without a
            // protected-mode line, what a container does is not known here.
            if sentinel || (pm_line.is_none() && d.in_container()) {
                continue;
            }
            // Without a bind line nothing says that clients come from other hosts.
            if bind.is_none() {
                continue;
            }
            let was_open = matches!(&source, SourceSide::Known(p) if p.name() == "redis-6.2") && bind.is_some();
            let location = bind.map_or_else(|| d.anchor(), |l| l.location());
            out.push(
                Finding::new(
                    self.code(),
                    location,
                    format!(
                        "{server} {listens} with protected mode on and no password for the default user: it answers \
                         clients on other hosts `{}`{}",
                        rules.texts.protected_mode_denied,
                        if was_open {
                            "; on Redis 6.2 an explicit bind line turned protected mode off, so these clients worked until now"
                        } else {
                            ""
                        }
                    ),
                )
                .help(format!(
                    "give the default user a password (`requirepass`) and the clients that password, or bind to the \
                     loopback only if no other host connects ({})",
                    rules.texts.protected_mode_source
                ))
                .fingerprint("protected-mode-denies".to_string()),
            );
        }
    }
}
