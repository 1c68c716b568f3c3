//! Codes, identifiers and values whose source may be missing or invalid.

use serde::{Deserialize, Serialize};

use crate::date::DateRange;

/// A code from a code system, as FHIR `Coding` carries it.
///
/// ```
/// let c = hrh_core::Coding::new(Some("http://terminology.hl7.org/CodeSystem/v3-RoleCode"), "HOSP");
/// assert!(c.is("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HOSP"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Coding {
    /// The code system URI, when given.
    pub system: Option<String>,
    /// The code.
    pub code: String,
    /// Human-readable text, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    /// A coding without display text.
    pub fn new(system: Option<&str>, code: &str) -> Self {
        Self {
            system: system.map(str::to_owned),
            code: code.to_owned(),
            display: None,
        }
    }

    /// Whether this coding has the given system and code.
    pub fn is(&self, system: &str, code: &str) -> bool {
        self.system.as_deref() == Some(system) && self.code == code
    }
}

/// What an identifier identifies, as configured per identifier system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentifierKind {
    /// The registry's own id for the record.
    Registry,
    /// A national id (citizen or health-worker number).
    National,
    /// A licence to practise (FHIR v2-0203 `LN`); its period is the validity.
    Licence,
    /// A DHIS2 UID (system `http://dhis2.org/identifiertypes#id`).
    Dhis2Uid,
    /// A DHIS2 code (system `http://dhis2.org/identifiertypes#code`).
    Dhis2Code,
    /// Any other identifier.
    Other,
}

/// An identifier of a record: system, value, kind and validity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// The identifier system URI, when given.
    pub system: Option<String>,
    /// The value.
    pub value: String,
    /// What it identifies.
    pub kind: IdentifierKind,
    /// When it is valid (open ends are unbounded).
    #[serde(default)]
    pub validity: DateRange,
}

impl Identifier {
    /// An identifier of the given kind, valid at all times.
    pub fn new(kind: IdentifierKind, system: Option<&str>, value: &str) -> Self {
        Self {
            system: system.map(str::to_owned),
            value: value.to_owned(),
            kind,
            validity: DateRange::ALWAYS,
        }
    }
}

/// A value from the source: missing, valid, or present but not valid (kept as written).
///
/// Keeping invalid values lets the data-quality report name them and the
/// aggregation count the worker while leaving them out of that one breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded<T> {
    /// Not recorded.
    #[default]
    Missing,
    /// Recorded and valid.
    Valid(T),
    /// Recorded but not valid; the text as written.
    Invalid(String),
}

impl<T> Recorded<T> {
    /// The valid value, if any.
    pub fn valid(&self) -> Option<&T> {
        match self {
            Self::Valid(value) => Some(value),
            Self::Missing | Self::Invalid(_) => None,
        }
    }

    /// Reads optional source text with `parse`, keeping the text when it fails.
    ///
    /// ```
    /// use hrh_core::{Recorded, Sex};
    /// assert_eq!(Recorded::from_text(Some("female"), Sex::from_fhir), Recorded::Valid(Sex::Female));
    /// assert_eq!(Recorded::from_text(Some("F"), Sex::from_fhir), Recorded::<Sex>::Invalid("F".into()));
    /// assert_eq!(Recorded::from_text(None, Sex::from_fhir), Recorded::<Sex>::Missing);
    /// ```
    pub fn from_text<E>(text: Option<&str>, parse: impl FnOnce(&str) -> Result<T, E>) -> Self {
        match text {
            None => Self::Missing,
            Some(text) => parse(text).map_or_else(|_| Self::Invalid(text.to_owned()), Self::Valid),
        }
    }
}
