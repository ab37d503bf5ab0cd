//! The children table: its columns, the checks on each row, duplicate and look-alike ids, and
//! the index assessments are matched against.

use chrono::NaiveDate;

use super::by_column::{blocks, Block};
use super::columns::{Col, Columns, RowCheck};
use super::source::{in_stretches, Record, RowStream};
use super::{not_read, Cell, ReadOptions};
use crate::model::{Child, NeedSignal, ShortText, Signals};
use crate::report::{Fact, Problem, ProblemKind, RowCounts, Severity};

/// The 903 legal status codes (a warning, not an error, for any other code).
pub const LEGAL_STATUS_CODES: &[&str] = &["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"];

/// The children table's columns, in the order the cohort is written (`table::write_children_csv`):
/// the eight need signals then `out_of_area` stand at [`SIGNALS_FROM`] (a test holds them to
/// [`NeedSignal::ALL`]).
pub const CHILD_COLUMNS: &[&str] = &[
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
    "sex",
    "ethnicity",
    "provider",
    "last_dental_check",
    "immunisations_up_to_date",
    "camhs_referral",
];

/// The 903's SEX codes (1 male, 2 female), and the words read as them.
pub const SEX_CODES: [(&str, &str); 2] = [("1", "male"), ("2", "female")];

/// The DfE's ETHNIC codes (903 return), each with its group for the equality impact.
pub const ETHNIC_CODES: [(&str, &str); 20] = [
    ("WBRI", "White"),
    ("WIRI", "White"),
    ("WIRT", "White"),
    ("WOTH", "White"),
    ("WROM", "White"),
    ("MWBC", "Mixed"),
    ("MWBA", "Mixed"),
    ("MWAS", "Mixed"),
    ("MOTH", "Mixed"),
    ("AIND", "Asian"),
    ("APKN", "Asian"),
    ("ABAN", "Asian"),
    ("AOTH", "Asian"),
    ("BCRB", "Black"),
    ("BAFR", "Black"),
    ("BOTH", "Black"),
    ("CHNE", "Other"),
    ("OOTH", "Other"),
    ("REFU", "Not recorded"),
    ("NOBT", "Not recorded"),
];

/// A sex as its 903 code (`1`, `2`, or `M`/`F`/`male`/`female` read as them); None otherwise.
pub fn sex_code(v: &str) -> Option<&'static str> {
    let v = v.trim();
    SEX_CODES.iter().find(|(code, word)| v == *code || v.eq_ignore_ascii_case(word) || v.eq_ignore_ascii_case(&word[..1])).map(|(c, _)| *c)
}

/// An ETHNIC code as the DfE lists it (upper case); None when it is not one.
pub fn ethnic_code(v: &str) -> Option<&'static str> {
    let v = v.trim();
    ETHNIC_CODES.iter().find(|(code, _)| v.eq_ignore_ascii_case(code)).map(|(c, _)| *c)
}
const CHILD_REQUIRED: &[&str] = &["child_id", "date_of_birth", "care_start"];
/// Where the need signals (and `out_of_area` after them) begin in [`CHILD_COLUMNS`].
const SIGNALS_FROM: usize = 9;

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
    sex: Col,
    ethnicity: Col,
    provider: Col,
    last_dental_check: Col,
    immunisations_up_to_date: Col,
    camhs_referral: Col,
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
            signals: std::array::from_fn(|i| c.col(CHILD_COLUMNS[SIGNALS_FROM + i])),
            placement_moves_12m: c.col("placement_moves_12m"),
            missing_episodes_12m: c.col("missing_episodes_12m"),
            sex: c.col("sex"),
            ethnicity: c.col("ethnicity"),
            provider: c.col("provider"),
            last_dental_check: c.col("last_dental_check"),
            immunisations_up_to_date: c.col("immunisations_up_to_date"),
            camhs_referral: c.col("camhs_referral"),
        }
    }
}

