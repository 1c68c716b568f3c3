//! Dates as FHIR records them: partial dates (`1980`, `1980-06`) and open-ended ranges.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// A FHIR `date`: a year, a year and month, or a full date.
///
/// ```
/// use hrh_core::PartialDate;
/// use chrono::NaiveDate;
/// let born: PartialDate = "1980-06".parse()?;
/// let on = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
/// assert_eq!(born.age_on(on), Some(44));
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartialDate {
    /// Only the year is known.
    Year(i32),
    /// The year and month (1-12) are known.
    YearMonth(i32, u32),
    /// The full date.
    Date(NaiveDate),
}

impl PartialDate {
    /// The earliest day the value can mean.
    pub fn earliest(self) -> Option<NaiveDate> {
        match self {
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
            Self::YearMonth(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            Self::Date(d) => Some(d),
        }
    }

    /// The latest day the value can mean.
    pub fn latest(self) -> Option<NaiveDate> {
        match self {
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            Self::YearMonth(y, m) => {
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)
                };
                next.and_then(|d| d.pred_opt())
            }
            Self::Date(d) => Some(d),
        }
    }

    /// Completed years of age on `on` for someone born on this date, when the
    /// precision given decides it (a year-only date decides it only on 31 December);
    /// `None` when undecidable or when `on` is before the birth.
    pub fn age_on(self, on: NaiveDate) -> Option<u32> {
        let oldest = completed_years(self.earliest()?, on)?;
        let youngest = completed_years(self.latest()?, on)?;
        (oldest == youngest).then_some(oldest)
    }
}

/// Completed years between `birth` and `on`, `None` when `on` is before `birth`.
pub fn completed_years(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    on.years_since(birth)
}

impl FromStr for PartialDate {
    type Err = CoreError;

    /// Reads `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a FHIR `date`).
    fn from_str(s: &str) -> Result<Self> {
        let invalid = || CoreError::InvalidDate(s.to_owned());
        // `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, read byte by byte (this runs once per record).
        let number = |range: std::ops::Range<usize>| {
            s.as_bytes().get(range).and_then(|digits| {
                digits.iter().try_fold(0_u32, |n, b| {
                    b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
                })
            })
        };
        let dash = |at: usize| s.as_bytes().get(at) == Some(&b'-');
        let year = number(0..4)
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| *y != 0)
            .ok_or_else(invalid)?;
        match s.len() {
            4 => Ok(Self::Year(year)),
            7 if dash(4) => match number(5..7) {
                Some(m) if (1..=12).contains(&m) => Ok(Self::YearMonth(year, m)),
                _ => Err(invalid()),
            },
            10 if dash(4) && dash(7) => match (number(5..7), number(8..10)) {
                (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d)
                    .map(Self::Date)
                    .ok_or_else(invalid),
                _ => Err(invalid()),
            },
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y:04}"),
            Self::YearMonth(y, m) => write!(f, "{y:04}-{m:02}"),
            Self::Date(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A range of days, both ends included; a missing end is unbounded.
///
/// ```
/// use hrh_core::DateRange;
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let job = DateRange::new(Some(d(2020, 1, 1)), None);
/// assert!(job.contains(d(2024, 12, 31)));
/// assert!(!job.contains(d(2019, 12, 31)));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct DateRange {
    /// First day, or unbounded.
    pub start: Option<NaiveDate>,
    /// Last day, or unbounded.
    pub end: Option<NaiveDate>,
}

impl DateRange {
    /// The range without bounds.
    pub const ALWAYS: Self = Self {
        start: None,
        end: None,
    };

    /// A range from `start` to `end`.
    pub fn new(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Self {
        Self { start, end }
    }

    /// Whether `day` is in the range.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= day) && self.end.is_none_or(|e| day <= e)
    }

    /// Whether the two ranges share at least one day.
    pub fn overlaps(&self, other: &Self) -> bool {
        let starts_before_other_ends = match (self.start, other.end) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        };
        let other_starts_before_end = match (other.start, self.end) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }

    /// Whether the end is before the start.
    pub fn is_reversed(&self) -> bool {
        matches!((self.start, self.end), (Some(s), Some(e)) if e < s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn partial_dates_parse_and_print() {
        for text in [
            "1980",
            "1980-06",
            "1980-06-15",
            "2000-02-29",
            "0001-01-01",
            "9999-12",
        ] {
            assert_eq!(text.parse::<PartialDate>().unwrap().to_string(), text);
        }
        for bad in [
            "",
            "80",
            "1980-6",
            "1980-13",
            "2020-13-01",
            "2021-02-29",
            "1980-06-15T10:00",
            "0000",
            "1980-06-15-1",
            "19８0",
            "1980-00",
            "1980-06-00",
            "1980-06-1x",
            "1980x06",
            "1980-06x15",
            "+980",
            "-980",
            "1980-",
            "1980-06-",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ages_are_completed_years_and_undecidable_when_imprecise() {
        let on = d(2024, 12, 31);
        assert_eq!(PartialDate::Date(d(1999, 12, 31)).age_on(on), Some(25));
        assert_eq!(PartialDate::Date(d(2000, 1, 1)).age_on(on), Some(24));
        assert_eq!(
            PartialDate::Year(1990).age_on(on),
            Some(34),
            "decided on 31 December"
        );
        assert_eq!(PartialDate::Year(1990).age_on(d(2024, 6, 30)), None);
        assert_eq!(
            PartialDate::YearMonth(1990, 6).age_on(d(2024, 7, 1)),
            Some(34)
        );
        assert_eq!(PartialDate::YearMonth(1990, 6).age_on(d(2024, 6, 15)), None);
        assert_eq!(
            PartialDate::Date(d(2030, 1, 1)).age_on(on),
            None,
            "born after the date"
        );
        assert_eq!(
            PartialDate::Date(d(2000, 2, 29)).age_on(d(2024, 2, 28)),
            Some(23)
        );
    }

    #[test]
    fn ranges() {
        let a = DateRange::new(Some(d(2020, 1, 1)), Some(d(2020, 12, 31)));
        let b = DateRange::new(Some(d(2020, 12, 31)), None);
        let c = DateRange::new(Some(d(2021, 1, 1)), None);
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c) && !c.overlaps(&a));
        assert!(DateRange::ALWAYS.overlaps(&a));
        assert!(DateRange::new(Some(d(2021, 1, 1)), Some(d(2020, 1, 1))).is_reversed());
        assert!(!a.is_reversed());
    }
}
