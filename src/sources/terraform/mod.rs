//! Terraform, read as Terraform reads it: a directory is one module, so every `.tf` file of a
//! directory is parsed together, override files are merged in, and variables are resolved from
//! their defaults, `terraform.tfvars` and `*.auto.tfvars`. The facts: cache resources of AWS,
//! Google Cloud and Azure, calls of the popular cache modules, provider requirements and lock
//! selections, and the cores of each cache's node type.

mod eval;
mod extract;
mod files;
mod functions;
mod lock;
mod merge;
mod refs;

pub use extract::RESOURCE_TYPES;
pub use files::FileKind;

use super::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::inventory::InfraResource;
use std::collections::{BTreeMap, BTreeSet};

pub struct TerraformParser;

impl SourceParser for TerraformParser {
    fn id(&self) -> &'static str {
        "terraform"
    }

    fn claim(&self, _rel: &str, file_name: &str) -> Claim {
        if FileKind::of(file_name).is_some() { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        self.parse_group(std::slice::from_ref(src), cx, out);
    }

    fn grouped(&self) -> bool {
        true
    }

    fn parse_group(&self, all: &[SourceFile], cx: &ParseContext, out: &mut Facts) {
        let knowledge = match cx.knowledge.view::<crate::knowledge::terraform::TerraformKnowledge>() {
            Ok(k) => k,
            Err(e) => {
                out.diagnostic(
                    crate::findings::Finding::new(
                        crate::scan::codes::UNPARSABLE,
                        crate::location::Location::file_only(&e.origin),
                        format!("Terraform files were not read: {}", e.message),
                    )
                    .help("fix the data file named here (a --rules-dir overlay?)"),
                );
                return;
            }
        };
        let mut by_dir: BTreeMap<String, Vec<&SourceFile>> = BTreeMap::new();
        for f in all {
            by_dir.entry(dir_of(&f.rel)).or_default().push(f);
        }
        // Terraform loads files in lexical order of their names; override files apply in that
        // order too.
        for srcs in by_dir.values_mut() {
            srcs.sort_by(|a, b| a.rel.cmp(&b.rel));
        }
        // First every directory on its own; then the directories that other directories call as
        // local modules again, with their callers' inputs as variable values (one level deep:
        // a caller's own inputs come from its first evaluation).
        let mut results: BTreeMap<&String, DirResult> =
            by_dir.iter().map(|(dir, srcs)| (dir, parse_dir(dir, srcs, &[], &knowledge))).collect();
        let calls: Vec<InfraResource> = results.values().flat_map(|r| r.local_calls.iter().cloned()).collect();
        for (dir, srcs) in &by_dir {
            let callers: Vec<InfraResource> = calls
                .iter()
                .filter(|c| c.module.as_ref().and_then(|m| m.local_dir.as_ref()) == Some(dir))
                .cloned()
                .collect();
            if !callers.is_empty() {
                results.insert(dir, parse_dir(dir, srcs, &callers, &knowledge));
            }
        }
        let mut resources = Vec::new();
        let mut local_calls = Vec::new();
        for (_, r) in results {
            out.merge(r.facts);
            resources.extend(r.resources);
            local_calls.extend(r.local_calls);
        }
        let dirs_with_caches: BTreeSet<String> =
            resources.iter().filter(|r| r.resource_type != "module").map(|r| r.dir.clone()).collect();
        resources.extend(local_calls.into_iter().filter(|c| {
            c.module.as_ref().and_then(|m| m.local_dir.as_ref()).is_some_and(|d| dirs_with_caches.contains(d))
        }));
        out.inventory.infra.extend(resources);
    }
}

struct DirResult {
    facts: Facts,
    resources: Vec<InfraResource>,
    local_calls: Vec<InfraResource>,
}

fn dir_of(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((d, _)) => d.to_string(),
        None => ".".to_string(),
    }
}

fn parse_dir(
    dir: &str,
    srcs: &[&SourceFile],
    callers: &[InfraResource],
    knowledge: &crate::knowledge::terraform::TerraformKnowledge,
) -> DirResult {
    let mut out = Facts::default();
    let mut parsed = Vec::new();
    for src in srcs {
        let name = src.rel.rsplit('/').next().unwrap_or(&src.rel);
        let Some(kind) = FileKind::of(name) else { continue };
        if kind == FileKind::Lock {
            lock::parse(dir, src, &mut out);
            continue;
        }
        if kind == FileKind::JsonConfig {
            out.diagnostic(
                crate::findings::Finding::new(
                    crate::scan::codes::UNPARSABLE,
                    src.file_location(),
                    "not read: Terraform's JSON syntax (.tf.json) is not supported yet; the caches it declares are \
                     missing from the results",
                )
                .help("convert the file to HCL (.tf), or review its caches by hand")
                .severity_hint(crate::findings::Severity::Info),
            );
            continue;
        }
        if let Some(f) = files::parse(src, kind, &mut out) {
            parsed.push(f);
        }
    }
    if !parsed.iter().any(|f| matches!(f.kind, FileKind::Config | FileKind::Override)) {
        // Variable files alone (an `envs/prod.tfvars` beside no configuration) belong to a
        // directory named on the command line; they were checked for syntax above.
        return DirResult { facts: out, resources: Vec::new(), local_calls: Vec::new() };
    }
    let model = merge::DirModel::build(&parsed, &mut out);
    let scope = eval::Scope::new(&parsed, &model, callers);
    let extracted = extract::extract(dir, &parsed, &model, &scope, knowledge, &mut out);
    DirResult { facts: out, resources: extracted.resources, local_calls: extracted.local_calls }
}

#[cfg(test)]
mod tests;
