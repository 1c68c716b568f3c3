//! DHIS2 periods: every period type, parsing and formatting of period ids,
//! start and end dates, the period containing a date, and ADX (`start/duration`) periods.
//!
//! Weeks follow the ISO-8601 rules applied to each type's start day: week 1
//! is the first week with at least four days in the new year, and the id
//! carries the week-based year, so Monday 2024-12-30 is in `2025W1`.
//!
//! ```
//! use hrh_core::period::{Period, PeriodType};
//! use chrono::NaiveDate;
//!
//! let p: Period = "2024NovQ1".parse()?;
//! assert_eq!(p.start(), NaiveDate::from_ymd_opt(2023, 11, 1).unwrap());
//! assert_eq!(p.end(), NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
//!
//! let day = NaiveDate::from_ymd_opt(2024, 12, 30).unwrap();
//! assert_eq!(Period::containing(day, PeriodType::Weekly)?.to_string(), "2025W1");
//! # Ok::<(), hrh_core::CoreError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::error::{CoreError, Result};

/// A DHIS2 period type, named as DHIS2 names it (`Weekly`, `FinancialApril`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PeriodType {
    /// One day: `20240315` (also read as `2024-03-15`).
    Daily,
    /// ISO week starting Monday: `2024W1`.
    Weekly,
    /// Week starting Wednesday: `2024WedW1`.
    WeeklyWednesday,
    /// Week starting Thursday: `2024ThuW1`.
    WeeklyThursday,
    /// Week starting Friday (DHIS2 2.43): `2024FriW1`.
    WeeklyFriday,
    /// Week starting Saturday: `2024SatW1`.
    WeeklySaturday,
    /// Week starting Sunday: `2024SunW1`.
    WeeklySunday,
    /// Two ISO weeks: `2024BiW1` is ISO weeks 1 and 2.
    BiWeekly,
    /// Calendar month: `202403` (also read as `2024-03`).
    Monthly,
    /// Two months: `202402B` is March-April (the number is the bi-month index).
    BiMonthly,
    /// Calendar quarter: `2024Q1`.
    Quarterly,
    /// Quarters of a November year (DHIS2 2.41): `2024NovQ1` is Nov 2023-Jan 2024.
    QuarterlyNov,
    /// Half year: `2024S1` is January-June.
    SixMonthly,
    /// Half year from April: `2024AprilS2` is Oct 2024-Mar 2025.
    SixMonthlyApril,
    /// Half year from November: `2024NovS1` is Nov 2023-Apr 2024.
    SixMonthlyNov,
    /// Calendar year: `2024`.
    Yearly,
    /// Financial year from February (DHIS2 2.43): `2024Feb` is Feb 2024-Jan 2025.
    FinancialFeb,
    /// Financial year from April: `2024April` is Apr 2024-Mar 2025.
    FinancialApril,
    /// Financial year from July: `2024July`.
    FinancialJuly,
    /// Financial year from August (DHIS2 2.43): `2024Aug`.
    FinancialAug,
    /// Financial year from September (DHIS2 2.42): `2024Sep`.
    FinancialSep,
    /// Financial year from October: `2024Oct`.
    FinancialOct,
    /// Financial year from November, named after the year it ends in: `2024Nov` is Nov 2023-Oct 2024.
    FinancialNov,
}

/// How a period type lays its periods on the calendar.
#[derive(Clone, Copy)]
enum Shape {
    Day,
    /// Weeks starting on the given day.
    Week(Weekday),
    BiWeek,
    /// `len` months, periods starting at `anchor` (1-12) plus multiples of `len`;
    /// the label year is the start year of the cycle plus `label_shift`.
    Months {
        len: i32,
        anchor: i32,
        label_shift: i32,
    },
}

impl PeriodType {
    /// Every period type, shortest first.
    pub const ALL: [PeriodType; 23] = [
        Self::Daily,
        Self::Weekly,
        Self::WeeklyWednesday,
        Self::WeeklyThursday,
        Self::WeeklyFriday,
        Self::WeeklySaturday,
        Self::WeeklySunday,
        Self::BiWeekly,
        Self::Monthly,
        Self::BiMonthly,
        Self::Quarterly,
        Self::QuarterlyNov,
        Self::SixMonthly,
        Self::SixMonthlyApril,
        Self::SixMonthlyNov,
        Self::Yearly,
        Self::FinancialFeb,
        Self::FinancialApril,
        Self::FinancialJuly,
        Self::FinancialAug,
        Self::FinancialSep,
        Self::FinancialOct,
        Self::FinancialNov,
    ];

