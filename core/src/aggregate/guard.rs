//! Guards against wiping real figures: whether a result, a data value set or a new total may
//! be written or pushed.
//!
//! Figures are written with zeros included, so that a figure that falls to zero is updated in
//! DHIS2 too. The other side of that: a broken export, an emptied mirror or a wrong period
//! gives all-zero figures that would overwrite a country's real ones. These checks turn such
//! an input into a [`Refusal`] the caller reports (exit status 2 in `hrh`, `InvalidInput` in
//! Python) instead of pushing:
//!
//! - [`check_result`]: no usable record (no worker read, or none counted), or a rejected share
//!   of the records above [`Limits::max_rejected`] (default 5 %);
//! - [`check_values`]: a data value set with no values, or with every value zero or blank;
//! - [`check_drop`]: a counted total that fell by more than [`Limits::max_drop`] (default
//!   20 %) since the last successful push of the same figures ([`Pushed`]).
//!
//! ```
//! use hrh_core::aggregate::guard::{check_drop, Limits, Pushed, Refusal};
//! let last = Pushed {
//!     dhis2: "https://dhis2.example.org".into(),
//!     data_set: Some("FuMctq4PQpf".into()),
//!     period: "2024".into(),
//!     org_unit: Some("UZdemoRoot1".into()),
//!     counted: 1000,
//!     at: "2025-01-05T02:00:00Z".into(),
//! };
//! assert!(check_drop(Some(&last), 900, &Limits::default()).is_ok());
//! let refused = check_drop(Some(&last), 700, &Limits::default()).unwrap_err();
//! assert!(matches!(refused, Refusal::Drop { before: 1000, now: 700, .. }));
//! assert!(refused.to_string().contains("from 1000 to 700 (-30%"));
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Account;
use crate::aggregate_value::Number;

/// Parts per million in a whole.
const MILLION: u64 = 1_000_000;

/// A share between 0 and 1, held in parts per million so that limits compare exactly.
///
/// ```
/// use hrh_core::aggregate::guard::Share;
/// assert_eq!(Share::from_percent(5.0).unwrap().to_string(), "5%");
/// assert_eq!(Share::from_fraction(0.125).unwrap().to_string(), "12.5%");
/// assert!(Share::from_percent(120.0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Share(u32);

impl Share {
    /// Nothing.
    pub const ZERO: Self = Self(0);
    /// The whole.
    pub const ALL: Self = Self(1_000_000);

    /// A fraction from 0 to 1; `None` outside that range or for NaN.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // range checked first
    pub fn from_fraction(fraction: f64) -> Option<Self> {
        (0.0..=1.0)
            .contains(&fraction)
            .then(|| Self((fraction * 1e6).round() as u32))
    }

    /// A percentage from 0 to 100; `None` outside that range or for NaN.
    pub fn from_percent(percent: f64) -> Option<Self> {
        Self::from_fraction(percent / 100.0)
    }

    /// `part` of `whole`, rounded to the nearest part per million (`ZERO` when `whole` is 0;
    /// at most [`Share::ALL`]).
    pub fn of(part: u64, whole: u64) -> Self {
        if whole == 0 {
            return Self::ZERO;
        }
        let part = u128::from(part.min(whole));
        let whole = u128::from(whole);
        let ppm = (part * u128::from(MILLION) + whole / 2) / whole;
        Self(u32::try_from(ppm).unwrap_or(1_000_000))
    }

    /// The share as a fraction from 0 to 1.
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 1e6
    }

    /// Whether `part` of `whole` is more than this share (exactly, without rounding).
    pub fn exceeded_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(MILLION) > u128::from(self.0) * u128::from(whole)
    }
}

impl fmt::Display for Share {
    /// As a percentage with up to four decimals: `5%`, `12.5%`, `0.0001%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 10_000;
        let rest = self.0 % 10_000;
        if rest == 0 {
            write!(f, "{whole}%")
        } else {
            let decimals = format!("{rest:04}");
            write!(f, "{whole}.{}%", decimals.trim_end_matches('0'))
        }
    }
}

/// The limits of the checks; [`Limits::default`] is what `hrh` and the wheel use unless told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest share of rejected records accepted (default 5 %).
    pub max_rejected: Share,
    /// Accept an input that counts nobody (no worker, none counted, no value, every value
    /// zero) on purpose (default `false`).
    pub allow_empty: bool,
    /// The largest fall of the counted total since the last push accepted (default 20 %).
    pub max_drop: Share,
    /// Accept any fall of the counted total on purpose (default `false`).
    pub allow_drop: bool,
}