/// A care_start more than this many years after today is rejected: a typing error (2100 for
/// 2010) would otherwise take the child out of every worklist without a word.
pub const LATEST_CARE_START_YEARS: u32 = 1;

/// Care ends by this age, so no child starts care at it or later (a date of birth this far
/// before care_start is a typing error).
pub const CARE_STARTS_BEFORE_AGE: u32 = 18;

/// A row's dates that rules across cells compare.
struct RowDates {
    date_of_birth: Option<NaiveDate>,
    care_start: Option<NaiveDate>,
    care_end: Option<NaiveDate>,
    last_dental_check: Option<NaiveDate>,
}

/// A rule across a row's dates that rejects the row (with care_start where it names it).
#[derive(Debug, Clone, Copy)]
enum DateBreak {
    DentalAfterToday,
    BornAfterToday,
    CareStartTooLate,
    BornTooLongBeforeCare(NaiveDate),
    BornAfterCareStart(NaiveDate),
    CareEndBeforeStart(NaiveDate),
}

/// The rules across a row's dates that it breaks, in the order the row checks report them.
fn date_breaks(d: &RowDates, today: NaiveDate, latest_care_start: Option<NaiveDate>) -> impl Iterator<Item = DateBreak> {
    use chrono::Datelike as _;
    let both = d.date_of_birth.zip(d.care_start);
    // Born CARE_STARTS_BEFORE_AGE years or more before care_start; a year earlier than that
    // year is enough to know without the month arithmetic.
    let too_long = both.filter(|(dob, cs)| {
        dob.year() <= cs.year() - CARE_STARTS_BEFORE_AGE as i32
            && crate::calendar::sub_months(*cs, 12 * CARE_STARTS_BEFORE_AGE).is_some_and(|l| *dob <= l)
    });
    [
        d.last_dental_check.is_some_and(|x| x > today).then_some(DateBreak::DentalAfterToday),
        d.date_of_birth.is_some_and(|x| x > today).then_some(DateBreak::BornAfterToday),
        d.care_start.zip(latest_care_start).is_some_and(|(cs, l)| cs > l).then_some(DateBreak::CareStartTooLate),
        too_long.map(|(_, cs)| DateBreak::BornTooLongBeforeCare(cs)),
        both.filter(|(dob, cs)| dob > cs).map(|(_, cs)| DateBreak::BornAfterCareStart(cs)),
        d.care_start.zip(d.care_end).filter(|(cs, ce)| ce < cs).map(|(cs, _)| DateBreak::CareEndBeforeStart(cs)),
    ]
    .into_iter()
    .flatten()
}