    /// The DHIS2 name of the type, e.g. `"WeeklyWednesday"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
            Self::WeeklyWednesday => "WeeklyWednesday",
            Self::WeeklyThursday => "WeeklyThursday",
            Self::WeeklyFriday => "WeeklyFriday",
            Self::WeeklySaturday => "WeeklySaturday",
            Self::WeeklySunday => "WeeklySunday",
            Self::BiWeekly => "BiWeekly",
            Self::Monthly => "Monthly",
            Self::BiMonthly => "BiMonthly",
            Self::Quarterly => "Quarterly",
            Self::QuarterlyNov => "QuarterlyNov",
            Self::SixMonthly => "SixMonthly",
            Self::SixMonthlyApril => "SixMonthlyApril",
            Self::SixMonthlyNov => "SixMonthlyNov",
            Self::Yearly => "Yearly",
            Self::FinancialFeb => "FinancialFeb",
            Self::FinancialApril => "FinancialApril",
            Self::FinancialJuly => "FinancialJuly",
            Self::FinancialAug => "FinancialAug",
            Self::FinancialSep => "FinancialSep",
            Self::FinancialOct => "FinancialOct",
            Self::FinancialNov => "FinancialNov",
        }
    }

    /// The ISO-8601 duration of one period (`P1D`, `P7D`, `P14D`, `P1M` ... `P1Y`), as ADX writes it.
    pub fn iso_duration(self) -> &'static str {
        match self.shape() {
            Shape::Day => "P1D",
            Shape::Week(..) => "P7D",
            Shape::BiWeek => "P14D",
            Shape::Months { len, .. } => match len {
                1 => "P1M",
                2 => "P2M",
                3 => "P3M",
                6 => "P6M",
                _ => "P1Y",
            },
        }
    }

    fn shape(self) -> Shape {
        let months = |len, anchor, label_shift| Shape::Months {
            len,
            anchor,
            label_shift,
        };
        match self {
            Self::Daily => Shape::Day,
            Self::Weekly => Shape::Week(Weekday::Mon),
            Self::WeeklyWednesday => Shape::Week(Weekday::Wed),
            Self::WeeklyThursday => Shape::Week(Weekday::Thu),
            Self::WeeklyFriday => Shape::Week(Weekday::Fri),
            Self::WeeklySaturday => Shape::Week(Weekday::Sat),
            Self::WeeklySunday => Shape::Week(Weekday::Sun),
            Self::BiWeekly => Shape::BiWeek,
            Self::Monthly => months(1, 1, 0),
            Self::BiMonthly => months(2, 1, 0),
            Self::Quarterly => months(3, 1, 0),
            Self::QuarterlyNov => months(3, 11, 1),
            Self::SixMonthly => months(6, 1, 0),
            Self::SixMonthlyApril => months(6, 4, 0),
            Self::SixMonthlyNov => months(6, 11, 1),
            Self::Yearly => months(12, 1, 0),
            Self::FinancialFeb => months(12, 2, 0),
            Self::FinancialApril => months(12, 4, 0),
            Self::FinancialJuly => months(12, 7, 0),
            Self::FinancialAug => months(12, 8, 0),
            Self::FinancialSep => months(12, 9, 0),
            Self::FinancialOct => months(12, 10, 0),
            Self::FinancialNov => months(12, 11, 1),
        }
    }

    /// The text between the year and the index in a period id (`"Q"`, `"NovS"`, `"April"`).
    fn infix(self) -> &'static str {
        match self {
            Self::Daily | Self::Monthly | Self::Yearly | Self::BiMonthly => "",
            Self::Weekly => "W",
            Self::WeeklyWednesday => "WedW",
            Self::WeeklyThursday => "ThuW",
            Self::WeeklyFriday => "FriW",
            Self::WeeklySaturday => "SatW",
            Self::WeeklySunday => "SunW",
            Self::BiWeekly => "BiW",
            Self::Quarterly => "Q",
            Self::QuarterlyNov => "NovQ",
            Self::SixMonthly => "S",
            Self::SixMonthlyApril => "AprilS",
            Self::SixMonthlyNov => "NovS",
            Self::FinancialFeb => "Feb",
            Self::FinancialApril => "April",
            Self::FinancialJuly => "July",
            Self::FinancialAug => "Aug",
            Self::FinancialSep => "Sep",
            Self::FinancialOct => "Oct",
            Self::FinancialNov => "Nov",
        }
    }
}

