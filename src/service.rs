//! A typed view of one service of a merged Compose model: the questions policies ask,
//! answered for every syntax Compose accepts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::Value;

use crate::compose::{entries, keys, scalar_text, Project};
use crate::ports::{parse_short, PortBinding};
use crate::units::{parse_bytes, parse_cpus};

/// One service, interpolated (`model`) and as written (`raw`).
#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    pub name: &'a str,
    pub model: &'a Value,
    pub raw: &'a Value,
    pub dir: &'a Path,
}

/// A mount of any kind, with the fields policies look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub index: usize,
    /// `bind`, `volume`, `tmpfs` or `npipe`.
    pub kind: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    pub propagation: Option<String>,
}

/// A health check as Compose will run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthTest {
    None,
    /// Inherited from the image.
    Missing,
    Exec(Vec<String>),
    Shell(String),
}

impl<'a> Service<'a> {
    /// The view of `name`, if the project has that service.
    pub fn of(project: &'a Project, name: &'a str) -> Option<Self> {
        let model = project.service(name)?;
        let raw = project.raw_service(name).unwrap_or(model);
        Some(Service {
            name,
            model,
            raw,
            dir: &project.dir,
        })
    }

    /// A scalar field as text.
    pub fn text(&self, key: &str) -> Option<String> {
        self.model.get(key).and_then(scalar_text)
    }

    /// True when a boolean field is true (`true`, `"true"`).
    pub fn flag(&self, key: &str) -> bool {
        self.text(key)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    pub fn image(&self) -> Option<String> {
        self.text("image")
    }

    /// The environment as name → value; a bare name maps to an empty value.
    pub fn environment(&self) -> BTreeMap<String, String> {
        text_map(self.model.get("environment"))
    }

    /// The environment as written.
    pub fn raw_environment(&self) -> BTreeMap<String, String> {
        text_map(self.raw.get("environment"))
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        text_map(self.model.get("labels"))
    }

    pub fn raw_labels(&self) -> BTreeMap<String, String> {
        text_map(self.raw.get("labels"))
    }

    /// Every published port, with its index in `ports`; unparsable entries are `None`.
    pub fn ports(&self) -> Vec<(usize, Option<PortBinding>)> {
        let items = self.model.get("ports").and_then(Value::as_sequence);
        items
            .into_iter()
            .flatten()
            .map(port_binding)
            .enumerate()
            .collect()
    }

    /// Every mount from `volumes` (short or long syntax), with its index.
    pub fn mounts(&self) -> Vec<Mount> {
        let items = self.model.get("volumes").and_then(Value::as_sequence);
        let mounts = items.into_iter().flatten().enumerate();
        mounts.filter_map(|(i, v)| mount(i, v, self.dir)).collect()
    }

    /// The container paths mounted as tmpfs, from `tmpfs` and from `volumes`.
    pub fn tmpfs_targets(&self) -> Vec<String> {
        let listed = match self.model.get("tmpfs") {
            Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).collect(),
            Some(value) => scalar_text(value).into_iter().collect(),
            None => Vec::new(),
        };
        let listed = listed
            .into_iter()
            .map(|t: String| t.split(':').next().unwrap_or("").into());
        let typed = self
            .mounts()
            .into_iter()
            .filter(|m| m.kind == "tmpfs")
            .map(|m| m.target);
        listed.chain(typed).collect()
    }

    /// Writable paths: volumes and writable binds and tmpfs.
    pub fn writable_targets(&self) -> Vec<String> {
        let mounts = self
            .mounts()
            .into_iter()
            .filter(|m| !m.read_only && m.kind != "tmpfs");
        mounts
            .map(|m| m.target)
            .chain(self.tmpfs_targets())
            .collect()
    }

