//! Where rows come from: CSV bytes (UTF-8, or Windows-1252 as Excel saves it), cut into rows
//! and read in stretches on every core, and the row and cell types every reader checks.

use chrono::Datelike as _;
use chrono::NaiveDate;

use std::borrow::Cow;

use crate::fields::{count_of, parse_bool, parse_count, parse_date, parse_sdq, sdq_of};
use crate::report::{Fact, Problem, ProblemKind, Severity};

/// A map for the short keys of reading (column names, child ids): rustc-hash's Fx hash, fast
/// where SipHash's protection against crafted keys is not needed (a file can only slow its own
/// read).
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// One row of cells, as bytes (the whole input is known to be UTF-8; [`cell`] checks each
/// field it hands out and trims it).
pub(crate) type Row = csv::ByteRecord;

/// Field `i` of a row as trimmed text (`None` past the end of the row).
pub(crate) fn cell(row: &Row, i: usize) -> Option<&str> {
    row.get(i).map(|b| trim_cell(std::str::from_utf8(b).unwrap_or("")))
}

pub(crate) use crate::fields::trim_cell;

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
    /// Columnar access, for sources that hold whole columns (DataFrames, every row as wide as
    /// the header): the rows (numbered from 0 in the whole table) this stream has still to give.
    /// `None` for sources read row by row (CSV): then only the row checks are used.
    fn columnar_rows(&self) -> Option<std::ops::Range<usize>> {
        None
    }
    /// Cells `rows` of column `col` into `out` (cleared first), as [`Record::field`] gives them
    /// (nothing for a column the table does not have). Only for a columnar source.
    fn column_cells<'s>(&'s self, _col: usize, _rows: std::ops::Range<usize>, out: &mut Vec<Cell<'s>>) {
        out.clear();
    }
    /// Move to row `r` (numbered as in [`RowStream::columnar_rows`]), so that
    /// [`RowStream::row`] is that row, for the row checks; gives its line. Only for a columnar
    /// source.
    fn seek(&mut self, _r: usize) -> Option<u64> {
        None
    }
}

/// Stretches are at least this many rows (fewer: a thread costs more than it saves).
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) const PARALLEL_MIN_ROWS: usize = 10_000;

/// Run `f` on each part of `stream` (split for several cores when it can be) and give the
/// results in row order.
pub(crate) fn in_stretches<S: RowStream, T: Send>(stream: &mut S, f: impl Fn(&mut S) -> T + Sync + Send) -> Vec<T> {
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
    /// Whether the text may be split into stretches read on several cores
    /// ([`CsvRows::on_every_core`]).
    splittable: bool,
    /// Lines before the text this reader reads (a stretch of a file).
    line_offset: u64,
}

/// A CSV text shorter than this (after its header) is read on one core (tests cut small texts).
#[cfg(not(test))]
const CSV_STRETCH_MIN_BYTES: usize = 1 << 20;
#[cfg(test)]
pub(crate) const CSV_STRETCH_MIN_BYTES: usize = 64;

/// How many blank lines a warning lists by number.
const BLANK_LINES_SHOWN: usize = 10;

