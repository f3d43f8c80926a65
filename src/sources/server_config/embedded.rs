//! Config text that is not a file of its own: a block in a YAML value (Helm values, a
//! ConfigMap) and the options of a server command line. The container parsers find them;
//! this module turns them into the text the server's loader reads, each byte located where
//! it is written in the YAML file.

use super::text::ServerText;
use super::{from_text, trim};
use crate::inventory::{BlockLayout, ConfigOrigin, ServerConfig, ServerConfigKind};
use crate::knowledge::profile::QuoteTail;
use crate::sources::SourceFile;
use std::ops::Range;

/// Whether `text` reads as server config: at least two lines start with a directive common
/// in server configs, and no line ends the way other config formats do.
pub fn looks_like_config(text: &[u8]) -> bool {
    let mut hits = 0;
    for line in text.split(|&b| b == b'\n').take(400) {
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
        if super::SNIFF_DIRECTIVES.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(word)) {
            hits += 1;
        }
    }
    hits >= 2
}

/// How a YAML scalar is written in its file, as far as locating its text goes.
pub struct YamlScalar<'a> {
    pub value: &'a str,
    /// Byte offset of the node's first character (the indicator of a block scalar, or the
    /// opening quote).
    pub offset: usize,
    pub literal_block: bool,
    pub plain: bool,
}

/// The config text of a YAML scalar, located: a literal block (`|`, `|-`) line by line, a
/// plain scalar where it stands, anything else (folded, quoted with escapes) as a whole.
pub fn yaml_text(src: &SourceFile, scalar: &YamlScalar) -> (ServerText, Option<BlockLayout>) {
    if scalar.literal_block
        && let Some((text, layout)) = literal_block(src, scalar)
    {
        return (text, Some(layout));
    }
    let bytes = src.bytes();
    let value = scalar.value.as_bytes();
    let mut text = ServerText::default();
    for start in [scalar.offset, scalar.offset + 1] {
        if bytes.get(start..start + value.len()) == Some(value) && (scalar.plain || start > scalar.offset) {
            text.push_exact(value, start);
            return (text, None);
        }
    }
    let line_end =
        memchr::memchr(b'\n', &bytes[scalar.offset.min(bytes.len())..]).map_or(bytes.len(), |i| scalar.offset + i);
    text.push_covering(value, scalar.offset..line_end);
    (text, None)
}

fn literal_block(src: &SourceFile, scalar: &YamlScalar) -> Option<(ServerText, BlockLayout)> {
    let bytes = src.bytes();
    let idx = src.line_index();
    let (node_line, _) = idx.position(bytes, scalar.offset);
    // The parser marks a block scalar at its indicator (`key: |`) or at its first content line.
    let first_text = idx.line_range(bytes, node_line).map(|r| &bytes[r])?;
    let indicator = first_text.trim_ascii_end().last().is_some_and(|b| matches!(b, b'|' | b'-' | b'+' | b'0'..=b'9'))
        && first_text.contains(&b'|');
    let first = node_line + u32::from(indicator);
    let mut lines: Vec<&str> = scalar.value.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let indent = lines
        .iter()
        .enumerate()
        .find(|(_, l)| !l.is_empty())
        .and_then(|(k, _)| idx.line_range(bytes, first + k as u32))
        .map(|r| bytes[r].iter().take_while(|b| **b == b' ').count())?;
    let mut text = ServerText::default();
    for (k, content) in lines.iter().enumerate() {
        let range = idx.line_range(bytes, first + k as u32)?;
        let line = &bytes[range.clone()];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if content.is_empty() {
            if !line.iter().all(|b| *b == b' ') {
                return None;
            }
        } else if line.get(indent..) != Some(content.as_bytes()) || line[..indent].iter().any(|b| *b != b' ') {
            return None;
        }
        text.push_exact(content.as_bytes(), range.start + indent.min(line.len()));
        if k + 1 < lines.len() || scalar.value.ends_with('\n') {
            text.push(b'\n', range.end..range.end);
        }
    }
    Some((text, BlockLayout { first_line: first, lines: lines.len() as u32, indent: indent as u32 }))
}

/// A config embedded in a YAML value.
pub fn embedded_config(
    src: &SourceFile,
    scalar: &YamlScalar,
    key: &str,
    subjects: Vec<String>,
    kind: ServerConfigKind,
    tail: QuoteTail,
) -> ServerConfig {
    let (text, block) = yaml_text(src, scalar);
    let mut cfg = from_text(src, &text, tail, ConfigOrigin::Embedded { key: key.to_string(), subjects, block });
    if kind == ServerConfigKind::Sentinel {
        cfg.kind = kind;
    }
    cfg
}

/// One word of a command line and where it is written.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    /// Where the word's text is written as it is, or the range that stands for it.
    pub host: WordHost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordHost {
    Exact(usize),
    Covering(Range<usize>),
}

