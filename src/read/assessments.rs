//! The assessments table: its columns, the checks on each row, matching each row to its
//! child, and the warnings on records that do not answer the IHA as recorded.

use chrono::NaiveDate;

use super::by_column::{blocks, Block};
use super::children::{ChildIndex, ChildSlot, Finder};
use super::columns::{Col, Columns, RowCheck};
use super::source::{in_stretches, Record, RowStream};
use super::{not_read, trim_cell, Cell, ReadOptions};
use crate::model::{Assessment, AssessmentType, Modality, Outcome};
use crate::policy::IhaExemption;
use crate::report::{Fact, Problem, ProblemKind, RowCounts, Severity};

const ASSESSMENT_COLUMNS: [&str; 5] = ["child_id", "assessment_type", "completed_on", "modality", "outcome"];
const ASSESSMENT_REQUIRED: &[&str] = &["child_id", "assessment_type", "completed_on"];

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

/// "RHA", "virtual IHA", "questionnaire RHA": what a record is, in words.
fn record_words(kind: AssessmentType, modality: Modality) -> String {
    match modality {
        Modality::FaceToFace => kind.as_str().to_string(),
        m => format!("{} {}", m.as_str().replace('_', " "), kind.as_str()),
    }
}

/// What the checks of an assessments table need.
struct Rules<'a> {
    cols: &'a Columns,
    /// child_id, assessment_type, completed_on, modality, outcome.
    cs: [Col; 5],
    file: &'a str,
    children_file: &'a str,
    index: &'a ChildIndex,
    opts: &'a ReadOptions,
    /// Only an IHA done face to face exempts a child ([`IhaExemption::IhaFaceToFace`]).
    strict_iha: bool,
}

/// A candidate for a child's IHA after care_start: (child, date, line, type, modality).
type IhaCandidate = (usize, NaiveDate, u64, AssessmentType, Modality);

/// What one stretch of an assessments table gave: the accepted assessments with their child's
/// index, problems, counts, and the candidates for each child's IHA after care_start.
#[derive(Default)]
struct Part {
    accepted: Vec<(usize, Assessment)>,
    problems: Vec<Problem>,
    counts: RowCounts,
    iha_candidates: Vec<IhaCandidate>,
}

/// What a completed record in the exemption window before care_start, or after it, is to the
/// IHA under the strict rule.
enum IhaRole {
    /// Before care_start and not an IHA done face to face: a warning (it does not exempt).
    NotAnExemption {
        care_start: NaiveDate,
    },
    /// After care_start and not a questionnaire: it may be the record that answers the IHA.
    Candidate,
    Neither,
}

fn iha_role(r: &Rules, i: usize, a: &Assessment) -> IhaRole {
    if !(r.strict_iha && a.outcome == Outcome::Completed) {
        return IhaRole::Neither;
    }
    let care_start = r.index.children[i].care_start;
    // The window's start is worked out only for a record before care_start.
    let in_window = a.completed_on < care_start
        && crate::calendar::sub_months(care_start, r.opts.iha.exemption_months).unwrap_or(care_start) <= a.completed_on;
    if in_window && !(a.kind == AssessmentType::Iha && a.modality == Modality::FaceToFace) {
        IhaRole::NotAnExemption { care_start }
    } else if a.completed_on >= care_start && a.modality != Modality::Questionnaire {
        IhaRole::Candidate
    } else {
        IhaRole::Neither
    }
}

impl Part {
    /// Keep an assessment of child `i` read from `line`.
    fn accept(&mut self, i: usize, a: Assessment, line: u64, candidate: bool) {
        if candidate {
            self.iha_candidates.push((i, a.completed_on, line, a.kind, a.modality));
        }
        self.accepted.push((i, a));
        self.counts.accepted += 1;
    }

    /// The row checks on one row.
    fn check<R: Record + ?Sized>(&mut self, row: &R, line: u64, r: &Rules, finder: &mut Finder) {
        let [c_id, c_type, c_date, c_modality, c_outcome] = r.cs;
        let (children_file, opts) = (r.children_file, r.opts);
        let mut chk = RowCheck { file: r.file, line, cols: r.cols, problems: &mut self.problems, ok: true };
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
                None => {
                    chk.error(ProblemKind::UnknownChild, c_id, id, format!("no child with this child_id in {}", children_file))
                        .add("children_file", Fact::Name(children_file.to_string()));
                }
                Some(ChildSlot::Rejected(cl)) => {
                    chk.error(
                        ProblemKind::ChildRejected,
                        c_id,
                        id,
                        format!("the child's row in {} (line {cl}) was rejected", children_file),
                    )
                    .add("children_file", Fact::Name(children_file.to_string()))
                    .add("child_line", Fact::Line(cl));
                }
                Some(ChildSlot::Accepted(i)) => target = Some(i),
            }
        }
        if let (Some(i), Some(d)) = (target, date) {
            let dob = r.index.children[i].date_of_birth;
            if d < dob {
                let raw = chk.optional(row, c_date).unwrap_or_default().to_string();
                chk.error(
                    ProblemKind::AssessedBeforeBirth,
                    c_date,
                    &raw,
                    format!("assessment dated before the child's date of birth ({dob})"),
                )
                .add("date_of_birth", Fact::Date(dob));
            } else if d > opts.today {
                let raw = chk.optional(row, c_date).unwrap_or_default().to_string();
                chk.warn(
                    ProblemKind::AssessedAfterToday,
                    c_date,
                    &raw,
                    format!("assessment dated after today ({}): probably a typing error", opts.today),
                )
                .add("today", Fact::Date(opts.today));
            }
        }
        match (chk.ok, target, kind, date) {
            (true, Some(i), Some(kind), Some(completed_on)) => {
                let a = Assessment { completed_on, kind, modality, outcome };
                let role = iha_role(r, i, &a);
                if let IhaRole::NotAnExemption { care_start } = role {
                    let raw = chk.optional(row, c_type).unwrap_or_default().to_string();
                    chk.warn(
                        ProblemKind::NotAnIhaExemption,
                        c_type,
                        &raw,
                        format!(
                            "a {} in the {} months before care_start ({care_start}) does not exempt the child from the IHA: \
                             only an IHA done face to face does (regulation 7(2); policy schedule.iha_exemption)",
                            record_words(kind, modality),
                            opts.iha.exemption_months
                        ),
                    )
                    .add("care_start", Fact::Date(care_start))
                    .add("months", Fact::Number(u64::from(opts.iha.exemption_months)));
                }
                self.accept(i, a, line, matches!(role, IhaRole::Candidate));
            }
            _ => self.counts.rejected += 1,
        }
    }
}

