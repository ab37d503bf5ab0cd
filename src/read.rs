//! Reading and validating the two input tables (INTERFACE.md section 2) from CSV.
//!
//! Every problem names file, line (header = line 1), column and value. Every data row read is
//! either accepted or rejected, and every rejected row has an error naming its line, so the
//! report reconciles rows read = rows accepted + rows rejected.

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

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::fields::{is_blank, parse_bool, parse_count, parse_date, parse_sdq};
use crate::model::{Assessment, AssessmentType, Child, Cohort, Modality, Outcome, Signals};
use crate::report::{Problem, RowCounts, Severity, ValidationReport};

/// Options for reading.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The day the program runs: an assessment dated after it is reported as a warning.
    pub today: NaiveDate,
}

/// What reading found: the accepted rows as a cohort, and the full report. Turn it into a
/// cohort with [`Loaded::into_cohort`], which fails if there was any error.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub cohort: Cohort,
    pub report: ValidationReport,
}

impl Loaded {
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
pub const LEGAL_STATUS_CODES: &[&str] =
    &["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"];

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
];
const CHILD_REQUIRED: &[&str] = &["child_id", "date_of_birth", "care_start"];

const ASSESSMENT_COLUMNS: &[&str] = &["child_id", "assessment_type", "completed_on", "modality", "outcome"];
const ASSESSMENT_REQUIRED: &[&str] = &["child_id", "assessment_type", "completed_on"];

/// Read both tables from files. Only a file that cannot be opened is an `Err`; problems with the
/// data are in the returned report.
pub fn load_csv(children: &Path, assessments: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| Error::Io { path: p.display().to_string(), source })
    };
    let cb = read(children)?;
    let ab = read(assessments)?;
    Ok(load_csv_bytes(
        &children.display().to_string(),
        &cb,
        &assessments.display().to_string(),
        &ab,
        opts,
    ))
}

/// Read both tables from bytes already in memory; `*_name` is what problems call the files.
pub fn load_csv_bytes(
    children_name: &str,
    children: &[u8],
    assessments_name: &str,
    assessments: &[u8],
    opts: &ReadOptions,
) -> Loaded {
    let mut problems = Vec::new();
    let ct = RawTable::parse(children_name, children, &mut problems);
    let at = RawTable::parse(assessments_name, assessments, &mut problems);
    build(ct, at, opts, problems)
}

/// Read both tables from raw tables already split into cells (DataFrames through Arrow).
#[cfg(feature = "python")]
pub(crate) fn load_raw(children: RawTable, assessments: RawTable, opts: &ReadOptions) -> Loaded {
    build(children, assessments, opts, Vec::new())
}

/// One row of cells, as bytes (the whole input is known to be UTF-8; [`cell`] checks each
/// field it hands out and trims it).
pub(crate) type Row = csv::ByteRecord;

/// Field `i` of a row as trimmed text (`None` past the end of the row).
pub(crate) fn cell(row: &Row, i: usize) -> Option<&str> {
    row.get(i).map(|b| std::str::from_utf8(b).unwrap_or("").trim())
}

/// A row from text cells (XML and Arrow sources).
pub(crate) fn row_of<S: AsRef<str>>(cells: &[S]) -> Row {
    let mut r = Row::with_capacity(64, cells.len());
    for c in cells {
        r.push_field(c.as_ref().trim().as_bytes());
    }
    r
}

/// A CSV table split into a header and rows of trimmed text cells, with line numbers.
pub(crate) struct RawTable {
    pub file: String,
    pub header: Vec<String>,
    /// Rows with the line each starts on; each row keeps its cells in one buffer.
    pub rows: Vec<(u64, Row)>,
}

