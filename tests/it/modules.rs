//! Modules, commands in code, container images and licences (MOD, IMG, LIC): each rule on its
//! fixture repository, the human output as a snapshot, codes and lines from the JSON output,
//! and the inventory facts the parsers produce, all through the real binary.

use crate::common::{audit_json, cmd, finding_keys, testdata};

fn human(code: &str) -> String {
    let out = cmd()
        .arg("audit")
        .arg(testdata(&format!("rules/{code}")))
        .args(["--no-config", "--select", code, "--format", "human"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn keys(code: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--no-config", "--select", code];
    args.extend_from_slice(extra);
    let (doc, _) = audit_json(&testdata(&format!("rules/{code}")), &args);
    finding_keys(&doc)
}

fn inventory(path: &str) -> serde_json::Value {
    let out = cmd().arg("inventory").arg(testdata(path)).arg("--no-config").output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn mod001_human() {
    insta::assert_snapshot!(human("MOD001"));
}

#[test]
fn mod001_each_use_is_a_finding() {
    assert_eq!(
        keys("MOD001", &[]),
        vec![
            "MOD001@app.ts:5",
            "MOD001@app.ts:6",
            "MOD001@search.py:7",
            "MOD001@search.py:8",
            "MOD001@search.py:9",
            "MOD001@search.py:10",
            "MOD001@search.py:11",
            "MOD001@search.py:12",
            "MOD001@search.py:13",
            "MOD001@search.py:14",
        ]
    );
}

fn core_command_run() -> std::process::Output {
    let dir = testdata("rules/MOD001-core");
    cmd()
        .arg("audit")
        .arg(dir.join("app"))
        .args(["--no-config", "--select", "MOD001", "--target", "valkey-8.0", "--rules-dir"])
        .arg(dir.join("rules"))
        .output()
        .unwrap()
}

/// A core command the target lacks: hash-field expiry on a Valkey 8.0 profile (layered with
/// --rules-dir as valkey-9.1 minus HEXPIRE), found through go-redis's `HExpire`.
#[test]
fn mod001_core_command_on_an_older_target() {
    let out = core_command_run();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
    let (doc, _) = audit_json(&testdata("rules/MOD001-core/app"), &["--no-config", "--select", "MOD001"]);
    assert_eq!(finding_keys(&doc), Vec::<String>::new(), "valkey-9.1 has HEXPIRE");
}

#[test]
fn mod002_human() {
    insta::assert_snapshot!(human("MOD002"));
}

#[test]
fn mod002_modules_in_configs_code_and_images() {
    assert_eq!(
        keys("MOD002", &["--fail-on", "never"]),
        vec![
            "MOD002@Dockerfile:2",
            "MOD002@Dockerfile:2",
            "MOD002@Dockerfile:3",
            "MOD002@docker-compose.yml:3",
            "MOD002@redis.conf:2",
            "MOD002@redis.conf:3",
            "MOD002@redis.conf:5",
            "MOD002@redis.conf:6",
        ]
    );
}

#[test]
fn img001_human() {
    insta::assert_snapshot!(human("IMG001"));
}

#[test]
fn img002_human() {
    insta::assert_snapshot!(human("IMG002"));
}

#[test]
fn img003_human() {
    insta::assert_snapshot!(human("IMG003"));
}

#[test]
fn img003_without_hash_field_ttls_is_a_warning() {
    let dir = crate::common::copy_tree(&testdata("rules/IMG003"));
    std::fs::remove_file(dir.path().join("session.lua")).unwrap();
    let (doc, code) = audit_json(dir.path(), &["--no-config", "--select", "IMG003"]);
    let got: Vec<_> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["severity"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, vec!["warning", "warning"]);
    assert_eq!(code, 0);
}

/// Valkey 8.x never loads RDB 12: an error whatever the data holds (the valkey-8.0 test
/// profile of the MOD001-core fixture stands in for the 8.x line).
#[test]
fn img003_is_an_error_for_a_valkey_8_target() {
    let dir = crate::common::copy_tree(&testdata("rules/IMG003"));
    std::fs::remove_file(dir.path().join("session.lua")).unwrap();
    let rules = testdata("rules/MOD001-core/rules");
    let rules = rules.to_str().unwrap();
    let (doc, code) =
        audit_json(dir.path(), &["--no-config", "--select", "IMG003", "--target", "valkey-8.0", "--rules-dir", rules]);
    let got: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().contains("refuses RDB version 12"),
            )
        })
        .collect();
    assert_eq!(got, vec![("error".to_string(), true), ("error".to_string(), true)]);
    assert_eq!(code, 1);
}

#[test]
fn lic001_human() {
    insta::assert_snapshot!(human("LIC001"));
}

#[test]
fn lic001_only_source_available_versions() {
    assert_eq!(
        keys("LIC001", &["--fail-on", "never"]),
        vec![
            "LIC001@k8s/redis.yaml:12",
            "LIC001@k8s/redis.yaml:14",
            "LIC001@k8s/redis.yaml:16",
            "LIC001@k8s/redis.yaml:18"
        ]
    );
}

#[test]
fn decoys_give_no_finding_end_to_end() {
    let (doc, code) = audit_json(&testdata("code/decoys"), &["--no-config", "--select", "MOD,IMG,LIC"]);
    assert_eq!(finding_keys(&doc), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn inventory_lists_command_uses_and_images() {
    let inv = inventory("rules/MOD001");
    let uses: Vec<String> = inv["command_uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{}@{}:{}", u["command"].as_str().unwrap(), u["file"].as_str().unwrap(), u["line"]))
        .collect();
    assert_eq!(
        uses,
        vec![
            "FT.AGGREGATE@app.ts:5",
            "VSIM@app.ts:6",
            "FT.SEARCH@search.py:7",
            "FT.ALIASADD@search.py:8",
            "JSON.MERGE@search.py:9",
            "JSON.SET@search.py:10",
            "TS.ADD@search.py:11",
            "CF.RESERVE@search.py:12",
            "FT.ADD@search.py:13",
            "FT.*@search.py:14",
        ]
    );
    let inv = inventory("containers/compose");
    let images: Vec<String> = inv["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{}:{}@{}", i["name"].as_str().unwrap(), i["tag"].as_str().unwrap_or("-"), i["line"]))
        .collect();
    assert_eq!(images[0], "redis:7.4-alpine@10");
    assert!(images.contains(&"bitnami/redis:7.2.4-debian-12-r9@23".to_string()), "{images:?}");
    let hosts = inv["hosts"].as_array().unwrap();
    assert!(hosts.iter().all(|h| h["source"] == "container-limit"));
    assert_eq!(hosts.len(), 3);
}
