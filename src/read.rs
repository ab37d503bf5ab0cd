//! Reading and validating the two input tables (docs/interface.md section 2) from CSV.
//!
//! Every problem names file, line (header = line 1), column and value. Every data row read is
//! either accepted or rejected, and every rejected row has an error naming its line, so the
//! report reconciles rows read = rows accepted + rows rejected.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: a fast hash for the short keys of reading (column names, child ids), where SipHash's
/// protection against crafted keys is not needed (a file can only slow its own read).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A map with the FNV hasher.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
use std::path::Path;

use chrono::Datelike as _;
use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::fields::{count_of, parse_bool, parse_count, parse_date, parse_sdq, sdq_of};
use crate::model::{Assessment, AssessmentType, Child, Cohort, Modality, NeedSignal, Outcome, ShortText, Signals};
use crate::report::{Problem, RowCounts, Severity, ValidationReport};

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

/// The 903 legal status codes (a warning, not an error, for any other code).
pub const LEGAL_STATUS_CODES: &[&str] = &["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"];

const CHILD_SIGNAL_COLUMNS: [&str; 9] = [
    "complex_health_needs",
    "disability",
    "mental_health_concern",
    "self_harm",
    "substance_misuse",
    "pregnant_or_parent",
    "exploitation_risk",
    "youth_justice",
    "out_of_area",
];

const CHILD_COLUMNS: &[&str] = &[
    "child_id",
    "date_of_birth",
    "care_start",
    "care_end",
    "legal_status",
    "uasc",
    "missing",
    "locality",
    "sdq_score",
    "complex_health_needs",
    "disability",
    "mental_health_concern",
    "self_harm",
    "substance_misuse",
    "pregnant_or_parent",
    "exploitation_risk",
    "youth_justice",
    "out_of_area",
    "placement_moves_12m",
    "missing_episodes_12m",
    "sdq_date",
];
const CHILD_REQUIRED: &[&str] = &["child_id", "date_of_birth", "care_start"];

const ASSESSMENT_COLUMNS: [&str; 5] = ["child_id", "assessment_type", "completed_on", "modality", "outcome"];
const ASSESSMENT_REQUIRED: &[&str] = &["child_id", "assessment_type", "completed_on"];

/// Read both tables from files. Only a file that cannot be opened is an `Err`; problems with the
/// data are in the returned report.
pub fn load_csv(children: &Path, assessments: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let read = |p: &Path| std::fs::read(p).map_err(|source| Error::Io { path: p.display().to_string(), source });
    let cb = read(children)?;
    let ab = read(assessments)?;
    Ok(load_csv_bytes(&children.display().to_string(), &cb, &assessments.display().to_string(), &ab, opts))
}

/// Read both tables from bytes already in memory; `*_name` is what problems call the files.
pub fn load_csv_bytes(children_name: &str, children: &[u8], assessments_name: &str, assessments: &[u8], opts: &ReadOptions) -> Loaded {
    let mut problems = Vec::new();
    let ct = CsvRows::new(children_name, children, &mut problems);
    let at = CsvRows::new(assessments_name, assessments, &mut problems);
    build(ct, at, opts, problems)
}

/// Read both tables from row streams other than CSV (DataFrames through Arrow).
#[cfg(feature = "python")]
pub(crate) fn load_rows(children: impl RowStream, assessments: impl RowStream, opts: &ReadOptions) -> Loaded {
    build(children, assessments, opts, Vec::new())
}

/// One row of cells, as bytes (the whole input is known to be UTF-8; [`cell`] checks each
/// field it hands out and trims it).
pub(crate) type Row = csv::ByteRecord;

/// Field `i` of a row as trimmed text (`None` past the end of the row).
pub(crate) fn cell(row: &Row, i: usize) -> Option<&str> {
    row.get(i).map(|b| trim_cell(std::str::from_utf8(b).unwrap_or("")))
}

/// A cell's text without white space at either end, as `str::trim`: ASCII first (the usual
/// case), then any other Unicode white space (and the vertical tab, which `trim_ascii` keeps).
#[inline(always)]
pub(crate) fn trim_cell(s: &str) -> &str {
    let s = s.trim_ascii();
    let odd = |c: &u8| !c.is_ascii() || *c == 0x0B;
    if s.as_bytes().first().is_some_and(odd) || s.as_bytes().last().is_some_and(odd) {
        s.trim()
    } else {
        s
    }
}

/// One cell as its source holds it: text (CSV, XML and text columns, trimmed with
/// [`trim_cell`]; blank and null are empty text) or a value a DataFrame column already typed.
/// Every check reads cells through this, so typed columns skip text but meet the same rules: a
/// typed value that is not simply valid is judged on the text a CSV file would hold for it
/// ([`Cell::text`]; text itself is parsed in place, without a copy).
#[derive(Debug, Clone, Copy, PartialEq)]
// Only DataFrame columns (the `python` feature) make typed cells.
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    /// A float that is not a whole number (whole floats are [`Cell::Int`]).
    Float(f64),
    Bool(bool),
    Date(NaiveDate),
}

impl<'a> Cell<'a> {
    /// The text a CSV file would hold: whole numbers without a decimal point, booleans as 1/0,
    /// dates as YYYY-MM-DD.
    #[inline(always)]
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s),
            typed => typed.typed_text(),
        }
    }

    /// [`Cell::text`] of a typed cell (out of line: text cells, the usual case, need none).
    #[inline(never)]
    fn typed_text(self) -> Cow<'a, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(v) => Cow::Owned(v.to_string()),
            Cell::Float(v) => Cow::Owned(v.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if b { "1" } else { "0" }),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        }
    }

    /// Blank: empty text (text cells are trimmed).
    #[inline]
    pub fn is_blank(self) -> bool {
        matches!(self, Cell::Text(""))
    }

    /// Parse the cell's text (typed cells give the text a CSV file would hold).
    #[inline(always)]
    pub fn parse<T>(self, f: impl Fn(&str) -> Result<T, String>) -> Result<T, String> {
        match self {
            Cell::Text(s) => f(s),
            typed => f(&typed.typed_text()),
        }
    }

    /// A date ([`parse_date`]'s rules; a date column's value needs no parsing).
    pub fn date(self) -> Result<NaiveDate, String> {
        match self {
            Cell::Date(d) if d.year() > crate::fields::EXCEL_DAY_ZERO_YEAR => Ok(d),
            c => c.parse(parse_date),
        }
    }

    /// A yes/no value ([`parse_bool`]'s rules).
    pub fn boolean(self) -> Result<bool, String> {
        match self {
            Cell::Bool(b) => Ok(b),
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            c => c.parse(parse_bool),
        }
    }

    /// A count ([`parse_count`]'s rules).
    pub fn count(self) -> Result<u32, String> {
        match self {
            Cell::Int(n) => count_of(n),
            c => c.parse(parse_count),
        }
    }

    /// An SDQ score ([`parse_sdq`]'s rules).
    pub fn sdq(self) -> Result<u8, String> {
        match self {
            Cell::Int(n) => sdq_of(n),
            c => c.parse(parse_sdq),
        }
    }
}

