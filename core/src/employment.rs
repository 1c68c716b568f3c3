//! Employment of a worker (FHIR `PractitionerRole`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::coding::{Coding, Recorded};
use crate::date::DateRange;
use crate::occupation::IscoCode;

/// The iHRIS employment status (`ihris-practitionerrole-employment-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EmploymentStatus {
    /// On contract.
    Contract,
    /// Full time.
    FullTime,
    /// Part time.
    PartTime,
    /// Volunteer.
    Volunteer,
}

impl EmploymentStatus {
    /// Reads the iHRIS code (`contract`, `fullTime`, `partTime`, `volunteer`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "contract" => Some(Self::Contract),
            "fullTime" => Some(Self::FullTime),
            "partTime" => Some(Self::PartTime),
            "volunteer" => Some(Self::Volunteer),
            _ => None,
        }
    }

    /// The iHRIS code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Contract => "contract",
            Self::FullTime => "fullTime",
            Self::PartTime => "partTime",
            Self::Volunteer => "volunteer",
        }
    }
}

/// One job held by a worker: occupation, employer, facility and period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Employment {
    /// The record id (`PractitionerRole.id`).
    pub id: String,
    /// The worker's record id.
    pub practitioner: String,
    /// The occupation as ISCO-08; `Invalid` keeps a code that maps to no ISCO-08 group.
    #[serde(default)]
    pub occupation: Recorded<IscoCode>,
    /// The job code as the source wrote it (kept for reports on unmapped codes).
    #[serde(default)]
    pub job_code: Option<Coding>,
    /// Specialties.
    #[serde(default)]
    pub specialties: Vec<Coding>,
    /// The employer organisation's record id.
    #[serde(default)]
    pub employer: Option<String>,
    /// The facility (location) record id.
    #[serde(default)]
    pub facility: Option<String>,
    /// The health service record id, when the role points to one.
    #[serde(default)]
    pub service: Option<String>,
    /// When the employment runs.
    #[serde(default)]
    pub period: DateRange,
    /// `PractitionerRole.active`; `None` when not stated.
    #[serde(default)]
    pub active: Option<bool>,
    /// Employment status, when the source has it.
    #[serde(default)]
    pub status: Option<EmploymentStatus>,
    /// Full-time equivalent (1.0 = full time), when known.
    #[serde(default)]
    pub fte: Option<f64>,
    /// The kind of contract, when the source has it; an unknown code is kept as written.
    #[serde(default)]
    pub contract: Recorded<ContractType>,
    /// Contracted hours per week, when the source has them.
    #[serde(default)]
    pub weekly_hours: Option<f64>,
    /// Why the employment ended, for an ended one; an unknown code is kept as written.
    #[serde(default)]
    pub exit_reason: Recorded<ExitReason>,
    /// The pay of the job, in the currency recorded.
    #[serde(default)]
    pub salary: Option<Salary>,
}

/// The kind of employment contract (NHWA Module 6, working conditions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContractType {
    /// Permanent (open-ended) contract.
    Permanent,
    /// Fixed-term or temporary contract.
    FixedTerm,
    /// Casual, daily or hourly engagement.
    Casual,
    /// Unpaid volunteer.
    Volunteer,
}

impl ContractType {
    /// All contract types, in code order.
    pub const ALL: [Self; 4] = [
        Self::Permanent,
        Self::FixedTerm,
        Self::Casual,
        Self::Volunteer,
    ];

    /// The code in `https://hrh.dev/fhir/CodeSystem/contract-type`
    /// (`permanent`, `fixed-term`, `casual`, `volunteer`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::FixedTerm => "fixed-term",
            Self::Casual => "casual",
            Self::Volunteer => "volunteer",
        }
    }

    /// Reads a code of [`ContractType::code`].
    ///
    /// ```
    /// use hrh_core::ContractType;
    /// assert_eq!(ContractType::from_code("fixed-term"), Some(ContractType::FixedTerm));
    /// assert_eq!(ContractType::from_code("FT"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Why a worker left a job (NHWA Module 3, labour-market flows: voluntary and
/// involuntary exits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitReason {
    /// Resignation, move to another sector or country, career break.
    Voluntary,
    /// Dismissal, end of contract not renewed, redundancy.
    Involuntary,
    /// Retirement.
    Retirement,
    /// Death.
    Death,
}

impl ExitReason {
    /// All exit reasons, in code order.
    pub const ALL: [Self; 4] = [
        Self::Voluntary,
        Self::Involuntary,
        Self::Retirement,
        Self::Death,
    ];

    /// The code in `https://hrh.dev/fhir/CodeSystem/exit-reason`
    /// (`voluntary`, `involuntary`, `retirement`, `death`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Voluntary => "voluntary",
            Self::Involuntary => "involuntary",
            Self::Retirement => "retirement",
            Self::Death => "death",
        }
    }

    /// Reads a code of [`ExitReason::code`].
    ///
    /// ```
    /// use hrh_core::ExitReason;
    /// assert_eq!(ExitReason::from_code("voluntary"), Some(ExitReason::Voluntary));
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether NHWA counts the exit as voluntary (resignation) rather than
    /// involuntary (dismissal, retirement, death).
    pub fn is_voluntary(self) -> bool {
        self == Self::Voluntary
    }
}

/// How often a salary amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayPeriod {
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// The gross pay of a job, in the currency recorded (amounts in different
/// currencies are never added together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    /// The amount.
    pub amount: f64,
    /// ISO 4217 currency code as recorded (`UZS`, `USD`).
    pub currency: String,
    /// What the amount is paid for.
    pub per: PayPeriod,
}

impl Salary {
    /// The amount per year (monthly amounts times twelve).
    ///
    /// ```
    /// use hrh_core::employment::{PayPeriod, Salary};
    /// let s = Salary { amount: 1000.0, currency: "USD".into(), per: PayPeriod::Month };
    /// assert_eq!(s.annual(), 12000.0);
    /// ```
    pub fn annual(&self) -> f64 {
        match self.per {
            PayPeriod::Month => self.amount * 12.0,
            PayPeriod::Year => self.amount,
        }
    }
}

impl Employment {
    /// Whether the employment is not marked inactive and its period contains `day`.
    pub fn is_held_on(&self, day: NaiveDate) -> bool {
        self.active != Some(false) && self.period.contains(day)
    }
}
