//! A health worker and their qualifications.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::coding::{Coding, Identifier, IdentifierKind, Recorded};
use crate::country::Country;
use crate::date::{DateRange, PartialDate};
use crate::sex::Sex;

/// A health worker (FHIR `Practitioner`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Practitioner {
    /// The record id in the source registry (`Practitioner.id`).
    pub id: String,
    /// Identifiers: registry id, national id, licences, ...
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Display name, when the source has one. Never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Practitioner.active`; `None` when not stated (FHIR reads that as active).
    #[serde(default)]
    pub active: Option<bool>,
    /// Sex as administrative gender.
    #[serde(default)]
    pub sex: Recorded<Sex>,
    /// Birth date, possibly partial.
    #[serde(default)]
    pub birth_date: Recorded<PartialDate>,
    /// Nationality; an unknown code is kept as written.
    #[serde(default)]
    pub nationality: Recorded<Country>,
    /// Country of birth; an unknown code is kept as written.
    #[serde(default)]
    pub country_of_birth: Recorded<Country>,
    /// Qualifications, licences included.
    #[serde(default)]
    pub qualifications: Vec<Qualification>,
}

impl Practitioner {
    /// Whether the record is not marked inactive.
    pub fn is_active(&self) -> bool {
        self.active != Some(false)
    }

    /// Whether the worker holds a licence to practise valid on `day`: a licence
    /// identifier or a licence qualification whose period contains the day.
    pub fn holds_licence_on(&self, day: NaiveDate) -> bool {
        let by_identifier = self
            .identifiers
            .iter()
            .any(|i| i.kind == IdentifierKind::Licence && i.validity.contains(day));
        by_identifier
            || self
                .qualifications
                .iter()
                .any(|q| q.is_licence && q.period.contains(day))
    }

    /// The qualification where the worker trained: the earliest (by start date,
    /// undated last) that is not a licence.
    pub fn training_qualification(&self) -> Option<&Qualification> {
        self.qualifications
            .iter()
            .filter(|q| !q.is_licence)
            .min_by_key(|q| (q.period.start.is_none(), q.period.start))
    }
}

/// A qualification (FHIR `Practitioner.qualification`): a degree, certificate or licence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Qualification {
    /// What was obtained.
    #[serde(default)]
    pub code: Option<Coding>,
    /// The issuing organisation's record id, when known.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The issuing institution's name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
    /// The country where it was issued (the country of training).
    #[serde(default)]
    pub country: Option<Country>,
    /// When it is valid.
    #[serde(default)]
    pub period: DateRange,
    /// Whether this is a licence to practise rather than a training qualification.
    #[serde(default)]
    pub is_licence: bool,
}
