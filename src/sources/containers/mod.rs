//! Container definitions: compose files, Kubernetes manifests, Helm values, Dockerfiles and
//! CI service containers — the images they run, the CPU limits they set, and the module
//! files they load.

mod compose;
mod configs;
mod dockerfile;
#[cfg(test)]
mod fixtures_test;
mod kube;
pub mod reference;
mod walk;
pub mod yaml;

pub use dockerfile::DockerfileParser;

use super::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::findings::Finding;
use crate::inventory::{ContainerImage, HostFact, HostSource, ImageOrigin, ModuleRef, ModuleRefKind};
use crate::knowledge::images::ImageCatalog;
use crate::knowledge::modules::ModuleCatalog;
use crate::location::Location;
use crate::scan::codes;
use std::collections::HashMap;
use std::sync::Arc;

/// The YAML files that describe containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Compose,
    Kubernetes,
    HelmValues,
    GithubActions,
    GitlabCi,
}

fn flavour_by_name(rel_path: &str, file_name: &str) -> Option<Flavour> {
    let lower = file_name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if !yaml {
        return None;
    }
    let stem = lower.trim_end_matches(".yaml").trim_end_matches(".yml");
    if stem == "docker-compose"
        || stem.starts_with("docker-compose.")
        || stem.starts_with("docker-compose-")
        || stem == "compose"
        || stem.starts_with("compose.")
        || stem.starts_with("compose-")
    {
        return Some(Flavour::Compose);
    }
    if stem == ".gitlab-ci" || stem.starts_with(".gitlab-ci.") {
        return Some(Flavour::GitlabCi);
    }
    if rel_path.starts_with(".github/workflows/") || rel_path.contains("/.github/workflows/") {
        return Some(Flavour::GithubActions);
    }
    if stem == "values" || stem.starts_with("values.") || stem.starts_with("values-") {
        return Some(Flavour::HelmValues);
    }
    None
}

/// A Helm chart's `templates/` hold Go templates, not YAML: never parse them as YAML.
fn is_helm_template(rel_path: &str) -> bool {
    rel_path.starts_with("templates/") || rel_path.contains("/templates/")
}

pub struct ContainerYamlParser;

impl SourceParser for ContainerYamlParser {
    fn id(&self) -> &'static str {
        "container-yaml"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if flavour_by_name(rel_path, file_name).is_some() {
            return Claim::Yes;
        }
        let lower = file_name.to_ascii_lowercase();
        if (lower.ends_with(".yaml") || lower.ends_with(".yml")) && !is_helm_template(rel_path) {
            Claim::Sniff
        } else {
            Claim::No
        }
    }

    /// Other YAML files: Kubernetes manifests (`apiVersion` and `kind`) or compose files under
    /// another name (a top-level `services:`), and only when they name an image.
    fn sniff(&self, src: &SourceFile) -> bool {
        sniff_flavour(src.bytes()).is_some()
    }

    fn parse(&self, src: &SourceFile, pcx: &ParseContext, out: &mut Facts) {
        let name = src.rel.rsplit('/').next().unwrap_or(&src.rel);
        let Some(flavour) = flavour_by_name(&src.rel, name).or_else(|| sniff_flavour(src.bytes())) else {
            return;
        };
        let Some(text) = src.text_or_report(out) else {
            return;
        };
        let (docs, error) = yaml::parse(text);
        if let Some(e) = error {
            let at = byte_offset(src, e.line, e.col);
            out.diagnostic(
                Finding::new(codes::UNPARSABLE, src.location(at..at), format!("invalid YAML: {}", e.message))
                    .help("fix the YAML; images and limits after this point were not read"),
            );
        }
        let Some(mut cx) = Ctx::new(src, pcx, out) else {
            return;
        };
        match flavour {
            Flavour::Compose => {
                cx.vars = compose::dotenv(src, pcx, out);
                docs.iter().for_each(|d| compose::read(&cx, d, out));
            }
            Flavour::Kubernetes => docs.iter().for_each(|d| kube::read(&cx, d, out)),
            Flavour::HelmValues => docs.iter().for_each(|d| walk::helm_values(&cx, d, out)),
            Flavour::GithubActions | Flavour::GitlabCi => docs.iter().for_each(|d| walk::ci(&cx, d, out)),
        }
    }
}

