//! What every policy needs: the project, the naming prefix, and each service with
//! the profile of its image.

use crate::compose::Project;
use crate::profiles::{self, Profile, Role};
use crate::service::Service;

/// The input of a check.
pub struct Context<'a> {
    pub project: &'a Project,
    pub prefix: &'a str,
    /// Whether a settings file supplied the variables; S3 judges only such stacks.
    pub settings_given: bool,
    names: Vec<String>,
}

impl<'a> Context<'a> {
    pub fn new(project: &'a Project, prefix: &'a str) -> Self {
        let names = project.service_names();
        Context {
            project,
            prefix,
            settings_given: true,
            names,
        }
    }

    /// Marks the input as Compose files checked without a settings file.
    pub fn without_settings(mut self) -> Self {
        self.settings_given = false;
        self
    }

    /// Every service with its profile, in name order.
    pub fn services(&self) -> impl Iterator<Item = (Service<'_>, Option<&'static Profile>)> {
        self.names.iter().filter_map(|name| {
            let service = Service::of(self.project, name)?;
            let profile = service
                .image()
                .and_then(|image| profiles::for_image(&image));
            Some((service, profile))
        })
    }

    /// The services that play `role`.
    pub fn with_role(&self, role: Role) -> Vec<(Service<'_>, &'static Profile)> {
        let services = self.services();
        services
            .filter_map(|(s, p)| Some((s, p?)))
            .filter(|(_, p)| p.role == role)
            .collect()
    }

    /// The service whose name or container name is `host`.
    pub fn service_by_host(&self, host: &str) -> Option<Service<'_>> {
        let named =
            |s: &Service| s.name == host || s.text("container_name").as_deref() == Some(host);
        self.services().map(|(s, _)| s).find(named)
    }

    /// The names of the services that join `network`, including implicit defaults.
    pub fn members(&self, network: &str) -> Vec<String> {
        let joins = |s: &Service| {
            let networks = s.networks();
            networks.iter().any(|n| n == network) || (networks.is_empty() && network == "default")
        };
        self.services()
            .map(|(s, _)| s)
            .filter(joins)
            .map(|s| s.name.to_string())
            .collect()
    }

    /// The network definition from the top-level `networks` section.
    pub fn network(&self, name: &str) -> Option<serde_norway::Value> {
        self.project
            .section("networks")
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}