/// A legal status as read: upper case (a code not in [`LEGAL_STATUS_CODES`] is kept, with a
/// warning).
fn legal_status_code(s: &str) -> ShortText {
    let mut code = ShortText::from(s);
    code.make_ascii_uppercase();
    code
}

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
    let legal_status = chk.optional(row, k.legal_status).map(|s| legal_status_code(&s));
    if let Some(ls) = &legal_status {
        if !LEGAL_STATUS_CODES.contains(&ls.as_str()) {
            let raw = chk.optional(row, k.legal_status).unwrap_or_default().to_string();
            chk.warn(ProblemKind::UnknownCode, k.legal_status, &raw, "not a 903 legal status code (C1, C2, D1, E1, J1-J3, L1-L3, V2-V4)");
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
    // Sex and ethnicity are for the equality impact only: a value that is not a 903 code is
    // warned about and read as not recorded.
    let sex = chk.optional(row, k.sex).and_then(|v| match sex_code(&v) {
        Some(c) => Some(ShortText::from(c)),
        None => {
            chk.warn(ProblemKind::UnknownCode, k.sex, &v, "not a 903 SEX code (1 male, 2 female): read as not recorded");
            None
        }
    });
    let ethnicity = chk.optional(row, k.ethnicity).and_then(|v| match ethnic_code(&v) {
        Some(c) => Some(ShortText::from(c)),
        None => {
            chk.warn(
                ProblemKind::UnknownCode,
                k.ethnicity,
                &v,
                "not a DfE ETHNIC code (WBRI, MWBC, AIND, BAFR, ...): read as not recorded",
            );
            None
        }
    });
    let provider = chk.optional(row, k.provider).map(|s| ShortText::from(&*s));
    if let Some(p) = &provider {
        chk.formula_like(k.provider, p);
    }
    // The follow-ups' columns (docs/pathway.md): blank is not recorded, never no.
    let last_dental_check = chk.parse_opt(row, k.last_dental_check, Cell::date);
    let immunisations_up_to_date = chk.parse_opt(row, k.immunisations_up_to_date, Cell::boolean);
    let camhs_referral = chk.parse_opt(row, k.camhs_referral, Cell::boolean);
    let dates = RowDates { date_of_birth: dob, care_start, care_end, last_dental_check };
    for rule in date_breaks(&dates, today, latest_care_start) {
        let (col, kind, msg, fact) = match rule {
            // A check in the future would hide a check that is due.
            DateBreak::DentalAfterToday => {
                (k.last_dental_check, ProblemKind::InvalidValue, format!("dental check after today ({today})"), ("today", today))
            }
            DateBreak::BornAfterToday => {
                (k.date_of_birth, ProblemKind::BornAfterToday, format!("date of birth is after today ({today})"), ("today", today))
            }
            DateBreak::CareStartTooLate => (
                k.care_start,
                ProblemKind::CareStartTooLate,
                format!("care_start is more than {LATEST_CARE_START_YEARS} year after today ({today}): a typing error?"),
                ("today", today),
            ),
            DateBreak::BornTooLongBeforeCare(cs) => (
                k.date_of_birth,
                ProblemKind::BornTooLongBeforeCare,
                format!(
                    "date of birth is {CARE_STARTS_BEFORE_AGE} or more years before care_start ({cs}): no child starts care at \
                     {CARE_STARTS_BEFORE_AGE}"
                ),
                ("care_start", cs),
            ),
            DateBreak::BornAfterCareStart(cs) => {
                (k.date_of_birth, ProblemKind::BornAfterCareStart, format!("date of birth is after care_start ({cs})"), ("care_start", cs))
            }
            DateBreak::CareEndBeforeStart(cs) => {
                (k.care_end, ProblemKind::CareEndBeforeStart, format!("care_end is before care_start ({cs})"), ("care_start", cs))
            }
        };
        let v = chk.optional(row, col).unwrap_or_default().to_string();
        chk.error(kind, col, &v, msg).add(fact.0, Fact::Date(fact.1));
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
        sex,
        ethnicity,
        provider,
        last_dental_check,
        immunisations_up_to_date,
        camhs_referral,
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

/// What the checks of a children table need: its columns and the dates rules compare with.
struct Rules<'a> {
    k: &'a ChildCols,
    cols: &'a Columns,
    file: &'a str,
    today: NaiveDate,
    /// Today plus [`LATEST_CARE_START_YEARS`].
    latest_care_start: Option<NaiveDate>,
}

/// What one stretch of a children table gave: accepted children and the line of each (kept
/// apart, so the children move only once), rejected ids with their line, problems, rows read.
#[derive(Default)]
struct Stretch {
    kids: Vec<Child>,
    lines: Vec<u64>,
    rejected: Vec<(String, u64)>,
    problems: Vec<Problem>,
    read: u64,
}

impl Stretch {
    /// The row checks ([`child_row`]) on one row.
    fn check<R: Record + ?Sized>(&mut self, row: &R, line: u64, r: &Rules) {
        let mut chk = RowCheck { file: r.file, line, cols: r.cols, problems: &mut self.problems, ok: true };
        match child_row(row, r.k, &mut chk, r.today, r.latest_care_start) {
            Some(c) => {
                self.kids.push(c);
                self.lines.push(line);
            }
            None => {
                if let Some(id) = r.cols.cell(row, r.k.child_id).filter(|v| !v.is_blank()) {
                    self.rejected.push((id.text().into_owned(), line));
                }
            }
        }
    }
}

/// Text that needs no check: anything but a formula-like start (a warning).
fn plain_text(c: Cell<'_>) -> Result<ShortText, ()> {
    let t = c.text();
    if crate::table::looks_like_formula(&t) {
        Err(())
    } else {
        Ok(ShortText::from(&*t))
    }
}

/// Rows `rows` of a columnar source (DataFrames), a block at a time by column
/// ([`super::by_column`]): a row whose cells all simply parse and whose dates break no rule is
/// built from the parsed columns; any other goes to the row checks ([`child_row`]), which
/// report it. Row r is on line r + 2.
fn children_by_column<S: RowStream>(ct: &mut S, rows: std::ops::Range<usize>, r: &Rules, out: &mut Stretch) {
    let k = r.k;
    for block in blocks(rows) {
        let src: &S = ct;
        let n = block.len();
        let mut b = Block::new(block.clone());
        let mut ids = b.parse(src, k.child_id, true, plain_text);
        let dob = b.parse(src, k.date_of_birth, true, Cell::date);
        let care_start = b.parse(src, k.care_start, true, Cell::date);
        let care_end = b.parse(src, k.care_end, false, Cell::date);
        let mut legal_status = b.parse(src, k.legal_status, false, |c: Cell<'_>| {
            Some(legal_status_code(&c.text())).filter(|code| LEGAL_STATUS_CODES.contains(&code.as_str())).ok_or(())
        });
        let uasc = b.parse(src, k.uasc, false, Cell::boolean);
        let missing = b.parse(src, k.missing, false, Cell::boolean);
        let mut locality = b.parse(src, k.locality, false, plain_text);
        let sdq_score = b.parse(src, k.sdq_score, false, Cell::sdq);
        let sdq_date = b.parse(src, k.sdq_date, false, Cell::date);
        let signals: Vec<Vec<Option<bool>>> = k.signals.iter().map(|col| b.parse(src, *col, false, Cell::boolean)).collect();
        let moves = b.parse(src, k.placement_moves_12m, false, Cell::count);
        let episodes = b.parse(src, k.missing_episodes_12m, false, Cell::count);
        let mut sex = b.parse(src, k.sex, false, |c: Cell<'_>| sex_code(&c.text()).map(ShortText::from).ok_or(()));
        let mut ethnicity = b.parse(src, k.ethnicity, false, |c: Cell<'_>| ethnic_code(&c.text()).map(ShortText::from).ok_or(()));
        let mut provider = b.parse(src, k.provider, false, plain_text);
        let dental = b.parse(src, k.last_dental_check, false, Cell::date);
        let immunisations = b.parse(src, k.immunisations_up_to_date, false, Cell::boolean);
        let camhs = b.parse(src, k.camhs_referral, false, Cell::boolean);
        // The parsed columns own their values, so the rows are visited in order (the children
        // stay in row order, which the look-alike warnings' pairing follows) and a row that
        // needs them goes to the row checks at once.
        let slow = std::mem::take(&mut b.slow);
        drop(b);
        for i in 0..n {
            let dates = RowDates { date_of_birth: dob[i], care_start: care_start[i], care_end: care_end[i], last_dental_check: dental[i] };
            let (Some(id), Some(date_of_birth), Some(start), false) =
                (ids[i].take(), dob[i], care_start[i], slow[i] || date_breaks(&dates, r.today, r.latest_care_start).next().is_some())
            else {
                if let Some(line) = ct.seek(block.start + i) {
                    out.check(ct.row(), line, r);
                }
                continue;
            };
            let mut sig = Signals::default();
            for (s, col) in NeedSignal::ALL.into_iter().zip(&signals) {
                sig.set(s, col[i]);
            }
            sig.out_of_area = signals[8][i].unwrap_or(false);
            out.kids.push(Child {
                id,
                date_of_birth,
                care_start: start,
                care_end: care_end[i],
                legal_status: legal_status[i].take(),
                uasc: uasc[i].unwrap_or(false),
                missing: missing[i].unwrap_or(false),
                locality: locality[i].take(),
                sdq_score: sdq_score[i],
                sdq_date: sdq_date[i],
                signals: sig,
                placement_moves_12m: moves[i],
                missing_episodes_12m: episodes[i],
                sex: sex[i].take(),
                ethnicity: ethnicity[i].take(),
                provider: provider[i].take(),
                last_dental_check: dental[i],
                immunisations_up_to_date: immunisations[i],
                camhs_referral: camhs[i],
                assessments: Vec::new(),
            });
            out.lines.push(block.start as u64 + i as u64 + 2);
        }
    }
}

/// Read the children table into an index. Every row of a duplicated child_id is rejected
/// (there is no safe pick), each with an error naming the other lines.
pub(crate) fn read_children(ct: &mut impl RowStream, opts: &ReadOptions, problems: &mut Vec<Problem>) -> (ChildIndex, RowCounts, bool) {
    let file = ct.file().to_string();
    let ccols = Columns::of_header(&file, ct.header(), CHILD_COLUMNS, CHILD_REQUIRED, problems);
    let mut counts = RowCounts::default();
    let k = ChildCols::new(&ccols);
    let latest_care_start = crate::calendar::add_months(opts.today, 12 * LATEST_CARE_START_YEARS);
    // Each stretch of rows: accepted children and the line of each (kept apart, so the
    // children move only once), rejected ids, problems, rows read.
    let rules = Rules { k: &k, cols: &ccols, file: &file, today: opts.today, latest_care_start };
    let parts = in_stretches(ct, |ct| {
        let n = ct.rows_left_hint();
        let mut out = Stretch { kids: Vec::with_capacity(n), lines: Vec::with_capacity(n), ..Stretch::default() };
        match ct.columnar_rows().filter(|_| !ccols.unusable) {
            Some(rows) => {
                out.read = rows.len() as u64;
                children_by_column(ct, rows, &rules, &mut out);
            }
            None => {
                while let Some(line) = ct.advance(&mut out.problems) {
                    out.read += 1;
                    if !ccols.unusable {
                        out.check(ct.row(), line, &rules);
                    }
                }
            }
        }
        out
    });
    let (mut kids, mut lines, mut rejected): (Vec<Child>, Vec<u64>, Vec<(String, u64)>) = (Vec::new(), Vec::new(), Vec::new());
    for part in parts {
        if kids.is_empty() {
            (kids, lines) = (part.kids, part.lines);
        } else {
            kids.extend(part.kids);
            lines.extend(part.lines);
        }
        rejected.extend(part.rejected);
        problems.extend(part.problems);
        counts.read += part.read;
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
            let other_lines: Vec<u64> = lines.iter().copied().filter(|l| *l != line).collect();
            problems.push(
                Problem::new(
                    Severity::Error,
                    ProblemKind::DuplicateChildId,
                    &file,
                    Some(line),
                    Some(ccols.name("child_id")),
                    id,
                    format!("duplicate child_id (also on line {})", others.join(", ")),
                )
                .with("also_on_lines", Fact::Lines(other_lines)),
            );
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
        problems.push(
            Problem::new(
                Severity::Warning,
                ProblemKind::LookAlikeChildId,
                file,
                Some(ids[later].1),
                Some(column),
                ids[later].0,
                format!(
                    "this child_id differs from the one on line {} only in letter case, Unicode form, invisible characters or \
                 leading zeros: read as two children; check they are not the same child",
                    ids[earlier].1
                ),
            )
            .with("other_line", Fact::Line(ids[earlier].1)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signal_columns_are_the_need_signals_then_out_of_area() {
        let names: Vec<&str> = NeedSignal::ALL.iter().map(|s| s.name()).chain(["out_of_area"]).collect();
        assert_eq!(&CHILD_COLUMNS[SIGNALS_FROM..SIGNALS_FROM + 9], names.as_slice());
    }
}
