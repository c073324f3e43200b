//! The runtime half of the catalogue: the policies that mean something on a running
//! container, judged from `docker inspect` alone. The live scenarios compare this
//! verdict with the static one on the shipped stack, and show it can fail on a
//! throwaway container started without the stack's hardening.

use bollard::models::{ContainerInspectResponse, RestartPolicyNameEnum};
use supportstack::policy::is_sensitive_host_path;
use supportstack::ports::is_loopback_ip;
use supportstack::profiles::{self, Role};

/// The policies this module judges.
pub const RUNTIME_POLICIES: &[&str] = &[
    "P1", "P3", "P4", "P6", "P7", "P9", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
];

/// What one container violates, as policy ids, and the P3 exception if it has one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LiveVerdict {
    pub fired: Vec<&'static str>,
    pub root_exception: bool,
}

pub fn judge(inspect: &ContainerInspectResponse) -> LiveVerdict {
    let config = inspect.config.clone().unwrap_or_default();
    let host = inspect.host_config.clone().unwrap_or_default();
    let image = config.image.clone().unwrap_or_default();
    let profile = profiles::for_image(&image);
    let mut verdict = LiveVerdict::default();
    let mut fire = |id: &'static str, broken: bool| {
        if broken && !verdict.fired.contains(&id) {
            verdict.fired.push(id);
        }
    };

    let ports = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.clone())
        .unwrap_or_default();
    let bindings = ports.values().flatten().flatten();
    fire(
        "P1",
        bindings
            .clone()
            .any(|b| !is_loopback_ip(b.host_ip.as_deref().unwrap_or(""))),
    );

    let user = config.user.clone().unwrap_or_default();
    let uid = user.split(':').next().unwrap_or_default();
    let root = uid.is_empty() || uid == "0" || uid == "root";
    let excepted = profile.is_some_and(|p| p.root_exception.is_some());
    fire("P3", root && !excepted);
    let root_exception = root && excepted;

    fire("P4", host.readonly_rootfs != Some(true));
    let health = inspect.state.as_ref().and_then(|s| s.health.clone());
    fire("P6", health.is_none());
    fire(
        "P7",
        host.memory.unwrap_or(0) <= 0 || host.nano_cpus.unwrap_or(0) <= 0,
    );

    let is_proxy = profile.is_some_and(|p| p.role == Role::SocketProxy);
    let mounts = inspect.mounts.clone().unwrap_or_default();
    let socket = mounts.iter().filter(|m| {
        m.source
            .as_deref()
            .is_some_and(|s| s.ends_with("docker.sock"))
    });
    let socket_bad = socket.clone().any(|m| !is_proxy || m.rw == Some(true));
    let env = config.env.clone().unwrap_or_default();
    let writes_open = is_proxy && env.iter().any(|e| e == "POST=1" || e == "EXEC=1");
    fire("P9", socket_bad || writes_open);

    fire(
        "C1",
        host.privileged == Some(true) || !host.cap_add.clone().unwrap_or_default().is_empty(),
    );
    let dropped = host.cap_drop.clone().unwrap_or_default();
    fire("C2", !dropped.iter().any(|c| c.eq_ignore_ascii_case("ALL")));
    let options: Vec<String> = host
        .security_opt
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|o| o.replace('=', ":"))
        .collect();
    fire(
        "C3",
        !options
            .iter()
            .any(|o| o == "no-new-privileges" || o == "no-new-privileges:true"),
    );
    let modes = [
        &host.network_mode,
        &host.pid_mode,
        &host.ipc_mode,
        &host.uts_mode,
        &host.userns_mode,
    ];
    fire("C4", modes.iter().any(|m| m.as_deref() == Some("host")));
    // Named volumes live under /var/lib/docker by design; only binds reach host paths.
    let binds = mounts.iter().filter(|m| m.typ.as_deref() == Some("bind"));
    let sensitive = binds.into_iter().any(|m| {
        let shared = m
            .propagation
            .as_deref()
            .is_some_and(|p| p.contains("shared"));
        shared || is_sensitive_host_path(m.source.as_deref().unwrap_or("/"))
    });
    fire("C5", sensitive);
    fire(
        "C6",
        options
            .iter()
            .any(|o| o == "seccomp:unconfined" || o == "apparmor:unconfined"),
    );
    fire("C7", host.pids_limit.unwrap_or(0) <= 0);
    let restart = host.restart_policy.clone().unwrap_or_default();
    let bounded = match restart.name {
        Some(RestartPolicyNameEnum::UNLESS_STOPPED) => true,
        Some(RestartPolicyNameEnum::ON_FAILURE) => restart.maximum_retry_count.unwrap_or(0) <= 5,
        _ => false,
    };
    fire("C8", !bounded);

    verdict.fired.sort();
    LiveVerdict {
        root_exception,
        ..verdict
    }
}
