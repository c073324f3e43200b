//! Throwaway containers for proving that live checks can fail. Each carries the run's
//! label, is removed after its scenario, and any left by an interrupted run are
//! removed at the start and end of the next (unless TSYS_KEEP_STACK=1).
//!
//! testcontainers would be the usual tool, but its Docker client speaks API 1.53 and
//! refuses to negotiate, while the Debian engine used here answers at most 1.41; so
//! these are made with bollard directly, which negotiates.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, RemoveContainerOptionsBuilder,
};

use crate::live_stack::docker;

/// The label every throwaway carries.
pub const LABEL: &str = "com.tsysdevstack.supportstack.demo.conformance";

/// The image throwaways run: the dashboard stand-in, which runs hardened or not.
const IMAGE: &str = "tsysdevstack-supportstack-demo-standin-dashboard:test";

/// Starts a container without any of the stack's hardening, as root; returns its name.
pub async fn start_unhardened() -> String {
    let docker = docker().await.expect("the engine answers");
    let name = format!("tsysdevstack-conformance-throwaway-{}", std::process::id());
    let labels = HashMap::from([(LABEL.to_string(), "throwaway".to_string())]);
    let body = ContainerCreateBody {
        image: Some(IMAGE.into()),
        user: Some("0:0".into()),
        labels: Some(labels),
        host_config: Some(HostConfig::default()),
        ..Default::default()
    };
    let options = CreateContainerOptions {
        name: Some(name.clone()),
        ..Default::default()
    };
    docker
        .create_container(Some(options), body)
        .await
        .expect("the throwaway is created");
    docker
        .start_container(&name, None)
        .await
        .expect("the throwaway starts");
    name
}

/// Removes one throwaway.
pub async fn remove(name: &str) {
    let Ok(docker) = docker().await else { return };
    let options = RemoveContainerOptionsBuilder::new()
        .force(true)
        .v(true)
        .build();
    let _ = docker.remove_container(name, Some(options)).await;
}

/// Removes every throwaway, found by its label.
pub async fn remove_all() {
    let Ok(docker) = docker().await else { return };
    let filters = HashMap::from([("label".to_string(), vec![LABEL.to_string()])]);
    let options = ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    for container in docker
        .list_containers(Some(options))
        .await
        .unwrap_or_default()
    {
        if let Some(id) = container.id {
            remove(&id).await;
        }
    }
}
