//! The pipeline, start to end: walk → parse → Inventory → rules → findings.

use crate::config::Settings;
use crate::error::UserError;
use crate::findings::{Finding, Severity, Summary, sort_findings};
use crate::inventory::Inventory;
use crate::knowledge::Knowledge;
use crate::location::Location;
use crate::rules::{self, RuleContext};
use crate::scan::{self, ScannedFile, WalkOptions, codes};
use crate::sources::{self, Claim, Facts, ParseContext, SourceParser};
use crate::suppress::{self, Suppression};
use rayon::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The paths a run was given, resolved to one root that every reported path is relative to.
#[derive(Debug, Clone)]
pub struct Target {
    pub root: PathBuf,
    pub paths: Vec<PathBuf>,
}

impl Target {
    /// Checks the paths exist and finds their common root (a directory; for a single file,
    /// its directory).
    pub fn resolve(paths: &[PathBuf]) -> Result<Self, UserError> {
        let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
        let mut abs = Vec::new();
        for p in &paths {
            if std::fs::symlink_metadata(p).is_err() {
                return Err(UserError::new(format!("path '{}' does not exist", p.display()))
                    .help("pass a directory or file to scan; the default is the current directory"));
            }
            let a =
                std::path::absolute(p).map_err(|e| UserError::new(format!("cannot resolve '{}': {e}", p.display())))?;
            abs.push(normalize(&a));
        }
        let dir_of = |p: &Path| {
            if p.is_dir() { p.to_path_buf() } else { p.parent().map_or_else(|| p.to_path_buf(), Path::to_path_buf) }
        };
        let mut root = dir_of(&abs[0]);
        for p in &abs[1..] {
            while !p.starts_with(&root) {
                match root.parent() {
                    Some(parent) => root = parent.to_path_buf(),
                    None => break,
                }
            }
        }
        Ok(Target { root, paths: abs })
    }
}

/// Removes `.` and `..` components without touching the file system (symlinks stay put).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What the walk and the parsers found.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub root: PathBuf,
    pub inventory: Inventory,
    /// Findings about the scan itself (unreadable, skipped and unparsable files).
    pub diagnostics: Vec<Finding>,
    pub suppressions: Vec<Suppression>,
    pub files_scanned: usize,
    pub files_read: usize,
}

pub fn scan(target: &Target, settings: &Settings, knowledge: &Knowledge) -> ScanOutput {
    scan_with_progress(target, settings, knowledge, false)
}