/// A row of cells: a CSV record, or one row of a DataFrame's columns.
pub(crate) trait Record {
    /// Field `i` (`None` past the end of the row).
    fn field(&self, i: usize) -> Option<Cell<'_>>;
    /// How many fields the row has.
    fn width(&self) -> usize;
}

impl Record for Row {
    #[inline]
    fn field(&self, i: usize) -> Option<Cell<'_>> {
        cell(self, i).map(Cell::Text)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

/// A row from text cells (XML and Arrow sources).
pub(crate) fn row_of<S: AsRef<str>>(cells: &[S]) -> Row {
    let mut r = Row::with_capacity(64, cells.len());
    for c in cells {
        r.push_field(c.as_ref().trim().as_bytes());
    }
    r
}

/// A source of rows read one at a time, so that a large file is never held as rows: CSV text
/// ([`CsvRows`], one reused buffer) or DataFrame columns (read in place, typed).
pub(crate) trait RowStream: Send + Sized {
    /// A row as this source gives it.
    type Rec: Record;
    /// What problems call the source (the file name).
    fn file(&self) -> &str;
    /// The header's names, as written.
    fn header(&self) -> &[String];
    /// Move to the next non-blank row and give the line it starts on; `None` at the end.
    fn advance(&mut self, problems: &mut Vec<Problem>) -> Option<u64>;
    /// The row [`RowStream::advance`] moved to.
    fn row(&self) -> &Self::Rec;
    /// How many rows are left, when the source knows (to size what is read into); 0 if not.
    fn rows_left_hint(&self) -> usize {
        0
    }
    /// The rows not yet read as up to `n` streams over consecutive stretches, to be checked on
    /// several cores and joined in order; `None` when the source can only be read in order (CSV
    /// text, read as it is decoded).
    fn split(&self, _n: usize) -> Option<Vec<Self>> {
        None
    }
}

/// Stretches are at least this many rows (fewer: a thread costs more than it saves).
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) const PARALLEL_MIN_ROWS: usize = 10_000;

/// Run `f` on each part of `stream` (split for several cores when it can be) and give the
/// results in row order.
fn in_stretches<S: RowStream, T: Send>(stream: &mut S, f: impl Fn(&mut S) -> T + Sync + Send) -> Vec<T> {
    match stream.split(crate::par::threads()) {
        Some(parts) => crate::par::map_in_order(parts, |mut p| f(&mut p)),
        None => vec![f(stream)],
    }
}

/// A CSV table streamed row by row: decoded (UTF-8 with or without BOM; otherwise
/// Windows-1252, with a warning), header read, blank rows reported once at the end.
pub(crate) struct CsvRows<'a> {
    file: String,
    header: Vec<String>,
    rdr: csv::Reader<std::io::Cursor<std::borrow::Cow<'a, [u8]>>>,
    blank_lines: Vec<u64>,
    n_blank: u64,
    done: bool,
    /// The current row.
    record: Row,
}

/// How many blank lines a warning lists by number.
const BLANK_LINES_SHOWN: usize = 10;

impl<'a> CsvRows<'a> {
    pub fn new(file: &str, bytes: &'a [u8], problems: &mut Vec<Problem>) -> CsvRows<'a> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text: std::borrow::Cow<'a, [u8]> = match std::str::from_utf8(bytes) {
            Ok(_) => std::borrow::Cow::Borrowed(bytes),
            Err(e) => {
                problems.push(Problem::new(
                    Severity::Warning,
                    file,
                    None,
                    None,
                    "",
                    format!("not UTF-8 (first bad byte at offset {}); read as Windows-1252", e.valid_up_to()),
                ));
                std::borrow::Cow::Owned(decode_windows_1252(bytes).into_bytes())
            }
        };
        let rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 16).from_reader(std::io::Cursor::new(text));
        let mut t = CsvRows {
            file: file.to_string(),
            header: Vec::new(),
            rdr,
            blank_lines: Vec::new(),
            n_blank: 0,
            done: false,
            record: Row::new(),
        };
        match t.read(problems) {
            Some(_) => t.header = (0..t.record.len()).filter_map(|i| cell(&t.record, i)).map(str::to_string).collect(),
            None => problems.push(Problem::new(Severity::Error, file, None, None, "", "file is empty: no header row")),
        }
        t
    }

    /// The next record of any kind, blank or not, into `self.record`.
    fn read(&mut self, problems: &mut Vec<Problem>) -> Option<u64> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(true) => Some(self.record.position().map_or(0, |p| p.line())),
            Ok(false) => {
                self.finish(problems);
                None
            }
            Err(e) => {
                // Input is valid UTF-8 and the reader is flexible, so this is unexpected:
                // report it where it happened and stop reading this file.
                let line = e.position().map(|p| p.line());
                problems.push(Problem::new(Severity::Error, &self.file, line, None, "", format!("cannot read CSV: {e}")));
                self.finish(problems);
                None
            }
        }
    }

    fn finish(&mut self, problems: &mut Vec<Problem>) {
        self.done = true;
        if self.n_blank > 0 {
            let shown: Vec<String> = self.blank_lines.iter().map(u64::to_string).collect();
            problems.push(Problem::new(
                Severity::Warning,
                &self.file,
                self.blank_lines.first().copied(),
                None,
                "",
                format!(
                    "{} blank row(s) ignored and not counted as rows (lines {}{})",
                    self.n_blank,
                    shown.join(", "),
                    if self.n_blank > BLANK_LINES_SHOWN as u64 { ", ..." } else { "" }
                ),
            ));
        }
    }
}

