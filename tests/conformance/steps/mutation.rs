//! Changes a scenario makes to a loaded project: a value after interpolation, or the
//! text as written (which is then interpolated with the stack's settings).

use cucumber::when;
use serde_norway::{Mapping, Value};
use supportstack::interpolate::interpolate;

use crate::world::StackWorld;

#[when(expr = "in service {string} the value {string} becomes `{}`")]
fn value_becomes(world: &mut StackWorld, service: String, path: String, yaml: String) {
    let path = service_path(world, &service, &path);
    set(&mut world.project_mut().model, &path, Some(parse(&yaml)));
}

#[when(expr = "in service {string} the value {string} is removed")]
fn value_removed(world: &mut StackWorld, service: String, path: String) {
    let path = service_path(world, &service, &path);
    set(&mut world.project_mut().model, &path, None);
}

#[when(expr = "in the project the value {string} becomes `{}`")]
fn project_value_becomes(world: &mut StackWorld, path: String, yaml: String) {
    let path = split(&path);
    set(&mut world.project_mut().model, &path, Some(parse(&yaml)));
}

#[when(expr = "in the project the value {string} is removed")]
fn project_value_removed(world: &mut StackWorld, path: String) {
    let path = split(&path);
    set(&mut world.project_mut().model, &path, None);
}

#[when(expr = "in service {string} the text {string} is written as `{}`")]
fn text_written(world: &mut StackWorld, service: String, path: String, yaml: String) {
    let path = service_path(world, &service, &path);
    let raw = parse(&yaml);
    let settings = world
        .stack
        .as_ref()
        .map(|s| s.settings.clone())
        .unwrap_or_default();
    let lookup = |name: &str| settings.get(name).map(str::to_string);
    let model = match &raw {
        Value::String(text) => Value::String(interpolate(text, &lookup).unwrap().value),
        other => other.clone(),
    };
    let project = world.project_mut();
    set(&mut project.raw, &path, Some(raw));
    set(&mut project.model, &path, Some(model));
}

#[when(expr = "in service {string} the text {string} is removed")]
fn text_removed(world: &mut StackWorld, service: String, path: String) {
    let path = service_path(world, &service, &path);
    let project = world.project_mut();
    set(&mut project.raw, &path, None);
    set(&mut project.model, &path, None);
}

fn service_path(world: &StackWorld, service: &str, path: &str) -> Vec<String> {
    let mut full = vec!["services".to_string(), world.service_name(service)];
    full.extend(split(path));
    full
}

fn split(path: &str) -> Vec<String> {
    path.split('/').map(str::to_string).collect()
}

fn parse(yaml: &str) -> Value {
    serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("`{yaml}` is not YAML: {e}"))
}

/// Sets (or with `None` removes) the value at `path`, creating mappings on the way
/// and appending when an index equals a sequence's length.
pub fn set(root: &mut Value, path: &[String], new: Option<Value>) {
    let (last, parents) = path.split_last().expect("an empty path");
    let mut node = root;
    for key in parents {
        node = child(node, key);
    }
    match (node, new) {
        (Value::Sequence(items), new) => {
            let index: usize = last.parse().expect("a sequence index");
            match new {
                Some(v) if index < items.len() => items[index] = v,
                Some(v) => items.push(v),
                None => {
                    items.remove(index);
                }
            }
        }
        (node, Some(v)) => {
            mapping(node).insert(Value::from(last.as_str()), v);
        }
        (node, None) => {
            mapping(node).remove(last.as_str());
        }
    }
}

fn child<'a>(node: &'a mut Value, key: &str) -> &'a mut Value {
    if let Value::Sequence(items) = node {
        let index: usize = key.parse().expect("a sequence index");
        return &mut items[index];
    }
    let map = mapping(node);
    if !map.contains_key(key) {
        map.insert(Value::from(key), Value::Mapping(Mapping::new()));
    }
    map.get_mut(key).unwrap()
}

fn mapping(node: &mut Value) -> &mut Mapping {
    if !node.is_mapping() {
        *node = Value::Mapping(Mapping::new());
    }
    node.as_mapping_mut().unwrap()
}
