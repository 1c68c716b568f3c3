//! Core records → FHIR R4: mCSD-conformant resources, bulk-export NDJSON files, and
//! transaction or batch Bundles that upsert by business identifier.
//!
//! Each resource claims its mCSD profile in `meta.profile` and is written in the shape the
//! readers of this crate read back: [`crate::read_registry`] over what [`BulkWriter`] wrote
//! gives the records that were written.
//!
//! ```
//! use hrh_core::synthetic::{Config, SyntheticRegistry};
//! let dir = std::env::temp_dir().join(format!("hrh-write-doc-{}", std::process::id()));
//! let synthetic = SyntheticRegistry::new(Config { workers: 50, ..Config::default() });
//! let counts = hrh_fhir::write::export_synthetic(&synthetic, &dir, 2)?;
//! assert_eq!(counts.practitioners, 50);
//! assert!(dir.join("PractitionerRole.ndjson").exists());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), hrh_fhir::FhirError>(())
//! ```

mod bulk;
mod elements;
pub mod precheck;
mod resources;
mod transaction;

pub use bulk::{BulkCounts, BulkWriter, export_synthetic};
pub use resources::{
    HealthcareServiceResource, IHRIS_EMPLOYMENT_STATUS_SYSTEM, ISO3166_SYSTEM, LocationResource,
    OrganizationResource, PractitionerResource, PractitionerRoleResource, healthcare_service,
    location, organization, practitioner, practitioner_role,
};
pub use transaction::{
    BundleKind, Entry, bundle, business_identifier, entries, transaction, transaction_bundles,
};

/// The canonical URLs of the profiles written resources claim (IHE ITI mCSD).
pub mod profiles {
    /// `IHE.mCSD.Practitioner`.
    pub const PRACTITIONER: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.Practitioner";
    /// `IHE.mCSD.PractitionerRole`.
    pub const PRACTITIONER_ROLE: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.PractitionerRole";
    /// `IHE.mCSD.Organization`.
    pub const ORGANIZATION: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.Organization";
    /// `IHE.mCSD.FacilityLocation`.
    pub const FACILITY_LOCATION: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.FacilityLocation";
    /// `IHE.mCSD.JurisdictionLocation`.
    pub const JURISDICTION_LOCATION: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.JurisdictionLocation";
    /// `IHE.mCSD.HealthcareService`.
    pub const HEALTHCARE_SERVICE: &str =
        "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.HealthcareService";
}
