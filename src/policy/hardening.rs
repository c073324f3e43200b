//! Container hardening from CIS Docker Benchmark section 5 that a Compose file can
//! express, and the stack's rules for mounts and disk.

use super::{at, Context, Verdict};

/// Host folders that no container of the stack should mount (CIS 5.5).
const SENSITIVE: &[&str] = &[
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/sys",
    "/usr",
    "/var/lib/docker",
];

/// True for the host's root and the system folders of CIS 5.5, and anything below them.
pub fn is_sensitive_host_path(source: &str) -> bool {
    let source = source.trim_end_matches('/');
    source.is_empty()
        || SENSITIVE
            .iter()
            .any(|s| source == *s || source.starts_with(&format!("{s}/")))
}

/// C1: no privileged mode, no added capabilities.
pub fn privileges(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        if service.flag("privileged") {
            verdict
                .fire("C1", Some(service.name), at(service.name, "privileged"))
                .say(
                    format!("'{}' is privileged", service.name),
                    "remove privileged: true",
                );
        }
        for capability in service.list("cap_add") {
            verdict
                .fire("C1", Some(service.name), at(service.name, "cap_add"))
                .say(
                    format!("'{}' adds {capability}", service.name),
                    "remove it from cap_add",
                );
        }
    }
}

/// C2: `cap_drop: [ALL]`.
pub fn capabilities_dropped(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        if !service
            .list("cap_drop")
            .iter()
            .any(|c| c.eq_ignore_ascii_case("ALL"))
        {
            verdict
                .fire("C2", Some(service.name), at(service.name, "cap_drop"))
                .say(
                    format!("'{}' keeps the default capabilities", service.name),
                    "set cap_drop: [ALL]",
                );
        }
    }
}

/// C3: `no-new-privileges`.
pub fn no_new_privileges(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let set = service.list("security_opt").iter().any(|o| {
            let o = o.replace('=', ":");
            o == "no-new-privileges" || o == "no-new-privileges:true"
        });
        if !set {
            verdict
                .fire("C3", Some(service.name), at(service.name, "security_opt"))
                .say(
                    format!("'{}' may gain privileges", service.name),
                    "add \"no-new-privileges:true\" to security_opt",
                );
        }
    }
}

/// C4: no host namespaces.
pub fn host_namespaces(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        for key in ["network_mode", "pid", "ipc", "uts", "userns_mode"] {
            if service.text(key).as_deref() == Some("host") {
                verdict
                    .fire("C4", Some(service.name), at(service.name, key))
                    .say(
                        format!("'{}' shares the host's {key}", service.name),
                        format!("remove {key}: host"),
                    );
            }
        }
    }
}

/// C5: no sensitive host folders, no shared propagation.
pub fn sensitive_mounts(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        for mount in service.mounts().iter().filter(|m| m.kind == "bind") {
            let path = at(service.name, &format!("volumes[{}]", mount.index));
            if is_sensitive_host_path(&mount.source) {
                verdict.fire("C5", Some(service.name), path.clone()).say(
                    format!("'{}' mounts the host's '{}'", service.name, mount.source),
                    "mount only the service's own files",
                );
            }
            if mount
                .propagation
                .as_deref()
                .is_some_and(|p| p.contains("shared"))
            {
                verdict.fire("C5", Some(service.name), path).say(
                    "the mount uses shared propagation",
                    "remove the shared/rshared option",
                );
            }
        }
    }
}

/// C6: seccomp and AppArmor not unconfined.
pub fn confinement(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        for option in service.list("security_opt") {
            let normal = option.replace('=', ":");
            if normal == "seccomp:unconfined" || normal == "apparmor:unconfined" {
                verdict
                    .fire("C6", Some(service.name), at(service.name, "security_opt"))
                    .say(format!("'{}' runs {option}", service.name), "remove it");
            }
        }
    }
}

/// C7: a process limit.
pub fn pids_limit(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        if service.pids_limit().is_none_or(|n| n <= 0) {
            // Point at the spelling the file uses, so the location finds its line.
            let key = match service.model.get("pids_limit") {
                Some(_) => "pids_limit",
                None => "deploy.resources.limits.pids",
            };
            verdict
                .fire("C7", Some(service.name), at(service.name, key))
                .say(
                    format!("'{}' has no process limit", service.name),
                    "set deploy.resources.limits.pids",
                );
        }
    }
}

/// C8: a bounded restart policy.
pub fn restart_policy(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let policy = service.text("restart").unwrap_or_else(|| "no".into());
        let retries = policy
            .strip_prefix("on-failure:")
            .and_then(|n| n.parse::<u32>().ok());
        let ok =
            policy == "unless-stopped" || policy == "on-failure" || retries.is_some_and(|n| n <= 5);
        if !ok {
            verdict
                .fire("C8", Some(service.name), at(service.name, "restart"))
                .say(
                    format!("restart policy '{policy}'"),
                    "use unless-stopped or on-failure:5",
                );
        }
    }
}

/// S4: named volumes for data; binds only read-only (the socket is P9's).
pub fn named_volumes_only(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        for mount in service.mounts() {
            let path = at(service.name, &format!("volumes[{}]", mount.index));
            let socket = mount.source.ends_with("docker.sock");
            if mount.kind == "bind" && !mount.read_only && !socket {
                verdict.fire("S4", Some(service.name), path).say(
                    format!("'{}' is bound writable", mount.source),
                    "use a named volume, or add :ro",
                );
            } else if mount.kind == "volume" && mount.source.is_empty() {
                verdict.fire("S4", Some(service.name), path).say(
                    format!("'{}' is an anonymous volume", mount.target),
                    "name the volume",
                );
            }
        }
    }
}

/// S5: logs rotate and every tmpfs has a size.
pub fn disk_bounded(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let logging = service.model.get("logging");
        let driver = logging
            .and_then(|l| l.get("driver"))
            .and_then(crate::compose::scalar_text);
        let options = logging.and_then(|l| l.get("options"));
        let rotates = options.and_then(|o| o.get("max-size")).is_some();
        if driver.as_deref() != Some("none") && !rotates {
            verdict
                .fire("S5", Some(service.name), at(service.name, "logging"))
                .say(
                    format!("'{}' logs without rotation", service.name),
                    "set logging.options max-size and max-file",
                );
        }
        let entries = service
            .model
            .get("tmpfs")
            .and_then(|t| t.as_sequence())
            .cloned()
            .unwrap_or_default();
        for (index, entry) in entries.iter().enumerate() {
            let text = crate::compose::scalar_text(entry).unwrap_or_default();
            if !text.contains("size=") {
                verdict
                    .fire(
                        "S5",
                        Some(service.name),
                        at(service.name, &format!("tmpfs[{index}]")),
                    )
                    .say(
                        format!("tmpfs '{text}' has no size"),
                        "append :size=16m (or what the path needs)",
                    );
            }
        }
    }
}
