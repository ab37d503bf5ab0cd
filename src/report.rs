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

/// What a problem is, as a stable code: a program tells problems apart by their kind and
/// reads their facts, never the sentence (docs/bad-input.md lists every kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// The file is not UTF-8 and was read as Windows-1252 (fact `offset`: the first bad byte).
    NotUtf8,
    /// The file has no header row.
    EmptyFile,
    /// The CSV could not be read from this line on.
    UnreadableCsv,
    /// Blank rows were ignored (facts `rows`, `lines`: the first few).
    BlankRows,
    /// A column name appears twice in the header (fact `also_column`).
    DuplicateColumn,
    /// A column the reader does not know (or with no name), ignored.
    UnknownColumn,
    /// The header has none of the expected columns: probably another file.
    WrongFile,
    /// A required column is not in the header.
    MissingColumn,
    /// Rows that could not be read at all (fact `rows`).
    RowsNotRead,
    /// A row has more fields than the header (facts `fields`, `header_fields`).
    TooManyFields,
    /// A required cell is blank.
    RequiredBlank,
    /// A row is too short to hold a required cell.
    RequiredMissing,
    /// A cell its column's parser refused (not a date, not yes/no, not a count...); the sentence says why.
    InvalidValue,
    /// Text a spreadsheet would run as a formula: kept as text.
    FormulaLike,
    /// A code the column does not list (a legal status, a 903 code of the collection year, a sex or an ethnicity).
    UnknownCode,
    /// The same child_id on several rows (fact `also_on_lines`).
    DuplicateChildId,
    /// A child_id that differs from another only in case, Unicode form, invisible characters or leading zeros (fact `other_line`).
    LookAlikeChildId,
    /// A date of birth after the reading date (fact `today`).
    BornAfterToday,
    /// A care_start more than a year after the reading date (fact `today`).
    CareStartTooLate,
    /// A date of birth 18 or more years before care_start (fact `care_start`).
    BornTooLongBeforeCare,
    /// A date of birth after care_start (fact `care_start`).
    BornAfterCareStart,
    /// A care_end before care_start (fact `care_start`).
    CareEndBeforeStart,
    /// A row for a child_id that is not among the children (fact `children_file`).
    UnknownChild,
    /// A row for a child whose own row was rejected (facts `children_file`, `child_line`).
    ChildRejected,
    /// An assessment dated before the child's date of birth (fact `date_of_birth`).
    AssessedBeforeBirth,
    /// An assessment dated after the reading date (fact `today`).
    AssessedAfterToday,
    /// A record before care_start that does not exempt the child from the IHA (facts `care_start`, `months`).
    NotAnIhaExemption,
    /// The record taken as the IHA is an RHA or virtual (fact `care_start`).
    IhaRecordedOddly,
    /// An override (or an overrides file) with neither a tier nor a modality.
    OverrideWithoutChange,
    /// A second override for the same child (fact `first_line`).
    SecondOverride,
    /// A 903 folder holds a second file for one table (fact `table`, `other_file`).
    SecondTable,
    /// A 903 XML return beside CSV tables, not read.
    XmlIgnored,
    /// A second 903 XML return, not read (fact `read_file`).
    SecondXml,
    /// A 903 folder without a required table (fact `table`).
    MissingTable,
    /// A 903 XML return that cannot be parsed.
    UnreadableXml,
    /// A 903 XML CHILD without a HEADER, ignored.
    ChildWithoutHeader,
    /// A 903 value not read, treated as blank.
    CodeTreatedBlank,
    /// A 903 SEX code of another collection year's coding.
    SexCodeOfOtherYear,
    /// One 903 CHILD with different dates of birth (fact `also_on_lines`).
    ConflictingBirthDates,
    /// A repeated 903 header row, ignored (fact `first_line`).
    RepeatedHeader,
    /// A 903 row whose child's header row was rejected (facts `header_file`, `header_line`).
    HeaderRejected,
    /// A 903 row for a CHILD with no header row, not used.
    NoHeader,
    /// A 903 episode whose DEC is before its DECOM (fact `decom`).
    EpisodeEndsBeforeStart,
    /// An open 903 episode (no DEC) with a REC code.
    OpenEpisodeWithRec,
    /// A 903 episode starting after the year end.
    EpisodeAfterYearEnd,
    /// A second 903 OC2 row for a child, ignored.
    SecondOc2Row,
    /// A 903 episode starting before the previous one ends (fact `previous_line`).
    OverlappingEpisodes,
    /// A 903 child with no episode of care: not in the cohort.
    NoEpisode,
    /// A DataFrame that cannot be read as a table (a column of an unsupported type).
    UnusableFrame,
}