impl fmt::Display for PeriodType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PeriodType {
    type Err = CoreError;

    /// Reads a DHIS2 period type name, case-insensitively; `FinancialFebruary`,
    /// `FinancialAugust`, `FinancialSeptember`, `FinancialOctober` and
    /// `FinancialNovember` are accepted as aliases.
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim();
        let alias = match wanted.to_ascii_lowercase().as_str() {
            "financialfebruary" => Some(Self::FinancialFeb),
            "financialaugust" => Some(Self::FinancialAug),
            "financialseptember" => Some(Self::FinancialSep),
            "financialoctober" => Some(Self::FinancialOct),
            "financialnovember" => Some(Self::FinancialNov),
            _ => None,
        };
        alias
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|t| t.name().eq_ignore_ascii_case(wanted))
            })
            .ok_or_else(|| CoreError::UnknownPeriodType(s.to_owned()))
    }
}

/// One DHIS2 period: a type and the first day it covers.
///
/// Its [`Display`](fmt::Display) is the DHIS2 period id; [`FromStr`] reads one.
/// Periods order by start date, then by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: NaiveDate,
    period_type: PeriodType,
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start, self.period_type).cmp(&(other.start, other.period_type))
    }
}

const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

impl Period {
    /// Parses a DHIS2 period id such as `2024`, `2024W1`, `202402B` or `2024AprilS2`.
    ///
    /// ```
    /// let p = hrh_core::Period::parse("202402B")?;
    /// assert_eq!(p.start().to_string(), "2024-03-01");
    /// # Ok::<(), hrh_core::CoreError>(())
    /// ```
    pub fn parse(id: &str) -> Result<Self> {
        parse_id(id).map_err(|reason| CoreError::InvalidPeriod {
            input: id.to_owned(),
            reason,
        })
    }

    /// The period of the given type that contains `date`.
    pub fn containing(date: NaiveDate, period_type: PeriodType) -> Result<Self> {
        let start = match period_type.shape() {
            Shape::Day => Some(date),
            Shape::Week(day) => week_start_of(date, day),
            Shape::BiWeek => week_start_of(date, Weekday::Mon).and_then(|monday| {
                let (year, week) = week_number(monday, Weekday::Mon)?;
                week_start(year, week - (week + 1) % 2, Weekday::Mon)
            }),
            Shape::Months { len, anchor, .. } => {
                let index = month_index(date);
                let first = anchor - 1 + (index - (anchor - 1)).div_euclid(len) * len;
                first_of_month(first)
            }
        };
        let start = start.ok_or_else(|| CoreError::DateOutOfRange(date.to_string()))?;
        Self::checked(start, period_type).ok_or_else(|| CoreError::DateOutOfRange(date.to_string()))
    }

    /// The last full period of the given type before `today`: the default reporting
    /// period (the last full year for yearly data sets).
    ///
    /// ```
    /// use hrh_core::{Period, period::PeriodType};
    /// let today = chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
    /// assert_eq!(Period::last_full(today, PeriodType::Yearly)?.to_string(), "2024");
    /// assert_eq!(Period::last_full(today, PeriodType::Quarterly)?.to_string(), "2024Q4");
    /// # Ok::<(), hrh_core::CoreError>(())
    /// ```
    pub fn last_full(today: NaiveDate, period_type: PeriodType) -> Result<Self> {
        Self::containing(today, period_type)?
            .previous()
            .ok_or_else(|| CoreError::DateOutOfRange(today.to_string()))
    }

    /// Builds a period from its start date, checking that the date starts a period of that type.
    pub fn starting(start: NaiveDate, period_type: PeriodType) -> Result<Self> {
        let period = Self::containing(start, period_type)?;
        if period.start == start {
            Ok(period)
        } else {
            Err(CoreError::InvalidPeriod {
                input: format!("{start}/{}", period_type.iso_duration()),
                reason: "the date does not start a period of this type",
            })
        }
    }

    /// Keeps the period only when both ends are within years 1..=9999.
    fn checked(start: NaiveDate, period_type: PeriodType) -> Option<Self> {
        let period = Self { start, period_type };
        let end = period.checked_end()?;
        ((MIN_YEAR..=MAX_YEAR).contains(&start.year()) && end.year() <= MAX_YEAR).then_some(period)
    }

    /// The type of this period.
    pub fn period_type(&self) -> PeriodType {
        self.period_type
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        // Construction guarantees the end is representable; fall back to the start otherwise.
        self.checked_end().unwrap_or(self.start)
    }

