//! The state one scenario builds up: the project under test and the verdict.

use supportstack::compose::Project;
use supportstack::policy::Verdict;
use supportstack::stack::Stack;

#[derive(Debug, Default, cucumber::World)]
pub struct StackWorld {
    /// The shipped stack, when the scenario started from it.
    pub stack: Option<Stack>,
    pub project: Option<Project>,
    pub prefix: String,
    /// Policy ids a scenario chose to check; all when `None`.
    pub selected: Option<Vec<String>>,
    pub verdict: Option<Verdict>,
    /// The exit code and output of the last command run inside a container.
    pub answer: Option<(i64, String)>,
    /// A throwaway container this scenario started; removed after it.
    pub throwaway: Option<String>,
}

impl StackWorld {
    pub fn project(&self) -> &Project {
        self.project
            .as_ref()
            .expect("a Given step must load a project first")
    }

    pub fn project_mut(&mut self) -> &mut Project {
        self.project
            .as_mut()
            .expect("a Given step must load a project first")
    }

    pub fn verdict(&self) -> &Verdict {
        self.verdict
            .as_ref()
            .expect("a When step must check the policies first")
    }

    /// The service a scenario means by `name`: the name itself, or the shipped
    /// stack's service for a component.
    pub fn service_name(&self, name: &str) -> String {
        let names = self.project().service_names();
        if names.iter().any(|n| n == name) {
            return name.to_string();
        }
        let prefixed = format!("{}-{name}", self.prefix);
        assert!(
            names.contains(&prefixed),
            "no service '{name}' (have {names:?})"
        );
        prefixed
    }
}
