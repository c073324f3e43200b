//! How each container runs: image, user, root filesystem, health, limits, order.

use super::{at, Context, Verdict};
use crate::image::ImageRef;
use crate::profiles::{Probe, Profile, Role};
use crate::service::{HealthTest, Service};

/// P2: images carry an explicit tag other than latest, or a digest.
pub fn pinned_image(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let Some(image) = service.image() else {
            continue;
        };
        let pinned = ImageRef::parse(&image).is_some_and(|r| r.is_pinned());
        if !pinned {
            verdict
                .fire("P2", Some(service.name), at(service.name, "image"))
                .say(
                    format!("image '{image}' is not pinned"),
                    "name an explicit release tag (not latest) or a @sha256 digest",
                );
        }
    }
}

/// P3: a non-zero `user:`, or the image's own uid/gid variables, unless excepted.
pub fn non_root(ctx: &Context, verdict: &mut Verdict) {
    for (service, profile) in ctx.services() {
        if let Some(reason) = profile.and_then(|p| p.root_exception) {
            verdict.except("P3", service.name, reason);
            continue;
        }
        let user_ok = service
            .user_id()
            .is_some_and(|uid| uid != "0" && uid != "root");
        if user_ok || drops_root_by_env(&service, profile) {
            continue;
        }
        let shown = service
            .text("user")
            .unwrap_or_else(|| "the image default (root)".into());
        verdict
            .fire("P3", Some(service.name), at(service.name, "user"))
            .say(
                format!("'{}' runs as {shown}", service.name),
                "set user: \"UID:GID\" with a non-zero uid",
            );
    }
}

fn drops_root_by_env(service: &Service, profile: Option<&Profile>) -> bool {
    let Some((uid_key, gid_key)) = profile.and_then(|p| p.uid_env) else {
        return false;
    };
    let environment = service.environment();
    let non_zero = |k: &str| {
        environment
            .get(k)
            .is_some_and(|v| v.parse::<u32>().is_ok_and(|n| n > 0))
    };
    non_zero(uid_key) && non_zero(gid_key)
}

/// P4: `read_only: true`, with a mount on every path the image writes.
pub fn read_only_root(ctx: &Context, verdict: &mut Verdict) {
    for (service, profile) in ctx.services() {
        if !service.flag("read_only") {
            verdict
                .fire("P4", Some(service.name), at(service.name, "read_only"))
                .say(
                    format!("'{}' has a writable root filesystem", service.name),
                    "set read_only: true",
                );
            continue;
        }
        let writable = service.writable_targets();
        let needed = profile.map(|p| p.writable).unwrap_or_default();
        let covered =
            |path: &&str| writable.iter().any(|w| w == path) || config_dir_covers(&service, path);
        for path in needed.iter().filter(|p| !covered(p)) {
            verdict
                .fire("P4", Some(service.name), at(service.name, "tmpfs"))
                .say(
                    format!("the image writes '{path}', which is read-only here"),
                    format!("mount a tmpfs or a volume on {path}"),
                );
        }
    }
}

/// A read-only bind of the whole config folder also satisfies homepage: it only
/// writes there to copy missing files.
fn config_dir_covers(service: &Service, path: &str) -> bool {
    service
        .mounts()
        .iter()
        .any(|m| m.target == path && m.kind == "bind")
}

/// P6: a health check that hits the image's endpoint with a tool the image has.
pub fn health_check(ctx: &Context, verdict: &mut Verdict) {
    for (service, profile) in ctx.services() {
        let path = at(service.name, "healthcheck");
        let problem = match (service.health_test(), profile) {
            (HealthTest::Missing, Some(p)) if p.image_healthcheck => None,
            (HealthTest::Missing, _) => Some("has no health check".to_string()),
            (HealthTest::None, _) => Some("disables its health check".to_string()),
            (_, None) => None,
            (test, Some(p)) => probe_problem(&service, &test, p),
        };
        if let Some(problem) = problem {
            verdict.fire("P6", Some(service.name), path).say(
                format!("'{}' {problem}", service.name),
                health_hint(profile),
            );
        }
    }
}

