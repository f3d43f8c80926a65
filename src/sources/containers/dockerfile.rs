//! Dockerfiles: the images of every `FROM` (multi-stage, `--platform`, tags from `ARG`s
//! declared before the first `FROM`), `COPY --from=<image>`, and module files that `RUN`,
//! `CMD`, `ENTRYPOINT` or `COPY` lines load or ship.

use super::Ctx;
use crate::findings::Finding;
use crate::inventory::ImageOrigin;
use crate::scan::codes;
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use std::collections::HashMap;

pub struct DockerfileParser;

pub fn is_dockerfile(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

impl SourceParser for DockerfileParser {
    fn id(&self) -> &'static str {
        "dockerfile"
    }

    fn claim(&self, _rel_path: &str, file_name: &str) -> Claim {
        if is_dockerfile(file_name) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, pcx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else {
            return;
        };
        let Some(cx) = Ctx::new(src, pcx, out) else {
            return;
        };
        read(&cx, text, out);
    }
}

/// One instruction after joining continuation lines: its first line, and its text.
struct Instruction {
    line: u32,
    /// Byte offset of the instruction's first character.
    start: usize,
    text: String,
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut escape = '\\';
    // Parser directives come first, as `# directive=value` comments.
    for line in text.lines() {
        let Some(d) = line.trim().strip_prefix('#') else {
            break;
        };
        if let Some((k, v)) = d.split_once('=')
            && k.trim().eq_ignore_ascii_case("escape")
        {
            escape = v.trim().chars().next().unwrap_or('\\');
        }
    }
    let mut out = Vec::new();
    let mut current: Option<Instruction> = None;
    let mut heredoc: Option<String> = None;
    let mut offset = 0usize;
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(end) = &heredoc {
            if let Some(cur) = current.as_mut() {
                cur.text.push('\n');
                cur.text.push_str(line);
            }
            if line.trim() == end {
                heredoc = None;
                out.extend(current.take());
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
            continue;
        }
        let cur = current.get_or_insert_with(|| Instruction {
            line: n as u32 + 1,
            start: line_start + (line.len() - trimmed.len()),
            text: String::new(),
        });
        let (body, continues) = match trimmed.trim_end().strip_suffix(escape) {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        if !cur.text.is_empty() {
            cur.text.push(' ');
        }
        cur.text.push_str(body);
        // `RUN <<EOF` … `EOF`: the body belongs to the instruction.
        if let Some(i) = body.find("<<") {
            let id: String = body[i + 2..]
                .trim_start_matches('-')
                .trim_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !id.is_empty() {
                heredoc = Some(id);
                continue;
            }
        }
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

fn read(cx: &Ctx, text: &str, out: &mut Facts) {
    let mut global_args: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut seen_from = false;
    for ins in instructions(text) {
        let mut words = ins.text.split_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        match keyword.to_ascii_uppercase().as_str() {
            "ARG" if !seen_from => {
                for decl in &rest {
                    // `ARG NAME` without a default leaves `${NAME}` unresolved, and says so.
                    if let Some((k, v)) = decl.split_once('=') {
                        global_args.insert(k.to_string(), v.trim_matches(['"', '\'']).to_string());
                    }
                }
            }
            "FROM" => {
                seen_from = true;
                let args: Vec<&&str> = rest.iter().filter(|w| !w.starts_with("--")).collect();
                let Some(image) = args.first() else {
                    out.diagnostic(
                        Finding::new(codes::UNPARSABLE, cx.src.line_location(ins.line), "FROM without an image")
                            .help("a FROM line names the base image: `FROM redis:7.2-alpine`"),
                    );
                    continue;
                };
                let stage_name = match (args.get(1), args.get(2)) {
                    (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => Some(name.to_string()),
                    _ => None,
                };
                let subject = format!("stage {}", stage_name.clone().unwrap_or_else(|| stages.len().to_string()));
                from_image(cx, &ins, image, &global_args, &stages, subject, out);
                stages.push(stage_name.unwrap_or_default().to_ascii_lowercase());
            }
            "COPY" | "ADD" => {
                if let Some(from) = rest.iter().find_map(|w| w.strip_prefix("--from=")) {
                    let is_stage = stages.iter().any(|s| s.eq_ignore_ascii_case(from))
                        || from.parse::<usize>().is_ok_and(|n| n < stages.len());
                    if !is_stage {
                        from_image(cx, &ins, from, &global_args, &[], "COPY --from".into(), out);
                    }
                }
                module_words(cx, &ins, out);
            }
            "RUN" | "CMD" | "ENTRYPOINT" => module_words(cx, &ins, out),
            _ => {}
        }
    }
}

fn from_image(
    cx: &Ctx,
    ins: &Instruction,
    image: &str,
    args: &HashMap<String, String>,
    stages: &[String],
    subject: String,
    out: &mut Facts,
) {
    if image.eq_ignore_ascii_case("scratch") || stages.iter().any(|s| !s.is_empty() && s.eq_ignore_ascii_case(image)) {
        return;
    }
    // Point at the image as written on the instruction's first line when it is there.
    let first_line = cx.src.line_index().line_range(cx.src.bytes(), ins.line).unwrap_or(ins.start..ins.start);
    let line_text = &cx.src.bytes()[first_line.clone()];
    let location = match memchr::memmem::find(line_text, image.as_bytes()) {
        Some(i) => cx.src.location(first_line.start + i..first_line.start + i + image.len()),
        None => cx.src.line_location(ins.line),
    };
    let (resolved, unresolved) = super::interpolate(image, args);
    // A stage name reached through an ARG (`FROM ${BASE}`) is a stage, not an image.
    if stages.iter().any(|s| !s.is_empty() && s.eq_ignore_ascii_case(&resolved)) {
        return;
    }
    let (fact, _) =
        super::image_fact(&cx.images, &resolved, unresolved, location, ImageOrigin::Dockerfile, Some(subject));
    out.inventory.images.push(fact);
}

fn module_words(cx: &Ctx, ins: &Instruction, out: &mut Facts) {
    if !ins.text.contains(".so") && !ins.text.contains("loadmodule") {
        return;
    }
    let words: Vec<&str> = super::split_words(&ins.text).collect();
    cx.module_words(&words, |_| cx.src.line_location(ins.line), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_heredocs() {
        let text = "# escape=\\\nFROM redis:7 AS base\nRUN apt-get update \\\n  # a comment inside\n  && echo hi\nRUN <<EOF\nline FROM x\nEOF\nCMD [\"redis-server\"]\n";
        let ins = instructions(text);
        let lines: Vec<_> =
            ins.iter().map(|i| (i.line, i.text.split_whitespace().next().unwrap().to_string())).collect();
        assert_eq!(lines, vec![(2, "FROM".into()), (3, "RUN".into()), (6, "RUN".into()), (9, "CMD".into())]);
        assert!(ins[1].text.contains("&& echo hi"));
    }
}
