//! The column and row-check toolkit shared by every table reader (children, assessments, the
//! 903 return, overrides): known columns found case-insensitively, cells fetched by column,
//! and each row's checks recorded as problems naming file, line, column and value.

use std::borrow::Cow;
use std::collections::HashMap;

use super::source::{FastMap, RawTable, Record, Row};
use super::{cell, Cell};
use crate::report::{Fact, Problem, ProblemKind, Severity};

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
                (if known_col { &mut *problems } else { &mut unknown }).push(
                    Problem::new(
                        if known_col { Severity::Error } else { Severity::Warning },
                        ProblemKind::DuplicateColumn,
                        file,
                        Some(1),
                        Some(name),
                        name,
                        format!("duplicate column (also column {} of the header)", first + 1),
                    )
                    .with("also_column", Fact::Number(first as u64 + 1)),
                );
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
                    ProblemKind::UnknownColumn,
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
                ProblemKind::WrongFile,
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
                    problems.push(Problem::new(
                        Severity::Error,
                        ProblemKind::MissingColumn,
                        file,
                        Some(1),
                        Some(req),
                        "",
                        "required column is missing",
                    ));
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

impl Col {
    /// Where the column is in the table, if it has it.
    pub fn at(self) -> Option<usize> {
        self.idx
    }
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
    /// An error of this row (the row is rejected); the problem is returned to add facts to.
    pub fn error(&mut self, kind: ProblemKind, col: impl ColKey, value: &str, msg: impl Into<String>) -> &mut Problem {
        self.ok = false;
        self.push(Severity::Error, kind, col, value, msg)
    }

    /// A warning about this row (the row is kept); the problem is returned to add facts to.
    pub fn warn(&mut self, kind: ProblemKind, col: impl ColKey, value: &str, msg: impl Into<String>) -> &mut Problem {
        self.push(Severity::Warning, kind, col, value, msg)
    }

    fn push(&mut self, severity: Severity, kind: ProblemKind, col: impl ColKey, value: &str, msg: impl Into<String>) -> &mut Problem {
        let name = self.cols.name(col).to_string();
        self.problems.push(Problem::new(severity, kind, self.file, Some(self.line), Some(&name), value, msg));
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    /// A warning for text that a spreadsheet would run as a formula (it starts with `=`, `+`,
    /// `-` or `@`): kept as it is, but outputs write it as text (docs/bad-input.md).
    pub fn formula_like(&mut self, col: impl ColKey, text: &str) {
        if crate::table::looks_like_formula(text) {
            self.warn(
                ProblemKind::FormulaLike,
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
                self.error(ProblemKind::RequiredBlank, col, &v.text(), "required value is blank");
                None
            }
            None => {
                self.error(ProblemKind::RequiredMissing, col, "", "required value is missing (row has too few fields)");
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
        self.error(ProblemKind::InvalidValue, col, &v.text(), msg);
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
            self.problems.push(
                Problem::new(
                    Severity::Error,
                    ProblemKind::TooManyFields,
                    self.file,
                    Some(self.line),
                    None,
                    &v,
                    format!("row has {} fields but the header has {}", width, n),
                )
                .with("fields", Fact::Number(width as u64))
                .with("header_fields", Fact::Number(n as u64)),
            );
            self.ok = false;
        }
    }
}
