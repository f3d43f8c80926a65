//! Source code of the common languages: the commands it sends that some Valkey target lacks
//! (module commands, vector sets, hash-field expiry, …), in string literals and through client
//! APIs, plus module files and image references written in code.
//!
//! Every source file is claimed, so this parser is built to pass over most of them quickly:
//! one Aho-Corasick pass over the bytes decides whether a file can matter at all; only files
//! that name a command, a module file or a Redis-protocol server are lexed. Client-API shapes
//! (`client.ft.search(…)`, `jedis.jsonSet(…)`) are trusted only in files that also name a
//! Redis-protocol server, so that `JSON.parse` or `response.json().get` never count.

mod analyze;
mod lexer;
mod om;
mod vocab;

pub use om::Links;
pub use vocab::Vocab;

use super::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::findings::Finding;
use crate::knowledge::modules::Lang;
use crate::scan::codes;
use std::cell::RefCell;

pub struct CodeParser;

/// The language of a file, from its extension; `None` for files this parser does not read.
pub fn language(file_name: &str) -> Option<Lang> {
    let lower = file_name.to_ascii_lowercase();
    // Minified bundles are build output, and one line long: nothing to point a finding at.
    if lower.ends_with(".min.js") || lower.ends_with(".bundle.js") {
        return None;
    }
    let ext = lower.rsplit_once('.')?.1;
    Some(match ext {
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Lang::Js,
        "py" => Lang::Python,
        "go" => Lang::Go,
        "java" | "kt" | "kts" => Lang::Java,
        "cs" => Lang::Csharp,
        "rb" | "rake" => Lang::Ruby,
        "php" => Lang::Php,
        "rs" => Lang::Rust,
        "lua" => Lang::Lua,
        _ => return None,
    })
}

thread_local! {
    // One token buffer per worker thread, reused file after file.
    static TOKENS: RefCell<Vec<lexer::Token>> = const { RefCell::new(Vec::new()) };
}

/// Scans one file's bytes into `out`: the whole parser, without the file system.
pub fn scan(src: &SourceFile, lang: Lang, vocab: &Vocab, out: &mut Facts) {
    let Some(gated) = vocab.prefilter(src.bytes()) else {
        return;
    };
    TOKENS.with(|cell| {
        let mut tokens = cell.borrow_mut();
        lexer::lex(lang, src.bytes(), &mut tokens);
        analyze::Analysis::new(src, lang, vocab, &tokens, gated).run(out);
        om::extract(src, lang, &tokens, vocab, &mut out.code_links);
        if tokens.capacity() > 1 << 20 {
            // Do not keep a huge buffer alive after one giant file.
            *tokens = Vec::new();
        }
    });
}

/// Completes what single files could not: object-mapper calls joined with the models other
/// files define. Run once, after every file was parsed.
pub fn finish(facts: &mut Facts, knowledge: &crate::knowledge::Knowledge) {
    let links = std::mem::take(&mut facts.code_links);
    if links.is_empty() {
        return;
    }
    if let Ok(catalog) = knowledge.view::<crate::knowledge::modules::ModuleCatalog>() {
        facts.inventory.command_uses.extend(om::link(&links, &catalog));
    }
}

