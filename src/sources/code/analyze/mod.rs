//! From tokens to facts: commands in string literals and in client-API call shapes, module
//! files, and image references in code.

mod artifacts;
mod features;
mod imports;

use super::lexer::{Kind, Token};
use super::vocab::{Namespace, Vocab, normalise};
use crate::inventory::CommandUse;
use crate::knowledge::modules::Lang;
use crate::sources::{Facts, SourceFile};
use memchr::memmem;
use std::ops::Range;

/// Calls that send whatever command their first argument names (`r.execute_command("FT.SEARCH")`,
/// `redis.call('JSON.GET')`, `client.sendCommand(['VADD', …])`, `rdb.Do(ctx, "hexpire", …)`),
/// normalised (upper case, `_` dropped).
const GENERIC_CALLS: &[&str] = &[
    "CALL",
    "PCALL",
    "EXECUTECOMMAND",
    "SENDCOMMAND",
    "SENDCOMMANDASYNC",
    "RAWCOMMAND",
    "EXECUTERAW",
    "DO",
    "EXECUTE",
    "EXECUTEASYNC",
    "CMD",
    "COMMAND",
    "CUSTOMCOMMAND",
    "DOCOMMAND",
];

/// Lua calls inside a script held in a string.
const SCRIPT_CALLS: &[&[u8]] = &[b"redis.call(", b"redis.pcall(", b"server.call(", b"server.pcall("];

/// Methods of RedisJSON that a parsed HTTP body (`response.json()`) also has.
const JSON_BODY_METHODS: &[&str] = &["GET", "CLEAR"];

pub struct Analysis<'a> {
    pub src: &'a SourceFile,
    pub bytes: &'a [u8],
    pub lang: Lang,
    pub vocab: &'a Vocab,
    pub tokens: &'a [Token],
    /// The file names a Redis-protocol server: client-API shapes count.
    pub gated: bool,
    seen: Vec<(usize, u32)>,
    redis_vars: Option<Vec<Range<usize>>>,
    imports: Option<Vec<bool>>,
    aliases: Vec<Alias<'a>>,
    /// Whether the file holds the import marker of any construct (checked once).
    constructs_possible: Option<bool>,
}

struct Alias<'a> {
    name: &'a [u8],
    ns: &'a Namespace,
    defined_at: usize,
    receiver_ok: bool,
    resolved: bool,
}

enum Command {
    Index(usize),
    Wildcard(String),
}

impl<'a> Analysis<'a> {
    pub fn new(src: &'a SourceFile, lang: Lang, vocab: &'a Vocab, tokens: &'a [Token], gated: bool) -> Self {
        Analysis {
            src,
            bytes: src.bytes(),
            lang,
            vocab,
            tokens,
            gated,
            seen: Vec::new(),
            redis_vars: None,
            imports: None,
            aliases: Vec::new(),
            constructs_possible: None,
        }
    }

    pub fn run(mut self, out: &mut Facts) {
        for i in 0..self.tokens.len() {
            let kind = self.tokens[i].kind;
            if self.gated && matches!(kind, Kind::Str | Kind::Ident | Kind::Punct(b'.')) {
                self.features_at(i, out);
            }
            match kind {
                Kind::Str => self.string(i, out),
                Kind::Ident if self.gated => self.ident(i, out),
                _ => {}
            }
        }
        self.resolve_aliases(out);
    }

