//! `hrh-fhir`: FHIR R4 workforce resources to `hrh-core` records.
//!
//! This crate reads Practitioner, PractitionerRole, Organization and Location resources (and the
//! HealthcareService a role may point to) —
//! single JSON resources, Bundles of any type, and bulk-export NDJSON (plain or `.ndjson.gz`) —
//! into `hrh-core` [`Practitioner`](hrh_core::Practitioner),
//! [`Employment`](hrh_core::Employment), [`Organization`](hrh_core::Organization) and
//! [`Facility`](hrh_core::Facility) (and [`HealthService`](hrh_core::HealthService)) records. It depends on `hrh-core` only, never on `hrh-dhis2`.
//!
//! ```
//! use hrh_fhir::{ReadConfig, Record, read_ndjson};
//! let ndjson = concat!(
//!     r#"{"resourceType":"Practitioner","id":"42","gender":"female","birthDate":"1980-06"}"#, "\n",
//!     r#"{"resourceType":"Practitioner","id":"43","birthDate":"2020-13-01"}"#, "\n",
//!     "not json\n",
//! );
//! let mut workers = Vec::new();
//! let report = read_ndjson(ndjson.as_bytes(), "Practitioner.ndjson", &ReadConfig::default(), &mut |r| {
//!     if let Record::Practitioner(p) = r { workers.push(p) }
//! })?;
//! assert_eq!(workers.len(), 2);
//! assert_eq!(workers[1].birth_date, hrh_core::Recorded::Invalid("2020-13-01".into()));
//! assert_eq!(report.rejected[0].reason.to_string().split(':').take(2).collect::<Vec<_>>(),
//!            ["Practitioner.ndjson", "3"]);
//! assert!(report.is_balanced());
//! # Ok::<(), hrh_fhir::FhirError>(())
//! ```
//!
//! # Reading conventions
//!
//! - **Accounting.** Every NDJSON line and Bundle entry is a unit; each is accepted (a record),
//!   rejected ([`Rejected`], with a [`FhirError`] naming file, line or entry, `Type/id` and JSON
//!   path), skipped ([`Skipped`]: blank line, resource type not read, search outcome, entry
//!   without resource) or a deletion ([`Deletion`]). A bad unit never stops a read.
//! - **Streaming.** NDJSON is read line by line; records go to a callback as they are read.
//!   Each resource is deserialised into a narrow view holding only the elements mapped.
//! - **Values kept when wrong.** A bad `gender`, `birthDate` or unmapped job code is kept as
//!   [`Recorded::Invalid`](hrh_core::Recorded::Invalid) so the worker still counts and the
//!   quality report can name it. A bad `period` date or reference rejects the record.
//! - **Ids.** The record id is `Resource.id`; a Bundle entry without id uses its `fullUrl`.
//!   References `Type/id`, absolute URLs (also `/_history/n`), `urn:uuid:`/`urn:oid:` (through
//!   the Bundle's `fullUrl`s) and `#contained` (qualification issuers only) are resolved to
//!   record ids. An identifier-only reference gets the stand-in id
//!   `identifier:<system>|<value>` ([`mapping::LOGICAL_REF_PREFIX`]), which
//!   [`link_references`] (run by [`read_registry`]) replaces by the record holding that
//!   identifier. A role without any practitioner reference is rejected.
//! - **Bundles.** `search.mode = match` entries are counted in [`ReadReport::matches`];
//!   `include` entries are records too; `outcome` entries are skipped; `request.method =
//!   DELETE` entries are deletions (even when they carry a resource, as some `_history` feeds do).
//! - **Occupation.** An ISCO-08 coding in `PractitionerRole.code` wins (4 digits = unit group,
//!   3 = not further defined); otherwise the first coding in [`ReadConfig::job_to_isco`];
//!   otherwise `Invalid(code)`. The coding used is kept in `Employment::job_code`.
//! - **Identifiers.** Type `LN` (v2-0203) is a licence with the identifier's period as validity;
//!   DHIS2 `#id`/`#code` systems give a Location's org unit; registry and national id systems
//!   come from [`ReadConfig`].
//! - **Countries.** Nationality from the iHRIS or core extension, country of birth from
//!   `patient-birthPlace`, country of training from the issuer's `address[0].country`
//!   (contained, or later by [`link_training_countries`]). Codes that are not ISO 3166-1 are
//!   dropped.
//! - **Typed input.** With the `fhir-sdk` feature, `sdk::from_sdk` maps
//!   `fhir_sdk::r4b` resources through the same mapping (serialised to JSON and read back).
//!   The feature is off by default because `fhir_model` takes about 2 minutes to build.
//! - **Client.** With the `client` feature (on by default), [`client::FhirClient`] talks to
//!   FHIR servers: search with paging, `_history` sync into [`mirror::Mirror`], bulk
//!   `$export` streamed into the NDJSON reader, writes and transactions, auth and retries;
//!   [`load`] loads records checked before sending ([`write::precheck`]), splitting
//!   transactions the server rolls back. Without it the crate builds no TLS stack or async runtime.
//! - **Privacy.** Error texts carry ids, never names; parser messages are redacted.

#[cfg(feature = "client")]
pub mod client;
pub mod config;
pub mod error;
pub mod inputs;
pub mod link;
#[cfg(feature = "client")]
pub mod load;
pub mod madx;
pub mod mapping;
pub mod mirror;
pub mod read;
#[cfg(feature = "fhir-sdk")]
pub mod sdk;
pub mod stream;
#[cfg(feature = "client")]
pub mod sync;
pub mod write;

pub use config::ReadConfig;
pub use error::{FhirError, Origin};
pub use hrh_core;
pub use link::{link_references, link_training_countries};
pub use read::{
    Deletion, NdjsonFeed, ReadReport, Record, Rejected, SkipReason, Skipped, read_bundle_value,
    read_json, read_ndjson, read_path, read_registry, read_resource,
};
