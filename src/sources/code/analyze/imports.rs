//! Which tokens belong to import statements, where a name is declared rather than used.

use super::super::lexer::{Kind, Token};
use crate::knowledge::modules::Lang;
use crate::location::LineIndex;

fn first_on_line(bytes: &[u8], start: usize) -> bool {
    bytes[..start].iter().rev().take_while(|b| **b != b'\n').all(|b| b.is_ascii_whitespace())
}

/// Marks the tokens that belong to import statements, where a name is declared, not used.
pub(super) fn import_mask(lang: Lang, bytes: &[u8], tokens: &[Token], lines: &LineIndex) -> Vec<bool> {
    let mut mask = vec![false; tokens.len()];
    let text = |i: usize| &bytes[tokens[i].range()];
    let line_of = |i: usize| lines.position(bytes, tokens[i].start as usize).0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let keyword = t.kind == Kind::Ident && first_on_line(bytes, t.start as usize);
        let word = text(i);
        let starts = keyword
            && match lang {
                Lang::Js => {
                    word == b"import" && !tokens.get(i + 1).is_some_and(|n| n.is_punct(b'(') || n.is_punct(b'.'))
                }
                Lang::Python => word == b"import" || word == b"from",
                Lang::Java | Lang::Go => word == b"import" || word == b"package",
                Lang::Csharp => word == b"using" && tokens.get(i + 1).is_some_and(|n| n.kind == Kind::Ident),
                Lang::Rust | Lang::Php => word == b"use",
                Lang::Ruby | Lang::Lua => word == b"require" || word == b"require_relative",
            };
        // `require('x')` anywhere on a line makes the line a declaration (CommonJS).
        let require_line =
            lang == Lang::Js && word == b"require" && tokens.get(i + 1).is_some_and(|n| n.is_punct(b'('));
        if require_line {
            let line = line_of(i);
            let mut s = i;
            while s > 0 && line_of(s - 1) == line {
                s -= 1;
            }
            let mut e = i;
            while e < tokens.len() && line_of(e) == line {
                mask[e] = true;
                e += 1;
            }
            mask[s..i].iter_mut().for_each(|m| *m = true);
            i = e;
            continue;
        }
        if !starts {
            i += 1;
            continue;
        }
        let line = line_of(i);
        let mut depth = 0i32;
        let mut j = i;
        while j < tokens.len() {
            mask[j] = true;
            match tokens[j].kind {
                Kind::Punct(b'(' | b'{') => depth += 1,
                Kind::Punct(b')' | b'}') => depth -= 1,
                Kind::Punct(b';') if depth <= 0 => break,
                Kind::Str if lang == Lang::Js && depth <= 0 && j > i => break,
                _ => {}
            }
            if depth <= 0
                && j + 1 < tokens.len()
                && line_of(j + 1) != line
                && !matches!(tokens[j].kind, Kind::Punct(b',' | b'{' | b'('))
            {
                break;
            }
            j += 1;
        }
        i = j + 1;
    }
    mask
}