    fn checked_end(self) -> Option<NaiveDate> {
        let days = |n| self.start.checked_add_days(Days::new(n));
        match self.period_type.shape() {
            Shape::Day => Some(self.start),
            Shape::Week(..) => days(6),
            Shape::BiWeek => days(13),
            Shape::Months { len, .. } => first_of_month(month_index(self.start) + len)?.pred_opt(),
        }
    }

    /// Whether `date` lies within the period (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end()
    }

    /// The following period of the same type, if it is within year 9999.
    pub fn next(&self) -> Option<Self> {
        let after = self.end().succ_opt()?;
        Self::containing(after, self.period_type).ok()
    }

    /// The preceding period of the same type, if it is within year 1.
    pub fn previous(&self) -> Option<Self> {
        let before = self.start.pred_opt()?;
        Self::containing(before, self.period_type).ok()
    }

    /// Reads a series of periods: one id (`2024`), a range of ids of one type with both
    /// ends included (`2019..2024`, `2024Q1..2024Q4`), or several of either separated by
    /// commas. The periods come back in order, without repeats. A series is limited to
    /// [`Period::MAX_SERIES`] periods.
    ///
    /// ```
    /// use hrh_core::Period;
    /// let ids: Vec<String> = Period::parse_series("2019..2021")?.iter().map(ToString::to_string).collect();
    /// assert_eq!(ids, ["2019", "2020", "2021"]);
    /// assert_eq!(Period::parse_series("2024Q4,2024Q1")?.len(), 2);
    /// assert!(Period::parse_series("2024..2019").is_err());
    /// assert!(Period::parse_series("2024..2024Q1").is_err());
    /// # Ok::<(), hrh_core::CoreError>(())
    /// ```
    pub fn parse_series(text: &str) -> Result<Vec<Self>> {
        let invalid = |reason| CoreError::InvalidPeriod {
            input: text.to_owned(),
            reason,
        };
        let mut periods = std::collections::BTreeSet::new();
        for part in text.split(',').map(str::trim) {
            let Some((first, last)) = part.split_once("..") else {
                periods.insert(Self::parse(part)?);
                continue;
            };
            let (first, last) = (Self::parse(first.trim())?, Self::parse(last.trim())?);
            if first.period_type != last.period_type {
                return Err(invalid(
                    "the two ends of a range must be periods of one type",
                ));
            }
            if last < first {
                return Err(invalid(
                    "a range must run from the earlier period to the later",
                ));
            }
            let mut current = Some(first);
            while let Some(period) = current.filter(|p| *p <= last) {
                if periods.len() >= Self::MAX_SERIES {
                    return Err(invalid("too many periods in one series"));
                }
                current = period.next();
                periods.insert(period);
            }
        }
        if periods.len() > Self::MAX_SERIES {
            return Err(invalid("too many periods in one series"));
        }
        Ok(periods.into_iter().collect())
    }

    /// The most periods [`Period::parse_series`] accepts in one series.
    pub const MAX_SERIES: usize = 1000;

    /// The ADX form of the period, `start/duration`, e.g. `2024-01-01/P1Y`.
    pub fn to_adx(&self) -> String {
        format!("{}/{}", self.start, self.period_type.iso_duration())
    }

    /// Reads an ADX period (`2024-01-01/P1Y`), choosing the DHIS2 type the start date fits:
    /// `P7D` by the weekday it starts on, `P3M`/`P6M`/`P1Y` by the month.
    pub fn from_adx(text: &str) -> Result<Self> {
        let invalid = |reason| CoreError::InvalidPeriod {
            input: text.to_owned(),
            reason,
        };
        let (start, duration) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| invalid("expected start/duration"))?;
        let start = NaiveDate::parse_from_str(start, "%Y-%m-%d")
            .map_err(|_| invalid("start is not a YYYY-MM-DD date"))?;
        let month = start.month();
        let period_type = match duration {
            "P1D" => PeriodType::Daily,
            "P7D" => match start.weekday() {
                Weekday::Mon => PeriodType::Weekly,
                Weekday::Tue => return Err(invalid("no DHIS2 week type starts on Tuesday")),
                Weekday::Wed => PeriodType::WeeklyWednesday,
                Weekday::Thu => PeriodType::WeeklyThursday,
                Weekday::Fri => PeriodType::WeeklyFriday,
                Weekday::Sat => PeriodType::WeeklySaturday,
                Weekday::Sun => PeriodType::WeeklySunday,
            },
            "P14D" => PeriodType::BiWeekly,
            "P1M" => PeriodType::Monthly,
            "P2M" => PeriodType::BiMonthly,
            "P3M" if month % 3 == 1 => PeriodType::Quarterly,
            "P3M" => PeriodType::QuarterlyNov,
            "P6M" if matches!(month, 1 | 7) => PeriodType::SixMonthly,
            "P6M" if matches!(month, 4 | 10) => PeriodType::SixMonthlyApril,
            "P6M" => PeriodType::SixMonthlyNov,
            "P1Y" | "P12M" => match month {
                1 => PeriodType::Yearly,
                2 => PeriodType::FinancialFeb,
                4 => PeriodType::FinancialApril,
                7 => PeriodType::FinancialJuly,
                8 => PeriodType::FinancialAug,
                9 => PeriodType::FinancialSep,
                10 => PeriodType::FinancialOct,
                11 => PeriodType::FinancialNov,
                _ => return Err(invalid("no DHIS2 yearly type starts in that month")),
            },
            _ => return Err(invalid("unsupported duration")),
        };
        Self::starting(start, period_type)
            .map_err(|_| invalid("the date does not start a period of this type"))
    }

    /// The label year and 1-based index that make up the id of a week or month-based period.
    fn label(self) -> (i32, i32) {
        match self.period_type.shape() {
            Shape::Day => (self.start.year(), 0),
            Shape::Week(day) => week_number(self.start, day).unwrap_or((self.start.year(), 1)),
            Shape::BiWeek => week_number(self.start, Weekday::Mon)
                .map_or((self.start.year(), 1), |(year, week)| {
                    (year, (week + 1) / 2)
                }),
            Shape::Months {
                len,
                anchor,
                label_shift,
            } => {
                let index = month_index(self.start);
                let cycle_start = anchor - 1 + (index - (anchor - 1)).div_euclid(12) * 12;
                let year = cycle_start.div_euclid(12) + label_shift;
                (year, (index - cycle_start) / len + 1)
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, index) = self.label();
        let infix = self.period_type.infix();
        match self.period_type {
            PeriodType::Daily => write!(f, "{}", self.start.format("%Y%m%d")),
            PeriodType::Monthly => write!(f, "{year:04}{index:02}"),
            PeriodType::BiMonthly => write!(f, "{year:04}{index:02}B"),
            PeriodType::Yearly => write!(f, "{year:04}"),
            t if matches!(t.shape(), Shape::Months { len: 12, .. }) => {
                write!(f, "{year:04}{infix}")
            }
            _ => write!(f, "{year:04}{infix}{index}"),
        }
    }
}

