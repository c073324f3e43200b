//! Step definitions, one module per domain idea.

pub mod cases;
pub mod compose;
pub mod live;
pub mod mutation;
pub mod settings;
