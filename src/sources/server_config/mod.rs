//! `redis.conf` / `valkey.conf` / `sentinel.conf`, read as the server reads them: the bytes
//! its loader really sees (`text`), tokenised with the target's own `sdssplitargs` rules, and
//! `include` lines followed in the repository (`include`). Config text embedded in YAML files
//! and command lines goes through the same tokeniser (`embedded`).

pub mod embedded;
mod include;
pub mod text;

use super::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::inventory::{ConfigDirective, ConfigOrigin, ServerConfig, ServerConfigKind};
use crate::knowledge::profile::QuoteTail;
use text::ServerText;

pub struct ServerConfigParser;

/// Directive names common enough in server configs, and rare enough elsewhere, that a
/// `*.conf` holding a few of them at the start of a line is a server config.
const SNIFF_DIRECTIVES: &[&str] = &[
    "port",
    "bind",
    "protected-mode",
    "maxmemory",
    "maxmemory-policy",
    "appendonly",
    "appendfsync",
    "save",
    "requirepass",
    "masterauth",
    "replicaof",
    "slaveof",
    "dbfilename",
    "databases",
    "tcp-backlog",
    "timeout",
    "tcp-keepalive",
    "loglevel",
    "daemonize",
    "supervised",
    "io-threads",
    "cluster-enabled",
    "rename-command",
    "loadmodule",
    "sentinel",
    "lazyfree-lazy-eviction",
    "aclfile",
    "notify-keyspace-events",
    "hz",
];

impl SourceParser for ServerConfigParser {
    fn id(&self) -> &'static str {
        "server-config"
    }

    fn claim(&self, _rel: &str, name: &str) -> Claim {
        let lower = name.to_ascii_lowercase();
        let Some(stem) = lower.strip_suffix(".conf") else { return Claim::No };
        if ["redis", "valkey", "sentinel"].iter().any(|p| stem.starts_with(p)) { Claim::Yes } else { Claim::Sniff }
    }

    fn sniff(&self, src: &SourceFile) -> bool {
        embedded::looks_like_config(src.bytes())
    }

    fn reads_nul_bytes(&self) -> bool {
        true
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        // The server reads whatever bytes the file holds, so a NUL byte in a config is read
        // as it reads it; a file that does not read as config at all is skipped, as any
        // binary file is.
        if binary_not_config(src.bytes()) {
            out.diagnostic(
                crate::findings::Finding::new(
                    crate::scan::codes::BINARY,
                    src.file_location(),
                    "skipped: this looks like a binary file",
                )
                .help("a text file was expected by its name; the file holds NUL bytes and no config lines")
                .severity_hint(crate::findings::Severity::Info),
            );
            return;
        }
        include::parse_with_includes(src, cx, out, &mut Vec::new());
    }
}

pub fn kind_for(file_name: &str, directives: &[ConfigDirective]) -> ServerConfigKind {
    let sentinel_name = file_name.to_ascii_lowercase().contains("sentinel");
    if sentinel_name || directives.iter().any(|d| d.name == "sentinel") {
        ServerConfigKind::Sentinel
    } else {
        ServerConfigKind::Server
    }
}

/// NUL bytes near the start (as git and ripgrep tell binary files) and no config lines.
pub fn binary_not_config(bytes: &[u8]) -> bool {
    crate::sources::file::looks_binary(bytes) && !embedded::looks_like_config(bytes)
}

/// Tokenises a whole config file as the target reads it, without following its includes
/// (they are listed, unresolved). Never fails: lines the server would reject are recorded in
/// `syntax_errors` with the server's own message.
pub fn parse_file(src: &SourceFile, tail: QuoteTail) -> ServerConfig {
    let text = ServerText::from_file(src.bytes());
    let file_name = src.rel.rsplit('/').next().unwrap_or(&src.rel);
    let mut cfg = from_text(src, &text, tail, ConfigOrigin::File);
    cfg.kind = kind_for(file_name, &cfg.directives);
    cfg
}

/// `parse_file` with the tokeniser of the servers before Valkey 9 (text after a closing
/// quote refused), for callers without a target.
pub fn parse_config(src: &SourceFile) -> ServerConfig {
    parse_file(src, QuoteTail::Refused)
}