impl RawTable {
    /// Decode (UTF-8 with or without BOM; otherwise Windows-1252, with a warning) and split.
    pub fn parse(file: &str, bytes: &[u8], problems: &mut Vec<Problem>) -> RawTable {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(e) => {
                problems.push(Problem::new(
                    Severity::Warning,
                    file,
                    None,
                    None,
                    "",
                    format!(
                        "not UTF-8 (first bad byte at offset {}); read as Windows-1252",
                        e.valid_up_to()
                    ),
                ));
                std::borrow::Cow::Owned(decode_windows_1252(bytes))
            }
        };
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut blank_lines = Vec::new();
        let mut record = Row::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    if header.is_none() {
                        header = Some((0..record.len()).filter_map(|i| cell(&record, i)).map(str::to_string).collect());
                    } else if (0..record.len()).all(|i| cell(&record, i).is_some_and(str::is_empty)) {
                        blank_lines.push(line);
                    } else {
                        rows.push((line, std::mem::take(&mut record)));
                    }
                }
                Err(e) => {
                    // Input is valid UTF-8 and the reader is flexible, so this is unexpected:
                    // report it where it happened and stop reading this file.
                    let line = e.position().map(|p| p.line());
                    problems.push(Problem::new(Severity::Error, file, line, None, "", format!("cannot read CSV: {e}")));
                    break;
                }
            }
        }
        if !blank_lines.is_empty() {
            let shown: Vec<String> = blank_lines.iter().take(10).map(u64::to_string).collect();
            problems.push(Problem::new(
                Severity::Warning,
                file,
                blank_lines.first().copied(),
                None,
                "",
                format!(
                    "{} blank row(s) ignored and not counted as rows (lines {}{})",
                    blank_lines.len(),
                    shown.join(", "),
                    if blank_lines.len() > 10 { ", ..." } else { "" }
                ),
            ));
        }
        let header = match header {
            Some(h) => h,
            None => {
                problems.push(Problem::new(Severity::Error, file, None, None, "", "file is empty: no header row"));
                Vec::new()
            }
        };
        RawTable { file: file.to_string(), header, rows }
    }
}

/// Windows-1252 to text (bytes 0x80-0x9F map to the typographic characters Excel writes).
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
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
        let file = &table.file;
        let mut index = FastMap::default();
        let mut unusable = table.header.is_empty();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, name) in table.header.iter().enumerate() {
            let key = name.trim().to_ascii_lowercase();
            if let Some(&first) = seen.get(&key) {
                let known_col = known.contains(&key.as_str());
                problems.push(Problem::new(
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
                None => problems.push(Problem::new(
                    Severity::Warning,
                    file,
                    Some(1),
                    Some(name),
                    name,
                    if key.is_empty() { "column with no name, ignored".to_string() } else { "unknown column, ignored".to_string() },
                )),
            }
        }
        if !table.header.is_empty() {
            for req in required {
                if !index.contains_key(req) {
                    problems.push(Problem::new(Severity::Error, file, Some(1), Some(req), "", "required column is missing"));
                    unusable = true;
                }
            }
        }
        Columns { index, header: table.header.clone(), unusable }
    }

    /// True when the table has this known column.
    pub fn has(&self, col: &str) -> bool {
        self.index.contains_key(col)
    }

    /// The cell of a known column, or `None` when the column is absent or the row is short.
    pub fn get<'r>(&self, row: &'r Row, col: &str) -> Option<&'r str> {
        self.index.get(col).and_then(|&i| cell(row, i))
    }

    /// The column's name as written in the header (falls back to the canonical name).
    pub fn name<'a>(&'a self, col: &'a str) -> &'a str {
        self.index.get(col).and_then(|&i| self.header.get(i)).map_or(col, String::as_str)
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
    pub fn error(&mut self, col: &str, value: &str, msg: impl Into<String>) {
        let name = self.cols.name(col).to_string();
        self.problems.push(Problem::new(Severity::Error, self.file, Some(self.line), Some(&name), value, msg));
        self.ok = false;
    }

    pub fn warn(&mut self, col: &str, value: &str, msg: impl Into<String>) {
        let name = self.cols.name(col).to_string();
        self.problems.push(Problem::new(Severity::Warning, self.file, Some(self.line), Some(&name), value, msg));
    }

    /// A required cell: present and not blank.
    pub fn required<'r>(&mut self, row: &'r Row, col: &str) -> Option<&'r str> {
        match self.cols.get(row, col) {
            Some(v) if !is_blank(v) => Some(v),
            Some(v) => {
                self.error(col, v, "required value is blank");
                None
            }
            None => {
                self.error(col, "", "required value is missing (row has too few fields)");
                None
            }
        }
    }

    /// An optional cell: `None` when the column is absent or the cell is blank.
    pub fn optional<'r>(&self, row: &'r Row, col: &str) -> Option<&'r str> {
        self.cols.get(row, col).filter(|v| !is_blank(v))
    }

    /// Parse an optional cell; a bad value is an error and gives `None`.
    pub fn parse_opt<T>(&mut self, row: &Row, col: &str, f: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let v = self.optional(row, col)?;
        match f(v) {
            Ok(x) => Some(x),
            Err(msg) => {
                self.error(col, v, msg);
                None
            }
        }
    }

    pub fn parse_req<T>(&mut self, row: &Row, col: &str, f: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let v = self.required(row, col)?;
        match f(v) {
            Ok(x) => Some(x),
            Err(msg) => {
                self.error(col, v, msg);
                None
            }
        }
    }

    pub fn flag(&mut self, row: &Row, col: &str) -> bool {
        self.parse_opt(row, col, parse_bool).unwrap_or(false)
    }

    /// Fields beyond the header: blank ones (a trailing separator) are fine, others an error.
    pub fn extra_fields(&mut self, row: &Row) {
        let n = self.cols.header.len();
        if row.len() > n && (n..row.len()).any(|i| cell(row, i).is_some_and(|c| !c.is_empty())) {
            let v = (n..row.len()).filter_map(|i| cell(row, i)).collect::<Vec<_>>().join(",");
            self.problems.push(Problem::new(
                Severity::Error,
                self.file,
                Some(self.line),
                None,
                &v,
                format!("row has {} fields but the header has {}", row.len(), n),
            ));
            self.ok = false;
        }
    }
}