/// Splits a command string as a POSIX shell does (compose's `command: redis-server --x 1`
/// and unquoted `$REDIS_ARGS`): blanks separate words, quotes and backslashes group them.
/// `base` is where the string's text is written verbatim, if it is.
pub fn shell_words(s: &str, base: Option<usize>, covering: Range<usize>) -> Vec<Word> {
    let mut words = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        let mut verbatim = true;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            end = i + c.len_utf8();
            match c {
                '\'' => {
                    verbatim = false;
                    for (j, c) in chars.by_ref() {
                        end = j + c.len_utf8();
                        if c == '\'' {
                            break;
                        }
                        text.push(c);
                    }
                }
                '"' => {
                    verbatim = false;
                    while let Some((j, c)) = chars.next() {
                        end = j + c.len_utf8();
                        match c {
                            '"' => break,
                            '\\' if matches!(chars.peek(), Some((_, '"' | '\\' | '$' | '`'))) => {
                                if let Some((k, n)) = chars.next() {
                                    end = k + n.len_utf8();
                                    text.push(n);
                                }
                            }
                            c => text.push(c),
                        }
                    }
                }
                '\\' => {
                    verbatim = false;
                    if let Some((j, n)) = chars.next() {
                        end = j + n.len_utf8();
                        text.push(n);
                    }
                }
                c => text.push(c),
            }
        }
        let host = match base {
            Some(b) if verbatim => WordHost::Exact(b + start),
            Some(b) => WordHost::Covering(b + start..b + end),
            None => WordHost::Covering(covering.clone()),
        };
        words.push(Word { text, host });
    }
    words
}

/// What a server command line configures.
pub struct CommandLine {
    pub config: ServerConfig,
    /// The config file it names, as written.
    pub config_file: Option<String>,
}

/// Whether a program name runs a server (`redis-server`, `/usr/bin/valkey-server`,
/// `redis-stack-server`, `valkey-sentinel`), and whether as a sentinel.
fn server_program(word: &str) -> Option<bool> {
    let name = word.rsplit('/').next().unwrap_or(word);
    match name {
        "redis-server" | "valkey-server" | "redis-stack-server" => Some(false),
        "redis-sentinel" | "valkey-sentinel" => Some(true),
        _ => None,
    }
}

