use crate::findings::{Finding, Severity};
use crate::inventory::Inventory;
use crate::location::{LineIndex, Location, Span};
use crate::scan::{ScannedFile, codes};
use crate::suppress::{self, Suppression};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One file's bytes, ready for a parser, with cheap conversions from byte offsets to locations.
pub struct SourceFile {
    pub rel: String,
    pub abs: PathBuf,
    bytes: Vec<u8>,
    /// Bytes dropped from the front (a UTF-8 byte-order mark), added back to spans.
    base: usize,
    lines: OnceLock<LineIndex>,
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile").field("rel", &self.rel).field("len", &self.bytes.len()).finish()
    }
}

impl SourceFile {
    /// A file built from memory (tests, embedded blocks); `rel` names it in locations.
    pub fn from_bytes(rel: impl Into<String>, bytes: Vec<u8>) -> Self {
        let rel = rel.into();
        let (bytes, base) = strip_bom(bytes);
        SourceFile { abs: PathBuf::from(&rel), rel, bytes, base, lines: OnceLock::new() }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The content as UTF-8, or `None` when it is not valid UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// The content as UTF-8; when it is not, records where the first bad byte is and returns
    /// `None`, so the parser can stop without a silent skip.
    pub fn text_or_report(&self, out: &mut Facts) -> Option<&str> {
        match std::str::from_utf8(&self.bytes) {
            Ok(t) => Some(t),
            Err(e) => {
                let at = e.valid_up_to();
                out.diagnostic(
                    Finding::new(
                        codes::UNPARSABLE,
                        self.location(at..at + 1),
                        "file is not valid UTF-8; it was not parsed",
                    )
                    .help("save the file as UTF-8; the first invalid byte is marked"),
                );
                None
            }
        }
    }

    pub fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.bytes))
    }

    /// The location of a byte range of this file's content.
    pub fn location(&self, range: Range<usize>) -> Location {
        let idx = self.line_index();
        let (line, mut column) = idx.position(&self.bytes, range.start);
        let (end_line, mut end_column) = idx.position(&self.bytes, range.end.max(range.start));
        if self.base > 0 {
            // The byte-order mark is one character on line 1.
            if line == 1 {
                column += 1;
            }
            if end_line == 1 {
                end_column += 1;
            }
        }
        Location {
            file: self.rel.clone(),
            line,
            column,
            end_line,
            end_column,
            span: Span { start: range.start + self.base, end: range.end.max(range.start) + self.base },
        }
    }

    /// The location of a whole 1-based line (without its terminator).
    pub fn line_location(&self, line: u32) -> Location {
        match self.line_index().line_range(&self.bytes, line) {
            Some(r) => self.location(r),
            None => Location { line, end_line: line, ..Location::file_only(&self.rel) },
        }
    }

    pub fn file_location(&self) -> Location {
        Location::file_only(&self.rel)
    }
}

fn strip_bom(bytes: Vec<u8>) -> (Vec<u8>, usize) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (bytes[3..].to_vec(), 3)
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        // UTF-16 (Windows editors write requirements.txt this way): decode so parsers see text.
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        (String::from_utf16_lossy(&units).into_bytes(), 0)
    } else {
        (bytes, 0)
    }
}

/// What parsing produces: facts, plus diagnostics about files that could not be read, plus
/// the suppression comments seen on the way.
#[derive(Debug, Default)]
pub struct Facts {
    pub inventory: Inventory,
    pub diagnostics: Vec<Finding>,
    pub suppressions: Vec<Suppression>,
    pub files_read: usize,
    /// Halves of facts that only the whole repository completes (object-mapper models and the
    /// calls on them, in different files); `code::finish` turns them into inventory facts.
    pub code_links: crate::sources::code::Links,
}

impl Facts {
    pub fn diagnostic(&mut self, finding: Finding) {
        self.diagnostics.push(finding);
    }

    pub fn merge(&mut self, other: Facts) {
        self.inventory.extend(other.inventory);
        self.diagnostics.extend(other.diagnostics);
        self.suppressions.extend(other.suppressions);
        self.files_read += other.files_read;
        self.code_links.extend(other.code_links);
    }
}

