//! `hrh-dhis2`: DHIS2 data value sets, import summaries, organisation units and a Web API client.
//!
//! This crate depends on `hrh-core` only, never on `hrh-fhir`. So far it holds
//! DHIS2 identifiers ([`uid`]) and the [`Dhis2Error`] type; the formats and the
//! client arrive with their own issues.
//!
//! ```
//! use hrh_dhis2::uid::{generate_uid, is_valid_uid, IdScheme};
//!
//! assert!(is_valid_uid(&generate_uid()));
//! assert_eq!(IdScheme::parse("ATTRIBUTE:FuMctq4PQpf")?.to_string(), "ATTRIBUTE:FuMctq4PQpf");
//! # Ok::<(), hrh_dhis2::Dhis2Error>(())
//! ```

pub mod datavalueset;
pub mod error;
pub mod import_summary;
pub mod uid;

pub use datavalueset::{DataValue, DataValueSet};
pub use error::{Dhis2Error, Result};
pub use hrh_core;
