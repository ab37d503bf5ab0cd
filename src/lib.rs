//! lac-backlog: statutory health assessments for looked-after children in England.
//!
//! The core is free of Python: read and validate ([`read`]) -> cohort ([`model`]) -> schedule
//! ([`schedule`]) -> tables out ([`table`]). The Python bindings live in `python.rs` behind the
//! `python` cargo feature, which only maturin turns on.

pub mod calendar;
pub mod councils;
pub mod equality;
pub mod error;
pub mod fields;
pub mod identity;
pub mod kpi;
pub mod model;
pub mod oc2;
mod par;
pub mod pathway;
pub mod policy;
pub mod privacy;
pub mod read;
pub mod report;
pub mod rng;
pub mod schedule;
pub mod simulate;
pub mod ssda903;
pub mod suppress;
pub mod synth;
pub mod table;
pub mod triage;
pub mod workbook;

#[cfg(feature = "python")]
mod arrow_io;
#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use model::{Assessment, AssessmentType, Child, Cohort, Modality, NeedSignal, Outcome, ShortText, Signals};
pub use policy::Policy;
pub use read::{load_csv, load_csv_bytes, Loaded, ReadOptions};
pub use report::{Fact, Problem, ProblemKind, RowCounts, Severity, ValidationReport};
pub use schedule::{status_all, AgeBand, ChildStatus, Reason, Scheduler, Status};

/// The library version, written into outputs that record provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