/// True when every cell of the row is empty or white space.
fn blank_row(record: &Row) -> bool {
    let all = record.as_slice();
    all.iter().all(u8::is_ascii_whitespace) || std::str::from_utf8(all).is_ok_and(|s| s.trim().is_empty())
}

impl RowStream for CsvRows<'_> {
    type Rec = Row;
    fn file(&self) -> &str {
        &self.file
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn row(&self) -> &Row {
        &self.record
    }
    fn advance(&mut self, problems: &mut Vec<Problem>) -> Option<u64> {
        loop {
            let line = self.read(problems)?;
            if !blank_row(&self.record) {
                return Some(line);
            }
            self.n_blank += 1;
            if self.blank_lines.len() < BLANK_LINES_SHOWN {
                self.blank_lines.push(line);
            }
        }
    }
}

/// A table held in memory as rows (the small 903 and overrides tables, XML), with line numbers.
pub(crate) struct RawTable {
    pub file: String,
    pub header: Vec<String>,
    /// Rows with the line each starts on; each row keeps its cells in one buffer.
    pub rows: Vec<(u64, Row)>,
}

impl RawTable {
    /// Read a whole CSV table into memory (see [`CsvRows`]).
    pub fn parse(file: &str, bytes: &[u8], problems: &mut Vec<Problem>) -> RawTable {
        let mut src = CsvRows::new(file, bytes, problems);
        let mut rows = Vec::new();
        while let Some(line) = src.advance(problems) {
            rows.push((line, std::mem::take(&mut src.record)));
        }
        RawTable { file: src.file, header: src.header, rows }
    }
}

/// Windows-1252 to text (bytes 0x80-0x9F map to the typographic characters Excel writes).
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•',
        '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// Where each known column is in a table, found case-insensitively.
pub(crate) struct Columns {
    index: FastMap<&'static str, usize>,
    /// The names as written in the header, for problems.
    header: Vec<String>,
    /// True when a required column is missing or a known column is duplicated: rows cannot be
    /// read.
    pub unusable: bool,
}

impl Columns {
    pub fn new(table: &RawTable, known: &[&'static str], required: &[&str], problems: &mut Vec<Problem>) -> Columns {
        Columns::of_header(&table.file, &table.header, known, required, problems)
    }

    pub fn of_header(file: &str, header: &[String], known: &[&'static str], required: &[&str], problems: &mut Vec<Problem>) -> Columns {
        let mut index = FastMap::default();
        let mut unusable = header.is_empty();
        let mut seen: HashMap<String, usize> = HashMap::new();
        // Unknown columns are named only when the header is this table's at all (below).
        let mut unknown = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let key = name.trim().to_ascii_lowercase();
            if let Some(&first) = seen.get(&key) {
                let known_col = known.contains(&key.as_str());
                (if known_col { &mut *problems } else { &mut unknown }).push(Problem::new(
                    if known_col { Severity::Error } else { Severity::Warning },
                    file,
                    Some(1),
                    Some(name),
                    name,
                    format!("duplicate column (also column {} of the header)", first + 1),
                ));
                unusable |= known_col;
                continue;
            }
            seen.insert(key.clone(), i);
            match known.iter().find(|k| k.eq_ignore_ascii_case(&key)) {
                Some(k) => {
                    index.insert(*k, i);
                }
                None => unknown.push(Problem::new(
                    Severity::Warning,
                    file,
                    Some(1),
                    Some(name),
                    name,
                    if key.is_empty() { "column with no name, ignored".to_string() } else { "unknown column, ignored".to_string() },
                )),
            }
        }
        if !header.is_empty() && index.is_empty() && !required.is_empty() {
            // Not one expected column: the wrong file (a key file given by mistake, another
            // table). Its first line is not repeated anywhere, as it may be a secret.
            problems.push(Problem::new(
                Severity::Error,
                file,
                Some(1),
                None,
                "",
                format!("the first line has none of the expected columns ({}): is it the right file?", required.join(", ")),
            ));
        } else {
            problems.append(&mut unknown);
        }
        if !header.is_empty() {
            for req in required {
                if !index.contains_key(req) {
                    problems.push(Problem::new(Severity::Error, file, Some(1), Some(req), "", "required column is missing"));
                    unusable = true;
                }
            }
        }
        Columns { index, header: header.to_vec(), unusable }
    }

    /// True when the table has this known column.
    pub fn has(&self, col: &str) -> bool {
        self.index.contains_key(col)
    }

    /// A known column resolved once, for reading many rows without a lookup per cell.
    pub fn col(&self, name: &'static str) -> Col {
        Col { idx: self.index.get(name).copied(), name }
    }

    /// The cell of a known column, or `None` when the column is absent or the row is short.
    pub fn get<'r>(&self, row: &'r Row, col: impl ColKey) -> Option<&'r str> {
        col.index(self).and_then(|i| cell(row, i))
    }

    /// [`Columns::get`] for any kind of row, as the source holds the cell.
    #[inline(always)]
    pub fn cell<'r, R: Record + ?Sized>(&self, row: &'r R, col: impl ColKey) -> Option<Cell<'r>> {
        col.index(self).and_then(|i| row.field(i))
    }

    /// The column's name as written in the header (falls back to the canonical name).
    pub fn name<'a>(&'a self, col: impl ColKey + 'a) -> &'a str {
        col.index(self).and_then(|i| self.header.get(i)).map_or(col.key(), String::as_str)
    }
}

/// A known column found by [`Columns::col`]: where it is (if present) and its canonical name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    idx: Option<usize>,
    name: &'static str,
}

/// A column named by its canonical name (looked up each time) or already resolved ([`Col`]).
pub(crate) trait ColKey: Copy {
    fn index(self, cols: &Columns) -> Option<usize>;
    fn key<'a>(self) -> &'a str
    where
        Self: 'a;
}

impl ColKey for &str {
    fn index(self, cols: &Columns) -> Option<usize> {
        cols.index.get(self).copied()
    }
    fn key<'a>(self) -> &'a str
    where
        Self: 'a,
    {
        self
    }
}

impl ColKey for Col {
    #[inline(always)]
    fn index(self, _cols: &Columns) -> Option<usize> {
        self.idx
    }
    fn key<'a>(self) -> &'a str {
        self.name
    }
}

