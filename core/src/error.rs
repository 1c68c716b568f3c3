//! The one error type of `hrh-core`.

/// Everything that can go wrong in `hrh-core`.
///
/// Each variant names the offending input so a caller can report it without
/// guessing; none of them carries personal data beyond a record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A DHIS2 period identifier could not be parsed.
    #[error("invalid period {input:?}: {reason}")]
    InvalidPeriod {
        /// The identifier as given.
        input: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A period type name (e.g. `Weekly`, `FinancialApril`) is not known.
    #[error("unknown period type {0:?}")]
    UnknownPeriodType(String),
    /// A date outside the range DHIS2 periods can express (years 1..=9999).
    #[error("date {0} is outside the supported range of years 1 to 9999")]
    DateOutOfRange(String),
    /// An ISCO-08 code is malformed (not 1 to 4 digits) or not in ISCO-08.
    #[error("invalid ISCO-08 code {input:?}: {reason}")]
    InvalidIsco {
        /// The code as given.
        input: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A country code is neither an ISO 3166-1 alpha-2, alpha-3 nor numeric code.
    #[error("unknown ISO 3166-1 country code {0:?}")]
    UnknownCountry(String),
    /// A FHIR `date` (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) is malformed or impossible.
    #[error("invalid date {0:?}")]
    InvalidDate(String),
    /// A FHIR administrative gender code is not one of `male`, `female`, `other`, `unknown`.
    #[error("invalid administrative gender {0:?} (expected male, female, other or unknown)")]
    InvalidSex(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
