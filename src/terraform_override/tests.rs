//! The generated files are checked the way Terraform would use them: they parse as HCL, and
//! merged into the original directory by Terraform's override rules (the parser implements
//! them) the caches say `engine = "valkey"` with a version and family the service accepts.

use super::*;
use crate::sources::terraform::TerraformParser;
use crate::sources::{Facts, ParseContext, SourceFile, SourceParser};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform").join(name)
}

fn parse_tree(root: &Path) -> Facts {
    let mut srcs = Vec::new();
    collect(root, root, &mut srcs);
    srcs.sort_by(|a, b| a.rel.cmp(&b.rel));
    let cx = ParseContext {
        root: root.to_path_buf(),
        max_file_size: 1 << 20,
        knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(),
        quote_tail: crate::knowledge::profile::QuoteTail::Joined,
    };
    let mut out = Facts::default();
    TerraformParser.parse_group(&srcs, &cx, &mut out);
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else if TerraformParser.claim("", &e.file_name().to_string_lossy()) != crate::sources::Claim::No {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push(SourceFile::from_bytes(rel, std::fs::read(&p).unwrap()));
        }
    }
}

/// Generates for a fixture, writes the files into a copy, and returns (generated, merged facts).
fn generate_and_merge(name: &str, target: &str) -> (Overrides, Facts) {
    let k = TerraformKnowledge::embedded();
    let original = parse_tree(&fixture(name));
    let generated = generate(&original.inventory, k, target);
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), tmp.path());
    for f in &generated.files {
        hcl::parse(&f.contents)
            .unwrap_or_else(|e| panic!("{} does not parse with hcl-rs: {e}\n{}", f.path, f.contents));
        assert!(f.contents.ends_with('\n') && !f.contents.contains("\r\n") && !f.contents.contains("depends_on"));
        let path = tmp.path().join(&f.path);
        assert!(!path.exists(), "{} would overwrite a file", f.path);
        std::fs::write(path, &f.contents).unwrap();
    }
    let merged = parse_tree(tmp.path());
    assert!(merged.diagnostics.is_empty(), "Terraform would refuse the merge: {:#?}", merged.diagnostics);
    (generated, merged)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn merged<'a>(facts: &'a Facts, address: &str) -> &'a InfraResource {
    facts.inventory.infra.iter().find(|r| r.address == address).unwrap_or_else(|| panic!("{address} missing"))
}

fn contents<'a>(o: &'a Overrides, path: &str) -> &'a str {
    &o.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}: {:?}", o.files)).contents
}

#[test]
fn plain_replication_group_moves_with_a_new_parameter_group() {
    let (o, m) = generate_and_merge("plain", "9.1.2");
    insta::assert_snapshot!("plain_override", contents(&o, "valkey_override.tf"));
    insta::assert_snapshot!("plain_parameter_groups", contents(&o, "valkey_parameter_groups.tf"));
    assert!(o.init_dirs.is_empty(), "nothing to install: {:?}", o.init_dirs);
    let rg = merged(&m, "aws_elasticache_replication_group.sessions");
    assert_eq!(rg.attr_str("engine"), Some("valkey"));
    assert_eq!(rg.attr_str("engine_version"), Some("9.1"));
    assert_eq!(rg.spans["parameter_group_name"].expr, "aws_elasticache_parameter_group.sessions_valkey9.name");
    // Untouched arguments survive the merge.
    assert_eq!(rg.attr_str("node_type"), Some("cache.r6g.large"));
    let pg = merged(&m, "aws_elasticache_parameter_group.sessions_valkey9");
    let k = TerraformKnowledge::embedded();
    let family = k.family(pg.attr_str("family").unwrap()).expect("a known family");
    assert!(family.versions.iter().any(|v| v == "9.1"), "the family holds the engine version");
    let params: Vec<&str> = pg.blocks_of("parameter").filter_map(|b| b.attributes["name"].as_str()).collect();
    assert_eq!(params, ["maxmemory-policy", "notify-keyspace-events"], "lazyfree-lazy-eviction is dropped");
    // The old group is left as it was, for the rollback window.
    assert_eq!(merged(&m, "aws_elasticache_parameter_group.sessions").attr_str("family"), Some("redis7"));
}

#[test]
fn an_older_target_picks_the_matching_family() {
    let (o, m) = generate_and_merge("plain", "8.1.8");
    let rg = merged(&m, "aws_elasticache_replication_group.sessions");
    assert_eq!(rg.attr_str("engine_version"), Some("8.1"));
    assert!(contents(&o, "valkey_parameter_groups.tf").contains("family = \"valkey8\""));
}

