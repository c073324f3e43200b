//! The runtime crate of the TSYSDevStack SupportStack Demo: reads the settings and
//! Compose files the way the control script and Compose do, and checks them against
//! the policy catalogue that states the stack's Definition of Done.

pub mod compose;
pub mod error;
pub mod exit;
pub mod image;
pub mod interpolate;
pub mod locate;
pub mod merge;
pub mod policy;
pub mod ports;
pub mod profiles;
pub mod report;
pub mod service;
pub mod settings;
pub mod sources;
pub mod stack;
pub mod units;
