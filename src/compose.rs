//! A Compose project read the way Compose reads it: each file parsed with anchors and
//! merge keys, `x-` fields dropped, short forms normalised, values interpolated, and
//! the files merged in order. The raw (uninterpolated) text is kept beside the values
//! so policies can tell a value written in from one taken from a setting.

use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value};

use crate::error::Error;
use crate::interpolate::{interpolate, Lookup, MissingRequired};
use crate::merge::merge;
use crate::sources;
use crate::units::{parse_bytes, parse_cpus};

/// CPUs in thousandths, so two spellings of one value compare equal.
fn cpus_milli(text: &str) -> Option<u64> {
    parse_cpus(text).map(|c| (c * 1000.0).round() as u64)
}

/// Several Compose files merged into one model.
#[derive(Clone, Debug)]
pub struct Project {
    pub files: Vec<PathBuf>,
    /// The folder relative paths are resolved against: the first file's folder.
    pub dir: PathBuf,
    /// The merged model after interpolation.
    pub model: Value,
    /// The merged model before interpolation.
    pub raw: Value,
    /// Required variables that had no value.
    pub missing: Vec<MissingRequired>,
}

impl Project {
    /// Loads and merges `files`, interpolating with `vars`.
    pub fn load(files: &[PathBuf], vars: &dyn Lookup) -> Result<Self, Error> {
        let first = files.first().ok_or_else(|| Error::Usage {
            message: "no Compose file given".into(),
        })?;
        let mut project = Project::empty(files, first);
        for path in files {
            let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
            project.add(path, &text, vars)?;
        }
        project.validate()?;
        Ok(project)
    }

    /// A project of `files` with nothing loaded yet, rooted at `first`'s folder.
    fn empty(files: &[PathBuf], first: &Path) -> Self {
        Project {
            files: files.to_vec(),
            dir: first.parent().map(Path::to_path_buf).unwrap_or_default(),
            model: Value::Mapping(Mapping::new()),
            raw: Value::Mapping(Mapping::new()),
            missing: Vec::new(),
        }
    }