#[test]
fn variables_and_locals_are_overridden_at_the_resource() {
    let (o, m) = generate_and_merge("variables", "9.1.2");
    insta::assert_snapshot!("variables_override", contents(&o, "valkey_override.tf"));
    let rg = merged(&m, "aws_elasticache_replication_group.this");
    assert_eq!(rg.attr_str("engine"), Some("valkey"));
    assert_eq!(rg.attr_str("engine_version"), Some("9.1"));
    let pg = merged(&m, "aws_elasticache_parameter_group.this_valkey9");
    assert_eq!(pg.attr_str("family"), Some("valkey9"));
    assert_eq!(pg.attr_str("name_prefix"), Some("production-cache-"), "expressions are copied and still resolve");
    assert!(pg.create_before_destroy());
}

#[test]
fn modules_are_moved_through_their_inputs_and_old_modules_are_left_alone() {
    let (o, m) = generate_and_merge("modules", "9.1.2");
    insta::assert_snapshot!("modules_override", contents(&o, "valkey_override.tf"));
    let queue = merged(&m, "module.queue");
    assert_eq!(queue.attr_str("engine"), Some("valkey"));
    assert_eq!(queue.attr_str("family"), Some("valkey9"));
    let ledger = merged(&m, "module.ledger");
    assert_eq!(ledger.attr_str("parameter_group_family"), Some("memorydb_valkey7"));
    assert_eq!(ledger.attr_str("engine_version"), Some("7.2"));
    // A module pinned below its first Valkey release is raised to it in the same override
    // (same major version), with its engine, family and parameters.
    assert!(o.skipped.is_empty(), "{:?}", o.skipped);
    assert_eq!(o.init_dirs, ["."], "terraform init must fetch the new module release");
    let sessions = merged(&m, "module.sessions");
    assert_eq!(sessions.module.as_ref().and_then(|c| c.version.as_deref()), Some("1.4.0"));
    assert_eq!(sessions.attr_str("engine"), Some("valkey"));
    assert_eq!(sessions.attr_str("parameter_group_family"), Some("valkey9"));
    assert_eq!(sessions.attributes["parameters"], serde_json::json!([{"name": "latency-tracking", "value": "yes"}]));
    // The module's parameter list loses what the Valkey family does not have.
    let events = merged(&m, "module.events");
    assert_eq!(events.attributes["parameters"], serde_json::json!([{"name": "notify-keyspace-events", "value": "Ex"}]));
    assert_eq!(events.attr_str("parameter_group_family"), Some("valkey9"));
}

#[test]
fn a_global_datastore_moves_through_its_global_group_and_raises_the_provider() {
    let (o, m) = generate_and_merge("global", "9.1.2");
    insta::assert_snapshot!("global_override", contents(&o, "valkey_override.tf"));
    let g = merged(&m, "aws_elasticache_global_replication_group.orders");
    assert_eq!(g.attr_str("engine"), Some("valkey"));
    // The primary's own arguments follow, so the configuration says what runs (the provider
    // ignores them on a member); the secondary's conflict with global_replication_group_id.
    assert_eq!(merged(&m, "aws_elasticache_replication_group.primary").attr_str("engine"), Some("valkey"));
    assert!(!merged(&m, "aws_elasticache_replication_group.secondary").has("engine"));
    // No parameter group is written: the primary names none (the service keeps its default).
    assert!(!merged(&m, "aws_elasticache_global_replication_group.orders").has("parameter_group_name"));
    assert_eq!(o.init_dirs, ["."], "the provider requirement rises");
    let aws: Vec<_> = m.inventory.providers.iter().filter(|p| p.dir == ".").collect();
    assert_eq!(aws.len(), 1);
    assert_eq!(aws[0].constraint.as_deref(), Some(">= 6.11.0"));
}

