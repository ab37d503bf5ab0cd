//! Typed errors of the core. The Python bindings map each variant to one of the package's
//! own exception classes (`DataError`, `PolicyError`, `OSError`).

use crate::report::Problem;

/// Everything that can go wrong in the core. Bad input never panics: it becomes one of these.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read at all.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The input data has errors. Holds every error and every warning found, so that the user can
    /// fix them all in one pass.
    #[error("{}", data_summary(.errors))]
    Data { errors: Vec<Problem>, warnings: Vec<Problem> },
    /// The policy (TOML or values set from Python) is not valid.
    #[error("invalid policy: {0}")]
    Policy(String),
    /// An output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn data_summary(errors: &[Problem]) -> String {
    let mut s = format!("the input data has {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" });
    for p in errors.iter().take(5) {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    if errors.len() > 5 {
        s.push_str(&format!("\n  ... and {} more", errors.len() - 5));
    }
    s
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
