//! Reading and validating the two input tables (docs/interface.md section 2) from CSV and
//! DataFrames, in four parts: where rows come from ([`source`]: CSV bytes, Windows-1252, row
//! streams), the column and row-check toolkit shared with the 903 and overrides readers
//! ([`columns`]), and the two tables' schemas and checks ([`children`], [`assessments`]).
//!
//! Every problem names file, line (header = line 1), column and value. Every data row read is
//! either accepted or rejected, and every rejected row has an error naming its line, so the
//! report reconciles rows read = rows accepted + rows rejected.

pub(crate) mod assessments;
pub(crate) mod by_column;
pub(crate) mod children;
pub(crate) mod columns;
pub(crate) mod source;

use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::Cohort;
use crate::report::{Fact, InputRecord, Problem, ProblemKind, Severity, ValidationReport};

// What the other readers (903, overrides) and the DataFrame rows use, by the paths they had.
pub(crate) use crate::fields::trim_cell;
pub(crate) use assessments::{parse_modality, read_assessments};
pub use children::{
    ethnic_code, sex_code, CARE_STARTS_BEFORE_AGE, CHILD_COLUMNS, ETHNIC_CODES, LATEST_CARE_START_YEARS, LEGAL_STATUS_CODES, SEX_CODES,
};
pub(crate) use children::{read_children, ChildIndex};
pub(crate) use columns::{Columns, RowCheck};
pub(crate) use source::{cell, row_of, Cell, CsvRows, RawTable, Row, RowStream};
#[cfg(feature = "python")]
pub(crate) use source::{Record, PARALLEL_MIN_ROWS};

/// Options for reading.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The day the program runs: an assessment dated after it is reported as a warning.
    pub today: NaiveDate,
    /// How IHA records are judged, for the warnings on records that do not answer the IHA as
    /// recorded (docs/schedule.md).
    pub iha: IhaRule,
}

impl ReadOptions {
    /// Reading on `today`, with the default policy's IHA rule.
    pub fn new(today: NaiveDate) -> ReadOptions {
        ReadOptions { today, iha: IhaRule::default() }
    }

    /// Reading on `today`, with `policy`'s IHA rule.
    pub fn with_policy(today: NaiveDate, policy: &crate::Policy) -> ReadOptions {
        ReadOptions { today, iha: IhaRule::of(policy) }
    }
}

/// The policy's rule for which records answer the IHA (`schedule.iha_exemption` and
/// `iha_exemption_months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IhaRule {
    pub exemption_months: u32,
    pub exemption: crate::policy::IhaExemption,
}

impl IhaRule {
    pub fn of(policy: &crate::Policy) -> IhaRule {
        IhaRule { exemption_months: policy.schedule.iha_exemption_months, exemption: policy.schedule.iha_exemption }
    }
}

impl Default for IhaRule {
    fn default() -> Self {
        IhaRule::of(&crate::Policy::default())
    }
}

/// What reading found: the accepted rows as a cohort, and the full report. Turn it into a
/// cohort with [`Loaded::into_cohort`], which fails if there was any error.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub cohort: Cohort,
    pub report: ValidationReport,
}

impl Loaded {
    /// The cohort whatever errors single rows have (the lenient mode, `--skip-bad-rows`): rows
    /// with errors are left out and stay in the report as errors, so every skipped row is
    /// reported and the counts still reconcile. A problem with a whole table (no header, a
    /// required column missing, a file that is not CSV: no line, or line 1) still fails, as
    /// then no row could be read.
    pub fn into_cohort_skipping_bad_rows(self) -> Result<Cohort> {
        if self.report.errors().any(|p| p.line.is_none_or(|l| l <= 1)) {
            return self.into_cohort();
        }
        let mut cohort = self.cohort;
        cohort.report = self.report;
        Ok(cohort)
    }

    /// [`Loaded::into_cohort`] or, with `skip_bad_rows`, [`Loaded::into_cohort_skipping_bad_rows`].
    pub fn into_cohort_with(self, skip_bad_rows: bool) -> Result<Cohort> {
        if skip_bad_rows {
            self.into_cohort_skipping_bad_rows()
        } else {
            self.into_cohort()
        }
    }

    /// The cohort if the data had no errors; otherwise [`Error::Data`] with every problem.
    pub fn into_cohort(self) -> Result<Cohort> {
        if self.report.has_errors() {
            let (errors, warnings) = self.report.problems.into_iter().partition(Problem::is_error);
            return Err(Error::Data { errors, warnings });
        }
        let mut cohort = self.cohort;
        cohort.report = self.report;
        Ok(cohort)
    }
}

/// Read both tables from files. Only a file that cannot be opened is an `Err`; problems with the
/// data are in the returned report.
pub fn load_csv(children: &Path, assessments: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let read = |p: &Path| std::fs::read(p).map_err(|source| Error::Io { path: p.display().to_string(), source });
    let cb = read(children)?;
    let ab = read(assessments)?;
    // The bytes are hashed (for the manifest) on one core while they are read on the other.
    let (inputs, mut loaded) = rayon::join(
        || vec![InputRecord::of("children", children, &cb), InputRecord::of("assessments", assessments, &ab)],
        || load_csv_bytes(&children.display().to_string(), &cb, &assessments.display().to_string(), &ab, opts),
    );
    loaded.report.inputs = inputs;
    Ok(loaded)
}

