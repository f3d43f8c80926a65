use super::*;
use crate::inventory::InfraResource;
use serde_json::json;
use std::path::PathBuf;

fn run(files: &[(&str, &str)]) -> Facts {
    let srcs: Vec<SourceFile> =
        files.iter().map(|(rel, text)| SourceFile::from_bytes(*rel, text.as_bytes().to_vec())).collect();
    let cx = ParseContext {
        root: PathBuf::from("."),
        max_file_size: 1 << 20,
        knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(),
        quote_tail: crate::knowledge::profile::QuoteTail::Joined,
    };
    let mut out = Facts::default();
    TerraformParser.parse_group(&srcs, &cx, &mut out);
    out
}

fn get<'a>(facts: &'a Facts, address: &str) -> &'a InfraResource {
    facts.inventory.infra.iter().find(|r| r.address == address).unwrap_or_else(|| panic!("no {address}"))
}

const RG: &str = r#"
resource "aws_elasticache_replication_group" "c" {
  replication_group_id = "c"
  engine               = var.engine
  engine_version       = local.version
  node_type            = "cache.${var.size}"
}
"#;

#[test]
fn variables_take_tfvars_over_defaults_and_auto_files_last() {
    let vars = r#"
variable "engine" { default = "redis" }
variable "size" { default = "t3.small" }
locals { version = var.size == "r6g.large" ? "7.1" : "6.2" }
"#;
    let facts = run(&[
        ("infra/main.tf", RG),
        ("infra/vars.tf", vars),
        ("infra/terraform.tfvars", "size = \"t3.medium\"\n"),
        ("infra/z.auto.tfvars", "size = \"r6g.large\"\n"),
    ]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    assert_eq!(r.dir, "infra");
    assert_eq!(r.attributes["engine"], json!("redis"));
    assert_eq!(r.attributes["node_type"], json!("cache.r6g.large"));
    assert_eq!(r.attributes["engine_version"], json!("7.1"));
    assert_eq!(r.origins["engine"].file, "infra/vars.tf");
    assert_eq!(r.origins["node_type"].file, "infra/z.auto.tfvars");
    assert_eq!(r.attribute_lines["engine"], 4);
    // The node type became a host fact with the type's cores.
    assert_eq!(facts.inventory.hosts.len(), 1);
    assert_eq!(facts.inventory.hosts[0].cores, Some(2.0));
}

#[test]
fn a_value_that_depends_on_the_var_file_is_unresolved_with_the_candidates() {
    let facts = run(&[
        ("main.tf", RG),
        (
            "vars.tf",
            "variable \"engine\" {}\nvariable \"size\" { default = \"t3.small\" }\nlocals { version = \"7.1\" }\n",
        ),
        ("prod.tfvars", "engine = \"redis\"\n"),
        ("dev.tfvars", "engine = \"valkey\"\n"),
    ]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    let u = &r.unresolved["engine"];
    assert_eq!(u.expr, "var.engine");
    assert!(
        u.reason.contains("-var-file") && u.reason.contains("prod.tfvars:1") && u.reason.contains("dev.tfvars:1"),
        "{}",
        u.reason
    );
    assert!(!r.attributes.contains_key("engine"));
}

#[test]
fn agreeing_var_files_resolve_and_a_required_variable_without_values_does_not() {
    let facts = run(&[
        ("main.tf", RG),
        ("vars.tf", "variable \"engine\" {}\nvariable \"size\" {}\nlocals { version = \"7.1\" }\n"),
        ("prod.tfvars", "engine = \"redis\"\n"),
        ("dev.tfvars.json", "{\"engine\": \"redis\"}"),
    ]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    assert_eq!(r.attributes["engine"], json!("redis"));
    assert!(r.unresolved["node_type"].reason.contains("no default"), "{}", r.unresolved["node_type"].reason);
}

#[test]
fn references_to_other_resources_are_never_guessed() {
    let facts = run(&[(
        "main.tf",
        r#"
resource "aws_elasticache_replication_group" "c" {
  engine               = data.terraform_remote_state.shared.outputs.engine
  parameter_group_name = aws_elasticache_parameter_group.p.name
  num_cache_clusters   = length([for s in var.subnets : s])
  description          = lower(format("%s-%d", "Cache", 2))
}
"#,
    )]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    assert!(r.unresolved["engine"].reason.contains("data.terraform_remote_state.shared.outputs.engine"));
    assert_eq!(r.spans["parameter_group_name"].references, vec!["aws_elasticache_parameter_group.p.name"]);
    assert!(r.unresolved["num_cache_clusters"].reason.contains("var.subnets"));
    assert_eq!(r.attributes["description"], json!("cache-2"));
}

#[test]
fn for_expressions_over_known_collections_resolve() {
    let facts = run(&[(
        "main.tf",
        r#"
locals {
  params = [
    { name = "maxmemory-policy", value = "allkeys-lru" },
    { name = "lazyfree-lazy-eviction", value = "yes" },
  ]
  sizes = { prod = "large", dev = "small", qa = "small" }
  leak  = p
}
resource "aws_elasticache_replication_group" "c" {
  kept        = [for p in local.params : p if !contains(["lazyfree-lazy-eviction"], p.name)]
  names       = [for i, p in local.params : "${i}:${p.name}"]
  by_size     = { for env, size in local.sizes : size => env... }
  upper       = { for k, v in local.sizes : upper(k) => v }
  shadow      = [for p in ["x"] : local.leak]
  duplicate   = { for k, v in local.sizes : v => k }
  not_a_list  = [for c in "text" : c]
}
"#,
    )]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    assert_eq!(r.attributes["kept"], json!([{"name": "maxmemory-policy", "value": "allkeys-lru"}]));
    assert_eq!(r.attributes["names"], json!(["0:maxmemory-policy", "1:lazyfree-lazy-eviction"]));
    assert_eq!(r.attributes["by_size"], json!({"large": ["prod"], "small": ["dev", "qa"]}));
    assert_eq!(r.attributes["upper"], json!({"DEV": "small", "PROD": "large", "QA": "small"}));
    assert!(r.unresolved["shadow"].reason.contains("`p`"), "a local never sees the iteration variable `p`");
    assert!(r.unresolved["duplicate"].reason.contains("twice"), "{}", r.unresolved["duplicate"].reason);
    assert!(r.unresolved["not_a_list"].reason.contains("cannot iterate"), "{}", r.unresolved["not_a_list"].reason);
}

#[test]
fn locals_that_refer_to_each_other_in_a_cycle_stay_unresolved() {
    let facts = run(&[(
        "main.tf",
        "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_elasticache_replication_group\" \"c\" {\n  engine = local.a\n}\n",
    )]);
    let r = get(&facts, "aws_elasticache_replication_group.c");
    assert!(r.unresolved["engine"].reason.contains("refers to itself"), "{}", r.unresolved["engine"].reason);
}

#[test]
fn override_files_merge_as_terraform_merges_them() {
    let main = r#"
resource "aws_elasticache_parameter_group" "p" {
  name   = "p"
  family = "redis7"
  parameter {
    name  = "a"
    value = "1"
  }
  parameter {
    name  = "b"
    value = "2"
  }
  lifecycle {
    prevent_destroy = true
  }
}
variable "engine" { default = "redis" }
"#;
    let over = r#"
resource "aws_elasticache_parameter_group" "p" {
  family = "valkey8"
  parameter {
    name  = "c"
    value = "3"
  }
  lifecycle {
    create_before_destroy = true
  }
}
variable "engine" { default = "valkey" }
"#;
    let facts = run(&[("main.tf", main), ("valkey_override.tf", over)]);
    let p = get(&facts, "aws_elasticache_parameter_group.p");
    assert_eq!(p.attributes["family"], json!("valkey8"));
    assert_eq!(p.attributes["name"], json!("p"));
    let params: Vec<_> = p.blocks_of("parameter").map(|b| b.attributes["name"].clone()).collect();
    assert_eq!(params, vec![json!("c")], "an override's nested blocks replace all blocks of that type");
    let lifecycle: Vec<_> = p.blocks_of("lifecycle").collect();
    assert_eq!(lifecycle.len(), 1);
    assert_eq!(lifecycle[0].attributes["prevent_destroy"], json!(true));
    assert!(p.create_before_destroy(), "lifecycle merges argument by argument");
    assert_eq!(p.spans["family"].location.file, "valkey_override.tf");
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
}

#[test]
fn an_override_without_its_target_or_with_depends_on_is_what_terraform_refuses() {
    let facts = run(&[
        ("main.tf", "resource \"aws_elasticache_replication_group\" \"c\" {\n  engine = \"redis\"\n}\n"),
        (
            "override.tf",
            "resource \"aws_elasticache_replication_group\" \"other\" {\n  engine = \"valkey\"\n}\n\
             resource \"aws_elasticache_replication_group\" \"c\" {\n  depends_on = [x.y]\n}\n",
        ),
    ]);
    let messages: Vec<_> = facts.diagnostics.iter().map(|d| (d.location.line, d.message.as_str())).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0].0, 1);
    assert!(messages[0].1.contains("Missing resource to override"));
    assert_eq!(messages[1].0, 4);
    assert!(messages[1].1.contains("depends_on"));
}

#[test]
fn a_syntax_error_is_a_located_diagnostic_and_the_other_files_still_count() {
    let facts = run(&[
        (
            "main.tf",
            "resource \"aws_elasticache_replication_group\" \"a\" {\n  engine = \"redis\"\n  node_type = \n}\n",
        ),
        ("ok.tf", "resource \"aws_elasticache_replication_group\" \"b\" {\n  engine = \"redis\"\n}\n"),
    ]);
    assert_eq!(facts.diagnostics.len(), 1);
    let d = &facts.diagnostics[0];
    assert_eq!(d.code, "SCAN004");
    assert_eq!(d.location.file, "main.tf");
    assert_eq!(d.location.line, 3);
    assert!(d.message.starts_with("not valid HCL"), "{}", d.message);
    assert_eq!(facts.inventory.infra.len(), 1);
    assert_eq!(facts.inventory.infra[0].address, "aws_elasticache_replication_group.b");
}

#[test]
fn modules_are_recognised_by_source_and_local_modules_link_to_their_caches() {
    let facts = run(&[
        (
            "main.tf",
            r#"
module "cache" {
  source         = "./modules/cache"
  engine_version = "7.1"
}
module "net" {
  source = "./modules/net"
}
module "redis" {
  source  = "cloudposse/elasticache-redis/aws"
  version = "1.9.0"
  family  = "redis7"
}
"#,
        ),
        (
            "modules/cache/main.tf",
            "variable \"engine_version\" {}\nresource \"aws_elasticache_replication_group\" \"c\" {\n  engine_version = var.engine_version\n}\n",
        ),
        ("modules/net/main.tf", "resource \"aws_vpc\" \"v\" {}\n"),
    ]);
    let addresses: Vec<_> = facts.inventory.infra.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addresses.len(), 3, "{addresses:?}");
    let cache = get(&facts, "module.cache");
    assert_eq!(cache.module.as_ref().unwrap().local_dir.as_deref(), Some("modules/cache"));
    let redis = get(&facts, "module.redis");
    assert_eq!(redis.module.as_ref().unwrap().version.as_deref(), Some("1.9.0"));
    assert_eq!(redis.attributes["family"], json!("redis7"));
    assert!(!redis.attributes.contains_key("source"));
    // The module's variables take the caller's arguments.
    let inner = get(&facts, "aws_elasticache_replication_group.c");
    assert_eq!(inner.attributes["engine_version"], json!("7.1"));
    assert_eq!(inner.origins["engine_version"].file, "main.tf");
    assert_eq!(inner.origins["engine_version"].line, 4);
}

#[test]
fn callers_that_disagree_leave_the_module_value_unresolved() {
    let module = "variable \"engine\" { default = \"redis\" }\nvariable \"size\" {}\n\
                  resource \"aws_elasticache_replication_group\" \"c\" {\n  engine    = var.engine\n  node_type = var.size\n}\n";
    let facts = run(&[
        ("envs/a/main.tf", "module \"c\" {\n  source = \"../../modules/c\"\n  size   = \"cache.t3.small\"\n}\n"),
        (
            "envs/b/main.tf",
            "module \"c\" {\n  source = \"../../modules/c\"\n  engine = \"valkey\"\n  size   = \"cache.t3.small\"\n}\n",
        ),
        ("modules/c/main.tf", module),
        // A variable file beside a module is not read for it.
        ("modules/c/terraform.tfvars", "size = \"cache.r6g.large\"\n"),
    ]);
    let inner = get(&facts, "aws_elasticache_replication_group.c");
    let reason = &inner.unresolved["engine"].reason;
    assert!(reason.contains("differs between the module's callers"), "{reason}");
    assert!(reason.contains("modules/c/main.tf:1") && reason.contains("envs/b/main.tf:3"), "{reason}");
    assert_eq!(inner.attributes["node_type"], json!("cache.t3.small"));
}

#[test]
fn provider_requirements_in_every_syntax_and_the_lock_file() {
    let facts = run(&[
        ("a/versions.tf", "terraform {\n  required_providers {\n    aws = \"~> 3.0\"\n  }\n}\n"),
        ("b/versions.tf", "provider \"aws\" {\n  version = \"~> 2.7\"\n  region  = \"eu-west-1\"\n}\n"),
        (
            "c/versions.tf",
            "terraform {\n  required_providers {\n    amazon = {\n      source  = \"registry.terraform.io/hashicorp/aws\"\n      version = \">= 5.73\"\n    }\n  }\n}\n",
        ),
        ("c/.terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"5.99.1\"\n}\n"),
    ]);
    let got: Vec<_> = facts
        .inventory
        .providers
        .iter()
        .map(|p| (p.dir.as_str(), p.source.as_str(), p.constraint.as_deref(), p.locked.as_deref(), p.location.line))
        .collect();
    assert!(got.contains(&("a", "hashicorp/aws", Some("~> 3.0"), None, 3)), "{got:?}");
    assert!(got.contains(&("b", "hashicorp/aws", Some("~> 2.7"), None, 2)), "{got:?}");
    assert!(got.contains(&("c", "hashicorp/aws", Some(">= 5.73"), None, 3)), "{got:?}");
    assert!(got.contains(&("c", "hashicorp/aws", None, Some("5.99.1"), 2)), "{got:?}");
}

#[test]
fn dynamic_blocks_are_recorded_as_unresolved_content() {
    let facts = run(&[(
        "main.tf",
        r#"
resource "aws_elasticache_parameter_group" "p" {
  family = "redis7"
  dynamic "parameter" {
    for_each = var.parameters
    content {
      name  = parameter.value.name
      value = parameter.value.value
    }
  }
}
"#,
    )]);
    let p = get(&facts, "aws_elasticache_parameter_group.p");
    let b = p.blocks_of("parameter").next().unwrap();
    assert!(b.dynamic);
    assert_eq!(b.unresolved["name"].expr, "parameter.value.name");
}

#[test]
fn terraform_json_is_reported_not_skipped_silently() {
    let facts = run(&[("main.tf.json", "{\"resource\": {}}")]);
    assert_eq!(facts.diagnostics.len(), 1);
    assert!(facts.diagnostics[0].message.contains(".tf.json"));
    assert_eq!(facts.diagnostics[0].severity_hint, Some(crate::findings::Severity::Info));
}

#[test]
fn parameter_groups_list_their_parameters() {
    let facts = run(&[(
        "main.tf",
        "resource \"aws_elasticache_parameter_group\" \"p\" {\n  family = \"redis7\"\n  parameter {\n    name  = \"timeout\"\n    value = 300\n  }\n  parameter {\n    name  = \"maxmemory-policy\"\n    value = var.policy\n  }\n}\n",
    )]);
    let p = get(&facts, "aws_elasticache_parameter_group.p");
    assert_eq!(p.attributes["parameters"], json!([{"name": "timeout", "value": 300}]));
    assert_eq!(p.blocks[1].unresolved["value"].expr, "var.policy");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "resource \"aws_elasticache_replication_group\" \"a\" {",
        "}",
        "{",
        "engine = ",
        "var.x",
        "local.a",
        "locals { a = local.a }",
        "variable \"x\" { default = ",
        "\"${var.x}\"",
        "[1, 2",
        "cond ? \"a\" : \"b\"",
        "lookup({a = 1}, \"a\")",
        "format(\"%s\")",
        "\n",
        "parameter {",
        "dynamic \"parameter\" { content {",
        "module \"m\" { source = \"./m\"",
        "terraform { required_providers { aws = ",
        "#",
        "<<EOT\nx\nEOT",
        "%{ if true }",
        "\u{0}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
        #[test]
        fn any_mix_of_terraform_fragments(idx in proptest::collection::vec(0..PIECES.len(), 0..40)) {
            let text: String = idx.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
            // The property is that parsing and evaluating never panics (a panic fails the case);
            // and a file that does not parse always leaves a diagnostic.
            let facts = run(&[("main.tf", &text)]);
            if hcl_edit::parser::parse_body(&text).is_err() {
                prop_assert!(!facts.diagnostics.is_empty());
            }
            run(&[("main.tf", &text), ("terraform.tfvars", &text), ("override.tf", &text)]);
        }
    }
}
