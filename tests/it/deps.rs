//! Client dependencies end to end: the seed story, each DEP rule on its fixture repository
//! (human output snapshot plus codes and lines), the inventory JSON contract, and the facts
//! the CFG and MOD families read.

use crate::common::{audit_json, cmd, copy_tree, finding_keys, testdata};
use valkey_migrate::config::Settings;
use valkey_migrate::engine::{self, Target};
use valkey_migrate::knowledge::Knowledge;

fn human(dir: &std::path::Path, extra: &[&str]) -> String {
    let out = cmd().arg("audit").arg(dir).args(["--no-config"]).args(extra).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn codes_lines(doc: &serde_json::Value, code: &str) -> Vec<String> {
    finding_keys(doc).into_iter().filter(|k| k.starts_with(code)).collect()
}

/// The product's story: package.json allows the fixed release, the lock file pins an
/// affected one; the finding points at the lock line and the manifest line and says how to
/// update. (The client table here is test data layered with --rules-dir.)
#[test]
fn seed_story_lock_drift_points_at_both_lines() {
    let dir = copy_tree(&testdata("deps/seed-story/app"));
    let rules = testdata("deps/seed-story/rules");
    let (doc, code) = audit_json(dir.path(), &["--no-config", "--rules-dir", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "an error-level finding fails the run");
    let drift: Vec<&serde_json::Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "DEP002").collect();
    assert_eq!(drift.len(), 1, "{doc:#}");
    let f = drift[0];
    assert_eq!((f["file"].as_str(), f["line"].as_u64()), (Some("package-lock.json"), Some(52)));
    assert_eq!(f["related"][0]["file"], "package.json");
    assert_eq!(f["related"][0]["line"], 6);
    assert!(
        f["message"].as_str().unwrap().contains("pins ioredis 5.8.0 although package.json allows 5.8.2 (`^5.8.0`)")
    );
    assert!(f["help"].as_str().unwrap().contains("`npm update ioredis`"));
    // The same lock line is not reported twice (DEP001 gives way to the drift finding).
    assert!(codes_lines(&doc, "DEP001").is_empty());
    insta::assert_snapshot!("seed_story", human(dir.path(), &["--rules-dir", rules.to_str().unwrap()]));

    // After `npm update` the lock pins 5.8.2: only notes remain.
    let lock = dir.path().join("package-lock.json");
    let text = std::fs::read_to_string(&lock).unwrap().replace("\"version\": \"5.8.0\"", "\"version\": \"5.8.2\"");
    std::fs::write(&lock, text).unwrap();
    let (doc, code) = audit_json(dir.path(), &["--no-config", "--rules-dir", rules.to_str().unwrap()]);
    assert_eq!(code, 0);
    // The range still admits the affected 5.8.0: an info suggests raising the floor.
    assert_eq!(finding_keys(&doc), vec!["DEP003@package.json:6", "DEP005@package.json:6"]);
}

#[test]
fn dep001_risky_versions_in_four_ecosystems() {
    let dir = testdata("rules/DEP001");
    let (doc, _) = audit_json(&dir, &["--no-config"]);
    assert_eq!(
        codes_lines(&doc, "DEP001"),
        vec![
            "DEP001@billing/pom.xml:14",
            "DEP001@gateway/go.mod:6",
            "DEP001@web/package-lock.json:79",
            "DEP001@worker/requirements.txt:1",
            "DEP001@worker/requirements.txt:1",
        ]
    );
    // The lock entry carries the manifest line that declares it.
    let web = doc["findings"].as_array().unwrap().iter().find(|f| f["file"] == "web/package-lock.json").unwrap();
    assert_eq!(
        (web["related"][0]["file"].as_str(), web["related"][0]["line"].as_u64()),
        (Some("web/package.json"), Some(6))
    );
    // @redis/client 6.3.1 (line 26) comes with redis 6.3.1: one problem, one finding.
    assert!(!finding_keys(&doc).contains(&"DEP001@web/package-lock.json:26".to_string()));
    insta::assert_snapshot!("dep001", human(&dir, &[]));
}

/// Conditional risks checked against the code: a condition the code shows is definite and
/// points at the line; one it does not show is an info that says so; an opt-out in code makes
/// a default risk an info; a cluster client gets the cluster client's workaround.
#[test]
fn dep001_conditions_are_checked_against_the_code() {
    let dir = testdata("rules/DEP001-code");
    let (doc, _) = audit_json(&dir, &["--no-config", "--select", "DEP001"]);
    let findings = doc["findings"].as_array().unwrap();
    let find = |file: &str, needle: &str| -> &serde_json::Value {
        findings
            .iter()
            .find(|f| f["file"] == file && f["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no {file} finding with {needle}: {doc:#}"))
    };
    let related = |f: &serde_json::Value| -> Vec<String> {
        f["related"]
            .as_array()
            .map_or(vec![], |r| r.iter().map(|x| format!("{}:{}", x["file"].as_str().unwrap(), x["line"])).collect())
    };

    let csc = find("csc/requirements.txt", "client-side caching");
    assert_eq!(csc["severity"], "warning");
    assert!(
        csc["message"].as_str().unwrap().contains("and this repository does that: `cache_config=` at csc/prices.py:6")
    );
    assert!(csc["help"].as_str().unwrap().contains("change `cache_config=` at csc/prices.py:6"));
    assert_eq!(related(csc), vec!["csc/prices.py:6"]);

    // The other project's caching is not this one's.
    let absent = find("nocsc/requirements.txt", "client-side caching");
    assert_eq!(absent["severity"], "info");
    assert!(absent["message"].as_str().unwrap().contains("the scanned code shows no client-side caching"));
    assert!(!absent["message"].as_str().unwrap().contains("check whether your code does that"));
    assert!(related(absent).is_empty());

    let probe = find("optout/requirements.txt", "MAINT_NOTIFICATIONS");
    assert_eq!(probe["severity"], "info");
    assert!(
        probe["message"]
            .as_str()
            .unwrap()
            .contains("your code switches it off (`MaintNotificationsConfig(enabled=False)` at optout/app.py:4)")
    );

    let cluster = find("cluster/go.mod", "MAINT_NOTIFICATIONS");
    assert_eq!(cluster["severity"], "warning");
    let help = cluster["help"].as_str().unwrap();
    assert!(
        help.contains("redis.NewClusterClient(&redis.ClusterOptions{") && !help.contains("redis.NewClient("),
        "{help}"
    );

    let sentinel = find("sentinel/Cart.csproj", "redis_mode");
    assert_eq!(sentinel["severity"], "warning");
    assert!(sentinel["message"].as_str().unwrap().contains("this happens only with a Sentinel or Cluster deployment"));
    assert_eq!(related(sentinel), vec!["sentinel/Redis.cs:6"]);
    assert!(sentinel["help"].as_str().unwrap().contains("`dotnet add package StackExchange.Redis --version 2.12.27`"));
    insta::assert_snapshot!("dep001_code", human(&dir, &["--select", "DEP001"]));
}

/// A client whose version the Spring Boot parent or BOM sets: the managing BOM is named, the
/// Lettuce line it manages (UNVERIFIED, so info) with that line's risk, or `mvn dependency:tree`.
#[test]
fn dep006_managed_versions_name_the_bom_and_the_driver_line() {
    let dir = testdata("rules/DEP006");
    let (doc, _) = audit_json(&dir, &["--no-config", "--select", "DEP006"]);
    assert_eq!(
        finding_keys(&doc),
        vec![
            "DEP006@boot27/pom.xml:11",
            "DEP006@boot40/pom.xml:11",
            "DEP006@boot41-bom/pom.xml:22",
            "DEP006@gradle-boot35/build.gradle:10",
            "DEP006@gradle-convention/build.gradle:7",
            "DEP006@gradle-kts-platform/build.gradle.kts:8"
        ],
        "the test-scoped starter is not reported"
    );
    let findings = doc["findings"].as_array().unwrap();
    for f in findings {
        assert_eq!(f["severity"], "info", "unverified knowledge is info at most: {f:#}");
        let tree = if f["file"].as_str().unwrap().contains("gradle") {
            "./gradlew dependencyInsight --dependency lettuce-core"
        } else {
            "mvn dependency:tree -Dincludes=io.lettuce:lettuce-core"
        };
        assert!(f["help"].as_str().unwrap().contains(tree), "{f:#}");
    }
    let msg =
        |file: &str| findings.iter().find(|f| f["file"] == file).unwrap()["message"].as_str().unwrap().to_string();
    assert!(
        msg("boot40/pom.xml")
            .contains("spring-boot-starter-parent 4.0.3 manages it and pulls in Lettuce 6.8.x (UNVERIFIED")
    );
    assert!(msg("boot41-bom/pom.xml").contains("spring-boot-dependencies 4.1.2 manages it and pulls in Lettuce 7.5.x"));
    assert!(msg("boot41-bom/pom.xml").contains("CLIENT MAINT_NOTIFICATIONS"));
    assert!(msg("boot27/pom.xml").contains("is not in the tool's table"));
    // Gradle: the Boot plugin's version, a platform's, or a BOM outside the file.
    assert!(
        msg("gradle-boot35/build.gradle")
            .contains("spring-boot-dependencies 3.5.3 manages it and pulls in Lettuce 6.6.x")
    );
    assert!(
        msg("gradle-kts-platform/build.gradle.kts")
            .contains("spring-boot-dependencies 4.1.2 manages it and pulls in Lettuce 7.5.x")
    );
    assert!(msg("gradle-convention/build.gradle").contains("a Gradle platform or plugin outside this file"));

    // The inventory records the dependency as managed, with the BOM and its version.
    let out = cmd().arg("inventory").arg(dir.join("boot41-bom")).arg("--no-config").output().unwrap();
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dep = inv["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "org.springframework.data:spring-data-redis")
        .unwrap();
    assert!(dep["version"].is_null() && dep["requirement"].is_null(), "{dep:#}");
    assert_eq!(dep["managed_by"][0]["name"], "org.springframework.boot:spring-boot-dependencies");
    assert_eq!(dep["managed_by"][0]["version"], "4.1.2");
    insta::assert_snapshot!("dep006", human(&dir, &["--select", "DEP006"]));
}

#[test]
fn dep002_drift_on_nuget() {
    let dir = testdata("rules/DEP002");
    let (doc, _) = audit_json(&dir, &["--no-config"]);
    assert_eq!(codes_lines(&doc, "DEP00"), vec!["DEP005@Cache.Api.csproj:7", "DEP002@packages.lock.json:8"]);
    insta::assert_snapshot!("dep002", human(&dir, &[]));
}

#[test]
fn dep003_unpinned_ranges() {
    let dir = testdata("rules/DEP003");
    let (doc, _) = audit_json(&dir, &["--no-config", "--select", "DEP003"]);
    assert_eq!(
        finding_keys(&doc),
        vec![
            "DEP003@requirements.txt:2",
            "DEP003@requirements.txt:2",
            "DEP003@requirements.txt:2",
            "DEP003@svc/package.json:4",
            "DEP003@svc/package.json:4",
        ]
    );
    insta::assert_snapshot!("dep003", human(&dir, &["--select", "DEP003"]));
}

#[test]
fn dep004_module_clients_direct_only() {
    let dir = testdata("rules/DEP004");
    let (doc, _) = audit_json(&dir, &["--no-config", "--select", "DEP004"]);
    assert_eq!(finding_keys(&doc), vec!["DEP004@package.json:5", "DEP004@package.json:6", "DEP004@requirements.txt:1"]);
    insta::assert_snapshot!("dep004", human(&dir, &["--select", "DEP004"]));
}

#[test]
fn dep005_native_alternative_unless_already_used() {
    let dir = testdata("rules/DEP005");
    let (doc, _) = audit_json(&dir, &["--no-config"]);
    // py/ already uses valkey-py next to redis: no advice there.
    assert_eq!(finding_keys(&doc), vec!["DEP005@package.json:4"]);
    insta::assert_snapshot!("dep005", human(&dir, &[]));
}

#[test]
fn inventory_lists_dependencies_with_the_contract_fields() {
    let out = cmd().arg("inventory").arg(testdata("rules/DEP001")).arg("--no-config").output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let deps = doc["dependencies"].as_array().unwrap();
    let redis = deps.iter().find(|d| d["file"] == "web/package-lock.json" && d["name"] == "redis").unwrap();
    for field in ["ecosystem", "name", "version", "file", "line", "direct", "source"] {
        assert!(redis.get(field).is_some(), "missing {field}: {redis}");
    }
    assert_eq!(
        (
            redis["ecosystem"].as_str(),
            redis["version"].as_str(),
            redis["line"].as_u64(),
            redis["direct"].as_bool(),
            redis["source"].as_str()
        ),
        (Some("npm"), Some("6.3.1"), Some(79), Some(true), Some("lockfile"))
    );
    let manifest = deps.iter().find(|d| d["file"] == "web/package.json").unwrap();
    assert_eq!((manifest["requirement"].as_str(), manifest["source"].as_str()), (Some("^6.3.1"), Some("manifest")));
}

#[test]
fn malformed_lock_files_are_diagnosed_and_the_run_goes_on() {
    let dir = copy_tree(&testdata("rules/DEP001"));
    std::fs::write(dir.path().join("web/package-lock.json"), "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n")
        .unwrap();
    let (doc, _) = audit_json(dir.path(), &["--no-config"]);
    let keys = finding_keys(&doc);
    assert!(keys.contains(&"SCAN004@web/package-lock.json:4".to_string()), "{keys:?}");
    // The other projects are still audited.
    assert!(keys.contains(&"DEP001@gateway/go.mod:6".to_string()), "{keys:?}");
}

fn scan(dir: &std::path::Path) -> (engine::ScanOutput, Knowledge) {
    let k = Knowledge::embedded().unwrap();
    let target = Target::resolve(&[dir.to_path_buf()]).unwrap();
    let settings = Settings::load(
        &target.paths[0],
        &valkey_migrate::config::Overrides { no_config: true, ..Default::default() },
        &k,
    )
    .unwrap();
    (engine::scan(&target, &settings, &k), k)
}

#[test]
fn facts_for_other_families() {
    let (s, k) = scan(&testdata("rules/DEP002"));
    let clients = k.clients().unwrap();
    let needs = valkey_migrate::rules::dep::extended_redis_compatibility_needs(&s.inventory, &clients);
    assert_eq!(needs.len(), 1);
    assert_eq!((needs[0].client.as_str(), needs[0].version.as_str()), ("StackExchange.Redis", "2.8.16"));
    assert_eq!(needs[0].dependency.location.line, 8);

    let (s, k) = scan(&testdata("rules/DEP001"));
    assert!(
        valkey_migrate::rules::dep::extended_redis_compatibility_needs(&s.inventory, &k.clients().unwrap()).is_empty()
    );

    let (s, k) = scan(&testdata("rules/DEP004"));
    let clients = k.clients().unwrap();
    let uses = valkey_migrate::rules::dep::module_client_uses(&s.inventory, &clients);
    let got: Vec<(String, Vec<String>)> = uses.iter().map(|u| (u.dependency.name.clone(), u.modules.clone())).collect();
    assert_eq!(
        got,
        vec![
            ("redis-om".to_string(), vec!["search".to_string(), "json".to_string()]),
            ("@redis/time-series".to_string(), vec!["timeseries".to_string()]),
            ("redisvl".to_string(), vec!["search".to_string()]),
        ]
    );
}

#[test]
fn dep006_defers_to_a_driver_pinned_in_the_same_pom() {
    let dir = tempfile::tempdir().unwrap();
    let pom = |extra: &str| {
        format!(
            r#"<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>4.0.3</version></parent>
  <groupId>x</groupId><artifactId>y</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-redis</artifactId></dependency>{extra}
  </dependencies>
</project>
"#
        )
    };
    std::fs::write(dir.path().join("pom.xml"), pom("")).unwrap();
    let codes = |d: &serde_json::Value| -> Vec<String> {
        d["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
    };
    let (doc, _) = crate::common::audit_json(dir.path(), &["--no-config", "--select", "DEP001,DEP006"]);
    assert_eq!(codes(&doc), ["DEP006"]);
    std::fs::write(
        dir.path().join("pom.xml"),
        pom("\n    <dependency><groupId>io.lettuce</groupId><artifactId>lettuce-core</artifactId><version>7.1.0.RELEASE</version></dependency>"),
    )
    .unwrap();
    let (doc, _) = crate::common::audit_json(dir.path(), &["--no-config", "--select", "DEP001,DEP006"]);
    assert_eq!(codes(&doc), ["DEP001"], "{doc:#}");
}
