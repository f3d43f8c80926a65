//! Writing a plan directory without ever leaving a half-written plan or touching a user's
//! files: everything goes into a staging directory beside the target, which is renamed into
//! place only when every file is written.

use super::model::Artifact;
use crate::error::UserError;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Written into every plan directory; the walk skips directories that hold it, so a plan
/// written inside the repository is not audited as if it were the repository's own files.
pub const PLAN_MARKER: &str = ".valkey-migrate-plan";
const MARKER_TEXT: &str = "This directory was written by `valkey-migrate plan`; `valkey-migrate audit` skips it.\n";

pub struct PlanFiles<'a> {
    pub plan_md: &'a str,
    pub plan_json: &'a str,
    pub artifacts: &'a [Artifact],
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false)
}

fn safe_relative(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

pub fn write_plan(out: &Path, files: &PlanFiles, force: bool) -> Result<(), UserError> {
    if out.exists() {
        if !out.is_dir() {
            return Err(UserError::new(format!("--out {} exists and is not a directory", out.display())));
        }
        if !is_empty_dir(out) && !force {
            return Err(UserError::new(format!("--out {} exists and is not empty", out.display()))
                .help("choose a new directory, or pass --force to replace its contents"));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| UserError::new(format!("cannot create {}: {e}", parent.display())))?;
    let staging = tempfile::Builder::new().prefix(".valkey-migrate-plan-").tempdir_in(&parent).map_err(|e| {
        UserError::new(format!("cannot write into {}: {e}", parent.display())).help("is the directory writable?")
    })?;

    let mut all: Vec<(&str, &str, bool)> = vec![
        ("plan.md", files.plan_md, false),
        ("plan.json", files.plan_json, false),
        (PLAN_MARKER, MARKER_TEXT, false),
    ];
    for a in files.artifacts {
        all.push((&a.reference.path, &a.contents, a.executable));
    }
    for (rel, contents, executable) in all {
        if !safe_relative(rel) {
            return Err(UserError::new(format!("internal error: artifact path '{rel}' leaves the plan directory")));
        }
        let path = staging.path().join(rel);
        write_file(&path, contents.as_bytes(), executable).map_err(|e| {
            UserError::new(format!("cannot write {}: {e}; nothing was written to {}", rel, out.display()))
        })?;
    }

    // Swap into place: the old directory (empty, or replaced with --force) moves aside first
    // so that it can be restored if the final rename fails.
    let staged = staging.keep();
    let backup = if out.exists() {
        let backup = parent.join(format!(".valkey-migrate-old-{}", std::process::id()));
        std::fs::rename(out, &backup).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staged);
            UserError::new(format!("cannot replace {}: {e}", out.display()))
        })?;
        Some(backup)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&staged, out) {
        if let Some(b) = &backup {
            let _ = std::fs::rename(b, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(UserError::new(format!("cannot move the plan into {}: {e}", out.display())));
    }
    if let Some(b) = backup {
        let _ = std::fs::remove_dir_all(b);
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_empty_and_unsafe_paths() {
        assert!(safe_relative("config/redis.conf"));
        assert!(!safe_relative("../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative(""));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let files = PlanFiles { plan_md: "# p", plan_json: "{}", artifacts: &[] };
        let err = write_plan(dir.path(), &files, false).unwrap_err();
        assert!(err.message.contains("not empty"));
        assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
        write_plan(dir.path(), &files, true).unwrap();
        assert!(!dir.path().join("keep.txt").exists());
        assert_eq!(std::fs::read_to_string(dir.path().join("plan.md")).unwrap(), "# p");
    }
}
