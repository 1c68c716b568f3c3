//! `hrh-fhir`: FHIR R4 workforce resources to and from `hrh-core`, and a FHIR REST client.
//!
//! Reading, writing and the client arrive with their own issues; this crate
//! depends on `hrh-core` only, never on `hrh-dhis2`.

pub use hrh_core;
