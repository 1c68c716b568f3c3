//! The account of every worker: counted, or left out with a reason.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::mapping::Breakdown;
use crate::occupation::IscoCode;

/// Why a worker is not counted at all, or is left out of one breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The practitioner record is marked inactive.
    PractitionerInactive,
    /// No employment is held on the reference date, and no licence either.
    NotEmployed,
    /// The employment held has no occupation code.
    NoOccupation,
    /// The employment's occupation code is not ISCO-08 and not in the code table.
    UnrecognisedOccupation,
    /// The occupation is valid ISCO-08 but no figure of the mapping counts it.
    OccupationNotInMapping,
    /// Licensed but not employed, and no qualification gives the occupation.
    NoOccupationForLicence,
    /// No sex recorded.
    NoSex,
    /// A sex that is not an administrative gender code.
    InvalidSex,
    /// `other` or `unknown` sex: no NHWA category.
    SexOtherOrUnknown,
    /// No birth date recorded.
    NoBirthDate,
    /// A birth date that is not a date.
    InvalidBirthDate,
    /// A partial birth date that does not decide the age on the reference date.
    ImpreciseBirthDate,
    /// Born after the reference date.
    BornAfterReferenceDate,
    /// No country of training recorded.
    NoCountryOfTraining,
    /// No country of birth recorded.
    NoCountryOfBirth,
    /// A country of birth that is not an ISO 3166-1 code.
    InvalidCountryOfBirth,
    /// No employer, or its type is not in the mapping's ownership table.
    OwnershipUnknown,
    /// No facility, or its type is not in the mapping's facility-type table.
    FacilityTypeUnknown,
    /// The facility has no DHIS2 org unit (subnational reporting).
    NoOrgUnit,
    /// No full-time equivalent recorded.
    NoFte,
    /// The value has no category option combo in the mapping.
    NoCombo,
    /// No contract type recorded.
    NoContractType,
    /// A contract type code that is not one of the contract-type codes.
    UnrecognisedContractType,
    /// An exit without a reason recorded on the ended employment.
    NoExitReason,
    /// An exit reason code that says neither voluntary nor involuntary.
    UnrecognisedExitReason,
    /// Neither FTE nor an employment status says whether the job is part-time.
    NoWorkingTime,
    /// No weekly hours recorded.
    NoWeeklyHours,
    /// No salary recorded (earnings figures only).
    NoSalary,
    /// A salary whose currency is not a three-letter code or whose amount is not positive.
    InvalidSalary,
    /// Paid in another currency than the mapping's `currency`.
    OtherCurrency,
    /// No training qualification with a date (graduation figures only).
    NoGraduationDate,
    /// The employment has no start date (graduation figures only).
    NoStartDate,
    /// In the stock, but in no figure of the mapping: no entry or exit in the period, or
    /// not in the categories its figures count.
    InNoFigure,
}

impl Reason {
    /// The reason as a sentence fragment; `on` is the reference date.
    pub fn describe(self, on: NaiveDate) -> String {
        match self {
            Self::PractitionerInactive => "practitioner marked inactive".to_owned(),
            Self::NotEmployed => format!("no active employment on {on}"),
            Self::NoOccupation => "no occupation recorded".to_owned(),
            Self::UnrecognisedOccupation => {
                "occupation code not ISCO-08 nor in the code table".to_owned()
            }
            Self::OccupationNotInMapping => "occupation not in mapping".to_owned(),
            Self::NoOccupationForLicence => {
                "licensed, not employed, no qualification gives the occupation".to_owned()
            }
            Self::NoSex => "no sex recorded".to_owned(),
            Self::InvalidSex => "invalid sex".to_owned(),
            Self::SexOtherOrUnknown => "sex other or unknown".to_owned(),
            Self::NoBirthDate => "no birth date recorded".to_owned(),
            Self::InvalidBirthDate => "invalid birth date".to_owned(),
            Self::ImpreciseBirthDate => format!("birth date too imprecise for the age on {on}"),
            Self::BornAfterReferenceDate => format!("born after {on}"),
            Self::NoCountryOfTraining => "no country of training recorded".to_owned(),
            Self::NoCountryOfBirth => "no country of birth recorded".to_owned(),
            Self::InvalidCountryOfBirth => "invalid country of birth".to_owned(),
            Self::OwnershipUnknown => "employer ownership unknown".to_owned(),
            Self::FacilityTypeUnknown => "facility type unknown".to_owned(),
            Self::NoOrgUnit => "facility has no DHIS2 org unit".to_owned(),
            Self::NoFte => "no FTE recorded".to_owned(),
            Self::NoCombo => "value has no category option combo in the mapping".to_owned(),
            Self::NoContractType => "no contract type recorded".to_owned(),
            Self::UnrecognisedContractType => "contract type code not recognised".to_owned(),
            Self::NoExitReason => "no exit reason recorded".to_owned(),
            Self::UnrecognisedExitReason => {
                "exit reason neither voluntary nor involuntary".to_owned()
            }
            Self::NoWorkingTime => "neither FTE nor employment status recorded".to_owned(),
            Self::NoWeeklyHours => "no weekly hours recorded".to_owned(),
            Self::NoSalary => "no salary recorded".to_owned(),
            Self::InvalidSalary => {
                "salary without a three-letter currency or a positive amount".to_owned()
            }
            Self::OtherCurrency => "salary in another currency than the mapping's".to_owned(),
            Self::NoGraduationDate => "no dated training qualification (graduation)".to_owned(),
            Self::NoStartDate => "employment without a start date".to_owned(),
            Self::InNoFigure => {
                "in the stock but in no figure (no entry or exit, or not in the categories counted)"
                    .to_owned()
            }
        }
    }
}

