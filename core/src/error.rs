//! The one error type of `hrh-core`.

/// Everything that can go wrong in `hrh-core`.
///
/// Each variant names the offending input so a caller can report it without
/// guessing; none of them carries personal data beyond a record id.
///
/// Not `#[non_exhaustive]` on purpose: the bindings map every variant to an
/// exception class, and a new variant should fail their build until mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// A mapping file has mistakes; every one is listed with its line.
    #[error("invalid mapping: {}", issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidMapping {
        /// Every mistake found, in line order.
        issues: Vec<MappingIssue>,
    },
    /// No shipped mapping has this name.
    #[error(
        "no built-in mapping named {0:?} (built in: nhwa-module1, nhwa-module1-subnational, nhwa-module5, nhwa-module6, nhwa-module7)"
    )]
    UnknownMapping(String),
    /// National reporting needs an org unit and none was given.
    #[error("the mapping reports nationally but names no org unit: give one (e.g. --org-unit)")]
    MissingOrgUnit,
    /// The period's type is not the one the mapping's data set uses.
    #[error("period {period} is {actual}, but mapping {mapping} reports {expected} periods")]
    PeriodTypeMismatch {
        /// The period given.
        period: String,
        /// Its type.
        actual: String,
        /// The type the mapping expects.
        expected: String,
        /// The mapping's name.
        mapping: String,
    },
    /// A population file has a bad value; names the file, line and field.
    #[error("population file {file}, line {line}, {field}: {reason}")]
    InvalidPopulation {
        /// The file (or other source) the figures came from.
        file: String,
        /// 1-based line number.
        line: u64,
        /// The column or part of the file.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// One mistake in a mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingIssue {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for MappingIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
