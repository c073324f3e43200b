//! How Compose layers one file over another: mappings merge key by key, a few lists
//! add up, `volumes` replace by target, and `!reset` / `!override` tags remove or
//! replace a value outright.

use serde_norway::value::TaggedValue;
use serde_norway::Value;

use crate::compose::scalar_text;

/// Lists whose items add up across files (Compose keeps each distinct item once).
const APPENDED: &[&str] = &[
    "ports",
    "expose",
    "tmpfs",
    "cap_add",
    "cap_drop",
    "security_opt",
    "dns",
    "dns_search",
    "dns_opt",
    "extra_hosts",
    "group_add",
    "devices",
    "env_file",
    "external_links",
    "links",
];

/// Merges `next` into `base` the way Compose layers files.
pub fn merge(base: &mut Value, next: Value) {
    let Value::Mapping(next) = next else {
        *base = untag(next).unwrap_or(Value::Null);
        return;
    };
    let Value::Mapping(base) = base else {
        *base = untag(Value::Mapping(next)).unwrap_or(Value::Null);
        return;
    };
    for (key, value) in next {
        let name = key.as_str().unwrap_or_default().to_string();
        match (tag_of(&value), base.get_mut(&key)) {
            (Some("reset"), _) => {
                base.remove(&key);
            }
            (Some("override"), _) | (_, None) => match untag(value) {
                Some(value) => {
                    base.insert(key, value);
                }
                None => {
                    base.remove(&key);
                }
            },
            (_, Some(Value::Sequence(old))) if name == "volumes" => {
                for item in value.as_sequence().cloned().unwrap_or_default() {
                    let target = mount_target(&item);
                    old.retain(|o| target.is_none() || mount_target(o) != target);
                    old.extend(untag(item));
                }
            }
            (_, Some(Value::Sequence(old))) if APPENDED.contains(&name.as_str()) => {
                for item in value.as_sequence().cloned().unwrap_or_default() {
                    if let Some(item) = untag(item).filter(|i| !old.contains(i)) {
                        old.push(item);
                    }
                }
            }
            (_, Some(slot)) => merge(slot, value),
        }
    }
}

fn tag_of(value: &Value) -> Option<&'static str> {
    let Value::Tagged(tagged) = value else {
        return None;
    };
    match tagged.tag.to_string().trim_start_matches('!') {
        "reset" => Some("reset"),
        "override" => Some("override"),
        _ => None,
    }
}

/// The value without Compose's tags; `None` for a `!reset` value.
pub fn untag(value: Value) -> Option<Value> {
    match value {
        Value::Tagged(tagged) => {
            let TaggedValue { tag, value } = *tagged;
            if tag.to_string().trim_start_matches('!') == "reset" {
                None
            } else {
                untag(value)
            }
        }
        Value::Sequence(items) => Some(Value::Sequence(
            items.into_iter().filter_map(untag).collect(),
        )),
        Value::Mapping(map) => Some(Value::Mapping(
            map.into_iter()
                .filter_map(|(k, v)| Some((k, untag(v)?)))
                .collect(),
        )),
        other => Some(other),
    }
}

/// The container path of a `volumes` item, short or long syntax.
fn mount_target(item: &Value) -> Option<String> {
    if let Some(target) = item.get("target").and_then(scalar_text) {
        return Some(target);
    }
    let text = scalar_text(item)?;
    let parts: Vec<&str> = text.split(':').collect();
    Some(if parts.len() == 1 { parts[0] } else { parts[1] }.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(a: &str, b: &str) -> Value {
        let mut base = untag(serde_norway::from_str(a).unwrap()).unwrap();
        merge(&mut base, serde_norway::from_str(b).unwrap());
        base
    }

    #[test]
    fn mappings_merge_and_scalars_override() {
        let v = merged("a: {x: 1, y: 2}\nb: 1\n", "a: {y: 3}\nb: 2\n");
        assert_eq!(v["a"]["x"], Value::from(1));
        assert_eq!(v["a"]["y"], Value::from(3));
        assert_eq!(v["b"], Value::from(2));
    }

    #[test]
    fn some_lists_add_up_and_others_replace() {
        let v = merged(
            "security_opt: [a]\ncommand: [x]\n",
            "security_opt: [b, a]\ncommand: [y]\n",
        );
        assert_eq!(
            v["security_opt"],
            serde_norway::from_str::<Value>("[a, b]").unwrap()
        );
        assert_eq!(
            v["command"],
            serde_norway::from_str::<Value>("[y]").unwrap()
        );
    }

    #[test]
    fn volumes_replace_by_target() {
        let v = merged(
            "volumes: ['/etc:/data:ro', 'x:/keep']\n",
            "volumes: ['vol:/data']\n",
        );
        assert_eq!(
            v["volumes"],
            serde_norway::from_str::<Value>("['x:/keep', 'vol:/data']").unwrap()
        );
    }

    #[test]
    fn reset_and_override_tags() {
        let v = merged(
            "ports: ['1:1']\nenv: {a: 1}\n",
            "ports: !reset []\nenv: !override {b: 2}\n",
        );
        assert!(v.get("ports").is_none());
        assert_eq!(v["env"], serde_norway::from_str::<Value>("{b: 2}").unwrap());
        let v = merged("ports: ['1:1']\n", "ports: !override ['2:2']\n");
        assert_eq!(
            v["ports"],
            serde_norway::from_str::<Value>("['2:2']").unwrap()
        );
    }
}
