//! The live stack the @live scenarios read. Before the run it is removed (an earlier
//! run may have left one), started with the control script, and the host's listening
//! sockets are noted before and after; after the run it is uninstalled again unless
//! TSYS_KEEP_STACK=1. Upstream images are used when the engine has them; otherwise
//! local stand-ins are built and chosen through a settings overrides file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bollard::Docker;
use supportstack::stack::Stack;

/// The live stack of this run, for the steps.
pub static LIVE: OnceLock<Live> = OnceLock::new();

/// What the run knows about the live stack.
#[derive(Clone, Debug, Default)]
pub struct Live {
    inner: Arc<LiveState>,
}

#[derive(Debug, Default)]
pub struct LiveState {
    /// Why live scenarios cannot run here at all.
    pub unavailable: Option<String>,
    pub standins: bool,
    /// The overrides file chosen for the stand-ins, if any.
    pub overrides: Option<PathBuf>,
    /// The control script's failure, when start did not succeed.
    pub start_error: Option<String>,
    pub start_seconds: f64,
    /// Listening TCP sockets that appeared while the stack started.
    pub new_listeners: Vec<String>,
}

impl Live {
    pub fn unavailable(&self) -> Option<String> {
        self.inner.unavailable.clone()
    }

    pub fn uses_standins(&self) -> bool {
        self.inner.standins
    }

    pub fn state(&self) -> &LiveState {
        &self.inner
    }

    /// The stack's settings with this run's overrides.
    pub fn stack(&self) -> Stack {
        Stack::load(&Stack::shipped_root(), self.inner.overrides.as_deref())
            .expect("the settings load")
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn control_script() -> PathBuf {
    Stack::shipped_root().join("TSYSDevStack-SupportStack-Demo-Control.sh")
}

/// A Docker client that speaks the engine's API version.
pub async fn docker() -> Result<Docker, String> {
    let docker = Docker::connect_with_local_defaults().map_err(|e| e.to_string())?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| e.to_string())?;
    docker.ping().await.map_err(|e| e.to_string())?;
    Ok(docker)
}

/// Prepares the live stack and records it in [`LIVE`].
pub async fn prepare() -> Live {
    let state = prepare_state().await;
    if let Some(reason) = &state.unavailable {
        let required = std::env::var("TSYS_REQUIRE_LIVE").is_ok_and(|v| v == "1");
        if required {
            eprintln!("conformance: error: failed to run the live tier: {reason}");
            eprintln!("hint: start a Docker engine, or unset TSYS_REQUIRE_LIVE to skip it");
            std::process::exit(1);
        }
        println!("live tier skipped: {reason}");
    }
    let live = Live {
        inner: Arc::new(state),
    };
    let _ = LIVE.set(live.clone());
    live
}

async fn prepare_state() -> LiveState {
    if std::env::var("TSYS_LIVE").is_ok_and(|v| v == "0") {
        return unavailable("TSYS_LIVE=0 turns the live tier off".into());
    }
    let docker = match docker().await {
        Ok(docker) => docker,
        Err(e) => return unavailable(format!("no Docker engine answers ({e})")),
    };
    let mut state = LiveState::default();
    let shipped = Stack::load(&Stack::shipped_root(), None).expect("the settings load");
    if !upstream_images_present(&docker, &shipped).await {
        if let Err(e) = build_standins() {
            return unavailable(format!("the stand-in images could not be built: {e}"));
        }
        state.standins = true;
        state.overrides =
            Some(repo().join("tests/standins/TSYSDevStack-SupportStack-Demo-Settings.standins"));
        println!("stand-in images in use: the upstream images are not on this engine (see tests/standins/README.md)");
    }
    let overrides = state.overrides.clone();
    println!("live tier: removing any stack an earlier run left behind");
    crate::throwaway::remove_all().await;
    let _ = run_control("uninstall", overrides.as_deref());
    let before = listening_sockets();
    let started = Instant::now();
    println!("live tier: starting the stack with the control script");
    if let Err(e) = run_control("start", overrides.as_deref()) {
        state.start_error = Some(e);
    }
    state.start_seconds = started.elapsed().as_secs_f64();
    println!("live tier: start took {:.1} s", state.start_seconds);
    let after = listening_sockets();
    state.new_listeners = after.difference(&before).cloned().collect();
    state
}

fn unavailable(reason: String) -> LiveState {
    LiveState {
        unavailable: Some(reason),
        ..LiveState::default()
    }
}

async fn upstream_images_present(docker: &Docker, stack: &Stack) -> bool {
    for key in [
        "TSYS_PROXY_IMAGE",
        "TSYS_HOMEPAGE_IMAGE",
        "TSYS_WAKAPI_IMAGE",
    ] {
        let image = stack.settings.get(key).unwrap_or_default();
        if docker.inspect_image(image).await.is_err() {
            return false;
        }
    }
    true
}

fn build_standins() -> Result<(), String> {
    let status = Command::new("bash")
        .arg(repo().join("tests/standins/build.sh"))
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("tests/standins/build.sh exited with {s}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs one verb of the control script; `Err` holds the end of its output.
pub fn run_control(verb: &str, overrides: Option<&Path>) -> Result<String, String> {
    let mut command = Command::new("bash");
    command.arg(control_script()).arg(verb);
    if let Some(path) = overrides {
        command.env("TSYS_SETTINGS_OVERRIDES", path);
    }
    let output = command.output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stderr).to_string();
    print!("{}", indent(&text));
    if output.status.success() {
        Ok(text)
    } else {
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!(
            "`{verb}` exited with {}:\n{}",
            output.status,
            tail.join("\n")
        ))
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    | {l}\n")).collect()
}

/// Listening TCP sockets on the host, as "address:port".
pub fn listening_sockets() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(3) != Some(&"0A") {
                continue;
            }
            if let Some(addr) = fields.get(1).and_then(|a| decode(a, v6)) {
                found.insert(addr);
            }
        }
    }
    found
}

/// Decodes /proc/net/tcp's "0100007F:0BB8" (little-endian words) into "127.0.0.1:3000".
fn decode(field: &str, v6: bool) -> Option<String> {
    let (hex, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let mut ordered = Vec::new();
    for word in bytes.chunks(4) {
        ordered.extend(word.iter().rev());
    }
    let ip: std::net::IpAddr = if v6 {
        let array: [u8; 16] = ordered.try_into().ok()?;
        std::net::Ipv6Addr::from(array).into()
    } else {
        let array: [u8; 4] = ordered.try_into().ok()?;
        std::net::Ipv4Addr::from(array).into()
    };
    Some(if v6 {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

/// Removes the stack after the run unless TSYS_KEEP_STACK=1.
pub async fn finish(live: &Live) {
    if live.unavailable().is_some() {
        return;
    }
    if std::env::var("TSYS_KEEP_STACK").is_ok_and(|v| v == "1") {
        println!("live tier: TSYS_KEEP_STACK=1, leaving the stack running");
        return;
    }
    println!("live tier: uninstalling the stack");
    crate::throwaway::remove_all().await;
    if let Err(e) = run_control("uninstall", live.state().overrides.as_deref()) {
        eprintln!("conformance: warning: failed to uninstall the stack: {e}");
    }
}
