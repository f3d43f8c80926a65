//! Python fixtures: uv.lock and Pipfile.lock written by uv and pipenv, Poetry 1.1 and 2.1
//! lock files, requirements with includes, and the negatives.

use super::*;
use crate::sources::SourceParser;
use crate::sources::pkg::testutil::{diagnostics, parse_as, rendered, rendered_matching};

fn has(parser: &dyn SourceParser, fixture: &str, as_name: &str, expected: &[&str]) {
    let facts = parse_as(parser, fixture, as_name);
    let all = rendered(&facts);
    for e in expected {
        assert!(all.iter().any(|r| r == e), "{fixture}: missing `{e}` in\n{}", all.join("\n"));
    }
}

#[test]
fn requirements_only_double_equals_pins_and_includes_are_followed_once() {
    let facts = parse_as(&RequirementsParser, "python/requirements.txt", "requirements.txt");
    assert_eq!(
        rendered(&facts),
        vec![
            // base.txt, through `-r base.txt`; its `-r requirements.txt` loop is cut.
            "hiredis@2.3.2 L2 direct req===2.3.2",
            "redis@5.0.1 L3 direct req===5.0.1",
            "valkey@- L5 direct req=>=6.0,<7",
            "celery@- L6 direct req=~=5.3",
            "cachelib@- L7 direct req=git+https://github.com/example/cachelib.git@v1.2#egg=cachelib origin=git",
            "rq@- L8 direct req=https://files.example.com/rq-1.16.0.tar.gz origin=url",
        ]
    );
    assert_eq!(facts.inventory.dependencies[0].location.file, "python/base.txt");
    let d = diagnostics(&facts);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("SCAN001 L9: cannot read the included requirements file: missing-file.txt"), "{d:?}");
}

#[test]
fn pyproject_pep621_groups_and_poetry() {
    has(
        &PyprojectParser,
        "python/pep621.toml",
        "pyproject.toml",
        &[
            "redis@- L6 direct req=>=4.5,<6",
            "valkey@6.1.0 L7 direct req===6.1.0",
            "redisvl@0.3.0 L11 direct req===0.3.0",
            "pytest@8.3.3 L14 direct dev req===8.3.3",
        ],
    );
    has(
        &PyprojectParser,
        "python/poetry.toml",
        "pyproject.toml",
        &[
            "redis@- L9 direct req=^5.0",
            "valkey@6.1.0 L10 direct req=6.1.0",
            "cachelib@- L11 direct req=https://github.com/example/cachelib.git origin=git",
            "pytest@- L14 direct dev req=^8.0",
        ],
    );
}

#[test]
fn lock_files() {
    has(&UvLockParser, "python/project.v1.lock", "uv.lock", &["redis@5.3.1 L979 direct", "valkey@6.1.0 L1212 direct"]);
    assert!(
        !rendered(&parse_as(&UvLockParser, "python/project.v1.lock", "uv.lock"))
            .iter()
            .any(|r| r.starts_with("seed-service"))
    );
    has(
        &PoetryLockParser,
        "python/poetry-category.v1.lock",
        "poetry.lock",
        &[
            "redis@4.6.0 L3 direct",
            "pytest@7.4.0 L11 direct dev",
            "cachelib@- L19 direct req=https://github.com/example/cachelib.git origin=git",
        ],
    );
    has(
        &PoetryLockParser,
        "python/poetry-groups.v2.lock",
        "poetry.lock",
        &["redis@5.2.1 L28 direct", "pytest@8.3.4 L17 direct dev", "async-timeout@5.0.1 L5"],
    );
    has(&PipfileLockParser, "python/project.spec6.json", "Pipfile.lock", &["redis@5.0.1 L26 direct"]);
    has(
        &PipfileParser,
        "python/Pipfile",
        "Pipfile",
        &["redis@5.0.1 L7 direct req===5.0.1", "valkey@- L8 direct req=>=6.0", "pytest@- L11 direct dev req=*"],
    );
    insta::assert_snapshot!(
        "uv_lock",
        rendered_matching(&parse_as(&UvLockParser, "python/project.v1.lock", "uv.lock"), &["redis", "valkey"])
            .join("\n")
    );
}

#[test]
fn negatives() {
    let facts = parse_as(&PyprojectParser, "python/malformed.toml", "pyproject.toml");
    let d = diagnostics(&facts);
    assert!(d.len() == 1 && d[0].starts_with("SCAN004 L1: pyproject.toml: not valid"), "{d:?}");
    let facts = parse_as(&PoetryLockParser, "python/empty.lock", "poetry.lock");
    assert_eq!(diagnostics(&facts), vec!["SCAN004 L1: poetry.lock: the file is empty"]);
    let facts = parse_as(&UvLockParser, "python/malformed.toml", "uv.lock");
    assert_eq!(diagnostics(&facts).len(), 1);
    let facts = parse_as(&RequirementsParser, "python/malformed.txt", "requirements.txt");
    assert_eq!(diagnostics(&facts), vec!["SCAN004 L1: requirements.txt: cannot read this requirement"]);
    let facts = parse_as(&PipfileLockParser, "npm/not-json.txt", "Pipfile.lock");
    assert_eq!(diagnostics(&facts).len(), 1);
}
