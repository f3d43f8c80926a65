//! The configs with a grammar of their own (`createSpecialConfig` in `config.c`). The texts
//! come from the profile, where `scripts/gen-profiles` recorded what each server printed.

use super::Profile;
use super::cparse::{self, cstr, strcaseeq};
use super::schema::ConfigParam;

fn text(config: &ConfigParam, key: &str, fallback: &str) -> String {
    config.special.as_ref().and_then(|s| s.messages.get(key).cloned().flatten()).unwrap_or_else(|| fallback.to_string())
}

/// `None` when the server accepts the arguments (after the multi-argument split), else its message.
pub fn check(profile: &Profile, config: &ConfigParam, args: &[Vec<u8>]) -> Option<String> {
    let empty = Vec::new();
    let first = args.first().unwrap_or(&empty);
    let wrong_args =
        || profile.loader.messages.get("wrong_arguments").cloned().unwrap_or("wrong number of arguments".into());
    match config.name.as_str() {
        "save" => save(config, args),
        "client-output-buffer-limit" => client_output_buffer_limit(profile, config, args),
        "oom-score-adj-values" => {
            if args.len() != 3 {
                return Some(text(config, "arity", &wrong_args()));
            }
            let bad = args.iter().any(|a| {
                let r = cparse::strtoll(a, 10);
                !r.whole(a) || !(-2000..=2000).contains(&r.value)
            });
            bad.then(|| text(config, "range", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."))
        }
        "notify-keyspace-events" => {
            let allowed = config.special.as_ref().and_then(|s| s.allowed.clone()).unwrap_or_default();
            let bad = cstr(first).iter().any(|b| !allowed.as_bytes().contains(b));
            bad.then(|| text(config, "invalid", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."))
        }
        "bind" | "rdma-bind" => {
            let max = config.special.as_ref().and_then(|s| s.max_args).unwrap_or(16);
            (args.len() > max).then(|| text(config, "too_many", "Too many bind addresses specified."))
        }
        "replicaof" => {
            if args.len() != 2 {
                return Some(text(config, "arity", &wrong_args()));
            }
            if strcaseeq(&args[0], "no") && strcaseeq(&args[1], "one") {
                return None;
            }
            let r = cparse::strtoll(&args[1], 10);
            // strtol's long is stored in an int before the range check.
            let port = r.value as i32;
            (!r.whole(&args[1]) || !(0..=65535).contains(&port)).then(|| text(config, "port", "Invalid primary port"))
        }
        "latency-tracking-info-percentiles" => {
            if args.len() == 1 && args[0].is_empty() {
                return None;
            }
            for a in args {
                match cparse::string2d(a, profile.loader.float_parser) {
                    None => {
                        return Some(text(config, "invalid", "Invalid latency-tracking-info-percentiles parameters"));
                    }
                    Some(p) if !(0.0..=100.0).contains(&p) => {
                        return Some(text(
                            config,
                            "range",
                            "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
                        ));
                    }
                    Some(_) => {}
                }
            }
            None
        }
        // The directory must exist where the server runs, which a linter cannot see.
        "dir" => cstr(first).is_empty().then(|| text(config, "empty", "dir can't be empty")),
        _ => None,
    }
}

fn save(config: &ConfigParam, args: &[Vec<u8>]) -> Option<String> {
    let invalid = || Some(text(config, "invalid", "Invalid save parameters"));
    let args = if args.len() == 1 && cstr(&args[0]).is_empty() { &[][..] } else { args };
    if args.len() % 2 == 1 {
        return invalid();
    }
    for (j, a) in args.iter().enumerate() {
        let r = cparse::strtoll(a, 10);
        let min = if j % 2 == 0 { 1 } else { 0 };
        if !r.whole(a) || r.value < min {
            return invalid();
        }
    }
    None
}

fn client_output_buffer_limit(profile: &Profile, config: &ConfigParam, args: &[Vec<u8>]) -> Option<String> {
    if args.len() % 4 != 0 {
        return Some(text(config, "arity", "Wrong number of arguments in buffer limit configuration."));
    }
    let classes = config.special.as_ref().map(|s| s.classes.clone()).unwrap_or_default();
    for group in args.chunks(4) {
        if !classes.iter().any(|c| strcaseeq(&group[0], c)) {
            return Some(text(config, "class", "Invalid client class specified in buffer limit configuration."));
        }
        let secs = cparse::strtoll(&group[3], 10);
        // soft_seconds is an int: the long long from strtoll is truncated before the check.
        let bad = cparse::memtoull(&group[1], profile.loader.memory_overflow).is_none()
            || cparse::memtoull(&group[2], profile.loader.memory_overflow).is_none()
            || (secs.value as i32) < 0
            || !secs.whole(&group[3]);
        if bad {
            return Some(text(
                config,
                "values",
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            ));
        }
    }
    None
}
