//! Problems found in input data, and the reconciliation of rows read, accepted and rejected.

use std::fmt;

/// How serious a problem is: an error stops the job, a warning is reported and the job goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Values quoted in problems are cut to this many characters (docs/interface.md section 4).
pub const MAX_VALUE_CHARS: usize = 100;

/// One problem with the input: where it is (file, line of the file with the header as line 1,
/// column) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    /// Line of the file (header = 1); `None` for a problem with the whole file.
    pub line: Option<u64>,
    /// Column name as written in the file's header; `None` for a problem with a whole row or file.
    pub column: Option<String>,
    /// The offending value, cut to [`MAX_VALUE_CHARS`] characters.
    pub value: String,
    pub problem: String,
}

impl Problem {
    pub fn new(severity: Severity, file: &str, line: Option<u64>, column: Option<&str>, value: &str, problem: impl Into<String>) -> Self {
        Problem { severity, file: file.to_string(), line, column: column.map(str::to_string), value: cut(value), problem: problem.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Cut a value to [`MAX_VALUE_CHARS`] characters (not bytes).
pub fn cut(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((i, _)) => value[..i].to_string(),
        None => value.to_string(),
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity.as_str(), self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        write!(f, ", value {:?}: {}", self.value, self.problem)
    }
}

/// Row counts for one input table: every row read is either accepted or rejected (and each
/// rejected row has at least one error naming its line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
}

impl RowCounts {
    /// True when rows read = rows accepted + rows rejected.
    pub fn reconciles(&self) -> bool {
        self.read == self.accepted + self.rejected
    }
}

/// An input file as it was read: its role (`children`, `assessments`, `ssda903`), where it is,
/// and the size and SHA-256 of the very bytes read, for the manifest (docs/audit.md): a file
/// changed after reading is recorded as it was used, never as it is later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    pub role: String,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl InputRecord {
    pub fn of(role: &str, path: &std::path::Path, bytes: &[u8]) -> InputRecord {
        use sha2::{Digest, Sha256};
        let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        InputRecord { role: role.to_string(), path: path.display().to_string(), bytes: bytes.len() as u64, sha256 }
    }
}

/// What reading and validating a cohort found: all problems, the row counts per table, and
/// each input file as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    pub problems: Vec<Problem>,
    /// (file name, counts), one entry per table read, in the order read.
    pub tables: Vec<(String, RowCounts)>,
    /// The files read, in the order read (none for bytes or DataFrames given in memory).
    pub inputs: Vec<InputRecord>,
}

impl ValidationReport {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut_to_100_characters() {
        let long = "é".repeat(150);
        let p = Problem::new(Severity::Error, "f.csv", Some(2), Some("c"), &long, "bad");
        assert_eq!(p.value.chars().count(), 100);
        assert_eq!(cut("short"), "short");
    }

    #[test]
    fn display_names_file_line_column_and_value() {
        let p = Problem::new(Severity::Error, "children.csv", Some(3), Some("date_of_birth"), "2021-02-30", "impossible date");
        assert_eq!(p.to_string(), "error: children.csv, line 3, column date_of_birth, value \"2021-02-30\": impossible date");
    }
}