    fn text(&self, i: usize) -> &'a [u8] {
        &self.bytes[self.tokens[i].range()]
    }

    fn punct_at(&self, i: usize) -> Option<u8> {
        match self.tokens.get(i)?.kind {
            Kind::Punct(b) => Some(b),
            _ => None,
        }
    }

    fn punct_before(&self, i: usize) -> Option<u8> {
        i.checked_sub(1).and_then(|j| self.punct_at(j))
    }

    fn record(&mut self, command: Command, range: Range<usize>, via: Option<String>, out: &mut Facts) {
        let name = match command {
            Command::Index(c) => {
                if self.seen.contains(&(c, range.start as u32)) {
                    return;
                }
                self.seen.push((c, range.start as u32));
                self.vocab.commands[c].name.clone()
            }
            Command::Wildcard(name) => name,
        };
        out.inventory.command_uses.push(CommandUse { command: name, via, location: self.src.location(range) });
    }

    // ---- string literals -------------------------------------------------------------------

    fn string(&mut self, i: usize, out: &mut Facts) {
        let t = self.tokens[i];
        let content = self.text(i);
        if content.is_empty() || content.len() > 1 << 20 {
            return;
        }
        self.command_literal(i, t, content, out);
        if content.len() > 12 && memmem::find(content, b"call(").is_some() {
            self.script_calls(t.start as usize, content, out);
        }
        self.module_literal(i, t.start as usize, content, out);
        if content.len() < 256 && !content.iter().any(u8::is_ascii_whitespace) {
            self.image_literal(t.start as usize, content, out);
        }
    }

    fn command_literal(&mut self, i: usize, t: Token, content: &[u8], out: &mut Facts) {
        let lead = content.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let word_len =
            content[lead..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'.' || **b == b'_').count();
        if word_len == 0 || word_len > 40 {
            return;
        }
        let word = &content[lead..lead + word_len];
        let rest = &content[lead + word_len..];
        if rest.first().is_some_and(|b| !b.is_ascii_whitespace()) {
            return;
        }
        let upper = String::from_utf8_lossy(word).to_ascii_uppercase();
        let Some(c) = self.vocab.command(&upper) else {
            return;
        };
        let entry = &self.vocab.commands[c];
        let exact = lead == 0 && rest.is_empty();
        let upper_written = !word.iter().any(u8::is_ascii_lowercase);
        let context = self.call_context(i);
        // A bare upper-case word is trusted when dotted (`FT.SEARCH`) or in a file that talks to a
        // server: other languages have a `VADD` of their own (a pygments lexer's keyword list).
        let strong = exact && upper_written && !entry.ambiguous && (entry.dotted || self.gated);
        // A weak match (lower case, an ordinary word, or text after the name) needs the shape
        // of a command being sent, and for ordinary words a file that talks to a server too.
        let accept = strong || (context.is_some() && (self.gated || (upper_written && !entry.ambiguous)));
        if accept {
            let start = t.start as usize + lead;
            let via = context.map(|c| format!("{c}(…)"));
            self.record(Command::Index(c), start..start + word_len, via, out);
        }
    }

    /// The generic command-sending call a string is the first argument of (or the first
    /// element of an array passed to it), e.g. `execute_command`, `call`, `Do` after a context.
    fn call_context(&self, i: usize) -> Option<String> {
        let mut depth = 0i32;
        let mut commas = 0;
        let lower = i.saturating_sub(32);
        for j in (lower..i).rev() {
            match self.tokens[j].kind {
                Kind::Punct(b')' | b']' | b'}') => depth += 1,
                // An array literal around the command: it must be the array's first element.
                Kind::Punct(b'[' | b'{') if depth == 0 && commas > 0 => return None,
                Kind::Punct(b'[' | b'{') if depth == 0 => {}
                Kind::Punct(b'(') if depth == 0 => {
                    let callee = j.checked_sub(1).filter(|&k| self.tokens[k].kind == Kind::Ident)?;
                    let name = self.text(callee);
                    let mut buf = [0u8; 64];
                    let norm = normalise(name, &mut buf)?;
                    if !GENERIC_CALLS.contains(&norm) {
                        return None;
                    }
                    // `Do(ctx, "cmd")`: one leading argument is a context, and only a plain name.
                    if commas == 1
                        && !(j + 2 < i && self.tokens[j + 1].kind == Kind::Ident && self.punct_at(j + 2) == Some(b','))
                    {
                        return None;
                    }
                    return Some(String::from_utf8_lossy(name).into_owned());
                }
                Kind::Punct(b'(' | b'[' | b'{') => depth -= 1,
                Kind::Punct(b';') => return None,
                Kind::Punct(b',') if depth == 0 => {
                    commas += 1;
                    if commas > 1 {
                        return None;
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn script_calls(&mut self, base: usize, content: &[u8], out: &mut Facts) {
        for needle in SCRIPT_CALLS {
            for at in memmem::find_iter(content, needle) {
                let mut p = at + needle.len();
                while p < content.len() && (content[p].is_ascii_whitespace() || content[p] == b'\\') {
                    p += 1;
                }
                if !matches!(content.get(p), Some(b'\'' | b'"')) {
                    continue;
                }
                let start = p + 1;
                let len = content[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.' || **b == b'_')
                    .count();
                if len == 0 || !matches!(content.get(start + len), Some(b'\'' | b'"' | b'\\')) {
                    continue;
                }
                let upper = String::from_utf8_lossy(&content[start..start + len]).to_ascii_uppercase();
                if let Some(c) = self.vocab.command(&upper) {
                    let via = format!("{} in a script", String::from_utf8_lossy(&needle[..needle.len() - 1]));
                    self.record(Command::Index(c), base + start..base + start + len, Some(via), out);
                }
            }
        }
    }

    // ---- identifiers: client APIs ----------------------------------------------------------

    fn ident(&mut self, i: usize, out: &mut Facts) {
        let word = self.text(i);
        let prev = self.punct_before(i);
        let next = self.punct_at(i + 1);
        if self.constructs_possible()
            && let Ok(name) = std::str::from_utf8(word)
            && let Some(list) = self.vocab.constructs.get(name)
        {
            for &ci in list {
                self.construct(ci, i, prev, next, out);
            }
        }
        if prev != Some(b'.') || self.lang == Lang::Lua {
            return;
        }
        let mut buf = [0u8; 64];
        let Some(norm) = normalise(word, &mut buf) else {
            return;
        };
        if let Some(ns) =
            (norm.len() <= self.vocab.longest_namespace).then(|| self.vocab.namespaces.get(norm)).flatten()
        {
            let call_style = matches!(self.lang, Lang::Python | Lang::Csharp);
            if call_style && next == Some(b'(') {
                self.namespace_call(i, ns, out);
                return;
            }
            if self.lang == Lang::Js && next == Some(b'.') {
                self.namespace_property(i, ns, out);
                return;
            }
        }
        if next != Some(b'(') {
            return;
        }
        let via = Some(format!("{}()", String::from_utf8_lossy(word)));
        if let Some(c) = self.vocab.alias(self.lang, norm) {
            self.record(Command::Index(c), self.tokens[i].range(), via, out);
        } else if let Some(c) = self.vocab.fused(norm) {
            self.record(Command::Index(c), self.tokens[i].range(), via, out);
        }
    }

    /// `r.ft("idx").search(…)` (redis-py), `db.FT().Search(…)` (NRedisStack).
    fn namespace_call(&mut self, i: usize, ns: &'a Namespace, out: &mut Facts) {
        let Some(close) = self.matching_close(i + 1) else {
            return;
        };
        if let Some((m, c)) = self.method_after(close + 1, ns) {
            if ns.ambiguous && JSON_BODY_METHODS.contains(&self.normalised(m).as_str()) && !self.receiver_is_redis(i) {
                return;
            }
            let via = format!("{}().{}", String::from_utf8_lossy(self.text(i)), String::from_utf8_lossy(self.text(m)));
            self.record(Command::Index(c), self.tokens[m].range(), Some(via), out);
            return;
        }
        if let Some(name) = self.assigned_name(i) {
            let receiver_ok = !ns.ambiguous || self.receiver_is_redis(i);
            self.aliases.push(Alias { name, ns, defined_at: i, receiver_ok, resolved: false });
            return;
        }
        if !ns.ambiguous {
            let via = format!("{}()", String::from_utf8_lossy(self.text(i)));
            self.record(Command::Wildcard(format!("{}.*", ns.family)), self.tokens[i].range(), Some(via), out);
        }
    }

    /// `client.ft.search(…)`, `client.json.set(…)` (node-redis).
    fn namespace_property(&mut self, i: usize, ns: &'a Namespace, out: &mut Facts) {
        if let Some((m, c)) = self.method_after(i + 1, ns) {
            let via = format!("{}.{}", String::from_utf8_lossy(self.text(i)), String::from_utf8_lossy(self.text(m)));
            self.record(Command::Index(c), self.tokens[m].range(), Some(via), out);
        }
    }

    /// At `.`: a method call `.name(` whose name is one of the namespace's commands.
    fn method_after(&self, dot: usize, ns: &Namespace) -> Option<(usize, usize)> {
        if self.punct_at(dot) != Some(b'.')
            || self.tokens.get(dot + 1)?.kind != Kind::Ident
            || self.punct_at(dot + 2) != Some(b'(')
        {
            return None;
        }
        let m = dot + 1;
        let mut buf = [0u8; 64];
        let norm = normalise(self.text(m), &mut buf)?;
        self.vocab.method(ns, norm).map(|c| (m, c))
    }

    fn normalised(&self, i: usize) -> String {
        let mut buf = [0u8; 64];
        normalise(self.text(i), &mut buf).unwrap_or_default().to_string()
    }

    fn matching_close(&self, open: usize) -> Option<usize> {
        if self.punct_at(open) != Some(b'(') {
            return None;
        }
        let mut depth = 0;
        for j in open..self.tokens.len().min(open + 4096) {
            match self.tokens[j].kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn matching_open(&self, close: usize) -> Option<usize> {
        let mut depth = 0;
        for j in (close.saturating_sub(4096)..=close).rev() {
            match self.tokens[j].kind {
                Kind::Punct(b')') => depth += 1,
                Kind::Punct(b'(') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// `idx = r.ft("idx")`, `var ft = db.FT();`, `ft := …`: the name the namespace is kept in.
    fn assigned_name(&self, i: usize) -> Option<&'a [u8]> {
        // Walk back over the receiver chain `a.b(c).d` to the start of the expression.
        let mut j = i;
        loop {
            let prev = j.checked_sub(1)?;
            match self.tokens[prev].kind {
                Kind::Punct(b'.') | Kind::Ident => j = prev,
                Kind::Punct(b')') => j = self.matching_open(prev)?,
                _ => break,
            }
        }
        let eq = j.checked_sub(1)?;
        if self.punct_at(eq) != Some(b'=') || matches!(self.punct_before(eq), Some(b'=' | b'!' | b'<' | b'>')) {
            return None;
        }
        let mut name = eq.checked_sub(1)?;
        if self.punct_at(name) == Some(b':') {
            name = name.checked_sub(1)?;
        }
        (self.tokens[name].kind == Kind::Ident).then(|| self.text(name))
    }

    fn resolve_aliases(&mut self, out: &mut Facts) {
        for a in 0..self.aliases.len() {
            let (name, ns, from) = (self.aliases[a].name, self.aliases[a].ns, self.aliases[a].defined_at);
            for j in from + 1..self.tokens.len() {
                if self.tokens[j].kind != Kind::Ident || self.text(j) != name || self.punct_before(j) == Some(b'.') {
                    continue;
                }
                if let Some((m, c)) = self.method_after(j + 1, ns) {
                    if ns.ambiguous
                        && !self.aliases[a].receiver_ok
                        && JSON_BODY_METHODS.contains(&self.normalised(m).as_str())
                    {
                        continue;
                    }
                    let via = format!("{}.{}", String::from_utf8_lossy(name), String::from_utf8_lossy(self.text(m)));
                    self.record(Command::Index(c), self.tokens[m].range(), Some(via), out);
                    self.aliases[a].resolved = true;
                }
            }
            if !self.aliases[a].resolved && !ns.ambiguous {
                let via = format!("{}()", String::from_utf8_lossy(self.text(from)));
                self.record(Command::Wildcard(format!("{}.*", ns.family)), self.tokens[from].range(), Some(via), out);
            }
        }
    }

    /// Whether the object a namespace is called on is a Redis client: its name says so, or the
    /// file assigns it from something that does (`r = redis.Redis(…)`, `client: Redis`).
    fn receiver_is_redis(&mut self, ns: usize) -> bool {
        let Some(mut r) = ns.checked_sub(2) else {
            return false;
        };
        if self.punct_at(r) == Some(b')') {
            match self.matching_open(r).and_then(|o| o.checked_sub(1)) {
                Some(o) => r = o,
                None => return false,
            }
        }
        if self.tokens[r].kind != Kind::Ident {
            return false;
        }
        let name = self.text(r);
        if looks_redis(name) {
            return true;
        }
        let bytes = self.bytes;
        self.redis_vars().iter().any(|v| &bytes[v.clone()] == name)
    }

    fn redis_vars(&mut self) -> &[Range<usize>] {
        if self.redis_vars.is_none() {
            let mut vars = Vec::new();
            for k in 0..self.tokens.len().saturating_sub(2) {
                if self.tokens[k].kind != Kind::Ident {
                    continue;
                }
                let next = self.punct_at(k + 1);
                let rhs_start = match next {
                    Some(b'=') if self.punct_at(k + 2) != Some(b'=') => self.tokens[k + 1].end as usize,
                    // A typed name: `client: Redis`, `r: redis.Redis`.
                    Some(b':') if self.tokens[k + 2].kind == Kind::Ident => self.tokens[k + 1].end as usize,
                    _ => continue,
                };
                let line_end =
                    memchr::memchr(b'\n', &self.bytes[rhs_start..]).map_or(self.bytes.len(), |e| rhs_start + e);
                let rhs = &self.bytes[rhs_start..line_end];
                let rhs = if next == Some(b':') {
                    &rhs[..rhs.iter().position(|b| *b == b',' || *b == b')' || *b == b'=').unwrap_or(rhs.len())]
                } else {
                    rhs
                };
                if looks_redis(rhs) {
                    vars.push(self.tokens[k].range());
                }
            }
            self.redis_vars = Some(vars);
        }
        self.redis_vars.as_deref().unwrap_or_default()
    }

    // ---- constructs: object mappers and libraries on top of the modules -------------------

    fn constructs_possible(&mut self) -> bool {
        *self.constructs_possible.get_or_insert_with(|| {
            self.vocab.modules.constructs.iter().any(|c| {
                c.lang.contains(&self.lang)
                    && c.markers.iter().any(|m| memmem::find(self.bytes, m.as_bytes()).is_some())
            })
        })
    }

    fn construct(&mut self, ci: usize, i: usize, prev: Option<u8>, next: Option<u8>, out: &mut Facts) {
        let modules = self.vocab.modules.clone();
        let c = &modules.constructs[ci];
        if !c.lang.contains(&self.lang) || !Vocab::construct_shape_ok(c.shape, prev, next) {
            return;
        }
        if !c.markers.iter().any(|m| super::lexer::occurs_in_code(self.bytes, self.tokens, m.as_bytes()))
            || self.in_import(i)
        {
            return;
        }
        for cmd in &c.commands {
            if let Some(idx) = self.vocab.command(cmd) {
                self.record(Command::Index(idx), self.tokens[i].range(), Some(format!("{} {}", c.client, c.name)), out);
            }
        }
    }

    fn in_import(&mut self, i: usize) -> bool {
        if self.imports.is_none() {
            self.imports = Some(imports::import_mask(self.lang, self.bytes, self.tokens, self.src.line_index()));
        }
        self.imports.as_ref().is_some_and(|m| m[i])
    }
}

fn looks_redis(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    memmem::find(&lower, b"redis").is_some() || memmem::find(&lower, b"valkey").is_some() || lower == b"rdb"
}
