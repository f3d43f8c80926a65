//! Terraform end to end: the binary's inventory and audit on repositories shaped like real
//! ones (testdata/terraform/<shape>/).

use crate::common::{audit_json, cmd, copy_tree, finding_keys, testdata};

const SHAPES: &[&str] = &[
    "plain",
    "variables",
    "modules",
    "global",
    "serverless",
    "memorydb",
    "gcp",
    "azure",
    "cluster",
    "old-provider",
    "malformed",
];

fn inventory() -> serde_json::Value {
    let out = cmd().arg("inventory").arg(testdata("terraform")).arg("--no-config").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn resource<'a>(inv: &'a serde_json::Value, file: &str, address: &str) -> &'a serde_json::Value {
    inv["infra"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == file && r["address"] == address)
        .unwrap_or_else(|| panic!("{file} {address} not in the inventory"))
}

#[test]
fn the_inventory_lists_each_cache_with_its_resolved_attributes() {
    let inv = inventory();
    let rg = resource(&inv, "plain/main.tf", "aws_elasticache_replication_group.sessions");
    assert_eq!(rg["type"], "aws_elasticache_replication_group");
    assert_eq!(rg["name"], "sessions");
    assert_eq!(rg["line"], 26);
    assert_eq!(rg["dir"], "plain");
    assert_eq!(rg["attributes"]["engine"], "redis");
    assert_eq!(rg["attributes"]["engine_version"], "7.1");
    assert_eq!(rg["attributes"]["node_type"], "cache.r6g.large");
    assert_eq!(rg["unresolved"]["parameter_group_name"]["expr"], "aws_elasticache_parameter_group.sessions.name");

    let pg = resource(&inv, "plain/main.tf", "aws_elasticache_parameter_group.sessions");
    assert_eq!(pg["attributes"]["family"], "redis7");
    let params: Vec<_> = pg["blocks"].as_array().unwrap().iter().map(|b| b["attributes"]["name"].clone()).collect();
    assert_eq!(params, ["maxmemory-policy", "lazyfree-lazy-eviction", "notify-keyspace-events"]);

    // Variables, tfvars, auto.tfvars, locals, lookups and conditionals, resolved as Terraform would.
    let v = resource(&inv, "variables/main.tf", "aws_elasticache_replication_group.this");
    assert_eq!(v["attributes"]["engine"], "redis");
    assert_eq!(v["attributes"]["engine_version"], "6.2");
    assert_eq!(v["attributes"]["node_type"], "cache.r7g.xlarge");
    assert_eq!(v["attributes"]["num_cache_clusters"], 3);
    assert_eq!(v["origins"]["engine_version"]["file"], "variables/terraform.tfvars");
    let vpg = resource(&inv, "variables/main.tf", "aws_elasticache_parameter_group.this");
    assert_eq!(vpg["attributes"]["family"], "redis6.x");

    let m = resource(&inv, "modules/main.tf", "module.queue");
    assert_eq!(m["type"], "module");
    assert_eq!(m["module"]["version"], "1.9.2");
    assert_eq!(m["attributes"]["family"], "redis7");
    assert!(
        inv["infra"].as_array().unwrap().iter().all(|r| r["address"] != "module.vpc"),
        "unrelated modules are left out"
    );

    for (file, address) in [
        ("serverless/main.tf", "aws_elasticache_serverless_cache.api"),
        ("memorydb/main.tf", "aws_memorydb_cluster.ledger"),
        ("global/main.tf", "aws_elasticache_global_replication_group.orders"),
        ("gcp/main.tf", "google_memorystore_instance.new"),
        ("azure/main.tf", "azurerm_managed_redis.analytics"),
    ] {
        resource(&inv, file, address);
    }

    let hosts: Vec<_> = inv["hosts"].as_array().unwrap().iter().filter(|h| h["source"] == "node-type").collect();
    let sessions = hosts.iter().find(|h| h["file"] == "plain/main.tf").expect("a node-type host fact");
    assert_eq!(sessions["cores"], 2.0);
    assert_eq!(sessions["line"], 31);

    let providers = inv["providers"].as_array().unwrap();
    assert!(providers.iter().any(|p| p["file"] == "old-provider/.terraform.lock.hcl" && p["locked"] == "4.67.0"));

    let diags: Vec<_> =
        inv["diagnostics"].as_array().unwrap().iter().map(|d| format!("{}:{}", d["file"], d["line"])).collect();
    assert_eq!(diags, ["\"malformed/bad.auto.tfvars.json\":3", "\"malformed/main.tf\":4"]);
}