impl FromStr for Period {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl serde::Serialize for PeriodType {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn parse_id(id: &str) -> std::result::Result<Period, &'static str> {
    let id = id.trim();
    let year_text = id.get(..4).ok_or("too short")?;
    let rest = id.get(4..).ok_or("too short")?;
    if !year_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must start with a four-digit year");
    }
    let year: i32 = year_text.parse().map_err(|_| "bad year")?;
    if year < MIN_YEAR {
        return Err("year 0000 is not supported");
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| -> std::result::Result<i32, &'static str> {
        if digits(s) {
            s.parse().map_err(|_| "bad number")
        } else {
            Err("expected a number after the year")
        }
    };

    // Daily and Monthly, compact or dashed.
    if rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit())
        || rest.len() == 6 && rest.starts_with('-')
    {
        let (month, day) = if rest.len() == 4 {
            (rest.get(..2), rest.get(2..))
        } else {
            if rest.get(3..4) != Some("-") {
                return Err("expected YYYY-MM-DD");
            }
            (rest.get(1..3), rest.get(4..))
        };
        let (month, day) = (number(month.unwrap_or(""))?, number(day.unwrap_or(""))?);
        let date = u32::try_from(month)
            .ok()
            .zip(u32::try_from(day).ok())
            .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
            .ok_or("no such day")?;
        return Ok(Period {
            start: date,
            period_type: PeriodType::Daily,
        });
    }
    if rest.len() == 2 && digits(rest) || rest.len() == 3 && rest.starts_with('-') {
        let month = number(rest.trim_start_matches('-'))?;
        return month_period(year, PeriodType::Monthly, month, 12);
    }
    if rest.len() == 3 && rest.ends_with('B') {
        let index = number(rest.get(..2).unwrap_or(""))?;
        return month_period(year, PeriodType::BiMonthly, index, 6);
    }
    if rest.is_empty() {
        return month_period(year, PeriodType::Yearly, 1, 1);
    }
    // Financial years: year + month name, exactly ("2024Sep" is not SixMonthly "S" + "ep").
    if let Some(financial) = PeriodType::ALL.into_iter().find(|t| {
        matches!(t.shape(), Shape::Months { len: 12, .. })
            && !t.infix().is_empty()
            && t.infix() == rest
    }) {
        return month_period(year, financial, 1, 1);
    }
    // Types whose id is year + infix + index, longest infix first so "NovQ" wins over "Nov".
    let mut indexed: Vec<PeriodType> = PeriodType::ALL
        .into_iter()
        .filter(|t| {
            !matches!(t.shape(), Shape::Day | Shape::Months { len: 12, .. })
                && !t.infix().is_empty()
        })
        .collect();
    indexed.sort_by_key(|t| std::cmp::Reverse(t.infix().len()));
    for period_type in indexed {
        if let Some(index_text) = rest.strip_prefix(period_type.infix()) {
            let index = number(index_text)?;
            return match period_type.shape() {
                Shape::Week(day) => {
                    let start = week_start(year, index, day).ok_or("week out of range")?;
                    if index < 1 || index > weeks_in_year(year, day).ok_or("week out of range")? {
                        return Err("no such week in that year");
                    }
                    Period::checked(start, period_type).ok_or("out of range")
                }
                Shape::BiWeek => {
                    let weeks = weeks_in_year(year, Weekday::Mon).ok_or("out of range")?;
                    if index < 1 || 2 * index - 1 > weeks {
                        return Err("no such bi-week in that year");
                    }
                    let start =
                        week_start(year, 2 * index - 1, Weekday::Mon).ok_or("out of range")?;
                    Period::checked(start, period_type).ok_or("out of range")
                }
                Shape::Months { len, .. } => month_period(year, period_type, index, 12 / len),
                Shape::Day => Err("unexpected"),
            };
        }
    }
    Err("unknown period id format")
}