/// What a YAML file under an unremarkable name is, from its content.
fn sniff_flavour(bytes: &[u8]) -> Option<Flavour> {
    memchr::memmem::find(bytes, b"image")?;
    let at_line_start = |needle: &[u8]| {
        bytes.starts_with(needle) || memchr::memmem::find_iter(bytes, needle).any(|i| i > 0 && bytes[i - 1] == b'\n')
    };
    if at_line_start(b"apiVersion:") && at_line_start(b"kind:") {
        return Some(Flavour::Kubernetes);
    }
    if at_line_start(b"services:") {
        return Some(Flavour::Compose);
    }
    None
}

/// Byte offset of a 1-based line and character column.
pub(crate) fn byte_offset(src: &SourceFile, line: u32, col: u32) -> usize {
    let bytes = src.bytes();
    let start = src.line_index().line_start(line.max(1));
    let text = std::str::from_utf8(&bytes[start..]).unwrap_or("");
    start + text.char_indices().nth(col.saturating_sub(1) as usize).map_or(text.len().min(col as usize), |(i, _)| i)
}

/// What every container reader needs: the file, the knowledge, and variable values.
pub(crate) struct Ctx<'a> {
    pub src: &'a SourceFile,
    pub images: Arc<ImageCatalog>,
    pub modules: Arc<ModuleCatalog>,
    /// Values for `${VAR}` (compose reads them from `.env`).
    pub vars: HashMap<String, String>,
    /// The target server's tokeniser rule, for config text found in these files.
    pub quote_tail: crate::knowledge::profile::QuoteTail,
}

impl<'a> Ctx<'a> {
    pub fn new(src: &'a SourceFile, pcx: &ParseContext, out: &mut Facts) -> Option<Self> {
        match (pcx.knowledge.view::<ImageCatalog>(), pcx.knowledge.view::<ModuleCatalog>()) {
            (Ok(images), Ok(modules)) => {
                Some(Ctx { src, images, modules, vars: HashMap::new(), quote_tail: pcx.quote_tail })
            }
            (Err(e), _) | (_, Err(e)) => {
                out.diagnostic(
                    Finding::new(codes::UNPARSABLE, src.file_location(), format!("not read: {}", e.message))
                        .help("a data file is broken (a --rules-dir overlay, or a bug to report)"),
                );
                None
            }
        }
    }

    /// The location of a YAML node: from its first character to the end of its value on
    /// that line.
    pub fn node_location(&self, node: &yaml::Node) -> Location {
        let start = byte_offset(self.src, node.line, node.col);
        let line_end = self.src.line_index().line_range(self.src.bytes(), node.line).map_or(start, |r| r.end);
        let len = node.as_str().map_or(0, |s| s.len() + 2);
        self.src.location(start..(start + len).min(line_end).max(start))
    }

    /// Location of the `n`-th line of a block scalar's content (`|` or `>`), or the node itself.
    pub fn content_line_location(&self, node: &yaml::Node, n: usize) -> Location {
        if node.is_block_scalar() {
            // The parser marks a block scalar either at its indicator (`key: |`) or at its first
            // content line; tell which from the text.
            let bytes = self.src.bytes();
            let first = self.src.line_index().line_range(bytes, node.line).map_or(&b""[..], |r| &bytes[r]);
            let indicator = matches!(first.trim_ascii_end().last(), Some(b'|' | b'>' | b'-' | b'+'))
                && first.iter().any(|b| *b == b'|' || *b == b'>');
            self.src.line_location(node.line + u32::from(indicator) + n as u32)
        } else {
            self.node_location(node)
        }
    }

    /// Records an image reference written as `text`; variables are resolved from `vars` and
    /// what stays unresolved is noted. Returns the normalised name of a known server image.
    pub fn image(
        &self,
        text: &str,
        location: Location,
        origin: ImageOrigin,
        subject: Option<String>,
        out: &mut Facts,
    ) -> Option<String> {
        let (resolved, unresolved) = interpolate(text.trim(), &self.vars);
        let (fact, known) = image_fact(&self.images, &resolved, unresolved, location, origin, subject);
        out.inventory.images.push(fact);
        known
    }

