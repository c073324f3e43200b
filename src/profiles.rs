//! What differs per image, as data: one row per upstream image (and its local
//! stand-in). Policies read these rows instead of naming images in code, so a new
//! component needs a row here, a Compose file and its settings.

use crate::image::ImageRef;

/// The part an image plays in the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Holds the Docker socket and answers a filtered API.
    SocketProxy,
    /// Reads the API through the proxy to discover labelled services.
    Dashboard,
    /// Any other application.
    App,
}

/// How an image's health is probed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// An HTTP path fetched with one of `tools`.
    Url {
        path: &'static str,
        tools: &'static [&'static str],
    },
    /// A program shipped in the image that knows the endpoint itself.
    Command(&'static str),
}

/// One image's interface.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    pub component: &'static str,
    pub role: Role,
    /// Repository paths (registry left out) this row applies to.
    pub images: &'static [&'static str],
    /// The container port, and the variable that moves it.
    pub port: u16,
    pub port_env: Option<&'static str>,
    pub probe: Probe,
    /// Whether the image has `/bin/sh`, so `CMD-SHELL` checks can run.
    pub has_shell: bool,
    /// Whether the image declares its own HEALTHCHECK.
    pub image_healthcheck: bool,
    /// Environment variables that drop root in the entrypoint (uid, gid).
    pub uid_env: Option<(&'static str, &'static str)>,
    /// Paths the image writes at run time; under a read-only root each needs a mount.
    pub writable: &'static [&'static str],
    /// Environment variables that hold secrets and must be set from a variable.
    pub secret_env: &'static [&'static str],
    /// Why this image may run as root, when it must.
    pub root_exception: Option<&'static str>,
}

/// The known images.
pub const PROFILES: &[Profile] = &[
    Profile {
        component: "docker-socket-proxy",
        role: Role::SocketProxy,
        images: &[
            "tecnativa/docker-socket-proxy",
            "tsysdevstack-supportstack-demo-standin-sockproxy",
        ],
        port: 2375,
        port_env: None,
        probe: Probe::Url {
            path: "/_ping",
            tools: &["wget"],
        },
        has_shell: true,
        image_healthcheck: false,
        uid_env: None,
        writable: &["/tmp", "/run"],
        secret_env: &[],
        root_exception: Some(
            "needs the root-owned Docker socket; the compensations it relies on are \
             policies of their own: P4 read-only root, P9 read-only socket and POST=0, \
             P10 internal network, C2 no capabilities, C3 no-new-privileges",
        ),
    },
    Profile {
        component: "homepage",
        role: Role::Dashboard,
        images: &[
            "gethomepage/homepage",
            "tsysdevstack-supportstack-demo-standin-dashboard",
        ],
        port: 3000,
        port_env: Some("PORT"),
        probe: Probe::Url {
            path: "/api/healthcheck",
            tools: &["wget"],
        },
        has_shell: true,
        image_healthcheck: true,
        uid_env: Some(("PUID", "PGID")),
        writable: &["/app/config"],
        secret_env: &[],
        root_exception: None,
    },
    Profile {
        component: "wakapi",
        role: Role::App,
        images: &[
            "muety/wakapi",
            "tsysdevstack-supportstack-demo-standin-timetracker",
        ],
        port: 3000,
        port_env: Some("WAKAPI_PORT"),
        probe: Probe::Command("/app/healthcheck"),
        has_shell: false,
        image_healthcheck: false,
        uid_env: None,
        writable: &["/data"],
        secret_env: &["WAKAPI_PASSWORD_SALT"],
        root_exception: None,
    },
];

/// The profile of an image reference, if the image is known.
pub fn for_image(image: &str) -> Option<&'static Profile> {
    let reference = ImageRef::parse(image)?;
    let path = reference.path();
    PROFILES.iter().find(|p| p.images.contains(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_find_their_rows() {
        let proxy = for_image("ghcr.io/tecnativa/docker-socket-proxy:v0.4.2").unwrap();
        assert_eq!(proxy.role, Role::SocketProxy);
        assert_eq!(
            for_image("gethomepage/homepage:v1.12.3").unwrap().component,
            "homepage"
        );
        let standin = for_image("tsysdevstack-supportstack-demo-standin-timetracker:test");
        assert_eq!(standin.unwrap().component, "wakapi");
        assert!(for_image("nginx:1").is_none());
    }
}
