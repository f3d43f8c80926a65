//! Test helpers: run one parser on a fixture as if it had its real file name, and render the
//! facts compactly so tests can assert names, versions, lines and flags at a glance.

use crate::inventory::Dependency;
use crate::sources::{Facts, ParseContext, SourceFile, SourceParser};
use std::path::PathBuf;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/deps")
}

/// Parses `testdata/deps/<fixture>` as a file called `as_name` placed beside the fixture.
pub fn parse_as(parser: &dyn SourceParser, fixture: &str, as_name: &str) -> Facts {
    let path = fixture_dir().join(fixture);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut src = SourceFile::from_bytes(as_name, bytes);
    src.abs = path.parent().unwrap().join(as_name);
    let cx = ParseContext {
        root: fixture_dir(),
        max_file_size: 1 << 30,
        knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(),
        quote_tail: crate::knowledge::profile::QuoteTail::Joined,
    };
    let mut out = Facts::default();
    assert!(
        parser.claim(as_name, as_name.rsplit('/').next().unwrap()) != crate::sources::Claim::No,
        "{as_name} not claimed"
    );
    parser.parse(&src, &cx, &mut out);
    out
}

/// `name@version L<line>` plus `direct`, `dev`, `req=…`, `origin=…`, `as=…` when set.
pub fn render(d: &Dependency) -> String {
    let mut s = format!("{}@{} L{}", d.name, d.version.as_deref().unwrap_or("-"), d.location.line);
    if d.direct {
        s.push_str(" direct");
    }
    if d.dev {
        s.push_str(" dev");
    }
    if let Some(r) = &d.requirement {
        s.push_str(&format!(" req={r}"));
    }
    if let Some(o) = d.origin {
        s.push_str(&format!(" origin={o:?}").to_lowercase());
    }
    if let Some(a) = &d.declared_as {
        s.push_str(&format!(" as={a}"));
    }
    s
}

pub fn rendered(facts: &Facts) -> Vec<String> {
    facts.inventory.dependencies.iter().map(render).collect()
}

/// Only the dependencies whose name contains `filter`, rendered.
pub fn rendered_matching(facts: &Facts, filter: &[&str]) -> Vec<String> {
    facts.inventory.dependencies.iter().filter(|d| filter.iter().any(|f| d.name.contains(f))).map(render).collect()
}

pub fn diagnostics(facts: &Facts) -> Vec<String> {
    facts.diagnostics.iter().map(|d| format!("{} L{}: {}", d.code, d.location.line, d.message)).collect()
}
