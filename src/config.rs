//! `.valkey-migrate.toml`: found by walking up from the scanned path (or `--config`),
//! validated strictly — an unknown key, rule code or profile is an error with its location.

use crate::error::{UserError, closest};
use crate::findings::Severity;
use crate::knowledge::{Knowledge, span_location};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = ".valkey-migrate.toml";
pub const DEFAULT_TARGET: &str = "valkey-9.1";
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub target: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub cores: Option<Spanned<f64>>,
    pub fail_on: Option<Spanned<String>>,
    pub max_file_size: Option<Spanned<u64>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

/// `--fail-on`: the lowest severity that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }
}

/// Settings given on the command line; each one replaces the config file's value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub no_config: bool,
    pub target: Option<String>,
    pub source: Option<String>,
    pub cores: Option<f64>,
    pub fail_on: Option<FailOn>,
    pub max_file_size: Option<u64>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// Which rules run, at what severity, where.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: Vec<(String, Level)>,
    per_path: Vec<(GlobSet, Vec<String>)>,
}

fn selector_matches(selector: &str, code: &str, name: &str) -> bool {
    code.starts_with(selector) || selector.eq_ignore_ascii_case(name)
}

impl Selection {
    /// The severity a finding of `code` gets, or `None` when the rule is switched off.
    /// The most specific selector wins (the longest prefix), as users of ruff expect.
    pub fn level(&self, code: &str, name: &str, default: Severity) -> Option<Severity> {
        let specificity = |sel: &str| {
            if sel.eq_ignore_ascii_case(name) { usize::MAX } else { sel.len() }
        };
        let selected = match &self.select {
            None => Some(0),
            Some(list) => list.iter().filter(|s| selector_matches(s, code, name)).map(|s| specificity(s)).max(),
        };
        let ignored = self.ignore.iter().filter(|s| selector_matches(s, code, name)).map(|s| specificity(s)).max();
        match (selected, ignored) {
            (None, _) => return None,
            (Some(sel), Some(ign)) if ign >= sel => return None,
            _ => {}
        }
        let over = self
            .severity
            .iter()
            .filter(|(s, _)| selector_matches(s, code, name))
            .max_by_key(|(s, _)| specificity(s))
            .map(|(_, l)| *l);
        match over {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(s),
            None => Some(default),
        }
    }

    /// Whether `per-path-ignores` switches `code` off for a path (relative to the config's
    /// directory).
    pub fn ignored_at(&self, code: &str, name: &str, path: &Path) -> bool {
        self.per_path
            .iter()
            .any(|(set, sels)| set.is_match(path) && sels.iter().any(|s| selector_matches(s, code, name)))
    }
}

/// Everything a run needs to know, resolved from defaults, the config file and the flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: String,
    pub source: Option<String>,
    pub cores: Option<f64>,
    pub fail_on: FailOn,
    pub max_file_size: u64,
    pub selection: Selection,
    pub exclude: Vec<Glob>,
    /// The config file used, if any.
    pub config_path: Option<PathBuf>,
    /// Paths in the config file are relative to this directory.
    pub base_dir: PathBuf,
}

impl Settings {
    pub fn defaults(base_dir: PathBuf) -> Self {
        Settings {
            target: DEFAULT_TARGET.into(),
            source: None,
            cores: None,
            fail_on: FailOn::Error,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            selection: Selection::default(),
            exclude: Vec::new(),
            config_path: None,
            base_dir,
        }
    }

    /// The user's `exclude` globs as one matcher, or `None` when there are none.
    pub fn exclude_set(&self) -> Option<GlobSet> {
        if self.exclude.is_empty() {
            return None;
        }
        let mut b = GlobSetBuilder::new();
        for g in &self.exclude {
            b.add(g.clone());
        }
        b.build().ok()
    }