fn parse_assessment_type(s: &str) -> Result<AssessmentType, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("IHA") {
        Ok(AssessmentType::Iha)
    } else if t.eq_ignore_ascii_case("RHA") {
        Ok(AssessmentType::Rha)
    } else {
        Err("unknown assessment_type (expected IHA or RHA)".to_string())
    }
}

pub(crate) fn parse_modality(s: &str) -> Result<Modality, String> {
    let t = s.trim();
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
    let t = s.trim();
    if t.eq_ignore_ascii_case("completed") {
        Ok(Outcome::Completed)
    } else if t.eq_ignore_ascii_case("declined") {
        Ok(Outcome::Declined)
    } else {
        Err("unknown outcome (expected completed or declined)".to_string())
    }
}

/// One children row; `None` if it has any error.
fn child_row(row: &Row, chk: &mut RowCheck) -> Option<Child> {
    chk.extra_fields(row);
    let id = chk.required(row, "child_id").map(str::to_string);
    let dob = chk.parse_req(row, "date_of_birth", parse_date);
    let care_start = chk.parse_req(row, "care_start", parse_date);
    let care_end = chk.parse_opt(row, "care_end", parse_date);
    let legal_status = chk.optional(row, "legal_status").map(|s| s.to_ascii_uppercase());
    if let Some(ls) = &legal_status {
        if !LEGAL_STATUS_CODES.contains(&ls.as_str()) {
            let raw = chk.optional(row, "legal_status").unwrap_or_default().to_string();
            chk.warn("legal_status", &raw, "not a 903 legal status code (C1, C2, D1, E1, J1-J3, L1-L3, V2-V4)");
        }
    }
    let uasc = chk.flag(row, "uasc");
    let missing = chk.flag(row, "missing");
    let locality = chk.optional(row, "locality").map(str::to_string);
    let sdq_score = chk.parse_opt(row, "sdq_score", parse_sdq);
    let mut flags = [false; 9];
    for (f, col) in flags.iter_mut().zip(CHILD_SIGNAL_COLUMNS) {
        *f = chk.flag(row, col);
    }
    let placement_moves_12m = chk.parse_opt(row, "placement_moves_12m", parse_count);
    let missing_episodes_12m = chk.parse_opt(row, "missing_episodes_12m", parse_count);
    if let (Some(dob), Some(cs)) = (dob, care_start) {
        if dob > cs {
            let v = chk.optional(row, "date_of_birth").unwrap_or_default().to_string();
            chk.error("date_of_birth", &v, format!("date of birth is after care_start ({cs})"));
        }
    }
    if let (Some(cs), Some(ce)) = (care_start, care_end) {
        if ce < cs {
            let v = chk.optional(row, "care_end").unwrap_or_default().to_string();
            chk.error("care_end", &v, format!("care_end is before care_start ({cs})"));
        }
    }
    if !chk.ok {
        return None;
    }
    let [complex_health_needs, disability, mental_health_concern, self_harm, substance_misuse, pregnant_or_parent, exploitation_risk, youth_justice, out_of_area] = flags;
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
        signals: Signals {
            complex_health_needs,
            disability,
            mental_health_concern,
            self_harm,
            substance_misuse,
            pregnant_or_parent,
            exploitation_risk,
            youth_justice,
            out_of_area,
        },
        placement_moves_12m,
        missing_episodes_12m,
        assessments: Vec::new(),
    })
}

