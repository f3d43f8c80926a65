//! A small lexer that knows, per language, where strings and comments are: enough to tell a
//! command in a string literal or a call from the same letters in a comment, and to see the
//! shape of a call. It never fails: on text it does not understand it moves one byte on.

use crate::knowledge::modules::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ident,
    /// A string literal; the token's range is its content, without quotes or prefix.
    Str,
    /// One punctuation byte (`.`, `(`, `=`, …); `->` and `::` are folded into `.`.
    Punct(u8),
    /// A number or anything else the analysis never looks at.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

impl Token {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is_punct(&self, b: u8) -> bool {
        self.kind == Kind::Punct(b)
    }
}

/// Whether `needle` occurs in code, not only in a comment: at the start of a token or inside a
/// string literal (an import's module name), so `// not redis-om` does not count as an import.
pub fn occurs_in_code(src: &[u8], tokens: &[Token], needle: &[u8]) -> bool {
    memchr::memmem::find_iter(src, needle).any(|p| {
        let i = tokens.partition_point(|t| (t.start as usize) <= p);
        i > 0 && {
            let t = tokens[i - 1];
            t.start as usize == p || (t.kind == Kind::Str && p + needle.len() <= t.end as usize)
        }
    })
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    lang: Lang,
    out: &'a mut Vec<Token>,
}

