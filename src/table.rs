//! Results as columnar tables: the one shape every output takes before it becomes CSV, a Python
//! dict of columns, or (later) Arrow.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::model::{Cohort, NeedSignal};
use crate::report::{Problem, ValidationReport};
use crate::schedule::ChildStatus;
use crate::triage::Worklist;

/// Text with a value in every row, held in one buffer (no `String` a row): the worklist's
/// text columns, which are many rows of short words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextColumn {
    buf: String,
    /// Where each row's text ends in `buf`.
    ends: Vec<usize>,
}

impl TextColumn {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Row `i`'s text (empty past the end).
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        self.ends.get(i).and_then(|&end| self.buf.get(start..end)).unwrap_or("")
    }

    /// Room for `rows` rows of `bytes` bytes of text in all, so that filling it moves no text.
    pub fn with_capacity(rows: usize, bytes: usize) -> TextColumn {
        TextColumn { buf: String::with_capacity(bytes), ends: Vec::with_capacity(rows) }
    }

    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
    }

    /// A row written by `f` straight into the buffer.
    pub fn push_with(&mut self, f: impl FnOnce(&mut String)) {
        f(&mut self.buf);
        self.ends.push(self.buf.len());
    }

    /// The whole text and where each row ends in it (for Arrow).
    pub fn parts(&self) -> (&str, &[usize]) {
        (&self.buf, &self.ends)
    }

    /// The rows of `more` after these.
    pub fn append(&mut self, more: &TextColumn) {
        let base = self.buf.len();
        self.buf.push_str(&more.buf);
        self.ends.extend(more.ends.iter().map(|e| e + base));
    }

    /// The whole text and where each row ends in it, owned (for Arrow, without a copy).
    pub fn into_parts(self) -> (String, Vec<usize>) {
        (self.buf, self.ends)
    }
}

/// A worklist's `reasons` column, kept as the worklist's facts (each factor with its points,
/// the tier and how it was set, the modality rule and why, declined offers, any override) and
/// written as text only when it is read: a cell, a CSV row, an Arrow array, a list. Writing a
/// row is [`Worklist::write_reasons`], so the text is the same as if it were held; a worklist
/// written only to CSV never holds its reasons whole (over 100 MB at 1,000,000 children).
#[derive(Clone)]
pub struct ReasonsColumn(Arc<Worklist>);

impl ReasonsColumn {
    pub fn new(wl: Arc<Worklist>) -> ReasonsColumn {
        ReasonsColumn(wl)
    }

    pub fn len(&self) -> usize {
        self.0.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.rows.is_empty()
    }

    /// Row `i`'s reasons written at the end of `buf` (nothing past the end).
    pub fn write(&self, i: usize, buf: &mut String) {
        if let Some(r) = self.0.rows.get(i) {
            self.0.write_reasons(r, buf);
        }
    }

    /// The whole column as text, written on every core in stretches joined in order.
    pub fn text(&self) -> TextColumn {
        let wl = &self.0;
        let per = crate::par::stretch_len(wl.rows.len(), crate::par::threads(), 1);
        let parts = crate::par::map_in_order(wl.rows.chunks(per).collect(), |rows: &[crate::triage::WorklistRow]| {
            let mut t = TextColumn::with_capacity(rows.len(), rows.len() * REASONS_BYTES_GUESS);
            for r in rows {
                t.push_with(|s| {
                    wl.write_reasons(r, s);
                });
            }
            t
        });
        // One allocation of the exact size (Arrow keeps the buffer's whole capacity).
        let bytes = parts.iter().map(|p| p.buf.len()).sum();
        let mut all = TextColumn::with_capacity(self.len(), bytes);
        for part in &parts {
            all.append(part);
        }
        all
    }
}

impl std::fmt::Debug for ReasonsColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReasonsColumn({} rows)", self.len())
    }
}

/// Equal when every row's text is (a `Text` or `Str` column of the same text is another kind of
/// column, as a `Text` and a `Str` column are to each other).
impl PartialEq for ReasonsColumn {
    fn eq(&self, other: &ReasonsColumn) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        let (mut a, mut b) = (String::new(), String::new());
        self.len() == other.len()
            && (0..self.len()).all(|i| {
                a.clear();
                b.clear();
                self.write(i, &mut a);
                other.write(i, &mut b);
                a == b
            })
    }
}

impl<'a> FromIterator<&'a str> for TextColumn {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> TextColumn {
        let iter = iter.into_iter();
        let mut t = TextColumn::with_capacity(iter.size_hint().0, 0);
        for s in iter {
            t.push(s);
        }
        t
    }
}