impl SourceParser for CodeParser {
    fn id(&self) -> &'static str {
        "code"
    }

    fn claim(&self, _rel_path: &str, file_name: &str) -> Claim {
        if language(file_name).is_some() { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(lang) = language(&src.rel) else {
            return;
        };
        match cx.knowledge.view::<Vocab>() {
            Ok(vocab) => scan(src, lang, &vocab, out),
            Err(e) => out.diagnostic(
                Finding::new(codes::UNPARSABLE, src.file_location(), format!("command scan skipped: {e}"))
                    .help("a data file is broken (a --rules-dir overlay, or a bug to report)"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// `(line, command)` pairs a fixture declares with `expect: CMD …` at the end of a line.
    fn expected(text: &str) -> BTreeSet<(u32, String)> {
        let mut out = BTreeSet::new();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, cmds)) = line.split_once("expect: ") {
                for c in cmds.split_whitespace() {
                    out.insert((i as u32 + 1, c.to_string()));
                }
            }
        }
        out
    }

    fn found(rel: &str, bytes: Vec<u8>) -> (BTreeSet<(u32, String)>, Facts) {
        let src = SourceFile::from_bytes(rel, bytes);
        let mut facts = Facts::default();
        let lang = language(rel).expect("fixture has a scanned extension");
        let vocab = vocab::test_vocab();
        scan(&src, lang, &vocab, &mut facts);
        let links = std::mem::take(&mut facts.code_links);
        facts.inventory.command_uses.extend(om::link(&links, &vocab.modules));
        let hits = facts.inventory.command_uses.iter().map(|u| (u.location.line, u.command.clone())).collect();
        (hits, facts)
    }

    /// Every scanned file under `testdata/code/<dir>`, as (path relative to it, text).
    fn tree(dir: &str) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/code").join(dir);
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if language(&p.file_name().unwrap().to_string_lossy()).is_some() {
                    let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                    out.push((rel, std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    /// Scans a fixture tree as one repository (with the cross-file join): `(file, line, command)`.
    fn found_in_tree(files: &[(String, String)]) -> BTreeSet<(String, u32, String)> {
        let vocab = vocab::test_vocab();
        let mut all = Facts::default();
        for (rel, text) in files {
            let src = SourceFile::from_bytes(rel.clone(), text.clone().into_bytes());
            let mut facts = Facts::default();
            scan(&src, language(rel).unwrap(), &vocab, &mut facts);
            all.merge(facts);
        }
        let links = std::mem::take(&mut all.code_links);
        all.inventory.command_uses.extend(om::link(&links, &vocab.modules));
        all.inventory
            .command_uses
            .iter()
            .map(|u| (u.location.file.clone(), u.location.line, u.command.clone()))
            .collect()
    }

    #[test]
    fn object_mapper_calls_are_joined_with_models_across_files() {
        let mut total = 0;
        for dir in ["om/python", "om/js", "om/java"] {
            let files = tree(dir);
            let mut want = BTreeSet::new();
            for (rel, text) in &files {
                for (line, cmd) in expected(text) {
                    want.insert((rel.clone(), line, cmd));
                }
            }
            let got = found_in_tree(&files);
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{dir}: missing {missing:?}, unexpected {extra:?}");
            total += want.len();
        }
        assert!(total >= 20, "only {total} expected hits");
    }

    #[test]
    fn client_features_are_found_with_their_lines_and_decoys_are_not() {
        let mut total = 0;
        for (rel, text) in fixtures("features") {
            let mut want = BTreeSet::new();
            for (i, line) in text.lines().enumerate() {
                if let Some((_, names)) = line.split_once("feature: ") {
                    for n in names.split_whitespace() {
                        want.insert((i as u32 + 1, n.to_string()));
                    }
                }
            }
            let (_, facts) = found(&rel, text.into_bytes());
            let got: BTreeSet<(u32, String)> = facts
                .inventory
                .client_features
                .iter()
                .map(|f| (f.location.line, f.feature.as_str().to_string()))
                .collect();
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{rel}: missing {missing:?}, unexpected {extra:?}");
            total += want.len();
        }
        assert!(total >= 25, "only {total} expected features");
    }

    #[test]
    fn object_mapper_decoys_yield_no_command() {
        let files = tree("om/decoys");
        assert!(files.len() >= 7);
        let got = found_in_tree(&files);
        assert!(got.is_empty(), "false positives {got:?}");
    }

    fn fixtures(dir: &str) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/code").join(dir);
        let mut files: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| language(&p.file_name().unwrap().to_string_lossy()).is_some())
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                (format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(&p).unwrap())
            })
            .collect()
    }

    #[test]
    fn every_language_fixture_yields_exactly_its_expected_commands() {
        let mut total = 0;
        for dir in ["js", "python", "go", "java", "csharp", "ruby", "php", "rust", "lua"] {
            let files = fixtures(dir);
            assert!(!files.is_empty(), "no fixtures in {dir}");
            for (rel, text) in files {
                let want = expected(&text);
                let (got, _) = found(&rel, text.into_bytes());
                let missing: Vec<_> = want.difference(&got).collect();
                let extra: Vec<_> = got.difference(&want).collect();
                assert!(missing.is_empty() && extra.is_empty(), "{rel}: missing {missing:?}, unexpected {extra:?}");
                total += want.len();
            }
        }
        assert!(total >= 90, "only {total} expected hits across the fixtures");
    }

    #[test]
    fn decoys_yield_no_command() {
        let files = fixtures("decoys");
        assert!(files.len() >= 8);
        for (rel, text) in files {
            let (got, facts) = found(&rel, text.into_bytes());
            assert!(got.is_empty(), "{rel}: false positives {got:?}");
            assert!(facts.inventory.module_refs.is_empty() && facts.inventory.images.is_empty(), "{rel}");
        }
    }

    #[test]
    fn via_names_the_client_api() {
        let text = "import redis\nr = redis.Redis()\nr.ft('i').search('q')\nr.execute_command('ft.info', 'i')\n";
        let (_, facts) = found("a.py", text.as_bytes().to_vec());
        let vias: Vec<_> =
            facts.inventory.command_uses.iter().map(|u| (u.command.as_str(), u.via.as_deref())).collect();
        assert_eq!(vias, vec![("FT.SEARCH", Some("ft().search")), ("FT.INFO", Some("execute_command(…)"))]);
    }

    #[test]
    fn unresolved_namespace_is_recorded_as_its_family() {
        let text = "import redis\nr = redis.Redis()\ndef make(r):\n    return Index(r.ft('idx'))\n";
        let (got, _) = found("a.py", text.as_bytes().to_vec());
        assert_eq!(got.into_iter().collect::<Vec<_>>(), vec![(4, "FT.*".to_string())]);
    }

    #[test]
    fn module_files_and_images_in_code() {
        let text = r#"
import redis
r = redis.Redis()
r.execute_command("MODULE LOAD /opt/redis-stack/lib/redisearch.so")
r.module_load("/usr/lib/redis/modules/rejson.so")
c = RedisContainer("redis/redis-stack-server:7.2.0-v10")
args = ["--loadmodule", "/opt/redis-stack/lib/redistimeseries.so"]
plain = "redis"
"#;
        let (_, facts) = found("t.py", text.as_bytes().to_vec());
        let refs: Vec<_> =
            facts.inventory.module_refs.iter().map(|m| (m.location.line, m.path.as_str(), m.kind)).collect();
        assert_eq!(
            refs,
            vec![
                (4, "/opt/redis-stack/lib/redisearch.so", crate::inventory::ModuleRefKind::ModuleLoadCommand),
                (5, "/usr/lib/redis/modules/rejson.so", crate::inventory::ModuleRefKind::ModuleLoadCommand),
                (7, "/opt/redis-stack/lib/redistimeseries.so", crate::inventory::ModuleRefKind::LoadmoduleArg),
            ]
        );
        let images: Vec<_> =
            facts.inventory.images.iter().map(|i| (i.location.line, i.name.as_str(), i.tag.as_deref())).collect();
        assert_eq!(images, vec![(6, "redis/redis-stack-server", Some("7.2.0-v10"))]);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const EXTS: &[&str] = &["a.js", "a.py", "a.go", "a.java", "a.cs", "a.rb", "a.php", "a.rs", "a.lua"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes, in any language, with the words that switch on every analysis path:
        /// the scan never panics and every fact it records points inside the file.
        #[test]
        fn scanning_arbitrary_text_never_panics(
            lang in 0..EXTS.len(),
            parts in proptest::collection::vec(prop_oneof![
                Just("redis ".to_string()), Just("FT.SEARCH".to_string()), Just(".ft(".to_string()),
                Just(".json().get(".to_string()), Just("'".to_string()), Just("\"".to_string()),
                Just("`".to_string()), Just("/*".to_string()), Just("r#\"".to_string()), Just("<<<X\n".to_string()),
                Just("call(".to_string()), Just("MODULE LOAD ".to_string()), Just("rejson.so".to_string()),
                Just(" = ".to_string()), Just(")".to_string()), Just("\n".to_string()), "[ -~]{0,12}",
            ], 0..60),
        ) {
            let text = parts.concat();
            let src = SourceFile::from_bytes(EXTS[lang], text.clone().into_bytes());
            let mut facts = Facts::default();
            scan(&src, language(EXTS[lang]).unwrap(), &vocab::test_vocab(), &mut facts);
            for u in &facts.inventory.command_uses {
                prop_assert!(u.location.span.end <= text.len());
            }
        }
    }
}
