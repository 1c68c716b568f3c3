//! `hrh-dhis2`: DHIS2 data value sets, import summaries, organisation units and a Web API client.
//!
//! This crate depends on `hrh-core` only, never on `hrh-fhir`. It holds:
//!
//! - [`datavalueset`]: [`DataValue`] and [`DataValueSet`], read and written as
//!   DHIS2 JSON ([`datavalueset::json`]), CSV ([`datavalueset::csv`]), ADX
//!   ([`datavalueset::adx`]) and DXF2 XML ([`datavalueset::xml`]), and
//!   converted to and from [`hrh_core::AggregateValue`];
//! - [`import_summary`]: import responses (bare or wrapped ImportSummary, error
//!   messages), with rejected values mapped back to what was sent;
//! - [`uid`]: DHIS2 UIDs and id schemes;
//! - [`org_units_to_core`]: organisation units as `hrh-core` organisations and
//!   facilities (mCSD jurisdictions and facilities);
//! - [`client`]: an async Web API client (with a [`client::blocking`] facade):
//!   chunked and asynchronous imports, reads, org units, data set metadata, pre-flight;
//! - [`Dhis2Error`], the crate's one error type.
//!
//! ```
//! use hrh_dhis2::datavalueset::{csv, json};
//!
//! let body = br#"{"period":"2024","orgUnit":"Uzbek0000001",
//!   "dataValues":[{"dataElement":"GFfMM55sVzg","categoryOptionCombo":"F3kCvhpDnMM","value":1234}]}"#;
//! let set = json::read_json(body)?;
//! let aggregates = set.to_aggregates()?;
//! assert_eq!(aggregates[0].period.to_string(), "2024");
//! assert_eq!(aggregates[0].value.to_string(), "1234");
//!
//! let mut out = Vec::new();
//! csv::write_csv(&set, &mut out)?;
//! assert_eq!(csv::read_csv(&out[..])?.data_values[0].value.as_deref(), Some("1234"));
//!
//! assert!(hrh_dhis2::uid::is_valid_uid(&hrh_dhis2::uid::generate_uid()));
//! # Ok::<(), hrh_dhis2::Dhis2Error>(())
//! ```

pub mod client;
pub mod datavalueset;
pub mod error;
pub mod import_summary;
pub mod org_units_to_core;
pub mod uid;

pub use datavalueset::{DataValue, DataValueSet};
pub use error::{Dhis2Error, Result};
pub use hrh_core;