    /// The health check test; `Missing` when the service does not set one.
    pub fn health_test(&self) -> HealthTest {
        let Some(health) = self.model.get("healthcheck") else {
            return HealthTest::Missing;
        };
        if health.get("disable").and_then(scalar_text).as_deref() == Some("true") {
            return HealthTest::None;
        }
        match health.get("test") {
            Some(Value::String(line)) => HealthTest::Shell(line.clone()),
            Some(Value::Sequence(items)) => {
                let words: Vec<String> = items.iter().filter_map(scalar_text).collect();
                match words.split_first() {
                    Some((first, rest)) if first == "CMD" => HealthTest::Exec(rest.to_vec()),
                    Some((first, rest)) if first == "CMD-SHELL" => {
                        HealthTest::Shell(rest.join(" "))
                    }
                    Some((first, _)) if first == "NONE" => HealthTest::None,
                    _ => HealthTest::Missing,
                }
            }
            _ => HealthTest::Missing,
        }
    }

    /// The memory limit in bytes, from `deploy.resources.limits` or `mem_limit`.
    pub fn memory_limit(&self) -> Option<u64> {
        let deploy = self.limit_field("memory");
        deploy
            .or_else(|| self.text("mem_limit"))
            .and_then(|t| parse_bytes(&t))
    }

    /// The CPU limit, from `deploy.resources.limits.cpus` or `cpus`.
    pub fn cpu_limit(&self) -> Option<f64> {
        let deploy = self.limit_field("cpus");
        deploy
            .or_else(|| self.text("cpus"))
            .and_then(|t| parse_cpus(&t))
    }

    /// The process limit, from `deploy.resources.limits.pids` or `pids_limit`.
    pub fn pids_limit(&self) -> Option<i64> {
        let deploy = self.limit_field("pids");
        deploy
            .or_else(|| self.text("pids_limit"))
            .and_then(|t| t.parse().ok())
    }

    fn limit_field(&self, key: &str) -> Option<String> {
        let limits = self.model.get("deploy")?.get("resources")?.get("limits")?;
        limits.get(key).and_then(scalar_text)
    }

    /// The networks the service joins; empty means the project's default network.
    pub fn networks(&self) -> Vec<String> {
        keys(self.model.get("networks"))
    }

    /// Services this one depends on, with the condition it waits for.
    pub fn depends_on(&self) -> Vec<(String, String)> {
        let deps = entries(self.model.get("depends_on"));
        let condition = |v: &Value| v.get("condition").and_then(scalar_text);
        deps.into_iter()
            .map(|(name, v)| {
                (
                    name,
                    condition(&v).unwrap_or_else(|| "service_started".into()),
                )
            })
            .collect()
    }

    /// A list field (`cap_drop`, `security_opt`, ...) as text items.
    pub fn list(&self, key: &str) -> Vec<String> {
        let items = self.model.get(key).and_then(Value::as_sequence);
        items
            .into_iter()
            .flatten()
            .filter_map(scalar_text)
            .collect()
    }

    /// The uid the service runs as, when `user:` names one numerically or as root.
    pub fn user_id(&self) -> Option<String> {
        let user = self.text("user")?;
        let uid = user.split(':').next().unwrap_or_default().to_string();
        (!uid.is_empty()).then_some(uid)
    }

    /// Config files mounted into the service: (index, config name, target path).
    pub fn configs(&self) -> Vec<(usize, String, String)> {
        let items = self.model.get("configs").and_then(Value::as_sequence);
        let items = items.into_iter().flatten().enumerate();
        items
            .filter_map(|(i, item)| match item {
                Value::String(name) => Some((i, name.clone(), format!("/{name}"))),
                Value::Mapping(_) => {
                    let source = item.get("source").and_then(scalar_text)?;
                    let target = item.get("target").and_then(scalar_text);
                    Some((i, source.clone(), target.unwrap_or(format!("/{source}"))))
                }
                _ => None,
            })
            .collect()
    }
}

fn text_map(value: Option<&Value>) -> BTreeMap<String, String> {
    entries(value)
        .into_iter()
        .map(|(k, v)| (k, scalar_text(&v).unwrap_or_default()))
        .collect()
}

fn port_binding(value: &Value) -> Option<PortBinding> {
    match value {
        Value::Mapping(_) => {
            let field = |k: &str| value.get(k).and_then(scalar_text).filter(|t| !t.is_empty());
            Some(PortBinding {
                host_ip: field("host_ip"),
                published: field("published"),
                target: field("target")?,
                protocol: field("protocol").unwrap_or_else(|| "tcp".into()),
            })
        }
        other => parse_short(&scalar_text(other)?),
    }
}

