//! The Compose model of the shipped stack and what the policy catalogue says of it.

use std::collections::BTreeSet;

use cucumber::{given, then, when};
use supportstack::interpolate::referenced_names;
use supportstack::policy::{self, Context};
use supportstack::service::Service;
use supportstack::stack::Stack;

use crate::world::StackWorld;

#[given("the shipped stack")]
fn shipped_stack(world: &mut StackWorld) {
    let stack = Stack::load(&Stack::shipped_root(), None).expect("the settings load");
    world.project = Some(stack.project().expect("the Compose files load"));
    world.prefix = stack.prefix();
    world.stack = Some(stack);
}

#[when("the policies are checked")]
fn check_all(world: &mut StackWorld) {
    world.selected = None;
    run_check(world);
}

#[given(expr = "the policies {string}")]
fn choose_policies(world: &mut StackWorld, ids: String) {
    world.selected = Some(list(&ids));
}

#[when("those policies are checked")]
fn check_chosen(world: &mut StackWorld) {
    assert!(
        world.selected.is_some(),
        "a Given step must choose the policies"
    );
    run_check(world);
}

/// Runs the policies the scenario chose, or all of them.
fn run_check(world: &mut StackWorld) {
    let ids = world.selected.clone();
    let selected = |id: &str| ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i == id));
    let context = Context::new(world.project(), &world.prefix);
    world.verdict = Some(policy::check(&context, &selected));
}

#[then(expr = "policies {string} find nothing")]
fn policies_silent(world: &mut StackWorld, ids: String) {
    for id in list(&ids) {
        let found: Vec<_> = world
            .verdict()
            .findings
            .iter()
            .filter(|f| f.policy == id)
            .collect();
        assert!(found.is_empty(), "{id} found: {found:#?}");
    }
}

#[then(expr = "only policy {string} fires, on service {string}")]
fn only_on_service(world: &mut StackWorld, id: String, service: String) {
    let service = world.service_name(&service);
    assert_only(world, &id, &[Some(service)]);
}

#[then(expr = "only policy {string} fires, on services {string}")]
fn only_on_services(world: &mut StackWorld, id: String, services: String) {
    let services: Vec<_> = list(&services)
        .iter()
        .map(|s| Some(world.service_name(s)))
        .collect();
    assert_only(world, &id, &services);
}

#[then(expr = "only policy {string} fires, on the project")]
fn only_on_project(world: &mut StackWorld, id: String) {
    assert_only(world, &id, &[None]);
}

fn assert_only(world: &StackWorld, id: &str, services: &[Option<String>]) {
    let findings = &world.verdict().findings;
    let others: Vec<_> = findings.iter().filter(|f| f.policy != id).collect();
    assert!(others.is_empty(), "other policies fired too: {others:#?}");
    let hit: BTreeSet<_> = findings.iter().map(|f| f.service.clone()).collect();
    let expected: BTreeSet<_> = services.iter().cloned().collect();
    assert_eq!(hit, expected, "{id} fired on {hit:?}: {findings:#?}");
}

#[then(expr = "policy {string} fires on service {string}")]
fn fires_on(world: &mut StackWorld, id: String, service: String) {
    let service = world.service_name(&service);
    let findings = &world.verdict().findings;
    let hit = findings
        .iter()
        .any(|f| f.policy == id && f.service.as_deref() == Some(&service));
    assert!(hit, "{id} did not fire on {service}: {findings:#?}");
}

#[then(expr = "policy {string} allows an exception for service {string}")]
fn exception_for(world: &mut StackWorld, id: String, service: String) {
    let service = world.service_name(&service);
    let exceptions = &world.verdict().exceptions;
    let allowed = exceptions
        .iter()
        .find(|e| e.policy == id && e.service == service);
    let allowed = allowed.unwrap_or_else(|| panic!("no {id} exception for {service}"));
    assert!(allowed.reason.len() > 20, "the exception must say why");
}

#[then(expr = "every service has the labels {string}")]
fn every_service_labelled(world: &mut StackWorld, keys: String) {
    let project = world.project();
    for name in project.service_names() {
        let labels = Service::of(project, &name).unwrap().labels();
        for key in list(&keys) {
            let value = labels.get(&key).map(String::as_str).unwrap_or_default();
            assert!(!value.is_empty(), "{name} lacks {key}");
        }
    }
}

#[then("every variable of the Compose files is a key of the settings file")]
fn variables_defined(world: &mut StackWorld) {
    let stack = world.stack.as_ref().expect("the shipped stack");
    for file in stack.compose_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in referenced_names(&text) {
            assert!(
                stack.settings.get(&name).is_some(),
                "{} uses undefined {name}",
                file.display()
            );
        }
    }
}

#[then(expr = "service {string} is limited to {int} bytes of memory")]
fn memory_limit(world: &mut StackWorld, service: String, bytes: u64) {
    let name = world.service_name(&service);
    let limit = Service::of(world.project(), &name).unwrap().memory_limit();
    assert_eq!(limit, Some(bytes));
}

/// Splits "A, B, C" into its items.
pub fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
