//! homepage's side of the stack: its label grammar, its docker.yaml wiring to the
//! proxy, and the Host names it accepts.

use std::collections::{BTreeMap, BTreeSet};

use serde_norway::Value;

use super::{at, Context, Verdict};
use crate::compose::{entries, scalar_text};
use crate::ports::is_loopback_ip;
use crate::profiles::Role;
use crate::service::Service;

/// Label keys homepage reads after `homepage.`, besides widget and instance keys.
const KNOWN_KEYS: &[&str] = &[
    "group",
    "name",
    "href",
    "icon",
    "description",
    "weight",
    "showStats",
    "ping",
    "siteMonitor",
    "statusStyle",
    "server",
    "container",
    "id",
    "target",
    "proxmoxNode",
    "proxmoxVMID",
    "proxmoxType",
];

/// P5: label grammar on every service, and the dashboards' discovery wiring.
pub fn labels_and_wiring(ctx: &Context, verdict: &mut Verdict) {
    let servers = wiring(ctx, verdict);
    for (service, _) in ctx.services() {
        let labels: BTreeMap<String, String> = service
            .labels()
            .into_iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("homepage.")?.to_string(), v)))
            .collect();
        if labels.is_empty() {
            continue;
        }
        let mut fire = |key: &str, message: String, hint: &str| {
            let path = at(service.name, &format!("labels.homepage.{key}"));
            verdict
                .fire("P5", Some(service.name), path)
                .say(message, hint);
        };
        for required in ["group", "name"] {
            if labels.get(required).is_none_or(|v| v.trim().is_empty()) {
                fire(
                    required,
                    format!("homepage.{required} is missing"),
                    "homepage drops the container without it",
                );
            }
        }
        for (key, value) in &labels {
            if let Some(problem) = key_problem(key, value) {
                fire(key, problem, "see gethomepage.dev, docker label discovery");
            }
        }
        for widget in widgets_without_type(&labels) {
            fire(
                &widget,
                format!("homepage.{widget}.* has no homepage.{widget}.type"),
                "add the type or drop the keys",
            );
        }
        if let (Some(server), Some(known)) = (labels.get("server"), &servers) {
            if !known.contains(server) {
                fire(
                    "server",
                    format!("server '{server}' is not a docker.yaml entry"),
                    "name an entry of docker.yaml or drop the label",
                );
            }
        }
    }
}

fn key_problem(key: &str, value: &str) -> Option<String> {
    if key.starts_with("widget[") {
        return Some(format!(
            "'homepage.{key}' must be written homepage.widgets[N]"
        ));
    }
    let top = key.split(['.', '[']).next().unwrap_or(key);
    let grouped = ["widget", "widgets", "instance"].contains(&top) && key.len() > top.len();
    if !grouped && !KNOWN_KEYS.contains(&top) {
        return Some(format!("'homepage.{key}' is not a key homepage knows"));
    }
    let leaf = key.rsplit('.').next().unwrap_or(key);
    match leaf {
        "weight" if value.trim().parse::<i64>().is_err() => {
            Some(format!("homepage.{key} '{value}' is not an integer"))
        }
        "showStats" if value != "true" && value != "false" => {
            Some(format!("homepage.{key} '{value}' is not true or false"))
        }
        "fields" if serde_json::from_str::<Vec<serde_json::Value>>(value).is_err() => {
            Some(format!("homepage.{key} '{value}' is not a JSON array"))
        }
        "href" => href_problem(value).map(|p| format!("homepage.{key} '{value}' {p}")),
        _ => None,
    }
}

fn href_problem(value: &str) -> Option<&'static str> {
    let Some((scheme, rest)) = value.split_once("://") else {
        return Some("is not an absolute URL");
    };
    if scheme != "http" && scheme != "https" {
        return Some("is not an http(s) URL");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    match host {
        "" => Some("has no host"),
        "0.0.0.0" | "::" => Some("points at a wildcard address no browser can open"),
        _ => None,
    }
}

/// Widget prefixes (`widget`, `widgets[0]`) that have keys but no `type`.
fn widgets_without_type(labels: &BTreeMap<String, String>) -> BTreeSet<String> {
    let prefix_of = |key: &str| -> Option<String> {
        if key.starts_with("widget.") {
            return Some("widget".into());
        }
        let rest = key.strip_prefix("widgets[")?;
        let end = rest.find(']')?;
        Some(format!("widgets[{}]", &rest[..end]))
    };
    let prefixes: BTreeSet<String> = labels.keys().filter_map(|k| prefix_of(k)).collect();
    prefixes
        .into_iter()
        .filter(|p| !labels.contains_key(&format!("{p}.type")))
        .collect()
}

/// Checks each dashboard's docker.yaml; returns the server names found, if any file was.
fn wiring(ctx: &Context, verdict: &mut Verdict) -> Option<BTreeSet<String>> {
    let mut names: Option<BTreeSet<String>> = None;
    for (dashboard, _) in ctx.with_role(Role::Dashboard) {
        let Some((path, servers)) = docker_yaml(ctx, &dashboard) else {
            continue;
        };
        let found = names.get_or_insert_with(BTreeSet::new);
        for (server, entry) in servers {
            found.insert(server.clone());
            check_server(ctx, &dashboard, &path, &server, &entry, verdict);
        }
    }
    names
}

