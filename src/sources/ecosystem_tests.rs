//! Go, Rust, Ruby, PHP, Java and .NET fixtures: every fact (name, version, line, flags) and
//! diagnostic compared with a reviewed snapshot, plus explicit checks of what rules rely on.

use super::cargo::*;
use super::dotnet::*;
use super::golang::*;
use super::java::*;
use super::php::*;
use super::ruby::*;
use crate::sources::SourceParser;
use crate::sources::pkg::testutil::{diagnostics, parse_as, rendered};

fn has(parser: &dyn SourceParser, fixture: &str, as_name: &str, expected: &[&str]) {
    let all = rendered(&parse_as(parser, fixture, as_name));
    for e in expected {
        assert!(all.iter().any(|r| r == e), "{fixture}: missing `{e}` in\n{}", all.join("\n"));
    }
}

#[test]
fn key_facts() {
    // pom.xml: the line where the version is written, before interpolation; managed versions.
    has(
        &PomParser,
        "java/spring-app.pom.xml",
        "pom.xml",
        &[
            "redis.clients:jedis@5.2.0 L44 direct req=5.2.0 as=${jedis.version}",
            "io.lettuce:lettuce-core@7.0.0.RELEASE L37 direct req=7.0.0.RELEASE",
            "com.redis.om:redis-om-spring@- L49 direct req=[0.9,1.0)",
        ],
    );
    has(
        &GradleBuildParser,
        "java/app.build.gradle",
        "build.gradle",
        &["redis.clients:jedis@5.1.0 L8 direct req=5.1.0"],
    );
    has(
        &VersionCatalogParser,
        "java/libs.catalog.toml",
        "gradle/libs.versions.toml",
        &["io.lettuce:lettuce-core@7.1.0.RELEASE L6 direct req=7.1.0.RELEASE as=versions.lettuce"],
    );
    has(
        &PackagesLockParser,
        "dotnet/net8.v1.json",
        "packages.lock.json",
        &["StackExchange.Redis@2.8.16 L17 direct req=[2.8.0, )"],
    );
    has(
        &GoModParser,
        "go/service.go117.mod",
        "go.mod",
        &[
            "github.com/redis/go-redis/v9@v9.16.0 L8 direct req=v9.16.0",
            "github.com/valkey-io/valkey-go@- L9 direct req=../valkey-go-fork origin=path",
        ],
    );
    // Before go 1.17 go.sum fills in what go.mod does not list; the highest version wins.
    has(&GoModParser, "go/legacy.go116.mod", "go.mod", &["github.com/cespare/xxhash/v2@v2.1.2 L1"]);
    has(
        &CargoLockParser,
        "cargo/valkey-migrate.v4.lock",
        "Cargo.lock",
        &["redis@1.8.1 L1496 direct", "valkey-migrate@- L2142 req=path origin=workspace"],
    );
    has(
        &GemfileLockParser,
        "ruby/app.bundler2.lock",
        "Gemfile.lock",
        &["redis@4.8.1 L21 direct", "nokogiri@1.16.7 L18"],
    );
    has(
        &ComposerLockParser,
        "php/app.v2.lock",
        "composer.lock",
        &["predis/predis@v2.2.2 L9 direct", "ext-redis@- L42 direct req=*"],
    );
}

#[test]
fn snapshots() {
    let mut all = String::new();
    for (p, f, n) in [
        (&PomParser as &dyn SourceParser, "java/spring-app.pom.xml", "pom.xml"),
        (&GradleLockParser, "java/app.gradle.lockfile", "gradle.lockfile"),
        (&GradleBuildParser, "java/app.build.gradle", "build.gradle"),
        (&VersionCatalogParser, "java/libs.catalog.toml", "gradle/libs.versions.toml"),
        (&PomParser, "java/malformed.pom.xml", "pom.xml"),
        (&PomParser, "java/wrong-format.pom.xml", "pom.xml"),
        (&MsBuildParser, "dotnet/Cache.Api.csproj", "Cache.Api.csproj"),
        (&MsBuildParser, "dotnet/Directory.Packages.props", "Directory.Packages.props"),
        (&MsBuildParser, "dotnet/legacy.packages.config", "packages.config"),
        (&PackagesLockParser, "dotnet/net8.v1.json", "packages.lock.json"),
        (&GoModParser, "go/service.go117.mod", "go.mod"),
        (&GoModParser, "go/legacy.go116.mod", "go.mod"),
        (&GoModParser, "go/malformed.mod", "go.mod"),
        (&CargoTomlParser, "cargo/workspace.toml", "Cargo.toml"),
        (&CargoLockParser, "cargo/old-format.v1.lock", "Cargo.lock"),
        (&CargoLockParser, "cargo/valkey-migrate.v4.lock", "Cargo.lock"),
        (&GemfileParser, "ruby/Gemfile", "Gemfile"),
        (&GemfileLockParser, "ruby/app.bundler2.lock", "Gemfile.lock"),
        (&ComposerJsonParser, "php/composer.json", "composer.json"),
        (&ComposerLockParser, "php/app.v2.lock", "composer.lock"),
    ] {
        let facts = parse_as(p, f, n);
        all.push_str(&format!("== {f}\n{}\n", rendered(&facts).join("\n")));
        for d in diagnostics(&facts) {
            all.push_str(&format!("! {d}\n"));
        }
    }
    insta::assert_snapshot!("ecosystems", all);
}
