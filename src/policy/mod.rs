//! The policy catalogue and the runner. Each policy has a stable id, a reason, a fix,
//! and the external check it matches; `check` runs every selected policy on every
//! service of a project and returns the findings.

mod catalogue;
mod context;
mod dashboard;
mod exposure;
mod hardening;
mod naming;
mod runtime;

pub use catalogue::{Policy, Severity, CATALOGUE};
pub use context::Context;
pub use hardening::is_sensitive_host_path;

/// One violation, pointing at the key to change.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub policy: &'static str,
    /// The service concerned; `None` for project-wide findings.
    pub service: Option<String>,
    /// Where in the merged model, e.g. `services.web.ports[0]`.
    pub path: String,
    pub message: String,
    pub hint: String,
    /// `file:line` of the key to change, when it is written in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A documented exception that a policy allowed, shown in reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Exception {
    pub policy: &'static str,
    pub service: String,
    pub reason: String,
}

/// What running the catalogue produced.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Verdict {
    pub findings: Vec<Finding>,
    pub exceptions: Vec<Exception>,
}

/// Runs the policies whose id `select` accepts.
pub fn check(context: &Context, select: &dyn Fn(&str) -> bool) -> Verdict {
    let mut verdict = Verdict::default();
    for policy in CATALOGUE.iter().filter(|p| select(p.id)) {
        (policy.run)(context, &mut verdict);
    }
    verdict
        .findings
        .sort_by(|a, b| (&a.service, a.policy, &a.path).cmp(&(&b.service, b.policy, &b.path)));
    verdict
}

impl Verdict {
    pub(crate) fn fire(
        &mut self,
        policy: &'static str,
        service: Option<&str>,
        path: String,
    ) -> Fire<'_> {
        Fire {
            verdict: self,
            policy,
            service: service.map(str::to_string),
            path,
        }
    }

    pub(crate) fn except(&mut self, policy: &'static str, service: &str, reason: &str) {
        let exception = Exception {
            policy,
            service: service.into(),
            reason: reason.into(),
        };
        self.exceptions.push(exception);
    }
}

/// A finding being written: `verdict.fire(id, svc, path).say(message, hint)`.
pub(crate) struct Fire<'a> {
    verdict: &'a mut Verdict,
    policy: &'static str,
    service: Option<String>,
    path: String,
}

impl Fire<'_> {
    pub(crate) fn say(self, message: impl Into<String>, hint: impl Into<String>) {
        self.verdict.findings.push(Finding {
            policy: self.policy,
            service: self.service,
            path: self.path,
            message: message.into(),
            hint: hint.into(),
            location: None,
        });
    }
}

/// The path of a service key, e.g. `services.web.ports[0]`.
pub(crate) fn at(service: &str, key: &str) -> String {
    format!("services.{service}.{key}")
}