/// Collects the problems of one row.
pub(crate) struct RowCheck<'a> {
    pub file: &'a str,
    pub line: u64,
    pub cols: &'a Columns,
    pub problems: &'a mut Vec<Problem>,
    pub ok: bool,
}

impl<'a> RowCheck<'a> {
    pub fn error(&mut self, col: impl ColKey, value: &str, msg: impl Into<String>) {
        let name = self.cols.name(col).to_string();
        self.problems.push(Problem::new(Severity::Error, self.file, Some(self.line), Some(&name), value, msg));
        self.ok = false;
    }

    pub fn warn(&mut self, col: impl ColKey, value: &str, msg: impl Into<String>) {
        let name = self.cols.name(col).to_string();
        self.problems.push(Problem::new(Severity::Warning, self.file, Some(self.line), Some(&name), value, msg));
    }

    /// A warning for text that a spreadsheet would run as a formula (it starts with `=`, `+`,
    /// `-` or `@`): kept as it is, but outputs write it as text (docs/bad-input.md).
    pub fn formula_like(&mut self, col: impl ColKey, text: &str) {
        if crate::table::looks_like_formula(text) {
            self.warn(
                col,
                text,
                "starts with = + - or @, which a spreadsheet runs as a formula: kept as text, written with a leading ' in CSV \
                 output and as text in Excel; check the cell",
            );
        }
    }

    /// A required cell: present and not blank.
    #[inline]
    pub fn required_cell<'r, R: Record + ?Sized>(&mut self, row: &'r R, col: impl ColKey) -> Option<Cell<'r>> {
        match self.cols.cell(row, col) {
            Some(v) if !v.is_blank() => Some(v),
            Some(v) => {
                self.error(col, &v.text(), "required value is blank");
                None
            }
            None => {
                self.error(col, "", "required value is missing (row has too few fields)");
                None
            }
        }
    }

    /// A required cell as text.
    pub fn required<'r, R: Record + ?Sized>(&mut self, row: &'r R, col: impl ColKey) -> Option<Cow<'r, str>> {
        self.required_cell(row, col).map(Cell::text)
    }

    /// An optional cell: `None` when the column is absent or the cell is blank.
    #[inline(always)]
    pub fn optional_cell<'r, R: Record + ?Sized>(&self, row: &'r R, col: impl ColKey) -> Option<Cell<'r>> {
        self.cols.cell(row, col).filter(|v| !v.is_blank())
    }

    /// An optional cell as text.
    pub fn optional<'r, R: Record + ?Sized>(&self, row: &'r R, col: impl ColKey) -> Option<Cow<'r, str>> {
        self.optional_cell(row, col).map(Cell::text)
    }

    /// Parse an optional cell; a bad value is an error and gives `None`.
    #[inline(always)]
    pub fn parse_opt<'r, R: Record + ?Sized, T>(
        &mut self,
        row: &'r R,
        col: impl ColKey,
        f: impl Fn(Cell<'r>) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.optional_cell(row, col)?;
        self.judge(col, v, f)
    }

    /// Parse a required cell; a bad value is an error and gives `None`.
    #[inline(always)]
    pub fn parse_req<'r, R: Record + ?Sized, T>(
        &mut self,
        row: &'r R,
        col: impl ColKey,
        f: impl Fn(Cell<'r>) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.required_cell(row, col)?;
        self.judge(col, v, f)
    }

    #[inline(always)]
    fn judge<'r, T>(&mut self, col: impl ColKey, v: Cell<'r>, f: impl Fn(Cell<'r>) -> Result<T, String>) -> Option<T> {
        match f(v) {
            Ok(x) => Some(x),
            Err(msg) => {
                self.bad_value(col, v, msg);
                None
            }
        }
    }

    /// The error for a value its parser refused (out of line: the rare case).
    #[cold]
    #[inline(never)]
    fn bad_value(&mut self, col: impl ColKey, v: Cell<'_>, msg: String) {
        self.error(col, &v.text(), msg);
    }

    #[inline(always)]
    pub fn flag<R: Record + ?Sized>(&mut self, row: &R, col: impl ColKey) -> bool {
        self.parse_opt(row, col, Cell::boolean).unwrap_or(false)
    }

    /// Fields beyond the header: blank ones (a trailing separator) are fine, others an error.
    pub fn extra_fields<R: Record + ?Sized>(&mut self, row: &R) {
        let n = self.cols.header.len();
        let width = row.width();
        if width > n && (n..width).any(|i| row.field(i).is_some_and(|c| !c.text().is_empty())) {
            let v = (n..width).filter_map(|i| row.field(i)).map(Cell::text).collect::<Vec<_>>().join(",");
            self.problems.push(Problem::new(
                Severity::Error,
                self.file,
                Some(self.line),
                None,
                &v,
                format!("row has {} fields but the header has {}", width, n),
            ));
            self.ok = false;
        }
    }
}

fn parse_assessment_type(s: &str) -> Result<AssessmentType, String> {
    let t = trim_cell(s);
    if t.eq_ignore_ascii_case("IHA") {
        Ok(AssessmentType::Iha)
    } else if t.eq_ignore_ascii_case("RHA") {
        Ok(AssessmentType::Rha)
    } else {
        Err("unknown assessment_type (expected IHA or RHA)".to_string())
    }
}

pub(crate) fn parse_modality(s: &str) -> Result<Modality, String> {
    let t = trim_cell(s);
    // Case-insensitive, with ' ' or '-' for '_' ("Face to face", "face-to-face").
    let same = |word: &str| {
        t.len() == word.len()
            && t.bytes().zip(word.bytes()).all(|(a, b)| a.eq_ignore_ascii_case(&b) || (b == b'_' && (a == b' ' || a == b'-')))
    };
    if same("face_to_face") {
        Ok(Modality::FaceToFace)
    } else if same("virtual") {
        Ok(Modality::Virtual)
    } else if same("questionnaire") {
        Ok(Modality::Questionnaire)
    } else {
        Err("unknown modality (expected face_to_face, virtual or questionnaire)".to_string())
    }
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    let t = trim_cell(s);
    if t.eq_ignore_ascii_case("completed") {
        Ok(Outcome::Completed)
    } else if t.eq_ignore_ascii_case("declined") {
        Ok(Outcome::Declined)
    } else {
        Err("unknown outcome (expected completed or declined)".to_string())
    }
}

