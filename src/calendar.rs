//! Working days, England and Wales bank holidays, calendar-month arithmetic and ages.

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate, Weekday};

use serde::{Deserialize, Serialize};

/// The anniversary of a 29 February birth in a common year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeapDayBirthday {
    /// 1 March: the child has not completed the year until 28 February has passed.
    /// (`march_1`, as the docs once showed it, is read too.)
    #[serde(alias = "march_1")]
    March1,
    /// 28 February.
    #[serde(alias = "february_28")]
    February28,
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

/// A change to the regular bank holiday rules in one year.
#[derive(Debug, Clone, Copy)]
enum Irregular {
    /// An extra bank holiday.
    Extra(NaiveDate),
    /// A regular bank holiday moved: (from the regular date, to this date).
    Moved(NaiveDate, NaiveDate),
}

const fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(x) => x,
        None => panic!("invalid constant date"),
    }
}

/// Irregular England and Wales bank holidays since 1995 (docs/schedule.md "Bank holidays", from the published
/// proclamations for 1995, 1999 and 2002). Kept as data: users add further dates through the
/// policy's `calendar.extra_closures`.
const IRREGULAR: &[Irregular] = &[
    Irregular::Moved(d(1995, 5, 1), d(1995, 5, 8)),  // VE Day 50th anniversary
    Irregular::Extra(d(1999, 12, 31)),               // Millennium
    Irregular::Moved(d(2002, 5, 27), d(2002, 6, 4)), // Golden Jubilee: spring moved
    Irregular::Extra(d(2002, 6, 3)),                 // Golden Jubilee
    Irregular::Extra(d(2011, 4, 29)),                // Royal wedding
    Irregular::Moved(d(2012, 5, 28), d(2012, 6, 4)), // Diamond Jubilee: spring moved
    Irregular::Extra(d(2012, 6, 5)),                 // Diamond Jubilee
    Irregular::Moved(d(2020, 5, 4), d(2020, 5, 8)),  // VE Day 75th: early May moved to Friday
    Irregular::Moved(d(2022, 5, 30), d(2022, 6, 2)), // Platinum Jubilee: spring moved
    Irregular::Extra(d(2022, 6, 3)),                 // Platinum Jubilee
    Irregular::Extra(d(2022, 9, 19)),                // State funeral of Queen Elizabeth II
    Irregular::Extra(d(2023, 5, 8)),                 // Coronation of King Charles III
];

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d_ = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d_ - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

fn first_weekday_of_month(year: i32, month: u32, wd: Weekday) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, wd, 1)
}