/// Rows `rows` of a columnar source (DataFrames), a block at a time by column
/// ([`super::by_column`]): a row whose cells all simply parse, whose child was accepted, dated
/// from the child's birth to today and that no IHA warning speaks of is kept from the parsed
/// columns; any other goes to the row checks ([`Part::check`]). Row r is on line r + 2.
fn assessments_by_column<S: RowStream>(at: &mut S, rows: std::ops::Range<usize>, r: &Rules, finder: &mut Finder, out: &mut Part) {
    let [c_id, c_type, c_date, c_modality, c_outcome] = r.cs;
    let mut to_check = Vec::new();
    for block in blocks(rows) {
        let src: &S = at;
        let n = block.len();
        let mut b = Block::new(block.clone());
        let ids = b.parse(src, c_id, true, |c: Cell<'_>| Ok::<_, ()>(c.text()));
        let kinds = b.parse(src, c_type, true, |c: Cell<'_>| c.parse(parse_assessment_type));
        let dates = b.parse(src, c_date, true, Cell::date);
        let modalities = b.parse(src, c_modality, false, |c: Cell<'_>| c.parse(parse_modality));
        let outcomes = b.parse(src, c_outcome, false, |c: Cell<'_>| c.parse(parse_outcome));
        for j in 0..n {
            let row = block.start + j;
            let fast = match (&ids[j], kinds[j], dates[j], b.slow[j]) {
                (Some(id), Some(kind), Some(completed_on), false) => match finder.find(id) {
                    // Dated from the child's birth to today: no error and no warning on the date.
                    Some(ChildSlot::Accepted(i)) if (r.index.children[i].date_of_birth..=r.opts.today).contains(&completed_on) => {
                        let a = Assessment {
                            completed_on,
                            kind,
                            modality: modalities[j].unwrap_or(Modality::FaceToFace),
                            outcome: outcomes[j].unwrap_or(Outcome::Completed),
                        };
                        match iha_role(r, i, &a) {
                            IhaRole::NotAnExemption { .. } => None,
                            role => Some((i, a, matches!(role, IhaRole::Candidate))),
                        }
                    }
                    _ => None,
                },
                _ => None,
            };
            match fast {
                Some((i, a, candidate)) => out.accept(i, a, row as u64 + 2, candidate),
                None => to_check.push(row),
            }
        }
        for row in to_check.drain(..) {
            if let Some(line) = at.seek(row) {
                out.check(at.row(), line, r, finder);
            }
        }
    }
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
    let strict_iha = opts.iha.exemption == IhaExemption::IhaFaceToFace;
    let rules = Rules {
        cols: &acols,
        cs: [c_id, c_type, c_date, c_modality, c_outcome],
        file: &file,
        children_file,
        index: shared,
        opts,
        strict_iha,
    };
    let parts = in_stretches(at, |at| {
        let mut finder = Finder::new(shared);
        let mut out = Part { accepted: Vec::with_capacity(at.rows_left_hint()), ..Part::default() };
        match at.columnar_rows().filter(|_| !skip) {
            Some(rows) => {
                out.counts.read = rows.len() as u64;
                assessments_by_column(at, rows, &rules, &mut finder, &mut out);
            }
            None => {
                while let Some(line) = at.advance(&mut out.problems) {
                    out.counts.read += 1;
                    if skip {
                        out.counts.rejected += 1;
                    } else {
                        out.check(at.row(), line, &rules, &mut finder);
                    }
                }
            }
        }
        out
    });
    // The record that answers each child's IHA after care_start is the earliest that is not a
    // questionnaire: a warning when it is recorded as an RHA or as virtual.
    let mut first: Vec<IhaCandidate> = parts.iter().flat_map(|p| p.iha_candidates.iter().copied()).collect();
    first.sort_unstable_by_key(|c| (c.0, c.1, c.2));
    first.dedup_by_key(|c| c.0);
    for (i, _, line, kind, modality) in first {
        if kind == AssessmentType::Rha || modality == Modality::Virtual {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    ProblemKind::IhaRecordedOddly,
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
                )
                .with("care_start", Fact::Date(shared.children[i].care_start)),
            );
        }
    }
    // Each child's assessments in one allocation: counted first, then copied in; on every
    // core, each taking the children of its own stretch (and reading past the others').
    let accepted: Vec<&[(usize, Assessment)]> = parts.iter().map(|p| p.accepted.as_slice()).collect();
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
    for p in parts {
        problems.extend(p.problems);
        acounts.read += p.counts.read;
        acounts.accepted += p.counts.accepted;
        acounts.rejected += p.counts.rejected;
    }
    if skip && acounts.read > 0 {
        let why =
            if acols.unusable { "the header is not usable" } else { "the children table could not be read, so no child can be matched" };
        problems.push(not_read(&file, acounts.read, why));
    }
    acounts
}
