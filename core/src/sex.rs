//! Sex as FHIR administrative gender.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// FHIR `AdministrativeGender` (required binding on `Practitioner.gender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `female`
    Female,
    /// `male`
    Male,
    /// `other`
    Other,
    /// `unknown`
    Unknown,
}

impl Sex {
    /// Reads a FHIR code exactly as FHIR requires (`female`, `male`, `other`, `unknown`; case-sensitive).
    pub fn from_fhir(code: &str) -> Result<Self> {
        match code {
            "female" => Ok(Self::Female),
            "male" => Ok(Self::Male),
            "other" => Ok(Self::Other),
            "unknown" => Ok(Self::Unknown),
            _ => Err(CoreError::InvalidSex(code.to_owned())),
        }
    }

    /// The FHIR code.
    pub fn fhir_code(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fhir_code())
    }
}
