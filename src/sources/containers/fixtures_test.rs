//! The container fixtures under `testdata/containers/`, read through the real parsers with
//! the file system (so `.env` files beside compose files are found).

use crate::inventory::{ImageOrigin, ModuleRefKind};
use crate::scan::ScannedFile;
use crate::sources::{Facts, ParseContext, SourceParser};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/containers")
}

fn parse(rel: &str) -> Facts {
    let root = root();
    let abs = root.join(rel);
    let cx = ParseContext {
        root: root.clone(),
        max_file_size: 1 << 20,
        knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(),
        quote_tail: crate::knowledge::profile::QuoteTail::Joined,
    };
    let file = ScannedFile { rel: rel.to_string(), abs: abs.clone(), size: 0 };
    let mut out = Facts::default();
    let src = cx.load(&file, &mut out).expect("fixture loads");
    let name = rel.rsplit('/').next().unwrap();
    let parser: &dyn SourceParser =
        if super::dockerfile::is_dockerfile(name) { &super::DockerfileParser } else { &super::ContainerYamlParser };
    parser.parse(&src, &cx, &mut out);
    out
}

fn images(f: &Facts) -> Vec<(u32, String, Option<String>, Option<String>)> {
    f.inventory.images.iter().map(|i| (i.location.line, i.name.clone(), i.tag.clone(), i.unresolved.clone())).collect()
}

fn img(line: u32, name: &str, tag: Option<&str>) -> (u32, String, Option<String>, Option<String>) {
    (line, name.to_string(), tag.map(str::to_string), None)
}

fn cpus(f: &Facts) -> Vec<(u32, String, f64)> {
    let mut v: Vec<_> =
        f.inventory.hosts.iter().map(|h| (h.location.line, h.subject.clone(), h.cores.unwrap())).collect();
    v.sort_by_key(|a| a.0);
    v
}

fn modules(f: &Facts) -> Vec<(u32, String, ModuleRefKind)> {
    f.inventory.module_refs.iter().map(|m| (m.location.line, m.path.clone(), m.kind)).collect()
}

#[test]
fn compose_services_tags_variables_and_limits() {
    let f = parse("compose/docker-compose.yml");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let mut unset = img(26, "redis", None);
    unset.3 = Some("${NOT_SET_ANYWHERE}".into());
    assert_eq!(
        images(&f),
        vec![
            img(10, "redis", Some("7.4-alpine")),
            img(14, "redis", Some("7")),
            img(16, "redis/redis-stack-server", Some("7.2.0-v10")),
            img(19, "redis", None),
            img(21, "redis", Some("6.2")),
            img(23, "bitnami/redis", Some("7.2.4-debian-12-r9")),
            unset,
            img(28, "valkey/valkey", Some("latest")),
            img(30, "nginx", Some("1.27")),
            img(33, "redislabs/rejson", Some("2.6.6")),
        ]
    );
    assert!(f.inventory.images[3].digest.as_deref().is_some_and(|d| d.starts_with("sha256:4f9e")));
    assert!(f.inventory.images.iter().all(|i| i.origin == ImageOrigin::Compose));
    assert_eq!(f.inventory.images[0].subject.as_deref(), Some("compose service cache"));
    assert_eq!(
        cpus(&f),
        vec![
            (6, "compose service sessions".into(), 1.5),
            (11, "compose service cache".into(), 0.5),
            (24, "compose service from-env-file".into(), 4.0),
        ]
    );
    assert_eq!(
        modules(&f),
        vec![
            (17, "/opt/extra/custom.so".into(), ModuleRefKind::LoadmoduleArg),
            (34, "/usr/lib/redis/modules/rejson.so".into(), ModuleRefKind::LoadmoduleArg),
        ]
    );
}

#[test]
fn broken_yaml_is_a_located_diagnostic() {
    let f = parse("compose/broken.yml");
    assert_eq!(f.diagnostics.len(), 1);
    let d = &f.diagnostics[0];
    assert_eq!(d.code, "SCAN004");
    assert!(d.message.starts_with("invalid YAML"), "{}", d.message);
    assert!(d.location.line >= 4, "{:?}", d.location);
}

