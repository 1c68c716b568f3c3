//! `hrh-core`: the health-workforce domain of `hrh`, with no I/O.
//!
//! It models what national workforce registries hold (workers, their
//! qualifications and employments, employers and facilities), the
//! classifications NHWA reporting uses (ISCO-08 occupations, ISO 3166-1
//! countries, age bands, SHA provider classes), DHIS2 periods, and the
//! [`AggregateValue`] that both adapters exchange: `hrh-fhir` reads registries
//! into these types, `hrh-dhis2` writes the aggregates out.
//!
//! ```
//! use hrh_core::{quality, Period, PeriodType, Registry};
//!
//! let period = Period::parse("2024")?;
//! let reference_date = period.end();
//! assert_eq!(reference_date.to_string(), "2024-12-31");
//!
//! let report = quality::check(&Registry::default(), &quality::Options::as_of(reference_date));
//! assert!(report.is_clean());
//! # Ok::<(), hrh_core::CoreError>(())
//! ```

pub mod age;
pub mod aggregate;
pub mod aggregate_value;
pub mod coding;
pub mod country;
pub mod date;
pub mod employment;
pub mod error;
pub mod facility;
pub mod occupation;
pub mod organization;
pub mod period;
pub mod population;
pub mod practitioner;
pub mod quality;
pub mod registry;
pub mod secret;
pub mod service;
pub mod sex;
pub mod synthetic;

pub use age::AgeBand;
pub use aggregate_value::{AggregateValue, Number};
pub use coding::{Coding, Identifier, IdentifierKind, Recorded};
pub use country::Country;
pub use date::{DateRange, PartialDate};
pub use employment::{ContractType, Employment, EmploymentStatus, ExitReason, PayPeriod, Salary};
pub use error::{CoreError, Result};
pub use facility::{Facility, GeoPoint, OrgUnitRef, ProviderClass};
pub use occupation::{IscoCode, IscoLevel};
pub use organization::{Organization, Ownership};
pub use period::{Period, PeriodType};
pub use practitioner::{Practitioner, Qualification};
pub use quality::QualityReport;
pub use registry::Registry;
pub use secret::Secret;
pub use service::HealthService;
pub use sex::Sex;
