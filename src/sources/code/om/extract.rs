//! One file's half of the object-mapper facts: the models it defines, the names it imports
//! from local modules, and the calls it makes on those names.

use super::{Call, Links, Model, Origin, Subclass};
use crate::knowledge::modules::{Lang, Mapper};
use crate::sources::SourceFile;
use crate::sources::code::lexer::{Kind, Token, occurs_in_code};
use crate::sources::code::vocab::Vocab;
use std::collections::HashMap;

struct File<'a> {
    src: &'a SourceFile,
    bytes: &'a [u8],
    tokens: &'a [Token],
    lang: Lang,
    mappers: Vec<(usize, &'a Mapper)>,
}

impl<'a> File<'a> {
    fn text(&self, i: usize) -> &'a [u8] {
        &self.bytes[self.tokens[i].range()]
    }

    fn word(&self, i: usize) -> &'a str {
        std::str::from_utf8(self.text(i)).unwrap_or("")
    }

    fn is_ident(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == Kind::Ident)
    }

    fn punct(&self, i: usize) -> Option<u8> {
        match self.tokens.get(i)?.kind {
            Kind::Punct(b) => Some(b),
            _ => None,
        }
    }

    fn first_on_line(&self, i: usize) -> bool {
        let start = self.tokens[i].start as usize;
        self.bytes[..start].iter().rev().take_while(|b| **b != b'\n').all(|b| b.is_ascii_whitespace())
    }

    fn has_marker(&self, m: &Mapper) -> bool {
        m.markers.iter().any(|k| occurs_in_code(self.bytes, self.tokens, k.as_bytes()))
    }

    /// Whether some mapper of this language knows `method`: calls on anything else are not kept.
    fn known_method(&self, method: &str) -> bool {
        self.mappers.iter().any(|(_, m)| {
            m.calls.iter().any(|c| if c.prefix { method.starts_with(&c.method) } else { method == c.method })
        })
    }

    /// `name.method(` at `i` (the name), when the name is a plain name, not a member.
    fn member_call(&self, i: usize) -> Option<usize> {
        let plain = i == 0 || self.punct(i - 1) != Some(b'.');
        (plain && self.punct(i + 1) == Some(b'.') && self.is_ident(i + 2) && self.punct(i + 3) == Some(b'('))
            .then_some(i + 2)
    }

    /// The call of method token `m` on `name`.
    fn call(&self, m: usize, name: &str, origin: Origin) -> Call {
        Call {
            lang: self.lang,
            name: name.to_string(),
            method: self.word(m).to_string(),
            origin,
            location: self.src.location(self.tokens[m].range()),
        }
    }
}

/// Records what `tokens` (the lexed `src`) define and call for the object mappers of `lang`.
pub fn extract(src: &SourceFile, lang: Lang, tokens: &[Token], vocab: &Vocab, out: &mut Links) {
    let mappers: Vec<(usize, &Mapper)> =
        vocab.modules.mappers.iter().enumerate().filter(|(_, m)| m.lang.contains(&lang)).collect();
    if mappers.is_empty() {
        return;
    }
    let file = File { src, bytes: src.bytes(), tokens, lang, mappers };
    match lang {
        Lang::Python => python(&file, out),
        Lang::Js => js(&file, out),
        Lang::Java => java(&file, out),
        _ => {}
    }
}

