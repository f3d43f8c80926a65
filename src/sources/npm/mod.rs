//! npm-family files: `package.json`, `package-lock.json` / `npm-shrinkwrap.json`, `yarn.lock`
//! (classic and berry) and `pnpm-lock.yaml`.

mod package_json;
mod package_lock;
mod pnpm;
mod yarn;

pub use package_json::PackageJsonParser;
pub use package_lock::PackageLockParser;
pub use pnpm::PnpmLockParser;
pub use yarn::YarnLockParser;

use crate::inventory::DepOrigin;
use std::collections::HashMap;

/// What a dependency value in package.json (or a yarn/pnpm specifier) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The real package name (differs from the key for `npm:` aliases).
    pub name: String,
    pub range: String,
    pub origin: Option<DepOrigin>,
}

/// Reads `"key": "value"` of a dependency map: aliases, git, path, workspace and URL forms.
pub fn parse_spec(key: &str, value: &str) -> Spec {
    let v = value.trim();
    let other = |origin| Spec { name: key.to_string(), range: v.to_string(), origin: Some(origin) };
    if let Some(rest) = v.strip_prefix("npm:") {
        let (name, range) = split_name_at(rest);
        return Spec { name: name.to_string(), range: range.unwrap_or("*").to_string(), origin: None };
    }
    if v.starts_with("workspace:") {
        return other(DepOrigin::Workspace);
    }
    if v.starts_with("file:")
        || v.starts_with("link:")
        || v.starts_with("portal:")
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with('/')
        || v.starts_with("~/")
    {
        return other(DepOrigin::Path);
    }
    if v.starts_with("git")
        || v.starts_with("github:")
        || v.starts_with("gitlab:")
        || v.starts_with("bitbucket:")
        || v.contains(".git#")
        || v.ends_with(".git")
    {
        return other(DepOrigin::Git);
    }
    if v.starts_with("http://") || v.starts_with("https://") {
        return other(DepOrigin::Url);
    }
    // `user/repo` and `user/repo#ref` are GitHub shorthands.
    if !v.starts_with('@') && v.contains('/') && !v.contains(' ') {
        return other(DepOrigin::Git);
    }
    Spec { name: key.to_string(), range: v.to_string(), origin: None }
}

/// Splits `name@range` where the name may be scoped (`@scope/name@^1`).
pub fn split_name_at(s: &str) -> (&str, Option<&str>) {
    let search_from = usize::from(s.starts_with('@'));
    match s[search_from..].find('@') {
        Some(i) => (&s[..search_from + i], Some(&s[search_from + i + 1..])),
        None => (s, None),
    }
}

/// The names a project (or workspace member) declares directly, with their specifiers,
/// from its package.json-shaped object; used to tell direct from transitive lock entries.
#[derive(Debug, Default, Clone)]
pub struct DirectNames {
    /// declared key → (specifier, dev)
    pub names: HashMap<String, (String, bool)>,
}

impl DirectNames {
    pub fn add_manifest(&mut self, manifest: &crate::sources::pkg::json::Node) {
        for (section, dev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
            if let Some(m) = manifest.get(section).and_then(|n| n.as_object()) {
                for (k, v) in m {
                    let spec = v.as_str().unwrap_or("").to_string();
                    self.names.entry(k.name.to_string()).or_insert((spec, dev));
                }
            }
        }
    }

    pub fn is_direct(&self, key: &str) -> Option<bool> {
        self.names.get(key).map(|(_, dev)| *dev)
    }
}

#[cfg(test)]
mod spec_tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            parse_spec("redis4", "npm:redis@^4.6.0"),
            Spec { name: "redis".into(), range: "^4.6.0".into(), origin: None }
        );
        assert_eq!(parse_spec("x", "npm:@redis/client@1.5.0").name, "@redis/client");
        assert_eq!(parse_spec("x", "github:luin/ioredis#v5").origin, Some(DepOrigin::Git));
        assert_eq!(parse_spec("x", "luin/ioredis").origin, Some(DepOrigin::Git));
        assert_eq!(parse_spec("x", "file:../lib").origin, Some(DepOrigin::Path));
        assert_eq!(parse_spec("x", "workspace:^").origin, Some(DepOrigin::Workspace));
        assert_eq!(parse_spec("x", "https://example.com/x.tgz").origin, Some(DepOrigin::Url));
        assert_eq!(parse_spec("x", "^5.8.0").origin, None);
        assert_eq!(split_name_at("@redis/client@^1"), ("@redis/client", Some("^1")));
    }
}

#[cfg(test)]
mod tests;