fn check_server(
    ctx: &Context,
    dashboard: &Service,
    path: &str,
    server: &str,
    entry: &Value,
    verdict: &mut Verdict,
) {
    let field = |k: &str| entry.get(k).and_then(scalar_text);
    if field("socket").is_some() {
        verdict
            .fire("P9", Some(dashboard.name), path.to_string())
            .say(
                format!("docker.yaml entry '{server}' reads the Docker socket directly"),
                "give it host: <proxy service> and port: 2375 instead",
            );
        return;
    }
    let Some(host) = field("host") else { return };
    let mut fire = |message: String, hint: &str| {
        verdict
            .fire("P5", Some(dashboard.name), path.to_string())
            .say(message, hint);
    };
    if is_loopback_ip(&host) {
        fire(
            format!(
                "docker.yaml entry '{server}' points at '{host}', the dashboard's own loopback"
            ),
            "name the proxy service instead",
        );
        return;
    }
    let proxy = ctx.service_by_host(&host).filter(|s| {
        ctx.with_role(Role::SocketProxy)
            .iter()
            .any(|(p, _)| p.name == s.name)
    });
    let Some(proxy) = proxy else {
        fire(
            format!("docker.yaml entry '{server}' host '{host}' is not the stack's socket proxy"),
            "name the proxy's service or container name",
        );
        return;
    };
    let port = field("port").unwrap_or_default();
    let expected = ctx
        .services()
        .find(|(s, _)| s.name == proxy.name)
        .and_then(|(_, p)| p)
        .map(|p| p.port);
    if expected.is_some_and(|e| e.to_string() != port) {
        fire(
            format!("docker.yaml entry '{server}' port '{port}' is not the proxy's port"),
            "use the proxy's API port, 2375",
        );
    }
}

/// The dashboard's docker.yaml: (where it came from, server name → entry).
fn docker_yaml(ctx: &Context, dashboard: &Service) -> Option<(String, Vec<(String, Value)>)> {
    let (origin, text) = docker_yaml_text(ctx, dashboard)?;
    let environment = dashboard.environment();
    let mut text = text;
    for (key, value) in environment
        .iter()
        .filter(|(k, _)| k.starts_with("HOMEPAGE_VAR_"))
    {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    let parsed: Value = serde_norway::from_str(&text).ok()?;
    Some((origin, entries(Some(&parsed))))
}

fn docker_yaml_text(ctx: &Context, dashboard: &Service) -> Option<(String, String)> {
    let configs = ctx.project.section("configs");
    for (_, source, target) in dashboard.configs() {
        if !target.ends_with("/docker.yaml") {
            continue;
        }
        let (_, definition) = configs.iter().find(|(name, _)| *name == source)?;
        let origin = format!("configs.{source}");
        if let Some(content) = definition.get("content").and_then(scalar_text) {
            return Some((origin, content));
        }
        let file = definition.get("file").and_then(scalar_text)?;
        return Some((
            origin,
            std::fs::read_to_string(ctx.project.dir.join(file)).ok()?,
        ));
    }
    let mounts = dashboard.mounts();
    let mount = mounts.iter().find(|m| {
        m.kind == "bind" && (m.target == "/app/config" || m.target == "/app/config/docker.yaml")
    })?;
    let file = if mount.target.ends_with(".yaml") {
        mount.source.clone()
    } else {
        format!("{}/docker.yaml", mount.source)
    };
    let text = std::fs::read_to_string(&file).ok()?;
    Some((
        at(dashboard.name, &format!("volumes[{}]", mount.index)),
        text,
    ))
}

/// S1: HOMEPAGE_ALLOWED_HOSTS covers every address the dashboard is published on.
pub fn allowed_hosts(ctx: &Context, verdict: &mut Verdict) {
    for (dashboard, profile) in ctx.with_role(Role::Dashboard) {
        let environment = dashboard.environment();
        let listed = environment
            .get("HOMEPAGE_ALLOWED_HOSTS")
            .cloned()
            .unwrap_or_default();
        let listed: Vec<&str> = listed.split(',').map(str::trim).collect();
        let path = at(dashboard.name, "environment.HOMEPAGE_ALLOWED_HOSTS");
        if listed.contains(&"*") {
            verdict.fire("S1", Some(dashboard.name), path.clone()).say(
                "HOMEPAGE_ALLOWED_HOSTS is '*', which turns the check off",
                "list the published HOST:PORT pairs",
            );
            continue;
        }
        let port = super::runtime::container_port(&dashboard, profile).to_string();
        for (_, binding) in dashboard.ports() {
            let Some(b) = binding.filter(|b| b.target == port) else {
                continue;
            };
            let Some(published) = b.published else {
                continue;
            };
            let ip = b.host_ip.unwrap_or_else(|| "0.0.0.0".into());
            let host = if ip.contains(':') {
                format!("[{ip}]:{published}")
            } else {
                format!("{ip}:{published}")
            };
            let implicit = published == port && is_loopback_ip(&ip);
            if !implicit && !listed.contains(&host.as_str()) {
                verdict.fire("S1", Some(dashboard.name), path.clone()).say(
                    format!("'{host}' is published but not in HOMEPAGE_ALLOWED_HOSTS"),
                    format!("add {host} to HOMEPAGE_ALLOWED_HOSTS"),
                );
            }
        }
    }
}
