//! The repository-wide join: a call counts when the name it is made on is a model of the
//! mapper, defined where the calling file says it comes from.

use super::{Links, Model, Origin};
use crate::inventory::CommandUse;
use crate::knowledge::modules::ModuleCatalog;

/// Every model, with the Python classes that inherit from one (any depth).
fn all_models(links: &Links) -> Vec<Model> {
    let mut models = links.models.clone();
    // Each round adds at least one class or stops; a chain cannot be longer than the list.
    for _ in 0..=links.subclasses.len() {
        let mut added = false;
        for s in &links.subclasses {
            if models.iter().any(|m| m.name == s.name && m.file == s.file) {
                continue;
            }
            if let Some(base) = models.iter().find(|m| m.name == s.base).cloned() {
                models.push(Model { name: s.name.clone(), file: s.file.clone(), ..base });
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    models
}

fn origin_matches(origin: &Origin, model_file: &str, call_file: &str) -> bool {
    match origin {
        Origin::SameFile => model_file == call_file,
        Origin::Type => true,
        // An entry ending in `/` is a package: a model anywhere below it (re-exported).
        Origin::Files(files) => files.iter().any(|f| match f.strip_suffix('/') {
            Some(dir) => model_file.strip_prefix(dir).is_some_and(|r| r.starts_with('/')),
            None => model_file == f,
        }),
        Origin::Suffixes(suffixes) => suffixes.iter().any(|s| {
            if s.ends_with('/') {
                model_file.starts_with(s.as_str()) || model_file.contains(&format!("/{s}"))
            } else {
                model_file == s || model_file.ends_with(&format!("/{s}"))
            }
        }),
    }
}

/// The commands the calls in `links` send, as command uses at the method name.
pub fn link(links: &Links, catalog: &ModuleCatalog) -> Vec<CommandUse> {
    if links.calls.is_empty() {
        return Vec::new();
    }
    let models = all_models(links);
    let mut out = Vec::new();
    for call in &links.calls {
        let model = models.iter().find(|m| {
            m.name == call.name
                && catalog.mappers.get(m.mapper).is_some_and(|x| x.lang.contains(&call.lang))
                && origin_matches(&call.origin, &m.file, &call.location.file)
        });
        let Some(model) = model else { continue };
        let mapper = &catalog.mappers[model.mapper];
        let Some(entry) = mapper.call(&call.method, &model.kind) else { continue };
        for command in &entry.commands {
            out.push(CommandUse {
                command: command.clone(),
                via: Some(format!("{} {}.{}", mapper.client, call.name, call.method)),
                location: call.location.clone(),
            });
        }
    }
    out.sort_by(|a, b| (&a.location, &a.command).cmp(&(&b.location, &b.command)));
    out.dedup_by(|a, b| a.location == b.location && a.command == b.command);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_files_packages_and_suffixes() {
        let files = Origin::Files(vec!["app/models.py".into(), "app/models/__init__.py".into(), "app/models/".into()]);
        assert!(origin_matches(&files, "app/models.py", "app/search.py"));
        assert!(origin_matches(&files, "app/models/listing.py", "app/search.py"));
        assert!(!origin_matches(&files, "app/models_old.py", "app/search.py"));
        let abs = Origin::Suffixes(vec!["app/models.py".into(), "app/models/".into()]);
        assert!(origin_matches(&abs, "src/app/models.py", "x.py"));
        assert!(origin_matches(&abs, "app/models/listing.py", "x.py"));
        assert!(!origin_matches(&abs, "myapp/models.py", "x.py"));
        assert!(origin_matches(&Origin::SameFile, "a.py", "a.py"));
        assert!(!origin_matches(&Origin::SameFile, "a.py", "b.py"));
    }
}
