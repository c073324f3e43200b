//! The control script seen from the crate: both read the settings file the same way,
//! every script passes shellcheck, and the bats suite passes. A missing tool is a
//! stated skip locally and a failure when TSYS_REQUIRE_TOOLS=1 (as in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use supportstack::settings::Settings;
use supportstack::stack::{Stack, SETTINGS_FILE};

mod common;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    Stack::shipped_root().join("TSYSDevStack-SupportStack-Demo-Control.sh")
}

fn have(tool: &str) -> bool {
    common::have(tool, &["--version"], "")
}

/// What the script's hidden `settings` verb prints for the shipped file plus `overrides`.
fn script_settings(overrides: Option<&Path>) -> String {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .arg("settings")
        .env_remove("TSYS_SETTINGS");
    match overrides {
        Some(path) => command.env("TSYS_SETTINGS_OVERRIDES", path),
        None => command.env_remove("TSYS_SETTINGS_OVERRIDES"),
    };
    let output = command.output().expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the script refused the settings: {stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

fn crate_settings(overrides: Option<&Path>) -> String {
    let mut settings = Settings::load(&Stack::shipped_root().join(SETTINGS_FILE)).unwrap();
    if let Some(path) = overrides {
        settings.apply_overrides(path).unwrap();
    }
    settings.to_lines()
}

#[test]
fn both_parsers_read_the_shipped_settings_alike() {
    assert_eq!(script_settings(None), crate_settings(None));
}

#[test]
fn both_parsers_keep_shell_syntax_as_text() {
    let fixture = repo().join("tests/fixtures/literal-values.overrides");
    let from_script = script_settings(Some(&fixture));
    assert_eq!(from_script, crate_settings(Some(&fixture)));
    assert!(from_script.contains("=$(touch /tmp/tsysdevstack-must-not-exist) and `date`\n"));
    assert!(from_script.contains("=\"double\" 'single' # not a comment\n"));
    assert!(
        !Path::new("/tmp/tsysdevstack-must-not-exist").exists(),
        "a value was executed"
    );
}

#[test]
fn every_shell_script_passes_shellcheck() {
    if !have("shellcheck") {
        return;
    }
    let mut scripts = vec![script(), repo().join(".ci/run")];
    for dir in [".ci", "tests/standins"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "sh") {
                scripts.push(path);
            }
        }
    }
    scripts.extend(standin_scripts(&repo().join("tests/standins")));
    let output = Command::new("shellcheck").args(&scripts).output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "shellcheck found problems:\n{report}"
    );
}

/// The busybox scripts baked into the stand-in images (no .sh suffix, sh shebang).
fn standin_scripts(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(standin_scripts(&path));
        } else if path.to_string_lossy().contains("/rootfs/") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.starts_with("#!/bin/busybox sh") {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn the_bats_suite_passes() {
    if !have("bats") {
        return;
    }
    let output = Command::new("bats")
        .arg(repo().join("tests/control"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "bats failed:\n{report}");
    let skips: Vec<&str> = report.lines().filter(|l| l.contains(" # skip")).collect();
    common::say(&format!(
        "bats: {} tests, {} skipped",
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        skips.len()
    ));
    for line in skips {
        common::say(&format!("skipped: bats {line}"));
    }
}
