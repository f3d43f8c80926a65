//! A Terraform directory as Terraform loads it: every primary file's blocks, then the
//! override files merged in by their rules (`internal/configs/module_merge.go`): override
//! files apply in file-name order; an argument replaces the argument of the same name; nested
//! blocks of a type named in the override replace all blocks of that type, except `lifecycle`,
//! which merges argument by argument; a block in an override file must exist in a primary file.

use super::files::{FileKind, TfFile};
use crate::findings::Finding;
use crate::scan::codes;
use crate::sources::Facts;
use hcl_edit::Span;
use hcl_edit::structure::{Attribute, Block, Body};
use std::collections::BTreeMap;

#[derive(Clone, Copy)]
pub struct AttrRef<'a> {
    pub file: usize,
    pub attr: &'a Attribute,
}

#[derive(Clone)]
pub struct Nested<'a> {
    pub file: usize,
    pub block: &'a Block,
    pub attrs: Vec<(String, AttrRef<'a>)>,
}

#[derive(Clone)]
pub struct MergedBlock<'a> {
    /// Where the primary block is.
    pub file: usize,
    pub block: &'a Block,
    pub labels: Vec<String>,
    pub attrs: Vec<(String, AttrRef<'a>)>,
    pub nested: Vec<Nested<'a>>,
}

impl<'a> MergedBlock<'a> {
    pub fn attr(&self, key: &str) -> Option<AttrRef<'a>> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, a)| *a)
    }
}

pub struct VariableDef<'a> {
    pub default: Option<AttrRef<'a>>,
}

/// One `required_providers` entry (or a legacy `provider "aws" { version = … }`).
pub struct ProviderEntry<'a> {
    pub name: String,
    pub file: usize,
    /// `aws = { source = …, version = … }` or `aws = "~> 3.0"`.
    pub attr: &'a Attribute,
}

#[derive(Default)]
pub struct DirModel<'a> {
    pub resources: Vec<MergedBlock<'a>>,
    pub modules: Vec<MergedBlock<'a>>,
    pub variables: BTreeMap<String, VariableDef<'a>>,
    pub locals: BTreeMap<String, AttrRef<'a>>,
    pub providers: Vec<ProviderEntry<'a>>,
}

impl<'a> DirModel<'a> {
    /// `files` must be in file-name order (Terraform's load order).
    pub fn build(files: &'a [TfFile<'a>], out: &mut Facts) -> DirModel<'a> {
        let mut model = DirModel::default();
        for (i, f) in files.iter().enumerate().filter(|(_, f)| f.kind == FileKind::Config) {
            if let Some(body) = f.body() {
                model.add_primary(files, i, body, out);
            }
        }
        for (i, f) in files.iter().enumerate().filter(|(_, f)| f.kind == FileKind::Override) {
            if let Some(body) = f.body() {
                model.add_override(files, i, body, out);
            }
        }
        model
    }

    fn add_primary(&mut self, files: &'a [TfFile<'a>], file: usize, body: &'a Body, out: &mut Facts) {
        for block in body.blocks() {
            let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_string()).collect();
            match (block.ident.as_str(), labels.len()) {
                ("resource", 2) => {
                    if self.resources.iter().any(|r| r.labels == labels) {
                        duplicate(files, file, block, &format!("resource \"{}\" \"{}\"", labels[0], labels[1]), out);
                        continue;
                    }
                    self.resources.push(merged(file, block, labels));
                }
                ("module", 1) => {
                    if self.modules.iter().any(|r| r.labels == labels) {
                        duplicate(files, file, block, &format!("module \"{}\"", labels[0]), out);
                        continue;
                    }
                    self.modules.push(merged(file, block, labels));
                }
                ("variable", 1) => {
                    let default = block.body.get_attribute("default").map(|attr| AttrRef { file, attr });
                    self.variables.insert(labels[0].clone(), VariableDef { default });
                }
                ("locals", 0) => {
                    for attr in block.body.attributes() {
                        self.locals.insert(attr.key.as_str().to_string(), AttrRef { file, attr });
                    }
                }
                ("terraform", 0) => self.add_required_providers(file, block),
                ("provider", 1) => {
                    // Before Terraform 0.13 the constraint lived in the provider block.
                    if let Some(attr) = block.body.get_attribute("version") {
                        self.providers.push(ProviderEntry { name: labels[0].clone(), file, attr });
                    }
                }
                _ => {}
            }
        }
    }

    fn add_required_providers(&mut self, file: usize, block: &'a Block) {
        for rp in block.body.get_blocks("required_providers") {
            for attr in rp.body.attributes() {
                let name = attr.key.as_str().to_string();
                self.providers.retain(|p| p.name != name || p.file == file);
                self.providers.push(ProviderEntry { name, file, attr });
            }
        }
    }

    fn add_override(&mut self, files: &'a [TfFile<'a>], file: usize, body: &'a Body, out: &mut Facts) {
        for block in body.blocks() {
            let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_string()).collect();
            let kind = block.ident.as_str();
            if block.body.has_attribute("depends_on") && matches!(kind, "resource" | "module" | "data") {
                out.diagnostic(
                    Finding::new(
                        codes::UNPARSABLE,
                        block_location(files, file, block),
                        "Terraform refuses this override: \"The depends_on argument may not be overridden\"",
                    )
                    .help("move depends_on into the primary block; override files cannot set it"),
                );
            }
            let target = match kind {
                "resource" => self.resources.iter_mut().find(|r| r.labels == labels),
                "module" => self.modules.iter_mut().find(|r| r.labels == labels),
                "variable" => {
                    match self.variables.get_mut(labels.first().map_or("", String::as_str)) {
                        Some(v) => {
                            if let Some(attr) = block.body.get_attribute("default") {
                                v.default = Some(AttrRef { file, attr });
                            }
                        }
                        None => missing_target(files, file, block, "variable", &labels, out),
                    }
                    continue;
                }
                "locals" => {
                    for attr in block.body.attributes() {
                        let key = attr.key.as_str().to_string();
                        match self.locals.get_mut(&key) {
                            Some(slot) => *slot = AttrRef { file, attr },
                            None => missing_target(files, file, block, "local value", std::slice::from_ref(&key), out),
                        }
                    }
                    continue;
                }
                "terraform" => {
                    self.add_required_providers(file, block);
                    continue;
                }
                _ => continue,
            };
            match target {
                Some(t) => merge_into(t, file, block),
                None => missing_target(files, file, block, kind, &labels, out),
            }
        }
    }
}

