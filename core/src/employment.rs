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
}

impl Employment {
    /// Whether the employment is not marked inactive and its period contains `day`.
    pub fn is_held_on(&self, day: NaiveDate) -> bool {
        self.active != Some(false) && self.period.contains(day)
    }
}
