//! Points a finding at the line to change: the file and line where the key of its
//! path is written. Later files win, as they do when Compose merges them. A key that
//! is not written anywhere (a missing field) points at its service's line.

use std::path::Path;

use crate::compose::Project;
use crate::policy::Verdict;

/// Fills `location` of every finding that can be found in the project's files.
pub fn annotate(project: &Project, verdict: &mut Verdict) {
    let texts: Vec<(String, String)> = project
        .files
        .iter()
        .filter_map(|f| Some((display(f), std::fs::read_to_string(f).ok()?)))
        .collect();
    for finding in &mut verdict.findings {
        let segments = segments(&finding.path);
        let found = texts.iter().rev().find_map(|(name, text)| {
            find_line(text, &segments).map(|line| format!("{name}:{line}"))
        });
        finding.location = found;
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// `services.web.labels.homepage.group` → ["services", "web", "labels", "homepage.group"]:
/// the first three dots separate keys; label and environment names keep theirs.
fn segments(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path
        .splitn(4, '.')
        .map(|p| p.split('[').next().unwrap_or(p).to_string())
        .collect();
    if let Some(last) = parts.last_mut() {
        if !last.contains('.') {
            return parts;
        }
        let nested = ["deploy", "healthcheck", "logging"]
            .iter()
            .any(|k| parts[2] == *k);
        if nested {
            let rest: Vec<String> = parts
                .pop()
                .unwrap()
                .split('.')
                .map(str::to_string)
                .collect();
            parts.extend(rest);
        }
    }
    parts
}

/// The 1-based line of the deepest segment found, nested by indentation.
fn find_line(text: &str, segments: &[String]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut start, mut end) = (0, lines.len());
    let mut found = None;
    for (depth, key) in segments.iter().enumerate() {
        let hit = (start..end).find(|&i| is_key_line(lines[i], key));
        let Some(i) = hit else {
            return if depth >= 2 { found } else { None };
        };
        found = Some(i + 1);
        let indent = indentation(lines[i]);
        start = i + 1;
        end = (start..lines.len())
            .find(|&j| {
                !lines[j].trim().is_empty()
                    && !lines[j].trim_start().starts_with('#')
                    && indentation(lines[j]) <= indent
            })
            .unwrap_or(lines.len());
    }
    found
}

fn is_key_line(line: &str, key: &str) -> bool {
    let trimmed = line.trim_start().trim_start_matches("- ");
    let quoted = |q: char| {
        trimmed
            .strip_prefix(q)
            .and_then(|t| t.strip_prefix(key))
            .and_then(|t| t.strip_prefix(q))
    };
    let rest = trimmed
        .strip_prefix(key)
        .or_else(|| quoted('"'))
        .or_else(|| quoted('\''));
    rest.is_some_and(|r| r.starts_with(':') || r.starts_with('='))
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "services:\n  web:\n    image: x\n    labels:\n      homepage.group: G\n    \
                        deploy:\n      resources:\n        limits:\n          cpus: 1\n  db:\n    image: y\n\
                        networks:\n  front:\n    internal: true\n";

    #[test]
    fn keys_are_found_by_nesting() {
        let find = |path: &str| find_line(TEXT, &segments(path));
        assert_eq!(find("services.web.image"), Some(3));
        assert_eq!(find("services.db.image"), Some(11));
        assert_eq!(find("services.web.labels.homepage.group"), Some(5));
        assert_eq!(find("services.web.deploy.resources.limits.cpus"), Some(9));
        assert_eq!(find("services.web.ports[0]"), Some(2));
        assert_eq!(find("networks.front"), Some(13));
        assert_eq!(find("services.nope.image"), None);
    }
}
