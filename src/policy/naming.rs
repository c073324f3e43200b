//! Names, secrets and where values come from.

use std::collections::BTreeMap;

use serde_norway::Value;

use super::{at, Context, Verdict};
use crate::compose::{entries, scalar_text};

/// P11: services, containers, networks, volumes and configs carry the prefix.
pub fn prefix(ctx: &Context, verdict: &mut Verdict) {
    let prefix = ctx.prefix;
    let hint = format!("start the name with '{prefix}'");
    for (service, _) in ctx.services() {
        if !service.name.starts_with(prefix) {
            verdict
                .fire(
                    "P11",
                    Some(service.name),
                    format!("services.{}", service.name),
                )
                .say(
                    format!("service '{}' lacks the prefix", service.name),
                    &hint,
                );
        }
        if let Some(name) = service
            .text("container_name")
            .filter(|n| !n.starts_with(prefix))
        {
            verdict
                .fire(
                    "P11",
                    Some(service.name),
                    at(service.name, "container_name"),
                )
                .say(format!("container name '{name}' lacks the prefix"), &hint);
        }
    }
    for section in ["networks", "volumes", "configs"] {
        for (key, definition) in ctx.project.section(section) {
            let name = definition.get("name").and_then(scalar_text);
            let external =
                definition.get("external").and_then(scalar_text).as_deref() == Some("true");
            for shown in std::iter::once(key.clone()).chain(name) {
                if !shown.starts_with(prefix) && !external {
                    verdict
                        .fire("P11", None, format!("{section}.{key}"))
                        .say(format!("{section} name '{shown}' lacks the prefix"), &hint);
                }
            }
        }
    }
}

/// Words that mark an environment variable as a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "SALT",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
];

/// Label values that carry a credential.
const SECRET_LABEL_MARKS: &[&str] = &["api_key=", "apikey=", "token=", "password="];

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w)) || upper.ends_with("_KEY")
}

/// P12: secrets and required settings are set from variables, never written in.
pub fn secrets_from_environment(ctx: &Context, verdict: &mut Verdict) {
    for (service, profile) in ctx.services() {
        let raw = service.raw_environment();
        let environment = service.environment();
        let mut fire = |key: &str, message: String, hint: String| {
            let path = at(service.name, &format!("environment.{key}"));
            verdict
                .fire("P12", Some(service.name), path)
                .say(message, hint);
        };
        let required = profile.map(|p| p.secret_env).unwrap_or_default();
        for key in required.iter().filter(|k| !environment.contains_key(**k)) {
            fire(
                key,
                format!("required setting {key} is not set"),
                format!("set {key}: ${{{key}:?set it in the settings}}"),
            );
        }
        let written = raw
            .iter()
            .filter(|(k, v)| looks_secret(k) && !v.is_empty() && !v.contains("${"));
        for (key, _) in written {
            fire(
                key,
                format!("{key} is written into the Compose file"),
                format!("set it from a variable: {key}: ${{{key}}}"),
            );
        }
        for (key, value) in service.raw_labels() {
            let lower = value.to_ascii_lowercase();
            let leaf = key
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let secret = SECRET_LABEL_MARKS.iter().any(|m| lower.contains(m))
                || ["key", "password", "token", "apikey"].contains(&leaf.as_str());
            let placeholder =
                value.contains("{{HOMEPAGE_VAR_") || value.contains("{{HOMEPAGE_FILE_");
            if secret && (!placeholder || value.contains("${")) {
                verdict.fire("P12", Some(service.name), at(service.name, &format!("labels.{key}")))
                    .say(format!("label {key} carries a secret"), "pass it as HOMEPAGE_VAR_NAME on homepage and write {{HOMEPAGE_VAR_NAME}} in the label");
            }
        }
    }
}

