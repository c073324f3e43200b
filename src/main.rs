//! `supportstack`: checks Compose files against the stack's policy catalogue without
//! a Docker engine. See `supportstack --help`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use supportstack::compose::Project;
use supportstack::error::{self, Error};
use supportstack::exit::Exit;
use supportstack::policy::{self, Context};
use supportstack::report;
use supportstack::settings::Settings;
use supportstack::stack::DEFAULT_PREFIX;

const PROGRAM: &str = "supportstack";

const USAGE: &str = "usage: supportstack check [--prefix P] [--settings FILE] [--overrides FILE]
                          [--select IDS] [--format human|json|junit] FILE...
       supportstack policies
       supportstack --help | --version

check      read the Compose files as Compose does (merged in order, interpolated with
           the settings file only; the shell's environment is not read) and report
           every policy finding. A ${V:?} without a value is a warning, not an error,
           so files written for an .env file can be checked; S3 (values from the
           settings file) runs only when --settings is given
policies   print the policy catalogue as a Markdown table

options (each has an environment twin):
  --prefix P        naming prefix (SUPPORTSTACK_PREFIX; default: the settings' TSYS_PREFIX,
                    else TSYSDevStack-SupportStack-Demo)
  --settings FILE   KEY=value settings used for ${...} (SUPPORTSTACK_SETTINGS)
  --overrides FILE  values that replace settings (SUPPORTSTACK_OVERRIDES)
  --select IDS      comma-separated policy ids, e.g. P1,P2 (SUPPORTSTACK_SELECT; default all)
  --format F        human, json or junit (SUPPORTSTACK_FORMAT; default human)";

/// The parsed command line of `check`.
#[derive(Default)]
struct CheckArgs {
    prefix: Option<String>,
    settings: Option<PathBuf>,
    overrides: Option<PathBuf>,
    select: Option<Vec<String>>,
    format: String,
    files: Vec<PathBuf>,
    help: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(exit) => exit.into(),
        Err(err) => {
            error::print(PROGRAM, &err);
            err.exit().into()
        }
    }
}

fn run(args: &[String]) -> Result<Exit, Error> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            println!("{USAGE}\n\n{}", Exit::table());
            Ok(Exit::Ok)
        }
        Some("-V" | "--version") => {
            println!("{PROGRAM} {}", env!("CARGO_PKG_VERSION"));
            Ok(Exit::Ok)
        }
        Some("policies") => {
            print!("{}", report::catalogue_markdown());
            Ok(Exit::Ok)
        }
        Some("check") => check(parse_check(&args[1..])?),
        Some(other) => Err(usage(format!("unknown command '{other}'"))),
    }
}

fn usage(message: String) -> Error {
    eprintln!("{USAGE}");
    Error::Usage { message }
}

fn parse_check(args: &[String]) -> Result<CheckArgs, Error> {
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    let mut parsed = CheckArgs {
        prefix: env("SUPPORTSTACK_PREFIX"),
        settings: env("SUPPORTSTACK_SETTINGS").map(PathBuf::from),
        overrides: env("SUPPORTSTACK_OVERRIDES").map(PathBuf::from),
        select: env("SUPPORTSTACK_SELECT").map(|s| split_ids(&s)),
        format: env("SUPPORTSTACK_FORMAT").unwrap_or_else(|| "human".into()),
        files: Vec::new(),
        help: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| usage(format!("'{name}' needs a value")))
        };
        match arg.as_str() {
            "--prefix" => parsed.prefix = Some(value(arg)?),
            "--settings" => parsed.settings = Some(value(arg)?.into()),
            "--overrides" => parsed.overrides = Some(value(arg)?.into()),
            "--select" => parsed.select = Some(split_ids(&value(arg)?)),
            "--format" => parsed.format = value(arg)?,
            "-h" | "--help" => parsed.help = true,
            flag if flag.starts_with('-') => return Err(usage(format!("unknown option '{flag}'"))),
            file => parsed.files.push(file.into()),
        }
    }
    if parsed.help {
        return Ok(parsed);
    }
    if !["human", "json", "junit"].contains(&parsed.format.as_str()) {
        return Err(usage(format!("unknown format '{}'", parsed.format)));
    }
    if parsed.files.is_empty() {
        return Err(usage("no Compose file given".into()));
    }
    Ok(parsed)
}

fn split_ids(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn check(args: CheckArgs) -> Result<Exit, Error> {
    if args.help {
        println!("{USAGE}\n\n{}", Exit::table());
        return Ok(Exit::Ok);
    }
    let mut settings = match &args.settings {
        Some(path) => Settings::load(path)?,
        None => Settings::default(),
    };
    if let Some(path) = &args.overrides {
        settings.apply_overrides(path)?;
    }
    if let Some(unknown) = args.select.iter().flatten().find(|id| !is_policy(id)) {
        return Err(usage(format!("unknown policy id '{unknown}'")));
    }
    let lookup = |name: &str| settings.get(name).map(str::to_string);
    let project = Project::load(&args.files, &lookup)?;
    let prefix = args
        .prefix
        .clone()
        .or_else(|| settings.get("TSYS_PREFIX").map(str::to_string))
        .unwrap_or_else(|| DEFAULT_PREFIX.to_string());
    let selected = |id: &str| {
        args.select
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|s| s == id))
    };
    let mut context = Context::new(&project, &prefix);
    if args.settings.is_none() {
        context = context.without_settings();
    }
    let mut verdict = policy::check(&context, &selected);
    supportstack::locate::annotate(&project, &mut verdict);
    let services = project.service_names();
    let text = match args.format.as_str() {
        "json" => report::json(&verdict),
        "junit" => report::junit(&verdict, &services, &selected),
        _ => report::human(&verdict, &services),
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = stdout.write_all(b"\n");
    }
    for missing in &project.missing {
        let why = match missing.message.as_str() {
            "" => String::new(),
            message => format!(" ({message})"),
        };
        let _ = writeln!(
            std::io::stderr(),
            "{PROGRAM}: warning: required variable {} has no value{why}; \
             Compose refuses the file until it is set",
            missing.name
        );
    }
    Ok(if verdict.findings.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

fn is_policy(id: &str) -> bool {
    policy::CATALOGUE.iter().any(|p| p.id == id)
}
