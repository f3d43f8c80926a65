//! The default format: miette diagnostics with source snippets, then a one-line summary.

use super::{Report, plural};
use crate::findings::{Finding, Severity};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

/// Snippets are read back from disk at report time; files bigger than this are shown without.
const SNIPPET_FILE_LIMIT: u64 = 8 * 1024 * 1024;

struct Shown<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<Arc<String>>>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}[{}] {}", self.finding.severity, self.finding.code, self.finding.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = &self.finding.location.span;
        let primary =
            LabeledSpan::new_primary_with_span(None, SourceSpan::new(span.start.into(), span.end - span.start));
        let mut labels = vec![primary];
        // Related places in the same file become secondary labels; others are listed in text.
        for r in &self.finding.related {
            if r.location.file == self.finding.location.file && r.location.span.end > r.location.span.start {
                let s = &r.location.span;
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    SourceSpan::new(s.start.into(), s.end - s.start),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let theme = if report.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(report.width).with_links(false);
    let mut sources: HashMap<&str, Option<Arc<String>>> = HashMap::new();
    for f in report.findings {
        let file = f.location.file.as_str();
        let text = sources.entry(file).or_insert_with(|| read_source(report, file)).clone();
        let has_span = f.location.span.end > f.location.span.start;
        let source = match text {
            Some(text)
                if has_span
                    && f.location.span.end <= text.len()
                    && text.is_char_boundary(f.location.span.start)
                    && text.is_char_boundary(f.location.span.end) =>
            {
                Some(NamedSource::new(f.location.file.clone(), text).with_language(""))
            }
            _ => None,
        };
        let shown = Shown { finding: f, source };
        let mut buf = String::new();
        if handler.render_report(&mut buf, &shown).is_err() {
            buf = format!("{}: {}\n", f.code, f.message);
        }
        if shown.source.is_none() {
            // Without a snippet, miette prints no location: give it as `file:line:col`.
            let place = if file.is_empty() { ".".to_string() } else { f.location.display() };
            writeln!(out, "{place}")?;
        }
        write!(out, "{buf}")?;
        for r in f.related.iter().filter(|r| r.location.file != f.location.file || shown.source.is_none()) {
            writeln!(out, "  note: {}: {}", r.location.display(), r.message)?;
        }
        writeln!(out)?;
    }
    let s = report.summary;
    if s.total() == 0 {
        writeln!(out, "No problems found ({} scanned).", plural(s.files_scanned, "file"))?;
    } else {
        let files =
            report.findings.iter().map(|f| f.location.file.as_str()).collect::<std::collections::BTreeSet<_>>().len();
        writeln!(
            out,
            "Found {}, {} and {} in {} ({} scanned).",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "info"),
            plural(files, "file"),
            plural(s.files_scanned, "file"),
        )?;
    }
    if s.suppressed > 0 {
        writeln!(out, "{} silenced by suppression comments.", plural(s.suppressed, "finding"))?;
    }
    Ok(())
}

fn read_source(report: &Report, file: &str) -> Option<Arc<String>> {
    if file.is_empty() {
        return None;
    }
    let path = report.root.join(file);
    if std::fs::metadata(&path).ok()?.len() > SNIPPET_FILE_LIMIT {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    // A file that is not UTF-8 is shown without a snippet rather than with shifted offsets.
    String::from_utf8(bytes).ok().map(Arc::new)
}