fn mount(index: usize, value: &Value, dir: &Path) -> Option<Mount> {
    let mut mount = match value {
        Value::Mapping(_) => {
            let field = |k: &str| value.get(k).and_then(scalar_text);
            let bind = value.get("bind");
            Mount {
                index,
                kind: field("type").unwrap_or_else(|| "volume".into()),
                source: field("source").unwrap_or_default(),
                target: field("target")?,
                read_only: field("read_only").as_deref() == Some("true"),
                propagation: bind
                    .and_then(|b| b.get("propagation"))
                    .and_then(scalar_text),
            }
        }
        other => short_mount(index, &scalar_text(other)?)?,
    };
    if mount.kind == "bind" && !mount.source.starts_with('/') {
        mount.source = resolve(dir, &mount.source);
    }
    Some(mount)
}

fn short_mount(index: usize, spec: &str) -> Option<Mount> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, options) = match parts.as_slice() {
        [target] => ("", *target, ""),
        [source, target] => (*source, *target, ""),
        [source, target, options] => (*source, *target, *options),
        _ => return None,
    };
    let is_path = source.starts_with(['/', '.', '~']);
    let options: Vec<&str> = options.split(',').collect();
    let propagation = [
        "shared", "rshared", "slave", "rslave", "private", "rprivate",
    ];
    Some(Mount {
        index,
        kind: if is_path { "bind" } else { "volume" }.into(),
        source: source.into(),
        target: target.into(),
        read_only: options.contains(&"ro"),
        propagation: options
            .iter()
            .find(|o| propagation.contains(o))
            .map(|o| o.to_string()),
    })
}

fn resolve(dir: &Path, source: &str) -> String {
    let joined: PathBuf = dir.join(source);
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_service(text: &str, check: impl Fn(Service)) {
        let none = |_: &str| None;
        let p = Project::from_text(Path::new("/stack/compose/a.yml"), text, &none).unwrap();
        check(Service::of(&p, "s").unwrap());
    }

    #[test]
    fn mounts_in_both_syntaxes() {
        with_service(
            "services:\n  s:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      \
             - data:/data\n      - ../config:/app/config:ro,rshared\n      \
             - {type: bind, source: /x, target: /y, read_only: true}\n      \
             - {type: tmpfs, target: /t}\n",
            |s| {
                let m = s.mounts();
                assert_eq!(m[0].kind, "bind");
                assert!(m[0].read_only);
                assert_eq!(m[1].kind, "volume");
                assert_eq!(m[2].source, "/stack/config");
                assert_eq!(m[2].propagation.as_deref(), Some("rshared"));
                assert!(m[3].read_only);
                assert_eq!(s.tmpfs_targets(), vec!["/t"]);
            },
        );
    }

    #[test]
    fn limits_in_every_spelling() {
        with_service(
            "services:\n  s:\n    mem_limit: 67108864\n    cpus: 0.25\n",
            |s| {
                assert_eq!(s.memory_limit(), Some(64 * 1024 * 1024));
                assert_eq!(s.cpu_limit(), Some(0.25));
            },
        );
        with_service(
            "services:\n  s:\n    deploy:\n      resources:\n        reservations: {memory: 1g}\n",
            |s| assert_eq!(s.memory_limit(), None),
        );
    }

    #[test]
    fn health_tests() {
        with_service("services:\n  s:\n    healthcheck: {test: curl x}\n", |s| {
            assert_eq!(s.health_test(), HealthTest::Shell("curl x".into()))
        });
        with_service(
            "services:\n  s:\n    healthcheck: {test: [CMD, /app/hc]}\n",
            |s| assert_eq!(s.health_test(), HealthTest::Exec(vec!["/app/hc".into()])),
        );
        with_service("services:\n  s:\n    healthcheck: {test: [NONE]}\n", |s| {
            assert_eq!(s.health_test(), HealthTest::None)
        });
        with_service("services:\n  s:\n    healthcheck: {disable: true}\n", |s| {
            assert_eq!(s.health_test(), HealthTest::None)
        });
        with_service("services:\n  s: {}\n", |s| {
            assert_eq!(s.health_test(), HealthTest::Missing)
        });
    }
}
