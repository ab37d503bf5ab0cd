//! The nurse's worklist: the worklist as a designated nurse works from it in Excel (issue 21):
//! plain-English headers and values, the child's date of birth, locality and last assessment
//! beside the triage, and empty columns to work in. Codes stay in the CSV and the API
//! ([`crate::table::worklist_table`]); this table is for people. Python writes it to .xlsx with
//! the formatting (tier colours, UK dates, print set-up and the "About" sheet).

use chrono::NaiveDate;

use crate::model::{AssessmentType, Cohort, Modality};
use crate::schedule::AgeBand;
use crate::table::{worklist_table, ColumnData, Role, Table};
use crate::triage::{NeedLevel, Worklist};

/// The nurse's worklist columns, in order (docs/triage.md "The nurse's workbook").
pub const NURSE_COLUMNS: [&str; 20] = [
    "Rank",
    "Child ID",
    "Priority",
    "Book by",
    "Assessment",
    "Due date",
    "Days overdue",
    "Date of birth",
    "Age band",
    "Locality",
    "Last assessment",
    "Recommended format",
    "Clinical need",
    "Red flags",
    "Reasons",
    "Override by",
    "Override on",
    "Override reason",
    "Booked on",
    "Notes",
];

/// An assessment type in words.
pub fn assessment_words(code: &str) -> &'static str {
    match code {
        c if c == AssessmentType::Iha.as_str() => "Initial health assessment",
        c if c == AssessmentType::Rha.as_str() => "Review health assessment",
        _ => "None due",
    }
}

/// A recommended format in words.
pub fn modality_words(code: &str) -> &'static str {
    match code {
        c if c == Modality::FaceToFace.as_str() => "Face to face",
        c if c == Modality::Virtual.as_str() => "Virtual",
        c if c == Modality::Questionnaire.as_str() => "Questionnaire-led",
        _ => "",
    }
}

/// An age band in words.
pub fn age_band_words(code: &str) -> &'static str {
    match code {
        c if c == AgeBand::Under5.as_str() => "Under 5",
        c if c == AgeBand::FiveTo16.as_str() => "5 to 16",
        c if c == AgeBand::Plus17.as_str() => "17 and over",
        _ => "",
    }
}

/// A clinical need level in words.
pub fn need_words(code: &str) -> &'static str {
    match code {
        c if c == NeedLevel::High.as_str() => "High",
        c if c == NeedLevel::Moderate.as_str() => "Moderate",
        c if c == NeedLevel::Low.as_str() => "Low",
        _ => "Not known",
    }
}

/// A list of codes (`a;b_c`) in words (`a, b c`).
fn codes_in_words(codes: &str) -> String {
    codes.split(';').filter(|c| !c.is_empty()).map(|c| c.replace('_', " ")).collect::<Vec<_>>().join(", ")
}

/// A worklist column under its new name (keeping its role and where a clinician's words
/// begin), or `fallback` when the worklist has no such column.
fn put(t: &mut Table, name: &str, col: Option<crate::table::Column>, fallback: ColumnData) {
    match col {
        Some(mut c) => {
            c.name = name.to_string();
            t.columns.push(c);
        }
        None => t.push(name, fallback),
    }
}

/// The nurse's worklist for `wl`, with each child's date of birth, locality and last assessment
/// from `cohort` (the cohort the worklist was made from). Roles are set as in the worklist, so
/// [`Table::pseudonymised`] and [`Table::values_hidden`] work on it too.
pub fn nurse_table(wl: &std::sync::Arc<Worklist>, cohort: &Cohort) -> Table {
    let mut w = worklist_table(wl);
    let n = w.n_rows();
    let mut take = |name: &str| w.columns.iter().position(|c| c.name == name).map(|i| w.columns.remove(i));
    let texts = |c: &Option<crate::table::Column>| -> Vec<String> {
        c.as_ref().map(|c| (0..n).map(|i| c.data.cell(i)).collect()).unwrap_or_else(|| vec![String::new(); n])
    };
    let words =
        |c: &Option<crate::table::Column>, f: &dyn Fn(&str) -> String| ColumnData::Str(texts(c).iter().map(|v| Some(f(v))).collect());
    let rank = take("rank");
    let id = take("child_id");
    let ids = texts(&id);
    let tier = take("tier");
    let book_by = take("book_by");
    let next = take("next_assessment");
    let due = take("due_date");
    let days = take("days_overdue");
    let band = take("age_band");
    let modality = take("recommended_modality");
    let need = take("clinical_need");
    let flags = take("red_flags");
    let reasons = take("reasons");
    let by = take("override_by");
    let on = take("override_on");
    let why = take("override_reason");
    // Each row knows its child's place in the cohort; the id is checked, in case another
    // cohort is given.
    let children: Vec<Option<&crate::model::Child>> = wl
        .rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| cohort.children.get(r.child).filter(|c| c.id.as_str() == id).or_else(|| cohort.get(id)))
        .collect();
    let dates = |f: &dyn Fn(&crate::model::Child) -> Option<NaiveDate>| ColumnData::Date(children.iter().map(|c| c.and_then(f)).collect());
    let last = wl.rows.iter().map(|r| r.status.last_assessment).collect();

    let blank_int = || ColumnData::Int(vec![None; n]);
    let blank_date = || ColumnData::Date(vec![None; n]);
    let blank_str = || ColumnData::Str(vec![None; n]);
    let mut t = Table::default();
    put(&mut t, "Rank", rank, blank_int());
    put(&mut t, "Child ID", id, blank_str());
    put(&mut t, "Priority", tier, blank_str());
    put(&mut t, "Book by", book_by, blank_date());
    t.push("Assessment", words(&next, &|v| assessment_words(v).to_string()));
    put(&mut t, "Due date", due, blank_date());
    put(&mut t, "Days overdue", days, blank_int());
    t.push_as("Date of birth", Role::DateOfBirth, dates(&|c| Some(c.date_of_birth)));
    t.push("Age band", words(&band, &|v| age_band_words(v).to_string()));
    t.push("Locality", ColumnData::Str(children.iter().map(|c| c.and_then(|c| c.locality.as_deref().map(str::to_string))).collect()));
    t.push("Last assessment", ColumnData::Date(last));
    t.push("Recommended format", words(&modality, &|v| modality_words(v).to_string()));
    t.push("Clinical need", words(&need, &|v| need_words(v).to_string()));
    t.push("Red flags", words(&flags, &codes_in_words));
    put(&mut t, "Reasons", reasons, blank_str());
    put(&mut t, "Override by", by, blank_str());
    put(&mut t, "Override on", on, blank_date());
    put(&mut t, "Override reason", why, blank_str());
    t.push("Booked on", blank_date());
    t.push("Notes", blank_str());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words() {
        assert_eq!(assessment_words("IHA"), "Initial health assessment");
        assert_eq!(assessment_words("RHA"), "Review health assessment");
        assert_eq!(modality_words("face_to_face"), "Face to face");
        assert_eq!(modality_words("questionnaire"), "Questionnaire-led");
        assert_eq!(age_band_words("5_to_16"), "5 to 16");
        assert_eq!(age_band_words("17_plus"), "17 and over");
        assert_eq!(need_words("unknown"), "Not known");
        assert_eq!(codes_in_words("self_harm;iha_under_1"), "self harm, iha under 1");
    }
}