/// The default [`Limits::max_rejected`]: 5 %.
pub const DEFAULT_MAX_REJECTED: Share = Share(50_000);
/// The default [`Limits::max_drop`]: 20 %.
pub const DEFAULT_MAX_DROP: Share = Share(200_000);

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_rejected: DEFAULT_MAX_REJECTED,
            allow_empty: false,
            max_drop: DEFAULT_MAX_DROP,
            allow_drop: false,
        }
    }
}

/// What reading the input made of it: records accepted, records rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Input {
    /// Records read (practitioners, employments, organisations, facilities, services).
    pub accepted: u64,
    /// Records (lines, entries) that could not be read.
    pub rejected: u64,
}

/// The setting that lets a refused input through on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// [`Limits::allow_empty`].
    AllowEmpty,
    /// A higher [`Limits::max_rejected`].
    MaxRejected,
    /// [`Limits::allow_drop`] or a higher [`Limits::max_drop`].
    AllowDrop,
}

/// Why figures are not to be written or pushed. [`fmt::Display`] gives a one-line reason
/// saying what to check; [`Refusal::overridden_by`] names the setting that accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No worker was read: every record was rejected, or the input holds no practitioner.
    NoWorker {
        /// Records read.
        accepted: u64,
        /// Records rejected.
        rejected: u64,
    },
    /// Workers were read but none is counted (e.g. a period with no active employment).
    NoneCounted {
        /// Workers read.
        workers: u64,
        /// The most frequent reason, with its count.
        reason: Option<(String, u64)>,
    },
    /// Too large a share of the records was rejected.
    TooManyRejected {
        /// Records rejected.
        rejected: u64,
        /// Records accepted plus rejected.
        records: u64,
        /// The limit exceeded.
        limit: Share,
    },
    /// A data value set with no data value.
    NoValues,
    /// A data value set whose every value is zero or blank.
    AllZero {
        /// Values in the set.
        values: u64,
    },
    /// The counted total fell by more than the limit since the last push of the same figures.
    Drop {
        /// The total of the last successful push.
        before: u64,
        /// The total now.
        now: u64,
        /// The limit exceeded.
        limit: Share,
        /// When the last push was (as stored, e.g. RFC 3339).
        since: String,
    },
}

impl Refusal {
    /// The setting that accepts this input on purpose.
    pub fn overridden_by(&self) -> Override {
        match self {
            Self::NoWorker { .. }
            | Self::NoneCounted { .. }
            | Self::NoValues
            | Self::AllZero { .. } => Override::AllowEmpty,
            Self::TooManyRejected { .. } => Override::MaxRejected,
            Self::Drop { .. } => Override::AllowDrop,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoWorker { accepted, rejected } => write!(
                f,
                "no usable record: no practitioner read ({accepted} record(s) read, {rejected} rejected); check the input files (see `hrh validate`)"
            ),
            Self::NoneCounted { workers, reason } => {
                write!(
                    f,
                    "no worker counted: {workers} worker(s) read, none counted"
                )?;
                if let Some((reason, n)) = reason {
                    write!(f, " ({reason}: {n})")?;
                }
                f.write_str("; check the period and the registry")
            }
            Self::TooManyRejected {
                rejected,
                records,
                limit,
            } => write!(
                f,
                "{rejected} of {records} record(s) rejected ({}), more than the {limit} allowed; check the input (see `hrh validate`)",
                Share::of(*rejected, *records)
            ),
            Self::NoValues => f.write_str("no data value in the data value set"),
            Self::AllZero { values } => write!(
                f,
                "every one of the {values} value(s) is zero or blank; pushing them would overwrite the figures in DHIS2 with zeros: check the file"
            ),
            Self::Drop {
                before,
                now,
                limit,
                since,
            } => write!(
                f,
                "the counted workers fell from {before} to {now} (-{}, more than the {limit} allowed) since the last push of these figures ({since}); check the registry and the mirror (a partial export, an emptied or deleted registry, a changed mapping or period) before pushing",
                Share::of(before.saturating_sub(*now), *before)
            ),
        }
    }
}

