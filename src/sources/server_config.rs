//! `redis.conf` / `valkey.conf` / `sentinel.conf`, tokenised with the server's own rules
//! (`loadServerConfigFromString` + `sdssplitargs`), so that what we call a directive is what
//! the server sees.

use super::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::inventory::{ConfigArg, ConfigDirective, ConfigSyntaxError, ServerConfig, ServerConfigKind};
use std::ops::Range;

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
        let mut hits = 0;
        for line in src.bytes().split(|&b| b == b'\n').take(400) {
            let line = trim(line);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            // nginx, Apache and friends use braces and semicolons; a server config never does
            // at the end of a directive line.
            if line.ends_with(b"{") || line.ends_with(b";") || line.starts_with(b"<") {
                return false;
            }
            let word = line.split(|b| b.is_ascii_whitespace()).next().unwrap_or_default();
            if SNIFF_DIRECTIVES.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(word)) {
                hits += 1;
            }
        }
        hits >= 2
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        out.inventory.server_configs.push(parse_config(src));
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

/// Tokenises a whole config file. Never fails: lines the server would reject are recorded
/// in `syntax_errors` with the server's own message.
pub fn parse_config(src: &SourceFile) -> ServerConfig {
    let bytes = src.bytes();
    // The server reads the file as a C string: a NUL byte ends it.
    let end = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    let mut directives = Vec::new();
    let mut syntax_errors = Vec::new();
    let mut offset = 0;
    for (i, raw) in bytes[..end].split(|&b| b == b'\n').enumerate() {
        let line_no = i as u32 + 1;
        let line_start = offset;
        offset += raw.len() + 1;
        let (trim_start, trimmed) = trim_with_offset(raw);
        if trimmed.is_empty() || trimmed[0] == b'#' {
            continue;
        }
        let base = line_start + trim_start;
        let text = String::from_utf8_lossy(trimmed).into_owned();
        match split_args(trimmed) {
            Ok(tokens) if tokens.is_empty() => {}
            Ok(tokens) => {
                let mut args = tokens.into_iter().map(|(value, span)| ConfigArg {
                    value: String::from_utf8_lossy(&value).into_owned(),
                    location: Some(src.location(span.start + base..span.end + base)),
                });
                let name_arg = args.next().expect("non-empty");
                directives.push(ConfigDirective {
                    name: name_arg.value.to_ascii_lowercase(),
                    name_location: name_arg.location,
                    args: args.collect(),
                    line: line_no,
                    text,
                    location: Some(src.location(base..base + trimmed.len())),
                });
            }
            Err(UnbalancedQuotes) => syntax_errors.push(ConfigSyntaxError {
                line: line_no,
                text,
                message: "Unbalanced quotes in configuration line".into(),
                location: Some(src.location(base..base + trimmed.len())),
            }),
        }
    }
    let file_name = src.rel.rsplit('/').next().unwrap_or(&src.rel);
    ServerConfig { file: src.rel.clone(), kind: kind_for(file_name, &directives), directives, syntax_errors }
}

fn is_c_space(b: u8) -> bool {
    // C's isspace(): space, \t, \n, \v, \f, \r.
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim(line: &[u8]) -> &[u8] {
    trim_with_offset(line).1
}

/// `sdstrim(line, " \t\r\n")`: strips only those four characters, from both ends.
fn trim_with_offset(line: &[u8]) -> (usize, &[u8]) {
    let strip = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !strip(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !strip(b)).map_or(start, |p| p + 1);
    (start, &line[start..end])
}

/// One argument: its unescaped bytes and where it was written in the line.
pub type Token = (Vec<u8>, Range<usize>);

/// What `sdssplitargs` rejects: an unterminated quote, or a closing quote followed by
/// something other than a space. The server reports both as unbalanced quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbalancedQuotes;

/// `sdssplitargs`: each argument's unescaped bytes and its byte range in `line`.
pub fn split_args(line: &[u8]) -> Result<Vec<Token>, UnbalancedQuotes> {
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut tokens = Vec::new();
    let mut p = 0;
    loop {
        while p < line.len() && at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Ok(tokens);
        }
        let start = p;
        let mut current = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' && at(p + 2).is_ascii_hexdigit() && at(p + 3).is_ascii_hexdigit() {
                    let hex = std::str::from_utf8(&line[p + 2..p + 4]).expect("ascii");
                    current.push(u8::from_str_radix(hex, 16).expect("hex digits"));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(UnbalancedQuotes);
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return Err(UnbalancedQuotes);
                } else {
                    current.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(UnbalancedQuotes);
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return Err(UnbalancedQuotes);
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    other => current.push(other),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        tokens.push((current, start..p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<Vec<String>, UnbalancedQuotes> {
        split_args(line.as_bytes())
            .map(|v| v.into_iter().map(|(a, _)| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn splits_like_sdssplitargs() {
        assert_eq!(args("save 900 1").unwrap(), ["save", "900", "1"]);
        assert_eq!(args(r#"requirepass "a b\x41\n""#).unwrap(), ["requirepass", "a bA\n"]);
        assert_eq!(args(r"rename-command 'CON\'FIG' ''").unwrap(), ["rename-command", "CON'FIG", ""]);
        assert_eq!(args(r#"foo"bar baz""#).unwrap(), [r"foobar baz"]);
        assert_eq!(args(r#"save """#).unwrap(), ["save", ""]);
        assert!(args(r#"requirepass "abc"#).is_err());
        assert!(args(r#"requirepass "abc"def"#).is_err());
        assert!(args("requirepass 'abc").is_err());
        // An inline comment is not a comment to the server: it becomes arguments.
        assert_eq!(args("port 6379 # default").unwrap(), ["port", "6379", "#", "default"]);
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
}