/// One column of values, `None` = blank.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Str(Vec<Option<String>>),
    /// Text in every row, in one buffer.
    Text(TextColumn),
    /// A worklist's reasons, written when read.
    Reasons(ReasonsColumn),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Date(Vec<Option<NaiveDate>>),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Str(v) => v.len(),
            ColumnData::Text(t) => t.len(),
            ColumnData::Reasons(r) => r.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Date(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows `idx` of the column, in that order (text becomes plain text).
    pub fn select(&self, idx: &[usize]) -> ColumnData {
        match self {
            ColumnData::Str(v) => ColumnData::Str(idx.iter().map(|i| v[*i].clone()).collect()),
            ColumnData::Text(t) => ColumnData::Str(idx.iter().map(|i| Some(t.get(*i).to_string())).collect()),
            ColumnData::Reasons(_) => ColumnData::Str(idx.iter().map(|i| Some(self.cell(*i))).collect()),
            ColumnData::Int(v) => ColumnData::Int(idx.iter().map(|i| v[*i]).collect()),
            ColumnData::Float(v) => ColumnData::Float(idx.iter().map(|i| v[*i]).collect()),
            ColumnData::Date(v) => ColumnData::Date(idx.iter().map(|i| v[*i]).collect()),
        }
    }

    /// Whether the column holds text (which CSV output neutralises where it looks like a formula).
    pub fn is_text(&self) -> bool {
        matches!(self, ColumnData::Str(_) | ColumnData::Text(_) | ColumnData::Reasons(_))
    }

    /// Cell `i` written onto the end of `buf`, as [`ColumnData::cell`] gives it, without
    /// allocating (the CSV writer's path).
    pub fn write_cell(&self, i: usize, buf: &mut String) {
        use std::fmt::Write as _;
        match self {
            ColumnData::Str(v) => buf.push_str(v[i].as_deref().unwrap_or_default()),
            ColumnData::Text(t) => buf.push_str(t.get(i)),
            ColumnData::Reasons(r) => r.write(i, buf),
            ColumnData::Int(v) => {
                if let Some(x) = v[i] {
                    let _ = write!(buf, "{x}");
                }
            }
            ColumnData::Float(v) => {
                if let Some(x) = v[i] {
                    let _ = write!(buf, "{x:.1}");
                }
            }
            ColumnData::Date(v) => {
                if let Some(d) = v[i] {
                    // chrono's %Y-%m-%d is the same for years 0 to 9999, and far slower.
                    if (0..=9999).contains(&d.year()) {
                        let _ = write!(buf, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
                    } else {
                        let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
                    }
                }
            }
        }
    }

    /// The value of row `i` as CSV text (dates `YYYY-MM-DD`, blanks empty).
    pub fn cell(&self, i: usize) -> String {
        let mut s = String::new();
        self.write_cell(i, &mut s);
        s
    }
}

/// What a column holds, for privacy ([`crate::privacy`]): set by the table builders, so that
/// pseudonymising never depends on a column's name or a message's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Anything else: counts, codes, dates other than birth, words the library chose.
    #[default]
    Plain,
    /// A child's identifier.
    ChildId,
    /// A date of birth.
    DateOfBirth,
    /// Text the library wrote that may mention a child's birthday (reasons, problems); in a
    /// worklist's reasons, where a clinician's own words begin ([`Column::clinician_from`]).
    Text,
    /// Free text a clinician typed (an override's reason).
    ClinicianText,
    /// A problem's value: a child id, a date of birth or anything else, by the problem's column.
    ProblemValue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
    pub role: Role,
    /// For [`Role::Text`]: (row, byte) where a clinician's own words begin in that row's text,
    /// running to its end (an override's reason in a worklist's reasons).
    pub clinician_from: Vec<(usize, usize)>,
    /// Rows hidden by disclosure control: blank (None) in the data, so data frames keep their
    /// numbers typed, and written to CSV as the policy's symbol (`c`).
    pub suppressed: Option<Suppressed>,
    /// Whether the column is written to CSV; false for a column only data frames show (the
    /// `suppressed` flag of a suppressed table, whose CSV shows the symbol instead).
    pub in_csv: bool,
}

/// Which rows of a column disclosure control hid, and the symbol CSV shows for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub rows: Vec<bool>,
    pub symbol: String,
}