impl<'a> CsvRows<'a> {
    pub fn new(file: &str, bytes: &'a [u8], problems: &mut Vec<Problem>) -> CsvRows<'a> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text: std::borrow::Cow<'a, [u8]> = match std::str::from_utf8(bytes) {
            Ok(_) => std::borrow::Cow::Borrowed(bytes),
            Err(e) => {
                problems.push(
                    Problem::new(
                        Severity::Warning,
                        ProblemKind::NotUtf8,
                        file,
                        None,
                        None,
                        "",
                        format!("not UTF-8 (first bad byte at offset {}); read as Windows-1252", e.valid_up_to()),
                    )
                    .with("offset", Fact::Number(e.valid_up_to() as u64)),
                );
                std::borrow::Cow::Owned(decode_windows_1252(bytes).into_bytes())
            }
        };
        let rdr = csv_reader(text);
        let mut t = CsvRows {
            file: file.to_string(),
            header: Vec::new(),
            rdr,
            blank_lines: Vec::new(),
            n_blank: 0,
            done: false,
            record: Row::new(),
            splittable: false,
            line_offset: 0,
        };
        match t.read(problems) {
            Some(_) => t.header = (0..t.record.len()).filter_map(|i| cell(&t.record, i)).map(str::to_string).collect(),
            None => {
                problems.push(Problem::new(Severity::Error, ProblemKind::EmptyFile, file, None, None, "", "file is empty: no header row"))
            }
        }
        t
    }

    /// Let [`RowStream::split`] cut the rest of the text into stretches read on several cores,
    /// when the text was read in place (UTF-8) and a cut cannot change a row, a cell or a line
    /// number: it has no quote (so every line end ends a row), no carriage return but before a
    /// line feed (so lines are counted by line feeds), and no byte order mark after its start
    /// (a new reader drops one that begins its text, where the whole read keeps it in the
    /// cell). A blank rows warning then comes from each stretch: [`merge_blank_rows`] makes them
    /// one.
    pub fn on_every_core(mut self) -> CsvRows<'a> {
        self.splittable = self.text_in_place().is_some_and(|text| {
            memchr::memchr(b'"', text).is_none()
                && memchr::memchr_iter(b'\r', text).all(|i| text.get(i + 1) == Some(&b'\n'))
                && memchr::memmem::find(text, b"\xEF\xBB\xBF").is_none()
        });
        self
    }

    /// The text being read, when it is read in place (UTF-8, not decoded into a copy).
    fn text_in_place(&self) -> Option<&'a [u8]> {
        match *self.rdr.get_ref().get_ref() {
            std::borrow::Cow::Borrowed(text) => Some(text),
            std::borrow::Cow::Owned(_) => None,
        }
    }

    /// The next record of any kind, blank or not, into `self.record`.
    fn read(&mut self, problems: &mut Vec<Problem>) -> Option<u64> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(true) => Some(self.record.position().map_or(0, |p| self.line_of(p)) + self.line_offset),
            Ok(false) => {
                self.finish(problems);
                None
            }
            Err(e) => {
                // Input is valid UTF-8 and the reader is flexible, so this is unexpected:
                // report it where it happened and stop reading this file.
                let line = e.position().map(|p| p.line() + self.line_offset);
                problems.push(Problem::new(
                    Severity::Error,
                    ProblemKind::UnreadableCsv,
                    &self.file,
                    line,
                    None,
                    "",
                    format!("cannot read CSV: {e}"),
                ));
                self.finish(problems);
                None
            }
        }
    }

    fn finish(&mut self, problems: &mut Vec<Problem>) {
        self.done = true;
        if self.n_blank > 0 {
            problems.push(blank_rows(&self.file, self.n_blank, self.blank_lines.clone()));
        }
    }

    /// The line a record starts on, from the position the reader gives it. The reader puts a
    /// record's start where the record before it ended: before the line feed of a CRLF line
    /// end, and before any empty lines it skips (the line numbers would be one or more too
    /// low); so the line feeds from there to the record's first character are counted in.
    fn line_of(&self, p: &csv::Position) -> u64 {
        let text: &[u8] = self.rdr.get_ref().get_ref();
        let ends = usize::try_from(p.byte())
            .ok()
            .and_then(|at| text.get(at..))
            .map_or(0, |rest| rest.iter().take_while(|b| matches!(b, b'\n' | b'\r')).filter(|b| **b == b'\n').count());
        p.line() + ends as u64
    }

    /// A reader of `text[lo..hi]` (`text` from after the header), whose first line is `line`.
    fn stretch(&self, text: &'a [u8], lo: usize, hi: usize, line: u64) -> CsvRows<'a> {
        let rest = std::borrow::Cow::Borrowed(&text[lo..hi]);
        CsvRows {
            file: self.file.clone(),
            header: self.header.clone(),
            rdr: csv_reader(rest),
            blank_lines: Vec::new(),
            n_blank: 0,
            done: false,
            record: Row::new(),
            splittable: false,
            line_offset: line - 1,
        }
    }
}