impl ProblemKind {
    /// Every kind, in the order docs/bad-input.md lists them.
    pub const ALL: [ProblemKind; 49] = [
        ProblemKind::NotUtf8,
        ProblemKind::EmptyFile,
        ProblemKind::UnreadableCsv,
        ProblemKind::BlankRows,
        ProblemKind::DuplicateColumn,
        ProblemKind::UnknownColumn,
        ProblemKind::WrongFile,
        ProblemKind::MissingColumn,
        ProblemKind::RowsNotRead,
        ProblemKind::TooManyFields,
        ProblemKind::RequiredBlank,
        ProblemKind::RequiredMissing,
        ProblemKind::InvalidValue,
        ProblemKind::FormulaLike,
        ProblemKind::UnknownCode,
        ProblemKind::DuplicateChildId,
        ProblemKind::LookAlikeChildId,
        ProblemKind::BornAfterToday,
        ProblemKind::CareStartTooLate,
        ProblemKind::BornTooLongBeforeCare,
        ProblemKind::BornAfterCareStart,
        ProblemKind::CareEndBeforeStart,
        ProblemKind::UnknownChild,
        ProblemKind::ChildRejected,
        ProblemKind::AssessedBeforeBirth,
        ProblemKind::AssessedAfterToday,
        ProblemKind::NotAnIhaExemption,
        ProblemKind::IhaRecordedOddly,
        ProblemKind::OverrideWithoutChange,
        ProblemKind::SecondOverride,
        ProblemKind::SecondTable,
        ProblemKind::XmlIgnored,
        ProblemKind::SecondXml,
        ProblemKind::MissingTable,
        ProblemKind::UnreadableXml,
        ProblemKind::ChildWithoutHeader,
        ProblemKind::CodeTreatedBlank,
        ProblemKind::SexCodeOfOtherYear,
        ProblemKind::ConflictingBirthDates,
        ProblemKind::RepeatedHeader,
        ProblemKind::HeaderRejected,
        ProblemKind::NoHeader,
        ProblemKind::EpisodeEndsBeforeStart,
        ProblemKind::OpenEpisodeWithRec,
        ProblemKind::EpisodeAfterYearEnd,
        ProblemKind::SecondOc2Row,
        ProblemKind::OverlappingEpisodes,
        ProblemKind::NoEpisode,
        ProblemKind::UnusableFrame,
    ];

    /// The kind's code (snake_case), as Python's `Problem.kind` gives it.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::NotUtf8 => "not_utf8",
            ProblemKind::EmptyFile => "empty_file",
            ProblemKind::UnreadableCsv => "unreadable_csv",
            ProblemKind::BlankRows => "blank_rows",
            ProblemKind::DuplicateColumn => "duplicate_column",
            ProblemKind::UnknownColumn => "unknown_column",
            ProblemKind::WrongFile => "wrong_file",
            ProblemKind::MissingColumn => "missing_column",
            ProblemKind::RowsNotRead => "rows_not_read",
            ProblemKind::TooManyFields => "too_many_fields",
            ProblemKind::RequiredBlank => "required_blank",
            ProblemKind::RequiredMissing => "required_missing",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::FormulaLike => "formula_like",
            ProblemKind::UnknownCode => "unknown_code",
            ProblemKind::DuplicateChildId => "duplicate_child_id",
            ProblemKind::LookAlikeChildId => "look_alike_child_id",
            ProblemKind::BornAfterToday => "born_after_today",
            ProblemKind::CareStartTooLate => "care_start_too_late",
            ProblemKind::BornTooLongBeforeCare => "born_too_long_before_care",
            ProblemKind::BornAfterCareStart => "born_after_care_start",
            ProblemKind::CareEndBeforeStart => "care_end_before_start",
            ProblemKind::UnknownChild => "unknown_child",
            ProblemKind::ChildRejected => "child_rejected",
            ProblemKind::AssessedBeforeBirth => "assessed_before_birth",
            ProblemKind::AssessedAfterToday => "assessed_after_today",
            ProblemKind::NotAnIhaExemption => "not_an_iha_exemption",
            ProblemKind::IhaRecordedOddly => "iha_recorded_oddly",
            ProblemKind::OverrideWithoutChange => "override_without_change",
            ProblemKind::SecondOverride => "second_override",
            ProblemKind::SecondTable => "second_table",
            ProblemKind::XmlIgnored => "xml_ignored",
            ProblemKind::SecondXml => "second_xml",
            ProblemKind::MissingTable => "missing_table",
            ProblemKind::UnreadableXml => "unreadable_xml",
            ProblemKind::ChildWithoutHeader => "child_without_header",
            ProblemKind::CodeTreatedBlank => "code_treated_blank",
            ProblemKind::SexCodeOfOtherYear => "sex_code_of_other_year",
            ProblemKind::ConflictingBirthDates => "conflicting_birth_dates",
            ProblemKind::RepeatedHeader => "repeated_header",
            ProblemKind::HeaderRejected => "header_rejected",
            ProblemKind::NoHeader => "no_header",
            ProblemKind::EpisodeEndsBeforeStart => "episode_ends_before_start",
            ProblemKind::OpenEpisodeWithRec => "open_episode_with_rec",
            ProblemKind::EpisodeAfterYearEnd => "episode_after_year_end",
            ProblemKind::SecondOc2Row => "second_oc2_row",
            ProblemKind::OverlappingEpisodes => "overlapping_episodes",
            ProblemKind::NoEpisode => "no_episode",
            ProblemKind::UnusableFrame => "unusable_frame",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A fact a problem's sentence quotes, kept by name so that no one has to parse the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A line of a file (header = 1).
    Line(u64),
    /// Several lines of a file.
    Lines(Vec<u64>),
    /// A date (from the data, or the reading date): hidden with the values when values are hidden.
    Date(chrono::NaiveDate),
    /// A count or a position.
    Number(u64),
    /// A name: a file, a table, a code list. Never a child's data.
    Name(String),
}

