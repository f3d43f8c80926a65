//! Server configs as servers run them: a config file with the lines of the files it includes
//! in place of each `include`, then the options of a command line that starts the server
//! with it (they come last, so they win), and the hosts the repository says it runs on.
//!
//! A directive set twice takes its last value — the loader sets it again — except those whose
//! lines add up: `save` (a `save ""` starts over), `client-output-buffer-limit` (per class),
//! `rename-command`, `user`, `loadmodule`, `include`, `sentinel`. `bind` is a single value of
//! several addresses: the last line wins. Verified with CONFIG GET on valkey-server 9.1.2 and
//! redis-server 7.0.15.

use crate::inventory::{
    ConfigDirective, ConfigOrigin, HostFact, HostSource, IncludeStatus, Inventory, ServerConfig, ServerConfigKind,
};
use crate::knowledge::Profile;
use crate::location::Location;

/// One line of a deployment and the config it is written in.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub config: &'a ServerConfig,
    pub directive: &'a ConfigDirective,
}

impl Line<'_> {
    pub fn location(&self) -> Location {
        self.directive.location(&self.config.file)
    }

    pub fn first_arg(&self) -> Option<&str> {
        self.directive.args.first().map(|a| a.value.as_str())
    }
}

/// A config as one server (or group of servers) runs it.
#[derive(Debug, Clone)]
pub struct Deployment<'a> {
    /// The config the server is started with (a file, a YAML block, a command line).
    pub root: &'a ServerConfig,
    pub lines: Vec<Line<'a>>,
    /// What runs it, as the host facts name it (`compose service cache`, `values master`).
    pub subjects: Vec<String>,
    /// The command line that starts it with this file, when there is one.
    pub command_line: Option<&'a ServerConfig>,
}

impl<'a> Deployment<'a> {
    pub fn kind(&self) -> ServerConfigKind {
        self.root.kind
    }

    /// Whether this is the whole config: a file or a command line, not a block of a chart's
    /// values that the chart completes with settings of its own.
    pub fn is_whole(&self) -> bool {
        !matches!(self.root.origin, ConfigOrigin::Embedded { .. })
    }

    /// Whether a container image runs it (its binary's defaults may be patched by the image).
    pub fn in_container(&self) -> bool {
        !self.root.is_file() || self.command_line.is_some()
    }

    /// The line that sets `name` last (aliases included, as `profile` knows them).
    pub fn last(&self, profile: &Profile, name: &str) -> Option<Line<'a>> {
        let wanted = canonical(profile, name);
        self.lines.iter().rev().find(|l| canonical(profile, &l.directive.name) == wanted).copied()
    }

    /// Every line that sets `name` (aliases included), in order.
    pub fn all(&self, profile: &Profile, name: &str) -> Vec<Line<'a>> {
        let wanted = canonical(profile, name);
        self.lines.iter().filter(|l| canonical(profile, &l.directive.name) == wanted).copied().collect()
    }

    /// Whether any line sets `name` (or an alias of it).
    pub fn sets(&self, profile: &Profile, name: &str) -> bool {
        self.last(profile, name).is_some()
    }

    /// The host facts of the servers this runs on, and the user's `--cores`.
    pub fn hosts<'i>(&self, inventory: &'i Inventory) -> Vec<&'i HostFact> {
        inventory.hosts.iter().filter(|h| self.subjects.contains(&h.subject)).collect()
    }

    /// Where a finding about the whole deployment points: its first line, else the root.
    pub fn anchor(&self) -> Location {
        self.root
            .directives
            .first()
            .map(|d| d.location(&self.root.file))
            .or_else(|| self.lines.first().map(Line::location))
            .unwrap_or_else(|| Location { line: 1, end_line: 1, ..Location::file_only(&self.root.file) })
    }
}

/// A name as the profile's config table calls it (aliases resolved), lower case.
fn canonical(profile: &Profile, name: &str) -> String {
    profile.config(name).map_or_else(|| name.to_ascii_lowercase(), |c| c.name.clone())
}