#[test]
fn serverless_memorydb_and_old_providers() {
    let (_, m) = generate_and_merge("serverless", "9.1.2");
    let s = merged(&m, "aws_elasticache_serverless_cache.api");
    assert_eq!((s.attr_str("engine"), s.attr_str("major_engine_version")), (Some("valkey"), Some("9")));

    let (o, m) = generate_and_merge("memorydb", "9.1.2");
    let c = merged(&m, "aws_memorydb_cluster.ledger");
    assert_eq!((c.attr_str("engine"), c.attr_str("engine_version")), (Some("valkey"), Some("7.2")));
    assert!(contents(&o, "valkey_parameter_groups.tf").contains("family = \"memorydb_valkey7\""));

    let (o, m) = generate_and_merge("old-provider", "9.1.2");
    insta::assert_snapshot!("old_provider_override", contents(&o, "valkey_override.tf"));
    let rg = merged(&m, "aws_elasticache_replication_group.legacy");
    assert_eq!(rg.attr_str("parameter_group_name"), Some("default.valkey9"));
}

#[test]
fn blockers_get_no_override_and_say_why() {
    let (o, _) = generate_and_merge("cluster", "9.1.2");
    assert!(o.skipped.iter().any(|s| s.address == "aws_elasticache_cluster.single" && s.reason.contains("TF002")));
    let text = contents(&o, "valkey_override.tf");
    assert!(!text.contains("aws_elasticache_cluster"), "{text}");
    let (o, _) = generate_and_merge("gcp", "9.1.2");
    assert!(o.files.is_empty());
}

#[test]
fn the_output_is_what_terraform_fmt_leaves_when_terraform_is_installed() {
    // `terraform fmt` is the reference for the layout; it runs offline. Not every machine has
    // Terraform (it is not in the package registries this project installs from), so this
    // check runs where it can and says so where it cannot.
    let Ok(tf) = which_terraform() else {
        eprintln!("skipping: terraform is not on PATH");
        return;
    };
    for name in [
        "plain",
        "variables",
        "modules",
        "global",
        "global-parameter-groups",
        "memorydb",
        "old-provider",
        "serverless",
        "cluster",
    ] {
        let (o, _) = generate_and_merge(name, "9.1.2");
        // Terraform itself loads the directory with the files merged in (`terraform providers`
        // needs no provider download): a missing target or a forbidden override fails here.
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(name), dir.path());
        for f in &o.files {
            std::fs::write(dir.path().join(&f.path), &f.contents).unwrap();
        }
        // A lock file makes `providers` look for installed plugins.
        let _ = std::fs::remove_file(dir.path().join(".terraform.lock.hcl"));
        let out = std::process::Command::new(&tf)
            .arg("providers")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        // Remote modules must be downloaded before Terraform loads their calls; not here.
        assert!(
            name == "modules" || out.status.success(),
            "terraform refuses {name} with the overrides: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for f in &o.files {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("x.tf");
            std::fs::write(&path, &f.contents).unwrap();
            let out = std::process::Command::new(&tf).args(["fmt", "-check", "-diff"]).arg(&path).output().unwrap();
            assert!(out.status.success(), "{} is not fmt-clean:\n{}", f.path, String::from_utf8_lossy(&out.stdout));
        }
    }
}

fn which_terraform() -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("terraform")).find(|p| p.is_file()))
        .ok_or(())
}

#[test]
fn a_new_group_never_takes_the_name_of_an_existing_block() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("plain"), tmp.path());
    std::fs::write(
        tmp.path().join("manual.tf"),
        "resource \"aws_elasticache_parameter_group\" \"sessions_valkey9\" {\n  name   = \"manual\"\n  family = \"valkey9\"\n}\n",
    )
    .unwrap();
    let facts = parse_tree(tmp.path());
    let o = generate(&facts.inventory, TerraformKnowledge::embedded(), "9.1.2");
    let text = contents(&o, "valkey_parameter_groups.tf");
    assert!(text.contains("\"sessions_valkey9_new\""), "{text}");
    assert!(contents(&o, "valkey_override.tf").contains("aws_elasticache_parameter_group.sessions_valkey9_new.name"));
}

#[test]
fn a_cache_inside_a_local_module_is_changed_in_the_module_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("modules/cache")).unwrap();
    std::fs::write(tmp.path().join("main.tf"), "module \"cache\" {\n  source = \"./modules/cache\"\n}\n").unwrap();
    std::fs::write(
        tmp.path().join("modules/cache/main.tf"),
        "resource \"aws_elasticache_replication_group\" \"c\" {\n  engine         = \"redis\"\n  engine_version = \"7.1\"\n}\n",
    )
    .unwrap();
    let facts = parse_tree(tmp.path());
    let o = generate(&facts.inventory, TerraformKnowledge::embedded(), "9.1.2");
    assert_eq!(o.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["modules/cache/valkey_override.tf"]);
    assert_eq!(o.notes.len(), 1);
    assert!(o.notes[0].reason.contains("every caller"), "{:?}", o.notes);
}