/// The config a server command line sets, built as `main()` builds it (server.c): a first
/// argument without `-` is the config file; every following `--name` starts a line, its
/// values are appended quoted (`sdscatrepr`), `--save` alone becomes `save ""`. The options
/// follow the file's own lines, so they win. `None` when the words do not run a server.
pub fn command_line(src: &SourceFile, words: &[Word], subject: &str, tail: QuoteTail) -> Option<CommandLine> {
    let start = words.iter().position(|w| server_program(&w.text).is_some())?;
    let sentinel_program = server_program(&words[start].text) == Some(true);
    let argv = &words[start..];
    let mut j = 1;
    let mut config_file = None;
    if let Some(first) = argv.get(1)
        && !first.text.starts_with('-')
    {
        config_file = Some(first.text.clone());
        j = 2;
    }
    let mut text = ServerText::default();
    let mut handled_last = true;
    let mut any = false;
    while j < argv.len() {
        let w = &argv[j];
        let host = word_range(w);
        let last = j == argv.len() - 1;
        let next_is_option = argv.get(j + 1).is_some_and(|n| n.text.starts_with("--"));
        if w.text == "-" && (j == 1 || last) {
            // The config is read from standard input: nothing here to see.
        } else if handled_last && w.text.starts_with("--") {
            if any {
                text.push(b'\n', host.start..host.start);
            }
            any = true;
            match &w.host {
                WordHost::Exact(o) => text.push_exact(&w.text.as_bytes()[2..], o + 2),
                WordHost::Covering(r) => text.push_covering(&w.text.as_bytes()[2..], r.clone()),
            }
            text.push(b' ', host.end..host.end);
            let single = crate::knowledge::profile::cparse::split_args(w.text.as_bytes(), tail)
                .map(|a| a.len() == 1)
                .unwrap_or(false);
            if single {
                // `--name` alone: the next word is its value, except for a bare `--save`
                // (then `save ""`) and `--sentinel` (a switch).
                handled_last = false;
                let save = w.text.eq_ignore_ascii_case("--save");
                if save && (last || next_is_option) {
                    text.push_covering(b"\"\"", host.clone());
                    handled_last = !last;
                } else if w.text.eq_ignore_ascii_case("--sentinel") && !last && next_is_option {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            push_repr(&mut text, w);
            text.push(b' ', host.end..host.end);
            handled_last = true;
            any = true;
        }
        j += 1;
    }
    let sentinel = sentinel_program || argv.iter().any(|w| w.text.eq_ignore_ascii_case("--sentinel"));
    let mut config = from_text(
        src,
        &text,
        tail,
        ConfigOrigin::CommandLine {
            subject: subject.to_string(),
            config_file: config_file.clone(),
            mounts: Vec::new(),
        },
    );
    config.kind = if sentinel { ServerConfigKind::Sentinel } else { ServerConfigKind::Server };
    Some(CommandLine { config, config_file })
}

fn word_range(w: &Word) -> Range<usize> {
    match &w.host {
        WordHost::Exact(o) => *o..*o + w.text.len(),
        WordHost::Covering(r) => r.clone(),
    }
}

/// `sdscatrepr`: the value in double quotes, `\\`, `"`, `\n`, `\r`, `\t`, `\a`, `\b` escaped,
/// other non-printable bytes as `\xHH`.
fn push_repr(text: &mut ServerText, w: &Word) {
    let whole = word_range(w);
    text.push(b'"', whole.start..whole.start);
    for (i, &b) in w.text.as_bytes().iter().enumerate() {
        let at = match &w.host {
            WordHost::Exact(o) => o + i..o + i + 1,
            WordHost::Covering(r) => r.clone(),
        };
        let escaped: Option<&[u8]> = match b {
            b'\\' => Some(b"\\\\"),
            b'"' => Some(b"\\\""),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x07 => Some(b"\\a"),
            0x08 => Some(b"\\b"),
            _ => None,
        };
        match escaped {
            Some(e) => text.push_covering(e, at),
            None if (0x20..0x7f).contains(&b) => text.push(b, at),
            None => text.push_covering(format!("\\x{b:02x}").as_bytes(), at),
        }
    }
    text.push(b'"', whole.end..whole.end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Word> {
        shell_words(s, Some(0), 0..s.len())
    }

    #[test]
    fn shell_words_split_and_locate() {
        let w = words(r#"redis-server --save "" --requirepass 'a b' x\ y"#);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["redis-server", "--save", "", "--requirepass", "a b", "x y"]);
        assert_eq!(w[1].host, WordHost::Exact(13));
        assert_eq!(w[4].host, WordHost::Covering(37..42));
    }

    #[test]
    fn command_lines_become_config_lines_as_the_server_builds_them() {
        let line = "redis-server /etc/redis.conf --io-threads 4 --save --appendonly yes --hide-user-data-from-logs yes";
        let src = SourceFile::from_bytes("docker-compose.yml", line.as_bytes().to_vec());
        let cl = command_line(&src, &words(line), "compose service cache", QuoteTail::Joined).unwrap();
        assert_eq!(cl.config_file.as_deref(), Some("/etc/redis.conf"));
        let lines: Vec<(&str, &str)> =
            cl.config.directives.iter().map(|d| (d.name.as_str(), d.text.as_str())).collect();
        assert_eq!(
            lines,
            [
                ("io-threads", "io-threads \"4\""),
                ("save", "save \"\""),
                ("appendonly", "appendonly \"yes\""),
                // As valkey-server echoes it (server.md §1.1).
                ("hide-user-data-from-logs", "hide-user-data-from-logs \"yes\""),
            ]
        );
        let four = cl.config.directives[0].args[0].location.as_ref().unwrap();
        assert_eq!(&line[four.span.start..four.span.end], "4");
        assert_eq!(cl.config.directives[1].args[0].value, "");
    }

    #[test]
    fn not_a_server() {
        let src = SourceFile::from_bytes("c.yml", b"gunicorn app".to_vec());
        assert!(command_line(&src, &words("gunicorn app"), "x", QuoteTail::Joined).is_none());
    }

    #[test]
    fn literal_blocks_are_located_line_by_line() {
        let yaml = "a: 1\ncommonConfiguration: |-\n  maxmemory 1gb\n\n  io-threads 4\nb: 2\n";
        let src = SourceFile::from_bytes("values.yaml", yaml.as_bytes().to_vec());
        let offset = yaml.find('|').unwrap() - 1;
        let scalar = YamlScalar { value: "maxmemory 1gb\n\nio-threads 4", offset, literal_block: true, plain: false };
        let cfg =
            embedded_config(&src, &scalar, "commonConfiguration", vec![], ServerConfigKind::Server, QuoteTail::Joined);
        let at: Vec<(u32, u32)> = cfg
            .directives
            .iter()
            .map(|d| {
                let l = d.args[0].location.as_ref().unwrap();
                (l.line, l.column)
            })
            .collect();
        assert_eq!(at, [(3, 13), (5, 14)]);
        let ConfigOrigin::Embedded { block: Some(b), .. } = &cfg.origin else { panic!("{:?}", cfg.origin) };
        assert_eq!((b.first_line, b.lines, b.indent), (3, 3, 2));
    }
}
