//! The DfE SSDA903 return: reading its CSV tables (or its XML form), checking them, and deriving
//! the canonical children table from the episodes (docs/ssda903.md has the mapping field by
//! field). Health assessment dates are not in the 903; they come from an assessments table.

pub mod codes;
mod xml;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::sub_months;
use crate::error::{Error, Result};
use crate::fields::{parse_bool, parse_date, parse_sdq};
use crate::model::{Child, Cohort, NeedSignal, Signals};
use crate::read::{read_assessments, Cell, ChildIndex, Columns, CsvRows, Loaded, RawTable, ReadOptions, RowCheck};
use crate::report::{Fact, InputRecord, Problem, ProblemKind, RowCounts, Severity, ValidationReport};

/// One episode of care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub decom: NaiveDate,
    pub rne: String,
    pub ls: String,
    pub cin: String,
    pub place: String,
    pub dec: Option<NaiveDate>,
    pub rec: String,
    pub line: u64,
}

impl Episode {
    /// True if the episode covers any day from `start` to `end` inclusive.
    pub fn overlaps(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.decom <= end && self.dec.is_none_or(|d| d >= start)
    }
}

/// A missing (M) or away from placement (A) period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPeriod {
    pub kind: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// The OC2 record of a child (flags 0/1; blank = not known).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Oc2Record {
    pub sdq_score: Option<u8>,
    pub convicted: Option<bool>,
    pub health_check: Option<bool>,
    pub immunisations: Option<bool>,
    pub teeth_check: Option<bool>,
    pub health_assessment: Option<bool>,
    pub substance_misuse: Option<bool>,
}

/// Everything the return says about one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child903 {
    pub id: String,
    pub dob: NaiveDate,
    pub sex: Option<char>,
    /// The ETHNIC code, when it is one the DfE lists.
    pub ethnic: Option<String>,
    pub mother: bool,
    pub line: u64,
    /// Sorted by start date.
    pub episodes: Vec<Episode>,
    pub missing: Vec<MissingPeriod>,
    pub uasc: bool,
    pub oc2: Option<Oc2Record>,
}

/// A read and checked return.
#[derive(Debug, Clone)]
pub struct Return903 {
    /// Where it was read from (the folder).
    pub source: String,
    /// Children with a usable header row, sorted by CHILD.
    pub children: Vec<Child903>,
    /// CHILD ids whose header rows were rejected, with the first such line (file, line).
    pub rejected: HashMap<String, (String, u64)>,
    pub report: ValidationReport,
    /// The file name of the header table (CSV) or the XML file.
    pub header_file: String,
}

impl Return903 {
    pub fn get(&self, id: &str) -> Option<&Child903> {
        self.children.binary_search_by(|c| c.id.as_str().cmp(id)).ok().map(|i| &self.children[i])
    }

    /// The collection year end the return covers: the first 31 March on or after the latest
    /// episode start in it (end dates may run past the year end). The default date to derive
    /// the cohort at.
    pub fn year_end(&self) -> Option<NaiveDate> {
        let latest = self.children.iter().flat_map(|c| c.episodes.iter()).map(|e| e.decom).max()?;
        let y = chrono::Datelike::year(&latest);
        let march31 = NaiveDate::from_ymd_opt(y, 3, 31)?;
        if latest <= march31 {
            Some(march31)
        } else {
            NaiveDate::from_ymd_opt(y + 1, 3, 31)
        }
    }

    /// Fails with every problem if the return has any error.
    pub fn check(&self) -> Result<()> {
        if self.report.has_errors() {
            let (errors, warnings) = self.report.problems.iter().cloned().partition(Problem::is_error);
            return Err(Error::Data { errors, warnings });
        }
        Ok(())
    }
}

const TABLES: [&str; 5] = ["header", "episodes", "uasc", "missing", "oc2"];

fn io_error(p: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: p.display().to_string(), source }
}