#[test]
fn a_module_whose_engine_comes_from_its_callers_is_moved_at_each_caller() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "modules/cache/main.tf",
        "variable \"engine\" {}\nvariable \"engine_version\" {}\nvariable \"parameter_group\" { default = \"default.redis7\" }\n\
         resource \"aws_elasticache_replication_group\" \"c\" {\n  engine               = var.engine\n  \
         engine_version       = var.engine_version\n  parameter_group_name = var.parameter_group\n}\n",
    );
    for env in ["prod", "staging"] {
        write(
            &format!("envs/{env}/main.tf"),
            "module \"cache\" {\n  source         = \"../../modules/cache\"\n  engine         = \"redis\"\n  engine_version = \"7.1\"\n}\n",
        );
    }
    let o = generate(&parse_tree(tmp.path()).inventory, TerraformKnowledge::embedded(), "9.1.2");
    let paths: Vec<_> = o.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["envs/prod/valkey_override.tf", "envs/staging/valkey_override.tf"], "{:?}", o.skipped);
    insta::assert_snapshot!("caller_override", &o.files[0].contents);
    for f in &o.files {
        std::fs::write(tmp.path().join(&f.path), &f.contents).unwrap();
    }
    let merged_facts = parse_tree(tmp.path());
    assert!(merged_facts.diagnostics.is_empty(), "{:?}", merged_facts.diagnostics);
    let inner = merged(&merged_facts, "aws_elasticache_replication_group.c");
    assert_eq!(inner.attr_str("engine"), Some("valkey"));
    assert_eq!(inner.attr_str("engine_version"), Some("9.1"));
    assert_eq!(inner.attr_str("parameter_group_name"), Some("default.valkey9"));
}

