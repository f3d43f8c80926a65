//! The binary end to end: exit codes, bad input, configuration, suppression.

use crate::common::{audit_json, cmd, copy_tree, finding_keys, testdata};
use predicates::prelude::*;
use std::fs;

#[test]
fn audit_reports_refused_directives_honours_gitignore_and_suppressions() {
    let dir = copy_tree(&testdata("spine/basic"));
    // Folders nobody wants scanned are skipped even without a .gitignore entry.
    fs::create_dir_all(dir.path().join("node_modules/pkg")).unwrap();
    fs::write(dir.path().join("node_modules/pkg/redis.conf"), "nonsense yes\n").unwrap();
    let (doc, code) = audit_json(dir.path(), &[]);
    assert_eq!(code, 1, "errors fail the run by default");
    // Both files also rely on defaults that change (one CFG004 each, on their first line).
    assert_eq!(
        finding_keys(&doc),
        [
            "CFG004@cache/valkey.conf:1",
            "CFG004@redis.conf:2",
            "CFG001@redis.conf:8",
            "CFG001@redis.conf:13",
            "SCAN006@redis.conf:14"
        ],
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(doc["summary"]["errors"], 2);
}

#[test]
fn json_findings_carry_the_contract_fields() {
    let dir = copy_tree(&testdata("spine/basic"));
    let (doc, _) = audit_json(dir.path(), &[]);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "valkey-migrate");
    for f in doc["findings"].as_array().unwrap() {
        for key in ["code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "help"] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(!f["file"].as_str().unwrap().contains('\\'));
    }
    let first = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "CFG001").unwrap();
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64(), first["end_column"].as_u64()),
        (Some(8), Some(1), Some(15))
    );
    assert_eq!(first["name"], "target-refuses-config");
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("redis.conf"), "port 6379\n# valkey-migrate: ignore[CFG001]\n").unwrap();
    // Only a warning (the unused suppression) is found.
    assert_eq!(audit_json(dir.path(), &[]).1, 0);
    assert_eq!(audit_json(dir.path(), &["--fail-on", "warning"]).1, 1);
    assert_eq!(audit_json(dir.path(), &["--fail-on", "never"]).1, 0);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    cmd().args(["audit", "/definitely/not/here"]).assert().code(2).stderr(predicate::str::contains("does not exist"));
}

#[test]
fn an_empty_repository_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    cmd()
        .arg("audit")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No problems found (0 files scanned)"));
}

#[test]
fn a_binary_file_named_like_a_config_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("redis.conf"), b"\x7fELF\x02\x01\x01\x00\x00\x00bogus-directive yes\n").unwrap();
    let (doc, code) = audit_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(finding_keys(&doc), ["SCAN002@redis.conf:1"]);
    assert_eq!(doc["findings"][0]["severity"], "info");
}

#[test]
fn invalid_utf8_in_a_config_is_read_as_the_server_reads_it() {
    // The server reads bytes; a Latin-1 password is legal and the rest of the file still counts.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("redis.conf"), b"requirepass caf\xe9\nbogus-directive yes\n").unwrap();
    let (doc, _) = audit_json(dir.path(), &["--select", "CFG001"]);
    assert_eq!(finding_keys(&doc), ["CFG001@redis.conf:2"]);
    // The human format still points at the line even though it cannot show a snippet.
    cmd().arg("audit").arg(dir.path()).assert().code(1).stdout(predicate::str::contains("redis.conf:2:1"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_broken_links_are_reported_and_the_scan_goes_on() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    symlink(dir.path().join("gone.conf"), dir.path().join("redis.conf")).unwrap();
    fs::create_dir(dir.path().join("svc")).unwrap();
    fs::write(dir.path().join("svc/redis.conf"), "bogus-directive yes\n").unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::write(locked.join("redis.conf"), "port 1\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let root_can_read = fs::read_dir(&locked).is_ok();
    let (doc, _) = audit_json(dir.path(), &[]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    let keys = finding_keys(&doc);
    assert!(keys.contains(&"SCAN001@redis.conf:1".to_string()), "{keys:?}");
    assert!(keys.contains(&"CFG001@svc/redis.conf:1".to_string()), "{keys:?}");
    if !root_can_read {
        assert!(keys.contains(&"SCAN001@locked:1".to_string()), "{keys:?}");
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("redis.conf"), "bogus-directive yes\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a")).unwrap();
    symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
    let (doc, code) = audit_json(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    let keys = finding_keys(&doc);
    assert_eq!(keys, ["SCAN005@a/loop:1", "SCAN005@elsewhere:1"], "{doc:#}");
}

/// A file reached twice — through overlapping arguments or a link inside the root — is
/// read once, so its findings are not doubled.
#[cfg(unix)]
#[test]
fn a_file_reached_twice_is_read_once() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("cache")).unwrap();
    fs::write(dir.path().join("cache/redis.conf"), "bogus-directive yes\n").unwrap();
    symlink(dir.path().join("cache"), dir.path().join("alias")).unwrap();
    let out = cmd()
        .current_dir(dir.path())
        .args(["audit", ".", "cache", "--format", "json", "--no-config", "--select", "CFG001"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_keys(&doc).len(), 1, "{doc:#}");
}

#[test]
fn config_is_discovered_from_a_parent_and_applied() {
    let dir = copy_tree(&testdata("spine/basic"));
    fs::write(
        dir.path().join(".valkey-migrate.toml"),
        "ignore = [\"SCAN\"]\n[severity]\nCFG001 = \"warning\"\n[per-path-ignores]\n\"cache/**\" = [\"CFG\"]\n",
    )
    .unwrap();
    fs::write(dir.path().join("cache/valkey.conf"), "bogus yes\n").unwrap();
    // Scanning a subfolder still finds the config two levels up.
    let (doc, code) = audit_json(&dir.path().join("cache"), &[]);
    assert_eq!(finding_keys(&doc), Vec::<String>::new(), "per-path ignore applies: {doc:#}");
    assert_eq!(code, 0);
    let (doc, code) = audit_json(dir.path(), &[]);
    let keys: Vec<String> = finding_keys(&doc).into_iter().filter(|k| !k.starts_with("CFG004@")).collect();
    assert_eq!(keys, ["CFG001@redis.conf:8", "CFG001@redis.conf:13"]);
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "warning"));
    assert_eq!(code, 0, "warnings do not fail the run");
    // Flags win over the file.
    let (doc, _) = audit_json(dir.path(), &["--no-config", "--select", "SCAN"]);
    assert_eq!(finding_keys(&doc), ["SCAN006@redis.conf:14"]);
}

#[test]
fn a_broken_config_file_is_an_error_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(".valkey-migrate.toml"), "target = \"valkey-9.1\"\nselect = [\"CFG\", \"CGF002\"]\n")
        .unwrap();
    cmd().arg("audit").arg(dir.path()).assert().code(2).stderr(
        predicate::str::contains("'CGF002' matches no rule").and(predicate::str::contains(".valkey-migrate.toml:2:")),
    );
    fs::write(dir.path().join(".valkey-migrate.toml"), "targte = 1\n").unwrap();
    cmd().arg("audit").arg(dir.path()).assert().code(2).stderr(predicate::str::contains("unknown field `targte`"));
    fs::write(dir.path().join(".valkey-migrate.toml"), "target = \"valkey-91\"\n").unwrap();
    cmd().arg("audit").arg(dir.path()).assert().code(2).stderr(predicate::str::contains("did you mean valkey-9.1"));
    fs::write(dir.path().join(".valkey-migrate.toml"), "[severity\n").unwrap();
    cmd().arg("audit").arg(dir.path()).assert().code(2).stderr(predicate::str::contains("invalid config file"));
}