/// The children table's columns, resolved once per table.
struct ChildCols {
    child_id: Col,
    date_of_birth: Col,
    care_start: Col,
    care_end: Col,
    legal_status: Col,
    uasc: Col,
    missing: Col,
    locality: Col,
    sdq_score: Col,
    sdq_date: Col,
    signals: [Col; 9],
    placement_moves_12m: Col,
    missing_episodes_12m: Col,
}

impl ChildCols {
    fn new(c: &Columns) -> ChildCols {
        ChildCols {
            child_id: c.col("child_id"),
            date_of_birth: c.col("date_of_birth"),
            care_start: c.col("care_start"),
            care_end: c.col("care_end"),
            legal_status: c.col("legal_status"),
            uasc: c.col("uasc"),
            missing: c.col("missing"),
            locality: c.col("locality"),
            sdq_score: c.col("sdq_score"),
            sdq_date: c.col("sdq_date"),
            signals: CHILD_SIGNAL_COLUMNS.map(|n| c.col(n)),
            placement_moves_12m: c.col("placement_moves_12m"),
            missing_episodes_12m: c.col("missing_episodes_12m"),
        }
    }
}

/// A care_start more than this many years after today is rejected: a typing error (2100 for
/// 2010) would otherwise take the child out of every worklist without a word.
pub const LATEST_CARE_START_YEARS: u32 = 1;

/// Care ends by this age, so no child starts care at it or later (a date of birth this far
/// before care_start is a typing error).
pub const CARE_STARTS_BEFORE_AGE: u32 = 18;

/// One children row; `None` if it has any error.
/// `latest_care_start`: today plus [`LATEST_CARE_START_YEARS`], worked out once per table.
fn child_row<R: Record + ?Sized>(
    row: &R,
    k: &ChildCols,
    chk: &mut RowCheck,
    today: NaiveDate,
    latest_care_start: Option<NaiveDate>,
) -> Option<Child> {
    chk.extra_fields(row);
    let id = chk.required(row, k.child_id).map(|s| ShortText::from(&*s));
    if let Some(id) = &id {
        chk.formula_like(k.child_id, id);
    }
    let dob = chk.parse_req(row, k.date_of_birth, Cell::date);
    let care_start = chk.parse_req(row, k.care_start, Cell::date);
    let care_end = chk.parse_opt(row, k.care_end, Cell::date);
    let legal_status = chk.optional(row, k.legal_status).map(|s| {
        let mut code = ShortText::from(&*s);
        code.make_ascii_uppercase();
        code
    });
    if let Some(ls) = &legal_status {
        if !LEGAL_STATUS_CODES.contains(&ls.as_str()) {
            let raw = chk.optional(row, k.legal_status).unwrap_or_default().to_string();
            chk.warn(k.legal_status, &raw, "not a 903 legal status code (C1, C2, D1, E1, J1-J3, L1-L3, V2-V4)");
        }
    }
    let uasc = chk.flag(row, k.uasc);
    let missing = chk.flag(row, k.missing);
    let locality = chk.optional(row, k.locality).map(|s| ShortText::from(&*s));
    if let Some(l) = &locality {
        chk.formula_like(k.locality, l);
    }
    let sdq_score = chk.parse_opt(row, k.sdq_score, Cell::sdq);
    let sdq_date = chk.parse_opt(row, k.sdq_date, Cell::date);
    // The need signals: blank or absent is unknown, never no (docs/input.md).
    let mut signals = Signals::default();
    for (s, col) in NeedSignal::ALL.into_iter().zip(k.signals) {
        signals.set(s, chk.parse_opt(row, col, Cell::boolean));
    }
    signals.out_of_area = chk.flag(row, k.signals[8]);
    let placement_moves_12m = chk.parse_opt(row, k.placement_moves_12m, Cell::count);
    let missing_episodes_12m = chk.parse_opt(row, k.missing_episodes_12m, Cell::count);
    if let Some(dob) = dob {
        if dob > today {
            let v = chk.optional(row, k.date_of_birth).unwrap_or_default().to_string();
            chk.error(k.date_of_birth, &v, format!("date of birth is after today ({today})"));
        }
    }
    if let Some(cs) = care_start {
        if latest_care_start.is_some_and(|l| cs > l) {
            let v = chk.optional(row, k.care_start).unwrap_or_default().to_string();
            chk.error(
                k.care_start,
                &v,
                format!("care_start is more than {LATEST_CARE_START_YEARS} year after today ({today}): a typing error?"),
            );
        }
    }
    if let (Some(dob), Some(cs)) = (dob, care_start) {
        if crate::calendar::sub_months(cs, 12 * CARE_STARTS_BEFORE_AGE).is_some_and(|l| dob <= l) {
            let v = chk.optional(row, k.date_of_birth).unwrap_or_default().to_string();
            chk.error(
                k.date_of_birth,
                &v,
                format!("date of birth is {CARE_STARTS_BEFORE_AGE} or more years before care_start ({cs}): no child starts care at {CARE_STARTS_BEFORE_AGE}"),
            );
        }
        if dob > cs {
            let v = chk.optional(row, k.date_of_birth).unwrap_or_default().to_string();
            chk.error(k.date_of_birth, &v, format!("date of birth is after care_start ({cs})"));
        }
    }
    if let (Some(cs), Some(ce)) = (care_start, care_end) {
        if ce < cs {
            let v = chk.optional(row, k.care_end).unwrap_or_default().to_string();
            chk.error(k.care_end, &v, format!("care_end is before care_start ({cs})"));
        }
    }
    if !chk.ok {
        return None;
    }
    Some(Child {
        id: id?,
        date_of_birth: dob?,
        care_start: care_start?,
        care_end,
        legal_status,
        uasc,
        missing,
        locality,
        sdq_score,
        sdq_date,
        signals,
        placement_moves_12m,
        missing_episodes_12m,
        assessments: Vec::new(),
    })
}

/// What became of a child_id of the children table: the accepted child's index, or the line of
/// the (first) rejected row.
pub(crate) enum ChildSlot {
    Accepted(usize),
    Rejected(u64),
}

