//! Times `check` on the shipped stack and on generated stacks of growing size, and
//! prints the figures (median of repeated runs). Run: `cargo bench --bench check`.

use std::path::Path;
use std::time::{Duration, Instant};

use supportstack::compose::Project;
use supportstack::policy::{self, Context};
use supportstack::stack::Stack;

const RUNS: usize = 30;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut work: impl FnMut()) -> Duration {
    let samples = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    median(samples)
}

/// A stack of `n` services shaped like the shipped wakapi service.
fn generated(n: usize) -> String {
    let mut text = String::from("name: bench\nservices:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  bench-svc-{i}:\n    image: ghcr.io/muety/wakapi:2.17.6\n    container_name: bench-svc-{i}\n    \
             user: \"65532:65532\"\n    read_only: true\n    cap_drop: [ALL]\n    \
             security_opt: [\"no-new-privileges:true\"]\n    restart: unless-stopped\n    \
             environment:\n      WAKAPI_PASSWORD_SALT: ${{SALT}}\n    \
             ports: [\"127.0.0.1:{}:3000\"]\n    volumes: [\"bench-data-{i}:/data\"]\n    \
             tmpfs: [\"/tmp:size=16m\"]\n    networks: [bench-net]\n    \
             healthcheck: {{test: [CMD, /app/healthcheck], interval: 10s}}\n    \
             deploy: {{resources: {{limits: {{cpus: \"0.5\", memory: 256M, pids: 128}}}}}}\n    \
             logging: {{driver: json-file, options: {{max-size: 10m}}}}\n    \
             labels: {{homepage.group: Bench, homepage.name: svc-{i}}}\n",
            10000 + i
        ));
    }
    text.push_str("networks:\n  bench-net:\n    driver_opts:\n      com.docker.network.bridge.enable_ip_masquerade: \"false\"\n");
    text
}

fn main() {
    let stack = Stack::load(&Stack::shipped_root(), None).unwrap();
    let prefix = stack.prefix();
    let shipped = time(|| {
        let project = stack.project().unwrap();
        let verdict = policy::check(&Context::new(&project, &prefix), &|_| true);
        assert!(verdict.findings.is_empty());
    });
    println!(
        "shipped stack (3 services): load + check {:.3} ms",
        shipped.as_secs_f64() * 1e3
    );

    let none = |_: &str| None;
    for n in [25, 50, 100, 200] {
        let text = generated(n);
        let took = time(|| {
            let project = Project::from_text(Path::new("bench.yml"), &text, &none).unwrap();
            let _ = policy::check(&Context::new(&project, "bench-"), &|_| true);
        });
        let ms = took.as_secs_f64() * 1e3;
        println!(
            "generated stack ({n:>3} services): load + check {ms:.3} ms ({:.1} µs/service)",
            ms * 1e3 / n as f64
        );
    }
}