    /// Module files named in a command line, an argument list or an embedded config text.
    pub fn module_refs(&self, node: &yaml::Node, out: &mut Facts) {
        match &node.value {
            yaml::Value::Scalar(text, _) => {
                for (n, line) in text.lines().enumerate() {
                    let words: Vec<&str> = split_words(line).collect();
                    self.module_words(&words, |_| self.content_line_location(node, n), out);
                }
            }
            yaml::Value::Seq(items) => {
                let words: Vec<&str> = items.iter().filter_map(|i| i.as_str()).flat_map(split_words).collect();
                let mut located: Vec<Location> = Vec::new();
                for item in items {
                    if let Some(s) = item.as_str() {
                        located.extend(split_words(s).map(|_| self.node_location(item)));
                    }
                }
                self.module_words(&words, |i| located[i].clone(), out);
            }
            yaml::Value::Map(_) => {}
        }
    }

    pub fn module_words(&self, words: &[&str], location: impl Fn(usize) -> Location, out: &mut Facts) {
        for (i, word) in words.iter().enumerate() {
            let after_flag =
                i > 0 && matches!(words[i - 1].to_ascii_lowercase().as_str(), "--loadmodule" | "loadmodule");
            let (word, inline) = match word.split_once('=') {
                Some((flag, path)) if flag.eq_ignore_ascii_case("--loadmodule") => (path, true),
                _ => (*word, false),
            };
            let known = self.modules.module_for_so(word).is_some_and(|m| !m.valkey);
            if after_flag || inline || known {
                let kind = if after_flag || inline { ModuleRefKind::LoadmoduleArg } else { ModuleRefKind::Mention };
                out.inventory.module_refs.push(ModuleRef { path: word.to_string(), kind, location: location(i) });
            }
        }
    }

    /// A CPU limit for a server container, as a host fact for the io-threads rule.
    pub fn cpu_limit(&self, node: &yaml::Node, subject: &str, out: &mut Facts) {
        let Some(text) = node.text() else {
            return;
        };
        match cpu_cores(text) {
            Some(cores) => out.inventory.hosts.push(HostFact {
                source: HostSource::ContainerLimit,
                subject: subject.to_string(),
                cores: Some(cores),
                location: self.node_location(node),
            }),
            None => out.diagnostic(
                Finding::new(
                    codes::UNPARSABLE,
                    self.node_location(node),
                    format!("CPU limit '{text}' is not a number of cores"),
                )
                .help("write cores as a number (`2`, `0.5`) or Kubernetes millicores (`500m`)"),
            ),
        }
    }
}

pub(crate) fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '\'' || c == '[' || c == ']')
        .filter(|w| !w.is_empty())
}

/// Builds the fact for an image reference after variable substitution; the second value is
/// the normalised name when the catalog knows the image.
pub(crate) fn image_fact(
    catalog: &ImageCatalog,
    resolved: &str,
    unresolved: Option<String>,
    location: Location,
    origin: ImageOrigin,
    subject: Option<String>,
) -> (ContainerImage, Option<String>) {
    // With a variable left in, read what is around it: `redis:${TAG}` is still redis.
    let candidate = if unresolved.is_some() {
        resolved.trim_end_matches([':', '@', '-', '.']).trim_start_matches('/')
    } else {
        resolved
    };
    match reference::parse(candidate) {
        Some(r) => {
            let name = catalog.normalise(r.repository);
            let known = catalog.classify(&name).is_some().then(|| name.clone());
            let fact = ContainerImage {
                image: r.repository.to_string(),
                tag: r.tag.filter(|_| unresolved.is_none() || !resolved.ends_with(':')).map(str::to_string),
                digest: r.digest.map(str::to_string),
                name,
                origin,
                subject,
                unresolved,
                location,
            };
            (fact, known)
        }
        None => {
            let fact = ContainerImage {
                image: resolved.to_string(),
                tag: None,
                digest: None,
                name: String::new(),
                origin,
                subject,
                unresolved: unresolved.or_else(|| Some(resolved.to_string())),
                location,
            };
            (fact, None)
        }
    }
}

