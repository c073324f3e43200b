//! The running stack, read through the Docker API: what each container really got,
//! and what the proxy answers from inside homepage's network.

use std::collections::BTreeSet;

use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::ContainerInspectResponse;
use cucumber::{given, then, when};
use futures::StreamExt;
use supportstack::compose::Project;
use supportstack::ports::is_loopback_ip;
use supportstack::service::Service;

use crate::live_stack::{docker, Live, LIVE};
use crate::world::StackWorld;

fn live() -> &'static Live {
    LIVE.get()
        .expect("the live stack is prepared before the run")
}

#[given("the stack is running")]
fn stack_running(world: &mut StackWorld) {
    let state = live().state();
    if let Some(error) = &state.start_error {
        panic!("the control script could not start the stack: {error}");
    }
    let stack = live().stack();
    world.project = Some(stack.project().expect("the Compose files load"));
    world.prefix = stack.prefix();
    world.stack = Some(stack);
}

/// Every service of the project with its container's inspection.
async fn containers(project: &Project) -> Vec<(String, ContainerInspectResponse)> {
    let docker = docker().await.expect("the engine answers");
    let mut found = Vec::new();
    for name in project.service_names() {
        let service = Service::of(project, &name).unwrap();
        let container = service.text("container_name").unwrap_or(name.clone());
        let inspect = docker.inspect_container(&container, None).await;
        let inspect = inspect.unwrap_or_else(|e| panic!("container '{container}': {e}"));
        found.push((name, inspect));
    }
    found
}

#[then("every container of the stack is healthy")]
async fn all_healthy(world: &mut StackWorld) {
    for (name, inspect) in containers(world.project()).await {
        let health = inspect.state.and_then(|s| s.health).and_then(|h| h.status);
        let health = health.map(|h| h.to_string()).unwrap_or_default();
        assert_eq!(health, "healthy", "{name} is '{health}'");
    }
}

#[then("every host port of the stack is bound to a loopback address")]
async fn ports_loopback(world: &mut StackWorld) {
    let mut seen = 0;
    for (name, inspect) in containers(world.project()).await {
        let ports = inspect
            .network_settings
            .and_then(|n| n.ports)
            .unwrap_or_default();
        for (port, bindings) in ports {
            for binding in bindings.unwrap_or_default() {
                let ip = binding.host_ip.unwrap_or_default();
                assert!(is_loopback_ip(&ip), "{name} publishes {port} on '{ip}'");
                seen += 1;
            }
        }
    }
    assert!(
        seen >= 2,
        "expected the dashboard and wakapi to be published, saw {seen}"
    );
}

#[then("every listening socket that start opened on the host is on a loopback address")]
fn new_listeners_loopback(_world: &mut StackWorld) {
    let opened = &live().state().new_listeners;
    assert!(
        !opened.is_empty(),
        "start opened no listening socket; the snapshot is broken"
    );
    for address in opened {
        let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
        assert!(is_loopback_ip(host), "start opened '{address}'");
    }
}

#[then("every container runs as the user its Compose file names")]
async fn users_match(world: &mut StackWorld) {
    let project = world.project().clone();
    for (name, inspect) in containers(&project).await {
        // Without a user: line the image's own user applies; the next step judges it.
        let Some(expected) = Service::of(&project, &name).unwrap().text("user") else {
            continue;
        };
        let actual = inspect.config.and_then(|c| c.user).unwrap_or_default();
        assert_eq!(actual, expected, "{name}");
    }
}

#[then(expr = "no container runs as root except {string}")]
async fn no_root(world: &mut StackWorld, exception: String) {
    let exception = world.service_name(&exception);
    for (name, inspect) in containers(world.project()).await {
        let user = inspect.config.and_then(|c| c.user).unwrap_or_default();
        let uid = user.split(':').next().unwrap_or_default();
        let root = uid.is_empty() || uid == "0" || uid == "root";
        assert!(!root || name == exception, "{name} runs as root");
    }
}

#[then("every container has a read-only root filesystem")]
async fn read_only(world: &mut StackWorld) {
    for (name, inspect) in containers(world.project()).await {
        let ro = inspect
            .host_config
            .and_then(|h| h.readonly_rootfs)
            .unwrap_or(false);
        assert!(ro, "{name} has a writable root");
    }
}

#[then("every container drops all capabilities and cannot gain privileges")]
async fn capabilities(world: &mut StackWorld) {
    for (name, inspect) in containers(world.project()).await {
        let host = inspect.host_config.unwrap_or_default();
        let dropped = host.cap_drop.unwrap_or_default();
        assert!(
            dropped.iter().any(|c| c.eq_ignore_ascii_case("ALL")),
            "{name}: {dropped:?}"
        );
        assert!(
            host.cap_add.unwrap_or_default().is_empty(),
            "{name} adds capabilities"
        );
        assert_ne!(host.privileged, Some(true), "{name} is privileged");
        let options = host.security_opt.unwrap_or_default();
        assert!(
            options.iter().any(|o| o.starts_with("no-new-privileges")),
            "{name}: {options:?}"
        );
    }
}