/// Which table a CSV file is, by its name: `header.csv`, `SSDA903_2020_header.csv`, any case.
pub fn table_of(file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".csv")?;
    TABLES.into_iter().find(|t| stem == *t || stem.ends_with(&format!("_{t}")) || stem.ends_with(&format!("-{t}")))
}

/// The names of the files [`read_dir`] reads from a folder holding `names` (sorted): the first
/// file of each CSV table, or, when there is none, the first XML file. `verify` uses it to
/// tell a new file that would be read from one that would not.
pub fn files_read<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    let mut tables: Vec<(&str, &str)> = Vec::new();
    for n in &sorted {
        if let Some(t) = table_of(n) {
            if !tables.iter().any(|(seen, _)| *seen == t) {
                tables.push((t, n));
            }
        }
    }
    if tables.is_empty() {
        return sorted.into_iter().filter(|n| n.to_ascii_lowercase().ends_with(".xml")).take(1).collect();
    }
    let mut read: Vec<&str> = tables.into_iter().map(|(_, n)| n).collect();
    read.sort_unstable();
    read
}

/// Read a 903 folder. CSV tables are read if there are any (an XML file beside them is ignored
/// with a warning); otherwise the XML return. `year_end` (31 March) sets the code lists and
/// warns about dates after it. Only an unreadable folder or file is an `Err`; data problems are
/// in the report.
pub fn read_dir(dir: &Path, year_end: Option<NaiveDate>) -> Result<Return903> {
    let mut csvs: BTreeMap<&'static str, std::path::PathBuf> = BTreeMap::new();
    let mut inputs = Vec::new();
    let mut xmls = Vec::new();
    let mut problems = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(io_error(dir))?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if let Some(t) = table_of(&name) {
            if let Some(prev) = csvs.get(t) {
                problems.push(
                    Problem::new(
                        Severity::Error,
                        ProblemKind::SecondTable,
                        &path.display().to_string(),
                        None,
                        None,
                        "",
                        format!("a second {t} table (also {})", prev.display()),
                    )
                    .with("table", Fact::Name(t.to_string()))
                    .with("other_file", Fact::Name(prev.display().to_string())),
                );
                continue;
            }
            csvs.insert(t, path);
        } else if name.to_ascii_lowercase().ends_with(".xml") {
            xmls.push(path);
        }
    }
    // Without a year end, the latest code lists (and either SEX coding) apply.
    let year = year_end.map(|d| chrono::Datelike::year(&d));
    let (tables, header_file): (BTreeMap<&str, RawTable>, String) = if !csvs.is_empty() {
        for x in &xmls {
            problems.push(Problem::new(
                Severity::Warning,
                ProblemKind::XmlIgnored,
                &x.display().to_string(),
                None,
                None,
                "",
                "XML return ignored: the folder has CSV tables, which are read instead",
            ));
        }
        let mut tables = BTreeMap::new();
        for (t, path) in &csvs {
            let bytes = std::fs::read(path).map_err(io_error(path))?;
            inputs.push(InputRecord::of("ssda903", path, &bytes));
            tables.insert(*t, RawTable::parse(&path.display().to_string(), &bytes, &mut problems));
        }
        let hf = csvs.get("header").map(|p| p.display().to_string()).unwrap_or_default();
        (tables, hf)
    } else if let Some(x) = xmls.first() {
        for extra in &xmls[1..] {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    ProblemKind::SecondXml,
                    &extra.display().to_string(),
                    None,
                    None,
                    "",
                    format!("a second XML file: only {} is read", x.display()),
                )
                .with("read_file", Fact::Name(x.display().to_string())),
            );
        }
        let bytes = std::fs::read(x).map_err(io_error(x))?;
        inputs.push(InputRecord::of("ssda903", x, &bytes));
        let name = x.display().to_string();
        let text = String::from_utf8_lossy(&bytes);
        let t = xml::parse(&name, &text, &mut problems);
        let tables =
            BTreeMap::from([("header", t.header), ("episodes", t.episodes), ("uasc", t.uasc), ("missing", t.missing), ("oc2", t.oc2)]);
        (tables, name)
    } else {
        (BTreeMap::new(), dir.display().to_string())
    };
    for t in ["header", "episodes"] {
        if !tables.contains_key(t) {
            problems.push(
                Problem::new(
                    Severity::Error,
                    ProblemKind::MissingTable,
                    &dir.display().to_string(),
                    None,
                    None,
                    "",
                    format!("no {t} table in the folder (a file named like {t}.csv, or an XML return)"),
                )
                .with("table", Fact::Name(t.to_string())),
            );
        }
    }
    let mut ret = build(dir, tables, header_file, year, year_end, problems);
    ret.report.inputs = inputs;
    Ok(ret)
}

