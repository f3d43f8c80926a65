use super::SourceSide;
use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::rules::{Rule, RuleContext};

/// A directive the target reads under another name and writes back under that name when it
/// rewrites the file (`CONFIG REWRITE`, and a sentinel rewrites its own file at start), where
/// the new name is one the source refuses: after the move, the file cannot go back.
pub struct RewriteRenamesDirective;

impl Rule for RewriteRenamesDirective {
    fn code(&self) -> &'static str {
        "CFG005"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let target = &cx.target;
        let server = target.display_name();
        let source = SourceSide::of(cx);
        let back = source.label();
        for cfg in &cx.inventory.server_configs {
            for d in &cfg.directives {
                let location = d.name_location.clone().unwrap_or_else(|| d.location(&cfg.file));
                if cfg.kind == ServerConfigKind::Sentinel && d.name == "sentinel" {
                    let location = d.args.first().and_then(|a| a.location.clone()).unwrap_or(location);
                    let Some(statement) = d.args.first().map(|a| a.value.to_ascii_lowercase()) else { continue };
                    let Some(written) = rules.sentinel(target.name()).and_then(|s| s.rewrites.get(&statement)) else {
                        continue;
                    };
                    // Refused by the source's sentinel: every source profile's data must say so.
                    let refused = !source.profiles().is_empty()
                        && source
                            .profiles()
                            .iter()
                            .all(|p| rules.sentinel(p.name()).is_some_and(|s| s.statement(written).is_none()));
                    if !refused {
                        continue;
                    }
                    let rest: Vec<&str> = d.arg_values().skip(1).collect();
                    out.push(
                        Finding::new(
                            self.code(),
                            location,
                            format!(
                                "{server}'s sentinel reads '{}' and, when it rewrites this file (at its first start, to \
                                 record its myid, and after every failover), writes `sentinel {written} {}`; {back}'s \
                                 sentinel refuses that line (`Unrecognized sentinel configuration statement.`), so the \
                                 rewritten file cannot go back to {back} as it is",
                                d.text,
                                rest.join(" ")
                            ),
                        )
                        .help(format!(
                            "keep a copy of this file for the way back, or plan to rename the line to `{statement}` by \
                             hand after a rollback (verified: valkey-server 8.1.8 / 9.1.2 --sentinel rewrite, then \
                             redis-server 7.0.15 / 8.2.3 --sentinel on the result)"
                        ))
                        .fingerprint(format!("sentinel-rewrite:{statement}")),
                    );
                    continue;
                }
                let Some(c) = target.config(&d.name) else { continue };
                if c.name == d.name || !source.refuses_name(&c.name) {
                    continue;
                }
                out.push(
                    Finding::new(
                        self.code(),
                        location,
                        format!(
                            "{server} reads '{}' as an alias of '{}': a `CONFIG REWRITE` writes the line back as `{} …`, \
                             which {back} refuses at start (`Bad directive or wrong number of arguments`); once {server} \
                             has rewritten this file, a rollback needs the old name put back by hand",
                            d.name,
                            c.name,
                            c.name,
                        ),
                    )
                    .help(format!(
                        "nothing breaks on {server}; for the way back, keep the original file, or rename `{}` to `{}` after \
                         a rollback. Sentinel sends CONFIG REWRITE to every server it reconfigures in a failover, so with \
                         Sentinel the rewrite happens on its own",
                        c.name,
                        d.name,
                    ))
                    .fingerprint(format!("alias-rewrite:{}", d.name)),
                );
            }
        }
    }
}