/// The accepted children sorted by child_id, and the ids of rejected rows, for matching
/// assessment rows to children without a map of strings.
pub(crate) struct ChildIndex {
    pub children: Vec<Child>,
    /// (child_id, first line) of ids whose rows were all rejected, sorted by id.
    rejected: Vec<(String, u64)>,
}

impl ChildIndex {
    /// `children` must have unique ids; `rejected` ids must not be among them.
    pub fn new(mut children: Vec<Child>, mut rejected: Vec<(String, u64)>) -> ChildIndex {
        if !children.windows(2).all(|w| w[0].id <= w[1].id) {
            children.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        }
        rejected.sort_unstable();
        rejected.dedup_by(|b, a| a.0 == b.0);
        ChildIndex { children, rejected }
    }
}

/// Looks child_ids up in a [`ChildIndex`], remembering the last match, so that an assessments
/// table in child order (the usual export) costs one comparison a row.
pub(crate) struct Finder<'a> {
    index: &'a ChildIndex,
    last: usize,
}

impl<'a> Finder<'a> {
    pub fn new(index: &'a ChildIndex) -> Finder<'a> {
        Finder { index, last: 0 }
    }

    pub fn find(&mut self, id: &str) -> Option<ChildSlot> {
        let children = &self.index.children;
        let at = |i: usize| children.get(i).is_some_and(|c| c.id == id);
        if at(self.last) {
            return Some(ChildSlot::Accepted(self.last));
        }
        if at(self.last + 1) {
            self.last += 1;
            return Some(ChildSlot::Accepted(self.last));
        }
        if let Ok(i) = children.binary_search_by(|c| c.id.as_str().cmp(id)) {
            self.last = i;
            return Some(ChildSlot::Accepted(i));
        }
        let rejected = &self.index.rejected;
        rejected.binary_search_by(|(r, _)| r.as_str().cmp(id)).ok().map(|i| ChildSlot::Rejected(rejected[i].1))
    }
}

/// Read the children table into an index. Every row of a duplicated child_id is rejected
/// (there is no safe pick), each with an error naming the other lines.
fn read_children(ct: &mut impl RowStream, opts: &ReadOptions, problems: &mut Vec<Problem>) -> (ChildIndex, RowCounts, bool) {
    let file = ct.file().to_string();
    let ccols = Columns::of_header(&file, ct.header(), CHILD_COLUMNS, CHILD_REQUIRED, problems);
    let mut counts = RowCounts::default();
    let k = ChildCols::new(&ccols);
    let latest_care_start = crate::calendar::add_months(opts.today, 12 * LATEST_CARE_START_YEARS);
    // Each stretch of rows: accepted children and the line of each (kept apart, so the
    // children move only once), rejected ids, problems, rows read.
    let parts = in_stretches(ct, |ct| {
        let n = ct.rows_left_hint();
        let (mut kids, mut lines, mut rejected, mut problems) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::new(), Vec::new());
        let mut read = 0u64;
        while let Some(line) = ct.advance(&mut problems) {
            read += 1;
            if ccols.unusable {
                continue;
            }
            let row = ct.row();
            let mut chk = RowCheck { file: &file, line, cols: &ccols, problems: &mut problems, ok: true };
            match child_row(row, &k, &mut chk, opts.today, latest_care_start) {
                Some(c) => {
                    kids.push(c);
                    lines.push(line);
                }
                None => {
                    if let Some(id) = ccols.cell(row, k.child_id).filter(|v| !v.is_blank()) {
                        rejected.push((id.text().into_owned(), line));
                    }
                }
            }
        }
        (kids, lines, rejected, problems, read)
    });
    let (mut kids, mut lines, mut rejected): (Vec<Child>, Vec<u64>, Vec<(String, u64)>) = (Vec::new(), Vec::new(), Vec::new());
    for (k, l, r, p, read) in parts {
        if kids.is_empty() {
            (kids, lines) = (k, l);
        } else {
            kids.extend(k);
            lines.extend(l);
        }
        rejected.extend(r);
        problems.extend(p);
        counts.read += read;
    }
    if ccols.unusable && counts.read > 0 {
        problems.push(not_read(&file, counts.read, "the header is not usable"));
    }
    // Duplicates: equal ids are adjacent once sorted; a rejected row's id counts too.
    if !kids.windows(2).all(|w| w[0].id <= w[1].id) {
        let mut order: Vec<usize> = (0..kids.len()).collect();
        order.sort_by(|&a, &b| kids[a].id.cmp(&kids[b].id));
        let mut slots: Vec<Option<Child>> = kids.into_iter().map(Some).collect();
        kids = order.iter().filter_map(|&i| slots[i].take()).collect();
        lines = order.iter().map(|&i| lines[i]).collect();
    }
    rejected.sort_unstable();
    let accepted_lines = |id: &str, kids: &[Child]| -> Vec<u64> {
        let lo = kids.partition_point(|c| c.id.as_str() < id);
        kids[lo..].iter().zip(&lines[lo..]).take_while(|(c, _)| c.id == id).map(|(_, l)| *l).collect()
    };
    let mut dup_ids: Vec<String> = kids.windows(2).filter(|w| w[0].id == w[1].id).map(|w| w[0].id.to_string()).collect();
    dup_ids.extend(
        rejected
            .iter()
            .enumerate()
            .filter(|(i, (id, _))| rejected.get(i + 1).is_some_and(|(n, _)| n == id) || !accepted_lines(id, &kids).is_empty())
            .map(|(_, (id, _))| id.clone()),
    );
    dup_ids.sort_unstable();
    dup_ids.dedup();
    // Every duplicated id is rejected, at its first line; added after the loop, which looks
    // ids up in `rejected` by binary search and so needs it sorted throughout.
    let mut now_rejected = Vec::with_capacity(dup_ids.len());
    for id in &dup_ids {
        let mut lines = accepted_lines(id, &kids);
        let lo = rejected.partition_point(|(r, _)| r < id);
        lines.extend(rejected[lo..].iter().take_while(|(r, _)| r == id).map(|(_, l)| *l));
        lines.sort_unstable();
        for &line in &lines {
            let others: Vec<String> = lines.iter().filter(|l| **l != line).map(u64::to_string).collect();
            problems.push(Problem::new(
                Severity::Error,
                &file,
                Some(line),
                Some(ccols.name("child_id")),
                id,
                format!("duplicate child_id (also on line {})", others.join(", ")),
            ));
        }
        if let Some(&first) = lines.first() {
            now_rejected.push((id.clone(), first));
        }
    }
    rejected.extend(now_rejected);
    look_alike_warnings(&kids, &lines, &file, ccols.name("child_id"), problems);
    let mut children = kids;
    if !dup_ids.is_empty() {
        children.retain(|c| dup_ids.binary_search_by(|d| d.as_str().cmp(&c.id)).is_err());
    }
    counts.accepted = children.len() as u64;
    counts.rejected = counts.read - counts.accepted;
    (ChildIndex::new(children, rejected), counts, !ccols.unusable)
}

