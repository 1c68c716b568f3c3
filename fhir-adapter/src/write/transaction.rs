//! Transaction and batch Bundles that upsert records by business identifier.

use hrh_core::{Identifier, IdentifierKind, Registry};
use serde::Serialize;
use serde_json::{Value, json};

use super::resources::{
    healthcare_service, location, organization, practitioner, practitioner_role,
};
use crate::FhirError;

/// Whether a Bundle is applied all-or-nothing (`transaction`) or entry by entry (`batch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleKind {
    /// Atomic: one failing entry fails the Bundle.
    Transaction,
    /// Each entry succeeds or fails on its own.
    Batch,
}

impl BundleKind {
    fn code(self) -> &'static str {
        match self {
            Self::Transaction => "transaction",
            Self::Batch => "batch",
        }
    }
}

/// The identifier a record is upserted by: the first registry id, else national id, else
/// DHIS2 UID, else DHIS2 code, else any other identifier with a system. Licences are never
/// used (they are renewed under new numbers).
pub fn business_identifier(identifiers: &[Identifier]) -> Option<&Identifier> {
    const ORDER: [IdentifierKind; 5] = [
        IdentifierKind::Registry,
        IdentifierKind::National,
        IdentifierKind::Dhis2Uid,
        IdentifierKind::Dhis2Code,
        IdentifierKind::Other,
    ];
    ORDER.iter().find_map(|kind| {
        identifiers
            .iter()
            .find(|i| i.kind == *kind && i.system.is_some() && !i.value.is_empty())
    })
}

/// The request URL: `Type?identifier=system|value` (encoded) when there is a business
/// identifier, else `Type/id`, so that sending the same record twice updates it.
fn upsert_url(resource_type: &str, id: &str, identifiers: &[Identifier]) -> String {
    match business_identifier(identifiers) {
        Some(Identifier {
            system: Some(system),
            value,
            ..
        }) => {
            let token = format!("{system}|{value}");
            let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
            format!("{resource_type}?identifier={encoded}")
        }
        _ => format!("{resource_type}/{id}"),
    }
}

/// One entry of a transaction or batch Bundle: a resource and the `PUT` that upserts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The resource type (`Practitioner`, `Location`, ...).
    pub resource_type: &'static str,
    /// The resource id (the record id).
    pub id: String,
    /// The request URL: `Type?identifier=system|value` (encoded), else `Type/id`.
    pub url: String,
    /// The resource as JSON.
    pub resource: Value,
}

impl Entry {
    /// `Type/id`, as references and reports name the resource.
    pub fn key(&self) -> String {
        format!("{}/{}", self.resource_type, self.id)
    }

    /// The Bundle entry: `{"resource": …, "request": {"method": "PUT", "url": …}}`.
    pub fn to_bundle_entry(&self) -> Value {
        json!({ "resource": self.resource, "request": { "method": "PUT", "url": self.url } })
    }
}

/// A Bundle of `kind` holding `entries`, in order.
///
/// ```
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// use hrh_fhir::write::{BundleKind, bundle, entries};
/// let registry = SyntheticRegistry::new(Config { workers: 3, ..Config::default() }).to_registry();
/// let all = entries(&registry).collect::<Result<Vec<_>, _>>()?;
/// let batch = bundle(BundleKind::Batch, &all);
/// assert_eq!(batch["entry"].as_array().unwrap().len(), all.len());
/// # Ok::<(), hrh_fhir::FhirError>(())
/// ```
pub fn bundle(kind: BundleKind, entries: &[Entry]) -> Value {
    let entry: Vec<Value> = entries.iter().map(Entry::to_bundle_entry).collect();
    json!({ "resourceType": "Bundle", "type": kind.code(), "entry": entry })
}

fn entry(
    resource_type: &'static str,
    id: &str,
    resource: &impl Serialize,
    url: String,
) -> Result<Entry, FhirError> {
    match serde_json::to_value(resource) {
        Ok(resource) => Ok(Entry {
            resource_type,
            id: id.to_owned(),
            url,
            resource,
        }),
        Err(e) => Err(FhirError::Io {
            source_name: url,
            source: e.into(),
        }),
    }
}