/// The `index`-th (1-based) period of a month-based type in label year `year`.
fn month_period(
    year: i32,
    period_type: PeriodType,
    index: i32,
    count: i32,
) -> std::result::Result<Period, &'static str> {
    let Shape::Months {
        len,
        anchor,
        label_shift,
    } = period_type.shape()
    else {
        return Err("not a month-based type");
    };
    if index < 1 || index > count {
        return Err("index out of range for the period type");
    }
    let first = (year - label_shift) * 12 + anchor - 1 + (index - 1) * len;
    let start = first_of_month(first).ok_or("out of range")?;
    Period::checked(start, period_type).ok_or("out of range")
}

/// Months since year 0, so that month arithmetic is integer arithmetic.
fn month_index(date: NaiveDate) -> i32 {
    date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0)
}

fn first_of_month(index: i32) -> Option<NaiveDate> {
    let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
    NaiveDate::from_ymd_opt(index.div_euclid(12), month, 1)
}

/// The day on or before `date` that falls on `start_day`.
fn week_start_of(date: NaiveDate, start_day: Weekday) -> Option<NaiveDate> {
    let back = (7 + date.weekday().num_days_from_monday() - start_day.num_days_from_monday()) % 7;
    date.checked_sub_days(Days::new(u64::from(back)))
}

/// First day of week `week` (1-based) of week-based year `year`, for weeks starting on `start_day`.
/// Week 1 is the week containing 4 January (so at least four of its days are in the new year).
fn week_start(year: i32, week: i32, start_day: Weekday) -> Option<NaiveDate> {
    let fourth = NaiveDate::from_ymd_opt(year, 1, 4)?;
    let first = week_start_of(fourth, start_day)?;
    let offset = i64::from(week - 1) * 7;
    first.checked_add_signed(chrono::TimeDelta::try_days(offset)?)
}

/// Week-based year and week number of the week starting on `week_start`.
fn week_number(start: NaiveDate, start_day: Weekday) -> Option<(i32, i32)> {
    let year = start.checked_add_days(Days::new(3))?.year();
    let first = week_start(year, 1, start_day)?;
    let week = i32::try_from((start - first).num_days() / 7).ok()? + 1;
    Some((year, week))
}

/// 52 or 53.
fn weeks_in_year(year: i32, start_day: Weekday) -> Option<i32> {
    let this = week_start(year, 1, start_day)?;
    let next = week_start(year + 1, 1, start_day)?;
    i32::try_from((next - this).num_days() / 7).ok()
}

#[cfg(test)]
mod tests;