fn check_code(chk: &mut RowCheck, row: &crate::read::Row, col: &str, list: &[&str]) -> String {
    let v = chk.optional(row, col).unwrap_or_default().to_ascii_uppercase();
    if !v.is_empty() && !list.contains(&v.as_str()) {
        chk.warn(ProblemKind::UnknownCode, col, &v, format!("not a {} code of this collection year", col.to_ascii_uppercase()));
    }
    v
}

/// A value that does not parse is a warning and is treated as blank.
fn lenient<T>(chk: &mut RowCheck, row: &crate::read::Row, col: &str, f: impl Fn(&str) -> std::result::Result<T, String>) -> Option<T> {
    let v = chk.optional(row, col)?;
    match f(&v) {
        Ok(x) => Some(x),
        Err(msg) => {
            chk.warn(ProblemKind::CodeTreatedBlank, col, &v, format!("{msg}; treated as blank"));
            None
        }
    }
}

pub(crate) const HEADER_COLS: &[&str] = &["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];
pub(crate) const EPISODE_COLS: &[&str] =
    &["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"];
pub(crate) const UASC_COLS: &[&str] = &["CHILD", "SEX", "DOB", "DUC"];
pub(crate) const MISSING_COLS: &[&str] = &["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"];
pub(crate) const OC2_COLS: &[&str] = &[
    "CHILD",
    "DOB",
    "SDQ_SCORE",
    "SDQ_REASON",
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
];

// Column names are matched case-insensitively by `Columns`; the lists use the 903's own names.

fn build(
    dir: &Path,
    tables: BTreeMap<&str, RawTable>,
    header_file: String,
    year: Option<i32>,
    year_end: Option<NaiveDate>,
    mut problems: Vec<Problem>,
) -> Return903 {
    let codes = codes::code_lists(year.unwrap_or(i32::MAX));
    let mut counts: Vec<(String, RowCounts)> = Vec::new();
    let mut kids: BTreeMap<String, Child903> = BTreeMap::new();
    let mut rejected: HashMap<String, (String, u64)> = HashMap::new();
    let after_year_end = |d: NaiveDate| year_end.is_some_and(|e| d > e);

    // Header: one row per child; the same CHILD with different DOBs is an error on every row.
    if let Some(t) = tables.get("header") {
        let cols = Columns::new(t, HEADER_COLS, &["CHILD", "DOB"], &mut problems);
        let mut c = RowCounts { read: t.rows.len() as u64, ..Default::default() };
        let mut dobs: HashMap<String, Vec<(u64, String)>> = HashMap::new();
        if !cols.unusable {
            for (line, row) in &t.rows {
                if let (Some(id), Some(d)) = (cols.get(row, "CHILD"), cols.get(row, "DOB")) {
                    dobs.entry(id.to_string()).or_default().push((*line, d.to_string()));
                }
            }
            for (line, row) in &t.rows {
                let mut chk = RowCheck { file: &t.file, line: *line, cols: &cols, problems: &mut problems, ok: true };
                let id = chk.required(row, "CHILD").map(Cow::into_owned);
                let dob = chk.parse_req(row, "DOB", Cell::date);
                let sex_raw = check_code(&mut chk, row, "SEX", &["1", "2", "M", "F", "U"]);
                if year.is_some() && !sex_raw.is_empty() && !codes.sex.contains(&sex_raw.as_str()) {
                    chk.warn(
                        ProblemKind::SexCodeOfOtherYear,
                        "SEX",
                        &sex_raw,
                        format!("SEX coded {} in a year that uses {}", sex_raw, codes.sex.join("/")),
                    );
                }
                let mother = lenient(&mut chk, row, "MOTHER", parse_bool).unwrap_or(false);
                let ethnic = lenient(&mut chk, row, "ETHNIC", |v| {
                    crate::read::ethnic_code(v).map(str::to_string).ok_or_else(|| "not a DfE ETHNIC code".to_string())
                });
                // A row with no DOB field at all (too short) is in no list: its own error says so.
                if let Some(rows) = id.as_ref().and_then(|id| dobs.get(id)) {
                    let id = id.as_deref().unwrap_or_default();
                    if rows.iter().any(|(_, d)| d != &rows[0].1) {
                        let others: Vec<String> = rows.iter().filter(|(l, _)| l != line).map(|(l, d)| format!("{d} on line {l}")).collect();
                        let v = cols.get(row, "DOB").unwrap_or_default().to_string();
                        let also: Vec<u64> = rows.iter().map(|(l, _)| *l).filter(|l| l != line).collect();
                        chk.error(
                            ProblemKind::ConflictingBirthDates,
                            "DOB",
                            &v,
                            format!("the same CHILD has different dates of birth ({})", others.join(", ")),
                        )
                        .add("also_on_lines", Fact::Lines(also));
                    } else if rows.len() > 1 && rows[0].0 != *line {
                        chk.warn(
                            ProblemKind::RepeatedHeader,
                            "CHILD",
                            id,
                            format!("repeated header row (first on line {}): ignored", rows[0].0),
                        )
                        .add("first_line", Fact::Line(rows[0].0));
                        c.accepted += 1;
                        continue;
                    }
                }
                match (chk.ok, id, dob) {
                    (true, Some(id), Some(dob)) => {
                        c.accepted += 1;
                        kids.insert(
                            id.clone(),
                            Child903 {
                                id,
                                dob,
                                sex: codes::normalise_sex(&sex_raw),
                                ethnic,
                                mother,
                                line: *line,
                                episodes: vec![],
                                missing: vec![],
                                uasc: false,
                                oc2: None,
                            },
                        );
                    }
                    (_, id, _) => {
                        c.rejected += 1;
                        if let Some(id) = id {
                            rejected.entry(id).or_insert((t.file.clone(), *line));
                        }
                    }
                }
            }
        } else {
            c.rejected = c.read;
        }
        counts.push((t.file.clone(), c));
    }

    // A row of another table whose CHILD has no usable header row: a warning, and the row is
    // not used (rejected in the counts).
    let orphan = |chk: &mut RowCheck, id: &str, kids: &BTreeMap<String, Child903>, rejected: &HashMap<String, (String, u64)>| -> bool {
        if kids.contains_key(id) {
            return false;
        }
        match rejected.get(id) {
            Some((f, l)) => {
                chk.warn(
                    ProblemKind::HeaderRejected,
                    "CHILD",
                    id,
                    format!("the child's header row ({f}, line {l}) was rejected: row not used"),
                )
                .add("header_file", Fact::Name(f.clone()))
                .add("header_line", Fact::Line(*l));
            }
            None => {
                chk.warn(ProblemKind::NoHeader, "CHILD", id, "no header row for this CHILD: row not used");
            }
        }
        true
    };

    if let Some(t) = tables.get("episodes") {
        let cols = Columns::new(t, EPISODE_COLS, &["CHILD", "DECOM", "RNE", "LS", "DEC", "REC"], &mut problems);
        let mut c = RowCounts { read: t.rows.len() as u64, ..Default::default() };
        if cols.unusable {
            c.rejected = c.read;
        } else {
            for (line, row) in &t.rows {
                let mut chk = RowCheck { file: &t.file, line: *line, cols: &cols, problems: &mut problems, ok: true };
                chk.extra_fields(row);
                let id = chk.required(row, "CHILD").map(Cow::into_owned);
                let decom = chk.parse_req(row, "DECOM", Cell::date);
                let dec = chk.parse_opt(row, "DEC", Cell::date);
                let rne = check_code(&mut chk, row, "RNE", codes.rne);
                let ls = check_code(&mut chk, row, "LS", codes.ls);
                let cin = check_code(&mut chk, row, "CIN", codes.cin);
                let place = check_code(&mut chk, row, "PLACE", &codes.place);
                let rec = check_code(&mut chk, row, "REC", codes.rec);
                if let (Some(s), Some(e)) = (decom, dec) {
                    if e < s {
                        let v = chk.optional(row, "DEC").unwrap_or_default().to_string();
                        chk.warn(ProblemKind::EpisodeEndsBeforeStart, "DEC", &v, format!("episode ends before it starts ({s})"))
                            .add("decom", Fact::Date(s));
                    }
                }
                if dec.is_none() && !rec.is_empty() {
                    chk.warn(ProblemKind::OpenEpisodeWithRec, "REC", &rec, "open episode (no DEC) with a REC code");
                }
                if let Some(d) = decom.filter(|d| after_year_end(*d)) {
                    chk.warn(
                        ProblemKind::EpisodeAfterYearEnd,
                        "DECOM",
                        &d.format("%d/%m/%Y").to_string(),
                        "episode starts after the year end",
                    );
                }
                let (Some(id), Some(decom), true) = (id, decom, chk.ok) else {
                    c.rejected += 1;
                    continue;
                };
                if orphan(&mut chk, &id, &kids, &rejected) {
                    c.rejected += 1;
                    continue;
                }
                c.accepted += 1;
                if let Some(k) = kids.get_mut(&id) {
                    k.episodes.push(Episode { decom, rne, ls, cin, place, dec, rec, line: *line });
                }
            }
        }
        counts.push((t.file.clone(), c));
    }

    if let Some(t) = tables.get("uasc") {
        let cols = Columns::new(t, UASC_COLS, &["CHILD"], &mut problems);
        let mut c = RowCounts { read: t.rows.len() as u64, ..Default::default() };
        for (line, row) in t.rows.iter().filter(|_| !cols.unusable) {
            let mut chk = RowCheck { file: &t.file, line: *line, cols: &cols, problems: &mut problems, ok: true };
            let id = chk.required(row, "CHILD").map(Cow::into_owned);
            lenient(&mut chk, row, "DUC", parse_date);
            match id {
                Some(id) if chk.ok && !orphan(&mut chk, &id, &kids, &rejected) => {
                    c.accepted += 1;
                    if let Some(k) = kids.get_mut(&id) {
                        k.uasc = true;
                    }
                }
                _ => c.rejected += 1,
            }
        }
        if cols.unusable {
            c.rejected = c.read;
        }
        counts.push((t.file.clone(), c));
    }

    if let Some(t) = tables.get("missing") {
        let cols = Columns::new(t, MISSING_COLS, &["CHILD", "MIS_START"], &mut problems);
        let mut c = RowCounts { read: t.rows.len() as u64, ..Default::default() };
        for (line, row) in t.rows.iter().filter(|_| !cols.unusable) {
            let mut chk = RowCheck { file: &t.file, line: *line, cols: &cols, problems: &mut problems, ok: true };
            let id = chk.required(row, "CHILD").map(Cow::into_owned);
            let kind = check_code(&mut chk, row, "MISSING", codes.missing);
            let start = lenient(&mut chk, row, "MIS_START", parse_date);
            let end = lenient(&mut chk, row, "MIS_END", parse_date);
            match (id, start) {
                (Some(id), Some(start)) if chk.ok && !orphan(&mut chk, &id, &kids, &rejected) => {
                    c.accepted += 1;
                    if let Some(k) = kids.get_mut(&id) {
                        k.missing.push(MissingPeriod { kind, start, end });
                    }
                }
                _ => c.rejected += 1,
            }
        }
        if cols.unusable {
            c.rejected = c.read;
        }
        counts.push((t.file.clone(), c));
    }

    if let Some(t) = tables.get("oc2") {
        let cols = Columns::new(t, OC2_COLS, &["CHILD"], &mut problems);
        let mut c = RowCounts { read: t.rows.len() as u64, ..Default::default() };
        for (line, row) in t.rows.iter().filter(|_| !cols.unusable) {
            let mut chk = RowCheck { file: &t.file, line: *line, cols: &cols, problems: &mut problems, ok: true };
            let id = chk.required(row, "CHILD").map(Cow::into_owned);
            let rec = Oc2Record {
                sdq_score: lenient(&mut chk, row, "SDQ_SCORE", parse_sdq),
                convicted: lenient(&mut chk, row, "CONVICTED", parse_bool),
                health_check: lenient(&mut chk, row, "HEALTH_CHECK", parse_bool),
                immunisations: lenient(&mut chk, row, "IMMUNISATIONS", parse_bool),
                teeth_check: lenient(&mut chk, row, "TEETH_CHECK", parse_bool),
                health_assessment: lenient(&mut chk, row, "HEALTH_ASSESSMENT", parse_bool),
                substance_misuse: lenient(&mut chk, row, "SUBSTANCE_MISUSE", parse_bool),
            };
            match id {
                Some(id) if chk.ok && !orphan(&mut chk, &id, &kids, &rejected) => {
                    let k = kids.get_mut(&id);
                    match k {
                        Some(k) if k.oc2.is_some() => {
                            chk.warn(ProblemKind::SecondOc2Row, "CHILD", &id, "a second OC2 row for this child: ignored");
                            c.accepted += 1;
                        }
                        Some(k) => {
                            k.oc2 = Some(rec);
                            c.accepted += 1;
                        }
                        None => c.rejected += 1,
                    }
                }
                _ => c.rejected += 1,
            }
        }
        if cols.unusable {
            c.rejected = c.read;
        }
        counts.push((t.file.clone(), c));
    }

    // Cross-record checks: overlapping episodes.
    for k in kids.values_mut() {
        k.episodes.sort_by_key(|e| (e.decom, e.line));
        for w in k.episodes.windows(2) {
            if w[0].dec.is_none_or(|d| d > w[1].decom) {
                let file = tables.get("episodes").map(|t| t.file.clone()).unwrap_or_default();
                problems.push(
                    Problem::new(
                        Severity::Warning,
                        ProblemKind::OverlappingEpisodes,
                        &file,
                        Some(w[1].line),
                        Some("DECOM"),
                        &w[1].decom.format("%d/%m/%Y").to_string(),
                        format!("episode starts before the previous one (line {}) ends", w[0].line),
                    )
                    .with("previous_line", Fact::Line(w[0].line)),
                );
            }
        }
        k.missing.sort_by_key(|m| m.start);
    }
    let order: HashMap<String, usize> = counts.iter().enumerate().map(|(i, (f, _))| (f.clone(), i)).collect();
    problems.sort_by_key(|p| (order.get(&p.file).copied().unwrap_or(usize::MAX), p.line));
    Return903 {
        source: dir.display().to_string(),
        children: kids.into_values().collect(),
        rejected,
        report: ValidationReport { problems, tables: counts, inputs: Vec::new() },
        header_file,
    }
}

/// The current period of care at `as_of`: the chain of episodes (each ending with REC X1 and
/// the next starting that day or before) that contains the latest episode starting on or
/// before `as_of`; or, if none has started, the first chain. Returns (start, end, episodes).
pub fn period_at(episodes: &[Episode], as_of: NaiveDate) -> Option<(NaiveDate, Option<NaiveDate>, &[Episode])> {
    if episodes.is_empty() {
        return None;
    }
    // Split into periods: a new period starts after an episode that ended with a REC other
    // than X1 (or a gap between episodes).
    let mut periods: Vec<&[Episode]> = Vec::new();
    let mut start = 0;
    for i in 1..episodes.len() {
        let prev = &episodes[i - 1];
        let care_goes_on = prev.rec == "X1" || prev.rec.is_empty();
        let no_gap = prev.dec.is_none_or(|d| d >= episodes[i].decom);
        if !(care_goes_on && no_gap) {
            periods.push(&episodes[start..i]);
            start = i;
        }
    }
    periods.push(&episodes[start..]);
    let chosen = periods.iter().rev().find(|p| p[0].decom <= as_of).or(periods.first())?;
    let last = chosen.last()?;
    let end = if last.rec != "X1" { last.dec } else { None };
    Some((chosen[0].decom, end, chosen))
}

/// The canonical child at `as_of`, derived from the return (docs/ssda903.md).
pub fn derive_child(k: &Child903, as_of: NaiveDate) -> Option<Child> {
    let (care_start, care_end, period) = period_at(&k.episodes, as_of)?;
    let current = period.iter().rev().find(|e| e.decom <= as_of).unwrap_or(&period[0]);
    let year_ago = sub_months(as_of, 12).unwrap_or(as_of);
    let in_last_year = |d: NaiveDate| d > year_ago && d <= as_of;
    let moves = period.iter().filter(|e| matches!(e.rne.as_str(), "P" | "T" | "B" | "U") && in_last_year(e.decom)).count() as u32;
    let missing_episodes = k.missing.iter().filter(|m| in_last_year(m.start)).count() as u32;
    let missing_now = k.missing.iter().any(|m| m.start <= as_of && m.end.is_none_or(|e| e > as_of));
    let oc2 = k.oc2.clone().unwrap_or_default();
    Some(Child {
        id: k.id.as_str().into(),
        date_of_birth: k.dob,
        care_start,
        care_end,
        legal_status: (!current.ls.is_empty()).then(|| current.ls.as_str().into()),
        uasc: k.uasc,
        missing: missing_now,
        locality: None,
        sdq_score: oc2.sdq_score,
        // The OC2 SDQ is the collection year's; its date is not in the return.
        sdq_date: None,
        signals: signals_903(k, period, current, &oc2),
        placement_moves_12m: Some(moves),
        missing_episodes_12m: Some(missing_episodes),
        // Kept for the equality impact (as the children table codes them).
        sex: match k.sex {
            Some('M') => Some("1".into()),
            Some('F') => Some("2".into()),
            _ => None,
        },
        ethnicity: k.ethnic.as_deref().map(Into::into),
        provider: None,
        last_dental_check: None,
        immunisations_up_to_date: None,
        camhs_referral: None,
        assessments: Vec::new(),
    })
}

/// The need signals a 903 return can give: a disability as the category of need (N2), a
/// mother, youth justice (legal status J1-J3 or placement R5) as yes when recorded; substance
/// misuse from OC2 as yes or no. The return says nothing of the others, or of a "no" for the
/// first three, so they stay unknown (docs/ssda903.md), never no.
fn signals_903(k: &Child903, period: &[Episode], current: &Episode, oc2: &Oc2Record) -> Signals {
    let mut s = Signals::default();
    let yes = |on: bool| if on { Some(true) } else { None };
    s.set(NeedSignal::Disability, yes(period.iter().any(|e| e.cin == "N2")));
    s.set(NeedSignal::PregnantOrParent, yes(k.mother));
    s.set(NeedSignal::YouthJustice, yes(matches!(current.ls.as_str(), "J1" | "J2" | "J3") || current.place == "R5"));
    s.set(NeedSignal::SubstanceMisuse, oc2.substance_misuse);
    s
}

/// A 903 return folder read and derived at `as_of` (default: the year end the return covers,
/// else `opts.today`), joined to the assessments CSV file if given: the loaded cohort (with the
/// whole report) and the date it was derived at. `year_end` sets the code lists (as
/// [`read_dir`]). Only an unreadable folder or file is an `Err`.
pub fn load_dir_cohort(
    dir: &Path,
    assessments: Option<&Path>,
    as_of: Option<NaiveDate>,
    year_end: Option<NaiveDate>,
    opts: &ReadOptions,
) -> Result<(Loaded, NaiveDate)> {
    let ret = read_dir(dir, year_end)?;
    let at = as_of.or_else(|| ret.year_end()).unwrap_or(opts.today);
    let bytes = match assessments {
        Some(p) => Some(std::fs::read(p).map_err(io_error(p))?),
        None => None,
    };
    let name = assessments.map(|p| p.display().to_string()).unwrap_or_default();
    let mut loaded = load_cohort(&ret, at, bytes.as_deref().map(|b| (name.as_str(), b)), opts);
    if let (Some(p), Some(b)) = (assessments, &bytes) {
        loaded.report.inputs.push(InputRecord::of("assessments", p, b));
    }
    Ok((loaded, at))
}

/// The cohort at `as_of` from a return and, optionally, an assessments table (CSV bytes).
/// Children with no episode are left out with a warning. Fails (in the report) on any error in
/// the return or the assessments.
pub fn load_cohort(ret: &Return903, as_of: NaiveDate, assessments: Option<(&str, &[u8])>, opts: &ReadOptions) -> Loaded {
    let mut problems = ret.report.problems.clone();
    let mut tables = ret.report.tables.clone();
    let mut children = Vec::new();
    for k in &ret.children {
        match derive_child(k, as_of) {
            Some(c) => children.push(c),
            None => problems.push(Problem::new(
                Severity::Warning,
                ProblemKind::NoEpisode,
                &ret.header_file,
                Some(k.line),
                Some("CHILD"),
                &k.id,
                "no episode of care: not in the cohort",
            )),
        }
    }
    let rejected = ret.rejected.iter().map(|(id, (_, line))| (id.clone(), *line)).collect();
    let mut index = ChildIndex::new(children, rejected);
    if let Some((name, bytes)) = assessments {
        let mut at = CsvRows::new(name, bytes, &mut problems);
        let counts = read_assessments(&mut at, &mut index, &ret.header_file, true, opts, &mut problems);
        tables.push((name.to_string(), counts));
    }
    let children = index.children;
    let inputs = ret.report.inputs.clone();
    Loaded { cohort: Cohort::from_children(children), report: ValidationReport { problems, tables, inputs } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        assert_eq!(table_of("header.csv"), Some("header"));
        assert_eq!(table_of("SSDA903_2020_Header.CSV"), Some("header"));
        assert_eq!(table_of("SSDA903_2020_episodes.csv"), Some("episodes"));
        assert_eq!(table_of("oc2.csv"), Some("oc2"));
        assert_eq!(table_of("notes.txt"), None);
        assert_eq!(table_of("subheader.csv"), None);
        assert_eq!(files_read(&["fake_903.xml", "header.csv", "README.md", "episodes.csv"]), ["episodes.csv", "header.csv"]);
        assert_eq!(files_read(&["b.xml", "a.xml", "LICENSE"]), ["a.xml"]);
        assert!(files_read(&["notes.txt"]).is_empty());
    }
}