fn last_weekday_of_month(year: i32, month: u32, wd: Weekday) -> Option<NaiveDate> {
    let last = last_day_of_month(year, month)?;
    let back = (last.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
    last.checked_sub_days(chrono::Days::new(back as u64))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The regular England and Wales bank holidays of a year, with substitute days, before the
/// irregular changes.
fn regular_bank_holidays(year: i32) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(8);
    // New Year's Day, or the next weekday.
    if let Some(ny) = NaiveDate::from_ymd_opt(year, 1, 1) {
        out.push(next_weekday(ny));
    }
    let easter = easter_sunday(year);
    out.extend(easter.checked_sub_days(chrono::Days::new(2))); // Good Friday
    out.extend(easter.checked_add_days(chrono::Days::new(1))); // Easter Monday
    out.extend(first_weekday_of_month(year, 5, Weekday::Mon)); // early May
    out.extend(last_weekday_of_month(year, 5, Weekday::Mon)); // spring
    out.extend(last_weekday_of_month(year, 8, Weekday::Mon)); // summer
                                                              // Christmas Day and Boxing Day: a day that falls at a weekend moves to the next weekday not
                                                              // already a holiday.
    if let (Some(xmas), Some(boxing)) = (NaiveDate::from_ymd_opt(year, 12, 25), NaiveDate::from_ymd_opt(year, 12, 26)) {
        let x = next_weekday(xmas);
        let mut b = next_weekday(boxing);
        if b == x {
            b = next_weekday(b.succ_opt().unwrap_or(b));
        }
        out.push(x);
        out.push(b);
    }
    out
}

fn next_weekday(mut day: NaiveDate) -> NaiveDate {
    while is_weekend(day) {
        match day.succ_opt() {
            Some(n) => day = n,
            None => break,
        }
    }
    day
}

/// England and Wales bank holidays of a year, irregular changes applied, sorted.
pub fn england_and_wales_bank_holidays(year: i32) -> Vec<NaiveDate> {
    let mut days = regular_bank_holidays(year);
    for irr in IRREGULAR {
        match *irr {
            Irregular::Extra(x) if x.year() == year => days.push(x),
            Irregular::Moved(from, to) if from.year() == year => {
                days.retain(|&x| x != from);
                days.push(to);
            }
            _ => {}
        }
    }
    days.sort();
    days.dedup();
    days
}

/// Years for which holidays are precomputed; dates outside are computed when asked.
const PRECOMPUTED_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Working-day calendar built once from the policy: weekends, bank holidays and extra closures.
/// Over the precomputed years it answers in constant time from two dense tables: which days
/// are closed, and how many working days come before each day.
#[derive(Debug, Clone)]
pub struct Calendar {
    bank_holidays: BankHolidays,
    /// Extra closures outside the precomputed years.
    other_closures: HashSet<NaiveDate>,
    first: NaiveDate,
    /// closed[i]: day first + i is a bank holiday or an extra closure.
    closed: Vec<bool>,
    /// working_before[i]: working days from `first` up to, not including, day first + i.
    working_before: Vec<u32>,
    /// The working days, in order: working[k] is the offset from `first` of the k-th.
    working: Vec<u32>,
}

impl Calendar {
    /// The calendar with `bank_holidays` and the `extra_closures` closed (the policy's
    /// `[calendar]` section).
    pub fn new(bank_holidays: BankHolidays, extra_closures: &[NaiveDate]) -> Calendar {
        let first = NaiveDate::from_ymd_opt(*PRECOMPUTED_YEARS.start(), 1, 1).unwrap_or(NaiveDate::MIN);
        let end = NaiveDate::from_ymd_opt(*PRECOMPUTED_YEARS.end() + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        let days = (end - first).num_days() as usize;
        let mut closed = vec![false; days];
        let mut other_closures = HashSet::new();
        let mut mark = |d: NaiveDate, closed: &mut Vec<bool>| {
            let i = (d - first).num_days();
            if (0..days as i64).contains(&i) {
                closed[i as usize] = true;
            } else {
                other_closures.insert(d);
            }
        };
        for d in extra_closures {
            mark(*d, &mut closed);
        }
        if bank_holidays == BankHolidays::EnglandAndWales {
            for y in PRECOMPUTED_YEARS {
                for d in england_and_wales_bank_holidays(y) {
                    mark(d, &mut closed);
                }
            }
        }
        let mut working_before = Vec::with_capacity(days);
        let mut working = Vec::new();
        let mut day = first;
        for (i, c) in closed.iter().enumerate() {
            working_before.push(working.len() as u32);
            if !c && !is_weekend(day) {
                working.push(i as u32);
            }
            day = day.succ_opt().unwrap_or(day);
        }
        Calendar { bank_holidays, other_closures, first, closed, working_before, working }
    }

    fn offset(&self, day: NaiveDate) -> Option<usize> {
        let i = (day - self.first).num_days();
        (0..self.closed.len() as i64).contains(&i).then_some(i as usize)
    }

    /// True if the day is a bank holiday or an extra closure (whatever the weekday).
    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        match self.offset(day) {
            Some(i) => self.closed[i],
            None => {
                self.other_closures.contains(&day)
                    || (self.bank_holidays == BankHolidays::EnglandAndWales && england_and_wales_bank_holidays(day.year()).contains(&day))
            }
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !is_weekend(day) && !self.is_holiday(day)
    }

    /// The `n`th working day after `start` (`start` itself is day 0 and is not counted).
    /// `None` only past the end of the representable calendar.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(start);
        }
        if let Some(i) = self.offset(start) {
            // Working days up to and including `start`, then the n-th after.
            let upto = self.working_before[i] as usize + usize::from(self.is_working_day(start));
            if let Some(&off) = self.working.get(upto + n as usize - 1) {
                return self.first.checked_add_days(chrono::Days::new(u64::from(off)));
            }
        }
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt()?;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }
}

