use super::{ScannedFile, codes};
use crate::findings::{Finding, Severity};
use crate::location::Location;
use globset::GlobSet;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders no one wants scanned: VCS data, installed dependencies, build output.
pub const DEFAULT_EXCLUDES: &[&str] = &[".git", "node_modules", "target", "vendor", ".terraform", "dist", "build"];

pub struct WalkOptions<'a> {
    pub root: &'a Path,
    /// Paths to walk (files or directories), all under `root`.
    pub paths: &'a [PathBuf],
    /// User `exclude` globs, matched against the path relative to `exclude_base`.
    pub exclude: Option<&'a GlobSet>,
    pub exclude_base: &'a Path,
}

/// Lists every file under the paths, honouring `.gitignore`, the default excludes and the
/// user's excludes; never follows a symlink out of the root. Problems become findings and
/// the walk goes on.
pub fn walk(opts: &WalkOptions) -> (Vec<ScannedFile>, Vec<Finding>) {
    let root_canon = opts.root.canonicalize().unwrap_or_else(|_| opts.root.to_path_buf());
    let notes = Mutex::new(Vec::new());
    let files = Mutex::new(Vec::new());

    for path in opts.paths {
        let mut builder = ignore::WalkBuilder::new(path);
        builder
            .hidden(false)
            .parents(true)
            .git_ignore(true)
            .git_exclude(false)
            .git_global(false)
            .ignore(true)
            .require_git(false)
            .follow_links(true)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !is_dir || entry.depth() == 0 {
                    return true;
                }
                // Our own plan directories are not the repository's files.
                !(DEFAULT_EXCLUDES.contains(&entry.file_name().to_string_lossy().as_ref())
                    || entry.path().join(crate::plan::write::PLAN_MARKER).is_file())
            });
        builder.build_parallel().run(|| Box::new(|result| handle_entry(result, opts, &root_canon, &files, &notes)));
    }

    let mut files = files.into_inner().unwrap();
    files.sort_by(|a: &(ScannedFile, FileIdentity), b| a.0.rel.cmp(&b.0.rel));
    // The same file reached twice (a symlink to a file in the tree): keep the first name.
    let mut seen = HashSet::new();
    files.retain(|(_, identity)| seen.insert(identity.clone()));
    let mut notes = notes.into_inner().unwrap();
    notes.sort_by(|a: &Finding, b| a.sort_key().cmp(&b.sort_key()));
    (files.into_iter().map(|(f, _)| f).collect(), notes)
}

fn handle_entry(
    result: Result<ignore::DirEntry, ignore::Error>,
    opts: &WalkOptions,
    root_canon: &Path,
    files: &Mutex<Vec<(ScannedFile, FileIdentity)>>,
    notes: &Mutex<Vec<Finding>>,
) -> ignore::WalkState {
    use ignore::WalkState::{Continue, Skip};
    let note = |rel: String, message: String, help: &str, severity: Severity| {
        let code = if severity == Severity::Info { codes::SKIPPED_PATH } else { codes::UNREADABLE };
        notes
            .lock()
            .unwrap()
            .push(Finding::new(code, Location::file_only(rel), message).help(help).severity_hint(severity));
    };
    let entry = match result {
        Ok(e) => e,
        Err(err) => {
            let (rel, message, help, severity) = describe_walk_error(&err, opts.root);
            note(rel, message, help, severity);
            return Continue;
        }
    };
    let Some(file_type) = entry.file_type() else {
        return Continue;
    };
    let rel = relative(opts.root, entry.path());
    if entry.path_is_symlink() {
        match entry.path().canonicalize() {
            Ok(target) if !target.starts_with(root_canon) => {
                note(
                    rel,
                    format!("skipped: symlink to {} leaves the scanned directory", target.display()),
                    "symlinks are followed only within the scanned directory",
                    Severity::Info,
                );
                // Skip stops the walker descending into a linked directory.
                return Skip;
            }
            Err(e) => {
                note(
                    rel,
                    format!("cannot follow symlink: {}", crate::sources::file_io_reason(&e)),
                    "fix or remove the broken symlink; the scan went on without it",
                    Severity::Warning,
                );
                return Skip;
            }
            Ok(_) => {}
        }
    }
    if let Some(set) = opts.exclude {
        let candidate = entry.path().strip_prefix(opts.exclude_base).unwrap_or(entry.path());
        if set.is_match(candidate) || set.is_match(&rel) {
            return Skip;
        }
    }
    if !file_type.is_file() {
        return Continue;
    }
    let metadata = entry.metadata().ok();
    let size = metadata.as_ref().map_or(0, std::fs::Metadata::len);
    let identity = file_identity(entry.path(), metadata.as_ref());
    files.lock().unwrap().push((ScannedFile { rel, abs: entry.path().to_path_buf(), size }, identity));
    Continue
}

fn describe_walk_error(err: &ignore::Error, root: &Path) -> (String, String, &'static str, Severity) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let (_, message, help, severity) = describe_walk_error(err, root);
            (relative(root, path), message, help, severity)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err, root)
        }
        ignore::Error::Loop { child, .. } => (
            relative(root, child),
            "skipped: symlink loop".into(),
            "a symlink points back to one of its own parent directories",
            Severity::Info,
        ),
        ignore::Error::Io(e) => (
            String::new(),
            format!("cannot read: {}", crate::sources::file_io_reason(e)),
            "check permissions; the scan went on without this path",
            Severity::Warning,
        ),
        other => (String::new(), other.to_string(), "the scan went on without this path", Severity::Warning),
    }
}

/// What makes two walked paths the same file (overlapping arguments, a symlink inside the
/// root): the device and inode from the stat the size already needed, where there is one —
/// canonicalising every path costs a syscall per path component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileIdentity {
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_identity(path: &Path, metadata: Option<&std::fs::Metadata>) -> FileIdentity {
    #[cfg(unix)]
    if let Some(m) = metadata {
        use std::os::unix::fs::MetadataExt;
        return FileIdentity::Inode(m.dev(), m.ino());
    }
    let _ = metadata;
    FileIdentity::Path(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()))
}

/// `path` relative to `root`, `/`-separated; the path itself when it is not under root.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_string()
}