#[test]
fn a_global_datastore_changes_the_members_parameter_group_with_the_major_upgrade() {
    let (o, m) = generate_and_merge("global-parameter-groups", "9.1.2");
    insta::assert_snapshot!("global_parameter_groups_override", contents(&o, "valkey_override.tf"));
    // A default group becomes the Valkey family's default in the same cluster mode, on the
    // global group (where the provider sends it, with the major version) and on the primary.
    let carts = merged(&m, "aws_elasticache_global_replication_group.carts");
    assert_eq!(carts.attr_str("engine"), Some("valkey"));
    assert_eq!(carts.attr_str("parameter_group_name"), Some("default.valkey9.cluster.on"));
    let carts_eu = merged(&m, "aws_elasticache_replication_group.carts_eu");
    assert_eq!(carts_eu.attr_str("parameter_group_name"), Some("default.valkey9.cluster.on"));
    assert_eq!((carts_eu.attr_str("engine"), carts_eu.attr_str("engine_version")), (Some("valkey"), Some("9.1")));
    let carts_us = merged(&m, "aws_elasticache_replication_group.carts_us");
    assert!(!carts_us.has("engine") && !carts_us.has("parameter_group_name"), "a secondary conflicts with them");
    // A custom group gets a Valkey copy, named after the original's expression.
    let pricing = merged(&m, "aws_elasticache_global_replication_group.pricing");
    assert_eq!(pricing.spans["parameter_group_name"].expr, "aws_elasticache_parameter_group.pricing_valkey9.name");
    let copy = contents(&o, "valkey_parameter_groups.tf");
    assert!(copy.contains(r#"name   = "pricing-${terraform.workspace}-valkey9""#), "{copy}");
    assert!(!copy.contains("lazyfree-lazy-expire"), "{copy}");
    // Every member is listed with the engine it runs afterwards.
    let engines: Vec<(&str, Option<&str>, bool)> =
        o.engines.iter().map(|e| (e.address.as_str(), e.version.as_deref(), e.moved)).collect();
    assert_eq!(
        engines,
        [
            ("aws_elasticache_replication_group.carts_eu", Some("9.1"), true),
            ("aws_elasticache_replication_group.carts_us", Some("9.1"), true),
            ("aws_elasticache_replication_group.pricing_eu", Some("9.1"), true),
        ]
    );
}

#[test]
fn a_global_datastore_upgrade_within_a_major_version_leaves_the_parameter_group() {
    // Redis OSS 7.1 to Valkey 7.2 is a minor upgrade: the provider refuses a parameter group
    // change with it.
    let (o, m) = generate_and_merge("global-parameter-groups", "7.2.4");
    let carts = merged(&m, "aws_elasticache_global_replication_group.carts");
    assert_eq!((carts.attr_str("engine"), carts.attr_str("engine_version")), (Some("valkey"), Some("7.2")));
    assert!(!carts.has("parameter_group_name"));
    assert!(!o.files.iter().any(|f| f.path == "valkey_parameter_groups.tf"));
}

#[test]
fn the_engine_each_cache_runs_afterwards_is_listed_per_service() {
    // The go sample: MemoryDB offers Valkey 7.2 at most, so its cluster runs 7.2 although the
    // target is 9.1.
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-projects/go-inventory-reservations");
    let o = generate(&parse_tree(&sample).inventory, TerraformKnowledge::embedded(), "9.1.2");
    assert_eq!(
        o.engines,
        [ManagedEngine {
            dir: "infra".into(),
            address: "aws_memorydb_cluster.inventory".into(),
            service: "memorydb".into(),
            version: Some("7.2".into()),
            moved: true,
        }]
    );
    assert_eq!(o.engines[0].server_version().as_deref(), Some("7.2.0"));

    let (o, _) = generate_and_merge("serverless", "9.1.2");
    let e = o.engines.iter().find(|e| e.address == "aws_elasticache_serverless_cache.api").unwrap();
    assert_eq!(
        (e.service.as_str(), e.version.as_deref(), e.server_version().as_deref()),
        ("elasticache-serverless", Some("9"), Some("9.0.0"))
    );

    // Modules, and a local module's cache once per caller.
    let (o, _) = generate_and_merge("modules", "9.1.2");
    let listed: Vec<(&str, &str, Option<&str>)> =
        o.engines.iter().map(|e| (e.address.as_str(), e.service.as_str(), e.version.as_deref())).collect();
    assert!(listed.contains(&("module.ledger", "memorydb", Some("7.2"))), "{listed:?}");
    assert!(listed.contains(&("module.sessions", "elasticache", Some("9.1"))), "{listed:?}");
}

#[test]
fn after_the_move_the_generator_has_nothing_left_to_write_and_lists_what_runs_valkey() {
    for name in ["plain", "global-parameter-groups", "memorydb", "modules"] {
        let (first, merged) = generate_and_merge(name, "9.1.2");
        let again = generate(&merged.inventory, TerraformKnowledge::embedded(), "9.1.2");
        assert!(again.files.is_empty(), "{name}: {:#?}", again.files);
        let before: Vec<_> = first.engines.iter().map(|e| (&e.address, &e.version)).collect();
        let after: Vec<_> = again.engines.iter().map(|e| (&e.address, &e.version)).collect();
        assert_eq!(before.len(), after.len(), "{name}: {before:?} vs {after:?}");
        for b in &before {
            assert!(after.contains(b), "{name}: {b:?} missing from {after:?}");
        }
        assert!(again.engines.iter().all(|e| !e.moved));
    }
}

#[test]
fn a_module_parameter_list_built_from_locals_is_filtered_where_it_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.tf"),
        r#"locals {
  params = [
    { name = "maxmemory-policy", value = var.policy },
    { name = "lazyfree-lazy-eviction", value = "yes" },
  ]
}

variable "policy" {
  default = "allkeys-lru"
}

module "cache" {
  source                 = "terraform-aws-modules/elasticache/aws"
  version                = "~> 1.6"
  replication_group_id   = "cache"
  engine_version         = "7.1"
  parameter_group_family = "redis7"
  parameters             = local.params
}
"#,
    )
    .unwrap();
    let o = generate(&parse_tree(tmp.path()).inventory, TerraformKnowledge::embedded(), "9.1.2");
    let text = contents(&o, "valkey_override.tf");
    // Not the values of this one workspace: the same expression, filtered.
    assert!(
        text.contains(
            r#"parameters             = [for p in local.params : p if !contains(["lazyfree-lazy-eviction"], p.name)]"#
        ),
        "{text}"
    );
    std::fs::write(tmp.path().join(OVERRIDE_FILE), text).unwrap();
    let m = parse_tree(tmp.path());
    assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
    let cache = merged(&m, "module.cache");
    assert_eq!(
        cache.attributes["parameters"],
        serde_json::json!([{"name": "maxmemory-policy", "value": "allkeys-lru"}])
    );
    assert_eq!(cache.origins.get("parameters").map(|o| o.via.as_str()), Some("local.params"));
}
