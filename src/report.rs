//! The forms a verdict is printed in: grouped text for people, JSON for tools, and
//! JUnit XML for CI.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::policy::{Finding, Verdict, CATALOGUE};

/// Text grouped by service, each finding with its key and a hint.
pub fn human(verdict: &Verdict, services: &[String]) -> String {
    let mut out = String::new();
    let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for finding in &verdict.findings {
        let group = finding
            .service
            .clone()
            .unwrap_or_else(|| "(project)".into());
        groups.entry(group).or_default().push(finding);
    }
    for (group, findings) in &groups {
        let _ = writeln!(out, "{group}");
        for f in findings {
            let _ = writeln!(
                out,
                "  {:<4} {}: {}",
                f.policy,
                visible(&f.path),
                visible(&f.message)
            );
            if let Some(location) = &f.location {
                let _ = writeln!(out, "       at: {location}");
            }
            let _ = writeln!(out, "       hint: {}", visible(&f.hint));
        }
    }
    if !verdict.exceptions.is_empty() {
        let _ = writeln!(out, "allowed exceptions");
        for e in &verdict.exceptions {
            let _ = writeln!(out, "  {:<4} {}: {}", e.policy, e.service, e.reason);
        }
    }
    let _ = writeln!(
        out,
        "{} finding(s) in {} service(s)",
        verdict.findings.len(),
        services.len()
    );
    out
}

/// JSON: `{"findings": [...], "exceptions": [...]}`.
pub fn json(verdict: &Verdict) -> String {
    serde_json::to_string_pretty(verdict).unwrap_or_else(|_| "{}".into())
}

/// JUnit XML: one test case per policy and service; a finding is a failure.
pub fn junit(verdict: &Verdict, services: &[String], selected: &dyn Fn(&str) -> bool) -> String {
    let policies: Vec<_> = CATALOGUE.iter().filter(|p| selected(p.id)).collect();
    let mut cases = String::new();
    let mut failures = 0;
    let mut total = 0;
    for policy in &policies {
        for service in services {
            total += 1;
            let found: Vec<&Finding> = verdict
                .findings
                .iter()
                .filter(|f| f.policy == policy.id && f.service.as_deref() == Some(service))
                .collect();
            let name = format!("{} {} ({})", policy.id, policy.title, service);
            let _ = write!(
                cases,
                "    <testcase classname=\"policy.{}\" name=\"{}\"",
                policy.id,
                escape(&name)
            );
            if found.is_empty() {
                cases.push_str("/>\n");
                continue;
            }
            failures += 1;
            let text: Vec<String> = found
                .iter()
                .map(|f| format!("{}: {} (hint: {})", f.path, f.message, f.hint))
                .collect();
            let _ = writeln!(
                cases,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                escape(&found[0].message),
                escape(&text.join("\n"))
            );
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  \
         <testsuite name=\"supportstack-check\" tests=\"{total}\" failures=\"{failures}\">\n{cases}  \
         </testsuite>\n</testsuites>\n"
    )
}

/// Escapes text for XML attributes and content; control characters XML forbids are
/// written as `\u{..}` so the report stays well-formed.
pub fn escape(text: &str) -> String {
    visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Text with control characters shown as `\u{..}`, so a value cannot drive the terminal.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// The catalogue as a Markdown table, for the docs.
pub fn catalogue_markdown() -> String {
    let mut out = String::from("| id | title | severity | matches |\n|---|---|---|---|\n");
    for p in CATALOGUE {
        let severity = format!("{:?}", p.severity).to_lowercase();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            p.id, p.title, severity, p.matches
        );
    }
    out
}
