//! Every npm-family fixture (real files written by npm 10, yarn 1.22 and 4, pnpm 7, 8 and 9)
//! parsed and compared with a reviewed snapshot, plus explicit checks of the facts rules use.

use super::*;
use crate::sources::SourceParser;
use crate::sources::pkg::testutil::{diagnostics, parse_as, rendered};

fn snapshot(parser: &dyn SourceParser, fixture: &str, as_name: &str) -> String {
    let facts = parse_as(parser, fixture, as_name);
    let mut s = rendered(&facts).join("\n");
    for d in diagnostics(&facts) {
        s.push_str(&format!("\n! {d}"));
    }
    s
}

fn has(parser: &dyn SourceParser, fixture: &str, as_name: &str, expected: &[&str]) {
    let facts = parse_as(parser, fixture, as_name);
    let all = rendered(&facts);
    for e in expected {
        assert!(all.iter().any(|r| r == e), "{fixture}: missing `{e}` in\n{}", all.join("\n"));
    }
}

#[test]
fn package_json_declares_ranges_aliases_and_paths() {
    has(
        &PackageJsonParser,
        "npm/workspace-alias.json",
        "package.json",
        &[
            "ioredis@- L9 direct req=^5.8.0",
            "redis@4.6.10 L10 direct req=4.6.10 as=redis4",
            "local-lib@- L11 direct req=file:./local-lib origin=path",
            "ms@2.1.3 L14 direct dev req=2.1.3",
        ],
    );
}

#[test]
fn package_lock_every_version() {
    for v in ["v2", "v3"] {
        has(
            &PackageLockParser,
            &format!("npm/workspace-alias.{v}.json"),
            "package-lock.json",
            &[
                "ioredis@5.11.1 L132 direct",
                "redis@4.6.10 L182 direct as=redis4",
                // The root's @redis/client comes from redis4; the worker's own is nested.
                "@redis/client@1.5.11 L39",
                "@redis/client@1.5.12 L218 direct",
                "worker@- L202 req=packages/worker origin=workspace",
                "local-lib@- L152 direct req=local-lib origin=path",
            ],
        );
    }
    has(
        &PackageLockParser,
        "npm/workspace-alias.v1.json",
        "package-lock.json",
        &[
            "ioredis@5.11.1 L71",
            "redis@4.6.10 L102 as=redis4",
            "local-lib@- L84 req=file:local-lib origin=path",
            "@redis/client@1.5.12 L124",
        ],
    );
    has(
        &PackageLockParser,
        "npm/git-dep.v3.json",
        "package-lock.json",
        &[
            "redis@- L172 direct req=git+ssh://git@github.com/example/node-redis.git#0123456789abcdef0123456789abcdef01234567 origin=git as=redis-fork",
        ],
    );
    insta::assert_snapshot!(
        "package_lock_v3",
        snapshot(&PackageLockParser, "npm/workspace-alias.v3.json", "package-lock.json")
    );
    insta::assert_snapshot!(
        "package_lock_v1",
        snapshot(&PackageLockParser, "npm/workspace-alias.v1.json", "package-lock.json")
    );
    insta::assert_snapshot!(
        "package_lock_aliases",
        snapshot(&PackageLockParser, "npm/many-aliases.v3.json", "package-lock.json")
    );
}

#[test]
fn yarn_classic_and_berry() {
    for (fixture, lines) in [("npm/workspace-alias.v1.lock", (81, 114)), ("npm/workspace-alias.v10.lock", (123, 168))] {
        has(
            &YarnLockParser,
            fixture,
            "yarn.lock",
            &[&format!("ioredis@5.11.1 L{}", lines.0), &format!("redis@4.6.10 L{} as=redis4", lines.1)],
        );
    }
    has(
        &YarnLockParser,
        "npm/workspace-alias.v10.lock",
        "yarn.lock",
        &["worker@- L200 req=workspace:packages/worker origin=workspace"],
    );
    has(
        &YarnLockParser,
        "npm/workspace-alias.v1.lock",
        "yarn.lock",
        &["local-lib@- L94 req=file:./local-lib origin=path"],
    );
    insta::assert_snapshot!("yarn_v1", snapshot(&YarnLockParser, "npm/workspace-alias.v1.lock", "yarn.lock"));
    insta::assert_snapshot!("yarn_berry", snapshot(&YarnLockParser, "npm/workspace-alias.v10.lock", "yarn.lock"));
}