#[then("every container has the CPU, memory and process limits of its Compose file")]
async fn limits(world: &mut StackWorld) {
    let project = world.project().clone();
    for (name, inspect) in containers(&project).await {
        let service = Service::of(&project, &name).unwrap();
        let host = inspect.host_config.unwrap_or_default();
        let memory = service.memory_limit().unwrap() as i64;
        let nano_cpus = (service.cpu_limit().unwrap() * 1e9).round() as i64;
        assert_eq!(host.memory, Some(memory), "{name} memory");
        assert_eq!(host.nano_cpus, Some(nano_cpus), "{name} CPUs");
        assert_eq!(host.pids_limit, service.pids_limit(), "{name} pids");
    }
}

#[then("every container carries the homepage labels of its Compose file")]
async fn labels(world: &mut StackWorld) {
    let project = world.project().clone();
    for (name, inspect) in containers(&project).await {
        let expected = Service::of(&project, &name).unwrap().labels();
        let actual = inspect.config.and_then(|c| c.labels).unwrap_or_default();
        for (key, value) in expected.iter().filter(|(k, _)| k.starts_with("homepage.")) {
            assert_eq!(actual.get(key), Some(value), "{name} label {key}");
        }
    }
}

/// The networks a container is attached to, by name.
fn attached(inspect: &ContainerInspectResponse) -> BTreeSet<String> {
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.clone());
    networks.unwrap_or_default().into_keys().collect()
}

#[then("the proxy is attached only to the internal network")]
async fn proxy_network(world: &mut StackWorld) {
    let settings = &world.stack.as_ref().unwrap().settings;
    let internal = settings.get("TSYS_NETWORK_SOCKPROXY").unwrap().to_string();
    let proxy = world.service_name("docker-socket-proxy");
    let all = containers(world.project()).await;
    let (_, inspect) = all.iter().find(|(n, _)| *n == proxy).unwrap();
    assert_eq!(attached(inspect), BTreeSet::from([internal.clone()]));
    let docker = docker().await.unwrap();
    let network = docker.inspect_network(&internal, None).await.unwrap();
    assert_eq!(network.internal, Some(true), "{internal} is not internal");
}

#[then("only the proxy and homepage are attached to the proxy's network")]
async fn proxy_network_members(world: &mut StackWorld) {
    let settings = &world.stack.as_ref().unwrap().settings;
    let internal = settings.get("TSYS_NETWORK_SOCKPROXY").unwrap().to_string();
    let expected = BTreeSet::from([
        world.service_name("docker-socket-proxy"),
        world.service_name("homepage"),
    ]);
    let members: BTreeSet<String> = containers(world.project())
        .await
        .into_iter()
        .filter(|(_, i)| attached(i).contains(&internal))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(members, expected);
    let docker = docker().await.unwrap();
    let network = docker.inspect_network(&internal, None).await.unwrap();
    let count = network.containers.unwrap_or_default().len();
    assert_eq!(
        count, 2,
        "{internal} has {count} containers attached, counting strangers"
    );
}

#[then("the published services' network has no outbound NAT")]
async fn no_nat(world: &mut StackWorld) {
    let settings = &world.stack.as_ref().unwrap().settings;
    let frontend = settings.get("TSYS_NETWORK_FRONTEND").unwrap().to_string();
    let docker = docker().await.unwrap();
    let network = docker.inspect_network(&frontend, None).await.unwrap();
    let options = network.options.unwrap_or_default();
    let masquerade = options.get("com.docker.network.bridge.enable_ip_masquerade");
    assert_eq!(
        masquerade.map(String::as_str),
        Some("false"),
        "{frontend}: {options:?}"
    );
}