/// A table: named columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn push(&mut self, name: &str, data: ColumnData) {
        self.push_as(name, Role::Plain, data);
    }

    /// A column with its [`Role`].
    pub fn push_as(&mut self, name: &str, role: Role, data: ColumnData) {
        debug_assert!(self.columns.first().is_none_or(|c| c.data.len() == data.len()));
        self.columns.push(Column { name: name.to_string(), data, role, clinician_from: Vec::new(), suppressed: None, in_csv: true });
    }

    /// A column some of whose rows disclosure control hid: `data` holds None there, and CSV
    /// shows `symbol`.
    pub fn push_suppressed(&mut self, name: &str, data: ColumnData, rows: Vec<bool>, symbol: &str) {
        self.push(name, data);
        if let Some(c) = self.columns.last_mut() {
            c.suppressed = Some(Suppressed { rows, symbol: symbol.to_string() });
        }
    }

    /// A column data frames show but CSV does not.
    pub fn push_frame_only(&mut self, name: &str, data: ColumnData) {
        self.push(name, data);
        if let Some(c) = self.columns.last_mut() {
            c.in_csv = false;
        }
    }

    /// The table with column `old` named `new`, and in it every cell `from` written `to` (a
    /// group column of councils whose total `all` is the ICB's, say).
    pub fn renamed(&self, old: &str, new: &str, from: &str, to: &str) -> Table {
        let mut t = self.clone();
        for c in t.columns.iter_mut().filter(|c| c.name == old) {
            c.name = new.to_string();
            if c.data.is_text() {
                let cells: Vec<Option<String>> =
                    (0..c.data.len()).map(|i| c.data.cell(i)).map(|v| Some(if v == from { to.to_string() } else { v })).collect();
                c.data = ColumnData::Str(cells);
            }
        }
        t
    }

    /// The rows whose `column` is `value` (blank for None), in order; every column kept.
    pub fn rows_where(&self, column: &str, value: Option<&str>) -> Table {
        let idx: Vec<usize> = match self.columns.iter().find(|c| c.name == column) {
            Some(c) => (0..self.n_rows()).filter(|i| c.data.cell(*i) == value.unwrap_or("")).collect(),
            None => Vec::new(),
        };
        let mut t = Table::default();
        for c in &self.columns {
            t.columns.push(Column {
                name: c.name.clone(),
                data: c.data.select(&idx),
                role: c.role,
                clinician_from: Vec::new(),
                suppressed: c
                    .suppressed
                    .as_ref()
                    .map(|s| Suppressed { rows: idx.iter().map(|i| s.rows[*i]).collect(), symbol: s.symbol.clone() }),
                in_csv: c.in_csv,
            });
        }
        t
    }

    /// The names of the columns CSV output has.
    pub fn csv_columns(&self) -> Vec<&str> {
        self.columns.iter().filter(|c| c.in_csv).map(|c| c.name.as_str()).collect()
    }

    /// Give the column `name` a role (table builders that push through a macro).
    pub fn set_role(&mut self, name: &str, role: Role) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.name == name) {
            c.role = role;
        }
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns.iter().find(|c| c.name == name).map(|c| &c.data)
    }

    /// The table as CSV: a header and rows only, with every text cell that a spreadsheet would
    /// run as a formula neutralised ([`neutralise_formula`]).
    pub fn write_csv<W: Write>(&self, out: W) -> std::io::Result<()> {
        self.write_csv_as(out, CsvCells::Safe)
    }

    /// The table as CSV, text cells neutralised or written as they are.
    pub fn write_csv_as<W: Write>(&self, out: W, cells: CsvCells) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let columns: Vec<&Column> = self.columns.iter().filter(|c| c.in_csv).collect();
        w.write_record(columns.iter().map(|c| cells.apply(c.name.clone())))?;
        w.flush()?;
        let mut out = w.into_inner().map_err(|e| e.into_error())?;
        // The rows in batches, each batch in stretches made into CSV on every core (one reused
        // buffer a column, no string a cell), then written in order: the same bytes as row by
        // row, and no more than a batch held in memory.
        let n = self.n_rows();
        // At most 8 stretches a batch, so a many-core machine holds no more than 160,000 rows
        // of CSV at once.
        let threads = crate::par::threads().clamp(1, 8);
        let batch = CSV_ROWS_A_STRETCH * threads;
        for first in (0..n).step_by(batch) {
            let end = (first + batch).min(n);
            let per = crate::par::stretch_len(end - first, threads, CSV_ROWS_A_STRETCH).max(1);
            let stretches: Vec<std::ops::Range<usize>> = (first..end).step_by(per).map(|lo| lo..(lo + per).min(end)).collect();
            for part in crate::par::map_in_order(stretches, |rows| self.csv_rows(&columns, rows, cells)) {
                out.write_all(&part?)?;
            }
        }
        out.flush()
    }

    /// Rows `rows` as CSV (no header), text neutralised as `cells` says.
    fn csv_rows(&self, columns: &[&Column], rows: std::ops::Range<usize>, cells: CsvCells) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 64));
        let mut bufs: Vec<String> = vec![String::new(); columns.len()];
        for i in rows {
            for (c, buf) in columns.iter().zip(bufs.iter_mut()) {
                buf.clear();
                if let Some(s) = c.suppressed.as_ref().filter(|s| s.rows.get(i).copied().unwrap_or(false)) {
                    buf.push_str(&s.symbol);
                    continue;
                }
                c.data.write_cell(i, buf);
                if cells == CsvCells::Safe && c.data.is_text() {
                    neutralise_formula_in_place(buf);
                }
            }
            w.write_record(bufs.iter())?;
        }
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())
    }

    pub fn to_csv_string(&self) -> String {
        self.to_csv_string_as(CsvCells::Safe)
    }

    pub fn to_csv_string_as(&self, cells: CsvCells) -> String {
        let mut buf = Vec::new();
        // Writing to memory cannot fail; every cell is valid UTF-8.
        let _ = self.write_csv_as(&mut buf, cells);
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Write the CSV file whole or not at all: into a temporary file beside it, then renamed.
    pub fn write_csv_file(&self, path: &Path) -> Result<()> {
        self.write_csv_file_as(path, CsvCells::Safe)
    }

    pub fn write_csv_file_as(&self, path: &Path, cells: CsvCells) -> Result<()> {
        write_atomic(path, |f| self.write_csv_as(f, cells))
    }
}