/// The records of `registry` as Bundles of at most `max_entries` entries (organisations,
/// then locations, services, practitioners and roles, so that each Bundle only refers to
/// records already sent). Every entry is a conditional `PUT` by business identifier (or a
/// `PUT` by id when the record has none), so re-sending a registry creates no duplicates.
///
/// The resources keep their registry ids: a server that allows client-assigned ids creates
/// them under those ids, and references between them stay valid.
///
/// ```
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// use hrh_fhir::write::{BundleKind, transaction};
/// let registry = SyntheticRegistry::new(Config { workers: 5, ..Config::default() }).to_registry();
/// let bundles = transaction(&registry, BundleKind::Transaction, 100)?;
/// assert_eq!(bundles[0]["type"], "transaction");
/// let first = &bundles[0]["entry"][0]["request"];
/// assert_eq!(first["method"], "PUT");
/// assert!(first["url"].as_str().unwrap().starts_with("Organization?identifier="));
/// # Ok::<(), hrh_fhir::FhirError>(())
/// ```
pub fn transaction(
    registry: &Registry,
    kind: BundleKind,
    max_entries: usize,
) -> Result<Vec<Value>, FhirError> {
    transaction_bundles(registry, kind, max_entries).collect()
}

/// [`transaction`] one Bundle at a time: each is made when asked for, so a sender holds one
/// Bundle rather than the whole registry written out (several GB for a million workers).
///
/// ```
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// use hrh_fhir::write::{BundleKind, transaction_bundles};
/// let registry = SyntheticRegistry::new(Config { workers: 50, ..Config::default() }).to_registry();
/// let first = transaction_bundles(&registry, BundleKind::Batch, 10).next().unwrap()?;
/// assert_eq!(first["entry"].as_array().unwrap().len(), 10);
/// # Ok::<(), hrh_fhir::FhirError>(())
/// ```
pub fn transaction_bundles(
    registry: &Registry,
    kind: BundleKind,
    max_entries: usize,
) -> impl Iterator<Item = Result<Value, FhirError>> + '_ {
    let size = max_entries.max(1);
    let mut entries = entries(registry).peekable();
    std::iter::from_fn(move || {
        entries.peek()?;
        let chunk: Result<Vec<Entry>, FhirError> = entries.by_ref().take(size).collect();
        Some(chunk.map(|chunk| bundle(kind, &chunk)))
    })
}

/// Every record of `registry` as a Bundle entry, in dependency order (organisations,
/// locations, services, practitioners, roles), each made when asked for.
pub fn entries(registry: &Registry) -> impl Iterator<Item = Result<Entry, FhirError>> + '_ {
    let organizations = registry.organizations.iter().map(|o| {
        entry(
            "Organization",
            &o.id,
            &organization(o),
            upsert_url("Organization", &o.id, &o.identifiers),
        )
    });
    let facilities = registry.facilities.iter().map(|f| {
        entry(
            "Location",
            &f.id,
            &location(f),
            upsert_url("Location", &f.id, &f.identifiers),
        )
    });
    let services = registry.services.iter().map(|s| {
        entry(
            "HealthcareService",
            &s.id,
            &healthcare_service(s),
            format!("HealthcareService/{}", s.id),
        )
    });
    let practitioners = registry.practitioners.iter().map(|p| {
        entry(
            "Practitioner",
            &p.id,
            &practitioner(p),
            upsert_url("Practitioner", &p.id, &p.identifiers),
        )
    });
    let roles = registry.employments.iter().map(|e| {
        entry(
            "PractitionerRole",
            &e.id,
            &practitioner_role(e),
            format!("PractitionerRole/{}", e.id),
        )
    });
    organizations
        .chain(facilities)
        .chain(services)
        .chain(practitioners)
        .chain(roles)
}
