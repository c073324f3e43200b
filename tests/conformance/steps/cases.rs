//! The real-world Compose files of ../shared/cases and the verdicts their headers state.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use supportstack::compose::Project;
use supportstack::policy::Finding;

use crate::world::StackWorld;

#[given(expr = "the case file {string} with prefix {string}")]
fn case_file(world: &mut StackWorld, file: String, prefix: String) {
    let path = crate::common::cases_dir().join(&file);
    let none = |_: &str| None;
    world.project = Some(Project::load(&[path], &none).expect("the case file loads"));
    world.prefix = prefix;
}

#[then("the findings are exactly:")]
fn findings_are(world: &mut StackWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table of policy, service, at");
    let expected: Vec<&Vec<String>> = table.rows.iter().skip(1).collect();
    let findings = &world.verdict().findings;
    let matches = |e: &[String], f: &Finding| {
        f.policy == e[0] && f.service.as_deref() == Some(e[1].as_str()) && f.path.contains(&e[2])
    };
    for e in &expected {
        assert!(
            findings.iter().any(|f| matches(e, f)),
            "expected {e:?}, got {findings:#?}"
        );
    }
    for f in findings {
        assert!(
            expected.iter().any(|e| matches(e, f)),
            "unexpected finding {f:#?}"
        );
    }
}

#[then("nothing is found")]
fn nothing_found(world: &mut StackWorld) {
    let findings = &world.verdict().findings;
    assert!(findings.is_empty(), "unexpected findings: {findings:#?}");
}