/// What became of each children row, by child_id: the accepted child's index, or the line of
/// the rejected row.
pub(crate) enum ChildSlot {
    Accepted(usize),
    Rejected(u64),
}

fn build(ct: RawTable, at: RawTable, opts: &ReadOptions, mut problems: Vec<Problem>) -> Loaded {
    // Children.
    let ccols = Columns::new(&ct, CHILD_COLUMNS, CHILD_REQUIRED, &mut problems);
    let mut ccounts = RowCounts { read: ct.rows.len() as u64, ..RowCounts::default() };
    let mut parsed: Vec<(u64, Option<Child>)> = Vec::with_capacity(ct.rows.len());
    if ccols.unusable {
        if !ct.rows.is_empty() {
            problems.push(Problem::new(
                Severity::Error,
                &ct.file,
                Some(1),
                None,
                "",
                format!("{} row(s) not read because the header is not usable", ct.rows.len()),
            ));
        }
    } else {
        for (line, row) in &ct.rows {
            let mut chk = RowCheck { file: &ct.file, line: *line, cols: &ccols, problems: &mut problems, ok: true };
            let child = child_row(row, &mut chk);
            parsed.push((*line, child));
        }
    }
    // Duplicate child_ids: every row of a duplicated id is rejected (there is no safe pick).
    let mut lines_by_id: FastMap<&str, Vec<u64>> = FastMap::default();
    if !ccols.unusable {
        for (line, row) in &ct.rows {
            if let Some(id) = ccols.get(row, "child_id").filter(|v| !is_blank(v)) {
                lines_by_id.entry(id).or_default().push(*line);
            }
        }
    }
    let mut slots: FastMap<String, ChildSlot> = FastMap::default();
    let mut children: Vec<Child> = Vec::new();
    for ((line, child), (_, row)) in parsed.into_iter().zip(&ct.rows) {
        let id = ccols.get(row, "child_id").unwrap_or_default();
        let dup_lines = lines_by_id.get(id).filter(|l| l.len() > 1);
        if let Some(lines) = dup_lines {
            let others: Vec<String> = lines.iter().filter(|l| **l != line).map(u64::to_string).collect();
            problems.push(Problem::new(
                Severity::Error,
                &ct.file,
                Some(line),
                Some(ccols.name("child_id")),
                id,
                format!("duplicate child_id (also on line {})", others.join(", ")),
            ));
        }
        match child {
            Some(c) if dup_lines.is_none() => {
                slots.insert(c.id.clone(), ChildSlot::Accepted(children.len()));
                children.push(c);
                ccounts.accepted += 1;
            }
            _ => {
                if !is_blank(id) {
                    slots.entry(id.to_string()).or_insert(ChildSlot::Rejected(line));
                }
                ccounts.rejected += 1;
            }
        }
    }
    if ccols.unusable {
        ccounts.rejected = ccounts.read;
    }

    // Assessments.
    let acounts = read_assessments(&at, &mut children, &slots, &ct.file, !ccols.unusable, opts, &mut problems);

    // Keep problems in file order, then line order (stable: a row's problems stay in column order).
    let file_rank = |f: &str| if f == ct.file { 0 } else { 1 };
    problems.sort_by_key(|p| (file_rank(&p.file), p.line));
    let report = ValidationReport {
        problems,
        tables: vec![(ct.file.clone(), ccounts), (at.file.clone(), acounts)],
    };
    Loaded { cohort: Cohort::from_children(children), report }
}