/// Which rows of a worklist to keep ([`filtered`]): each list empty keeps every row, else a row
/// is kept when its value is in the list. Tiers by name (`P1`), age bands, formats and
/// statuses by code or in words, localities as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorklistFilter {
    pub tiers: Vec<String>,
    pub age_bands: Vec<String>,
    pub modalities: Vec<String>,
    pub localities: Vec<String>,
    pub statuses: Vec<String>,
}

impl WorklistFilter {
    /// Values that name no tier, age band, format or status the worklist knows: a typing error
    /// would otherwise keep no row and look like an empty list.
    pub fn unknown(&self, wl: &Worklist, cohort: &Cohort) -> Vec<String> {
        let tiers: Vec<&str> = wl.policy.triage.tiers.iter().map(|t| t.name.as_str()).collect();
        let known_band = |v: &str| {
            [AgeBand::Under5, AgeBand::FiveTo16, AgeBand::Plus17].iter().any(|b| b.as_str() == v || age_band_words(b.as_str()) == v)
        };
        let known_modality = |v: &str| {
            [Modality::FaceToFace, Modality::Virtual, Modality::Questionnaire]
                .iter()
                .any(|m| m.as_str() == v || modality_words(m.as_str()) == v)
        };
        let known_status = |v: &str| matches!(v, "overdue" | "due_soon" | "Overdue" | "Due soon");
        let mut out = Vec::new();
        out.extend(self.tiers.iter().filter(|v| !tiers.contains(&v.as_str())).map(|v| format!("tier {v:?}")));
        out.extend(self.age_bands.iter().filter(|v| !known_band(v)).map(|v| format!("age band {v:?}")));
        out.extend(self.modalities.iter().filter(|v| !known_modality(v)).map(|v| format!("format {v:?}")));
        out.extend(self.statuses.iter().filter(|v| !known_status(v)).map(|v| format!("status {v:?}")));
        let known_locality = |v: &str| cohort.children.iter().any(|c| c.locality.as_deref() == Some(v));
        out.extend(self.localities.iter().filter(|v| !known_locality(v)).map(|v| format!("locality {v:?}")));
        out
    }

    fn keeps(&self, wl: &Worklist, row: &crate::triage::WorklistRow, cohort: &Cohort) -> bool {
        let any = |list: &[String], code: &str, words: &str| list.is_empty() || list.iter().any(|v| v == code || v == words);
        let status = row.status.status.as_str();
        let status_words = if status == "due_soon" { "Due soon" } else { "Overdue" };
        let band = row.status.age_band.as_str();
        let locality = cohort.children.get(row.child).and_then(|c| c.locality.as_deref()).unwrap_or("");
        any(&self.tiers, wl.tier_name(row), wl.tier_name(row))
            && any(&self.age_bands, band, age_band_words(band))
            && any(&self.modalities, row.modality.as_str(), modality_words(row.modality.as_str()))
            && any(&self.localities, locality, locality)
            && any(&self.statuses, status, status_words)
    }
}

/// The rows of `wl` that `f` keeps, in order, keeping their ranks (a P1-only list still says
/// where each child stands overall). Exports the same way as the whole worklist.
pub fn filtered(wl: &Worklist, cohort: &Cohort, f: &WorklistFilter) -> Worklist {
    wl.retained(|row| f.keeps(wl, row, cohort))
}