#[test]
fn kubernetes_workloads_crds_and_configmaps() {
    let f = parse("kubernetes/redis.yaml");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(
        images(&f),
        vec![
            img(11, "busybox", Some("1.36")),
            img(14, "redis", Some("7.2.5")),
            img(20, "oliver006/redis_exporter", Some("v1.62.0")),
            img(35, "redis", Some("7-alpine")),
            img(53, "quay.io/opstree/redis", Some("v7.0.12")),
            img(68, "valkey/valkey", Some("8.1")),
        ]
    );
    let subjects: Vec<_> = f.inventory.images.iter().map(|i| i.subject.clone().unwrap()).collect();
    assert_eq!(subjects[1], "StatefulSet/redis container redis");
    assert_eq!(subjects[4], "RedisCluster/rc kubernetesConfig");
    assert_eq!(subjects[5], "Pod/debug container shell");
    assert_eq!(
        cpus(&f),
        vec![
            (18, "StatefulSet/redis container redis".into(), 0.5),
            (56, "RedisCluster/rc kubernetesConfig".into(), 2.0),
            (72, "Pod/debug container shell".into(), 0.25),
        ]
    );
    assert_eq!(
        modules(&f),
        vec![
            (15, "/modules/redisbloom.so".into(), ModuleRefKind::LoadmoduleArg),
            (45, "/opt/redis-stack/lib/redisearch.so".into(), ModuleRefKind::LoadmoduleArg),
        ]
    );
}

#[test]
fn helm_values_bitnami_layout() {
    let f = parse("helm/values.yaml");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(
        images(&f),
        vec![
            img(6, "bitnami/redis", Some("7.2.4-debian-12-r9")),
            img(28, "bitnami/redis-sentinel", Some("7.2.4-debian-12-r7")),
            img(32, "bitnami/redis-exporter", Some("1.58.0")),
        ]
    );
    assert_eq!(f.inventory.images[0].image, "docker.io/bitnami/redis");
    assert_eq!(cpus(&f), vec![(12, "values master".into(), 0.75), (20, "values replica".into(), 1.0)]);
    assert_eq!(
        modules(&f),
        vec![
            (15, "/opt/bitnami/redis/modules/redistimeseries.so".into(), ModuleRefKind::LoadmoduleArg),
            (23, "/opt/bitnami/redis/modules/rejson.so".into(), ModuleRefKind::LoadmoduleArg),
        ]
    );
}

#[test]
fn helm_values_global_registry_and_missing_tag() {
    let f = parse("helm/values-prod.yaml");
    let got: Vec<_> =
        f.inventory.images.iter().map(|i| (i.image.clone(), i.tag.clone(), i.unresolved.clone())).collect();
    assert_eq!(
        got,
        vec![
            ("registry.example.com/redis/redis-stack-server".into(), None, Some("the chart's appVersion".into())),
            ("registry.example.com/valkey/valkey".into(), Some("8.0".into()), None),
        ]
    );
}

#[test]
fn ci_service_containers() {
    let f = parse("ci/.github/workflows/test.yml");
    let mut matrix = img(21, "redis", None);
    matrix.3 = Some("${{ matrix.redis }}".into());
    assert_eq!(images(&f), vec![img(6, "node", Some("20")), img(9, "redis/redis-stack", Some("latest")), matrix]);
    assert!(f.inventory.images.iter().all(|i| i.origin == ImageOrigin::Ci));
    let f = parse("ci/.gitlab-ci.yml");
    assert_eq!(
        images(&f),
        vec![
            img(1, "ruby", Some("3.3")),
            img(3, "redis", Some("7.2")),
            img(4, "valkey/valkey", Some("8.1-alpine")),
            img(7, "redis", Some("6-alpine")),
        ]
    );
}

