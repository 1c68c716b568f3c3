//! `hrh-dhis2`: DHIS2 data value sets, import summaries, organisation units and a Web API client.
//!
//! Formats and the client arrive with their own issues; this crate depends on
//! `hrh-core` only, never on `hrh-fhir`.

pub use hrh_core;
