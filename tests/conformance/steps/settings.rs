//! The settings file: one place for every value, read as data.

use cucumber::{given, then};
use supportstack::stack::Stack;

use crate::world::StackWorld;

#[given(expr = "the shipped stack with the setting {word} set to {string}")]
fn stack_with_setting(world: &mut StackWorld, key: String, value: String) {
    let mut stack = Stack::load(&Stack::shipped_root(), None).expect("the settings load");
    assert!(stack.settings.get(&key).is_some(), "{key} is not a setting");
    stack.settings.set(&key, &value);
    world.project = Some(stack.project().expect("the Compose files load"));
    world.prefix = stack.prefix();
    world.stack = Some(stack);
}

#[given(expr = "the shipped settings with the overrides file {string}")]
fn settings_with_overrides(world: &mut StackWorld, file: String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let stack = Stack::load(&Stack::shipped_root(), Some(&path)).expect("the overrides apply");
    world.stack = Some(stack);
}

#[then(expr = "the setting {word} is the text `{}`")]
fn setting_is(world: &mut StackWorld, key: String, expected: String) {
    let settings = &world.stack.as_ref().expect("settings were loaded").settings;
    assert_eq!(settings.get(&key), Some(expected.as_str()));
}