/// Local name → (the name in the module it comes from, where that module is).
type Imports<'a> = HashMap<&'a str, (&'a str, Origin)>;

/// `Name.method(` for the methods the object mappers know, where `Name` is defined in this
/// file (`local`) or imported, and its token passes `receiver`.
fn member_calls<'a>(
    f: &File<'a>,
    local: &[&'a str],
    imports: &Imports<'a>,
    receiver: impl Fn(usize) -> bool,
    out: &mut Links,
) {
    for i in 0..f.tokens.len() {
        if !f.is_ident(i) || !receiver(i) {
            continue;
        }
        let Some(m) = f.member_call(i) else { continue };
        if !f.known_method(f.word(m)) {
            continue;
        }
        let name = f.word(i);
        let (name, origin) = if local.contains(&name) {
            (name, Origin::SameFile)
        } else if let Some((original, o)) = imports.get(name) {
            (*original, o.clone())
        } else {
            continue;
        };
        out.calls.push(f.call(m, name, origin));
    }
}

// ---- Python ------------------------------------------------------------------------------

fn python(f: &File, out: &mut Links) {
    let rel = &f.src.rel;
    let mut imports: Imports = HashMap::new();
    let mut classes: Vec<&str> = Vec::new();
    let n = f.tokens.len();
    let mut i = 0;
    while i < n {
        if f.is_ident(i) && f.first_on_line(i) {
            match f.text(i) {
                b"class" if f.is_ident(i + 1) => {
                    let name = f.word(i + 1);
                    classes.push(name);
                    for base in python_bases(f, i + 2) {
                        let model = f
                            .mappers
                            .iter()
                            .find_map(|(mi, m)| m.bases.get(base).filter(|_| f.has_marker(m)).map(|kind| (*mi, kind)));
                        match model {
                            Some((mapper, kind)) => out.models.push(Model {
                                mapper,
                                name: name.to_string(),
                                kind: kind.clone(),
                                file: rel.clone(),
                            }),
                            None if base.starts_with(|c: char| c.is_ascii_uppercase()) => out
                                .subclasses
                                .push(Subclass { name: name.to_string(), base: base.to_string(), file: rel.clone() }),
                            None => {}
                        }
                    }
                }
                b"from" => {
                    i = python_from_import(f, i, &mut imports);
                    continue;
                }
                _ => {}
            }
        }
        i += 1;
    }
    // Model classes are capitalised: `Product.find(…)`.
    member_calls(f, &classes, &imports, |i| f.text(i).first().is_some_and(u8::is_ascii_uppercase), out);
}

/// The base class names of `class X(A, mod.B, metaclass=M, index=True):` from the `(`.
fn python_bases<'a>(f: &File<'a>, open: usize) -> Vec<&'a str> {
    let mut bases = Vec::new();
    if f.punct(open) != Some(b'(') {
        return bases;
    }
    let mut depth = 0;
    let mut j = open;
    while j < f.tokens.len() {
        match f.tokens[j].kind {
            Kind::Punct(b'(' | b'[') => depth += 1,
            Kind::Punct(b')' | b']') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            // The last name of a dotted base, when it is a whole argument (not `k=v`, not `[T]`).
            Kind::Ident
                if depth == 1
                    && f.punct(j + 1) != Some(b'.')
                    && f.punct(j + 1) != Some(b'=')
                    && matches!(f.punct(j + 1), Some(b',' | b')')) =>
            {
                bases.push(f.word(j))
            }
            _ => {}
        }
        j += 1;
    }
    bases
}

/// `from .models import Listing, Agent as A` / `from app.models import (X, Y)`: records the
/// module each local name comes from. Returns the index after the statement.
fn python_from_import<'a>(f: &File<'a>, from: usize, imports: &mut Imports<'a>) -> usize {
    let mut j = from + 1;
    let mut level = 0;
    while f.punct(j) == Some(b'.') {
        level += 1;
        j += 1;
    }
    let mut module: Vec<&str> = Vec::new();
    while f.is_ident(j) && f.text(j) != b"import" {
        module.push(f.word(j));
        j += 1;
        if f.punct(j) == Some(b'.') {
            j += 1;
        }
    }
    if !(f.is_ident(j) && f.text(j) == b"import") {
        return j.max(from + 1);
    }
    j += 1;
    let paren = f.punct(j) == Some(b'(');
    if paren {
        j += 1;
    }
    let origin = python_origin(&f.src.rel, level, &module);
    let line_of = |k: usize| f.src.line_index().position(f.bytes, f.tokens[k].start as usize).0;
    let line = line_of(from);
    while j < f.tokens.len() && f.is_ident(j) {
        if !paren && line_of(j) != line {
            break;
        }
        let original = f.word(j);
        let mut local = original;
        if f.is_ident(j + 1) && f.text(j + 1) == b"as" && f.is_ident(j + 2) {
            local = f.word(j + 2);
            j += 2;
        }
        if let Some(o) = &origin {
            imports.insert(local, (original, o.clone()));
        }
        j += 1;
        if f.punct(j) == Some(b',') {
            j += 1;
        }
    }
    j
}

/// The files a Python module may be: `pkg/mod.py` or `pkg/mod/__init__.py`, relative to the
/// importing file for `from .` imports; path suffixes for absolute ones.
fn python_origin(rel: &str, level: usize, module: &[&str]) -> Option<Origin> {
    if module.is_empty() && level == 0 {
        return None;
    }
    let path = module.join("/");
    if level == 0 {
        return Some(Origin::Suffixes(vec![format!("{path}.py"), format!("{path}/__init__.py"), format!("{path}/")]));
    }
    let mut base = crate::location::parent_dir(rel).to_string();
    for _ in 1..level {
        base = crate::location::parent_dir(&base).to_string();
    }
    let target = if path.is_empty() { base } else { crate::location::join_relative(&base, &path)? };
    Some(Origin::Files(vec![format!("{target}.py"), format!("{target}/__init__.py"), format!("{target}/")]))
}