#[test]
fn dockerfile_stages_args_and_copy_from() {
    let f = parse("dockerfile/Dockerfile");
    let mut unset = img(15, "redis", None);
    unset.3 = Some("${BASE_VARIANT}".into());
    assert_eq!(
        images(&f),
        vec![
            img(4, "golang", Some("1.22")),
            img(7, "redis", Some("7.4-alpine")),
            img(9, "redis/redis-stack-server", Some("7.2.0-v10")),
            unset,
        ]
    );
    let subjects: Vec<_> = f.inventory.images.iter().map(|i| i.subject.clone().unwrap()).collect();
    assert_eq!(subjects, vec!["stage build", "stage runtime", "COPY --from", "stage 3"]);
    assert_eq!(
        modules(&f),
        vec![
            (9, "/opt/redis-stack/lib/redisearch.so".into(), ModuleRefKind::Mention),
            (13, "/usr/lib/redis/modules/redisearch.so".into(), ModuleRefKind::LoadmoduleArg),
        ]
    );
    let f = parse("dockerfile/valkey.Dockerfile");
    assert_eq!(images(&f), vec![img(1, "valkey/valkey", Some("9.1.2-alpine"))]);
}

mod fuzz {
    use crate::sources::{Facts, ParseContext, SourceFile, SourceParser};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Arbitrary compose-, Kubernetes- and Dockerfile-shaped text: never a panic, and a
        /// YAML error is a diagnostic.
        #[test]
        fn container_parsers_never_panic(
            which in 0..3usize,
            parts in proptest::collection::vec(prop_oneof![
                Just("services:\n".to_string()), Just("  cache:\n    image: ".to_string()), Just("redis:${T:-7}".to_string()),
                Just("apiVersion: v1\nkind: Pod\n".to_string()), Just("containers:\n- image: ".to_string()),
                Just("  resources: {limits: {cpu: ".to_string()), Just("500m}}\n".to_string()), Just("<<: *a\n".to_string()),
                Just("&a ".to_string()), Just("FROM ".to_string()), Just("ARG X=".to_string()), Just(" AS s\n".to_string()),
                Just("COPY --from=".to_string()), Just("\\\n".to_string()), Just("<<EOF\n".to_string()),
                Just("--loadmodule /x.so".to_string()), Just("|\n  loadmodule a.so\n".to_string()), "[ -~\n]{0,16}",
            ], 0..40),
        ) {
            let text = parts.concat();
            let name = ["docker-compose.yml", "k8s.yaml", "Dockerfile"][which];
            let src = SourceFile::from_bytes(name, text.into_bytes());
            let cx = ParseContext { root: std::env::temp_dir(), max_file_size: 1 << 20, knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(), quote_tail: crate::knowledge::profile::QuoteTail::Joined };
            let mut out = Facts::default();
            if which == 2 {
                crate::sources::containers::DockerfileParser.parse(&src, &cx, &mut out);
            } else {
                crate::sources::containers::ContainerYamlParser.parse(&src, &cx, &mut out);
            }
            prop_assert!(out.diagnostics.iter().all(|d| d.code == "SCAN004"));
        }
    }
}

#[test]
fn empty_and_non_utf8_files() {
    use crate::sources::{ParseContext, SourceFile};
    let cx = ParseContext {
        root: std::env::temp_dir(),
        max_file_size: 1 << 20,
        knowledge: crate::knowledge::Knowledge::shared_embedded().unwrap(),
        quote_tail: crate::knowledge::profile::QuoteTail::Joined,
    };
    for (name, bytes, diagnostics) in [
        ("docker-compose.yml", &b""[..], 0),
        ("Dockerfile", &b""[..], 0),
        ("values.yaml", &b"# only a comment\n"[..], 0),
        ("docker-compose.yml", &b"services:\n  a:\n    image: redis:\xff\n"[..], 1),
        ("Dockerfile", &b"FROM\n"[..], 1),
    ] {
        let src = SourceFile::from_bytes(name, bytes.to_vec());
        let mut out = Facts::default();
        let parser: &dyn SourceParser =
            if name == "Dockerfile" { &super::DockerfileParser } else { &super::ContainerYamlParser };
        parser.parse(&src, &cx, &mut out);
        assert!(out.inventory.images.is_empty(), "{name}");
        assert_eq!(out.diagnostics.len(), diagnostics, "{name}: {:?}", out.diagnostics);
    }
}