/// A config whose text is `text`, located in `src`.
pub fn from_text(src: &SourceFile, text: &ServerText, tail: QuoteTail, origin: ConfigOrigin) -> ServerConfig {
    let t = text::tokenise(text, src, tail);
    ServerConfig {
        file: src.rel.clone(),
        kind: kind_for("", &t.directives),
        origin,
        directives: t.directives,
        syntax_errors: t.syntax_errors,
        includes: Vec::new(),
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let strip = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !strip(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !strip(b)).map_or(start, |p| p + 1);
    &line[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::profile::cparse::split_args;

    fn args(line: &str, tail: QuoteTail) -> Option<Vec<String>> {
        split_args(line.as_bytes(), tail)
            .ok()
            .map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn splits_like_sdssplitargs() {
        let old = QuoteTail::Refused;
        assert_eq!(args("save 900 1", old).unwrap(), ["save", "900", "1"]);
        assert_eq!(args(r#"requirepass "a b\x41\n""#, old).unwrap(), ["requirepass", "a bA\n"]);
        assert_eq!(args(r"rename-command 'CON\'FIG' ''", old).unwrap(), ["rename-command", "CON'FIG", ""]);
        assert_eq!(args(r#"foo"bar baz""#, old).unwrap(), [r"foobar baz"]);
        assert_eq!(args(r#"save """#, old).unwrap(), ["save", ""]);
        assert!(args(r#"requirepass "abc"#, old).is_none());
        assert!(args(r#"requirepass "abc"def"#, old).is_none());
        assert!(args("requirepass 'abc", old).is_none());
        // Valkey 9 joins text after a closing quote to the argument, as a shell does.
        assert_eq!(args(r#"requirepass "abc"def"#, QuoteTail::Joined).unwrap(), ["requirepass", "abcdef"]);
        // An inline comment is not a comment to the server: it becomes arguments.
        assert_eq!(args("port 6379 # default", old).unwrap(), ["port", "6379", "#", "default"]);
    }

    #[test]
    fn records_lines_spans_and_errors() {
        let src = SourceFile::from_bytes("redis.conf", b"# c\n\n  PORT 6379\r\nbind \"127.0.0.1\n".to_vec());
        let cfg = parse_config(&src);
        assert_eq!(cfg.directives.len(), 1);
        let d = &cfg.directives[0];
        assert_eq!((d.name.as_str(), d.line, d.text.as_str()), ("port", 3, "PORT 6379"));
        let loc = d.args[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.column, loc.end_column), (3, 8, 12));
        assert_eq!(cfg.syntax_errors.len(), 1);
        assert_eq!(cfg.syntax_errors[0].line, 4);
    }

    #[test]
    fn the_target_tokeniser_decides_what_a_quote_tail_is() {
        let src = SourceFile::from_bytes("valkey.conf", b"requirepass \"tab\"separated\n".to_vec());
        let joined = parse_file(&src, QuoteTail::Joined);
        assert_eq!(joined.directives[0].args[0].value, "tabseparated");
        let loc = joined.directives[0].args[0].location.as_ref().unwrap();
        assert_eq!((loc.column, loc.end_column), (13, 27));
        let refused = parse_file(&src, QuoteTail::Refused);
        assert!(refused.directives.is_empty());
        assert_eq!(refused.syntax_errors.len(), 1);
    }

    #[test]
    fn a_nul_byte_joins_two_lines_as_the_server_reads_them() {
        let src = SourceFile::from_bytes("redis.conf", b"port 0\nhz 1\0junk\nmaxmemory 1mb\nappendonly no\n".to_vec());
        let cfg = parse_config(&src);
        let names: Vec<_> = cfg.directives.iter().map(|d| (d.name.as_str(), d.line, d.text.as_str())).collect();
        assert_eq!(names, [("port", 1, "port 0"), ("hz", 2, "hz 1maxmemory 1mb"), ("appendonly", 4, "appendonly no")]);
        // The argument that was written on line 3 is located there.
        let joined = &cfg.directives[1].args[0];
        assert_eq!((joined.value.as_str(), joined.location.as_ref().unwrap().end_line), ("1maxmemory", 3));
    }
}