// ---- JavaScript / TypeScript -------------------------------------------------------------

fn js(f: &File, out: &mut Links) {
    let rel = &f.src.rel;
    let mut imports: Imports = HashMap::new();
    let mut handles: Vec<&str> = Vec::new();
    let hash = f.tokens.iter().any(|t| t.kind == Kind::Str && &f.bytes[t.range()] == b"HASH");
    let kind = if hash { "hash" } else { "json" };
    let n = f.tokens.len();
    for i in 0..n {
        if !f.is_ident(i) {
            continue;
        }
        match f.text(i) {
            b"import" if f.first_on_line(i) => js_import(f, i, &mut imports),
            b"require" if f.punct(i + 1) == Some(b'(') => js_require(f, i, &mut imports),
            _ => {
                let word = f.word(i);
                if f.punct(i + 1) != Some(b'(') {
                    continue;
                }
                for (mi, m) in &f.mappers {
                    if m.factories.iter().any(|x| x == word)
                        && f.has_marker(m)
                        && let Some(name) = assigned_name(f, i)
                    {
                        handles.push(name);
                        out.models.push(Model {
                            mapper: *mi,
                            name: name.to_string(),
                            kind: kind.to_string(),
                            file: rel.clone(),
                        });
                    }
                }
            }
        }
    }
    member_calls(f, &handles, &imports, |_| true, out);
}

/// `name = [await] [new] a.b.factory(` at the factory name: the name assigned.
fn assigned_name<'a>(f: &File<'a>, factory: usize) -> Option<&'a str> {
    let mut j = factory;
    while j >= 2 && f.punct(j - 1) == Some(b'.') && f.is_ident(j - 2) {
        j -= 2;
    }
    while j >= 1 && f.is_ident(j - 1) && matches!(f.text(j - 1), b"new" | b"await") {
        j -= 1;
    }
    let eq = j.checked_sub(1)?;
    if f.punct(eq) != Some(b'=') || f.punct(eq + 1) == Some(b'=') {
        return None;
    }
    let mut name = eq.checked_sub(1)?;
    // `const repo: Repository<Album> = …`: step back over the type annotation.
    if f.punct(name) == Some(b'>') || (f.is_ident(name) && name >= 2 && f.punct(name - 1) == Some(b':')) {
        let colon = (0..name).rev().take(12).find(|&k| f.punct(k) == Some(b':'))?;
        name = colon.checked_sub(1)?;
    }
    if !f.is_ident(name) || (name > 0 && f.punct(name - 1) == Some(b'.')) {
        return None;
    }
    Some(f.word(name))
}

/// The files a relative module specifier may be (`./om/listing` → `om/listing.ts`, …).
fn js_origin(rel: &str, spec: &str) -> Option<Origin> {
    if !spec.starts_with('.') {
        return None;
    }
    let target = crate::location::join_relative(crate::location::parent_dir(rel), spec)?;
    let stem = target
        .strip_suffix(".js")
        .or_else(|| target.strip_suffix(".mjs"))
        .or_else(|| target.strip_suffix(".cjs"))
        .unwrap_or(&target)
        .to_string();
    let mut files = vec![target.clone()];
    for ext in ["js", "ts", "mjs", "cjs", "mts", "cts", "jsx", "tsx"] {
        files.push(format!("{stem}.{ext}"));
        files.push(format!("{target}/index.{ext}"));
    }
    Some(Origin::Files(files))
}

