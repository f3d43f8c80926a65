//! Acting on the parsed command line. Each subcommand is a function returning an exit code.

pub mod args;

use crate::config::{Overrides, Settings};
use crate::engine::{self, Target};
use crate::error::UserError;
use crate::knowledge::Knowledge;
use crate::report::{self, Format, Report};
use args::{Cli, ColorChoice, Command, ListFormat, ScanArgs};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let color = use_color(cli.global.color, std::io::stderr().is_terminal());
    match dispatch(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            print_user_error(&err, color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn dispatch(cli: &Cli) -> Result<u8, UserError> {
    let knowledge = || Knowledge::with_overlay(cli.global.rules_dir.as_deref()).map_err(UserError::from);
    match &cli.command {
        Command::Audit(a) => audit(cli, a, &knowledge()?),
        Command::Inventory(a) => inventory(cli, a, &knowledge()?),
        Command::Rules(a) => rules(a, &knowledge()?),
        Command::Explain(a) => explain(a, &knowledge()?),
        Command::Init(a) => init(a),
        Command::Completions(a) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(a.shell, &mut cmd, "valkey-migrate", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
        Command::Plan(a) => plan(cli, a, &knowledge()?),
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut buf)
                .map_err(|e| UserError::new(format!("cannot render the man page: {e}")))?;
            emit(&buf, None)?;
            Ok(EXIT_OK)
        }
        Command::Validate(a) => validate(cli, a, &knowledge()?),
        Command::Serve(a) => serve(a, &knowledge()?),
    }
}

/// Colour only on a terminal, never with `NO_COLOR` set (https://no-color.org), unless forced.
pub fn use_color(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn overrides(cli: &Cli, scan: &ScanArgs) -> Overrides {
    Overrides {
        config: cli.global.config.clone(),
        no_config: cli.global.no_config,
        target: scan.target.clone(),
        source: scan.source.clone(),
        cores: scan.cores,
        fail_on: None,
        max_file_size: scan.max_file_size,
        select: scan.select.clone(),
        ignore: scan.ignore.clone(),
        exclude: scan.exclude.clone(),
    }
}

fn prepare(
    cli: &Cli,
    scan: &ScanArgs,
    knowledge: &Knowledge,
    fail_on: Option<crate::config::FailOn>,
) -> Result<(Target, Settings), UserError> {
    let target = Target::resolve(&scan.paths)?;
    let mut o = overrides(cli, scan);
    o.fail_on = fail_on;
    let settings = Settings::load(&target.paths[0], &o, knowledge)?;
    Ok((target, settings))
}

fn audit(cli: &Cli, a: &args::AuditArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    let (target, settings) = prepare(cli, &a.scan, knowledge, a.fail_on)?;
    let scan = engine::scan_with_progress(&target, &settings, knowledge, std::io::stderr().is_terminal());
    let result = engine::audit(&scan, &settings, knowledge)?;
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let report = Report {
        findings: &result.findings,
        summary: &result.summary,
        knowledge,
        root: scan.root.clone(),
        repo_prefix: report::repo_prefix(&scan.root),
        target: settings.target.clone(),
        color: a.format == Format::Human && use_color(cli.global.color, to_terminal),
        width: terminal_width(to_terminal),
    };
    let mut buf = Vec::new();
    report::render(a.format, &report, &mut buf).map_err(|e| UserError::new(format!("cannot render report: {e}")))?;
    emit(&buf, a.output.as_deref())?;
    let failed = settings.fail_on.threshold().is_some_and(|t| result.findings.iter().any(|f| f.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

fn inventory(cli: &Cli, a: &args::InventoryArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    let (target, settings) = prepare(cli, &a.scan, knowledge, None)?;
    let scan = engine::scan(&target, &settings, knowledge);
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        version: u32,
        #[serde(flatten)]
        inventory: &'a crate::inventory::Inventory,
        diagnostics: Vec<serde_json::Value>,
    }
    let diagnostics = scan
        .diagnostics
        .iter()
        .map(|d| serde_json::json!({"code": d.code, "message": d.message, "file": d.location.file, "line": d.location.line}))
        .collect();
    let doc = Doc { version: 1, inventory: &scan.inventory, diagnostics };
    let mut buf =
        serde_json::to_vec_pretty(&doc).map_err(|e| UserError::new(format!("cannot serialise inventory: {e}")))?;
    buf.push(b'\n');
    emit(&buf, a.output.as_deref())?;
    Ok(EXIT_OK)
}

fn plan(cli: &Cli, a: &args::PlanArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    use crate::plan;
    let (target, settings) = prepare(cli, &a.scan, knowledge, None)?;
    let scanned = a.scan.paths.first().map_or_else(|| ".".into(), |p| p.display().to_string());
    let (mut built, artifacts, _) =
        build_plan(&target, &settings, knowledge, a.out.as_ref().map(|p| p.display().to_string()), &scanned)?;
    if a.timestamp {
        built.generated_at = Some(crate::plan::model::now_rfc3339());
    }
    if let Some(out) = &a.out {
        built.validation.root = relative_to(out, &target.root);
    }
    let json = serde_json::to_string_pretty(&built).expect("plain data") + "\n";
    let md = plan::markdown::render(&built);
    match &a.out {
        Some(out) => {
            plan::write::write_plan(
                out,
                &plan::write::PlanFiles { plan_md: &md, plan_json: &json, artifacts: &artifacts },
                a.force,
            )?;
            eprintln!(
                "{}: {} — wrote {} to {}",
                built.verdict.status.label(),
                built.verdict.reason,
                crate::report::plural(artifacts.len() + 2, "file"),
                out.display()
            );
        }
        None => emit(if a.format == args::PlanFormat::Json { json.as_bytes() } else { md.as_bytes() }, None)?,
    }
    Ok(EXIT_OK)
}

fn validate(cli: &Cli, a: &args::ValidateArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    use crate::validate::{self, Inputs, Options, TargetSpec, render};
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        return Err(UserError::new("--timeout must be a positive number of seconds"));
    }
    if !a.input.exists() {
        return Err(UserError::new(format!("'{}' does not exist", a.input.display()))
            .help("pass a plan directory written by `plan --out`, or a repository"));
    }
    let plan_json = a.input.join("plan.json");
    let (inputs, plan_target) = if plan_json.is_file() {
        load_plan_dir(&a.input, &plan_json)?
    } else {
        let scan_args = ScanArgs {
            paths: vec![a.input.clone()],
            target: a.target.clone(),
            source: None,
            cores: None,
            select: None,
            ignore: Vec::new(),
            exclude: Vec::new(),
            max_file_size: None,
        };
        let (target, settings) = prepare(cli, &scan_args, knowledge, None)?;
        let (built, artifacts, scan) = build_plan(&target, &settings, knowledge, None, &a.input.display().to_string())?;
        let mut configs = Vec::new();
        for name in &built.validation.configs {
            let artifact = artifacts.iter().find(|x| &x.reference.path == name);
            let original = artifact.and_then(|a| a.reference.replaces.as_deref()).unwrap_or(name);
            let dir = scan.root.join(original).parent().map(std::path::Path::to_path_buf);
            let text = match artifact {
                Some(a) => Some(a.contents.clone()),
                None => std::fs::read_to_string(scan.root.join(name)).ok(),
            };
            if let Some(text) = text {
                configs.push(crate::validate::prepare::ConfigInput { name: name.clone(), text, dir });
            }
        }
        (Inputs { configs, plan: built.validation }, built.target.profile)
    };
    let profile = match &a.target {
        Some(t) => crate::config::check_profile(knowledge, t)
            .map_err(|h| UserError::new(format!("unknown --target '{t}'")).help(h))?,
        None => plan_target,
    };
    let spec = match (&a.server_bin, &a.server) {
        (Some(bin), _) => {
            if !bin.is_file() {
                return Err(UserError::new(format!("--server-bin {} is not a file", bin.display())));
            }
            TargetSpec::Binary(bin.clone())
        }
        (None, Some(url)) => TargetSpec::Url(crate::validate::Remote {
            url: url.clone(),
            ca_cert: a.tls_ca_cert.clone(),
            client_cert: a.tls_cert.clone().zip(a.tls_key.clone()),
        }),
        (None, None) => TargetSpec::Bundled(knowledge.profile(&profile)?),
    };
    let opts =
        Options { spec, profile, allow_writes: a.allow_writes, timeout: std::time::Duration::from_secs_f64(a.timeout) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError::new(format!("cannot start the async runtime: {e}")))?;
    let spinner = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("validating");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = runtime.block_on(validate::run(&opts, &inputs, knowledge));
    spinner.finish_and_clear();
    let report = report.map_err(|e| UserError::new(format!("cannot validate: {e}")))?;
    let text = match a.format {
        args::ValidateFormat::Human => render::human(&report),
        args::ValidateFormat::Json => render::json(&report),
        args::ValidateFormat::Junit => render::junit(&report),
    };
    emit(text.as_bytes(), a.output.as_deref())?;
    Ok(if report.summary.failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Reads a plan directory: plan.json's validation inputs and the config files it names (from
/// the plan directory when it rewrote them, else from the current directory).
fn load_plan_dir(
    dir: &std::path::Path,
    plan_json: &std::path::Path,
) -> Result<(crate::validate::Inputs, String), UserError> {
    #[derive(serde::Deserialize)]
    struct PlanFile {
        version: u32,
        target: PlanTarget,
        #[serde(default)]
        artifacts: Vec<PlanArtifact>,
        validation: crate::plan::model::ValidationInputs,
    }
    #[derive(serde::Deserialize)]
    struct PlanTarget {
        profile: String,
    }
    #[derive(serde::Deserialize)]
    struct PlanArtifact {
        path: String,
        replaces: Option<String>,
    }
    let text = std::fs::read_to_string(plan_json)
        .map_err(|e| UserError::new(format!("cannot read {}: {e}", plan_json.display())))?;
    let plan: PlanFile = serde_json::from_str(&text).map_err(|e| {
        UserError::new(format!("{} is not a plan.json this version understands: {e}", plan_json.display()))
            .help("write the plan again with `valkey-migrate plan --out DIR`")
    })?;
    if plan.version != crate::plan::model::PLAN_SCHEMA_VERSION {
        return Err(UserError::new(format!("plan.json version {} is not supported", plan.version)));
    }
    // The repository: where the plan says it is (relative to the plan), else the current directory.
    let repo = plan.validation.root.as_ref().map_or_else(|| std::path::PathBuf::from("."), |r| dir.join(r));
    let mut configs = Vec::new();
    for name in &plan.validation.configs {
        let in_plan = dir.join(name);
        let original =
            plan.artifacts.iter().find(|a| &a.path == name).and_then(|a| a.replaces.as_deref()).unwrap_or(name);
        let path = if in_plan.is_file() { in_plan } else { repo.join(name) };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            UserError::new(format!("config file {name} named by the plan cannot be read ({}): {e}", path.display()))
                .help("the plan records where the repository was; validate the repository directly if it moved")
        })?;
        let include_dir = repo.join(original).parent().map(std::path::Path::to_path_buf);
        configs.push(crate::validate::prepare::ConfigInput { name: name.clone(), text, dir: include_dir });
    }
    Ok((crate::validate::Inputs { configs, plan: plan.validation }, plan.target.profile))
}

/// `to` as seen from the directory `from` (`../..`, `repo`), both made absolute first.
fn relative_to(from: &std::path::Path, to: &std::path::Path) -> Option<String> {
    let from = std::path::absolute(from).ok()?;
    let to = std::path::absolute(to).ok()?;
    let (f, t): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), f.len() - common).collect();
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

/// Scan, audit and plan, as `plan` does; shared with `validate PATH`.
fn build_plan(
    target: &Target,
    settings: &Settings,
    knowledge: &Knowledge,
    out_dir: Option<String>,
    scanned: &str,
) -> Result<(crate::plan::model::Plan, Vec<crate::plan::model::Artifact>, engine::ScanOutput), UserError> {
    let scan = engine::scan(target, settings, knowledge);
    let result = engine::audit(&scan, settings, knowledge)?;
    let source = crate::source::infer(&scan.inventory, settings, knowledge);
    let cx = crate::plan::PlanContext {
        inventory: &scan.inventory,
        findings: &result.findings,
        knowledge,
        settings,
        target: knowledge.profile(&settings.target)?,
        source: &source,
        out_dir,
        scanned: scanned.to_string(),
        root: scan.root.clone(),
    };
    let (plan, artifacts) = crate::plan::build(&cx);
    Ok((plan, artifacts, scan))
}

fn serve(a: &args::ServeArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    let name = a.profile.as_deref().unwrap_or(crate::config::DEFAULT_TARGET);
    let profile = knowledge.profile(name)?;
    if a.coverage {
        let server = crate::server::Server::new(
            profile.clone(),
            crate::server::config::ConfigStore::from_profile(&profile),
            None,
        );
        let (done, total, missing) = server.coverage();
        let mut out = format!(
            "{} ({}): {done} of {total} commands implemented ({:.0}%)\n",
            profile.display_name(),
            profile.name(),
            if total == 0 { 0.0 } else { done as f64 * 100.0 / total as f64 }
        );
        if !missing.is_empty() {
            out.push_str(&format!("not implemented ({}): {}\n", missing.len(), missing.join(" ")));
        }
        emit(out.as_bytes(), None)?;
        return Ok(EXIT_OK);
    }
    Ok(crate::server::serve::run(crate::server::serve::ServeOptions {
        profile,
        config_file: a.config_file.clone(),
        port: a.port,
        bind: a.bind.clone(),
        unixsocket: a.unixsocket.clone(),
        threads: a.threads,
    }))
}

fn rules(a: &args::RulesArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    let mut out = String::new();
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = knowledge
                .catalog
                .iter()
                .map(|r| serde_json::json!({"code": r.code, "name": r.name, "family": r.family, "severity": r.severity, "summary": r.summary}))
                .collect();
            out = serde_json::to_string_pretty(&list).expect("plain data") + "\n";
        }
        ListFormat::Markdown => out = rules_markdown(knowledge),
        ListFormat::Human => {
            for family in &knowledge.catalog.families {
                out.push_str(&format!("{} — {}\n", family.code, family.title));
                for r in knowledge.catalog.iter().filter(|r| r.family == family.code) {
                    out.push_str(&format!("  {:<8} {:<34} {:<8} {}\n", r.code, r.name, r.severity.as_str(), r.summary));
                }
                out.push('\n');
            }
        }
    }
    emit(out.as_bytes(), None)?;
    Ok(EXIT_OK)
}