/// Rows a stretch of CSV has at least (fewer: a thread costs more than it saves), and at most
/// (a batch is this many rows a core).
const CSV_ROWS_A_STRETCH: usize = 20_000;

/// How text cells go into CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvCells {
    /// Text a spreadsheet would run as a formula gets a leading `'` ([`neutralise_formula`]).
    #[default]
    Safe,
    /// Text as it is (`--raw-csv`): for programs, never for a file a person opens.
    Raw,
}

impl CsvCells {
    fn apply(self, text: String) -> String {
        match self {
            CsvCells::Safe => neutralise_formula(text),
            CsvCells::Raw => text,
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula when they lead it
/// (OWASP, "CSV injection"): `=`, `+`, `-`, `@`, tab and carriage return.
pub const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether text would be run as a formula by a spreadsheet that opens it.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_LEADS)
}

/// Text made safe to open in a spreadsheet: a cell starting with one of [`FORMULA_LEADS`] gets
/// a leading `'`, which Excel and LibreOffice show as text and do not run (OWASP's advice);
/// any other text is unchanged.
pub fn neutralise_formula(mut text: String) -> String {
    neutralise_formula_in_place(&mut text);
    text
}

/// [`neutralise_formula`] on a buffer.
pub fn neutralise_formula_in_place(text: &mut String) {
    if looks_like_formula(text) {
        text.insert(0, '\'');
    }
}

/// Write a file whole or not at all: a temporary file in the same folder, created exclusively
/// under a random name (never through a link planted there) and readable by the owner only,
/// synced, then renamed over the target. On any failure the temporary file is removed and the
/// target left untouched.
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>) -> Result<()> {
    let err = |source| Error::Write { path: path.display().to_string(), source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(".tmp").tempfile_in(dir).map_err(err)?;
    let (file, tmp_path) = tmp.into_parts();
    let result = (|| {
        let mut buf = std::io::BufWriter::new(file);
        fill(&mut buf)?;
        let file = buf.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    result.map_err(err)?;
    // Dropping `tmp_path` on failure removes the temporary file.
    tmp_path.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// How every temporary file this library makes begins (hidden, and recognisable).
pub const TEMP_PREFIX: &str = ".lac-backlog-tmp-";

/// The `status` table (docs/interface.md section 4): child_id, status, next_assessment, due_date,
/// days_overdue, age_band, reason, then last_assessment, declined_offers and provider (the
/// children table's optional `provider`, blank when not recorded).
pub fn status_table(cohort: &Cohort, rows: &[(usize, ChildStatus)]) -> Table {
    let mut t = Table::default();
    let s = |f: &dyn Fn(&ChildStatus) -> Option<String>| ColumnData::Str(rows.iter().map(|(_, r)| f(r)).collect());
    t.push_as("child_id", Role::ChildId, ColumnData::Str(rows.iter().map(|(i, _)| Some(cohort.children[*i].id.to_string())).collect()));
    t.push("status", s(&|r| Some(r.status.as_str().to_string())));
    t.push("next_assessment", s(&|r| Some(r.next_assessment.map_or("none", |a| a.as_str()).to_string())));
    t.push("due_date", ColumnData::Date(rows.iter().map(|(_, r)| r.due_date).collect()));
    t.push("days_overdue", ColumnData::Int(rows.iter().map(|(_, r)| r.days_overdue).collect()));
    t.push("age_band", s(&|r| Some(r.age_band.as_str().to_string())));
    t.push_as("reason", Role::Text, s(&|r| Some(r.reason.to_string())));
    t.push("last_assessment", ColumnData::Date(rows.iter().map(|(_, r)| r.last_assessment).collect()));
    t.push("declined_offers", ColumnData::Int(rows.iter().map(|(_, r)| Some(i64::from(r.declined_offers))).collect()));
    t.push("provider", ColumnData::Str(rows.iter().map(|(i, _)| cohort.children[*i].provider.as_deref().map(str::to_string)).collect()));
    t
}

/// The `validate` table: severity, file, line, column, value, problem.
pub fn problems_table(problems: &[Problem]) -> Table {
    let mut t = Table::default();
    let s = |f: &dyn Fn(&Problem) -> Option<String>| ColumnData::Str(problems.iter().map(f).collect());
    t.push("severity", s(&|p| Some(p.severity.as_str().to_string())));
    t.push("file", s(&|p| Some(p.file.clone())));
    t.push("line", ColumnData::Int(problems.iter().map(|p| p.line.map(|l| l as i64)).collect()));
    t.push("column", s(&|p| p.column.clone()));
    t.push_as("value", Role::ProblemValue, s(&|p| Some(p.value.clone())));
    t.push_as("problem", Role::Text, s(&|p| Some(p.problem.clone())));
    t
}

/// Row counts per table: file, rows_read, rows_accepted, rows_rejected.
pub fn counts_table(report: &ValidationReport) -> Table {
    let mut t = Table::default();
    let col =
        |f: &dyn Fn(&crate::report::RowCounts) -> u64| ColumnData::Int(report.tables.iter().map(|(_, c)| Some(f(c) as i64)).collect());
    t.push("file", ColumnData::Str(report.tables.iter().map(|(f, _)| Some(f.clone())).collect()));
    t.push("rows_read", col(&|c| c.read));
    t.push("rows_accepted", col(&|c| c.accepted));
    t.push("rows_rejected", col(&|c| c.rejected));
    t
}

/// About the length of a row's reasons (most are 150-450 bytes), to size a stretch's text
/// buffer when the reasons are written whole ([`ReasonsColumn::text`]): a guess too small costs
/// one more copy of the buffer, never a wrong result (joining the stretches into one buffer of
/// the exact size copies every stretch's text once more in any case).
const REASONS_BYTES_GUESS: usize = 320;

/// The `triage` table (docs/interface.md section 4): rank, child_id, tier, priority_score,
/// next_assessment, due_date, days_overdue, age_band, recommended_modality, reasons, then
/// see_within_days, book_by, clinical_need, unknown_signals, red_flags, modality_rule,
/// declined_offers, overridden, override_by, override_on, override_reason.
///
/// Built on every core in stretches of rows, each stretch in one pass (a row is read once,
/// while it is in cache, not once a column), then the stretches joined in order; the reasons
/// are the worklist's facts, written when read ([`ReasonsColumn`]).
pub fn worklist_table(wl: &Arc<Worklist>) -> Table {
    let per = crate::par::stretch_len(wl.rows.len(), crate::par::threads(), 1);
    let mut parts = crate::par::map_in_order(wl.rows.chunks(per).collect(), |rows| WorklistColumns::of(wl, rows)).into_iter();
    let mut all = parts.next().unwrap_or_else(|| WorklistColumns::of(wl, &[]));
    for more in parts {
        all.append(more);
    }
    let mut t = all.into_table();
    // The reasons after the recommended modality (docs/interface.md's order).
    let at = t.columns.iter().position(|c| c.name == "recommended_modality").map_or(t.columns.len(), |i| i + 1);
    t.push_as("reasons", Role::Text, ColumnData::Reasons(ReasonsColumn::new(Arc::clone(wl))));
    t.columns[at..].rotate_right(1);
    t.set_role("child_id", Role::ChildId);
    t.set_role("override_reason", Role::ClinicianText);
    // Where each override's reason begins in its row's reasons (few rows: written again).
    let mut scratch = String::new();
    let from: Vec<(usize, usize)> = wl
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applied_override.is_some())
        .filter_map(|(i, r)| {
            scratch.clear();
            wl.write_reasons(r, &mut scratch).map(|at| (i, at))
        })
        .collect();
    if let Some(c) = t.columns.iter_mut().find(|c| c.name == "reasons") {
        c.clinician_from = from;
    }
    t
}

/// A column being filled for a stretch of rows: room for the rows, and the next stretch's rows
/// after these.
trait StretchColumn: Sized {
    fn with_rows(n: usize) -> Self;
    fn append_stretch(&mut self, more: Self);
}

impl<T> StretchColumn for Vec<T> {
    fn with_rows(n: usize) -> Self {
        Vec::with_capacity(n)
    }
    fn append_stretch(&mut self, more: Self) {
        self.extend(more);
    }
}

impl StretchColumn for TextColumn {
    fn with_rows(n: usize) -> Self {
        TextColumn::with_capacity(n, 0)
    }
    fn append_stretch(&mut self, more: Self) {
        self.append(&more);
    }
}

/// The worklist table's columns, each named once, in table order, with its kind of data: the
/// struct of a stretch's columns, `new`, `append` and `into_table` all follow this list.
macro_rules! worklist_columns {
    ($($name:ident: $ty:ty => $kind:ident),* $(,)?) => {
        /// The worklist table's columns for a stretch of rows ([`worklist_table`]).
        struct WorklistColumns {
            $($name: $ty,)*
        }

        impl WorklistColumns {
            fn new(n: usize) -> WorklistColumns {
                WorklistColumns { $($name: StretchColumn::with_rows(n),)* }
            }

            /// The rows of `more` after these.
            fn append(&mut self, more: WorklistColumns) {
                $(self.$name.append_stretch(more.$name);)*
            }

            fn into_table(self) -> Table {
                let mut t = Table::default();
                $(t.push(stringify!($name), ColumnData::$kind(self.$name));)*
                t
            }
        }
    };
}

worklist_columns! {
    rank: Vec<Option<i64>> => Int,
    child_id: TextColumn => Text,
    tier: TextColumn => Text,
    priority_score: Vec<Option<i64>> => Int,
    next_assessment: TextColumn => Text,
    due_date: Vec<Option<NaiveDate>> => Date,
    days_overdue: Vec<Option<i64>> => Int,
    age_band: TextColumn => Text,
    recommended_modality: TextColumn => Text,
    see_within_days: Vec<Option<i64>> => Int,
    book_by: Vec<Option<NaiveDate>> => Date,
    clinical_need: TextColumn => Text,
    unknown_signals: TextColumn => Text,
    red_flags: TextColumn => Text,
    modality_rule: TextColumn => Text,
    declined_offers: Vec<Option<i64>> => Int,
    overridden: TextColumn => Text,
    override_by: Vec<Option<String>> => Str,
    override_on: Vec<Option<NaiveDate>> => Date,
    override_reason: Vec<Option<String>> => Str,
}

impl WorklistColumns {
    fn of(wl: &Worklist, rows: &[crate::triage::WorklistRow]) -> WorklistColumns {
        let n = rows.len();
        let mut c = WorklistColumns::new(n);
        for r in rows {
            let st = &r.status;
            let o = r.applied_override.as_deref();
            c.rank.push(Some(r.rank as i64));
            c.child_id.push(wl.child_id(r));
            c.tier.push(wl.tier_name(r));
            c.priority_score.push(Some(i64::from(r.score)));
            c.next_assessment.push(st.next_assessment.map_or("none", |a| a.as_str()));
            c.due_date.push(st.due_date);
            c.days_overdue.push(st.days_overdue);
            c.age_band.push(st.age_band.as_str());
            c.recommended_modality.push(r.modality.as_str());
            c.see_within_days.push(Some(wl.see_within_days(r)));
            c.book_by.push(Some(r.book_by));
            c.clinical_need.push(r.need.as_str());
            c.unknown_signals.push_with(|s| {
                for (i, name) in crate::triage::factors::unknown_names(r.unknown).enumerate() {
                    if i > 0 {
                        s.push(';');
                    }
                    s.push_str(name);
                }
            });
            c.red_flags.push_with(|s| crate::triage::push_joined(s, &r.red_flags, ";"));
            c.modality_rule.push(r.modality_rule);
            c.declined_offers.push(Some(i64::from(st.declined_offers)));
            c.overridden.push(if o.is_some() { "yes" } else { "no" });
            // Who decided an override, when and why (blank where there is none).
            c.override_by.push(o.map(|o| o.decided_by.clone()));
            c.override_on.push(o.and_then(|o| o.decided_on));
            c.override_reason.push(o.map(|o| o.reason.clone()));
        }
        c
    }
}

/// How complete the need signals are over a worklist's children: `signal, known, unknown,
/// unknown_pct` (one row per need signal, and the SDQ score over the children aged 4 to 16).
pub fn completeness_table(wl: &Worklist) -> Table {
    let rows = wl.completeness();
    let mut t = Table::default();
    t.push("signal", ColumnData::Str(rows.iter().map(|r| Some(r.0.to_string())).collect()));
    t.push("known", ColumnData::Int(rows.iter().map(|r| Some(r.1 as i64)).collect()));
    t.push("unknown", ColumnData::Int(rows.iter().map(|r| Some(r.2 as i64)).collect()));
    t.push(
        "unknown_pct",
        ColumnData::Float(rows.iter().map(|r| (r.1 + r.2 > 0).then(|| 100.0 * r.2 as f64 / (r.1 + r.2) as f64)).collect()),
    );
    t
}

/// The cohort as the two input tables (docs/interface.md section 2), as CSV text: (children,
/// assessments). Reading them back gives the same cohort.
pub fn cohort_csv(cohort: &Cohort) -> (String, String) {
    let mut c = Vec::new();
    let mut a = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_children_csv(cohort, &mut c);
    let _ = write_assessments_csv(cohort, &mut a);
    (String::from_utf8(c).unwrap_or_default(), String::from_utf8(a).unwrap_or_default())
}

/// Stream the children table, child by child.
pub fn write_children_csv<W: Write>(cohort: &Cohort, out: W) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(out);
    // The columns as the reader knows them, in its order (one list).
    c.write_record(crate::read::CHILD_COLUMNS)?;
    let b = |x: bool| if x { "1" } else { "0" }.to_string();
    // A need signal: 1, 0, or blank when unknown.
    let need = |s: &crate::model::Signals, n: crate::model::NeedSignal| s.get(n).map(b).unwrap_or_default();
    let d = |x: Option<NaiveDate>| x.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let n = |x: Option<u32>| x.map(|v| v.to_string()).unwrap_or_default();
    for k in &cohort.children {
        let s = &k.signals;
        c.write_record([
            k.id.to_string(),
            d(Some(k.date_of_birth)),
            d(Some(k.care_start)),
            d(k.care_end),
            k.legal_status.as_deref().unwrap_or_default().to_string(),
            b(k.uasc),
            b(k.missing),
            k.locality.as_deref().unwrap_or_default().to_string(),
            k.sdq_score.map(|v| v.to_string()).unwrap_or_default(),
            need(s, NeedSignal::ComplexHealthNeeds),
            need(s, NeedSignal::Disability),
            need(s, NeedSignal::MentalHealthConcern),
            need(s, NeedSignal::SelfHarm),
            need(s, NeedSignal::SubstanceMisuse),
            need(s, NeedSignal::PregnantOrParent),
            need(s, NeedSignal::ExploitationRisk),
            need(s, NeedSignal::YouthJustice),
            b(s.out_of_area),
            n(k.placement_moves_12m),
            n(k.missing_episodes_12m),
            d(k.sdq_date),
            k.sex.as_deref().unwrap_or_default().to_string(),
            k.ethnicity.as_deref().unwrap_or_default().to_string(),
            k.provider.as_deref().unwrap_or_default().to_string(),
            d(k.last_dental_check),
            k.immunisations_up_to_date.map(b).unwrap_or_default(),
            k.camhs_referral.map(b).unwrap_or_default(),
        ])?;
    }
    c.flush()
}

/// Stream the assessments table, child by child.
pub fn write_assessments_csv<W: Write>(cohort: &Cohort, out: W) -> std::io::Result<()> {
    let mut a = csv::Writer::from_writer(out);
    a.write_record(["child_id", "assessment_type", "completed_on", "modality", "outcome"])?;
    for k in &cohort.children {
        for x in &k.assessments {
            a.write_record([
                k.id.as_str(),
                x.kind.as_str(),
                &x.completed_on.format("%Y-%m-%d").to_string(),
                x.modality.as_str(),
                x.outcome.as_str(),
            ])?;
        }
    }
    a.flush()
}

/// Write the cohort's two tables as CSV files, each whole or not at all, streamed.
pub fn write_cohort_files(cohort: &Cohort, children: &Path, assessments: &Path) -> Result<()> {
    write_atomic(children, |f| write_children_csv(cohort, f))?;
    write_atomic(assessments, |f| write_assessments_csv(cohort, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_stretches_is_the_same_bytes_as_row_by_row() {
        // 50,000 rows (several stretches) of every kind of cell: text to quote, formula-like
        // text, blanks, suppressed cells, dates (one outside 0-9999), floats, negatives.
        let n = 50_000;
        let mut t = Table::default();
        let text = |i: usize| match i % 5 {
            0 => Some(format!("a,\"b\" {i}")),
            1 => Some(format!("=cmd{i}")),
            2 => None,
            3 => Some("line\nbreak".to_string()),
            _ => Some(format!("-{i}")),
        };
        t.push("s", ColumnData::Str((0..n).map(text).collect()));
        t.push("i", ColumnData::Int((0..n).map(|i| (i % 7 != 0).then_some(i as i64 - 25_000)).collect()));
        t.push("f", ColumnData::Float((0..n).map(|i| (i % 3 != 0).then_some(i as f64 / 3.0)).collect()));
        let far = NaiveDate::from_ymd_opt(12_000, 1, 1);
        t.push(
            "d",
            ColumnData::Date((0..n).map(|i| if i == 7 { far } else { NaiveDate::from_num_days_from_ce_opt(730_000 + i as i32) }).collect()),
        );
        let hidden: Vec<bool> = (0..n).map(|i| i % 11 == 0).collect();
        t.push_suppressed("c", ColumnData::Int((0..n).map(|i| Some(i as i64)).collect()), hidden, "c");
        for cells in [CsvCells::Safe, CsvCells::Raw] {
            let mut want = csv::Writer::from_writer(Vec::new());
            let columns: Vec<&Column> = t.columns.iter().filter(|c| c.in_csv).collect();
            want.write_record(columns.iter().map(|c| cells.apply(c.name.clone()))).unwrap();
            for i in 0..n {
                want.write_record(columns.iter().map(|c| {
                    if let Some(s) = c.suppressed.as_ref().filter(|s| s.rows[i]) {
                        return s.symbol.clone();
                    }
                    let v = c.data.cell(i);
                    if c.data.is_text() {
                        cells.apply(v)
                    } else {
                        v
                    }
                }))
                .unwrap();
            }
            let want = want.into_inner().unwrap();
            let mut got = Vec::new();
            t.write_csv_as(&mut got, cells).unwrap();
            assert!(got == want, "{cells:?}");
        }
    }

    #[test]
    fn text_columns_keep_each_row() {
        let a: TextColumn = ["x", "", "yz"].into_iter().collect();
        let mut b = TextColumn::default();
        b.push_with(|s| s.push_str("é!"));
        let mut t = a;
        t.append(&TextColumn::default());
        t.append(&b);
        assert_eq!(t.len(), 4);
        assert_eq!((0..5).map(|i| t.get(i)).collect::<Vec<_>>(), ["x", "", "yz", "é!", ""]);
        assert_eq!(ColumnData::Text(t).cell(3), "é!");
    }

    /// The reasons written when read are the worklist's own, row by row, whichever way they
    /// are read: a cell, the whole column (in stretches on every core), selected rows (Arrow
    /// and Python lists take the whole column: tests/python/test_api.py).
    #[test]
    fn reasons_written_when_read_are_the_worklists_reasons() {
        let as_of = NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
        let o = crate::synth::SynthOptions { overdue_share: Some(0.4), ..crate::synth::SynthOptions::new(3_000, 5, as_of) };
        let cohort = crate::synth::synthetic_cohort(&o);
        let wl = Arc::new(crate::triage::triage(&cohort, as_of, &crate::Policy::default(), &[]));
        let want: Vec<String> = wl.rows.iter().map(|r| wl.reasons(r)).collect();
        assert!(want.len() > 1_000);
        let t = worklist_table(&wl);
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[8..11], ["recommended_modality", "reasons", "see_within_days"]);
        let reasons = t.column("reasons").unwrap();
        assert_eq!((0..reasons.len()).map(|i| reasons.cell(i)).collect::<Vec<_>>(), want);
        let ColumnData::Reasons(r) = reasons else { panic!("reasons are written when read") };
        let whole = r.text();
        assert_eq!((0..whole.len()).map(|i| whole.get(i).to_string()).collect::<Vec<_>>(), want);
        let idx = [7, 0, want.len() - 1];
        assert_eq!(reasons.select(&idx), ColumnData::Str(idx.iter().map(|i| Some(want[*i].clone())).collect()));
    }
}
