//! The assessments table: its columns, the checks on each row, matching each row to its
//! child, and the warnings on records that do not answer the IHA as recorded.

use chrono::NaiveDate;

use super::children::{ChildIndex, ChildSlot, Finder};
use super::columns::{Columns, RowCheck};
use super::source::{in_stretches, RowStream};
use super::{not_read, trim_cell, Cell, ReadOptions};
use crate::model::{Assessment, AssessmentType, Modality, Outcome};
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
                let dob = shared.children[i].date_of_birth;
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
                    if strict_iha && outcome == Outcome::Completed {
                        let care_start = shared.children[i].care_start;
                        let window = crate::calendar::sub_months(care_start, opts.iha.exemption_months).unwrap_or(care_start);
                        if (window..care_start).contains(&completed_on)
                            && !(kind == AssessmentType::Iha && modality == Modality::FaceToFace)
                        {
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