    /// Finds and reads the config file for `start` (or the one named in `overrides`) and
    /// applies the command-line overrides on top.
    pub fn load(start: &Path, overrides: &Overrides, knowledge: &Knowledge) -> Result<Self, UserError> {
        let found = match (&overrides.config, overrides.no_config) {
            (_, true) => None,
            (Some(path), _) => {
                if !path.is_file() {
                    return Err(UserError::new(format!("config file {} does not exist", path.display()))
                        .help("--config takes the path of a .valkey-migrate.toml file"));
                }
                Some(path.clone())
            }
            (None, _) => discover(start),
        };
        let base_dir = found.as_ref().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_else(|| {
            if start.is_dir() { start.to_path_buf() } else { start.parent().unwrap_or(Path::new(".")).to_path_buf() }
        });
        let mut settings = Settings::defaults(base_dir);
        if let Some(path) = &found {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UserError::new(format!("cannot read config file {}: {e}", path.display())))?;
            let display = path.display().to_string();
            let file: ConfigFile = toml::from_str(&text).map_err(|e| {
                let err = UserError::new(format!("invalid config file {display}: {}", e.message().trim_end()))
                    .help("see `valkey-migrate init` for a commented example of every setting");
                match e.span() {
                    Some(span) => err.at(span_location(&display, &text, span), text.clone()),
                    None => err,
                }
            })?;
            apply_file(&mut settings, file, &display, &text, knowledge)?;
            settings.config_path = Some(path.clone());
        }
        apply_overrides(&mut settings, overrides, knowledge)?;
        Ok(settings)
    }
}

/// The nearest `.valkey-migrate.toml` in `start` or any parent directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let mut dir = if abs.is_dir() { Some(abs.as_path()) } else { abs.parent() };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    knowledge: &'a Knowledge,
}

impl Checker<'_> {
    fn error<T>(&self, value: &Spanned<T>, message: String, help: String) -> UserError {
        UserError::new(format!("invalid config file {}: {message}", self.file))
            .help(help)
            .at(span_location(self.file, self.text, value.span()), self.text)
    }

    fn selector(&self, s: &Spanned<String>) -> Result<String, UserError> {
        let value = s.get_ref().trim();
        if self.knowledge.catalog.selector_matches_any(value) {
            return Ok(if self.knowledge.catalog.find(value).is_some_and(|r| r.name == value) {
                value.to_string()
            } else {
                value.to_ascii_uppercase()
            });
        }
        let codes: Vec<&str> = self.knowledge.catalog.iter().map(|r| r.code.as_str()).collect();
        let hint = match closest(value, codes) {
            Some(c) => format!("did you mean {c}? `valkey-migrate rules` lists every code"),
            None => "`valkey-migrate rules` lists every code; a family prefix such as CFG selects them all".into(),
        };
        Err(self.error(s, format!("'{value}' matches no rule code, family or name"), hint))
    }

    fn profile(&self, s: &Spanned<String>) -> Result<String, UserError> {
        check_profile(self.knowledge, s.get_ref())
            .map_err(|help| self.error(s, format!("unknown server profile '{}'", s.get_ref()), help))
    }

    fn glob(&self, s: &Spanned<String>) -> Result<Glob, UserError> {
        Glob::new(s.get_ref()).map_err(|e| {
            self.error(
                s,
                format!("invalid glob '{}': {}", s.get_ref(), e.kind()),
                "globs use `*`, `**`, `?` and `{a,b}`".into(),
            )
        })
    }
}

pub fn check_profile(knowledge: &Knowledge, name: &str) -> Result<String, String> {
    let names = knowledge.profile_names();
    if names.iter().any(|n| n == name) {
        return Ok(name.to_string());
    }
    Err(match closest(name, names.iter().map(String::as_str)) {
        Some(c) => format!("did you mean {c}? known profiles: {}", names.join(", ")),
        None => format!("known profiles: {}", names.join(", ")),
    })
}