fn probe_problem(service: &Service, test: &HealthTest, profile: &Profile) -> Option<String> {
    let words: Vec<String> = match test {
        HealthTest::Exec(words) => words.clone(),
        HealthTest::Shell(_) if !profile.has_shell => {
            return Some("uses a shell health check but the image has no shell".into());
        }
        HealthTest::Shell(line) => line.split_whitespace().map(str::to_string).collect(),
        _ => return None,
    };
    let program = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or_default();
    match profile.probe {
        Probe::Command(command) => {
            let runs = words.first().is_some_and(|w| w == command);
            (!runs).then(|| format!("does not run the image's probe {command}"))
        }
        Probe::Url { path, tools } => {
            if !tools.contains(&program) {
                return Some(format!(
                    "probes with '{program}', which the image does not have"
                ));
            }
            let port = container_port(service, profile);
            let url_ok = words.iter().any(|w| url_matches(w, port, path));
            (!url_ok).then(|| format!("does not fetch http://127.0.0.1:{port}{path}"))
        }
    }
}

fn url_matches(word: &str, port: u16, path: &str) -> bool {
    let Some(rest) = word.strip_prefix("http://") else {
        return false;
    };
    let (authority, url_path) = rest.split_once('/').unwrap_or((rest, ""));
    let port_ok = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p == port.to_string());
    port_ok && format!("/{url_path}").split('?').next() == Some(path)
}

/// The port the image listens on, after its port variable.
pub(crate) fn container_port(service: &Service, profile: &Profile) -> u16 {
    let environment = service.environment();
    let moved = profile
        .port_env
        .and_then(|k| environment.get(k))
        .and_then(|v| v.parse().ok());
    moved.unwrap_or(profile.port)
}

fn health_hint(profile: Option<&Profile>) -> String {
    match profile.map(|p| p.probe) {
        Some(Probe::Url { path, tools }) => {
            format!(
                "test: [\"CMD\", \"{}\", \"-q\", \"-O\", \"-\", \"http://127.0.0.1:PORT{path}\"]",
                tools[0]
            )
        }
        Some(Probe::Command(command)) => format!("test: [\"CMD\", \"{command}\"]"),
        None => "add a healthcheck whose test exercises the service".into(),
    }
}

/// P7: CPU and memory limits, not just reservations.
pub fn resource_limits(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let memory = service.memory_limit().is_some_and(|m| m > 0);
        let cpus = service.cpu_limit().is_some_and(|c| c > 0.0);
        let missing = match (memory, cpus) {
            (true, true) => continue,
            (false, false) => "CPU and memory limits",
            (false, true) => "memory limit",
            (true, false) => "CPU limit",
        };
        let path = at(service.name, "deploy.resources.limits");
        verdict.fire("P7", Some(service.name), path).say(
            format!("'{}' has no {missing}", service.name),
            "set deploy.resources.limits.cpus and .memory; reservations are a floor, not a ceiling",
        );
    }
}

/// P8: every dependency waits for health, and dashboards wait for their proxy.
pub fn startup_order(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        for (target, condition) in service.depends_on() {
            let path = at(service.name, &format!("depends_on.{target}"));
            if condition != "service_healthy" {
                verdict.fire("P8", Some(service.name), path).say(
                    format!(
                        "'{}' waits for '{target}' only to be {condition}",
                        service.name
                    ),
                    "use condition: service_healthy",
                );
                continue;
            }
            let target_checked =
                ctx.services()
                    .find(|(s, _)| s.name == target)
                    .is_some_and(|(s, p)| match s.health_test() {
                        HealthTest::Missing => p.is_some_and(|p| p.image_healthcheck),
                        HealthTest::None => false,
                        _ => true,
                    });
            if !target_checked {
                verdict.fire("P8", Some(service.name), path).say(
                    format!("'{target}' has no health check, so it never becomes healthy"),
                    format!("add a health check to '{target}'"),
                );
            }
        }
    }
    for (dashboard, _) in ctx.with_role(Role::Dashboard) {
        let waits = dashboard.depends_on();
        for (proxy, _) in ctx.with_role(Role::SocketProxy) {
            if !waits.iter().any(|(name, _)| name == proxy.name) {
                let path = at(dashboard.name, "depends_on");
                verdict.fire("P8", Some(dashboard.name), path).say(
                    format!(
                        "'{}' does not wait for the proxy '{}'",
                        dashboard.name, proxy.name
                    ),
                    format!(
                        "add depends_on: {{{}: {{condition: service_healthy}}}}",
                        proxy.name
                    ),
                );
            }
        }
    }
}