/// Checks a result before it is written or pushed: at least one worker read and counted
/// (unless [`Limits::allow_empty`]), and no more than [`Limits::max_rejected`] of the
/// records rejected.
pub fn check_result(account: &Account, input: Input, limits: &Limits) -> Result<(), Refusal> {
    if account.workers == 0 && !limits.allow_empty {
        return Err(Refusal::NoWorker {
            accepted: input.accepted,
            rejected: input.rejected,
        });
    }
    let records = input.accepted.saturating_add(input.rejected);
    if limits.max_rejected.exceeded_by(input.rejected, records) {
        return Err(Refusal::TooManyRejected {
            rejected: input.rejected,
            records,
            limit: limits.max_rejected,
        });
    }
    if account.workers > 0 && account.counted == 0 && !limits.allow_empty {
        let reason = account
            .not_counted_reasons()
            .into_iter()
            .max_by_key(|(_, n)| *n);
        return Err(Refusal::NoneCounted {
            workers: account.workers,
            reason,
        });
    }
    Ok(())
}

/// Checks the values of a data value set before they are pushed: at least one, and not all
/// zero or blank (missing or empty text), unless [`Limits::allow_empty`]. Text that is not a
/// number counts as a value.
pub fn check_values<'a>(
    values: impl IntoIterator<Item = Option<&'a str>>,
    limits: &Limits,
) -> Result<(), Refusal> {
    if limits.allow_empty {
        return Ok(());
    }
    let mut count = 0_u64;
    for value in values {
        count += 1;
        let text = value.map_or("", str::trim);
        let zero = text.is_empty() || Number::parse(text).is_some_and(|n| n.as_f64() == 0.0);
        if !zero {
            return Ok(());
        }
    }
    Err(if count == 0 {
        Refusal::NoValues
    } else {
        Refusal::AllZero { values: count }
    })
}

/// The last successful push of a set of figures: where, which, and the counted total. Kept
/// by `hrh sync` in its state file for [`check_drop`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pushed {
    /// The DHIS2 base URL pushed to.
    pub dhis2: String,
    /// The data set of the figures, if the mapping names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set: Option<String>,
    /// The DHIS2 period id.
    pub period: String,
    /// The org unit of national figures, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit: Option<String>,
    /// Workers counted.
    pub counted: u64,
    /// When (as the caller writes it, e.g. RFC 3339).
    pub at: String,
}

impl Pushed {
    /// Whether `other` is a push of the same figures (DHIS2, data set, period, org unit).
    pub fn same_figures(&self, other: &Self) -> bool {
        self.dhis2 == other.dhis2
            && self.data_set == other.data_set
            && self.period == other.period
            && self.org_unit == other.org_unit
    }

    /// The last push of the same figures as `self` in `history`.
    pub fn previous<'a>(&self, history: &'a [Self]) -> Option<&'a Self> {
        history.iter().find(|p| p.same_figures(self))
    }

    /// Puts `self` into `history`, replacing the push of the same figures.
    pub fn record(self, history: &mut Vec<Self>) {
        history.retain(|p| !p.same_figures(&self));
        history.push(self);
    }
}