/// Read the assessments table and attach each accepted row to its child. `slots` says what
/// became of each child_id in `children_file`; `children_usable` is false when the children
/// could not be read at all (then every assessment row is rejected with one error).
pub(crate) fn read_assessments(
    at: &RawTable,
    children: &mut [Child],
    slots: &FastMap<String, ChildSlot>,
    children_file: &str,
    children_usable: bool,
    opts: &ReadOptions,
    problems: &mut Vec<Problem>,
) -> RowCounts {
    let acols = Columns::new(&at, ASSESSMENT_COLUMNS, ASSESSMENT_REQUIRED, problems);
    let mut acounts = RowCounts { read: at.rows.len() as u64, ..RowCounts::default() };
    if acols.unusable || !children_usable {
        if !at.rows.is_empty() {
            let why = if acols.unusable {
                "the header is not usable"
            } else {
                "the children table could not be read, so no child can be matched"
            };
            problems.push(Problem::new(
                Severity::Error,
                &at.file,
                Some(1),
                None,
                "",
                format!("{} row(s) not read because {why}", at.rows.len()),
            ));
        }
        acounts.rejected = acounts.read;
    } else {
        for (line, row) in &at.rows {
            let mut chk = RowCheck { file: &at.file, line: *line, cols: &acols, problems: problems, ok: true };
            chk.extra_fields(row);
            let id = chk.required(row, "child_id");
            let kind = chk.parse_req(row, "assessment_type", parse_assessment_type);
            let date = chk.parse_req(row, "completed_on", parse_date);
            let modality = chk.parse_opt(row, "modality", parse_modality).unwrap_or(Modality::FaceToFace);
            let outcome = chk.parse_opt(row, "outcome", parse_outcome).unwrap_or(Outcome::Completed);
            let mut target = None;
            if let Some(id) = id {
                match slots.get(id) {
                    None => chk.error("child_id", id, format!("no child with this child_id in {}", children_file)),
                    Some(ChildSlot::Rejected(cl)) => chk.error(
                        "child_id",
                        id,
                        format!("the child's row in {} (line {cl}) was rejected", children_file),
                    ),
                    Some(ChildSlot::Accepted(i)) => target = Some(*i),
                }
            }
            if let (Some(i), Some(d)) = (target, date) {
                let dob = children[i].date_of_birth;
                let raw = chk.optional(row, "completed_on").unwrap_or_default().to_string();
                if d < dob {
                    chk.error("completed_on", &raw, format!("assessment dated before the child's date of birth ({dob})"));
                } else if d > opts.today {
                    chk.warn(
                        "completed_on",
                        &raw,
                        format!("assessment dated after today ({}): probably a typing error", opts.today),
                    );
                }
            }
            match (chk.ok, target, kind, date) {
                (true, Some(i), Some(kind), Some(completed_on)) => {
                    children[i].assessments.push(Assessment { completed_on, kind, modality, outcome });
                    acounts.accepted += 1;
                }
                _ => acounts.rejected += 1,
            }
        }
    }

    acounts
}