/// The rule list as the README shows it, generated from the catalog so it cannot drift.
pub fn rules_markdown(knowledge: &Knowledge) -> String {
    let mut out = String::new();
    for family in &knowledge.catalog.families {
        out.push_str(&format!(
            "**{} — {}**\n\n| code | name | severity | summary |\n|---|---|---|---|\n",
            family.code, family.title
        ));
        for r in knowledge.catalog.iter().filter(|r| r.family == family.code) {
            out.push_str(&format!(
                "| `{}` | `{}` | {} | {} |\n",
                r.code,
                r.name,
                r.severity,
                r.summary.replace('|', "\\|")
            ));
        }
        out.push('\n');
    }
    out
}

fn explain(a: &args::ExplainArgs, knowledge: &Knowledge) -> Result<u8, UserError> {
    let Some(rule) = knowledge.catalog.find(&a.rule) else {
        let codes: Vec<&str> = knowledge.catalog.iter().map(|r| r.code.as_str()).collect();
        let names: Vec<&str> = knowledge.catalog.iter().map(|r| r.name.as_str()).collect();
        let hint = crate::error::closest(&a.rule, codes.into_iter().chain(names))
            .map_or_else(|| "`valkey-migrate rules` lists every rule".to_string(), |c| format!("did you mean {c}?"));
        return Err(UserError::new(format!("no rule '{}'", a.rule)).help(hint));
    };
    let text = match a.format {
        ListFormat::Json => serde_json::to_string_pretty(rule).expect("plain data") + "\n",
        ListFormat::Human | ListFormat::Markdown => {
            let mut t = format!(
                "{} ({}) — {}\n\nDefault severity: {}\n\n{}\n",
                rule.code,
                rule.name,
                rule.summary,
                rule.severity,
                rule.explanation.trim()
            );
            if !rule.references.is_empty() {
                t.push_str("\nReferences:\n");
                for r in &rule.references {
                    t.push_str(&format!("  - {}: {}\n", r.title, r.url));
                }
            }
            t
        }
    };
    emit(text.as_bytes(), None)?;
    Ok(EXIT_OK)
}

