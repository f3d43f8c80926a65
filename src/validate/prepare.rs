//! Turning a repository's config file into one a test server can start with here: `include`
//! lines are inlined from the repository (a file outside it, such as `/etc/redis/users.conf`,
//! cannot be checked here and is left out, saying so), and for the server the workloads run
//! on, settings that need peers this run does not have are neutralised.

use std::path::{Path, PathBuf};

/// A config file to validate: its name as the plan shows it, its text, and the directory its
/// relative `include` lines are resolved from.
#[derive(Debug, Clone)]
pub struct ConfigInput {
    pub name: String,
    pub text: String,
    pub dir: Option<PathBuf>,
}

/// The text to start a server with, and what was changed to make that possible.
pub fn inline_includes(input: &ConfigInput) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let text = expand(&input.text, input.dir.as_deref(), &mut notes, &mut Vec::new());
    (text, notes)
}

fn expand(text: &str, dir: Option<&Path>, notes: &mut Vec<String>, stack: &mut Vec<PathBuf>) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(target) = include_target(line) else {
            out.push_str(line);
            continue;
        };
        let path = match dir {
            Some(d) if !Path::new(&target).is_absolute() => d.join(&target),
            _ => PathBuf::from(&target),
        };
        let inside =
            dir.is_some_and(|d| path.canonicalize().is_ok_and(|p| d.canonicalize().is_ok_and(|d| p.starts_with(d))));
        match std::fs::read_to_string(&path) {
            Ok(included) if inside && stack.len() < 8 && !stack.contains(&path) => {
                stack.push(path.clone());
                out.push_str(&format!("# (include {target}, inlined by valkey-migrate validate)\n"));
                let sub_dir = path.parent().map(Path::to_path_buf);
                out.push_str(&expand(&included, sub_dir.as_deref(), notes, stack));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                stack.pop();
            }
            _ => {
                notes.push(format!(
                    "`include {target}` left out: the file is not in the repository, so it cannot be checked here"
                ));
                out.push_str(&format!("# (include {target} left out by valkey-migrate validate)\n"));
            }
        }
    }
    out
}

fn include_target(line: &str) -> Option<String> {
    let src = crate::sources::SourceFile::from_bytes("line", line.as_bytes().to_vec());
    let parsed = crate::sources::server_config::parse_config(&src);
    let d = parsed.directives.first()?;
    (d.name == "include").then(|| d.args.first().map(|a| a.value.clone())).flatten()
}

/// Settings that make a lone test server refuse writes or wait for peers, and what replaces
/// them for the workloads (appended: the last occurrence of a directive wins).
pub fn standalone(text: &str) -> (String, Vec<String>) {
    let src = crate::sources::SourceFile::from_bytes("config", text.as_bytes().to_vec());
    let parsed = crate::sources::server_config::parse_config(&src);
    let has = |name: &str, pred: &dyn Fn(&[&str]) -> bool| {
        parsed
            .directives
            .iter()
            .rev()
            .find(|d| d.name == name)
            .is_some_and(|d| pred(&d.arg_values().collect::<Vec<_>>()))
    };
    let mut extra = Vec::new();
    let mut notes = Vec::new();
    if has("min-replicas-to-write", &|a| a.first().is_some_and(|v| *v != "0"))
        || has("min-slaves-to-write", &|a| a.first().is_some_and(|v| *v != "0"))
    {
        extra.push("min-replicas-to-write 0");
        notes.push("min-replicas-to-write set to 0 (no replicas here)".to_string());
    }
    if has("replicaof", &|_| true) || has("slaveof", &|_| true) {
        extra.push("replicaof no one");
        notes.push("replicaof removed (no primary here)".to_string());
    }
    if has("cluster-enabled", &|a| a.first().is_some_and(|v| v.eq_ignore_ascii_case("yes"))) {
        extra.push("cluster-enabled no");
        notes.push("cluster mode off (a single node has no slots)".to_string());
    }
    if extra.is_empty() {
        return (text.to_string(), notes);
    }
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\n# Appended by valkey-migrate validate: run the workloads on a lone server.\n");
    for e in extra {
        out.push_str(e);
        out.push('\n');
    }
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_inline_from_the_repository_and_outside_ones_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("auth.conf"), "requirepass s3cret\n").unwrap();
        let input = ConfigInput {
            name: "redis.conf".into(),
            text: "port 6379\ninclude auth.conf\ninclude /etc/redis/users.conf\n".into(),
            dir: Some(dir.path().to_path_buf()),
        };
        let (text, notes) = inline_includes(&input);
        assert!(text.contains("requirepass s3cret\n"), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("include")), "{text}");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("/etc/redis/users.conf"));
    }

    #[test]
    fn peer_settings_are_neutralised_for_the_workloads() {
        let (text, notes) = standalone("min-replicas-to-write 1\nreplicaof 10.0.0.1 6379\nport 1\n");
        assert!(text.ends_with("min-replicas-to-write 0\nreplicaof no one\n"), "{text}");
        assert_eq!(notes.len(), 2);
        let (same, none) = standalone("port 1\n");
        assert_eq!((same.as_str(), none.len()), ("port 1\n", 0));
    }
}
