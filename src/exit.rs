//! The exit codes of every command of the project: the `supportstack` binary and
//! the control script use the same table, so scripts can rely on it.
//!
//! | code | name           | meaning                                                        |
//! |------|----------------|----------------------------------------------------------------|
//! | 0    | ok             | the command did what was asked; `check` found nothing          |
//! | 1    | failed         | findings were reported, a component did not become healthy,   |
//! |      |                | a pull or a test failed                                        |
//! | 2    | bad input      | unknown option, missing or malformed setting, unreadable or    |
//! |      |                | invalid Compose file                                           |
//! | 3    | host not ready | Docker CLI or Compose v2 missing, daemon down, port busy       |

/// One row of the exit-code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Failed = 1,
    BadInput = 2,
    HostNotReady = 3,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The table as printed by `--help`.
    pub fn table() -> &'static str {
        "exit codes:\n  0  ok: nothing found, or the command succeeded\n  \
         1  failed: findings were reported\n  \
         2  bad input: unknown option, unreadable or invalid file or setting\n  \
         3  host not ready: a required tool or service is missing"
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code() as u8)
    }
}
