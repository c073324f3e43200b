//! The crate reads Compose files as Compose does: for the shipped stack and every
//! shared case, the crate's merged, interpolated model is compared field by field
//! with `docker compose config --format json`. No engine is needed, only the CLI;
//! without Compose v2 the test is a stated skip (a failure when TSYS_REQUIRE_TOOLS=1).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value as Json;
use supportstack::compose::Project;
use supportstack::service::{HealthTest, Service};
use supportstack::settings::Settings;
use supportstack::stack::Stack;
use supportstack::units::{parse_bytes, parse_cpus};

mod common;

fn compose_available() -> bool {
    common::have("docker", &["compose", "version"], "v2.")
}

/// What `docker compose config` makes of `files` with only `vars` in its environment.
fn compose_config(files: &[PathBuf], vars: &Settings) -> Json {
    let mut command = Command::new("docker");
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command.args(["compose", "-p", "agreement"]);
    for file in files {
        command.arg("-f").arg(file);
    }
    command.args(["config", "--format", "json"]);
    for (key, value) in vars.iter() {
        command.env(key, value);
    }
    let output = command.output().expect("docker runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "compose config failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("compose prints JSON")
}

fn text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text_map(value: &Json) -> BTreeMap<String, String> {
    let map = value.as_object().cloned().unwrap_or_default();
    map.into_iter()
        .map(|(k, v)| (k, text(&v).unwrap_or_default()))
        .collect()
}

fn strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(text)
        .collect()
}

/// Compares one service field by field.
fn agree(service: &Service, theirs: &Json) {
    let name = service.name;
    let field = |k: &str| text(&theirs[k]);
    for key in ["image", "container_name", "user", "restart"] {
        assert_eq!(service.text(key), field(key), "{name}.{key}");
    }
    assert_eq!(
        service.flag("read_only"),
        theirs["read_only"] == Json::Bool(true),
        "{name}.read_only"
    );
    assert_eq!(
        service.environment(),
        text_map(&theirs["environment"]),
        "{name}.environment"
    );
    assert_eq!(
        service.labels(),
        text_map(&theirs["labels"]),
        "{name}.labels"
    );
    assert_eq!(
        service.list("cap_drop"),
        strings(&theirs["cap_drop"]),
        "{name}.cap_drop"
    );
    assert_eq!(
        service.list("security_opt"),
        strings(&theirs["security_opt"]),
        "{name}.security_opt"
    );
    assert_eq!(
        service.list("tmpfs"),
        strings(&theirs["tmpfs"]),
        "{name}.tmpfs"
    );

    let ports: Vec<_> = service
        .ports()
        .into_iter()
        .map(|(_, p)| p.expect("a port"))
        .collect();
    let their_ports = theirs["ports"].as_array().cloned().unwrap_or_default();
    assert_eq!(ports.len(), their_ports.len(), "{name}.ports");
    for (ours, their) in ports.iter().zip(&their_ports) {
        let ip = text(&their["host_ip"]).filter(|ip| !ip.is_empty());
        assert_eq!(
            ours.host_ip.as_deref().map(|i| i.trim_matches(['[', ']'])),
            ip.as_deref(),
            "{name}.ports host_ip"
        );
        assert_eq!(
            ours.published,
            text(&their["published"]).filter(|p| !p.is_empty()),
            "{name}.ports published"
        );
        assert_eq!(
            Some(ours.target.clone()),
            text(&their["target"]),
            "{name}.ports target"
        );
    }

    let mounts = service.mounts();
    let their_mounts = theirs["volumes"].as_array().cloned().unwrap_or_default();
    assert_eq!(mounts.len(), their_mounts.len(), "{name}.volumes");
    for (ours, their) in mounts.iter().zip(&their_mounts) {
        assert_eq!(
            Some(ours.kind.clone()),
            text(&their["type"]),
            "{name}.volumes type"
        );
        assert_eq!(
            Some(ours.target.clone()),
            text(&their["target"]),
            "{name}.volumes target"
        );
        assert_eq!(
            ours.read_only,
            their["read_only"] == Json::Bool(true),
            "{name}.volumes read_only"
        );
        if ours.kind == "bind" {
            assert_eq!(
                Some(ours.source.clone()),
                text(&their["source"]),
                "{name}.volumes source"
            );
        }
    }

    let limits = &theirs["deploy"]["resources"]["limits"];
    let memory =
        text(limits.get("memory").unwrap_or(&theirs["mem_limit"])).and_then(|m| parse_bytes(&m));
    let cpus = text(limits.get("cpus").unwrap_or(&theirs["cpus"])).and_then(|c| parse_cpus(&c));
    let pids =
        text(limits.get("pids").unwrap_or(&theirs["pids_limit"])).and_then(|p| p.parse().ok());
    assert_eq!(service.memory_limit(), memory, "{name} memory");
    assert_eq!(service.cpu_limit(), cpus, "{name} cpus");
    assert_eq!(service.pids_limit(), pids, "{name} pids");

    let test = strings(&theirs["healthcheck"]["test"]);
    let ours = match service.health_test() {
        HealthTest::Exec(words) => [vec!["CMD".to_string()], words].concat(),
        HealthTest::Shell(line) => vec!["CMD-SHELL".into(), line],
        HealthTest::None => vec!["NONE".into()],
        HealthTest::Missing => Vec::new(),
    };
    if theirs["healthcheck"]["disable"] != Json::Bool(true) {
        assert_eq!(ours, test, "{name}.healthcheck.test");
    }

    let networks: Vec<String> = theirs["networks"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut our_networks = service.networks();
    our_networks.sort();
    if !our_networks.is_empty() {
        assert_eq!(our_networks, networks, "{name}.networks");
    }
    let depends: BTreeMap<String, String> = service.depends_on().into_iter().collect();
    let their_depends: BTreeMap<String, String> = theirs["depends_on"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), text(&v["condition"]).unwrap_or_default()))
        .collect();
    assert_eq!(depends, their_depends, "{name}.depends_on");
}

fn compare(files: Vec<PathBuf>, vars: Settings) {
    let theirs = compose_config(&files, &vars);
    let lookup = |name: &str| vars.get(name).map(str::to_string);
    let project = Project::load(&files, &lookup).expect("the crate loads the files");
    let their_names: Vec<String> = theirs["services"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(project.service_names(), their_names);
    for name in project.service_names() {
        agree(
            &Service::of(&project, &name).unwrap(),
            &theirs["services"][&name],
        );
    }
}

#[test]
fn the_shipped_stack_reads_as_compose_reads_it() {
    if !compose_available() {
        return;
    }
    let stack = Stack::load(&Stack::shipped_root(), None).unwrap();
    let mut vars = stack.settings.clone();
    vars.set(
        "TSYS_WAKAPI_PASSWORD_SALT",
        "agreement-test-salt-0123456789",
    );
    compare(stack.compose_files(), vars);
}

#[test]
fn every_shared_case_reads_as_compose_reads_it() {
    if !compose_available() {
        return;
    }
    let dir = common::cases_dir();
    let vars = Settings::from_pairs([
        ("WAKAPI_PASSWORD_SALT", "case-salt-0123456789"),
        ("WAKAPI_API_KEY", "case-key"),
    ]);
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).expect("the shared cases are beside the repository") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml") {
            compare(vec![path], vars.clone());
            compared += 1;
        }
    }
    assert!(
        compared >= 10,
        "only {compared} case files found in {}",
        dir.display()
    );
}