/// Checks a new counted total against the last push of the same figures (`None`: no check):
/// a fall of more than [`Limits::max_drop`] is refused unless [`Limits::allow_drop`].
pub fn check_drop(before: Option<&Pushed>, now: u64, limits: &Limits) -> Result<(), Refusal> {
    let Some(before) = before else {
        return Ok(());
    };
    let fall = before.counted.saturating_sub(now);
    if limits.allow_drop || !limits.max_drop.exceeded_by(fall, before.counted) {
        return Ok(());
    }
    Err(Refusal::Drop {
        before: before.counted,
        now,
        limit: limits.max_drop,
        since: before.at.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::aggregate::Reason;
    use chrono::NaiveDate;

    fn account(workers: u64, counted: u64) -> Account {
        let mut account = Account::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
        account.workers = workers;
        account.counted = counted;
        if workers > counted {
            account
                .not_counted
                .insert((Reason::NotEmployed, None), workers - counted);
        }
        account
    }

    #[test]
    fn shares_parse_print_and_compare_exactly() {
        assert_eq!(Share::from_percent(0.5).unwrap().to_string(), "0.5%");
        assert_eq!(Share::from_fraction(1.0), Some(Share::ALL));
        assert_eq!(Share::from_fraction(-0.01), None);
        assert_eq!(Share::from_fraction(f64::NAN), None);
        assert_eq!(Share::of(1, 3).to_string(), "33.3333%");
        assert_eq!(Share::of(5, 0), Share::ZERO);
        let five = DEFAULT_MAX_REJECTED;
        assert!(!five.exceeded_by(5, 100));
        assert!(five.exceeded_by(6, 100));
        assert!(five.exceeded_by(50_001, 1_000_000));
        assert!(!Share::ALL.exceeded_by(10, 10));
    }

    #[test]
    fn a_result_with_nobody_or_too_many_rejections_is_refused() {
        let limits = Limits::default();
        let only_garbage = Input {
            accepted: 0,
            rejected: 1,
        };
        let refused = check_result(&account(0, 0), only_garbage, &limits).unwrap_err();
        assert_eq!(
            refused,
            Refusal::NoWorker {
                accepted: 0,
                rejected: 1
            }
        );
        assert_eq!(refused.overridden_by(), Override::AllowEmpty);
        assert!(refused.to_string().starts_with("no usable record"));
        // Allowing empty input still refuses an input that is all rejections.
        let allow = Limits {
            allow_empty: true,
            ..limits
        };
        assert!(matches!(
            check_result(&account(0, 0), only_garbage, &allow),
            Err(Refusal::TooManyRejected {
                rejected: 1,
                records: 1,
                ..
            })
        ));
        assert!(check_result(&account(0, 0), Input::default(), &allow).is_ok());

        let input = |rejected| Input {
            accepted: 100 - rejected,
            rejected,
        };
        assert!(check_result(&account(50, 40), input(5), &limits).is_ok());
        let refused = check_result(&account(50, 40), input(6), &limits).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "6 of 100 record(s) rejected (6%), more than the 5% allowed; check the input (see `hrh validate`)"
        );
        let looser = Limits {
            max_rejected: Share::from_percent(10.0).unwrap(),
            ..limits
        };
        assert!(check_result(&account(50, 40), input(6), &looser).is_ok());

        let refused = check_result(&account(50, 0), input(0), &limits).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("none counted (no active employment on 2024-12-31: 50)"),
            "{refused}"
        );
        assert!(check_result(&account(50, 0), input(0), &allow).is_ok());
    }

    #[test]
    fn value_sets_of_nothing_or_only_zeros_are_refused() {
        let limits = Limits::default();
        assert_eq!(check_values([], &limits), Err(Refusal::NoValues));
        assert_eq!(
            check_values([Some("0"), None, Some(" "), Some("0.0")], &limits),
            Err(Refusal::AllZero { values: 4 })
        );
        assert!(check_values([Some("0"), Some("3")], &limits).is_ok());
        assert!(check_values([Some("true")], &limits).is_ok());
        let allow = Limits {
            allow_empty: true,
            ..limits
        };
        assert!(check_values([Some("0")], &allow).is_ok());
        assert!(check_values([], &allow).is_ok());
    }

    #[test]
    fn drops_are_checked_against_the_same_figures_only() {
        let pushed = |period: &str, counted| Pushed {
            dhis2: "http://127.0.0.1:1".into(),
            data_set: Some("FuMctq4PQpf".into()),
            period: period.into(),
            org_unit: None,
            counted,
            at: "then".into(),
        };
        let mut history = Vec::new();
        pushed("2023", 10).record(&mut history);
        pushed("2024", 1000).record(&mut history);
        pushed("2024", 900).record(&mut history);
        assert_eq!(history.len(), 2);
        let now = pushed("2024", 0);
        let before = now.previous(&history);
        assert_eq!(before.map(|p| p.counted), Some(900));
        let limits = Limits::default();
        assert!(check_drop(before, 720, &limits).is_ok());
        assert!(check_drop(before, 2000, &limits).is_ok());
        let refused = check_drop(before, 719, &limits).unwrap_err();
        assert!(
            refused
                .to_string()
                .starts_with("the counted workers fell from 900 to 719 (-20.1111%, more than the 20% allowed) since the last push of these figures (then)"),
            "{refused}"
        );
        assert_eq!(refused.overridden_by(), Override::AllowDrop);
        let allow = Limits {
            allow_drop: true,
            ..limits
        };
        assert!(check_drop(before, 0, &allow).is_ok());
        assert!(check_drop(None, 0, &limits).is_ok());
        assert!(check_drop(pushed("2025", 0).previous(&history), 0, &limits).is_ok());
    }
}
