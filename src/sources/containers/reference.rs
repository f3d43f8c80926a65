//! Image references as Docker reads them: `[registry[:port]/]path[:tag][@digest]`.

/// The parts of an image reference, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry (if any) and path, without tag or digest: `docker.io/library/redis`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Parses a reference; `None` when the text cannot be one (spaces, a URL, a variable left in).
pub fn parse(text: &str) -> Option<ImageRef<'_>> {
    let text = text.trim();
    if text.is_empty() || text.len() > 512 || text.contains("://") {
        return None;
    }
    let (name, digest) = match text.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    if let Some(d) = digest
        && !d
            .split_once(':')
            .is_some_and(|(alg, hex)| !alg.is_empty() && !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let repo_ok = !repository.is_empty()
        && !repository.starts_with(['/', '.', '-', ':'])
        && !repository.ends_with(['/', '.', '-'])
        && !repository.contains("//")
        && repository.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/:".contains(&b));
    let tag_ok = tag.is_none_or(|t| {
        !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    });
    (repo_ok && tag_ok).then_some(ImageRef { repository, tag, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
        parse(s).map(|r| (r.repository, r.tag, r.digest))
    }

    #[test]
    fn reference_shapes() {
        assert_eq!(p("redis"), Some(("redis", None, None)));
        assert_eq!(p("redis:7.4-alpine"), Some(("redis", Some("7.4-alpine"), None)));
        assert_eq!(p("docker.io/library/redis:7"), Some(("docker.io/library/redis", Some("7"), None)));
        assert_eq!(
            p("registry.local:5000/cache/redis:7.2"),
            Some(("registry.local:5000/cache/redis", Some("7.2"), None))
        );
        assert_eq!(p("registry.local:5000/redis"), Some(("registry.local:5000/redis", None, None)));
        assert_eq!(p("redis@sha256:abc123"), Some(("redis", None, Some("sha256:abc123"))));
        assert_eq!(p("redis:7.2@sha256:abc123"), Some(("redis", Some("7.2"), Some("sha256:abc123"))));
        assert_eq!(p("redis/redis-stack:7.2.0-v10"), Some(("redis/redis-stack", Some("7.2.0-v10"), None)));
    }

    #[test]
    fn non_references() {
        for s in [
            "",
            "redis://localhost:6379",
            "redis server",
            "${IMAGE}",
            "redis:",
            "redis@sha256:xyz",
            "/abs/path",
            "a//b",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }
}
