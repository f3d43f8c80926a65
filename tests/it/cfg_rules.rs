//! The CFG rules after CFG001 and the SEC rules, end to end: each fixture under
//! `testdata/rules/<CODE>/` audited with only its rule selected, the human output snapshotted,
//! and the findings' places asserted from the JSON report.

use crate::common::{audit_json, cmd, testdata};

/// `code@file:line` of each finding of `code`.
fn places(code: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--select", code, "--no-config"];
    args.extend_from_slice(extra);
    let (doc, _) = audit_json(&testdata(&format!("rules/{code}")), &args);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}@{}:{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"],
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn human(code: &str) -> String {
    let out = cmd()
        .arg("audit")
        .arg(testdata(&format!("rules/{code}")))
        .args(["--select", code, "--no-config"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cfg002_redis_stack_modules() {
    insta::assert_snapshot!(human("CFG002"));
    // valkey-json and FalkorDB load on Valkey: only the Redis Stack files are reported.
    assert_eq!(places("CFG002", &[]), ["CFG002@redis.conf:2:error", "CFG002@redis.conf:3:error"]);
}

#[test]
fn cfg003_ignored_directives() {
    insta::assert_snapshot!(human("CFG003"));
    // The ziplist name did nothing on Redis 7.2 either: informational.
    assert_eq!(
        places("CFG003", &[]),
        ["CFG003@redis.conf:3:warning", "CFG003@redis.conf:4:warning", "CFG003@redis.conf:5:info"]
    );
    // Valkey 8.0 still reads io-threads-do-reads and dynamic-hz.
    assert_eq!(places("CFG003", &["--target", "valkey-8.0"]), ["CFG003@redis.conf:5:info"]);
}

#[test]
fn cfg004_changed_defaults() {
    insta::assert_snapshot!(human("CFG004"));
    // One finding for the config: the lazyfree group (all but the one set) and
    // hide-user-data-from-log; not the backlog (set) nor syslog-ident (syslog off).
    assert_eq!(places("CFG004", &[]), ["CFG004@redis.conf:2:warning"]);
    let (doc, _) = audit_json(&testdata("rules/CFG004"), &["--select", "CFG004", "--no-config"]);
    let messages: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(
        messages[0].contains("lazyfree-lazy-expire, ") && messages[0].contains("replica-lazy-flush no → yes"),
        "{messages:?}"
    );
    assert!(messages[0].contains("hide-user-data-from-log no → yes"), "{messages:?}");
    assert!(!messages[0].contains("lazyfree-lazy-eviction"), "{messages:?}");
    assert!(messages.iter().all(|m| !m.contains("repl-backlog-size") && !m.contains("syslog-ident")));
    // Redis 7.2 has no hide-user-data-from-log: only the lazyfree group changes from it.
    assert_eq!(places("CFG004", &["--source", "redis-7.2"]), ["CFG004@redis.conf:2:warning"]);
}

#[test]
fn cfg005_names_a_rewrite_changes() {
    insta::assert_snapshot!(human("CFG005"));
    assert_eq!(
        places("CFG005", &[]),
        [
            "CFG005@redis.conf:2:warning",
            "CFG005@redis.conf:3:warning",
            "CFG005@redis.conf:4:warning",
            "CFG005@redis.conf:5:warning",
            "CFG005@sentinel.conf:3:warning",
        ]
    );
    // Valkey 8.0 has no commandlog names yet; its sentinel still writes primary-*.
    assert_eq!(
        places("CFG005", &["--target", "valkey-8.0"]),
        ["CFG005@redis.conf:2:warning", "CFG005@redis.conf:3:warning", "CFG005@sentinel.conf:3:warning"]
    );
}

#[test]
fn cfg006_io_threads_and_cores() {
    insta::assert_snapshot!(human("CFG006"));
    assert_eq!(places("CFG006", &[]), ["CFG006@compose/redis.conf:3:warning", "CFG006@helm/values.yaml:8:warning"]);
    // `--cores` says what every server has: 16 cores fit 8 threads, not the worker's 3 on 2.
    assert_eq!(places("CFG006", &["--cores", "16"]), Vec::<String>::new());
    assert_eq!(
        places("CFG006", &["--cores", "2"]),
        [
            "CFG006@compose/docker-compose.yml:13:warning",
            "CFG006@compose/redis.conf:3:warning",
            "CFG006@helm/values.yaml:8:warning",
        ]
    );
    // Valkey 8.0 runs at most 16 I/O threads.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("redis.conf"), "io-threads 64\n").unwrap();
    let (doc, _) = audit_json(dir.path(), &["--select", "CFG006", "--target", "valkey-8.0", "--cores", "96"]);
    let f = &doc["findings"][0];
    assert!(f["message"].as_str().unwrap().contains("runs at most 16 I/O threads"), "{doc:#}");
}

#[test]
fn cfg007_clients_that_need_extended_redis_compatibility() {
    insta::assert_snapshot!(human("CFG007"));
    assert_eq!(places("CFG007", &[]), ["CFG007@redis.conf:1:info"]);
    // Valkey 7.2 has no such switch.
    assert_eq!(places("CFG007", &["--target", "valkey-7.2"]), Vec::<String>::new());
}

#[test]
fn cfg008_includes() {
    insta::assert_snapshot!(human("CFG008"));
    assert_eq!(
        places("CFG008", &[]),
        ["CFG008@a.conf:1:error", "CFG008@b.conf:1:error", "CFG008@redis.conf:2:error", "CFG008@redis.conf:3:info"]
    );
}

#[test]
fn sec001_exposed_or_denied() {
    insta::assert_snapshot!(human("SEC001"));
    assert_eq!(
        places("SEC001", &[]),
        [
            "SEC001@denied/redis.conf:1:warning",
            "SEC001@exposed/redis.conf:3:warning",
            "SEC001@sentinel/sentinel.conf:1:warning"
        ]
    );
    // From Redis 6.2, where an explicit bind turned protected mode off, the finding says so.
    let (doc, _) = audit_json(&testdata("rules/SEC001/denied"), &["--select", "SEC001", "--source", "redis-6.2"]);
    assert!(doc["findings"][0]["message"].as_str().unwrap().contains("on Redis 6.2 an explicit bind line"), "{doc:#}");
    // A password for the default user, in either form, answers it.
    for auth in ["requirepass s3cret", "user default on >s3cret ~* &* +@all"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("redis.conf"), format!("bind 0.0.0.0\nprotected-mode no\n{auth}\n")).unwrap();
        let (doc, _) = audit_json(dir.path(), &["--select", "SEC001"]);
        assert_eq!(doc["findings"].as_array().unwrap().len(), 0, "{auth}: {doc:#}");
    }
}

#[test]
fn sec002_rename_command() {
    insta::assert_snapshot!(human("SEC002"));
    assert_eq!(
        places("SEC002", &[]),
        ["SEC002@redis.conf:1:warning", "SEC002@redis.conf:2:warning", "SEC002@redis.conf:3:warning"]
    );
}

#[test]
fn sec003_debug_command() {
    insta::assert_snapshot!(human("SEC003"));
    assert_eq!(places("SEC003", &[]), ["SEC003@redis.conf:1:warning"]);
}

#[test]
fn cfg001_sentinel_statements() {
    let dir = testdata("rules/CFG001/sentinel");
    let (doc, _) = audit_json(&dir, &["--select", "CFG001", "--target", "valkey-9.1"]);
    let found: Vec<(u64, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string()))
        .collect();
    let lines: Vec<u64> = found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [4, 5, 6], "{found:?}");
    assert!(found[0].1.ends_with("No such master with specified name."), "{}", found[0].1);
    assert!(found[1].1.ends_with("Unrecognized sentinel configuration statement."), "{}", found[1].1);
    // Valkey 7.2's sentinel knows only the master-* spelling.
    let (doc, _) = audit_json(&dir, &["--select", "CFG001", "--target", "valkey-7.2"]);
    let lines: Vec<u64> = doc["findings"].as_array().unwrap().iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
}

/// The first sentinel statement the real sentinel refuses is the first we report, with its text.
#[test]
fn cfg001_sentinel_verdicts_match_the_real_sentinels() {
    for (profile, binary) in [("valkey-9.1", "valkey-server-9.1"), ("redis-7.0", "redis-server-7.0")] {
        let Some(bin) = crate::common::oracle(&format!("bin/{binary}")) else { return };
        let dir = crate::common::copy_tree(&testdata("rules/CFG001/sentinel"));
        let (doc, _) = audit_json(dir.path(), &["--select", "CFG001", "--target", profile]);
        let first = &doc["findings"][0];
        // The sentinel rewrites its file: run it on a copy, with no port so that it stops.
        let conf = dir.path().join("probe.conf");
        let text = std::fs::read_to_string(dir.path().join("sentinel.conf")).unwrap().replace("port 26379", "port 0");
        std::fs::write(&conf, text).unwrap();
        let out =
            std::process::Command::new(bin).arg(&conf).arg("--sentinel").current_dir(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let at = format!("Reading the configuration file, at line {}\n", first["line"]);
        assert!(stderr.contains(&at), "{profile}: server said {stderr}, we said {first:#}");
        let message = stderr.trim_end().lines().last().unwrap();
        assert!(first["message"].as_str().unwrap().ends_with(message), "{profile}: {message} vs {first:#}");
    }
}