/// A warning on the later line of each pair of accepted child_ids that differ only in letter
/// case, Unicode form, invisible characters or leading zeros ([`crate::identity`]). The other
/// id is named by its line, not quoted, so that `--hide-values` hides both.
fn look_alike_warnings(kids: &[Child], lines: &[u64], file: &str, column: &str, problems: &mut Vec<Problem>) {
    let mut ids: Vec<(&str, u64)> = kids.iter().zip(lines).map(|(c, l)| (c.id.as_str(), *l)).collect();
    ids.dedup_by(|a, b| a.0 == b.0);
    for (later, earlier) in crate::identity::look_alikes(&ids) {
        problems.push(Problem::new(
            Severity::Warning,
            file,
            Some(ids[later].1),
            Some(column),
            ids[later].0,
            format!(
                "this child_id differs from the one on line {} only in letter case, Unicode form, invisible characters or \
                 leading zeros: read as two children; check they are not the same child",
                ids[earlier].1
            ),
        ));
    }
}

fn build(mut ct: impl RowStream, mut at: impl RowStream, opts: &ReadOptions, mut problems: Vec<Problem>) -> Loaded {
    let (mut index, ccounts, usable) = read_children(&mut ct, opts, &mut problems);
    let acounts = read_assessments(&mut at, &mut index, ct.file(), usable, opts, &mut problems);

    // Keep problems in file order, then line order (stable: a row's problems stay in column order).
    let cfile = ct.file().to_string();
    let file_rank = |f: &str| if f == cfile { 0 } else { 1 };
    problems.sort_by_key(|p| (file_rank(&p.file), p.line));
    let report = ValidationReport { problems, tables: vec![(cfile.clone(), ccounts), (at.file().to_string(), acounts)] };
    Loaded { cohort: Cohort::from_children(index.children), report }
}

/// "RHA", "virtual IHA", "questionnaire RHA": what a record is, in words.
fn record_words(kind: AssessmentType, modality: Modality) -> String {
    match modality {
        Modality::FaceToFace => kind.as_str().to_string(),
        m => format!("{} {}", m.as_str().replace('_', " "), kind.as_str()),
    }
}

/// The error, on the header line, for rows of a table that could not be read at all.
fn not_read(file: &str, rows: u64, why: &str) -> Problem {
    Problem::new(Severity::Error, file, Some(1), None, "", format!("{rows} row(s) not read because {why}"))
}

