//! Clinician overrides: a CSV of child_id, tier and/or modality, reason, decided_by (and
//! optionally decided_on), checked like every other input.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::{Cohort, Modality};
use crate::policy::Policy;
use crate::read::{parse_modality, Cell, Columns, RawTable, RowCheck};
use crate::report::{Fact, Problem, ProblemKind, Severity};

/// A clinician's decision for one child, applied after the rules and shown in `reasons`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub child_id: String,
    /// Tier name as in the policy (`P1`..`P4` by default).
    pub tier: Option<String>,
    pub modality: Option<Modality>,
    pub reason: String,
    pub decided_by: String,
    pub decided_on: Option<NaiveDate>,
    /// Line of the overrides file.
    pub line: u64,
}

const COLUMNS: &[&str] = &["child_id", "tier", "modality", "reason", "decided_by", "decided_on"];
const REQUIRED: &[&str] = &["child_id", "reason", "decided_by"];

/// Read and check overrides against the cohort and the policy's tiers. Any error (unknown child,
/// no reason, no decision-maker, neither tier nor modality, unknown tier or modality, two rows
/// for one child) fails the whole file with every problem; warnings are returned.
pub fn read_overrides(file: &str, bytes: &[u8], cohort: &Cohort, policy: &Policy) -> Result<(Vec<Override>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let table = RawTable::parse(file, bytes, &mut problems);
    let cols = Columns::new(&table, COLUMNS, REQUIRED, &mut problems);
    let mut out: Vec<Override> = Vec::new();
    if !cols.unusable {
        if !cols.has("tier") && !cols.has("modality") {
            problems.push(Problem::new(
                Severity::Error,
                ProblemKind::OverrideWithoutChange,
                file,
                Some(1),
                None,
                "",
                "overrides need a tier or a modality column",
            ));
        }
        for (line, row) in &table.rows {
            let mut chk = RowCheck { file, line: *line, cols: &cols, problems: &mut problems, ok: true };
            chk.extra_fields(row);
            let id = chk.required(row, "child_id").map(Cow::into_owned);
            let reason = chk.required(row, "reason").map(Cow::into_owned);
            let decided_by = chk.required(row, "decided_by").map(Cow::into_owned);
            for (col, text) in [("child_id", &id), ("reason", &reason), ("decided_by", &decided_by)] {
                if let Some(text) = text {
                    chk.formula_like(col, text);
                }
            }
            let decided_on = chk.parse_opt(row, "decided_on", Cell::date);
            let tier = chk.parse_opt(row, "tier", |t| {
                policy.triage.tier_index(&t.text()).map(|i| policy.triage.tiers[i].name.clone()).ok_or_else(|| {
                    let names: Vec<&str> = policy.triage.tiers.iter().map(|t| t.name.as_str()).collect();
                    format!("unknown tier (expected one of {})", names.join(", "))
                })
            });
            let modality = chk.parse_opt(row, "modality", |c| c.parse(parse_modality));
            let tier_blank = chk.optional(row, "tier").is_none();
            let modality_blank = chk.optional(row, "modality").is_none();
            if tier_blank && modality_blank {
                chk.error(ProblemKind::OverrideWithoutChange, "tier", "", "an override needs a tier or a modality");
            }
            if let Some(id) = &id {
                if cohort.get(id).is_none() {
                    chk.error(ProblemKind::UnknownChild, "child_id", id, "no child with this child_id in the cohort");
                } else if let Some(prev) = out.iter().find(|o| &o.child_id == id) {
                    chk.error(
                        ProblemKind::SecondOverride,
                        "child_id",
                        id,
                        format!("a second override for this child (first on line {})", prev.line),
                    )
                    .add("first_line", Fact::Line(prev.line));
                }
            }
            if chk.ok {
                if let (Some(child_id), Some(reason), Some(decided_by)) = (id, reason, decided_by) {
                    out.push(Override { child_id, tier, modality, reason, decided_by, decided_on, line: *line });
                }
            }
        }
    }
    let (errors, warnings): (Vec<Problem>, Vec<Problem>) = problems.into_iter().partition(Problem::is_error);
    if !errors.is_empty() {
        return Err(Error::Data { errors, warnings });
    }
    Ok((out, warnings))
}
