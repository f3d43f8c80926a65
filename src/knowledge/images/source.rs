//! The Redis version a repository runs, inferred from its images (for `--source`).

use super::{ImageCatalog, Product, Version};

/// The source server a repository runs, as its images tell it.
#[derive(Debug, Clone)]
pub struct SourceGuess {
    /// The server version the tag means, e.g. 7.4 for `redis:7.4-alpine`.
    pub version: Version,
    /// The closest server profile at or below that version (`redis-7.4`), when one exists.
    pub profile: Option<String>,
    /// The image reference it was read from, and where.
    pub reference: String,
    pub location: crate::location::Location,
    /// Inferred from a floating tag (`redis:7`, `latest`): what it means today.
    pub floating: bool,
}

impl ImageCatalog {
    /// The Redis version a repository's images run (for `--source` inference): the newest
    /// Redis server or Redis Stack image with a known version, since the newest is what the
    /// data will come from and what limits the move. `profiles` are the known profile names.
    pub fn infer_source(
        &self,
        images: &[crate::inventory::ContainerImage],
        profiles: &[String],
    ) -> Option<SourceGuess> {
        let mut best: Option<SourceGuess> = None;
        for fact in images {
            if fact.unresolved.is_some() && fact.tag.is_none() {
                continue;
            }
            let Some(r) = self.resolve(&fact.name, fact.tag.as_deref(), fact.digest.is_some()) else {
                continue;
            };
            if !matches!(r.info.product, Product::Redis | Product::RedisStack) {
                continue;
            }
            let Some(version) = r.version else {
                continue;
            };
            if best.as_ref().is_some_and(|b| b.version.line() >= version.line()) {
                continue;
            }
            let mut reference = fact.image.clone();
            if let Some(t) = &fact.tag {
                reference = format!("{reference}:{t}");
            }
            best = Some(SourceGuess {
                version,
                profile: nearest_profile("redis", version, profiles),
                reference,
                location: fact.location.clone(),
                floating: r.pinning.is_floating(),
            });
        }
        best
    }
}

/// `redis-7.4` for 7.4.2 when that profile exists, else the newest `redis-*` profile below it.
fn nearest_profile(product: &str, version: Version, profiles: &[String]) -> Option<String> {
    crate::knowledge::migration::nearest_profile(product, version.line(), profiles.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::super::ImageCatalog;

    fn catalog() -> std::sync::Arc<ImageCatalog> {
        ImageCatalog::embedded().expect("images.toml loads")
    }

    #[test]
    fn source_is_the_newest_redis_image() {
        use crate::inventory::{ContainerImage, ImageOrigin};
        use crate::location::Location;
        let c = catalog();
        let img = |name: &str, tag: Option<&str>| ContainerImage {
            image: name.into(),
            tag: tag.map(str::to_string),
            digest: None,
            name: name.into(),
            origin: ImageOrigin::Compose,
            subject: None,
            unresolved: None,
            location: Location::file_only("docker-compose.yml"),
        };
        let profiles: Vec<String> =
            ["redis-7.0", "redis-7.2", "redis-7.4", "redis-8.2", "valkey-9.1"].iter().map(|s| s.to_string()).collect();
        let images = vec![
            img("redis", Some("7.2-alpine")),
            img("valkey/valkey", Some("9.1")),
            img("redis", Some("7.4-alpine")),
            img("nginx", Some("1")),
        ];
        let guess = c.infer_source(&images, &profiles).unwrap();
        assert_eq!(
            (guess.version.to_string(), guess.profile.as_deref(), guess.reference.as_str()),
            ("7.4".into(), Some("redis-7.4"), "redis:7.4-alpine")
        );
        let guess = c.infer_source(&[img("redis", Some("8.4.0"))], &profiles).unwrap();
        assert_eq!(guess.profile.as_deref(), Some("redis-8.2"));
        let guess = c.infer_source(&[img("redis", Some("7"))], &profiles).unwrap();
        assert!(guess.floating && guess.profile.as_deref() == Some("redis-7.4"));
        assert!(c.infer_source(&[img("valkey/valkey", Some("8.1"))], &profiles).is_none());
    }
}
