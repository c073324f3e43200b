//! The table people read after a run: every policy against every component of the
//! shipped stack, plus how the live tier went. Printed and written as Markdown.

use std::fmt::Write;

use supportstack::policy::{self, Context, CATALOGUE};
use supportstack::stack::Stack;

use crate::live_stack::Live;

/// The Markdown summary of the static verdict and the live tier.
pub fn markdown(live: &Live, live_failed: bool, skipped: &[(String, String)]) -> String {
    let stack = Stack::load(&Stack::shipped_root(), None).expect("the settings load");
    let project = stack.project().expect("the Compose files load");
    let prefix = stack.prefix();
    let verdict = policy::check(&Context::new(&project, &prefix), &|_| true);
    let components = stack.components();

    let mut out = String::from("# Conformance summary\n\n");
    let _ = writeln!(out, "| policy | {} |", components.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(components.len()));
    for policy in CATALOGUE {
        let cells: Vec<&str> = components
            .iter()
            .map(|component| {
                let service = stack.service_name(component);
                let on = |s: &Option<String>| s.as_deref() == Some(service.as_str());
                if verdict
                    .findings
                    .iter()
                    .any(|f| f.policy == policy.id && on(&f.service))
                {
                    "FAIL"
                } else if verdict
                    .exceptions
                    .iter()
                    .any(|e| e.policy == policy.id && e.service == service)
                {
                    "exception"
                } else {
                    "pass"
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} {} | {} |",
            policy.id,
            policy.title,
            cells.join(" | ")
        );
    }
    for exception in &verdict.exceptions {
        let _ = writeln!(
            out,
            "\nException {} on {}: {}",
            exception.policy, exception.service, exception.reason
        );
    }
    let _ = writeln!(out, "\n## Live tier\n");
    match live.unavailable() {
        Some(reason) => {
            let _ = writeln!(out, "skipped: {reason}");
        }
        None => {
            let images = if live.uses_standins() {
                "stand-in images"
            } else {
                "upstream images"
            };
            let result = if live_failed { "FAILED" } else { "passed" };
            let seconds = live.state().start_seconds;
            let _ = writeln!(out, "{result} on {images}; start took {seconds:.1} s");
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n### Skipped scenarios, with the reason\n");
    }
    for (name, reason) in skipped {
        let _ = writeln!(out, "- {name}: {reason}");
    }
    out
}
