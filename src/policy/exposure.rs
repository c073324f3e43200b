//! What reaches what: published ports, the Docker socket, and the networks around
//! the proxy.

use super::{at, Context, Verdict};
use crate::compose::scalar_text;
use crate::profiles::Role;

/// API sections of the socket proxy that allow writes or code execution.
const DANGEROUS_SECTIONS: &[&str] = &[
    "POST",
    "EXEC",
    "BUILD",
    "COMMIT",
    "SECRETS",
    "AUTH",
    "PLUGINS",
    "SYSTEM",
    "SWARM",
    "NODES",
    "SERVICES",
    "SESSION",
    "ALLOW_START",
    "ALLOW_STOP",
    "ALLOW_RESTARTS",
];

/// P1: every published port binds a loopback address.
pub fn localhost_binding(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        let listed = service.model.get("ports").is_none_or(|p| p.is_sequence());
        if !listed {
            verdict
                .fire("P1", Some(service.name), at(service.name, "ports"))
                .say(
                    "ports is not a list",
                    "write ports: [\"127.0.0.1:HOST:CONTAINER\"]",
                );
        }
        for (index, binding) in service.ports() {
            let path = at(service.name, &format!("ports[{index}]"));
            let fire = verdict.fire("P1", Some(service.name), path);
            match binding {
                Some(b) if b.is_loopback() => {}
                Some(b) => {
                    let ip = b
                        .host_ip
                        .map_or("every interface".into(), |ip| format!("'{ip}'"));
                    let port = b
                        .published
                        .map_or("an ephemeral port".into(), |p| format!("host port {p}"));
                    fire.say(
                        format!("container port {} is published on {port} of {ip}", b.target),
                        "bind it to 127.0.0.1 or ::1",
                    );
                }
                None => fire.say("port entry cannot be read", "write HOST_IP:HOST:CONTAINER"),
            }
        }
    }
}

/// P9: the socket only in the proxy, read-only; the proxy denies writes and is not
/// published.
pub fn socket_exposure(ctx: &Context, verdict: &mut Verdict) {
    for (service, profile) in ctx.services() {
        let is_proxy = profile.is_some_and(|p| p.role == Role::SocketProxy);
        for mount in service
            .mounts()
            .iter()
            .filter(|m| m.source.ends_with("docker.sock"))
        {
            let path = at(service.name, &format!("volumes[{}]", mount.index));
            if !is_proxy {
                verdict.fire("P9", Some(service.name), path).say(
                    format!("'{}' mounts the Docker socket directly", service.name),
                    "remove the mount and read the API through the socket proxy",
                );
            } else if !mount.read_only {
                verdict.fire("P9", Some(service.name), path).say(
                    "the Docker socket is mounted writable",
                    "mount it read-only (:ro); the proxy's rules still decide what passes",
                );
            }
        }
        if !is_proxy {
            continue;
        }
        let environment = service.environment();
        for section in DANGEROUS_SECTIONS {
            let enabled = environment.get(*section).is_some_and(|v| is_enabled(v));
            if enabled {
                let path = at(service.name, &format!("environment.{section}"));
                verdict.fire("P9", Some(service.name), path).say(
                    format!("the proxy allows {section}"),
                    format!("set {section}=0; the dashboard only needs CONTAINERS=1"),
                );
            }
        }
        for (index, _) in service.ports() {
            let path = at(service.name, &format!("ports[{index}]"));
            verdict.fire("P9", Some(service.name), path).say(
                "the proxy's API port is published on the host",
                "remove ports:; the dashboard reaches the proxy over their shared network",
            );
        }
    }
}

fn is_enabled(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    value == "true" || value == "yes" || value.parse::<i64>().is_ok_and(|n| n != 0)
}

/// P10: the proxy only on internal networks, shared with dashboards alone.
pub fn network_isolation(ctx: &Context, verdict: &mut Verdict) {
    for (proxy, _) in ctx.with_role(Role::SocketProxy) {
        if proxy.text("network_mode").is_some() {
            let path = at(proxy.name, "network_mode");
            verdict.fire("P10", Some(proxy.name), path).say(
                "the proxy does not use the project's networks",
                "remove network_mode and join an internal network",
            );
            continue;
        }
        let networks = proxy.networks();
        let networks = if networks.is_empty() {
            vec!["default".to_string()]
        } else {
            networks
        };
        for network in &networks {
            check_proxy_network(ctx, proxy.name, network, verdict);
        }
        for (dashboard, _) in ctx.with_role(Role::Dashboard) {
            let shared = dashboard.networks().iter().any(|n| networks.contains(n));
            if !shared {
                let path = at(dashboard.name, "networks");
                verdict.fire("P10", Some(dashboard.name), path).say(
                    format!(
                        "'{}' shares no network with the proxy '{}'",
                        dashboard.name, proxy.name
                    ),
                    "join the proxy's internal network",
                );
            }
        }
    }
}

fn check_proxy_network(ctx: &Context, proxy: &str, network: &str, verdict: &mut Verdict) {
    let definition = ctx.network(network);
    let internal = definition
        .as_ref()
        .and_then(|d| d.get("internal"))
        .and_then(scalar_text);
    if internal.as_deref() != Some("true") {
        let path = format!("networks.{network}");
        verdict.fire("P10", Some(proxy), path).say(
            format!("the proxy's network '{network}' is not internal"),
            "set internal: true on it",
        );
    }
    for member in ctx.members(network) {
        let role = ctx
            .services()
            .find(|(s, _)| s.name == member)
            .and_then(|(_, p)| p)
            .map(|p| p.role);
        if !matches!(role, Some(Role::SocketProxy | Role::Dashboard)) {
            let path = at(&member, "networks");
            verdict.fire("P10", Some(&member), path).say(
                format!("'{member}' joins the proxy's network '{network}'"),
                "only the proxy and the dashboard may join it",
            );
        }
    }
}

/// S2: published services sit on networks without outbound NAT.
pub fn no_outbound_nat(ctx: &Context, verdict: &mut Verdict) {
    for (service, _) in ctx.services() {
        if service.ports().is_empty() {
            continue;
        }
        let networks = service.networks();
        let networks = if networks.is_empty() {
            vec!["default".to_string()]
        } else {
            networks
        };
        for network in networks {
            let definition = ctx.network(&network);
            let field = |k: &str| {
                definition
                    .as_ref()
                    .and_then(|d| d.get(k))
                    .and_then(scalar_text)
            };
            let option = definition
                .as_ref()
                .and_then(|d| d.get("driver_opts"))
                .and_then(|o| o.get("com.docker.network.bridge.enable_ip_masquerade"))
                .and_then(scalar_text);
            let closed =
                field("internal").as_deref() == Some("true") || option.as_deref() == Some("false");
            if !closed {
                let path = at(service.name, &format!("networks.{network}"));
                verdict.fire("S2", Some(service.name), path).say(
                    format!("network '{network}' gives '{}' a route out", service.name),
                    "set driver_opts com.docker.network.bridge.enable_ip_masquerade: \"false\"",
                );
            }
        }
    }
}