#[test]
fn exclude_globs_skip_paths() {
    let dir = copy_tree(&testdata("spine/basic"));
    let (doc, _) = audit_json(dir.path(), &["--exclude", "redis.conf", "--exclude", "cache/**"]);
    assert_eq!(finding_keys(&doc), Vec::<String>::new());
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    cmd().arg("init").arg(dir.path()).assert().code(0);
    let path = dir.path().join(".valkey-migrate.toml");
    let written = fs::read_to_string(&path).unwrap();
    assert!(written.contains("# target = \"valkey-9.1\""));
    // The template parses (everything commented means every default).
    cmd().arg("audit").arg(dir.path()).assert().code(0);
    fs::write(&path, "cores = 8\n").unwrap();
    cmd().arg("init").arg(dir.path()).assert().code(2).stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read_to_string(&path).unwrap(), "cores = 8\n", "the user's file is untouched");
    cmd().arg("init").arg(dir.path()).arg("--force").assert().code(0);
    assert_eq!(fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn rules_and_explain_print_the_catalog() {
    cmd()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("CFG001").and(predicate::str::contains("target-refuses-config")));
    let out = cmd().args(["rules", "--format", "json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().any(|r| r["code"] == "SCAN006" && r["severity"] == "warning"));
    cmd().args(["explain", "cfg001"]).assert().code(0).stdout(predicate::str::contains("FATAL CONFIG FILE ERROR"));
    cmd().args(["explain", "target-refuses-config"]).assert().code(0);
    cmd().args(["explain", "CFG01"]).assert().code(2).stderr(predicate::str::contains("did you mean CFG001"));
}

#[test]
fn help_documents_exit_codes() {
    cmd().args(["audit", "--help"]).assert().code(0).stdout(predicate::str::contains("Exit codes:"));
}

#[test]
fn a_rules_dir_overlay_reaches_the_parsers_too() {
    // A team's own node type: with the overlay, the Terraform parser knows its cores.
    let repo = tempfile::tempdir().unwrap();
    fs::write(
        repo.path().join("main.tf"),
        "resource \"aws_elasticache_replication_group\" \"c\" {\n  replication_group_id = \"c\"\n  description = \"c\"\n  engine = \"redis\"\n  engine_version = \"7.1\"\n  node_type = \"cache.r9z.large\"\n}\n",
    )
    .unwrap();
    let hosts = |extra: &[&str]| -> serde_json::Value {
        let out = cmd().arg("inventory").arg(repo.path()).args(extra).output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["hosts"].clone()
    };
    assert_eq!(hosts(&[]).as_array().unwrap().len(), 0, "an unknown node type gives no cores");
    let rules = tempfile::tempdir().unwrap();
    let shipped = fs::read_to_string(crate::common::repo_root().join("rules/node-types.toml")).unwrap();
    fs::write(
        rules.path().join("node-types.toml"),
        format!("{shipped}\n[[node]]\ntype = \"cache.r9z.large\"\nvcpus = 3\nvcpus_source = \"ec2-size-ladder\"\nmaxmemory_bytes = 1\ngeneration = \"current\"\nvalkey = true\nredis = true\n"),
    )
    .unwrap();
    let with = hosts(&["--rules-dir", rules.path().to_str().unwrap()]);
    assert_eq!(with[0]["cores"], 3.0, "{with:#}");
}
