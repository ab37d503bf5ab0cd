//! The policy: every number and rule the library applies, in one serde struct with a TOML form.
//! `Policy::default()` is the statutory policy for England (DOMAIN.md sections 2-3,
//! INTERFACE.md section 3). docs/policy.md documents every field and the reason for its default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// All policy settings. Unknown keys in a TOML file are an error, so a typo never passes silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub schedule: SchedulePolicy,
    pub age_bands: AgeBandPolicy,
    pub calendar: CalendarPolicy,
}

/// How the IHA deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    /// Monday to Friday, not a bank holiday or an extra closure (the statutory 20 working days).
    WorkingDays,
    /// Calendar days (Kent's "28 days").
    CalendarDays,
}

/// The anniversary of a 29 February birth in a common year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeapDayBirthday {
    /// 1 March: the child has not completed the year until 28 February has passed.
    March1,
    /// 28 February.
    February28,
}

/// Which age sets the review interval when a review would straddle the cadence-change birthday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CadenceAge {
    /// Age on the date of the previous assessment (the contract's default).
    PreviousAssessment,
    /// Age on the date the shorter interval would fall due: a child who would be 5 or over then
    /// gets the longer interval.
    DueDate,
}

/// The statutory schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulePolicy {
    /// IHA due this many days (see `iha_deadline_unit`) after care_start.
    pub iha_deadline: u32,
    pub iha_deadline_unit: DeadlineUnit,
    /// No IHA is needed if a health assessment was completed this many calendar months before
    /// care_start or later.
    pub iha_exemption_months: u32,
    /// Review interval in calendar months for a child under `cadence_change_age`.
    pub rha_interval_months_under_cadence_age: u32,
    /// Review interval in calendar months for a child of `cadence_change_age` or over.
    pub rha_interval_months_from_cadence_age: u32,
    /// The birthday at which reviews go from the shorter to the longer interval (5).
    pub cadence_change_age: u32,
    pub cadence_age: CadenceAge,
    /// No assessment is due on or after this birthday (18: the child leaves care).
    pub leaves_care_age: u32,
    /// `due_soon` when the due date is within this many days from as_of, inclusive.
    pub due_soon_days: u32,
    /// 903 legal status codes of short breaks, for which no assessment is due (matched
    /// case-insensitively).
    pub short_break_legal_statuses: Vec<String>,
    pub leap_day_birthday: LeapDayBirthday,
}

/// The age bands reported and used by triage. The labels are fixed by the contract
/// (`under_5`, `5_to_16`, `17_plus`); these are the ages at which they change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgeBandPolicy {
    /// `under_5` below this age.
    pub under_5_below: u32,
    /// `17_plus` from this age.
    pub plus_17_from: u32,
}

/// Which public holidays close the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankHolidays {
    /// England and Wales bank holidays: the regular rules and the irregular dates since 1995.
    EnglandAndWales,
    /// No bank holidays (weekends and `extra_closures` only).
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarPolicy {
    pub bank_holidays: BankHolidays,
    /// Further days that are not working days: a local closure, a future special bank holiday.
    pub extra_closures: Vec<NaiveDate>,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy {
            iha_deadline: 20,
            iha_deadline_unit: DeadlineUnit::WorkingDays,
            iha_exemption_months: 3,
            rha_interval_months_under_cadence_age: 6,
            rha_interval_months_from_cadence_age: 12,
            cadence_change_age: 5,
            cadence_age: CadenceAge::PreviousAssessment,
            leaves_care_age: 18,
            due_soon_days: 28,
            short_break_legal_statuses: vec!["V3".to_string(), "V4".to_string()],
            leap_day_birthday: LeapDayBirthday::March1,
        }
    }
}

impl Default for AgeBandPolicy {
    fn default() -> Self {
        AgeBandPolicy { under_5_below: 5, plus_17_from: 17 }
    }
}

impl Default for CalendarPolicy {
    fn default() -> Self {
        CalendarPolicy { bank_holidays: BankHolidays::EnglandAndWales, extra_closures: Vec::new() }
    }
}

impl Default for Policy {
    /// The statutory policy for England.
    fn default() -> Self {
        Policy {
            schedule: SchedulePolicy::default(),
            age_bands: AgeBandPolicy::default(),
            calendar: CalendarPolicy::default(),
        }
    }
}

impl Policy {
    /// Kent's variant: the IHA within 28 calendar days of entering care.
    pub fn with_calendar_day_iha(mut self, days: u32) -> Self {
        self.schedule.iha_deadline = days;
        self.schedule.iha_deadline_unit = DeadlineUnit::CalendarDays;
        self
    }

