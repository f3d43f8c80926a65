//! Every rule has metadata and an implementation, and nothing has one without the other.

use std::collections::BTreeSet;
use valkey_migrate::knowledge::Knowledge;
use valkey_migrate::rules;

#[test]
fn every_rule_has_metadata_and_every_code_an_implementation() {
    let k = Knowledge::embedded().expect("embedded knowledge loads");
    let implemented: BTreeSet<String> = rules::registry()
        .iter()
        .map(|r| r.code().to_string())
        .chain(rules::engine_codes().iter().map(|c| c.to_string()))
        .collect();
    let documented: BTreeSet<String> = k.catalog.iter().map(|r| r.code.clone()).collect();
    let missing_meta: Vec<_> = implemented.difference(&documented).collect();
    let missing_impl: Vec<_> = documented.difference(&implemented).collect();
    assert!(missing_meta.is_empty(), "implemented but not in rules/catalog: {missing_meta:?}");
    assert!(missing_impl.is_empty(), "in rules/catalog but not implemented: {missing_impl:?}");
    let registry = rules::registry();
    let mut codes: Vec<_> = registry.iter().map(|r| r.code()).collect();
    codes.sort();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "two rule implementations claim the same code");
}

#[test]
fn metadata_is_complete() {
    let k = Knowledge::embedded().unwrap();
    for r in k.catalog.iter() {
        assert!(
            r.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: name must be kebab-case",
            r.code
        );
        assert!(
            !r.summary.trim().is_empty() && !r.summary.ends_with('.'),
            "{}: summary is one line without a full stop",
            r.code
        );
        assert!(r.explanation.trim().len() > 80, "{}: explanation too thin to help a user", r.code);
        for reference in &r.references {
            assert!(reference.url.starts_with("https://"), "{}: reference {} is not a URL", r.code, reference.url);
        }
    }
}

/// The README's rule list is generated from the catalog; this keeps it current. Run with
/// `VALKEY_MIGRATE_UPDATE_README=1` to rewrite it.
#[test]
fn readme_rule_list_is_current() {
    let k = Knowledge::embedded().unwrap();
    let generated = valkey_migrate::cli::rules_markdown(&k);
    let path = crate::common::repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme.find(start).expect("README has the rules:start marker") + start.len();
    let b = readme.find(end).expect("README has the rules:end marker");
    if readme[a..b] != generated {
        if std::env::var("VALKEY_MIGRATE_UPDATE_README").is_ok_and(|v| v == "1") {
            std::fs::write(&path, format!("{}{generated}{}", &readme[..a], &readme[b..])).unwrap();
        } else {
            panic!("README.md's rule list is stale; run: VALKEY_MIGRATE_UPDATE_README=1 cargo test --test it readme");
        }
    }
}

/// `rules/scanned-commands.toml` is what the profiles derive (the code scan reads the file to
/// avoid parsing every profile per run). `VALKEY_MIGRATE_UPDATE_DATA=1` rewrites it.
#[test]
fn scanned_commands_file_matches_the_profiles() {
    use valkey_migrate::knowledge::commands::{SCANNED_COMMANDS_FILE, scanned_commands_file, scanned_core_commands};
    let knowledge = valkey_migrate::knowledge::Knowledge::embedded().unwrap();
    let derived = scanned_core_commands(&knowledge);
    assert!(derived.iter().any(|(c, _)| c == "HEXPIRE"), "{derived:?}");
    let text = scanned_commands_file(&derived);
    let path = crate::common::repo_root().join("rules").join(SCANNED_COMMANDS_FILE);
    if std::env::var("VALKEY_MIGRATE_UPDATE_DATA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text, "run with VALKEY_MIGRATE_UPDATE_DATA=1");
}

/// The shipped list stands unless a `--rules-dir` replaces a profile: then the code scan
/// derives it again from the profiles it will really use.
#[test]
fn an_overlaid_profile_rederives_the_scanned_commands() {
    use valkey_migrate::knowledge::Knowledge;
    use valkey_migrate::knowledge::commands::{scanned_core_commands, scanned_core_commands_shipped};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scanned-commands.toml"), "source = \"test\"\ncommands = [\"NOT-A-COMMAND\"]\n")
        .unwrap();
    let shipped = scanned_core_commands_shipped(&Knowledge::with_overlay(Some(dir.path())).unwrap());
    assert_eq!(shipped, [("NOT-A-COMMAND".to_string(), false)]);
    std::fs::create_dir(dir.path().join("profiles")).unwrap();
    let profile = crate::common::repo_root().join("rules/profiles/valkey-9.1.toml");
    std::fs::copy(profile, dir.path().join("profiles/valkey-9.1.toml")).unwrap();
    let knowledge = Knowledge::with_overlay(Some(dir.path())).unwrap();
    assert_eq!(scanned_core_commands_shipped(&knowledge), scanned_core_commands(&knowledge));
}
