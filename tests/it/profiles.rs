//! Server profiles: every profile loads, is sane, and answers lookups as the real server would.

use std::time::Instant;
use valkey_migrate::knowledge::Knowledge;
use valkey_migrate::knowledge::profile::{ConfigType, Verdict};

/// The profile names are a contract (`--target`, `--source`, config `target`).
const CONTRACT: &[&str] = &[
    "valkey-7.2",
    "valkey-8.0",
    "valkey-8.1",
    "valkey-9.0",
    "valkey-9.1",
    "redis-6.2",
    "redis-7.0",
    "redis-7.2",
    "redis-7.4",
    "redis-8.0",
    "redis-8.2",
];

fn knowledge() -> Knowledge {
    Knowledge::embedded().expect("embedded knowledge loads")
}

#[test]
fn every_profile_loads_and_is_sane() {
    let k = knowledge();
    let names = k.profile_names();
    for name in names.iter().filter(|n| CONTRACT.contains(&n.as_str())) {
        let p = k.profile(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name(), name);
        assert!(p.configs.len() > 150, "{name}: {} configs", p.configs.len());
        assert!(p.loader.fatal_header.contains(&p.header.version), "{name}: {}", p.loader.fatal_header);
        for c in &p.configs {
            match c.kind {
                ConfigType::Enum => assert!(!c.values.is_empty(), "{name} {}: enum without values", c.name),
                ConfigType::Special => assert!(c.special.is_some(), "{name} {}: special without texts", c.name),
                _ => {}
            }
            // The compiled-in default is a value the loader accepts (special grammars aside:
            // `replicaof ""` is refused by the real server too).
            if let Some(d) = &c.default {
                if c.kind != ConfigType::Special {
                    let v = p.check_directive(&c.name, &[d.as_str()]);
                    assert_eq!(v, Verdict::Accepted, "{name}: default of {} ({d:?})", c.name);
                }
            }
        }
        let commands = p.commands().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(commands.commands.len() > 200, "{name}: {} commands", commands.commands.len());
        let get = p.command("GET").expect("GET exists");
        assert_eq!(get.arity, 2);
        assert!(p.command("client|info").is_some(), "{name}: subcommands are listed as parent|sub");
    }
}

#[test]
fn lookups_are_case_insensitive_and_know_aliases() {
    let k = knowledge();
    let p = k.profile("valkey-9.1").unwrap();
    assert_eq!(p.config("SLAVEOF").unwrap().name, "replicaof");
    assert_eq!(p.config("masterauth").unwrap().name, "primaryauth");
    assert_eq!(p.config("Slowlog-Max-Len").unwrap().name, "commandlog-slow-execution-max-len");
    assert!(p.config("search-timeout").is_none());
    assert_eq!(p.command("Config|Get").unwrap().name, "config|get");
}

#[test]
fn the_target_profile_loads_fast() {
    // Every audit loads its target profile; the command table is parsed only when asked for.
    let k = knowledge();
    let start = Instant::now();
    let p = k.profile("valkey-9.1").unwrap();
    let head = start.elapsed();
    let start = Instant::now();
    p.commands().unwrap();
    let commands = start.elapsed();
    eprintln!("valkey-9.1: profile {head:?}, command table {commands:?}");
    assert!(head.as_millis() < 500, "loading the profile took {head:?}");
}
