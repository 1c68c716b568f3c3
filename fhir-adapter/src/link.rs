//! Linking a registry after reading: identifier-only references and countries of training.

use std::collections::HashMap;

use hrh_core::{Country, Identifier, Registry};

use crate::mapping::{LOGICAL_REF_PREFIX, logical_id};
use crate::read::Record;

/// Whether a record refers to another by identifier only (a stand-in id starting with
/// [`LOGICAL_REF_PREFIX`], in the places [`link_references`] resolves), which only linking a
/// whole registry can resolve.
pub(crate) fn refers_by_identifier(record: &Record) -> bool {
    let logical = |id: Option<&str>| id.is_some_and(|id| id.starts_with(LOGICAL_REF_PREFIX));
    match record {
        Record::Practitioner(p) => p
            .qualifications
            .iter()
            .any(|q| logical(q.issuer.as_deref())),
        Record::Employment(e) => {
            logical(Some(&e.practitioner))
                || logical(e.employer.as_deref())
                || logical(e.facility.as_deref())
        }
        Record::Organization(o) => logical(o.part_of.as_deref()),
        Record::Facility(f) => {
            logical(f.part_of.as_deref()) || logical(f.managing_organization.as_deref())
        }
        Record::Service(_) => false,
    }
}

/// Resolves identifier-only references, then fills countries of training.
///
/// Every id starting with [`LOGICAL_REF_PREFIX`] (employment practitioner, employer and
/// facility; qualification issuer; `partOf`; managing organisation) is replaced by the id of
/// the one record of the right type holding that identifier; it is left as is when no record
/// or several records hold it. Then [`link_training_countries`] runs.
pub fn link_references(registry: &mut Registry) {
    let logical = |id: &str| id.starts_with(LOGICAL_REF_PREFIX);
    let logical_opt = |id: &Option<String>| id.as_deref().is_some_and(logical);
    // The identifier indexes are built only when some reference needs them: building the
    // one of a million practitioners costs more than the rest of linking.
    if registry
        .employments
        .iter()
        .any(|e| logical(&e.practitioner))
    {
        let practitioners = by_identifier(
            registry
                .practitioners
                .iter()
                .map(|p| (p.id.as_str(), p.identifiers.as_slice())),
        );
        for e in &mut registry.employments {
            resolve(&mut e.practitioner, &practitioners);
        }
    }
    let organizations_needed = registry
        .employments
        .iter()
        .any(|e| logical_opt(&e.employer))
        || registry
            .practitioners
            .iter()
            .flat_map(|p| &p.qualifications)
            .any(|q| logical_opt(&q.issuer))
        || registry
            .organizations
            .iter()
            .any(|o| logical_opt(&o.part_of))
        || registry
            .facilities
            .iter()
            .any(|f| logical_opt(&f.managing_organization));
    if organizations_needed {
        let organizations = by_identifier(
            registry
                .organizations
                .iter()
                .map(|o| (o.id.as_str(), o.identifiers.as_slice())),
        );
        for e in &mut registry.employments {
            resolve_opt(&mut e.employer, &organizations);
        }
        for p in &mut registry.practitioners {
            for q in &mut p.qualifications {
                resolve_opt(&mut q.issuer, &organizations);
            }
        }
        for o in &mut registry.organizations {
            resolve_opt(&mut o.part_of, &organizations);
        }
        for f in &mut registry.facilities {
            resolve_opt(&mut f.managing_organization, &organizations);
        }
    }
    let facilities_needed = registry
        .employments
        .iter()
        .any(|e| logical_opt(&e.facility))
        || registry.facilities.iter().any(|f| logical_opt(&f.part_of));
    if facilities_needed {
        let facilities = by_identifier(
            registry
                .facilities
                .iter()
                .map(|f| (f.id.as_str(), f.identifiers.as_slice())),
        );
        for e in &mut registry.employments {
            resolve_opt(&mut e.facility, &facilities);
        }
        for f in &mut registry.facilities {
            resolve_opt(&mut f.part_of, &facilities);
        }
    }
    link_training_countries(registry);
}

fn by_identifier<'a>(
    records: impl Iterator<Item = (&'a str, &'a [Identifier])>,
) -> HashMap<String, Option<String>> {
    let mut map: HashMap<String, Option<String>> = HashMap::new();
    for (id, identifiers) in records {
        for i in identifiers {
            map.entry(logical_id(i.system.as_deref(), &i.value))
                .and_modify(|held| {
                    if held.as_deref() != Some(id) {
                        *held = None;
                    }
                })
                .or_insert_with(|| Some(id.to_owned()));
        }
    }
    map
}

fn resolve(id: &mut String, map: &HashMap<String, Option<String>>) {
    if id.starts_with(LOGICAL_REF_PREFIX)
        && let Some(Some(found)) = map.get(id.as_str())
    {
        id.clone_from(found);
    }
}

fn resolve_opt(id: &mut Option<String>, map: &HashMap<String, Option<String>>) {
    if let Some(id) = id {
        resolve(id, map);
    }
}

/// Sets each qualification's country of training from its issuer Organization's country,
/// when the qualification has none and the issuer is in the registry.
pub fn link_training_countries(registry: &mut Registry) {
    let countries: HashMap<&str, Country> = registry
        .organizations
        .iter()
        .filter_map(|o| o.country.map(|c| (o.id.as_str(), c)))
        .collect();
    for p in &mut registry.practitioners {
        for q in &mut p.qualifications {
            if q.country.is_none() {
                q.country = q
                    .issuer
                    .as_deref()
                    .and_then(|id| countries.get(id).copied());
            }
        }
    }
}