    /// Refuses what Compose refuses once the files are merged: a numeric `user:`,
    /// and a legacy limit that contradicts its `deploy` twin.
    fn validate(&self) -> Result<(), Error> {
        let path = self.files.first().cloned().unwrap_or_default();
        let refuse = |message: String| {
            Err(Error::Compose {
                path: path.clone(),
                message,
            })
        };
        for name in self.service_names() {
            let service = self.service(&name).unwrap_or(&Value::Null);
            if service.get("user").is_some_and(Value::is_number) {
                return refuse(format!(
                    "service '{name}': user must be a string, e.g. \"1000:1000\""
                ));
            }
            let limits = service
                .get("deploy")
                .and_then(|d| d.get("resources"))
                .and_then(|r| r.get("limits"));
            let pairs = [
                (
                    "mem_limit",
                    "memory",
                    parse_bytes as fn(&str) -> Option<u64>,
                ),
                ("cpus", "cpus", cpus_milli),
            ];
            for (legacy, modern, parse) in pairs {
                let read = |v: Option<&Value>| v.and_then(scalar_text).and_then(|t| parse(&t));
                let (old, new) = (
                    read(service.get(legacy)),
                    read(limits.and_then(|l| l.get(modern))),
                );
                if old.is_some() && new.is_some() && old != new {
                    return refuse(format!(
                        "service '{name}': {legacy} and deploy.resources.limits.{modern} differ"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Builds a project from one YAML text; for tests and generated input.
    pub fn from_text(path: &Path, text: &str, vars: &dyn Lookup) -> Result<Self, Error> {
        let mut project = Project::empty(&[path.to_path_buf()], path);
        project.add(path, text, vars)?;
        project.validate()?;
        Ok(project)
    }

    fn add(&mut self, path: &Path, text: &str, vars: &dyn Lookup) -> Result<(), Error> {
        self.add_nested(path, text, vars, 0)
    }

    /// Adds one file after the files it includes, with its extends resolved.
    fn add_nested(
        &mut self,
        path: &Path,
        text: &str,
        vars: &dyn Lookup,
        depth: usize,
    ) -> Result<(), Error> {
        let mut raw = parse_file(path, text)?;
        for included in sources::take_includes(path, &mut raw)? {
            if depth >= 8 {
                let message = "include: nests deeper than 8 files".to_string();
                return Err(Error::Compose {
                    path: path.into(),
                    message,
                });
            }
            let text = std::fs::read_to_string(&included).map_err(|e| Error::read(&included, e))?;
            self.add_nested(&included, &text, vars, depth + 1)?;
            self.files.push(included);
        }
        sources::resolve_extends(path, &mut raw)?;
        let mut model = raw.clone();
        interpolate_all(&mut model, vars, &mut self.missing).map_err(|message| {
            Error::Interpolation {
                path: path.into(),
                message,
            }
        })?;
        sources::apply_env_files(&self.dir, &mut model)?;
        merge(&mut self.raw, raw);
        merge(&mut self.model, model);
        Ok(())
    }

    /// The project name the files declare, if any.
    pub fn name(&self) -> Option<&str> {
        self.model.get("name").and_then(Value::as_str)
    }

    /// Service names in the merged model, sorted.
    pub fn service_names(&self) -> Vec<String> {
        let mut names = keys(self.model.get("services"));
        names.sort();
        names
    }

    /// A top-level section (`networks`, `volumes`, `configs`) as name → definition.
    pub fn section(&self, name: &str) -> Vec<(String, Value)> {
        entries(self.model.get(name))
    }

    /// One service's merged definition.
    pub fn service(&self, name: &str) -> Option<&Value> {
        self.model.get("services")?.get(name)
    }

    /// One service's definition before interpolation.
    pub fn raw_service(&self, name: &str) -> Option<&Value> {
        self.raw.get("services")?.get(name)
    }
}

/// The top-level keys of the Compose specification, besides `x-` extensions.
const TOP_LEVEL: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "configs", "secrets", "models",
];

/// Parses one file: YAML with merge keys, `x-` fields dropped, list forms normalised.
pub fn parse_file(path: &Path, text: &str) -> Result<Value, Error> {
    let compose_error = |message: String| Error::Compose {
        path: path.into(),
        message,
    };
    let mut value: Value =
        serde_norway::from_str(text).map_err(|e| compose_error(e.to_string()))?;
    value
        .apply_merge()
        .map_err(|e| compose_error(e.to_string()))?;
    let Value::Mapping(top) = &mut value else {
        return Err(compose_error("the top level is not a mapping".into()));
    };
    drop_extensions(top);
    if let Some(unknown) = top
        .keys()
        .filter_map(Value::as_str)
        .find(|k| !TOP_LEVEL.contains(k))
    {
        return Err(compose_error(format!(
            "'{unknown}' is not a top-level Compose key"
        )));
    }
    if let Some(Value::Mapping(services)) = top.get_mut("services") {
        for (_, service) in services.iter_mut() {
            let Value::Mapping(service) = service else {
                return Err(compose_error("a service is not a mapping".into()));
            };
            drop_extensions(service);
            normalise_service(service);
        }
    }
    Ok(value)
}

fn drop_extensions(map: &mut Mapping) {
    map.retain(|key, _| !key.as_str().is_some_and(|k| k.starts_with("x-")));
}

/// Rewrites the list forms Compose accepts into the mapping forms, so files merge.
fn normalise_service(service: &mut Mapping) {
    for key in ["environment", "labels"] {
        if let Some(list @ Value::Sequence(_)) = service.get_mut(key) {
            *list = Value::Mapping(pairs_to_mapping(list));
        }
    }
    if let Some(list @ Value::Sequence(_)) = service.get_mut("networks") {
        *list = Value::Mapping(list_to_keys(list, Value::Null));
    }
    if let Some(list @ Value::Sequence(_)) = service.get_mut("depends_on") {
        let started = Value::Mapping(Mapping::from_iter([(
            Value::from("condition"),
            Value::from("service_started"),
        )]));
        *list = Value::Mapping(list_to_keys(list, started));
    }
}

fn pairs_to_mapping(list: &Value) -> Mapping {
    let mut map = Mapping::new();
    for item in list.as_sequence().into_iter().flatten() {
        let text = scalar_text(item).unwrap_or_default();
        match text.split_once('=') {
            Some((k, v)) => map.insert(Value::from(k), Value::from(v)),
            None => map.insert(Value::from(text), Value::Null),
        };
    }
    map
}

fn list_to_keys(list: &Value, value: Value) -> Mapping {
    let items = list.as_sequence().into_iter().flatten();
    items
        .filter_map(scalar_text)
        .map(|k| (Value::from(k), value.clone()))
        .collect()
}

fn interpolate_all(
    value: &mut Value,
    vars: &dyn Lookup,
    missing: &mut Vec<MissingRequired>,
) -> Result<(), String> {
    match value {
        Value::String(text) => {
            let done = interpolate(text, vars)?;
            missing.extend(done.missing);
            *text = done.value;
        }
        Value::Sequence(items) => {
            for item in items {
                interpolate_all(item, vars, missing)?;
            }
        }
        Value::Mapping(map) => {
            for (_, item) in map.iter_mut() {
                interpolate_all(item, vars, missing)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The text of a scalar: strings as they are, numbers and booleans printed.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The keys of a mapping, as text.
pub fn keys(value: Option<&Value>) -> Vec<String> {
    entries(value).into_iter().map(|(k, _)| k).collect()
}

/// The entries of a mapping, keys as text.
pub fn entries(value: Option<&Value>) -> Vec<(String, Value)> {
    let Some(Value::Mapping(map)) = value else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| Some((scalar_text(k)?, v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn project(texts: &[&str]) -> Project {
        let mut p = Project::from_text(Path::new("a.yml"), texts[0], &none).unwrap();
        for text in &texts[1..] {
            p.add(Path::new("b.yml"), text, &none).unwrap();
        }
        p
    }

    #[test]
    fn merge_keys_and_extensions() {
        let p =
            project(&["x-h: &h {read_only: true}\nservices:\n  a:\n    <<: *h\n    x-note: 1\n"]);
        let a = p.service("a").unwrap();
        assert_eq!(a.get("read_only"), Some(&Value::Bool(true)));
        assert!(a.get("x-note").is_none());
        assert!(p.model.get("x-h").is_none());
    }

    #[test]
    fn list_forms_become_mappings() {
        let p = project(&[
            "services:\n  a:\n    labels: [k=v, bare]\n    networks: [n]\n    depends_on: [b]\n",
        ]);
        let a = p.service("a").unwrap();
        assert_eq!(a["labels"]["k"], Value::from("v"));
        assert_eq!(a["labels"]["bare"], Value::Null);
        assert!(a["networks"].get("n").is_some());
        assert_eq!(
            a["depends_on"]["b"]["condition"],
            Value::from("service_started")
        );
    }

    #[test]
    fn files_merge_in_order() {
        let p = project(&[
            "services:\n  a:\n    image: one\n    ports: ['1:1']\n    labels: {k: 1}\n",
            "services:\n  a:\n    image: two\n    ports: ['2:2']\n    labels: [j=2]\n  b: {}\n",
        ]);
        let a = p.service("a").unwrap();
        assert_eq!(a["image"], Value::from("two"));
        assert_eq!(a["ports"].as_sequence().unwrap().len(), 2);
        assert_eq!(a["labels"]["k"], Value::from(1));
        assert_eq!(a["labels"]["j"], Value::from("2"));
        assert_eq!(p.service_names(), vec!["a", "b"]);
    }

    #[test]
    fn raw_text_is_kept() {
        let vars = |n: &str| (n == "IMG").then(|| "busybox:1".to_string());
        let p = Project::from_text(
            Path::new("a.yml"),
            "services:\n  a:\n    image: ${IMG}\n",
            &vars,
        )
        .unwrap();
        assert_eq!(p.service("a").unwrap()["image"], Value::from("busybox:1"));
        assert_eq!(p.raw_service("a").unwrap()["image"], Value::from("${IMG}"));
    }

    #[test]
    fn what_compose_refuses_is_an_error() {
        for text in [
            "services:\n  a:\n    user: 1000\n",
            "services:\n  a:\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n",
            "services:\n  a:\n    cpus: 0.5\n    deploy: {resources: {limits: {cpus: '1'}}}\n",
            "services: {}\nfoo: 1\n",
        ] {
            let err = Project::from_text(Path::new("a.yml"), text, &none).unwrap_err();
            assert!(matches!(err, Error::Compose { .. }), "{text}");
        }
        let same = "services:\n  a:\n    mem_limit: 1024m\n    deploy: {resources: {limits: {memory: 1g}}}\n";
        assert!(Project::from_text(Path::new("a.yml"), same, &none).is_ok());
    }

    #[test]
    fn bad_yaml_is_an_error() {
        let err = Project::from_text(Path::new("a.yml"), "services: [", &none).unwrap_err();
        assert!(matches!(err, Error::Compose { .. }));
        let err = Project::from_text(Path::new("a.yml"), "- a\n", &none).unwrap_err();
        assert!(matches!(err, Error::Compose { .. }));
    }
}
