//! The `supportstack check` command as a user runs it: output forms and exit codes.

use std::process::{Command, Output};

use supportstack::stack::Stack;

mod common;

fn run(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_supportstack"));
    for key in [
        "SUPPORTSTACK_PREFIX",
        "SUPPORTSTACK_SETTINGS",
        "SUPPORTSTACK_FORMAT",
        "SUPPORTSTACK_SELECT",
        "SUPPORTSTACK_OVERRIDES",
    ] {
        command.env_remove(key);
    }
    command.args(args).output().expect("the binary runs")
}

fn shipped_args() -> Vec<String> {
    let stack = Stack::load(&Stack::shipped_root(), None).unwrap();
    let settings = Stack::shipped_root().join("TSYSDevStack-SupportStack-Demo-Settings");
    let mut args = vec![
        "check".into(),
        "--settings".into(),
        settings.display().to_string(),
    ];
    args.extend(
        stack
            .compose_files()
            .iter()
            .map(|f| f.display().to_string()),
    );
    args
}

fn case(name: &str) -> String {
    common::cases_dir().join(name).display().to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn the_shipped_stack_is_clean() {
    let args = shipped_args();
    let output = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 finding(s) in 3 service(s)"));
    assert!(stdout(&output).contains("allowed exceptions"));
}

#[test]
fn findings_exit_1_grouped_by_service_with_hints() {
    let output = run(&[
        "check",
        "--prefix",
        "lab-",
        "--select",
        "P1",
        &case("case-01.yml"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("lab-homepage\n  P1   services.lab-homepage.ports[0]"),
        "{text}"
    );
    assert!(text.contains("hint: bind it to 127.0.0.1 or ::1"), "{text}");
}

#[test]
fn json_lists_policy_service_path_message_hint() {
    let output = run(&[
        "check",
        "--prefix",
        "lab-",
        "--select",
        "P2",
        "--format",
        "json",
        &case("case-02.yml"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = parsed["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for key in ["policy", "service", "path", "message", "hint"] {
        assert!(findings[0].get(key).is_some(), "{key} missing");
    }
}

#[test]
fn junit_counts_failures() {
    let output = run(&[
        "check",
        "--prefix",
        "lab-",
        "--select",
        "P7",
        "--format",
        "junit",
        &case("case-07.yml"),
    ]);
    let text = stdout(&output);
    assert!(text.contains("tests=\"3\" failures=\"2\""), "{text}");
    assert!(text.contains("<failure message="), "{text}");
}

#[test]
fn the_environment_twins_work() {
    let output = Command::new(env!("CARGO_BIN_EXE_supportstack"))
        .env("SUPPORTSTACK_PREFIX", "lab-")
        .env("SUPPORTSTACK_SELECT", "P1")
        .env("SUPPORTSTACK_FORMAT", "json")
        .args(["check", &case("good-01.yml")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn unusable_input_exits_2_with_a_hint() {
    for args in [
        vec!["check"],
        vec!["check", "--format", "xml", "x.yml"],
        vec!["check", "--select", "P99", "x.yml"],
        vec!["check", "--bogus", "x.yml"],
        vec!["check", "/nonexistent/compose.yml"],
        vec!["check", "--settings", "/nonexistent/settings", "x.yml"],
        vec!["frobnicate"],
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("error: failed to") && stderr.contains("hint:"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn invalid_yaml_exits_2() {
    let dir = std::env::temp_dir().join(format!("supportstack-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yml");
    std::fs::write(&file, "services: [\n").unwrap();
    let output = run(&["check", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_version_and_catalogue() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("exit codes:"));
    assert!(stdout(&run(&["--version"])).starts_with("supportstack "));
    let table = stdout(&run(&["policies"]));
    assert!(table.lines().count() > 20 && table.contains("| P1 |"));
}
