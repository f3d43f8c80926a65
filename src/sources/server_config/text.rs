//! The text a server's config loader reads, and where each of its bytes is written in the
//! repository — the two differ when a file holds NUL bytes, when the config is a block inside
//! a YAML file, or when it is built from a command line.

use crate::inventory::{ConfigArg, ConfigDirective, ConfigSyntaxError};
use crate::knowledge::profile::QuoteTail;
use crate::knowledge::profile::cparse;
use crate::sources::SourceFile;
use std::ops::Range;

/// `CONFIG_READ_LEN`: the loader reads its file with `fgets(buf, CONFIG_READ_LEN + 1, fp)`.
const FGETS_CHUNK: usize = 1024;

/// Server-side text with, for each byte, the range of the host file it stands for.
#[derive(Debug, Clone, Default)]
pub struct ServerText {
    pub bytes: Vec<u8>,
    origin: Vec<Range<usize>>,
}

impl ServerText {
    /// What the loader reads from a config file: `loadServerConfig` appends each `fgets` chunk
    /// (up to a newline, at most 1024 bytes) with `sdscat`, which stops at a NUL byte, so a NUL
    /// drops the rest of its chunk — newline included, so the next line joins that one.
    /// Verified on valkey-server 8.1.8 / 9.1.2 and redis-server 6.2.5 / 7.0.15 / 8.2.3.
    pub fn from_file(file: &[u8]) -> Self {
        let mut text = ServerText::default();
        let mut pos = 0;
        while pos < file.len() {
            let limit = (pos + FGETS_CHUNK).min(file.len());
            let end = memchr::memchr(b'\n', &file[pos..limit]).map_or(limit, |i| pos + i + 1);
            let kept = memchr::memchr(0, &file[pos..end]).map_or(end, |i| pos + i);
            for (i, &byte) in file.iter().enumerate().take(kept).skip(pos) {
                text.push(byte, i..i + 1);
            }
            pos = end;
        }
        text
    }

    pub fn push(&mut self, byte: u8, host: Range<usize>) {
        self.bytes.push(byte);
        self.origin.push(host);
    }

    /// Appends text written verbatim at `host_start` in the host file.
    pub fn push_exact(&mut self, bytes: &[u8], host_start: usize) {
        for (i, &b) in bytes.iter().enumerate() {
            self.push(b, host_start + i..host_start + i + 1);
        }
    }

    /// Appends text that stands for the whole of `host` (a value whose bytes are not written
    /// as they are: escapes, folded lines, a word the server builds).
    pub fn push_covering(&mut self, bytes: &[u8], host: Range<usize>) {
        for &b in bytes {
            self.push(b, host.clone());
        }
    }

    /// The host range a range of this text stands for.
    pub fn host_range(&self, r: Range<usize>) -> Range<usize> {
        match (self.origin.get(r.start), r.end.checked_sub(1).and_then(|e| self.origin.get(e))) {
            (Some(a), Some(b)) if r.end > r.start => a.start.min(b.start)..a.end.max(b.end),
            (Some(a), _) => a.start..a.start,
            _ => self.origin.last().map_or(0..0, |o| o.end..o.end),
        }
    }

    /// Splits the text into the loader's lines (`sdssplitlen` on `\n`), each trimmed as
    /// `sdstrim(line, " \t\r\n")` does: (1-based server line, range of the trimmed line).
    pub fn lines(&self) -> impl Iterator<Item = (u32, Range<usize>)> + '_ {
        let mut start = 0;
        let mut n = 0u32;
        std::iter::from_fn(move || {
            if start > self.bytes.len() {
                return None;
            }
            let end = memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
            n += 1;
            let line = &self.bytes[start..end];
            let strip = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
            let a = line.iter().position(|b| !strip(b)).unwrap_or(line.len());
            let z = line.iter().rposition(|b| !strip(b)).map_or(a, |p| p + 1);
            let range = start + a..start + z;
            start = end + 1;
            Some((n, range))
        })
    }
}

/// What the loader makes of a text: directives and the lines its tokeniser refuses, each
/// located in `src` (the host file).
pub struct Tokenised {
    pub directives: Vec<ConfigDirective>,
    pub syntax_errors: Vec<ConfigSyntaxError>,
}

/// Tokenises every line as `loadServerConfigFromString` does (comments and blank lines
/// skipped, `sdssplitargs` with the target's quote rule).
pub fn tokenise(text: &ServerText, src: &SourceFile, tail: QuoteTail) -> Tokenised {
    let mut out = Tokenised { directives: Vec::new(), syntax_errors: Vec::new() };
    for (_, range) in text.lines() {
        let line = &text.bytes[range.clone()];
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let whole = src.location(text.host_range(range.clone()));
        let line_text = String::from_utf8_lossy(line).into_owned();
        match cparse::split_args_spanned(line, tail) {
            Ok(tokens) if tokens.is_empty() => {}
            Ok(tokens) => {
                let mut args = tokens.into_iter().map(|(value, span)| ConfigArg {
                    value: String::from_utf8_lossy(&value).into_owned(),
                    location: Some(src.location(text.host_range(span.start + range.start..span.end + range.start))),
                });
                let Some(name) = args.next() else { continue };
                out.directives.push(ConfigDirective {
                    name: name.value.to_ascii_lowercase(),
                    name_location: name.location,
                    args: args.collect(),
                    line: whole.line,
                    text: line_text,
                    location: Some(whole),
                });
            }
            Err(cparse::Unbalanced) => out.syntax_errors.push(ConfigSyntaxError {
                line: whole.line,
                text: line_text,
                message: "Unbalanced quotes in configuration line".into(),
                location: Some(whole),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_byte_drops_the_rest_of_its_fgets_chunk() {
        // As valkey-server prints it: `>>> 'hz 1maxmemory 1mb'` at line 2.
        let t = ServerText::from_file(b"port 0\nhz 1\0garbage\nmaxmemory 1mb\n");
        assert_eq!(t.bytes, b"port 0\nhz 1maxmemory 1mb\n");
        let lines: Vec<_> = t.lines().map(|(n, r)| (n, t.bytes[r].to_vec())).collect();
        assert_eq!(lines[1], (2, b"hz 1maxmemory 1mb".to_vec()));
        // The joined line's second half is still located where it is written.
        assert_eq!(t.host_range(11..20), 20..29);
    }

    #[test]
    fn a_long_line_is_read_in_chunks_of_1024_bytes() {
        let mut file = b"hz 1\0".to_vec();
        file.extend(std::iter::repeat_n(b'x', 1100));
        file.extend(b" 5\n");
        let t = ServerText::from_file(&file);
        // The first chunk keeps `hz 1`; the next starts 1024 bytes in, with 81 x's.
        assert_eq!(t.bytes.len(), 4 + 81 + 3);
    }

    #[test]
    fn no_nul_is_the_file_itself() {
        let file = b"a b\r\n\n  c\n".to_vec();
        let t = ServerText::from_file(&file);
        assert_eq!(t.bytes, file);
        let lines: Vec<_> = t.lines().collect();
        assert_eq!(lines, vec![(1, 0..3), (2, 5..5), (3, 8..9), (4, 10..10)]);
    }
}