#[test]
fn pnpm_every_version() {
    has(
        &PnpmLockParser,
        "npm/workspace-alias.v5.yaml",
        "pnpm-lock.yaml",
        &[
            "ioredis@5.11.1 L120 direct",
            "redis@4.6.10 L150 direct",
            "@redis/client@1.5.12 L47 direct",
            "@redis/client@1.5.11 L38",
        ],
    );
    has(
        &PnpmLockParser,
        "npm/root.v5.yaml",
        "pnpm-lock.yaml",
        &["ioredis@5.11.1 L102 direct", "ms@2.1.3 L117 direct dev", "@redis/client@1.5.11 L29"],
    );
    has(
        &PnpmLockParser,
        "npm/workspace-alias.v6.yaml",
        "pnpm-lock.yaml",
        &[
            "ioredis@5.11.1 L127 direct",
            "redis@4.6.10 L157 direct",
            "local-lib@- L176 direct req=file:local-lib origin=path",
        ],
    );
    has(
        &PnpmLockParser,
        "npm/workspace-alias.v9.yaml",
        "pnpm-lock.yaml",
        &["ioredis@5.11.1 L94 direct", "redis@4.6.10 L112 direct", "@redis/client@1.5.12 L45 direct"],
    );
    insta::assert_snapshot!("pnpm_v9", snapshot(&PnpmLockParser, "npm/workspace-alias.v9.yaml", "pnpm-lock.yaml"));
    insta::assert_snapshot!("pnpm_v5", snapshot(&PnpmLockParser, "npm/workspace-alias.v5.yaml", "pnpm-lock.yaml"));
    insta::assert_snapshot!("pnpm_v6", snapshot(&PnpmLockParser, "npm/workspace-alias.v6.yaml", "pnpm-lock.yaml"));
}

#[test]
fn pnpm_multi_document_skips_the_env_lockfile() {
    let facts = parse_as(&PnpmLockParser, "npm/multi-document.v9.yaml", "pnpm-lock.yaml");
    let all = rendered(&facts);
    assert!(!all.iter().any(|r| r.starts_with("@pnpm/plugin-x")), "{all:?}");
    assert!(all.contains(&"ioredis@5.11.1 L111 direct".to_string()));
}

#[test]
fn negatives_report_where_and_go_on() {
    let cases: &[(&dyn SourceParser, &str, &str, &str)] = &[
        (&PackageLockParser, "npm/empty.json", "package-lock.json", "SCAN004 L1: package-lock.json: the file is empty"),
        (
            &PackageLockParser,
            "npm/not-json.txt",
            "package-lock.json",
            "SCAN004 L1: package-lock.json: not valid JSON: expected a value",
        ),
        (
            &PackageLockParser,
            "npm/malformed.v3.json",
            "package-lock.json",
            "SCAN004 L68: package-lock.json: not valid JSON: unterminated string",
        ),
        (
            &PackageJsonParser,
            "npm/not-json.txt",
            "package.json",
            "SCAN004 L1: package.json: not valid JSON: expected a value",
        ),
        (&PnpmLockParser, "npm/empty.yaml", "pnpm-lock.yaml", "SCAN004 L1: pnpm-lock.yaml: the file is empty"),
        (
            &PnpmLockParser,
            "npm/wrong-format.v9.yaml",
            "pnpm-lock.yaml",
            "SCAN004 L1: pnpm-lock.yaml: no document with a `lockfileVersion`",
        ),
        (&YarnLockParser, "npm/empty.lock", "yarn.lock", "SCAN004 L1: yarn.lock: the file is empty"),
        (
            &YarnLockParser,
            "npm/malformed.v1.lock",
            "yarn.lock",
            "SCAN004 L5: yarn.lock: line 5 is not an entry header (`name@range:`)",
        ),
    ];
    for (parser, fixture, name, expected) in cases {
        let facts = parse_as(*parser, fixture, name);
        let diags = diagnostics(&facts);
        assert_eq!(diags.len(), 1, "{fixture}: {diags:?}");
        assert!(diags[0].starts_with(expected), "{fixture}: {} does not start with {expected}", diags[0]);
    }
    // The malformed YAML points into the file, not at its start.
    let facts = parse_as(&PnpmLockParser, "npm/malformed.v9.yaml", "pnpm-lock.yaml");
    assert!(facts.diagnostics[0].location.line >= 4, "{:?}", diagnostics(&facts));
    // Entries before a malformed yarn line are still read.
    let facts = parse_as(&YarnLockParser, "npm/malformed.v1.lock", "yarn.lock");
    assert_eq!(rendered(&facts), vec!["ioredis@5.8.2 L4"]);
}