/// What a parser may need beyond its own file: the scan root and a safe way to read a
/// sibling file (an `include`, a `-r requirements.txt`) under the same rules as the walk.
pub struct ParseContext<'a> {
    pub root: PathBuf,
    pub max_file_size: u64,
    /// The run's knowledge (with any `--rules-dir` overlay): parsers read their vocabularies
    /// (image names, module commands, node types) from it.
    pub knowledge: &'a crate::knowledge::Knowledge,
    /// How the target server's config loader reads text after a closing quote: server
    /// configs are tokenised as the server the repository moves to will read them.
    pub quote_tail: crate::knowledge::profile::QuoteTail,
}

impl ParseContext<'_> {
    /// Loads a scanned file: size cap, binary check, and suppression comments. `None` means a
    /// diagnostic explains why it was not loaded.
    pub fn load(&self, file: &ScannedFile, out: &mut Facts) -> Option<SourceFile> {
        self.load_with(file, out, false)
    }

    /// `load`, keeping files with NUL bytes when `allow_nul` (a server reads its config file
    /// whatever bytes it holds).
    pub fn load_with(&self, file: &ScannedFile, out: &mut Facts, allow_nul: bool) -> Option<SourceFile> {
        if file.size > self.max_file_size {
            out.diagnostic(
                Finding::new(
                    codes::TOO_LARGE,
                    Location::file_only(&file.rel),
                    format!("skipped: {} bytes is over the {} byte limit", file.size, self.max_file_size),
                )
                .help("raise `max-file-size` in .valkey-migrate.toml or --max-file-size if this file matters")
                .severity_hint(Severity::Info),
            );
            return None;
        }
        let bytes = match std::fs::read(&file.abs) {
            Ok(b) => b,
            Err(e) => {
                out.diagnostic(
                    Finding::new(
                        codes::UNREADABLE,
                        Location::file_only(&file.rel),
                        format!("cannot read file: {}", io_reason(&e)),
                    )
                    .help("check the file's permissions; the rest of the scan went on without it"),
                );
                return None;
            }
        };
        if !allow_nul && looks_binary(&bytes) {
            out.diagnostic(
                Finding::new(codes::BINARY, Location::file_only(&file.rel), "skipped: this looks like a binary file")
                    .help("a text file was expected by its name; the file holds NUL bytes")
                    .severity_hint(Severity::Info),
            );
            return None;
        }
        out.files_read += 1;
        let mut src = SourceFile::from_bytes(file.rel.clone(), bytes);
        src.abs = file.abs.clone();
        suppress::collect(&src, &mut out.suppressions);
        Some(src)
    }

    /// Reads a file named by another file (an include), relative to `from`'s directory unless
    /// absolute. Refuses paths that leave the scan root. Errors are returned as text for the
    /// caller to turn into a finding at the referencing line.
    pub fn read_relative(&self, from: &SourceFile, target: &str) -> Result<SourceFile, String> {
        let base = from.abs.parent().unwrap_or(Path::new("."));
        self.read_in_root(&base.join(target), target, false)
    }

    /// Reads `path` (absolute, or relative to the working directory) if it is inside the scan
    /// root, named `shown` in errors; `allow_nul` keeps files with NUL bytes.
    pub fn read_in_root(&self, path: &Path, shown: &str, allow_nul: bool) -> Result<SourceFile, String> {
        let target = shown;
        let canonical = path.canonicalize().map_err(|e| format!("{}: {}", target, io_reason(&e)))?;
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let rel = canonical
            .strip_prefix(&root)
            .map_err(|_| format!("{target} is outside the scanned directory; it was not read"))?
            .to_string_lossy()
            .replace('\\', "/");
        let meta = std::fs::metadata(&canonical).map_err(|e| format!("{target}: {}", io_reason(&e)))?;
        if meta.len() > self.max_file_size {
            return Err(format!("{target} is over the {} byte limit", self.max_file_size));
        }
        let bytes = std::fs::read(&canonical).map_err(|e| format!("{target}: {}", io_reason(&e)))?;
        if !allow_nul && looks_binary(&bytes) {
            return Err(format!("{target} looks like a binary file"));
        }
        let mut src = SourceFile::from_bytes(rel, bytes);
        src.abs = canonical;
        Ok(src)
    }
}

pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    // As git and ripgrep do: a NUL byte near the start means binary. UTF-16 text has NULs
    // too, but it starts with a byte-order mark, which we let through.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file (a dangling symlink?)".into(),
        _ => e.to_string(),
    }
}