/// `scan`, drawing a progress bar on standard error (the caller decides it is a terminal).
pub fn scan_with_progress(
    target: &Target,
    settings: &Settings,
    knowledge: &Knowledge,
    show_progress: bool,
) -> ScanOutput {
    let bar = if show_progress {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("walking the tree");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let exclude = settings.exclude_set();
    let (files, walk_notes) = scan::walk(&WalkOptions {
        root: &target.root,
        paths: &target.paths,
        exclude: exclude.as_ref(),
        exclude_base: &settings.base_dir,
    });
    let parsers = sources::registry();
    let quote_tail = knowledge
        .profile(&settings.target)
        .map_or(crate::knowledge::profile::QuoteTail::Refused, |p| p.loader.text_after_closing_quote);
    let cx = ParseContext { root: target.root.clone(), max_file_size: settings.max_file_size, knowledge, quote_tail };
    bar.set_message(format!("reading {} files", files.len()));
    let mut facts = parse_files(&files, &parsers, &cx);
    bar.finish_and_clear();
    facts.diagnostics.extend(walk_notes);
    sources::code::finish(&mut facts, knowledge);
    facts.inventory.sort();
    sort_findings(&mut facts.diagnostics);
    facts.diagnostics.dedup();
    facts.suppressions.sort_by(|a, b| a.location.cmp(&b.location));
    facts.suppressions.dedup();
    ScanOutput {
        root: target.root.clone(),
        inventory: facts.inventory,
        diagnostics: facts.diagnostics,
        suppressions: facts.suppressions,
        files_scanned: files.len(),
        files_read: facts.files_read,
    }
}

fn parse_files(files: &[ScannedFile], parsers: &[&'static dyn SourceParser], cx: &ParseContext) -> Facts {
    let claimed: Vec<(&ScannedFile, Vec<(usize, Claim)>)> =
        files.iter().map(|f| (f, sources::claims(f, parsers))).filter(|(_, c)| !c.is_empty()).collect();

    let per_file = claimed
        .par_iter()
        .map(|(file, claims)| {
            let mut out = Facts::default();
            let singles: Vec<_> = claims.iter().filter(|(i, _)| !parsers[*i].grouped()).collect();
            if singles.is_empty() {
                return out;
            }
            let allow_nul = singles.iter().all(|(i, _)| parsers[*i].reads_nul_bytes());
            let Some(src) = cx.load_with(file, &mut out, allow_nul) else {
                return out;
            };
            for &&(i, claim) in &singles {
                let parser = parsers[i];
                guarded(parser, &file.rel, &mut out, |out| {
                    if claim == Claim::Sniff && !parser.sniff(&src) {
                        return;
                    }
                    parser.parse(&src, cx, out);
                });
            }
            out
        })
        .reduce(Facts::default, |mut a, b| {
            a.merge(b);
            a
        });

    let mut all = per_file;
    for (i, parser) in parsers.iter().enumerate().filter(|(_, p)| p.grouped()) {
        let mine: Vec<(&ScannedFile, Claim)> = claimed
            .iter()
            .filter_map(|(f, c)| c.iter().find(|(j, _)| *j == i).map(|(_, claim)| (*f, *claim)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut out = Facts::default();
        let loaded: Vec<_> = mine
            .iter()
            .filter_map(|(f, claim)| {
                let src = cx.load(f, &mut out)?;
                (*claim != Claim::Sniff || parser.sniff(&src)).then_some(src)
            })
            .collect();
        guarded(*parser, "", &mut out, |out| parser.parse_group(&loaded, cx, out));
        all.merge(out);
    }
    all
}

/// Runs a parser so that a bug in it becomes a finding, not a crash of the whole run.
fn guarded(parser: &dyn SourceParser, rel: &str, out: &mut Facts, f: impl FnOnce(&mut Facts)) {
    let mut local = Facts::default();
    let result = catch_unwind(AssertUnwindSafe(|| f(&mut local)));
    match result {
        Ok(()) => out.merge(local),
        Err(panic) => out.diagnostic(
            Finding::new(
                codes::UNPARSABLE,
                Location::file_only(rel),
                format!("internal error in the {} parser: {}; this file was skipped", parser.id(), panic_text(&panic)),
            )
            .help("please report this with the file (or a redacted copy) at the project's issue tracker"),
        ),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// The findings of a run, after configuration and suppressions.
#[derive(Debug, Default)]
pub struct AuditOutput {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

pub fn audit(scan: &ScanOutput, settings: &Settings, knowledge: &Knowledge) -> Result<AuditOutput, UserError> {
    let target = knowledge.profile(&settings.target)?;
    let source = crate::source::infer(&scan.inventory, settings, knowledge);
    let cx = RuleContext { inventory: &scan.inventory, knowledge, settings, target, source: &source };
    let mut findings: Vec<Finding> = rules::registry()
        .par_iter()
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| rule.check(&cx, &mut out))) {
                out = vec![
                    Finding::new(
                        codes::UNPARSABLE,
                        Location::file_only(""),
                        format!(
                            "internal error in rule {}: {}; its findings are missing",
                            rule.code(),
                            panic_text(&panic)
                        ),
                    )
                    .help("please report this at the project's issue tracker"),
                ];
            }
            out
        })
        .collect();
    findings.extend(scan.diagnostics.iter().cloned());

    let (suppressed, unused) = suppress::apply(&mut findings, &scan.suppressions);
    findings.extend(unused);

    let mut kept = Vec::with_capacity(findings.len());
    for mut f in findings {
        let Some(meta) = knowledge.catalog.get(&f.code) else {
            // A code without metadata is a bug the catalog test catches; never hide it.
            f.name = "unknown".into();
            f.severity = Severity::Error;
            kept.push(f);
            continue;
        };
        f.name = meta.name.clone();
        let default = f.severity_hint.unwrap_or(meta.severity);
        let Some(severity) = settings.selection.level(&f.code, &f.name, default) else {
            continue;
        };
        let abs = scan.root.join(&f.location.file);
        let rel_to_config = abs.strip_prefix(&settings.base_dir).unwrap_or(Path::new(&f.location.file));
        if settings.selection.ignored_at(&f.code, &f.name, rel_to_config) {
            continue;
        }
        f.severity = severity;
        kept.push(f);
    }
    sort_findings(&mut kept);
    kept.dedup();
    let summary = Summary::count(&kept, scan.files_scanned, suppressed);
    Ok(AuditOutput { findings: kept, summary })
}