    /// Parse a policy from TOML text; keys left out take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Policy> {
        let policy: Policy = toml::from_str(text).map_err(|e| Error::Policy(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Read a policy from a TOML file.
    pub fn from_toml_file(path: &std::path::Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        Policy::from_toml_str(&text)
            .map_err(|e| Error::Policy(format!("{}: {}", path.display(), e.to_string().trim_start_matches("invalid policy: "))))
    }

    /// The policy in full as TOML.
    pub fn to_toml(&self) -> String {
        // Serialising plain structs of numbers, strings, enums and dates cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Check that the numbers make sense together.
    pub fn validate(&self) -> Result<()> {
        let s = &self.schedule;
        let bad = |msg: String| Err(Error::Policy(msg));
        if s.iha_deadline == 0 || s.iha_deadline > 366 {
            return bad(format!("schedule.iha_deadline must be 1 to 366, not {}", s.iha_deadline));
        }
        if s.iha_exemption_months > 24 {
            return bad(format!("schedule.iha_exemption_months must be 0 to 24, not {}", s.iha_exemption_months));
        }
        for (name, v) in [
            ("rha_interval_months_under_cadence_age", s.rha_interval_months_under_cadence_age),
            ("rha_interval_months_from_cadence_age", s.rha_interval_months_from_cadence_age),
        ] {
            if v == 0 || v > 60 {
                return bad(format!("schedule.{name} must be 1 to 60, not {v}"));
            }
        }
        if s.leaves_care_age == 0 || s.leaves_care_age > 25 {
            return bad(format!("schedule.leaves_care_age must be 1 to 25, not {}", s.leaves_care_age));
        }
        if s.cadence_change_age >= s.leaves_care_age {
            return bad(format!(
                "schedule.cadence_change_age ({}) must be below schedule.leaves_care_age ({})",
                s.cadence_change_age, s.leaves_care_age
            ));
        }
        if s.due_soon_days > 366 {
            return bad(format!("schedule.due_soon_days must be 0 to 366, not {}", s.due_soon_days));
        }
        let b = &self.age_bands;
        if b.under_5_below >= b.plus_17_from {
            return bad(format!(
                "age_bands.under_5_below ({}) must be below age_bands.plus_17_from ({})",
                b.under_5_below, b.plus_17_from
            ));
        }
        Ok(())
    }

    /// True if the legal status is one of the short-break codes.
    pub fn is_short_break(&self, legal_status: &str) -> bool {
        self.schedule
            .short_break_legal_statuses
            .iter()
            .any(|c| c.eq_ignore_ascii_case(legal_status.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let p = Policy::default();
        let text = p.to_toml();
        assert_eq!(Policy::from_toml_str(&text).unwrap(), p);
    }

    #[test]
    fn empty_toml_is_the_default() {
        assert_eq!(Policy::from_toml_str("").unwrap(), Policy::default());
    }

    #[test]
    fn kent_28_calendar_days_is_one_setting() {
        let p = Policy::from_toml_str("[schedule]\niha_deadline = 28\niha_deadline_unit = \"calendar_days\"\n").unwrap();
        assert_eq!(p, Policy::default().with_calendar_day_iha(28));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = Policy::from_toml_str("[schedule]\niha_deadlin = 28\n").unwrap_err();
        assert!(e.to_string().contains("iha_deadlin"), "{e}");
    }

    #[test]
    fn impossible_numbers_are_errors() {
        assert!(Policy::from_toml_str("[schedule]\niha_deadline = 0\n").is_err());
        assert!(Policy::from_toml_str("[schedule]\ncadence_change_age = 18\n").is_err());
        assert!(Policy::from_toml_str("[age_bands]\nunder_5_below = 17\n").is_err());
    }

    #[test]
    fn extra_closures_are_dates() {
        let p = Policy::from_toml_str("[calendar]\nextra_closures = [\"2030-01-02\"]\n").unwrap();
        assert_eq!(p.calendar.extra_closures, vec![NaiveDate::from_ymd_opt(2030, 1, 2).unwrap()]);
        assert!(Policy::from_toml_str("[calendar]\nextra_closures = [\"2030-02-30\"]\n").is_err());
    }

    #[test]
    fn short_break_codes_match_case_insensitively() {
        let p = Policy::default();
        assert!(p.is_short_break("v3"));
        assert!(p.is_short_break("V4"));
        assert!(!p.is_short_break("C2"));
    }
}
