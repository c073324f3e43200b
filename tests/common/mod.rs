//! What several test targets share: where the shared cases are, and how a missing
//! external tool is reported.

use std::path::PathBuf;
use std::process::Command;

/// Where the shared cases live: beside the repository, or where SUPPORTSTACK_CASES says.
#[allow(dead_code, reason = "each test target uses the helpers it needs")]
pub fn cases_dir() -> PathBuf {
    match std::env::var("SUPPORTSTACK_CASES") {
        Ok(dir) if !dir.is_empty() => dir.into(),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cases"),
    }
}

/// True when `tool ARGS` runs and its output contains `expect`; otherwise a stated
/// skip, or a failure when TSYS_REQUIRE_TOOLS=1 (as in CI).
#[allow(dead_code, reason = "each test target uses the helpers it needs")]
pub fn have(tool: &str, args: &[&str], expect: &str) -> bool {
    let output = Command::new(tool).args(args).output();
    let found = output
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(expect));
    if !found {
        let required = std::env::var("TSYS_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
        let shown = format!("{tool} {}", args.join(" "));
        assert!(
            !required,
            "'{shown}' is required (TSYS_REQUIRE_TOOLS=1) but did not work"
        );
        say(&format!(
            "skipped: '{shown}' did not work; install {tool} to run this check"
        ));
    }
    found
}

/// Writes a line past the test harness's output capture, so a passing test can still
/// say what it skipped.
#[allow(dead_code, reason = "each test target uses the helpers it needs")]
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