fn init(a: &args::InitArgs) -> Result<u8, UserError> {
    if !a.dir.is_dir() {
        return Err(UserError::new(format!("'{}' is not a directory", a.dir.display())));
    }
    let path = a.dir.join(crate::config::FILE_NAME);
    let bytes = crate::config::DEFAULT_FILE.as_bytes();
    let result =
        if a.force { crate::fsutil::write_atomic(&path, bytes) } else { crate::fsutil::write_new(&path, bytes) };
    match result {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            Ok(EXIT_OK)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(UserError::new(format!("{} already exists", path.display())).help("pass --force to replace it"))
        }
        Err(e) => Err(UserError::new(format!("cannot write {}: {e}", path.display()))),
    }
}

fn emit(bytes: &[u8], output: Option<&std::path::Path>) -> Result<(), UserError> {
    match output {
        Some(path) => crate::fsutil::write_atomic(path, bytes)
            .map_err(|e| UserError::new(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(UserError::new(format!("cannot write output: {e}")))
                }
                _ => Ok(()),
            }
        }
    }
}

fn terminal_width(is_tty: bool) -> usize {
    if !is_tty {
        return 100;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100)
}

pub fn print_user_error(err: &UserError, color: bool) {
    use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
    #[derive(Debug)]
    struct Shown<'a>(&'a UserError, Option<NamedSource<String>>);
    impl std::fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0.message)
        }
    }
    impl std::error::Error for Shown<'_> {}
    impl Diagnostic for Shown<'_> {
        fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
            self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
        }
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            self.1.as_ref().map(|s| s as &dyn miette::SourceCode)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            self.1.as_ref()?;
            let span = &self.0.context.as_ref()?.location.span;
            Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
                None,
                SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start)),
            ))))
        }
    }
    let source = err.context.as_ref().and_then(|c| match &c.source_text {
        Some(text) if c.location.span.end <= text.len() => {
            Some(NamedSource::new(c.location.file.clone(), text.clone()))
        }
        _ => None,
    });
    let shown = Shown(err, source);
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let mut buf = String::new();
    if GraphicalReportHandler::new_themed(theme).with_width(100).render_report(&mut buf, &shown).is_err() {
        buf = format!("error: {}\n", err.message);
    }
    let mut line = String::from("valkey-migrate: error\n");
    if shown.1.is_none() {
        if let Some(c) = &err.context {
            line.push_str(&format!("{}\n", c.location.display()));
        }
    }
    eprint!("{line}{buf}");
}
