//! The catalogue: every policy with its id, reason, fix and the external checks it
//! matches. Ids are stable; reports and tests refer to them.

use super::{dashboard, exposure, hardening, naming, runtime, Context, Verdict};

/// How much a violation matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
}

/// One rule of the Definition of Done.
pub struct Policy {
    pub id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    pub severity: Severity,
    /// The external rules this one covers: CIS Docker Benchmark 5.x, KICS, dclint.
    pub matches: &'static str,
    pub run: fn(&Context, &mut Verdict),
}

/// Every policy, in report order.
pub const CATALOGUE: &[Policy] = &[
    Policy {
        id: "P1",
        title: "published ports bind a loopback address",
        why: "a port without a host address listens on every interface, so the LAN reaches it",
        fix: "publish as \"127.0.0.1:HOST:CONTAINER\" or long syntax with host_ip",
        severity: Severity::High,
        matches: "CIS 5.13; KICS container_traffic_not_bound_to_host_interface; \
                  dclint no-unbound-port-interfaces",
        run: exposure::localhost_binding,
    },
    Policy {
        id: "P2",
        title: "images are pinned to a tag or digest",
        why: "an untagged or :latest image changes under you on the next pull",
        fix: "name an explicit release tag, optionally with @sha256:…",
        severity: Severity::High,
        matches: "CIS 5.27; dclint service-image-require-explicit-tag",
        run: runtime::pinned_image,
    },
    Policy {
        id: "P3",
        title: "containers run as a non-root user",
        why: "root in a container is one kernel bug away from root on the host",
        fix: "set user: \"UID:GID\" with a non-zero uid (homepage: PUID/PGID also work)",
        severity: Severity::High,
        matches: "none of CIS, KICS or dclint checks this",
        run: runtime::non_root,
    },
    Policy {
        id: "P4",
        title: "root filesystems are read-only",
        why: "a writable root lets an intruder change the program it runs",
        fix: "set read_only: true and mount a tmpfs or volume on each path the image writes",
        severity: Severity::Medium,
        matches: "CIS 5.12",
        run: runtime::read_only_root,
    },
    Policy {
        id: "P5",
        title: "homepage labels are complete and discovery is wired",
        why: "homepage drops a container whose labels are incomplete or malformed",
        fix: "set homepage.group and homepage.name, use known keys, point docker.yaml at the proxy",
        severity: Severity::Medium,
        matches: "stack rule",
        run: dashboard::labels_and_wiring,
    },
    Policy {
        id: "P6",
        title: "health checks probe the real endpoint with a tool the image has",
        why: "a check that cannot run, or probes the wrong path, never reports the truth",
        fix: "use the image's health endpoint and a program the image ships (exec form)",
        severity: Severity::Medium,
        matches: "CIS 5.26; KICS healthcheck_not_set",
        run: runtime::health_check,
    },
    Policy {
        id: "P7",
        title: "CPU and memory are limited",
        why: "without a ceiling a leak or a flood takes the host's memory and CPU",
        fix: "set deploy.resources.limits.cpus and .memory (or cpus and mem_limit)",
        severity: Severity::Medium,
        matches: "CIS 5.10, 5.11; KICS memory_not_limited, cpus_not_limited",
        run: runtime::resource_limits,
    },
    Policy {
        id: "P8",
        title: "services start after what they need is healthy",
        why: "a dashboard started before its proxy shows errors until someone reloads",
        fix: "depends_on: {SERVICE: {condition: service_healthy}} on a service with a health check",
        severity: Severity::Low,
        matches: "stack rule",
        run: runtime::startup_order,
    },
    Policy {
        id: "P9",
        title: "the Docker socket is reached only through a read-only proxy",
        why: "whoever reaches the socket's write API controls the host",
        fix: "mount the socket :ro in the proxy only, keep POST=0 and EXEC=0, publish no API port",
        severity: Severity::High,
        matches: "CIS 5.31; KICS docker_socket_mounted_in_container",
        run: exposure::socket_exposure,
    },
    Policy {
        id: "P10",
        title: "the proxy sits on an internal network shared with the dashboard alone",
        why: "any container on the proxy's network can read the Docker API",
        fix: "put the proxy on an internal: true network that only the dashboard also joins",
        severity: Severity::High,
        matches: "stack rule",
        run: exposure::network_isolation,
    },
    Policy {
        id: "P11",
        title: "names carry the stack prefix",
        why: "uninstall finds what the stack made by its prefix; an unprefixed name is left behind",
        fix: "start every service, container, network, volume and config name with the prefix",
        severity: Severity::Low,
        matches: "dclint service-container-name-regex",
        run: naming::prefix,
    },
    Policy {
        id: "P12",
        title: "secrets and required settings come from variables",
        why: "a secret written into a Compose file or a label is readable by anyone with the file",
        fix: "set secrets from ${VARIABLES}; give them to homepage as HOMEPAGE_VAR_* placeholders",
        severity: Severity::High,
        matches: "KICS passwords_and_secrets (generic query)",
        run: naming::secrets_from_environment,
    },
    Policy {
        id: "C1",
        title: "no privileged containers or added capabilities",
        why: "privileged mode and extra capabilities hand the container the host's kernel powers",
        fix: "remove privileged: true and cap_add",
        severity: Severity::High,
        matches: "CIS 5.3, 5.4; KICS privileged_containers_enabled, \
                  container_capabilities_unrestricted",
        run: hardening::privileges,
    },
    Policy {
        id: "C2",
        title: "every capability is dropped",
        why: "the default capability set is wider than any of these services needs",
        fix: "set cap_drop: [ALL]",
        severity: Severity::Medium,
        matches: "CIS 5.3 (docker-bench does not check it); KICS check_cap_add_cap_drop",
        run: hardening::capabilities_dropped,
    },
    Policy {
        id: "C3",
        title: "no-new-privileges is set",
        why: "without it a setuid binary in the image can raise privileges",
        fix: "set security_opt: [\"no-new-privileges:true\"]",
        severity: Severity::Medium,
        matches: "CIS 5.25; KICS no_new_privileges_not_set",
        run: hardening::no_new_privileges,
    },
    Policy {
        id: "C4",
        title: "host namespaces are not shared",
        why: "sharing the host's network, PID, IPC, UTS or user namespace removes isolation",
        fix: "remove network_mode: host, pid: host, ipc: host, uts: host, userns_mode: host",
        severity: Severity::High,
        matches: "CIS 5.9, 5.15, 5.16, 5.20, 5.30; KICS host_namespace_is_shared, \
                  shared_host_ipc_namespace, shared_host_network_namespace, \
                  shared_host_user_namespace, network_mode_host_exists",
        run: hardening::host_namespaces,
    },
    Policy {
        id: "C5",
        title: "no sensitive host paths or shared propagation are mounted",
        why: "host system folders or shared mount propagation expose the host to the container",
        fix: "mount only the folders the service needs, without shared propagation",
        severity: Severity::High,
        matches: "CIS 5.5, 5.19; KICS volume_has_sensitive_host_directory",
        run: hardening::sensitive_mounts,
    },
    Policy {
        id: "C6",
        title: "seccomp and AppArmor stay confined",
        why: "an unconfined profile lets the container call every kernel interface",
        fix: "remove seccomp:unconfined and apparmor:unconfined from security_opt",
        severity: Severity::High,
        matches: "CIS 5.1, 5.21; KICS default_seccomp_profile_disabled, seccomp_disabled",
        run: hardening::confinement,
    },
    Policy {
        id: "C7",
        title: "process count is limited",
        why: "a fork bomb in one container starves the host",
        fix: "set deploy.resources.limits.pids (or pids_limit)",
        severity: Severity::Low,
        matches: "CIS 5.28; KICS pids_limit_not_set",
        run: hardening::pids_limit,
    },
    Policy {
        id: "C8",
        title: "restart policy restarts a failed container within bounds",
        why: "always restarts even a stopped container; no policy leaves a crash down",
        fix: "set restart: unless-stopped or on-failure:N with N at most 5",
        severity: Severity::Low,
        matches: "CIS 5.14; KICS restart_policy_on_failure_not_set_to_5",
        run: hardening::restart_policy,
    },
    Policy {
        id: "H1",
        title: "container names and host ports are unique",
        why: "two containers with one name or one host port cannot both start",
        fix: "give each container its own name and host port",
        severity: Severity::Medium,
        matches: "dclint no-duplicate-container-names, no-duplicate-exported-ports",
        run: naming::duplicates,
    },
    Policy {
        id: "H2",
        title: "the project name is set",
        why: "without it the project is named after the folder, so two checkouts collide",
        fix: "set the top-level name: (or run compose with -p)",
        severity: Severity::Low,
        matches: "dclint require-project-name-field",
        run: naming::project_name,
    },
    Policy {
        id: "S1",
        title: "the dashboard accepts the address it is published on",
        why: "homepage answers 400 to API calls whose Host it does not know",
        fix: "list each published HOST:PORT in HOMEPAGE_ALLOWED_HOSTS",
        severity: Severity::Medium,
        matches: "stack rule",
        run: dashboard::allowed_hosts,
    },
    Policy {
        id: "S2",
        title: "published services get no outbound route",
        why: "a loopback demo has no reason to open connections to the internet",
        fix: "put published services on a network with \
              com.docker.network.bridge.enable_ip_masquerade: \"false\" or internal: true",
        severity: Severity::Low,
        matches: "stack rule",
        run: exposure::no_outbound_nat,
    },
    Policy {
        id: "S3",
        title: "values come from the settings file",
        why: "a value written into a Compose file is missed when the settings change",
        fix: "replace the literal with ${TSYS_…} and add the key to the settings file",
        severity: Severity::Low,
        matches: "stack rule",
        run: naming::values_from_settings,
    },
    Policy {
        id: "S4",
        title: "data lives on named volumes; binds only for read-only config and the socket",
        why: "a writable bind mount ties the stack to one host path and outlives uninstall",
        fix: "use a named volume, or mount the host path read-only",
        severity: Severity::Medium,
        matches: "stack rule",
        run: hardening::named_volumes_only,
    },
    Policy {
        id: "S5",
        title: "disk use is bounded",
        why: "unbounded logs or tmpfs fill the host's disk or memory over days",
        fix: "rotate logs (logging.options max-size, max-file) and give each tmpfs a size",
        severity: Severity::Low,
        matches: "stack rule",
        run: hardening::disk_bounded,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_texts_present() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|p| p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        for p in CATALOGUE {
            assert!(
                !p.title.is_empty() && !p.why.is_empty() && !p.fix.is_empty(),
                "{}",
                p.id
            );
        }
    }
}