/// Read both tables from bytes already in memory; `*_name` is what problems call the files.
pub fn load_csv_bytes(children_name: &str, children: &[u8], assessments_name: &str, assessments: &[u8], opts: &ReadOptions) -> Loaded {
    let mut problems = Vec::new();
    let ct = CsvRows::new(children_name, children, &mut problems);
    let at = CsvRows::new(assessments_name, assessments, &mut problems);
    // On every core, unless both tables go by one name (their blank rows warnings would merge).
    if children_name == assessments_name {
        return build(ct, at, opts, problems);
    }
    build(ct.on_every_core(), at.on_every_core(), opts, problems)
}

/// Read both tables from row streams other than CSV (DataFrames through Arrow).
#[cfg(any(test, feature = "python"))]
pub(crate) fn load_rows(children: impl RowStream, assessments: impl RowStream, opts: &ReadOptions) -> Loaded {
    build(children, assessments, opts, Vec::new())
}

fn build(mut ct: impl RowStream, mut at: impl RowStream, opts: &ReadOptions, mut problems: Vec<Problem>) -> Loaded {
    let (mut index, ccounts, usable) = read_children(&mut ct, opts, &mut problems);
    let acounts = read_assessments(&mut at, &mut index, ct.file(), usable, opts, &mut problems);

    // A file read in stretches on several cores warns of blank rows once, as read whole (two
    // tables by one name are never read in stretches).
    if ct.file() != at.file() {
        source::merge_blank_rows(ct.file(), &mut problems);
        source::merge_blank_rows(at.file(), &mut problems);
    }
    // Keep problems in file order, then line order (stable: a row's problems stay in column order).
    let cfile = ct.file().to_string();
    let file_rank = |f: &str| if f == cfile { 0 } else { 1 };
    problems.sort_by_key(|p| (file_rank(&p.file), p.line));
    let report =
        ValidationReport { problems, tables: vec![(cfile.clone(), ccounts), (at.file().to_string(), acounts)], inputs: Vec::new() };
    Loaded { cohort: Cohort::from_children(index.children), report }
}

/// The error, on the header line, for rows of a table that could not be read at all.
pub(crate) fn not_read(file: &str, rows: u64, why: &str) -> Problem {
    Problem::new(Severity::Error, ProblemKind::RowsNotRead, file, Some(1), None, "", format!("{rows} row(s) not read because {why}"))
        .with("rows", Fact::Number(rows))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::by_column::tests::{table, KIDS, SEEN};
    use super::*;

    /// CSV text of `header` and `rows`, with line ends `eol`, blank rows (`,,`) and empty lines
    /// where `gaps` says (row i is followed by gap i % gaps.len()).
    fn csv_text(header: &[&str], rows: &[Vec<String>], eol: &str, gaps: &[u8]) -> Vec<u8> {
        let mut s = header.join(",") + eol;
        for (i, r) in rows.iter().enumerate() {
            s += &r.join(",");
            s += eol;
            match gaps.get(i % gaps.len().max(1)) {
                Some(1) => s += &(",".repeat(header.len() - 1) + eol),
                Some(2) => s += eol,
                Some(3) => s += &(" ".to_string() + eol),
                _ => {}
            }
        }
        s.into_bytes()
    }

    proptest! {
        #![proptest_config(super::by_column::tests::prop_config(128))]
        /// A CSV text read in stretches on every core gives the cohort and report (every
        /// problem and line number, blank rows warned of once) that reading it whole gives; a
        /// text with quotes or lone carriage returns is read whole.
        #[test]
        fn csv_read_in_stretches_is_csv_read_whole(
            kids in table(&KIDS, 0..80),
            seen in table(SEEN, 0..160),
            crlf in any::<bool>(),
            quoted in any::<bool>(),
            bom in any::<bool>(),
            gaps in prop::collection::vec(0u8..6, 1..9),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut c = csv_text(&KIDS, &kids, eol, &gaps);
            if quoted && !kids.is_empty() {
                c.extend_from_slice(b"\"C900\",2010-01-01,2020-01-01\n");
            }
            if bom && !kids.is_empty() {
                // A row beginning with a byte order mark (files joined after a BOM): its id
                // keeps the mark, as read whole.
                c.extend_from_slice("\u{feff}C901,2010-01-01,2020-01-01\n".as_bytes());
            }
            let a = csv_text(SEEN, &seen, eol, &gaps);
            let opts = ReadOptions::new(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
            let whole = {
                let mut problems = Vec::new();
                let ct = CsvRows::new("children.csv", &c, &mut problems);
                let at = CsvRows::new("assessments.csv", &a, &mut problems);
                build(ct, at, &opts, problems)
            };
            let mut problems = Vec::new();
            let split = CsvRows::new("children.csv", &c, &mut problems).on_every_core().split(3);
            // The text after the header's line end (after its CR: the LF is read with the rows).
            let after_header = c.len() - (KIDS.join(",").len() + 1);
            let bom_inside = bom && !kids.is_empty();
            let expect = (kids.is_empty() || !quoted) && !bom_inside && after_header >= source::CSV_STRETCH_MIN_BYTES;
            prop_assert_eq!(split.is_some(), expect, "stretches: {:?}", split.as_ref().map(Vec::len));
            let in_stretches = load_csv_bytes("children.csv", &c, "assessments.csv", &a, &opts);
            prop_assert_eq!(&in_stretches.report, &whole.report);
            prop_assert_eq!(&in_stretches.cohort.children, &whole.cohort.children);
        }
    }
}