/// Runs a command in a container; returns its exit code and output.
async fn exec(container: &str, cmd: Vec<String>) -> (i64, String) {
    let docker = docker().await.unwrap();
    let options = CreateExecOptions {
        cmd: Some(cmd),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let created = docker
        .create_exec(container, options)
        .await
        .expect("exec is created");
    let mut text = String::new();
    if let StartExecResults::Attached { mut output, .. } =
        docker.start_exec(&created.id, None).await.unwrap()
    {
        while let Some(Ok(chunk)) = output.next().await {
            text.push_str(&chunk.to_string());
        }
    }
    let code = docker
        .inspect_exec(&created.id)
        .await
        .unwrap()
        .exit_code
        .unwrap_or(-1);
    (code, text)
}

fn container_of(world: &StackWorld, component: &str) -> String {
    let name = world.service_name(component);
    Service::of(world.project(), &name)
        .unwrap()
        .text("container_name")
        .unwrap_or(name)
}

fn proxy_url(world: &StackWorld, path: &str) -> String {
    let settings = &world.stack.as_ref().unwrap().settings;
    let port = settings.get("TSYS_PROXY_PORT").unwrap();
    format!(
        "http://{}:{port}{path}",
        container_of(world, "docker-socket-proxy")
    )
}

#[when(expr = "homepage asks the proxy for {string}")]
async fn homepage_gets(world: &mut StackWorld, path: String) {
    let url = proxy_url(world, &path);
    let cmd = ["wget", "-q", "-O", "-", url.as_str()]
        .map(String::from)
        .to_vec();
    world.answer = Some(exec(&container_of(world, "homepage"), cmd).await);
}

#[when(expr = "homepage sends {string} to the proxy's {string}")]
async fn homepage_posts(world: &mut StackWorld, method: String, path: String) {
    assert_eq!(method, "POST", "busybox wget can only send GET and POST");
    let url = proxy_url(world, &path);
    let cmd = ["wget", "-q", "-O", "-", "--post-data", "{}", url.as_str()]
        .map(String::from)
        .to_vec();
    world.answer = Some(exec(&container_of(world, "homepage"), cmd).await);
}

#[then("the answer lists the stack's containers with their homepage labels")]
fn lists_containers(world: &mut StackWorld) {
    let (code, text) = world.answer.clone().expect("a When step asked the proxy");
    assert_eq!(code, 0, "the proxy refused: {text}");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&text).expect("a JSON list");
    for name in world.project().service_names() {
        let container = format!("/{}", container_of(world, &name));
        let entry = listed.iter().find(|c| {
            c["Names"]
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n == &container))
        });
        let entry = entry.unwrap_or_else(|| panic!("{container} is not listed"));
        let labels = Service::of(world.project(), &name).unwrap().labels();
        for key in ["homepage.group", "homepage.name"] {
            assert_eq!(
                entry["Labels"][key].as_str(),
                labels.get(key).map(String::as_str),
                "{container} {key}"
            );
        }
    }
}

#[then("the proxy refuses with 403")]
fn refused(world: &mut StackWorld) {
    let (code, text) = world.answer.clone().expect("a When step asked the proxy");
    assert_ne!(code, 0, "the proxy accepted the write: {text}");
    assert!(text.contains("403"), "expected 403, got: {text}");
}

fn published_url(world: &StackWorld, component: &str, path: &str) -> String {
    let settings = &world.stack.as_ref().unwrap().settings;
    let key = format!("TSYS_{}_HOST_PORT", component.to_uppercase());
    let ip = settings.get("TSYS_BIND_ADDRESS").unwrap();
    let host = if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    let port = settings
        .get(&key)
        .unwrap_or_else(|| panic!("{component} has no {key}"));
    format!("http://{host}:{port}{path}")
}

#[then(expr = "{string} answers {string} on its published port with {string}")]
async fn answers(world: &mut StackWorld, component: String, path: String, expected: String) {
    let url = published_url(world, &component, &path);
    let response = reqwest::get(&url)
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let body = response.text().await.unwrap();
    assert!(body.contains(&expected), "{url} answered {body:?}");
}

#[then(expr = "homepage's {string} lists {string} and {string} in group {string}")]
async fn services_listed(
    world: &mut StackWorld,
    path: String,
    first: String,
    second: String,
    group: String,
) {
    let url = published_url(world, "homepage", &path);
    let groups: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let group = groups
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["name"] == group.as_str());
    let group = group.unwrap_or_else(|| panic!("no group in {groups}"));
    for name in [first, second] {
        let found = group["services"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == name.as_str());
        assert!(found, "{name} not discovered: {group}");
    }
}

#[then("the live checks agree with the static checks on every container")]
async fn live_agrees(world: &mut StackWorld) {
    use crate::live_policy::{judge, RUNTIME_POLICIES};
    use supportstack::policy::{self, Context};

    let project = world.project().clone();
    let context = Context::new(&project, &world.prefix);
    let verdict = policy::check(&context, &|id| RUNTIME_POLICIES.contains(&id));
    for (name, inspect) in containers(&project).await {
        let live = judge(&inspect);
        let mut fired: Vec<&str> = verdict
            .findings
            .iter()
            .filter(|f| f.service.as_deref() == Some(name.as_str()))
            .map(|f| f.policy)
            .collect();
        fired.sort();
        fired.dedup();
        assert_eq!(live.fired, fired, "{name}: live and static verdicts differ");
        let excepted = verdict
            .exceptions
            .iter()
            .any(|e| e.policy == "P3" && e.service == name);
        assert_eq!(
            live.root_exception, excepted,
            "{name}: the P3 exception differs"
        );
    }
}

#[when("a throwaway container runs without the stack's hardening")]
async fn throwaway_runs(world: &mut StackWorld) {
    world.throwaway = Some(crate::throwaway::start_unhardened().await);
}

#[then(expr = "the live checks flag it with {string}")]
async fn throwaway_flagged(world: &mut StackWorld, ids: String) {
    let name = world.throwaway.clone().expect("a throwaway was started");
    let docker = docker().await.unwrap();
    let inspect = docker.inspect_container(&name, None).await.unwrap();
    let live = crate::live_policy::judge(&inspect);
    for id in crate::steps::compose::list(&ids) {
        assert!(
            live.fired.contains(&id.as_str()),
            "{id} missed the throwaway: {:?}",
            live.fired
        );
    }
}
