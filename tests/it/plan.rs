//! `plan`: deterministic output, the documented JSON schema, and a plan directory that never
//! overwrites or half-writes.

use crate::common::{cmd, copy_tree, repo_root, testdata};
use predicates::prelude::*;
use std::fs;

fn schema() -> jsonschema::Validator {
    let text = fs::read_to_string(repo_root().join("docs/plan.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).expect("schema compiles")
}

fn plan_json(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = cmd().arg("plan").arg(dir).args(["--format", "json"]).args(extra).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn plan_json_matches_the_schema_and_cites_findings() {
    let dir = copy_tree(&testdata("spine/basic"));
    let plan = plan_json(dir.path(), &[]);
    let errors: Vec<String> = schema().iter_errors(&plan).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(plan["verdict"]["status"], "ready-with-changes");
    let config = &plan["phases"][2];
    assert_eq!(config["id"], "config");
    let cited: Vec<String> = config["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| format!("{}@{}:{}", f["code"].as_str().unwrap(), f["file"].as_str().unwrap(), f["line"]))
        .collect();
    assert_eq!(
        cited,
        ["CFG004@cache/valkey.conf:1", "CFG004@redis.conf:2", "CFG001@redis.conf:8", "CFG001@redis.conf:13"]
    );
}

#[test]
fn plan_is_byte_identical_across_runs_unless_timestamped() {
    let dir = copy_tree(&testdata("spine/basic"));
    let run = |extra: &[&str]| cmd().arg("plan").arg(dir.path()).args(extra).output().unwrap().stdout;
    assert_eq!(run(&[]), run(&[]));
    let stamped = plan_json(dir.path(), &["--timestamp"]);
    assert!(stamped["generated_at"].as_str().unwrap().ends_with('Z'));
    assert!(schema().is_valid(&stamped));
    assert!(plan_json(dir.path(), &[]).get("generated_at").is_none());
}

#[test]
fn plan_markdown_leads_with_the_verdict() {
    let dir = copy_tree(&testdata("spine/basic"));
    let md = String::from_utf8(cmd().arg("plan").arg(dir.path()).output().unwrap().stdout).unwrap();
    insta::assert_snapshot!(md.replace(&dir.path().display().to_string(), "<repo>"));
}

#[test]
fn out_dir_is_written_whole_and_never_overwritten_without_force() {
    let dir = copy_tree(&testdata("spine/basic"));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("migration");
    cmd().arg("plan").arg(dir.path()).arg("--out").arg(&target).assert().code(0);
    assert!(target.join("plan.md").is_file() && target.join("plan.json").is_file());
    let first = fs::read(target.join("plan.json")).unwrap();
    fs::write(target.join("notes.txt"), "mine").unwrap();
    cmd()
        .arg("plan")
        .arg(dir.path())
        .arg("--out")
        .arg(&target)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty").and(predicate::str::contains("--force")));
    assert_eq!(fs::read_to_string(target.join("notes.txt")).unwrap(), "mine");
    cmd().arg("plan").arg(dir.path()).arg("--out").arg(&target).arg("--force").assert().code(0);
    assert!(!target.join("notes.txt").exists());
    assert_eq!(fs::read(target.join("plan.json")).unwrap(), first);
    // No staging directories are left behind.
    let leftovers: Vec<_> = fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["migration"]);
}

#[test]
fn an_out_path_under_a_file_fails_cleanly() {
    let dir = copy_tree(&testdata("spine/basic"));
    let parent = tempfile::tempdir().unwrap();
    fs::write(parent.path().join("file"), "x").unwrap();
    cmd()
        .arg("plan")
        .arg(dir.path())
        .arg("--out")
        .arg(parent.path().join("file/plan"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot create"));
    assert_eq!(fs::read_to_string(parent.path().join("file")).unwrap(), "x");
}

#[cfg(unix)]
#[test]
fn a_read_only_out_parent_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let dir = copy_tree(&testdata("spine/basic"));
    let parent = tempfile::tempdir().unwrap();
    fs::set_permissions(parent.path(), fs::Permissions::from_mode(0o555)).unwrap();
    let writable_anyway = fs::write(parent.path().join("probe"), "").is_ok();
    let assert = cmd().arg("plan").arg(dir.path()).arg("--out").arg(parent.path().join("plan")).assert();
    fs::set_permissions(parent.path(), fs::Permissions::from_mode(0o755)).unwrap();
    if writable_anyway {
        // Running as root: permissions do not stop writes, so the plan is simply written.
        assert.code(0);
    } else {
        assert.code(2).stderr(predicate::str::contains("cannot write into"));
        assert!(!parent.path().join("plan").exists());
    }
}

#[test]
fn a_plan_written_inside_the_repository_is_not_audited_and_validates_from_anywhere() {
    let Some(server) = crate::common::oracle("bin/valkey-server-9.1") else { return };
    let dir = copy_tree(&testdata("spine/basic"));
    fs::write(dir.path().join("cache/valkey.conf"), "port 6380\ninclude extra.conf\n").unwrap();
    fs::write(dir.path().join("cache/extra.conf"), "maxmemory 64mb\n").unwrap();
    let before = crate::common::audit_json(dir.path(), &[]).0;
    cmd().arg("plan").arg(dir.path()).arg("--out").arg(dir.path().join("migration")).assert().code(0);
    assert!(dir.path().join("migration/.valkey-migrate-plan").is_file());
    // The plan's own files are not findings of the repository.
    assert_eq!(crate::common::audit_json(dir.path(), &[]).0["findings"], before["findings"]);
    // Validating the plan directory from another working directory still finds the configs
    // (the rewritten ones, which the target now accepts), and the include is resolved from the
    // repository rather than checked on its own.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = cmd()
        .current_dir(elsewhere.path())
        .arg("validate")
        .arg(dir.path().join("migration"))
        .args(["--server-bin", server.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let config_checks: Vec<(String, String)> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["group"] == "config")
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        config_checks,
        [
            ("config/cache/valkey.conf".to_string(), "pass".to_string()),
            ("config/redis.conf".to_string(), "pass".to_string())
        ],
        "{doc:#}"
    );
}

#[test]
fn a_workload_that_needs_redis_modules_valkey_lacks_is_told_to_stay_on_redis() {
    let plan = plan_json(&crate::common::repo_root().join("sample-projects/listing-search"), &["--no-config"]);
    assert_eq!(plan["verdict"]["status"], "blocked");
    let first = &plan["phases"][0]["steps"][0];
    assert_eq!(first["kind"], "blocker");
    assert!(first["title"].as_str().unwrap().starts_with("Stay on Redis for time series"), "{first:#}");
    assert!(plan["verdict"]["reason"].as_str().unwrap().contains("Stay on Redis for time series"));
}