/// `date` plus `months` calendar months; a day that does not exist in the target month is
/// clamped to its last day (31 August + 6 months = 28 or 29 February).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// `date` minus `months` calendar months, clamped to month end like [`add_months`].
pub fn sub_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(months))
}

/// The `years`th birthday of a child born on `dob`. A 29 February birthday falls on 1 March or
/// 28 February in common years, as the policy says.
pub fn anniversary(dob: NaiveDate, years: u32, leap: LeapDayBirthday) -> Option<NaiveDate> {
    let year = dob.year().checked_add(i32::try_from(years).ok()?)?;
    match NaiveDate::from_ymd_opt(year, dob.month(), dob.day()) {
        Some(x) => Some(x),
        // Only 29 February can be missing.
        None => match leap {
            LeapDayBirthday::March1 => NaiveDate::from_ymd_opt(year, 3, 1),
            LeapDayBirthday::February28 => NaiveDate::from_ymd_opt(year, 2, 28),
        },
    }
}

/// Age in whole years on `on` (0 before the first birthday; negative days before birth give 0).
pub fn age_on(dob: NaiveDate, on: NaiveDate, leap: LeapDayBirthday) -> u32 {
    if on <= dob {
        return 0;
    }
    let mut years = (on.year() - dob.year()).max(0) as u32;
    while years > 0 {
        match anniversary(dob, years, leap) {
            Some(a) if a <= on => break,
            _ => years -= 1,
        }
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2021), ymd(2021, 4, 4));
        assert_eq!(easter_sunday(2022), ymd(2022, 4, 17));
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2038), ymd(2038, 4, 25));
    }

    #[test]
    fn christmas_substitutes() {
        // 2021: Christmas Saturday, Boxing Day Sunday -> Monday 27, Tuesday 28.
        let h = england_and_wales_bank_holidays(2021);
        assert!(h.contains(&ymd(2021, 12, 27)) && h.contains(&ymd(2021, 12, 28)));
        // 2022: Christmas Sunday -> Boxing Day Monday 26, substitute Tuesday 27; New Year 2022
        // was a Saturday -> Monday 3 January.
        let h = england_and_wales_bank_holidays(2022);
        assert!(h.contains(&ymd(2022, 12, 26)) && h.contains(&ymd(2022, 12, 27)));
        assert!(h.contains(&ymd(2022, 1, 3)));
        // 2020: Boxing Day Saturday -> Monday 28.
        assert!(england_and_wales_bank_holidays(2020).contains(&ymd(2020, 12, 28)));
    }

    #[test]
    fn the_2022_list_is_complete() {
        let expected = [
            ymd(2022, 1, 3),
            ymd(2022, 4, 15),
            ymd(2022, 4, 18),
            ymd(2022, 5, 2),
            ymd(2022, 6, 2),
            ymd(2022, 6, 3),
            ymd(2022, 8, 29),
            ymd(2022, 9, 19),
            ymd(2022, 12, 26),
            ymd(2022, 12, 27),
        ];
        assert_eq!(england_and_wales_bank_holidays(2022), expected);
    }

    #[test]
    fn irregular_years() {
        let h = england_and_wales_bank_holidays(2020);
        assert!(h.contains(&ymd(2020, 5, 8)) && !h.contains(&ymd(2020, 5, 4)));
        let h = england_and_wales_bank_holidays(2012);
        assert!(h.contains(&ymd(2012, 6, 4)) && h.contains(&ymd(2012, 6, 5)) && !h.contains(&ymd(2012, 5, 28)));
        let h = england_and_wales_bank_holidays(2023);
        assert!(h.contains(&ymd(2023, 5, 1)) && h.contains(&ymd(2023, 5, 8)));
        assert!(england_and_wales_bank_holidays(2011).contains(&ymd(2011, 4, 29)));
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_closures() {
        let cal = Calendar::new(BankHolidays::EnglandAndWales, &[]);
        assert_eq!(cal.add_working_days(ymd(2021, 12, 20), 20), Some(ymd(2022, 1, 20)));
        assert_eq!(cal.add_working_days(ymd(2021, 10, 22), 1), Some(ymd(2021, 10, 25)));
        assert_eq!(cal.add_working_days(ymd(2021, 10, 22), 0), Some(ymd(2021, 10, 22)));
        let cal = Calendar::new(BankHolidays::EnglandAndWales, &[ymd(2021, 10, 25)]);
        assert_eq!(cal.add_working_days(ymd(2021, 10, 22), 1), Some(ymd(2021, 10, 26)));
        // Far outside the precomputed range still knows Christmas.
        let cal = Calendar::new(BankHolidays::EnglandAndWales, &[]);
        assert!(cal.is_holiday(ymd(2150, 12, 25)));
    }

    #[test]
    fn the_fast_path_agrees_with_counting_day_by_day() {
        let cal = Calendar::new(BankHolidays::EnglandAndWales, &[ymd(2021, 6, 9), ymd(2300, 1, 3)]);
        let slow = |start: NaiveDate, n: u32| {
            let mut day = start;
            let mut left = n;
            while left > 0 {
                day = day.succ_opt().unwrap();
                if cal.is_working_day(day) {
                    left -= 1;
                }
            }
            day
        };
        let mut d = ymd(1989, 12, 1);
        while d < ymd(1991, 2, 1) {
            assert_eq!(cal.add_working_days(d, 20), Some(slow(d, 20)), "{d}");
            d = d.succ_opt().unwrap();
        }
        for (y, m, dd) in [(2021, 6, 1), (2021, 12, 20), (2022, 5, 25), (2100, 12, 10), (2101, 3, 1), (2299, 12, 20)] {
            for n in [1, 5, 20, 28, 60] {
                assert_eq!(cal.add_working_days(ymd(y, m, dd), n), Some(slow(ymd(y, m, dd), n)), "{y}-{m}-{dd} + {n}");
            }
        }
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(ymd(2021, 8, 31), 6), Some(ymd(2022, 2, 28)));
        assert_eq!(add_months(ymd(2023, 8, 31), 6), Some(ymd(2024, 2, 29)));
        assert_eq!(add_months(ymd(2021, 3, 31), 12), Some(ymd(2022, 3, 31)));
        assert_eq!(sub_months(ymd(2021, 5, 31), 3), Some(ymd(2021, 2, 28)));
    }

    #[test]
    fn leap_day_birthdays() {
        let dob = ymd(2016, 2, 29);
        assert_eq!(anniversary(dob, 5, LeapDayBirthday::March1), Some(ymd(2021, 3, 1)));
        assert_eq!(anniversary(dob, 5, LeapDayBirthday::February28), Some(ymd(2021, 2, 28)));
        assert_eq!(anniversary(dob, 4, LeapDayBirthday::March1), Some(ymd(2020, 2, 29)));
        assert_eq!(age_on(dob, ymd(2021, 2, 28), LeapDayBirthday::March1), 4);
        assert_eq!(age_on(dob, ymd(2021, 3, 1), LeapDayBirthday::March1), 5);
        assert_eq!(age_on(dob, ymd(2021, 2, 28), LeapDayBirthday::February28), 5);
    }

    #[test]
    fn ages_are_anniversaries() {
        let dob = ymd(2010, 6, 15);
        assert_eq!(age_on(dob, ymd(2015, 6, 14), LeapDayBirthday::March1), 4);
        assert_eq!(age_on(dob, ymd(2015, 6, 15), LeapDayBirthday::March1), 5);
        assert_eq!(age_on(dob, ymd(2009, 1, 1), LeapDayBirthday::March1), 0);
    }
}