/// Values quoted in problems are cut to this many characters (docs/interface.md section 4).
pub const MAX_VALUE_CHARS: usize = 100;

/// One problem with the input: where it is (file, line of the file with the header as line 1,
/// column) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    /// What is wrong, as a stable code.
    pub kind: ProblemKind,
    pub file: String,
    /// Line of the file (header = 1); `None` for a problem with the whole file.
    pub line: Option<u64>,
    /// Column name as written in the file's header; `None` for a problem with a whole row or file.
    pub column: Option<String>,
    /// The offending value, cut to [`MAX_VALUE_CHARS`] characters.
    pub value: String,
    /// The facts the sentence quotes, by name (docs/bad-input.md), in the order it quotes them.
    pub facts: Vec<(&'static str, Fact)>,
    /// The problem in words, for people.
    pub problem: String,
}

impl Problem {
    pub fn new(
        severity: Severity,
        kind: ProblemKind,
        file: &str,
        line: Option<u64>,
        column: Option<&str>,
        value: &str,
        problem: impl Into<String>,
    ) -> Self {
        Problem {
            severity,
            kind,
            file: file.to_string(),
            line,
            column: column.map(str::to_string),
            value: cut(value),
            facts: Vec::new(),
            problem: problem.into(),
        }
    }

    /// The problem with one more fact.
    pub fn with(mut self, name: &'static str, fact: Fact) -> Self {
        self.facts.push((name, fact));
        self
    }

    /// Add a fact in place (for a problem already pushed).
    pub fn add(&mut self, name: &'static str, fact: Fact) -> &mut Self {
        self.facts.push((name, fact));
        self
    }

    /// A fact by name.
    pub fn fact(&self, name: &str) -> Option<&Fact> {
        self.facts.iter().find(|(n, _)| *n == name).map(|(_, f)| f)
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
    fn kind_codes_are_distinct_snake_case() {
        let codes: std::collections::BTreeSet<&str> = ProblemKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ProblemKind::ALL.len());
        assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())));
    }

    #[test]
    fn values_are_cut_to_100_characters() {
        let long = "é".repeat(150);
        let p = Problem::new(Severity::Error, ProblemKind::InvalidValue, "f.csv", Some(2), Some("c"), &long, "bad");
        assert_eq!(p.value.chars().count(), 100);
        assert_eq!(cut("short"), "short");
    }

    #[test]
    fn display_names_file_line_column_and_value() {
        let p = Problem::new(
            Severity::Error,
            ProblemKind::InvalidValue,
            "children.csv",
            Some(3),
            Some("date_of_birth"),
            "2021-02-30",
            "impossible date",
        );
        assert_eq!(p.to_string(), "error: children.csv, line 3, column date_of_birth, value \"2021-02-30\": impossible date");
    }
}
