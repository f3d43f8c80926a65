//! Module files and image references written in code: `MODULE LOAD` strings and calls,
//! known module `.so` names, and Testcontainers-style image strings.

use super::super::lexer::Kind;
use super::super::vocab::normalise;
use super::Analysis;
use crate::inventory::{ContainerImage, ImageOrigin, ModuleRef, ModuleRefKind};
use crate::sources::Facts;
use crate::sources::containers::reference;
use memchr::memmem;
use std::ops::Range;

impl Analysis<'_> {
    pub(super) fn module_literal(&mut self, i: usize, base: usize, content: &[u8], out: &mut Facts) {
        let push = |path: &[u8], kind: ModuleRefKind, range: Range<usize>, out: &mut Facts| {
            out.inventory.module_refs.push(ModuleRef {
                path: String::from_utf8_lossy(path).into_owned(),
                kind,
                location: self.src.location(range),
            });
        };
        // "MODULE LOAD /path/x.so" as one string.
        if content.len() > 12 && content[..12].eq_ignore_ascii_case(b"MODULE LOAD ") {
            let path_start = 12 + content[12..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            let len = content[path_start..].iter().take_while(|b| !b.is_ascii_whitespace()).count();
            let path = &content[path_start..path_start + len];
            // A module is loaded from a file: "module load failed: …" in a message is not one.
            let file_like = memmem::find(path, b".so").is_some() || path.contains(&b'/');
            if len > 0 && file_like {
                push(
                    &content[path_start..path_start + len],
                    ModuleRefKind::ModuleLoadCommand,
                    base + path_start..base + path_start + len,
                    out,
                );
                return;
            }
        }
        // "MODULE", "LOAD", "/path/x.so" as separate arguments, or module_load("/path").
        if self.is_module_load_argument(i) {
            push(content, ModuleRefKind::ModuleLoadCommand, base..base + content.len(), out);
            return;
        }
        if memmem::find(content, b".so").is_none() {
            return;
        }
        let lower = content.to_ascii_lowercase();
        for so in &self.vocab.so_names {
            for at in memmem::find_iter(&lower, so.as_bytes()) {
                let end = at + so.len();
                if lower.get(end).is_some_and(|b| b.is_ascii_alphanumeric())
                    || (at > 0 && lower[at - 1].is_ascii_alphanumeric() && lower[at - 1] != b'/')
                {
                    continue;
                }
                // Take the whole path the name ends.
                let start = lower[..at]
                    .iter()
                    .rposition(|b| b.is_ascii_whitespace() || *b == b'=' || *b == b'"')
                    .map_or(0, |p| p + 1);
                let kind = if memmem::find(&lower[..start], b"loadmodule").is_some()
                    || self.previous_string_is(i, b"--loadmodule")
                {
                    ModuleRefKind::LoadmoduleArg
                } else {
                    ModuleRefKind::Mention
                };
                push(&content[start..end], kind, base + start..base + end, out);
            }
        }
    }

    fn previous_string_is(&self, i: usize, text: &[u8]) -> bool {
        i >= 2
            && self.punct_at(i - 1) == Some(b',')
            && self.tokens[i - 2].kind == Kind::Str
            && self.text(i - 2).eq_ignore_ascii_case(text)
    }

    fn is_module_load_argument(&self, i: usize) -> bool {
        if i >= 4
            && self.previous_string_is(i, b"LOAD")
            && self.punct_at(i - 3) == Some(b',')
            && self.tokens[i - 4].kind == Kind::Str
            && self.text(i - 4).eq_ignore_ascii_case(b"MODULE")
        {
            return true;
        }
        // r.module_load("/x.so"), client.moduleLoad("/x.so"), ModuleLoad(...)
        if i >= 2 && self.punct_at(i - 1) == Some(b'(') && self.tokens[i - 2].kind == Kind::Ident {
            let mut buf = [0u8; 64];
            return normalise(self.text(i - 2), &mut buf) == Some("MODULELOAD");
        }
        false
    }

    pub(super) fn image_literal(&mut self, base: usize, content: &[u8], out: &mut Facts) {
        let lower_has = |needle: &[u8]| content.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
        if !(lower_has(b"redis") || lower_has(b"valkey") || lower_has(b"falkordb")) {
            return;
        }
        let Ok(text) = std::str::from_utf8(content) else {
            return;
        };
        let Some(r) = reference::parse(text) else {
            return;
        };
        let name = self.vocab.images.normalise(r.repository);
        // Only images the catalog knows, with a tag that names a version: a bare "redis" string
        // is a name, and "redis:search" a label, not an image.
        let meaningful = self
            .vocab
            .images
            .resolve(&name, r.tag, r.digest.is_some())
            .is_some_and(|res| res.pinning != crate::knowledge::images::Pinning::Unknown);
        if !meaningful || (r.tag.is_none() && r.digest.is_none() && !r.repository.contains('/')) {
            return;
        }
        out.inventory.images.push(ContainerImage {
            image: r.repository.to_string(),
            tag: r.tag.map(str::to_string),
            digest: r.digest.map(str::to_string),
            name,
            origin: ImageOrigin::Code,
            subject: None,
            unresolved: None,
            location: self.src.location(base..base + content.len()),
        });
    }
}