fn apply_file(
    settings: &mut Settings,
    file: ConfigFile,
    display: &str,
    text: &str,
    knowledge: &Knowledge,
) -> Result<(), UserError> {
    let ck = Checker { file: display, text, knowledge };
    if let Some(t) = &file.target {
        settings.target = ck.profile(t)?;
    }
    if let Some(s) = &file.source {
        settings.source = Some(ck.profile(s)?);
    }
    if let Some(c) = &file.cores {
        if c.get_ref().is_nan() || *c.get_ref() <= 0.0 {
            return Err(ck.error(
                c,
                "cores must be a positive number".into(),
                "e.g. `cores = 4` or `cores = 1.5`".into(),
            ));
        }
        settings.cores = Some(*c.get_ref());
    }
    if let Some(f) = &file.fail_on {
        settings.fail_on = FailOn::parse(f.get_ref()).ok_or_else(|| {
            ck.error(
                f,
                format!("fail-on must be error, warning, info or never, not '{}'", f.get_ref()),
                "the default is error".into(),
            )
        })?;
    }
    if let Some(m) = &file.max_file_size {
        settings.max_file_size = *m.get_ref();
    }
    if let Some(select) = &file.select {
        settings.selection.select = Some(select.iter().map(|s| ck.selector(s)).collect::<Result<_, _>>()?);
    }
    for s in &file.ignore {
        settings.selection.ignore.push(ck.selector(s)?);
    }
    for (sel, level) in &file.severity {
        let code = ck.selector(sel)?;
        let level = match level.get_ref().to_ascii_lowercase().as_str() {
            "off" => Level::Off,
            other => Level::On(
                other.parse().map_err(|e: String| ck.error(level, e, "use error, warning, info or off".into()))?,
            ),
        };
        settings.selection.severity.push((code, level));
    }
    for (glob, sels) in &file.per_path_ignores {
        let set = GlobSetBuilder::new().add(ck.glob(glob)?).build().expect("single valid glob");
        let sels = sels.iter().map(|s| ck.selector(s)).collect::<Result<_, _>>()?;
        settings.selection.per_path.push((set, sels));
    }
    for g in &file.exclude {
        settings.exclude.push(ck.glob(g)?);
    }
    Ok(())
}

fn apply_overrides(settings: &mut Settings, o: &Overrides, knowledge: &Knowledge) -> Result<(), UserError> {
    let flag_selector = |flag: &str, value: &str| -> Result<String, UserError> {
        if knowledge.catalog.selector_matches_any(value.trim()) {
            Ok(value.trim().to_ascii_uppercase())
        } else {
            Err(UserError::new(format!("{flag} '{value}' matches no rule code, family or name"))
                .help("`valkey-migrate rules` lists every code"))
        }
    };
    if let Some(t) = &o.target {
        settings.target =
            check_profile(knowledge, t).map_err(|h| UserError::new(format!("unknown --target '{t}'")).help(h))?;
    }
    if let Some(s) = &o.source {
        settings.source =
            Some(check_profile(knowledge, s).map_err(|h| UserError::new(format!("unknown --source '{s}'")).help(h))?);
    }
    if let Some(c) = o.cores {
        if c.is_nan() || c <= 0.0 {
            return Err(UserError::new("--cores must be a positive number"));
        }
        settings.cores = Some(c);
    }
    if let Some(f) = o.fail_on {
        settings.fail_on = f;
    }
    if let Some(m) = o.max_file_size {
        settings.max_file_size = m;
    }
    if let Some(select) = &o.select {
        settings.selection.select =
            Some(select.iter().map(|s| flag_selector("--select", s)).collect::<Result<_, _>>()?);
    }
    for s in &o.ignore {
        settings.selection.ignore.push(flag_selector("--ignore", s)?);
    }
    for g in &o.exclude {
        // Flags add to the file's excludes: both mean "not this".
        settings
            .exclude
            .push(Glob::new(g).map_err(|e| UserError::new(format!("invalid --exclude glob '{g}': {}", e.kind())))?);
    }
    Ok(())
}

/// The commented default file `valkey-migrate init` writes.
pub const DEFAULT_FILE: &str = include_str!("config_template.toml");