fn merged<'a>(file: usize, block: &'a Block, labels: Vec<String>) -> MergedBlock<'a> {
    MergedBlock {
        file,
        block,
        labels,
        attrs: block.body.attributes().map(|a| (a.key.as_str().to_string(), AttrRef { file, attr: a })).collect(),
        nested: block.body.blocks().map(|b| nested(file, b)).collect(),
    }
}

fn nested<'a>(file: usize, block: &'a Block) -> Nested<'a> {
    Nested {
        file,
        block,
        attrs: block.body.attributes().map(|a| (a.key.as_str().to_string(), AttrRef { file, attr: a })).collect(),
    }
}

fn merge_into<'a>(target: &mut MergedBlock<'a>, file: usize, block: &'a Block) {
    for attr in block.body.attributes() {
        let key = attr.key.as_str().to_string();
        let new = AttrRef { file, attr };
        match target.attrs.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = new,
            None => target.attrs.push((key, new)),
        }
    }
    let mut replaced: Vec<&str> = Vec::new();
    for b in block.body.blocks() {
        let ty = b.ident.as_str();
        if ty == "lifecycle" {
            match target.nested.iter_mut().find(|n| n.block.ident.as_str() == "lifecycle") {
                Some(existing) => {
                    for attr in b.body.attributes() {
                        let key = attr.key.as_str().to_string();
                        let new = AttrRef { file, attr };
                        match existing.attrs.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = new,
                            None => existing.attrs.push((key, new)),
                        }
                    }
                }
                None => target.nested.push(nested(file, b)),
            }
            continue;
        }
        if !replaced.contains(&ty) {
            target.nested.retain(|n| n.block.ident.as_str() != ty);
            replaced.push(ty);
        }
        target.nested.push(nested(file, b));
    }
}

pub fn block_location(files: &[TfFile], file: usize, block: &Block) -> crate::location::Location {
    let src = files[file].src;
    match block.span() {
        // Point at the header line, not the whole block.
        Some(span) => {
            let text = files[file].text();
            let header_end = text[span.start..span.end].find('\n').map_or(span.end, |n| span.start + n);
            src.location(span.start..header_end)
        }
        None => src.file_location(),
    }
}

fn duplicate(files: &[TfFile], file: usize, block: &Block, what: &str, out: &mut Facts) {
    out.diagnostic(
        Finding::new(
            codes::UNPARSABLE,
            block_location(files, file, block),
            format!("Terraform refuses this directory: {what} is declared twice; the second one was ignored"),
        )
        .help("each resource and module name may appear once per directory; rename or remove one"),
    );
}

fn missing_target(files: &[TfFile], file: usize, block: &Block, kind: &str, labels: &[String], out: &mut Facts) {
    let name = labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(" ");
    out.diagnostic(
        Finding::new(
            codes::UNPARSABLE,
            block_location(files, file, block),
            format!(
                "Terraform refuses this override: there is no {kind} {name} in a primary file of this directory \
                 (\"Missing {kind} to override\")"
            ),
        )
        .help("an override file can only change blocks that a non-override .tf file of the same directory declares"),
    );
}
