//! The one error type of the crate and its printer. Every error says what failed,
//! quotes the offending value, and carries a hint saying what to do next.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::exit::Exit;

/// Everything that can stop the crate from producing a verdict.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read.
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A settings file has a line that is not `KEY=value`, or a duplicate key.
    SettingsLine {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// An overrides file names a key the base settings do not have.
    UnknownOverride {
        path: PathBuf,
        line: usize,
        key: String,
    },
    /// A Compose file is not valid YAML or not a Compose mapping.
    Compose { path: PathBuf, message: String },
    /// A `${...}` expression is malformed.
    Interpolation { path: PathBuf, message: String },
    /// A command-line argument is not understood.
    Usage { message: String },
}

impl Error {
    /// The exit code this error maps to.
    pub fn exit(&self) -> Exit {
        Exit::BadInput
    }

    /// What the user should do about it.
    pub fn hint(&self) -> String {
        match self {
            Error::Read { .. } => "check the path, and that the file is readable UTF-8 text".into(),
            Error::SettingsLine { .. } => {
                "write each setting as KEY=value on its own line; keys are A-Z, 0-9 and _".into()
            }
            Error::UnknownOverride { .. } => {
                "an overrides file may only change keys of the settings file; \
                 check the spelling or add the key to the settings file first"
                    .into()
            }
            Error::Compose { .. } => {
                "fix the YAML; `docker compose -f FILE config` shows what Compose makes of it"
                    .into()
            }
            Error::Interpolation { .. } => {
                "use ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message} or $$".into()
            }
            Error::Usage { .. } => "run with --help to see the usage".into(),
        }
    }

    pub(crate) fn read(path: &Path, cause: std::io::Error) -> Self {
        Error::Read {
            path: path.to_path_buf(),
            cause,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, cause } => {
                write!(f, "failed to read '{}': {cause}", path.display())
            }
            Error::SettingsLine {
                path,
                line,
                message,
            } => {
                write!(
                    f,
                    "failed to parse '{}' line {line}: {message}",
                    path.display()
                )
            }
            Error::UnknownOverride { path, line, key } => write!(
                f,
                "failed to apply '{}' line {line}: unknown setting '{key}'",
                path.display()
            ),
            Error::Compose { path, message } => {
                write!(
                    f,
                    "failed to load Compose file '{}': {message}",
                    path.display()
                )
            }
            Error::Interpolation { path, message } => {
                write!(f, "failed to interpolate '{}': {message}", path.display())
            }
            Error::Usage { message } => write!(f, "failed to parse arguments: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Prints an error the house way: `error:` line, then `hint:` line, to stderr.
pub fn print(program: &str, error: &Error) {
    use std::io::Write;
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "{program}: error: {error}");
    let _ = writeln!(stderr, "hint: {}", error.hint());
}