/// Compose-style interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
/// `${VAR:+alt}`, `$VAR`, `$$`. Variables without a value are dropped from the text and
/// returned (as written) so the caller can say the reference is incomplete.
pub(crate) fn interpolate(text: &str, vars: &HashMap<String, String>) -> (String, Option<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        // A CI expression (`${{ matrix.redis }}`): nothing here can resolve it.
        if let Some(body) = after.strip_prefix("{{") {
            let end = body.find("}}").map_or(body.len(), |e| e + 2);
            missing.push(format!("${{{{{}", &body[..end]));
            rest = &body[end..];
            continue;
        }
        if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let expr = &body[..end];
            rest = &body[end + 1..];
            let name_len = expr.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            let (name, op) = expr.split_at(name_len);
            let value = vars.get(name).filter(|v| !v.is_empty());
            let set = vars.contains_key(name);
            let text = if let Some(d) = op.strip_prefix(":-") {
                value.cloned().unwrap_or_else(|| d.to_string())
            } else if let Some(d) = op.strip_prefix('-') {
                if set { vars[name].clone() } else { d.to_string() }
            } else if let Some(alt) = op.strip_prefix(":+") {
                if value.is_some() { alt.to_string() } else { String::new() }
            } else {
                match value {
                    Some(v) => v.clone(),
                    None => {
                        missing.push(format!("${{{expr}}}"));
                        String::new()
                    }
                }
            };
            out.push_str(&text);
            continue;
        }
        let name_len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        if name_len == 0 {
            out.push('$');
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => missing.push(format!("${name}")),
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    (out, (!missing.is_empty()).then(|| missing.join(" ")))
}

/// Cores from a CPU quantity: `2`, `1.5`, `"0.50"`, `500m`.
pub(crate) fn cpu_cores(text: &str) -> Option<f64> {
    let t = text.trim().trim_matches(['"', '\'']);
    let cores = match t.strip_suffix('m') {
        Some(milli) => milli.parse::<f64>().ok()? / 1000.0,
        None => t.parse::<f64>().ok()?,
    };
    (cores.is_finite() && cores > 0.0).then_some(cores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_follows_compose() {
        let vars: HashMap<String, String> =
            [("TAG".to_string(), "7.2".to_string()), ("EMPTY".to_string(), String::new())].into_iter().collect();
        assert_eq!(interpolate("redis:${TAG}", &vars), ("redis:7.2".into(), None));
        assert_eq!(interpolate("redis:$TAG-alpine", &vars), ("redis:7.2-alpine".into(), None));
        assert_eq!(interpolate("redis:${NOPE:-7.4}", &vars), ("redis:7.4".into(), None));
        assert_eq!(interpolate("redis:${EMPTY:-7.4}", &vars), ("redis:7.4".into(), None));
        assert_eq!(interpolate("redis:${EMPTY-7.4}", &vars), ("redis:".into(), None));
        assert_eq!(interpolate("redis:${NOPE}", &vars), ("redis:".into(), Some("${NOPE}".into())));
        assert_eq!(interpolate("a$$b", &vars), ("a$b".into(), None));
        assert_eq!(
            interpolate("redis:${{ matrix.redis-version }}", &vars),
            ("redis:".into(), Some("${{ matrix.redis-version }}".into()))
        );
    }

    #[test]
    fn cpu_quantities() {
        assert_eq!(cpu_cores("500m"), Some(0.5));
        assert_eq!(cpu_cores("2"), Some(2.0));
        assert_eq!(cpu_cores("'0.50'"), Some(0.5));
        assert_eq!(cpu_cores("0"), None);
        assert_eq!(cpu_cores("lots"), None);
    }

    #[test]
    fn claims_by_name_and_sniffs_the_rest() {
        let p = ContainerYamlParser;
        assert_eq!(p.claim("docker-compose.yml", "docker-compose.yml"), Claim::Yes);
        assert_eq!(p.claim("deploy/compose.prod.yaml", "compose.prod.yaml"), Claim::Yes);
        assert_eq!(p.claim("charts/redis/values.yaml", "values.yaml"), Claim::Yes);
        assert_eq!(p.claim(".github/workflows/ci.yml", "ci.yml"), Claim::Yes);
        assert_eq!(p.claim(".gitlab-ci.yml", ".gitlab-ci.yml"), Claim::Yes);
        assert_eq!(p.claim("k8s/redis.yaml", "redis.yaml"), Claim::Sniff);
        assert_eq!(p.claim("charts/redis/templates/sts.yaml", "sts.yaml"), Claim::No);
        assert_eq!(p.claim("README.md", "README.md"), Claim::No);
        assert_eq!(
            sniff_flavour(b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: redis\n"),
            Some(Flavour::Kubernetes)
        );
        assert_eq!(sniff_flavour(b"openapi: 3.0.0\ninfo:\n  title: x\n"), None);
        assert_eq!(sniff_flavour(b"services:\n  cache:\n    image: redis\n"), Some(Flavour::Compose));
    }
}