/// S3: values the settings file owns are written as `${...}`, not as literals.
pub fn values_from_settings(ctx: &Context, verdict: &mut Verdict) {
    if !ctx.settings_given {
        return;
    }
    for (service, _) in ctx.services() {
        let raw = service.raw;
        let mut literal = |path: String, value: String| {
            verdict
                .fire("S3", Some(service.name), at(service.name, &path))
                .say(
                    format!("'{value}' is written in"),
                    "take it from the settings file as ${TSYS_...}",
                );
        };
        for key in [
            "image",
            "container_name",
            "user",
            "restart",
            "mem_limit",
            "cpus",
            "pids_limit",
        ] {
            if let Some(value) = raw
                .get(key)
                .and_then(scalar_text)
                .filter(|v| !v.contains("${"))
            {
                literal(key.to_string(), value);
            }
        }
        for (path, value) in nested_literals(raw) {
            literal(path, value);
        }
    }
    for section in ["networks", "volumes"] {
        for (key, definition) in entries(ctx.project.raw.get(section)) {
            if let Some(name) = definition
                .get("name")
                .and_then(scalar_text)
                .filter(|n| !n.contains("${"))
            {
                verdict
                    .fire("S3", None, format!("{section}.{key}.name"))
                    .say(
                        format!("'{name}' is written in"),
                        "take it from the settings file as ${TSYS_...}",
                    );
            }
        }
    }
}

/// Literal values under ports, health timings, limits and homepage labels.
fn nested_literals(raw: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut check = |path: String, value: Option<&Value>| {
        if let Some(text) = value.and_then(scalar_text).filter(|t| !t.contains("${")) {
            found.push((path, text));
        }
    };
    for (i, port) in raw
        .get("ports")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match port {
            Value::Mapping(_) => {
                for key in ["published", "host_ip"] {
                    check(
                        format!("ports[{i}].{key}"),
                        port.get(key).or(Some(&Value::from(""))),
                    );
                }
            }
            other => check(format!("ports[{i}]"), Some(other)),
        }
    }
    for key in ["interval", "timeout", "retries", "start_period"] {
        let health = raw.get("healthcheck");
        if let Some(value) = health.and_then(|h| h.get(key)) {
            check(format!("healthcheck.{key}"), Some(value));
        }
    }
    let limits = raw
        .get("deploy")
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.get("limits"));
    for (key, value) in entries(limits) {
        check(format!("deploy.resources.limits.{key}"), Some(&value));
    }
    let labels: BTreeMap<String, Value> = entries(raw.get("labels")).into_iter().collect();
    for (key, value) in labels.iter().filter(|(k, _)| k.starts_with("homepage.")) {
        check(format!("labels.{key}"), Some(value));
    }
    found
}

/// H1: no two containers share a name or a host port.
pub fn duplicates(ctx: &Context, verdict: &mut Verdict) {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut ports: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for (service, _) in ctx.services() {
        if let Some(name) = service.text("container_name") {
            if let Some(first) = names.insert(name.clone(), service.name.to_string()) {
                verdict
                    .fire("H1", Some(service.name), at(service.name, "container_name"))
                    .say(
                        format!("container name '{name}' is also used by '{first}'"),
                        "give each container its own name",
                    );
            }
        }
        for (index, binding) in service.ports() {
            let Some(b) = binding else { continue };
            let Some(published) = b.published else {
                continue;
            };
            let key = (
                b.host_ip.unwrap_or_else(|| "0.0.0.0".into()),
                published.clone(),
                b.protocol,
            );
            if let Some(first) = ports.insert(key, service.name.to_string()) {
                verdict
                    .fire(
                        "H1",
                        Some(service.name),
                        at(service.name, &format!("ports[{index}]")),
                    )
                    .say(
                        format!("host port {published} is also published by '{first}'"),
                        "choose another host port",
                    );
            }
        }
    }
}

/// H2: the project has a name.
pub fn project_name(ctx: &Context, verdict: &mut Verdict) {
    if ctx.project.name().is_none_or(|n| n.trim().is_empty()) {
        verdict
            .fire("H2", None, "name".into())
            .say("the project has no name", "set the top-level name: field");
    }
}
