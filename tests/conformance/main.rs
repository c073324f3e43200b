//! The conformance suite: the Definition of Done as Cucumber features, run against
//! the Compose files (static) and, when a Docker engine answers, against the running
//! stack (live). Writes JUnit and a Markdown summary to `reports/`.

#[path = "../common/mod.rs"]
mod common;
mod live_policy;
mod live_stack;
mod steps;
mod summary;
mod throwaway;
mod world;

use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cucumber::writer::Stats;
use cucumber::{writer, World, WriterExt};
use supportstack::report::escape;

use world::StackWorld;

#[tokio::main]
async fn main() {
    let reports = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("reports");
    std::fs::create_dir_all(&reports).expect("reports/ can be created");
    let junit = File::create(reports.join("conformance-junit.xml")).expect("the JUnit file");

    let live = live_stack::prepare().await;
    let skipped: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let skips = skipped.clone();
    let live_for_filter = live.clone();

    let features = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features");
    let result = StackWorld::cucumber()
        .with_writer(
            writer::Basic::raw(std::io::stdout(), writer::Coloring::Never, 0)
                .summarized()
                .tee::<StackWorld, _>(writer::JUnit::for_tee(junit, 0))
                .normalized(),
        )
        .fail_on_skipped()
        .after(|_, _, _, _, world| {
            Box::pin(async move {
                if let Some(name) = world.and_then(|w| w.throwaway.take()) {
                    throwaway::remove(&name).await;
                }
            })
        })
        .filter_run(features, move |feature, _, scenario| {
            let tags = || feature.tags.iter().chain(scenario.tags.iter());
            let reason = skip_reason(&live_for_filter, &mut tags().map(String::as_str));
            if let Some(reason) = &reason {
                let name = format!("{}: {}", feature.name, scenario.name);
                skips.lock().unwrap().push((name, reason.clone()));
            }
            reason.is_none()
        })
        .await;

    let skipped = skipped.lock().unwrap().clone();
    for (name, reason) in &skipped {
        println!("skipped: {name}: {reason}");
    }
    live_stack::finish(&live).await;
    add_skipped_to_junit(&reports.join("conformance-junit.xml"), &skipped);
    let table = summary::markdown(&live, result.execution_has_failed(), &skipped);
    std::fs::write(reports.join("conformance-summary.md"), &table).expect("the summary is written");
    println!("\n{table}");
    if result.execution_has_failed() {
        std::process::exit(1);
    }
}

/// Scenarios filtered out before the run never reach the JUnit writer; list them as
/// skipped test cases, with their reason, so CI sees them.
fn add_skipped_to_junit(path: &std::path::Path, skipped: &[(String, String)]) {
    if skipped.is_empty() {
        return;
    }
    let xml = std::fs::read_to_string(path).expect("the JUnit file was written");
    let mut suite = format!(
        "  <testsuite name=\"skipped\" tests=\"{}\" skipped=\"{}\">\n",
        skipped.len(),
        skipped.len()
    );
    for (name, reason) in skipped {
        let (name, reason) = (escape(name), escape(reason));
        suite.push_str(&format!(
            "    <testcase name=\"{name}\"><skipped message=\"{reason}\"/></testcase>\n"
        ));
    }
    suite.push_str("  </testsuite>\n</testsuites>");
    let xml = xml.replacen("</testsuites>", &suite, 1);
    std::fs::write(path, xml).expect("the JUnit file is rewritten");
}

/// Why a scenario with these tags cannot run here, if it cannot.
fn skip_reason(live: &live_stack::Live, tags: &mut dyn Iterator<Item = &str>) -> Option<String> {
    let tags: Vec<&str> = tags.collect();
    if tags.contains(&"live") {
        if let Some(reason) = live.unavailable() {
            return Some(reason);
        }
    }
    if tags.contains(&"upstream") && live.uses_standins() {
        return Some("stand-in images are in use; only the upstream image can prove this".into());
    }
    None
}