#[test]
fn every_tf_rule_fires_where_the_fixtures_say() {
    let (doc, code) = audit_json(&testdata("terraform"), &["--no-config"]);
    assert_eq!(code, 1, "errors fail the run");
    let keys = finding_keys(&doc);
    let expected = [
        "TF001@plain/main.tf:29",
        "TF001@serverless/main.tf:2",
        "TF001@modules/main.tf:32",
        "TF002@cluster/main.tf:3",
        "TF003@global/main.tf:13",
        "TF003@global/main.tf:24",
        "TF004@gcp/main.tf:1",
        "TF004@gcp/main.tf:13",
        "TF005@azure/main.tf:1",
        "TF005@azure/main.tf:12",
        "TF006@global/versions.tf:3",
        "TF006@old-provider/versions.tf:3",
        "TF006@old-provider/.terraform.lock.hcl:5",
        "TF007@modules/main.tf:12",
        "TF008@plain/users.tf:6",
        "TF008@plain/users.tf:15",
        "TF009@cluster/main.tf:11",
        "TF009@modules/main.tf:10",
        "TF010@plain/main.tf:16",
        "TF010@modules/main.tf:20",
        "TF011@plain/main.tf:8",
        "TF012@cluster/main.tf:8",
        "TF012@cluster/main.tf:14",
        "TF013@serverless/main.tf:1",
        "TF014@old-provider/main.tf:6",
        "SCAN004@malformed/main.tf:4",
    ];
    for e in expected {
        assert!(keys.iter().any(|k| k == e), "missing {e} in {keys:#?}");
    }
    let not_expected = [
        // A cluster inside a replication group follows its group; memcached is not ours.
        "TF002@cluster/main.tf:18",
        "TF002@cluster/main.tf:23",
        // name_prefix + create_before_destroy is the safe shape.
        "TF011@variables/main.tf:11",
        // The primary of a global datastore does not move on its own.
        "TF001@global/main.tf:13",
    ];
    for n in not_expected {
        assert!(!keys.iter().any(|k| k == n), "unexpected {n}");
    }
    let severity = |key: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| format!("{}@{}:{}", f["code"].as_str().unwrap(), f["file"].as_str().unwrap(), f["line"]) == key)
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(severity("TF008@plain/users.tf:6"), "info", "a passwordless Redis user may stay");
    assert_eq!(severity("TF008@plain/users.tf:15"), "error");
    assert_eq!(severity("TF006@old-provider/.terraform.lock.hcl:5"), "warning");
    assert_eq!(severity("TF001@memorydb/main.tf:11"), "info", "an assumed engine is info at most");
}

#[test]
fn audit_output_per_shape() {
    for shape in SHAPES {
        let out = cmd()
            .arg("audit")
            .arg(testdata(&format!("terraform/{shape}")))
            .args(["--no-config", "--format", "human"])
            .env("COLUMNS", "120")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        insta::assert_snapshot!(format!("terraform_audit_{}", shape.replace('-', "_")), text);
    }
}

#[test]
fn a_target_selects_the_valkey_release_the_findings_name() {
    let (doc, _) = audit_json(&testdata("terraform/plain"), &["--no-config", "--select", "TF001"]);
    let msg = doc["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("engine_version = \"9.1\""), "{msg}");
}

/// Writes the plan for a copy of a fixture, copies its Terraform files into place the way a
/// team would, and returns the findings of a re-audit (`code@file:line`).
fn audit_after_applying_the_plan(shape: &str) -> Vec<String> {
    let repo = copy_tree(&testdata(&format!("terraform/{shape}")));
    let out = tempfile::tempdir().unwrap();
    let status = cmd().args(["plan", ".", "--no-config", "--out"]).arg(out.path()).current_dir(repo.path()).output();
    let status = status.unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("plan.json")).unwrap()).unwrap();
    let mut applied = 0;
    for a in plan["artifacts"].as_array().unwrap().iter().filter(|a| a["kind"] == "terraform") {
        let dest = repo.path().join(a["replaces"].as_str().unwrap());
        assert!(!dest.exists(), "{} would overwrite a file", dest.display());
        std::fs::copy(out.path().join(a["path"].as_str().unwrap()), dest).unwrap();
        applied += 1;
    }
    assert!(applied > 0, "{shape}: the plan wrote no Terraform files");
    let (doc, _) = audit_json(repo.path(), &["--no-config"]);
    finding_keys(&doc)
}

#[test]
fn applied_overrides_leave_no_finding_they_resolve() {
    // What the overrides resolve: the engine move (TF001/TF009), old module pins (TF007),
    // global datastore members (TF003) and Redis-only parameters (TF010, also on the Redis
    // group a Valkey copy replaced, which stays for the rollback window).
    let resolved = ["TF001", "TF003", "TF007", "TF009", "TF010"];
    for shape in ["plain", "modules", "global", "global-parameter-groups", "memorydb", "serverless", "variables"] {
        let left: Vec<String> = audit_after_applying_the_plan(shape)
            .into_iter()
            .filter(|k| resolved.iter().any(|code| k.starts_with(&format!("{code}@"))))
            .collect();
        assert!(left.is_empty(), "{shape}: still reported after the overrides: {left:?}");
    }
}
