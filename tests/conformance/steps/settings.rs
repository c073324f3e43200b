//! Settings steps.