/// Where every input worker went. `counted` plus the sum of `not_counted` is `workers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// The reference date reasons are judged at.
    pub reference_date: NaiveDate,
    /// Workers given.
    pub workers: u64,
    /// Workers counted in at least one figure.
    pub counted: u64,
    /// Workers counted in no figure, by reason (and occupation, where the reason is about it).
    pub not_counted: BTreeMap<(Reason, Option<IscoCode>), u64>,
    /// Counted workers left out of one breakdown, by breakdown and reason (a worker counts once per breakdown).
    pub left_out: BTreeMap<(Breakdown, Reason), u64>,
    /// Values withheld by small-cell suppression.
    pub withheld_values: u64,
    /// Employments whose practitioner was not among the records (not workers; the quality report names them).
    pub orphan_employments: u64,
    /// Density values not written: no (or a zero) population for their org unit and period.
    pub densities_without_population: u64,
    /// Median earnings values not written: their workers are paid in more than one currency.
    pub medians_mixed_currencies: u64,
}

/// An [`Account`] with readable keys, as JSON output and the Python wheel show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// The reference date reasons are judged at.
    pub reference_date: NaiveDate,
    /// Workers given.
    pub workers: u64,
    /// Workers counted in at least one figure.
    pub counted: u64,
    /// Workers counted in no figure, by readable reason.
    pub not_counted: BTreeMap<String, u64>,
    /// Counted workers left out of a breakdown: breakdown → readable reason → workers.
    pub left_out: BTreeMap<String, BTreeMap<String, u64>>,
    /// Values withheld by small-cell suppression.
    pub withheld_values: u64,
    /// Employments whose practitioner was not among the records.
    pub orphan_employments: u64,
    /// Density figures not written for want of a population of their org unit and period.
    pub densities_without_population: u64,
    /// Median earnings figures not written: their workers are paid in several currencies.
    pub medians_mixed_currencies: u64,
}

impl Account {
    /// The account with readable keys (reasons as [`Account::lines`] words them).
    pub fn summary(&self) -> AccountSummary {
        let on = self.reference_date;
        let mut not_counted: BTreeMap<String, u64> = BTreeMap::new();
        for (what, n) in self.not_counted_reasons() {
            *not_counted.entry(what).or_default() += n;
        }
        let mut left_out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for ((breakdown, reason), n) in &self.left_out {
            *left_out
                .entry(breakdown.to_string())
                .or_default()
                .entry(reason.describe(on))
                .or_default() += n;
        }
        AccountSummary {
            reference_date: on,
            workers: self.workers,
            counted: self.counted,
            not_counted,
            left_out,
            withheld_values: self.withheld_values,
            orphan_employments: self.orphan_employments,
            densities_without_population: self.densities_without_population,
            medians_mixed_currencies: self.medians_mixed_currencies,
        }
    }

    pub(crate) fn new(reference_date: NaiveDate) -> Self {
        Self {
            reference_date,
            workers: 0,
            counted: 0,
            not_counted: BTreeMap::new(),
            left_out: BTreeMap::new(),
            withheld_values: 0,
            orphan_employments: 0,
            densities_without_population: 0,
            medians_mixed_currencies: 0,
        }
    }

    /// Whether every worker is accounted for exactly once.
    pub fn adds_up(&self) -> bool {
        self.counted + self.not_counted.values().sum::<u64>() == self.workers
    }

    /// Workers not counted, summed over reasons.
    pub fn not_counted_total(&self) -> u64 {
        self.not_counted.values().sum()
    }

    /// Workers not counted, as (readable reason, count), in reason order.
    pub fn not_counted_reasons(&self) -> Vec<(String, u64)> {
        self.not_counted
            .iter()
            .map(|((reason, occupation), n)| {
                let what = match occupation {
                    Some(code) => format!("occupation {code} not in mapping"),
                    None => reason.describe(self.reference_date),
                };
                (what, *n)
            })
            .collect()
    }

    /// The account as readable lines: `counted`, then each reason.
    pub fn lines(&self) -> Vec<String> {
        let on = self.reference_date;
        let mut lines = vec![format!(
            "{} workers: {} counted, {} not counted",
            self.workers,
            self.counted,
            self.not_counted_total()
        )];
        for (what, n) in self.not_counted_reasons() {
            lines.push(format!("  not counted: {what}: {n}"));
        }
        for ((breakdown, reason), n) in &self.left_out {
            lines.push(format!(
                "  left out of {breakdown}: {}: {n}",
                reason.describe(on)
            ));
        }
        if self.orphan_employments > 0 {
            lines.push(format!(
                "  employments of unknown practitioners (not workers): {}",
                self.orphan_employments
            ));
        }
        if self.densities_without_population > 0 {
            lines.push(format!(
                "  density values not written (no population for their org unit and period): {}",
                self.densities_without_population
            ));
        }
        if self.medians_mixed_currencies > 0 {
            lines.push(format!(
                "  median earnings not written (salaries in more than one currency): {}",
                self.medians_mixed_currencies
            ));
        }
        if self.withheld_values > 0 {
            lines.push(format!(
                "  values withheld (small cells): {}",
                self.withheld_values
            ));
        }
        lines
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}
