//! The shipped stack on disk: its settings file, its overrides, and the Compose file
//! of each component listed in `TSYS_COMPONENTS`, in start order.

use std::path::{Path, PathBuf};

use crate::compose::Project;
use crate::error::Error;
use crate::settings::Settings;

/// The settings file's name, beside the control script.
pub const SETTINGS_FILE: &str = "TSYSDevStack-SupportStack-Demo-Settings";

/// The prefix every Docker artifact of the stack starts with.
pub const DEFAULT_PREFIX: &str = "TSYSDevStack-SupportStack-Demo";

/// The stack folder and its merged settings.
#[derive(Clone, Debug)]
pub struct Stack {
    pub root: PathBuf,
    pub settings: Settings,
}

impl Stack {
    /// Reads `root`'s settings file and applies `overrides` when given.
    pub fn load(root: &Path, overrides: Option<&Path>) -> Result<Self, Error> {
        let mut settings = Settings::load(&root.join(SETTINGS_FILE))?;
        if let Some(path) = overrides {
            settings.apply_overrides(path)?;
        }
        Ok(Stack {
            root: root.to_path_buf(),
            settings,
        })
    }

    /// The stack folder of this repository.
    pub fn shipped_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/SupportStack")
    }

    /// The components, in start order.
    pub fn components(&self) -> Vec<String> {
        let listed = self.settings.get("TSYS_COMPONENTS").unwrap_or_default();
        listed.split_whitespace().map(str::to_string).collect()
    }

    /// The Compose file of one component.
    pub fn compose_file(&self, component: &str) -> PathBuf {
        let name = format!("{DEFAULT_PREFIX}-DockerCompose-{component}.yml");
        self.root.join("compose").join(name)
    }

    /// Every component's Compose file, in start order.
    pub fn compose_files(&self) -> Vec<PathBuf> {
        self.components()
            .iter()
            .map(|c| self.compose_file(c))
            .collect()
    }

    /// The naming prefix from the settings.
    pub fn prefix(&self) -> String {
        self.settings
            .get("TSYS_PREFIX")
            .unwrap_or(DEFAULT_PREFIX)
            .to_string()
    }

    /// The service name of a component.
    pub fn service_name(&self, component: &str) -> String {
        format!("{}-{component}", self.prefix())
    }

    /// The merged Compose model, interpolated with the settings.
    pub fn project(&self) -> Result<Project, Error> {
        let settings = &self.settings;
        let lookup = |name: &str| settings.get(name).map(str::to_string);
        Project::load(&self.compose_files(), &lookup)
    }
}
