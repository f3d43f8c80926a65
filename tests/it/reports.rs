//! Snapshots of every output format on the same fixture, and the SARIF document checked by
//! Microsoft's own validator with GitHub's ingestion rules.

use crate::common::{cmd, copy_tree, oracle, testdata};

fn render(format: &str) -> String {
    let dir = copy_tree(&testdata("spine/basic"));
    let out = cmd().arg("audit").arg(dir.path()).args(["--format", format]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_format() {
    insta::assert_snapshot!(render("human"));
}

#[test]
fn json_format() {
    insta::assert_snapshot!(render("json"));
}

#[test]
fn sarif_format() {
    insta::assert_snapshot!(render("sarif"));
}

#[test]
fn github_format() {
    insta::assert_snapshot!(render("github"));
}

#[test]
fn junit_format() {
    insta::assert_snapshot!(render("junit"));
}

#[test]
fn gitlab_format() {
    insta::assert_snapshot!(render("gitlab"));
}

#[test]
fn github_format_writes_the_step_summary() {
    let dir = copy_tree(&testdata("spine/basic"));
    let summary = dir.path().join("summary.md");
    cmd()
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .code(1);
    insta::assert_snapshot!(std::fs::read_to_string(summary).unwrap());
}

#[test]
fn sarif_passes_the_microsoft_validator_with_github_rules() {
    let Some(tool) = oracle("npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("audit.sarif");
    std::fs::write(&input, render("sarif")).unwrap();
    let output = dir.path().join("validation.sarif");
    let status = std::process::Command::new(tool)
        .args(["validate", "--rule-kind", "Gh;Sarif"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .status()
        .unwrap();
    assert!(status.success(), "validator failed to run");
    let result: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(output).unwrap()).unwrap();
    let errors: Vec<_> = result["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error" || r.get("level").is_none())
        .collect();
    assert!(errors.is_empty(), "SARIF validation errors: {errors:#?}");
}
