//! What a Compose file pulls in from elsewhere: the files it `include:`s, the services
//! it `extends:`, and the variables of its `env_file:`s. Paths are taken relative to
//! the file that names them (env files: to the project folder, as Compose does).

use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value};

use crate::compose::{parse_file, scalar_text};
use crate::error::Error;
use crate::merge::merge;

/// How deep includes and extends may nest before the input is taken for a loop.
const MAX_DEPTH: usize = 8;

fn compose_error(path: &Path, message: String) -> Error {
    Error::Compose {
        path: path.into(),
        message,
    }
}

fn relative(path: &Path, name: &str) -> PathBuf {
    path.parent().unwrap_or(Path::new(".")).join(name)
}

/// Removes `include:` from a parsed file and returns the files it names, in order.
pub fn take_includes(path: &Path, raw: &mut Value) -> Result<Vec<PathBuf>, Error> {
    let Some(include) = raw.as_mapping_mut().and_then(|top| top.remove("include")) else {
        return Ok(Vec::new());
    };
    let Value::Sequence(items) = include else {
        return Err(compose_error(path, "include: must be a list".into()));
    };
    let mut files = Vec::new();
    for item in items {
        let paths = match item.get("path").unwrap_or(&item) {
            Value::Sequence(list) => list.iter().filter_map(scalar_text).collect(),
            other => scalar_text(other).into_iter().collect::<Vec<_>>(),
        };
        if paths.is_empty() {
            return Err(compose_error(
                path,
                "an include: entry names no file".into(),
            ));
        }
        files.extend(paths.iter().map(|p| relative(path, p)));
    }
    Ok(files)
}

/// Replaces every service that `extends:` another with the merged result.
pub fn resolve_extends(path: &Path, raw: &mut Value) -> Result<(), Error> {
    let Some(services) = raw.get("services").and_then(Value::as_mapping).cloned() else {
        return Ok(());
    };
    let mut resolved = Mapping::new();
    for (name, _) in &services {
        let name_text = scalar_text(name).unwrap_or_default();
        resolved.insert(name.clone(), extended(path, &services, &name_text, 0)?);
    }
    if let Some(slot) = raw.get_mut("services") {
        *slot = Value::Mapping(resolved);
    }
    Ok(())
}

fn extended(path: &Path, services: &Mapping, name: &str, depth: usize) -> Result<Value, Error> {
    let mut service = services
        .get(name)
        .cloned()
        .ok_or_else(|| compose_error(path, format!("extends names unknown service '{name}'")))?;
    let Some(extends) = service.as_mapping_mut().and_then(|s| s.remove("extends")) else {
        return Ok(service);
    };
    if depth >= MAX_DEPTH {
        return Err(compose_error(
            path,
            format!("extends of '{name}' nests too deep"),
        ));
    }
    let base_name = scalar_text(extends.get("service").unwrap_or(&extends)).unwrap_or_default();
    let mut base = match extends.get("file").and_then(scalar_text) {
        Some(file) => {
            let other = relative(path, &file);
            let text = std::fs::read_to_string(&other).map_err(|e| Error::read(&other, e))?;
            let parsed = parse_file(&other, &text)?;
            let their = parsed
                .get("services")
                .and_then(Value::as_mapping)
                .cloned()
                .unwrap_or_default();
            extended(&other, &their, &base_name, depth + 1)?
        }
        None => extended(path, services, &base_name, depth + 1)?,
    };
    merge(&mut base, service);
    Ok(base)
}

/// Adds each service's `env_file:` variables to its environment; `environment:` wins.
pub fn apply_env_files(dir: &Path, model: &mut Value) -> Result<(), Error> {
    let Some(Value::Mapping(services)) = model.get_mut("services") else {
        return Ok(());
    };
    for (_, service) in services.iter_mut() {
        let Some(listed) = service.get("env_file").cloned() else {
            continue;
        };
        let mut variables = Mapping::new();
        for (file, required) in env_file_entries(&listed) {
            let full = dir.join(&file);
            match std::fs::read_to_string(&full) {
                Ok(text) => parse_env_file(&text, &mut variables),
                Err(_) if !required => {}
                Err(e) => return Err(Error::read(&full, e)),
            }
        }
        let environment = service
            .get("environment")
            .and_then(Value::as_mapping)
            .cloned();
        for (key, value) in environment.unwrap_or_default() {
            variables.insert(key, value);
        }
        if let Value::Mapping(map) = service {
            map.insert(Value::from("environment"), Value::Mapping(variables));
        }
    }
    Ok(())
}

/// (file, required) for each entry of `env_file:` in any of its spellings.
fn env_file_entries(listed: &Value) -> Vec<(String, bool)> {
    let items = match listed {
        Value::Sequence(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .filter_map(|item| match item.get("path") {
            Some(path) => {
                let required =
                    item.get("required").and_then(scalar_text).as_deref() != Some("false");
                Some((scalar_text(path)?, required))
            }
            None => Some((scalar_text(item)?, true)),
        })
        .collect()
}

/// `KEY=value` lines; `#` comments, blank lines and an `export ` prefix are skipped,
/// and one pair of surrounding quotes is removed, as Compose's env files allow.
fn parse_env_file(text: &str, variables: &mut Mapping) {
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        variables.insert(Value::from(key.trim()), Value::from(unquoted));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::Project;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "supportstack-sources-{name}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn includes_extends_and_env_files_are_followed() {
        let dir = temp_dir("all");
        std::fs::write(
            dir.join("child.yml"),
            "services:\n  evil:\n    privileged: true\n    user: '0'\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("proxy.env"),
            "# comment\nexport POST=1\nEXEC=\"1\"\n",
        )
        .unwrap();
        let main = "include: [child.yml]\nservices:\n  app:\n    extends: {file: child.yml, service: evil}\n    \
                    user: '1000'\n  same:\n    extends: app\n  proxy:\n    env_file: [proxy.env]\n    \
                    environment: {EXEC: '0'}\n";
        std::fs::write(dir.join("main.yml"), main).unwrap();
        let project = Project::load(&[dir.join("main.yml")], &none).unwrap();
        assert_eq!(
            project.service_names(),
            vec!["app", "evil", "proxy", "same"]
        );
        let app = project.service("app").unwrap();
        assert_eq!(app["privileged"], Value::Bool(true));
        assert_eq!(app["user"], Value::from("1000"));
        assert!(app.get("extends").is_none());
        assert_eq!(
            project.service("same").unwrap()["privileged"],
            Value::Bool(true)
        );
        let env = &project.service("proxy").unwrap()["environment"];
        assert_eq!(env["POST"], Value::from("1"));
        assert_eq!(env["EXEC"], Value::from("0"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn loops_and_missing_files_are_errors() {
        let dir = temp_dir("bad");
        std::fs::write(
            dir.join("loop.yml"),
            "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
        )
        .unwrap();
        assert!(Project::load(&[dir.join("loop.yml")], &none).is_err());
        std::fs::write(dir.join("inc.yml"), "include: [missing.yml]\n").unwrap();
        assert!(Project::load(&[dir.join("inc.yml")], &none).is_err());
        std::fs::write(
            dir.join("env.yml"),
            "services:\n  a:\n    env_file: [missing.env]\n",
        )
        .unwrap();
        assert!(Project::load(&[dir.join("env.yml")], &none).is_err());
        let optional = "services:\n  a:\n    env_file: [{path: missing.env, required: false}]\n";
        std::fs::write(dir.join("opt.yml"), optional).unwrap();
        assert!(Project::load(&[dir.join("opt.yml")], &none).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