/// `import { a, b as c } from './x'` (named imports only: a default import names nothing the
/// defining file can be matched on).
fn js_import<'a>(f: &File<'a>, at: usize, imports: &mut Imports<'a>) {
    let mut j = at + 1;
    let mut names: Vec<(&str, &str)> = Vec::new();
    let mut in_braces = false;
    while j < f.tokens.len() && j < at + 200 {
        match f.tokens[j].kind {
            Kind::Punct(b'{') => in_braces = true,
            Kind::Punct(b'}') => in_braces = false,
            Kind::Ident if in_braces => {
                if f.is_ident(j + 1) && f.text(j + 1) == b"as" && f.is_ident(j + 2) {
                    names.push((f.word(j + 2), f.word(j)));
                    j += 2;
                } else if f.text(j) != b"type" {
                    names.push((f.word(j), f.word(j)));
                }
            }
            Kind::Str => {
                if let Some(origin) = js_origin(&f.src.rel, f.word(j)) {
                    for (local, original) in names {
                        imports.insert(local, (original, origin.clone()));
                    }
                }
                return;
            }
            Kind::Punct(b';') => return,
            _ => {}
        }
        j += 1;
    }
}

/// `const { a, b: c } = require('./x')`.
fn js_require<'a>(f: &File<'a>, at: usize, imports: &mut Imports<'a>) {
    let Some(origin) =
        f.tokens.get(at + 2).filter(|t| t.kind == Kind::Str).and_then(|_| js_origin(&f.src.rel, f.word(at + 2)))
    else {
        return;
    };
    if at < 2 || f.punct(at - 1) != Some(b'=') || f.punct(at - 2) != Some(b'}') {
        return;
    }
    let mut j = at - 2;
    let mut names = Vec::new();
    while j > 0 {
        j -= 1;
        match f.tokens[j].kind {
            Kind::Punct(b'{') => break,
            // `{ a, b: c }`: `c` is the local name of `b`.
            Kind::Ident if matches!(f.punct(j + 1), Some(b',' | b'}')) => {
                let original =
                    if j >= 2 && f.punct(j - 1) == Some(b':') && f.is_ident(j - 2) { f.word(j - 2) } else { f.word(j) };
                names.push((f.word(j), original));
            }
            _ => {}
        }
    }
    for (local, original) in names {
        imports.insert(local, (original, origin.clone()));
    }
}

// ---- Java / Kotlin -----------------------------------------------------------------------

fn java(f: &File, out: &mut Links) {
    let rel = &f.src.rel;
    let n = f.tokens.len();
    // `interface Listings extends RedisDocumentRepository<Listing, String>` (Kotlin: `: Base<…>`).
    for i in 0..n.saturating_sub(3) {
        if !(f.is_ident(i) && f.text(i) == b"interface" && f.is_ident(i + 1)) {
            continue;
        }
        let name = f.word(i + 1);
        let mut j = i + 2;
        while j < n && j < i + 40 && f.punct(j) != Some(b'{') {
            if f.is_ident(j) {
                let base = f.word(j);
                for (mi, m) in &f.mappers {
                    if let Some(kind) = m.bases.get(base).filter(|_| f.has_marker(m)) {
                        out.models.push(Model {
                            mapper: *mi,
                            name: name.to_string(),
                            kind: kind.clone(),
                            file: rel.clone(),
                        });
                    }
                }
            }
            j += 1;
        }
    }
    // Variables by declared type: `ListingRepository listings;`, `val listings: ListingRepository`.
    let mut typed: HashMap<&str, &str> = HashMap::new();
    for i in 0..n.saturating_sub(2) {
        if !f.is_ident(i) || !f.is_ident(i + 1) {
            if f.is_ident(i) && f.punct(i + 1) == Some(b':') && f.is_ident(i + 2) {
                let ty = f.word(i + 2);
                if ty.starts_with(|c: char| c.is_ascii_uppercase()) {
                    typed.insert(f.word(i), ty);
                }
            }
            continue;
        }
        let (ty, var) = (f.word(i), f.word(i + 1));
        if ty.starts_with(|c: char| c.is_ascii_uppercase())
            && var.starts_with(|c: char| c.is_ascii_lowercase())
            && matches!(f.punct(i + 2), Some(b';' | b',' | b')' | b'='))
        {
            typed.insert(var, ty);
        }
    }
    for i in 0..n {
        if !f.is_ident(i) {
            continue;
        }
        // `this.listings.findByCity(` as well as `listings.findByCity(`.
        let plain_or_this = i < 2 || f.punct(i - 1) != Some(b'.') || f.text(i - 2) == b"this";
        if !(plain_or_this && f.punct(i + 1) == Some(b'.') && f.is_ident(i + 2) && f.punct(i + 3) == Some(b'(')) {
            continue;
        }
        let m = i + 2;
        if !f.known_method(f.word(m)) {
            continue;
        }
        if let Some(ty) = typed.get(f.word(i)) {
            out.calls.push(f.call(m, ty, Origin::Type));
        }
    }
}