/// The one way CSV text is read (a stretch of a file is read as the whole file is).
fn csv_reader(text: std::borrow::Cow<'_, [u8]>) -> csv::Reader<std::io::Cursor<std::borrow::Cow<'_, [u8]>>> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 16).from_reader(std::io::Cursor::new(text))
}

/// The warning for `n` blank rows, the first of them (up to [`BLANK_LINES_SHOWN`]) on `lines`.
fn blank_rows(file: &str, n: u64, lines: Vec<u64>) -> Problem {
    let shown: Vec<String> = lines.iter().map(u64::to_string).collect();
    Problem::new(
        Severity::Warning,
        ProblemKind::BlankRows,
        file,
        lines.first().copied(),
        None,
        "",
        format!(
            "{n} blank row(s) ignored and not counted as rows (lines {}{})",
            shown.join(", "),
            if n > BLANK_LINES_SHOWN as u64 { ", ..." } else { "" }
        ),
    )
    .with("rows", Fact::Number(n))
    .with("lines", Fact::Lines(lines))
}

/// The blank rows warnings of `file`'s stretches as one, as reading it whole gives.
pub(crate) fn merge_blank_rows(file: &str, problems: &mut Vec<Problem>) {
    let is_blank_rows = |p: &Problem| p.kind == ProblemKind::BlankRows && p.file == file;
    if problems.iter().filter(|p| is_blank_rows(p)).count() < 2 {
        return;
    }
    let (mut n, mut lines) = (0u64, Vec::new());
    for p in problems.iter().filter(|p| is_blank_rows(p)) {
        if let Some(Fact::Number(k)) = p.fact("rows") {
            n += k;
        }
        if let Some(Fact::Lines(l)) = p.fact("lines") {
            lines.extend(l);
        }
    }
    lines.sort_unstable();
    lines.truncate(BLANK_LINES_SHOWN);
    problems.retain(|p| !is_blank_rows(p));
    problems.push(blank_rows(file, n, lines));
}

/// True when every cell of the row is empty or white space.
fn blank_row(record: &Row) -> bool {
    let all = record.as_slice();
    all.iter().all(u8::is_ascii_whitespace) || std::str::from_utf8(all).is_ok_and(|s| s.trim().is_empty())
}

impl<'a> RowStream for CsvRows<'a> {
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
    fn split(&self, n: usize) -> Option<Vec<CsvRows<'a>>> {
        let whole = self.text_in_place().filter(|_| self.splittable && n > 1 && !self.done)?;
        // From the next row on (after the header), cut after a line end near each n-th.
        let start = usize::try_from(self.rdr.position().byte()).ok()?;
        let text = whole.get(start..)?;
        if text.len() < CSV_STRETCH_MIN_BYTES {
            return None;
        }
        let mut cuts = vec![0];
        for k in 1..n {
            let at = k * text.len() / n;
            if let Some(cut) = memchr::memchr(b'\n', text.get(at..)?).map(|i| at + i + 1).filter(|c| *c < text.len()) {
                if cuts.last().is_some_and(|l| cut > *l) {
                    cuts.push(cut);
                }
            }
        }
        cuts.push(text.len());
        // The line the next row starts on: one after the line ends so far (every one ends a row).
        let mut line = memchr::memchr_iter(b'\n', &whole[..start]).count() as u64 + 1;
        let mut parts = Vec::with_capacity(cuts.len() - 1);
        for w in cuts.windows(2) {
            parts.push(self.stretch(text, w[0], w[1], line));
            line += memchr::memchr_iter(b'\n', &text[w[0]..w[1]]).count() as u64;
        }
        Some(parts)
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

/// Windows-1252 to text (bytes 0x80-0x9F map to the typographic characters Excel writes), by
/// encoding_rs (the WHATWG table, which keeps 0x81, 0x8D, 0x8F, 0x90 and 0x9D as C1 controls).
fn decode_windows_1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
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