/// The repository file a command line's config file is, through the container's mounts.
pub fn mounted_file<'a>(inventory: &'a Inventory, cl: &ServerConfig) -> Option<&'a ServerConfig> {
    let ConfigOrigin::CommandLine { config_file: Some(path), mounts, .. } = &cl.origin else { return None };
    let repo = mounts.iter().find_map(|(repo, target)| {
        let target = target.trim_end_matches('/');
        if path == target {
            Some(repo.clone())
        } else {
            path.strip_prefix(target).and_then(|rest| rest.strip_prefix('/')).map(|rest| format!("{repo}/{rest}"))
        }
    })?;
    inventory.server_configs.iter().find(|c| c.is_file() && c.file == repo)
}

/// Every config a server is started with, as it runs.
pub fn deployments(inventory: &Inventory) -> Vec<Deployment<'_>> {
    let included = inventory.included_config_files();
    let command_lines: Vec<(&ServerConfig, &ServerConfig)> =
        inventory.server_configs.iter().filter_map(|c| mounted_file(inventory, c).map(|file| (c, file))).collect();
    let mut out = Vec::new();
    for cfg in &inventory.server_configs {
        let (subjects, command_line) = match &cfg.origin {
            ConfigOrigin::File => {
                if included.contains(cfg.file.as_str()) {
                    continue;
                }
                let cl = command_lines.iter().find(|(_, f)| std::ptr::eq(*f, cfg)).map(|(c, _)| *c);
                let subjects = cl
                    .map(|c| match &c.origin {
                        ConfigOrigin::CommandLine { subject, .. } => vec![subject.clone()],
                        _ => Vec::new(),
                    })
                    .unwrap_or_default();
                (subjects, cl)
            }
            ConfigOrigin::Embedded { subjects, .. } => (subjects.clone(), None),
            ConfigOrigin::CommandLine { subject, .. } => {
                if command_lines.iter().any(|(c, _)| std::ptr::eq(*c, cfg)) {
                    continue;
                }
                (vec![subject.clone()], None)
            }
        };
        let mut lines = Vec::new();
        expand(inventory, cfg, &mut lines, &mut vec![cfg.file.as_str()]);
        if let Some(cl) = command_line {
            lines.extend(cl.directives.iter().map(|directive| Line { config: cl, directive }));
        }
        out.push(Deployment { root: cfg, lines, subjects, command_line });
    }
    out
}

fn expand<'a>(inventory: &'a Inventory, cfg: &'a ServerConfig, out: &mut Vec<Line<'a>>, stack: &mut Vec<&'a str>) {
    for directive in &cfg.directives {
        out.push(Line { config: cfg, directive });
        if directive.name != "include" {
            continue;
        }
        let Some(inc) = cfg.includes.iter().find(|i| i.line == directive.line) else { continue };
        if inc.status != IncludeStatus::Found {
            continue;
        }
        for file in &inc.resolved {
            if stack.contains(&file.as_str()) {
                continue;
            }
            if let Some(sub) = inventory.server_configs.iter().find(|c| c.is_file() && &c.file == file) {
                stack.push(&sub.file);
                expand(inventory, sub, out, stack);
                stack.pop();
            }
        }
    }
}

/// The cores the servers of a deployment have, smallest first: the user's `--cores` when
/// given, else the host facts the repository ties to it.
pub fn cores<'i>(inventory: &'i Inventory, d: &Deployment, user: Option<f64>) -> Vec<(f64, Option<&'i HostFact>)> {
    if let Some(c) = user {
        return vec![(c, None)];
    }
    let mut hosts: Vec<(f64, Option<&HostFact>)> =
        d.hosts(inventory).into_iter().filter_map(|h| h.cores.map(|c| (c, Some(h)))).collect();
    hosts.sort_by(|a, b| a.0.total_cmp(&b.0));
    hosts
}

/// How a host fact reads in a message: `compose service cache (cpus: 2, docker-compose.yml:12)`.
pub fn describe_host(h: &HostFact) -> String {
    let what = match h.source {
        HostSource::UserSetting => "the cores setting",
        HostSource::ContainerLimit => "CPU limit",
        HostSource::NodeType => "node type",
    };
    format!("{} ({what} {}, {}:{})", h.subject, cores_text(h.cores.unwrap_or(0.0)), h.location.file, h.location.line)
}

pub fn cores_text(c: f64) -> String {
    let n = if c.fract() == 0.0 { format!("{c:.0}") } else { format!("{c}") };
    format!("{n} {}", if c == 1.0 { "CPU" } else { "CPUs" })
}