/// Read the assessments table and attach each accepted row to its child. `index` says what
/// became of each child_id in `children_file`; `children_usable` is false when the children
/// could not be read at all (then every assessment row is rejected with one error).
pub(crate) fn read_assessments(
    at: &mut impl RowStream,
    index: &mut ChildIndex,
    children_file: &str,
    children_usable: bool,
    opts: &ReadOptions,
    problems: &mut Vec<Problem>,
) -> RowCounts {
    let file = at.file().to_string();
    let acols = Columns::of_header(&file, at.header(), &ASSESSMENT_COLUMNS, ASSESSMENT_REQUIRED, problems);
    let mut acounts = RowCounts::default();
    let skip = acols.unusable || !children_usable;
    let [c_id, c_type, c_date, c_modality, c_outcome] = ASSESSMENT_COLUMNS.map(|n| acols.col(n));
    let shared: &ChildIndex = index;
    let strict_iha = opts.iha.exemption == crate::policy::IhaExemption::IhaFaceToFace;
    // Each stretch of rows: the accepted assessments with their child's index, problems,
    // counts, and the candidates for each child's IHA after care_start (child, date, line).
    let parts = in_stretches(at, |at| {
        let mut finder = Finder::new(shared);
        let (mut accepted, mut problems, mut counts) = (Vec::with_capacity(at.rows_left_hint()), Vec::new(), RowCounts::default());
        let mut iha_candidates: Vec<(usize, NaiveDate, u64, AssessmentType, Modality)> = Vec::new();
        while let Some(line) = at.advance(&mut problems) {
            counts.read += 1;
            if skip {
                counts.rejected += 1;
                continue;
            }
            let row = at.row();
            let mut chk = RowCheck { file: &file, line, cols: &acols, problems: &mut problems, ok: true };
            chk.extra_fields(row);
            let id = chk.required(row, c_id);
            let id = id.as_deref();
            let kind = chk.parse_req(row, c_type, |c| c.parse(parse_assessment_type));
            let date = chk.parse_req(row, c_date, Cell::date);
            let modality = chk.parse_opt(row, c_modality, |c| c.parse(parse_modality)).unwrap_or(Modality::FaceToFace);
            let outcome = chk.parse_opt(row, c_outcome, |c| c.parse(parse_outcome)).unwrap_or(Outcome::Completed);
            let mut target = None;
            if let Some(id) = id {
                match finder.find(id) {
                    None => chk.error(c_id, id, format!("no child with this child_id in {}", children_file)),
                    Some(ChildSlot::Rejected(cl)) => {
                        chk.error(c_id, id, format!("the child's row in {} (line {cl}) was rejected", children_file))
                    }
                    Some(ChildSlot::Accepted(i)) => target = Some(i),
                }
            }
            if let (Some(i), Some(d)) = (target, date) {
                let dob = shared.children[i].date_of_birth;
                if d < dob {
                    let raw = chk.optional(row, c_date).unwrap_or_default().to_string();
                    chk.error(c_date, &raw, format!("assessment dated before the child's date of birth ({dob})"));
                } else if d > opts.today {
                    let raw = chk.optional(row, c_date).unwrap_or_default().to_string();
                    chk.warn(c_date, &raw, format!("assessment dated after today ({}): probably a typing error", opts.today));
                }
            }
            match (chk.ok, target, kind, date) {
                (true, Some(i), Some(kind), Some(completed_on)) => {
                    if strict_iha && outcome == Outcome::Completed {
                        let care_start = shared.children[i].care_start;
                        let window = crate::calendar::sub_months(care_start, opts.iha.exemption_months).unwrap_or(care_start);
                        if (window..care_start).contains(&completed_on)
                            && !(kind == AssessmentType::Iha && modality == Modality::FaceToFace)
                        {
                            let raw = chk.optional(row, c_type).unwrap_or_default().to_string();
                            chk.warn(
                                c_type,
                                &raw,
                                format!(
                                    "a {} in the {} months before care_start ({care_start}) does not exempt the child from the IHA: \
                                     only an IHA done face to face does (regulation 7(2); policy schedule.iha_exemption)",
                                    record_words(kind, modality),
                                    opts.iha.exemption_months
                                ),
                            );
                        } else if completed_on >= care_start && modality != Modality::Questionnaire {
                            iha_candidates.push((i, completed_on, line, kind, modality));
                        }
                    }
                    accepted.push((i, Assessment { completed_on, kind, modality, outcome }));
                    counts.accepted += 1;
                }
                _ => counts.rejected += 1,
            }
        }
        (accepted, problems, counts, iha_candidates)
    });
    // The record that answers each child's IHA after care_start is the earliest that is not a
    // questionnaire: a warning when it is recorded as an RHA or as virtual.
    let mut first: Vec<(usize, NaiveDate, u64, AssessmentType, Modality)> = parts.iter().flat_map(|p| p.3.iter().copied()).collect();
    first.sort_unstable_by_key(|c| (c.0, c.1, c.2));
    first.dedup_by_key(|c| c.0);
    for (i, _, line, kind, modality) in first {
        if kind == AssessmentType::Rha || modality == Modality::Virtual {
            problems.push(Problem::new(
                Severity::Warning,
                &file,
                Some(line),
                Some(acols.name(c_type)),
                kind.as_str(),
                format!(
                    "the first record after care_start ({}) is a {}, so it is taken as the IHA: check the record (an IHA is \
                     done face to face by a doctor)",
                    shared.children[i].care_start,
                    record_words(kind, modality)
                ),
            ));
        }
    }
    // Each child's assessments in one allocation: counted first, then copied in; on every
    // core, each taking the children of its own stretch (and reading past the others').
    let accepted: Vec<&[(usize, Assessment)]> = parts.iter().map(|(a, _, _, _)| a.as_slice()).collect();
    crate::par::for_each_stretch_mut(&mut index.children, crate::par::CHILDREN_A_STRETCH, |lo, kids| {
        let len = kids.len();
        let mine = |i: usize| i.checked_sub(lo).filter(|j| *j < len);
        let mut n = vec![0u32; kids.len()];
        for j in accepted.iter().flat_map(|a| a.iter()).filter_map(|(i, _)| mine(*i)) {
            n[j] += 1;
        }
        for (child, n) in kids.iter_mut().zip(n) {
            child.assessments.reserve_exact(n as usize);
        }
        for (i, a) in accepted.iter().flat_map(|a| a.iter()) {
            if let Some(j) = mine(*i) {
                kids[j].assessments.push(a.clone());
            }
        }
    });
    for (_, p, counts, _) in parts {
        problems.extend(p);
        acounts.read += counts.read;
        acounts.accepted += counts.accepted;
        acounts.rejected += counts.rejected;
    }
    if skip && acounts.read > 0 {
        let why =
            if acols.unusable { "the header is not usable" } else { "the children table could not be read, so no child can be matched" };
        problems.push(not_read(&file, acounts.read, why));
    }
    acounts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn typed() -> impl Strategy<Value = Cell<'static>> {
        prop_oneof![
            any::<i64>().prop_map(Cell::Int),
            (-50i64..50).prop_map(Cell::Int),
            any::<f64>().prop_filter("not whole", |v| v.fract() != 0.0).prop_map(Cell::Float),
            any::<bool>().prop_map(Cell::Bool),
            (-2_000_000i32..2_000_000).prop_map(|d| Cell::Date(NaiveDate::from_num_days_from_ce_opt(d + 700_000).unwrap_or_default())),
        ]
    }

    proptest! {
        // The same cases every run (tests/common's seed); the fuzz tests explore.
        #![proptest_config(ProptestConfig {
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x1ac_ba61),
            ..ProptestConfig::default()
        })]

        /// A typed cell (from a DataFrame column) is judged exactly as the text a CSV file
        /// would hold for it: the same value, or the same message.
        #[test]
        fn typed_cells_are_judged_as_their_text(c in typed()) {
            let t = c.text();
            prop_assert_eq!(c.date(), parse_date(&t));
            prop_assert_eq!(c.boolean(), parse_bool(&t));
            prop_assert_eq!(c.count(), parse_count(&t));
            prop_assert_eq!(c.sdq(), parse_sdq(&t));
            prop_assert!(!c.is_blank());
        }
    }

    #[test]
    fn typed_cells_hand_cases() {
        let d = |y, m, dd| Cell::Date(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        assert_eq!(d(2021, 10, 21).date(), Ok(NaiveDate::from_ymd_opt(2021, 10, 21).unwrap()));
        assert!(d(1900, 1, 1).date().unwrap_err().contains("Excel's 1900 date system"));
        assert_eq!(d(2021, 10, 21).text(), "2021-10-21");
        assert_eq!(Cell::Int(1).boolean(), Ok(true));
        assert!(Cell::Int(2).boolean().is_err());
        assert!(Cell::Int(-1).count().unwrap_err().contains("negative"));
        assert!(Cell::Float(1.5).count().unwrap_err().contains("whole number"));
        assert!(Cell::Int(44490).date().unwrap_err().contains("serial number"));
        assert!(Cell::Int(41).sdq().unwrap_err().contains("0-40"));
        assert!(Cell::Text("").is_blank() && !Cell::Text("x").is_blank());
        assert_eq!(trim_cell("\u{a0} x \u{a0}"), "x");
        for t in ["", " ", "\u{b}", " \u{b} ", "\u{a0}", "\u{3000}x\t", "a b", "\r\nx\u{85}"] {
            assert_eq!(trim_cell(t), t.trim(), "{t:?}");
        }
    }
}
