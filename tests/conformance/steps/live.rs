//! Live steps.
