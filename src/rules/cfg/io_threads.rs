use super::view::{cores, cores_text, deployments, describe_host};
use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::knowledge::profile::Product;
use crate::rules::{Rule, RuleContext};

/// `io-threads` against the cores the server really has (`--cores`/`cores`, or the CPU limit
/// or node type the repository ties to the config) and against what the target really uses.
/// The servers start with any count and say nothing, so the finding says what happens and
/// quotes the target's own guidance.
pub struct IoThreadsVsCores;

/// The official guidance as a number: leave a core spare, and no threading below 3 cores.
pub fn recommended(cores: f64) -> u32 {
    let whole = cores.floor() as u32;
    if whole < 3 { 1 } else { whole - 1 }
}

impl Rule for IoThreadsVsCores {
    fn code(&self) -> &'static str {
        "CFG006"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let target = &cx.target;
        let server = target.display_name();
        let (guidance, guidance_source) = match target.header.product {
            Product::Valkey => (&rules.io_threads.valkey_guidance, &rules.io_threads.valkey_source),
            Product::Redis => (&rules.io_threads.redis_guidance, &rules.io_threads.redis_source),
        };
        for d in deployments(cx.inventory).iter().filter(|d| d.kind() == ServerConfigKind::Server) {
            let Some(line) = d.last(target, "io-threads") else { continue };
            let Some(n) = line.first_arg().and_then(|v| v.parse::<u32>().ok()) else { continue };
            let location =
                line.directive.args.first().and_then(|a| a.location.clone()).unwrap_or_else(|| line.location());
            if let Some(clamp) = rules.io_threads_clamp(target.name())
                && n > clamp.max
            {
                out.push(
                    Finding::new(
                        self.code(),
                        location.clone(),
                        format!(
                            "{server} accepts 'io-threads {n}' but runs at most {} I/O threads: it lowers the value \
                             without a word ({})",
                            clamp.max, clamp.source
                        ),
                    )
                    .help(format!(
                        "set io-threads {} or less, or move to a later Valkey (8.1 runs up to 256)",
                        clamp.max
                    ))
                    .fingerprint("io-threads:clamp".to_string()),
                );
            }
            if n <= 1 {
                continue;
            }
            let hosts = cores(cx.inventory, d, cx.settings.cores);
            let Some(&(smallest, host)) = hosts.first() else { continue };
            let rec = recommended(smallest);
            if n <= rec {
                continue;
            }
            let on = match host {
                Some(h) => describe_host(h),
                None => format!("{} (the cores setting)", cores_text(smallest)),
            };
            let others: Vec<String> = hosts.iter().skip(1).filter_map(|(_, h)| h.map(describe_host)).collect();
            let also = if others.is_empty() { String::new() } else { format!(" (also runs on {})", others.join(", ")) };
            out.push(
                Finding::new(
                    self.code(),
                    location,
                    format!(
                        "io-threads {n} on {on}{also}: {n} threads, the main thread included, for {}; {server} {}",
                        cores_text(smallest),
                        rules.io_threads.oversubscribed
                    ),
                )
                .help(format!(
                    "{}. {server}'s config file says: \"{guidance}\" ({})",
                    if rec == 1 {
                        "set io-threads 1 (threading off: it needs at least 3 cores)".to_string()
                    } else {
                        format!("set io-threads {rec} or lower")
                    },
                    guidance_source.split(" (").next().unwrap_or(guidance_source)
                ))
                .fingerprint(format!("io-threads:{n}:{smallest}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn leave_a_core_spare() {
        assert_eq!(super::recommended(4.0), 3);
        assert_eq!(super::recommended(8.0), 7);
        assert_eq!(super::recommended(2.0), 1);
        assert_eq!(super::recommended(0.5), 1);
        assert_eq!(super::recommended(3.5), 2);
    }
}