/// Appends the tokens of `src` to `out` (cleared first, so a caller can reuse the buffer).
pub fn lex(lang: Lang, src: &[u8], out: &mut Vec<Token>) {
    out.clear();
    let mut lx = Lexer { src, pos: 0, lang, out };
    lx.run();
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.out.push(Token { kind, start: start as u32, end: end as u32 });
    }

    fn c_comments(&self) -> bool {
        matches!(self.lang, Lang::Js | Lang::Go | Lang::Java | Lang::Csharp | Lang::Php | Lang::Rust)
    }

    fn hash_comments(&self) -> bool {
        matches!(self.lang, Lang::Python | Lang::Ruby | Lang::Php)
    }

    /// Whether a `'` opens a string (as opposed to a char literal or a lifetime).
    fn single_quote_strings(&self) -> bool {
        matches!(self.lang, Lang::Js | Lang::Python | Lang::Ruby | Lang::Php | Lang::Lua)
    }

    /// Whether a plain `"…"` may run over several lines.
    fn multiline_strings(&self) -> bool {
        matches!(self.lang, Lang::Rust | Lang::Php | Lang::Ruby)
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            let b = self.src[self.pos];
            let at_line_start = self.pos == 0 || self.src[self.pos - 1] == b'\n';
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => self.pos += 1,
                b'/' if self.c_comments() && self.peek(1) == b'/' => self.line_comment(),
                b'/' if self.c_comments() && self.peek(1) == b'*' => self.block_comment(),
                b'#' if self.hash_comments() && !(self.lang == Lang::Php && self.peek(1) == b'[') => {
                    self.line_comment()
                }
                b'=' if self.lang == Lang::Ruby && at_line_start && self.src[self.pos..].starts_with(b"=begin") => {
                    self.ruby_block_comment()
                }
                b'-' if self.lang == Lang::Lua && self.peek(1) == b'-' => self.lua_comment(),
                b'[' if self.lang == Lang::Lua && matches!(self.peek(1), b'[' | b'=') && self.lua_long_string() => {}
                b'"' | b'\'' => self.quoted(b),
                b'`' if self.lang == Lang::Js => self.template(),
                b'`' if self.lang == Lang::Go => self.raw_until(b'`', 1),
                b'@' if self.lang == Lang::Csharp && self.peek(1) == b'"' => self.csharp_verbatim(1),
                b'@' if self.lang == Lang::Csharp && self.peek(1) == b'$' && self.peek(2) == b'"' => {
                    self.csharp_verbatim(2)
                }
                b'$' if self.lang == Lang::Csharp && self.peek(1) == b'@' && self.peek(2) == b'"' => {
                    self.csharp_verbatim(2)
                }
                b'$' if self.lang == Lang::Csharp && self.peek(1) == b'"' => {
                    self.pos += 1;
                    self.quoted(b'"');
                }
                b'<' if self.lang == Lang::Php && self.src[self.pos..].starts_with(b"<<<") => self.php_heredoc(),
                b'<' if self.lang == Lang::Ruby && self.peek(1) == b'<' && self.ruby_heredoc() => {}
                b'/' if self.lang == Lang::Js && self.regex_allowed() => self.regex(),
                b'-' if self.peek(1) == b'>' => {
                    self.push(Kind::Punct(b'.'), self.pos, self.pos + 2);
                    self.pos += 2;
                }
                b':' if self.peek(1) == b':' => {
                    self.push(Kind::Punct(b'.'), self.pos, self.pos + 2);
                    self.pos += 2;
                }
                b'$' if matches!(self.lang, Lang::Js | Lang::Php) => self.ident(),
                _ if is_ident_start(b) => self.ident(),
                _ if b.is_ascii_digit() => {
                    let start = self.pos;
                    while self.pos < self.src.len() && (is_ident_byte(self.src[self.pos]) || self.src[self.pos] == b'.')
                    {
                        self.pos += 1;
                    }
                    self.push(Kind::Other, start, self.pos);
                }
                _ if b.is_ascii_punctuation() => {
                    self.push(Kind::Punct(b), self.pos, self.pos + 1);
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn line_comment(&mut self) {
        self.pos = memchr::memchr(b'\n', &self.src[self.pos..]).map_or(self.src.len(), |i| self.pos + i);
    }

    fn block_comment(&mut self) {
        // Rust block comments nest; the others end at the first `*/`.
        let nests = self.lang == Lang::Rust;
        let mut depth = 0usize;
        while self.pos < self.src.len() {
            if self.src[self.pos..].starts_with(b"/*") {
                depth += 1;
                self.pos += 2;
                if !nests && depth > 1 {
                    depth = 1;
                }
            } else if self.src[self.pos..].starts_with(b"*/") {
                self.pos += 2;
                depth -= 1;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    fn ruby_block_comment(&mut self) {
        match memchr::memmem::find(&self.src[self.pos..], b"\n=end") {
            Some(i) => {
                self.pos += i + 5;
                self.line_comment();
            }
            None => self.pos = self.src.len(),
        }
    }

    fn lua_comment(&mut self) {
        self.pos += 2;
        if self.peek(0) == b'['
            && let Some(level) = self.lua_long_level()
        {
            self.pos = self.lua_long_end(level).map_or(self.src.len(), |(_, end)| end);
            return;
        }
        self.line_comment();
    }

    /// At `[`, the number of `=` of a Lua long bracket `[==[`, when it is one.
    fn lua_long_level(&self) -> Option<usize> {
        let eq = self.src[self.pos + 1..].iter().take_while(|&&b| b == b'=').count();
        (self.src.get(self.pos + 1 + eq) == Some(&b'[')).then_some(eq)
    }

    /// From an opening long bracket at `pos`: (content end, end after the closing bracket).
    fn lua_long_end(&self, level: usize) -> Option<(usize, usize)> {
        let content = self.pos + level + 2;
        let mut close = Vec::with_capacity(level + 2);
        close.push(b']');
        close.extend(std::iter::repeat_n(b'=', level));
        close.push(b']');
        memchr::memmem::find(&self.src[content..], &close).map(|i| (content + i, content + i + close.len()))
    }

    fn lua_long_string(&mut self) -> bool {
        let Some(level) = self.lua_long_level() else {
            return false;
        };
        let content = self.pos + level + 2;
        let (end, after) = self.lua_long_end(level).unwrap_or((self.src.len(), self.src.len()));
        self.push(Kind::Str, content, end);
        self.pos = after;
        true
    }

    fn ident(&mut self) {
        let start = self.pos;
        self.pos += 1;
        while self.pos < self.src.len() && is_ident_byte(self.src[self.pos]) {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        let next = self.peek(0);
        // String prefixes: Python r/b/f/u (any two), Rust b/r/br/c with raw `#`s.
        match self.lang {
            Lang::Python
                if word.len() <= 2
                    && (next == b'"' || next == b'\'')
                    && word.iter().all(|b| b"rRbBuUfF".contains(b)) =>
            {
                self.quoted(next);
                return;
            }
            Lang::Rust if matches!(word, b"r" | b"br" | b"cr") && (next == b'"' || next == b'#') => {
                self.rust_raw();
                return;
            }
            Lang::Rust if matches!(word, b"b" | b"c") && (next == b'"' || next == b'\'') => {
                self.quoted(next);
                return;
            }
            _ => {}
        }
        self.push(Kind::Ident, start, self.pos);
    }

    fn quoted(&mut self, q: u8) {
        if q == b'\'' && !self.single_quote_strings() {
            self.char_literal();
            return;
        }
        let triple = matches!(self.lang, Lang::Python | Lang::Java | Lang::Csharp)
            && self.src[self.pos..].starts_with(&[q, q, q]);
        if triple {
            let open = self.src[self.pos..].iter().take_while(|&&b| b == q).count().max(3);
            // C# raw strings close with as many quotes as they opened with.
            let n = if self.lang == Lang::Csharp { open } else { 3 };
            let content = self.pos + n;
            let mut i = content;
            let escapes = self.lang != Lang::Csharp;
            while i < self.src.len() {
                let b = self.src[i];
                if escapes && b == b'\\' {
                    i += 2;
                    continue;
                }
                if b == q && self.src[i..].iter().take_while(|&&c| c == q).count() >= n {
                    self.push(Kind::Str, content, i);
                    self.pos = i + n;
                    return;
                }
                i += 1;
            }
            self.push(Kind::Str, content, self.src.len());
            self.pos = self.src.len();
            return;
        }
        let content = self.pos + 1;
        let multiline = self.multiline_strings();
        let mut i = content;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 2,
                b if b == q => {
                    self.push(Kind::Str, content, i);
                    self.pos = i + 1;
                    return;
                }
                b'\n' if !multiline => break,
                _ => i += 1,
            }
        }
        // Unterminated: the string ends with its line, so one stray quote does not swallow the file.
        let end = i.min(self.src.len());
        self.push(Kind::Str, content, end);
        self.pos = end;
    }

    fn char_literal(&mut self) {
        // 'x', '\n', '\u{1F600}', '\'' — or a Rust lifetime / label ('a), which is not a literal.
        let body = &self.src[self.pos + 1..];
        let len = if body.first() == Some(&b'\\') {
            body.iter().skip(1).position(|&b| b == b'\'').map(|p| p + 1).filter(|&p| p <= 12)
        } else {
            let ch = std::str::from_utf8(&body[..body.len().min(4)])
                .ok()
                .or_else(|| std::str::from_utf8(&body[..body.len().min(1)]).ok())
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
            (body.get(ch) == Some(&b'\'')).then_some(ch)
        };
        match len {
            Some(n) => {
                self.push(Kind::Str, self.pos + 1, self.pos + 1 + n);
                self.pos += n + 2;
            }
            None => {
                self.push(Kind::Punct(b'\''), self.pos, self.pos + 1);
                self.pos += 1;
            }
        }
    }

    fn raw_until(&mut self, close: u8, open_len: usize) {
        let content = self.pos + open_len;
        let end =
            memchr::memchr(close, &self.src[content.min(self.src.len())..]).map_or(self.src.len(), |i| content + i);
        self.push(Kind::Str, content, end);
        self.pos = (end + 1).min(self.src.len());
    }

    fn template(&mut self) {
        // A JS template literal; `${…}` holes stay inside the token (nested backticks are rare).
        let content = self.pos + 1;
        let mut i = content;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 2,
                b'`' => break,
                _ => i += 1,
            }
        }
        let end = i.min(self.src.len());
        self.push(Kind::Str, content, end);
        self.pos = (end + 1).min(self.src.len());
    }

    fn csharp_verbatim(&mut self, prefix: usize) {
        // @"…" with "" as an escaped quote.
        let content = self.pos + prefix + 1;
        let mut i = content;
        while i < self.src.len() {
            if self.src[i] == b'"' {
                if self.src.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
        let end = i.min(self.src.len());
        self.push(Kind::Str, content, end);
        self.pos = (end + 1).min(self.src.len());
    }

    fn rust_raw(&mut self) {
        let hashes = self.src[self.pos..].iter().take_while(|&&b| b == b'#').count();
        if self.src.get(self.pos + hashes) != Some(&b'"') {
            // `r#ident` (a raw identifier): not a string.
            self.push(Kind::Punct(b'#'), self.pos, self.pos + 1);
            self.pos += 1;
            return;
        }
        let content = self.pos + hashes + 1;
        let mut close = vec![b'"'];
        close.extend(std::iter::repeat_n(b'#', hashes));
        let end = memchr::memmem::find(&self.src[content..], &close).map_or(self.src.len(), |i| content + i);
        self.push(Kind::Str, content, end);
        self.pos = (end + close.len()).min(self.src.len());
    }

    fn php_heredoc(&mut self) {
        // <<<ID, <<<"ID" or <<<'ID' … a line holding ID (PHP ≥ 7.3 allows indentation).
        let line_end = memchr::memchr(b'\n', &self.src[self.pos..]).map_or(self.src.len(), |i| self.pos + i);
        let id: Vec<u8> = self.src[self.pos + 3..line_end].iter().copied().filter(|b| is_ident_byte(*b)).collect();
        if id.is_empty() {
            self.push(Kind::Punct(b'<'), self.pos, self.pos + 1);
            self.pos += 1;
            return;
        }
        self.heredoc_body(line_end, &id);
    }

    fn ruby_heredoc(&mut self) -> bool {
        // <<~ID, <<-ID, <<ID with an upper-case identifier (quotes allowed).
        let mut i = self.pos + 2;
        if matches!(self.src.get(i), Some(b'~' | b'-')) {
            i += 1;
        }
        if matches!(self.src.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        let id_len = self.src[i.min(self.src.len())..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        if id_len == 0 || !self.src[i].is_ascii_uppercase() {
            return false;
        }
        let id = self.src[i..i + id_len].to_vec();
        let line_end = memchr::memchr(b'\n', &self.src[self.pos..]).map_or(self.src.len(), |p| self.pos + p);
        self.heredoc_body(line_end, &id);
        true
    }

    fn heredoc_body(&mut self, line_end: usize, id: &[u8]) {
        let content = (line_end + 1).min(self.src.len());
        let mut line = content;
        while line < self.src.len() {
            let next = memchr::memchr(b'\n', &self.src[line..]).map_or(self.src.len(), |i| line + i);
            let trimmed = self.src[line..next].trim_ascii_start();
            if trimmed.starts_with(id) && !trimmed.get(id.len()).is_some_and(|b| is_ident_byte(*b)) {
                self.push(Kind::Str, content, line);
                self.pos = line + (self.src[line..next].len() - trimmed.len()) + id.len();
                return;
            }
            line = next + 1;
        }
        self.push(Kind::Str, content, self.src.len());
        self.pos = self.src.len();
    }

    /// Whether a `/` here starts a regular expression rather than a division (JavaScript).
    fn regex_allowed(&self) -> bool {
        if self.peek(1) == b'/' || self.peek(1) == b'*' {
            return false;
        }
        match self.out.last() {
            None => true,
            Some(t) => match t.kind {
                Kind::Ident => matches!(
                    &self.src[t.range()],
                    b"return"
                        | b"typeof"
                        | b"case"
                        | b"in"
                        | b"of"
                        | b"delete"
                        | b"void"
                        | b"throw"
                        | b"new"
                        | b"else"
                        | b"do"
                        | b"yield"
                        | b"await"
                        | b"instanceof"
                ),
                Kind::Str | Kind::Other => false,
                Kind::Punct(p) => !matches!(p, b')' | b']' | b'}'),
            },
        }
    }

    fn regex(&mut self) {
        let start = self.pos;
        let mut i = self.pos + 1;
        let mut in_class = false;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 2,
                b'\n' => {
                    // Not a regex after all: a lone division sign.
                    self.push(Kind::Punct(b'/'), start, start + 1);
                    self.pos = start + 1;
                    return;
                }
                b'[' => {
                    in_class = true;
                    i += 1;
                }
                b']' => {
                    in_class = false;
                    i += 1;
                }
                b'/' if !in_class => {
                    i += 1;
                    while i < self.src.len() && self.src[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    self.push(Kind::Other, start, i);
                    self.pos = i;
                    return;
                }
                _ => i += 1,
            }
        }
        self.push(Kind::Punct(b'/'), start, start + 1);
        self.pos = start + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lang: Lang, src: &str) -> Vec<String> {
        let mut out = Vec::new();
        lex(lang, src.as_bytes(), &mut out);
        out.iter().filter(|t| t.kind == Kind::Str).map(|t| src[t.range()].to_string()).collect()
    }

    fn idents(lang: Lang, src: &str) -> Vec<String> {
        let mut out = Vec::new();
        lex(lang, src.as_bytes(), &mut out);
        out.iter().filter(|t| t.kind == Kind::Ident).map(|t| src[t.range()].to_string()).collect()
    }

    #[test]
    fn comments_hide_their_text() {
        assert_eq!(strings(Lang::Js, "// \"FT.SEARCH\"\n/* 'x' */ a('y')"), vec!["y"]);
        assert_eq!(strings(Lang::Python, "# 'FT.SEARCH'\nx = 'y'  # 'z'"), vec!["y"]);
        assert_eq!(strings(Lang::Rust, "/* a /* nested */ 'q' */ f(\"y\")"), vec!["y"]);
        assert_eq!(strings(Lang::Lua, "-- 'x'\n--[[ 'y' ]] redis.call('GET')"), vec!["GET"]);
        assert_eq!(strings(Lang::Ruby, "=begin\n'x'\n=end\ny = 'z'"), vec!["z"]);
        assert_eq!(strings(Lang::Php, "# 'x'\n#[Attr('y')]\n$a = 'z';"), vec!["y", "z"]);
    }

    #[test]
    fn string_forms_per_language() {
        assert_eq!(strings(Lang::Python, "r'a' b\"b\" f'''c\nd''' \"\"\"e\"\"\""), vec!["a", "b", "c\nd", "e"]);
        assert_eq!(strings(Lang::Rust, "r#\"a\"b\"# b\"c\" 'd' fn f<'a>(x: &'a str)"), vec!["a\"b", "c", "d"]);
        assert_eq!(strings(Lang::Go, "x := `raw \"q\"` + \"s\" + 'r'"), vec!["raw \"q\"", "s", "r"]);
        assert_eq!(strings(Lang::Csharp, "@\"a\"\"b\" $\"c{d}\" \"\"\"raw\"\"\""), vec!["a\"\"b", "c{d}", "raw"]);
        assert_eq!(strings(Lang::Java, "\"\"\"\n  text\n  \"\"\" 'c'"), vec!["\n  text\n  ", "c"]);
        assert_eq!(strings(Lang::Js, "`a ${b} c` + 'd'"), vec!["a ${b} c", "d"]);
        assert_eq!(strings(Lang::Lua, "x = [==[long ]] still]==] .. 'y'"), vec!["long ]] still", "y"]);
        assert_eq!(strings(Lang::Php, "$s = <<<EOT\nFT.SEARCH\n  EOT;\n$t = 'x';"), vec!["FT.SEARCH\n", "x"]);
        assert_eq!(strings(Lang::Ruby, "s = <<~SQL\n  q\nSQL\nt = 'x'"), vec!["  q\n", "x"]);
    }

    #[test]
    fn regex_literals_and_division() {
        assert_eq!(strings(Lang::Js, "x = a / b; y = /\"/g; z = 'q'"), vec!["q"]);
        assert_eq!(strings(Lang::Js, "if (/['\"]/.test(s)) f('k')"), vec!["k"]);
    }

    #[test]
    fn unterminated_strings_stop_at_the_line() {
        assert_eq!(strings(Lang::Js, "a = 'oops\nb = 'ok'"), vec!["oops", "ok"]);
        assert_eq!(strings(Lang::Python, "x = \"never closed"), vec!["never closed"]);
    }

    #[test]
    fn member_access_is_one_kind_of_punct() {
        assert_eq!(idents(Lang::Php, "$c->ftsearch('i')"), vec!["$c", "ftsearch"]);
        let mut out = Vec::new();
        lex(Lang::Php, b"$c->f()", &mut out);
        assert!(out[1].is_punct(b'.'));
        lex(Lang::Rust, b"redis::cmd", &mut out);
        assert!(out[1].is_punct(b'.'));
    }

    #[test]
    fn garbage_never_panics() {
        let mut out = Vec::new();
        for lang in
            [Lang::Js, Lang::Python, Lang::Go, Lang::Java, Lang::Csharp, Lang::Ruby, Lang::Php, Lang::Rust, Lang::Lua]
        {
            for src in
                [&b"'"[..], b"\"", b"`", b"/*", b"r#\"", b"<<<", b"<<~A", b"[==[", b"'\\", b"@\"", b"\xff\xfe'\xc3"]
            {
                lex(lang, src, &mut out);
            }
        }
    }
}
