//! The settings file: `KEY=value` lines read as data, exactly as the control script
//! reads them. The value is everything after the first `=`, taken literally; `#`
//! lines and blank lines are skipped. Nothing is expanded or unquoted.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

/// The merged settings of a stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// Reads one settings file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let mut values = BTreeMap::new();
        for (line, key, value) in parse(path, &text)? {
            if values.insert(key.clone(), value).is_some() {
                let message = format!("duplicate key '{key}'");
                return Err(Error::SettingsLine {
                    path: path.into(),
                    line,
                    message,
                });
            }
        }
        Ok(Settings { values })
    }

    /// Builds settings from pairs; for tests and callers that compute them.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let values = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Settings { values }
    }

    /// Applies an overrides file: it may replace values, never add keys.
    pub fn apply_overrides(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let mut seen = std::collections::BTreeSet::new();
        for (line, key, value) in parse(path, &text)? {
            if !seen.insert(key.clone()) {
                let message = format!("duplicate key '{key}'");
                return Err(Error::SettingsLine {
                    path: path.into(),
                    line,
                    message,
                });
            }
            match self.values.get_mut(&key) {
                Some(slot) => *slot = value,
                None => {
                    return Err(Error::UnknownOverride {
                        path: path.into(),
                        line,
                        key,
                    })
                }
            }
        }
        Ok(())
    }

    /// Sets one value, adding the key if needed.
    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_string(), value.to_string());
    }

    /// The value of a key, if the settings have it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Every key and value, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The settings as sorted `KEY=value` lines, the form the control script prints.
    pub fn to_lines(&self) -> String {
        self.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
    }
}

fn parse(path: &Path, text: &str) -> Result<Vec<(usize, String, String)>, Error> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = raw.split_once('=') else {
            let message = format!("'{raw}' is not KEY=value");
            return Err(Error::SettingsLine {
                path: path.into(),
                line,
                message,
            });
        };
        if !is_key(key) {
            let message = format!("'{key}' is not a valid key");
            return Err(Error::SettingsLine {
                path: path.into(),
                line,
                message,
            });
        }
        out.push((line, key.to_string(), value.to_string()));
    }
    Ok(out)
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    first_ok && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Vec<(usize, String, String)>, Error> {
        parse(Path::new("test"), text)
    }

    #[test]
    fn values_are_literal() {
        let parsed = parse_text("A=$(touch x)\nB=\"quoted\" # not a comment\nC=a=b\n").unwrap();
        assert_eq!(parsed[0].2, "$(touch x)");
        assert_eq!(parsed[1].2, "\"quoted\" # not a comment");
        assert_eq!(parsed[2].2, "a=b");
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let parsed = parse_text("# c\n\n   \n  # indented\nA=1\n").unwrap();
        assert_eq!(parsed, vec![(5, "A".into(), "1".into())]);
    }

    #[test]
    fn malformed_lines_are_rejected_with_their_number() {
        for bad in [
            "A=1\njust text\n",
            "A=1\nlower=1\n",
            "A=1\n9A=1\n",
            "A=1\n=1\n",
        ] {
            match parse_text(bad) {
                Err(Error::SettingsLine { line: 2, .. }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }
}
