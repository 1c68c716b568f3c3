//! DHIS2 organisation units → `hrh-core` places: each unit becomes an
//! [`Organization`] and a [`Facility`] with the same record id (the DHIS2 UID),
//! so a FHIR writer can publish them as mCSD Organization + Location pairs.
//!
//! - identifiers: the UID (system [`DHIS2_ID_SYSTEM`]) and the code, when there
//!   is one ([`DHIS2_CODE_SYSTEM`]);
//! - hierarchy: `part_of` is the parent's UID when the parent is among the units
//!   converted (a sub-tree's root has none); the facility's managing
//!   organisation is its own Organization;
//! - kind: a unit with children among the units is an mCSD `jurisdiction`, a
//!   leaf a `facility` (a coding of [`MCSD_LOCATION_TYPES`] in `types` of both
//!   records);
//! - position: a `geometry` of type `Point` (`[longitude, latitude]`);
//! - a unit with a `closedDate` is an inactive Organization.
//!
//! ```
//! use hrh_dhis2::client::OrganisationUnit;
//! use hrh_dhis2::org_units_to_core::{to_core, McsdKind};
//!
//! let units: Vec<OrganisationUnit> = serde_json::from_str(r#"[
//!   {"id": "UZdemoRoot1", "name": "Uzbekistan", "level": 1, "path": "/UZdemoRoot1"},
//!   {"id": "UZfacTsh001", "code": "TSH001", "level": 2, "path": "/UZdemoRoot1/UZfacTsh001",
//!    "parent": {"id": "UZdemoRoot1"},
//!    "geometry": {"type": "Point", "coordinates": [69.24, 41.31]}}
//! ]"#)?;
//! let places = to_core(&units, None);
//! assert_eq!(places[0].kind, McsdKind::Jurisdiction);
//! assert_eq!(places[1].kind, McsdKind::Facility);
//! assert_eq!(places[1].facility.part_of.as_deref(), Some("UZdemoRoot1"));
//! assert_eq!(places[1].facility.position.map(|p| p.latitude), Some(41.31));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeSet;

use hrh_core::{Coding, Facility, GeoPoint, Identifier, IdentifierKind, OrgUnitRef, Organization};

use crate::client::OrganisationUnit;

/// Identifier system of DHIS2 UIDs (`dhis2/dhis2-fhir-ig`).
pub const DHIS2_ID_SYSTEM: &str = "http://dhis2.org/identifiertypes#id";
/// Identifier system of DHIS2 codes.
pub const DHIS2_CODE_SYSTEM: &str = "http://dhis2.org/identifiertypes#code";
/// The mCSD code system that types a Location or Organization as a facility or jurisdiction.
pub const MCSD_LOCATION_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";

/// What an org unit is in mCSD terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum McsdKind {
    /// An administrative area: the unit has children.
    Jurisdiction,
    /// A place of care: the unit is a leaf.
    Facility,
}

impl McsdKind {
    /// The code in [`MCSD_LOCATION_TYPES`]: `jurisdiction` or `facility`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Jurisdiction => "jurisdiction",
            Self::Facility => "facility",
        }
    }

    /// The mCSD type coding.
    pub fn coding(self) -> Coding {
        Coding {
            system: Some(MCSD_LOCATION_TYPES.to_owned()),
            code: self.code().to_owned(),
            display: Some(
                match self {
                    Self::Jurisdiction => "Jurisdiction",
                    Self::Facility => "Facility",
                }
                .to_owned(),
            ),
        }
    }
}

/// One org unit as core records.
#[derive(Debug, Clone, PartialEq)]
pub struct CorePlace {
    /// Jurisdiction or facility.
    pub kind: McsdKind,
    /// The organisation (record id = the UID).
    pub organization: Organization,
    /// The place (record id = the UID), managed by `organization`.
    pub facility: Facility,
}

/// Converts org units (any order) to core records, in the order given.
///
/// Whether a unit is a jurisdiction is decided over all of `units`; then, when
/// `max_level` is given, units deeper than it (DHIS2 level, root 1) are left out.
pub fn to_core(units: &[OrganisationUnit], max_level: Option<u32>) -> Vec<CorePlace> {
    let ids: BTreeSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
    let parents: BTreeSet<&str> = units
        .iter()
        .filter_map(|u| u.parent.as_ref().map(|p| p.id.as_str()))
        .collect();
    units
        .iter()
        .filter(|u| match (max_level, u.level) {
            (Some(max), Some(level)) => level <= max,
            _ => true,
        })
        .map(|unit| {
            let kind = if parents.contains(unit.id.as_str()) {
                McsdKind::Jurisdiction
            } else {
                McsdKind::Facility
            };
            let part_of = unit
                .parent
                .as_ref()
                .map(|p| p.id.as_str())
                .filter(|p| ids.contains(p))
                .map(str::to_owned);
            to_place(unit, kind, part_of)
        })
        .collect()
}

fn to_place(unit: &OrganisationUnit, kind: McsdKind, part_of: Option<String>) -> CorePlace {
    let mut identifiers = vec![Identifier::new(
        IdentifierKind::Dhis2Uid,
        Some(DHIS2_ID_SYSTEM),
        &unit.id,
    )];
    if let Some(code) = unit.code.as_deref().filter(|c| !c.trim().is_empty()) {
        identifiers.push(Identifier::new(
            IdentifierKind::Dhis2Code,
            Some(DHIS2_CODE_SYSTEM),
            code,
        ));
    }
    let name = unit.name.clone().or_else(|| unit.short_name.clone());
    let organization = Organization {
        id: unit.id.clone(),
        identifiers: identifiers.clone(),
        name: name.clone(),
        active: Some(unit.closed_date.is_none()),
        types: vec![kind.coding()],
        ownership: None,
        part_of: part_of.clone(),
        country: None,
    };
    let facility = Facility {
        id: unit.id.clone(),
        identifiers,
        name,
        types: vec![kind.coding()],
        provider_class: None,
        part_of,
        managing_organization: Some(unit.id.clone()),
        position: point(unit),
        org_unit: Some(OrgUnitRef::Uid(unit.id.clone())),
    };
    CorePlace {
        kind,
        organization,
        facility,
    }
}

/// The position of a `geometry` of type `Point` (`coordinates` = `[longitude, latitude]`).
fn point(unit: &OrganisationUnit) -> Option<GeoPoint> {
    let geometry = unit.other.get("geometry")?;
    if geometry.get("type")?.as_str()? != "Point" {
        return None;
    }
    let coordinates = geometry.get("coordinates")?.as_array()?;
    let longitude = coordinates.first()?.as_f64()?;
    let latitude = coordinates.get(1)?.as_f64()?;
    ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
        GeoPoint {
            latitude,
            longitude,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(json: &str) -> Vec<OrganisationUnit> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn hierarchy_kinds_identifiers_and_positions() {
        let units = units(
            r#"[
            {"id": "UZfacTsh001", "code": "TSH001", "name": "Clinic", "level": 3,
             "path": "/UZdemoRoot1/UZregTashk1/UZfacTsh001", "parent": {"id": "UZregTashk1"},
             "closedDate": "2020-01-01",
             "geometry": {"type": "Point", "coordinates": [69.24, 41.31]}},
            {"id": "UZregTashk1", "code": " ", "name": "Tashkent", "level": 2,
             "path": "/UZdemoRoot1/UZregTashk1", "parent": {"id": "UZdemoRoot1"},
             "geometry": {"type": "Polygon", "coordinates": [[[69.0, 41.0]]]}}
        ]"#,
        );
        let places = to_core(&units, None);
        let [clinic, region] = places.as_slice() else {
            panic!("{places:?}")
        };
        assert_eq!(clinic.kind, McsdKind::Facility);
        assert_eq!(region.kind, McsdKind::Jurisdiction);
        assert_eq!(clinic.facility.part_of.as_deref(), Some("UZregTashk1"));
        assert_eq!(clinic.organization.part_of.as_deref(), Some("UZregTashk1"));
        // the region's parent was not pulled: no dangling partOf
        assert_eq!(region.facility.part_of, None);
        assert_eq!(clinic.organization.active, Some(false));
        assert_eq!(region.organization.active, Some(true));
        let systems: Vec<_> = clinic
            .facility
            .identifiers
            .iter()
            .map(|i| (i.kind, i.system.as_deref().unwrap(), i.value.as_str()))
            .collect();
        assert_eq!(
            systems,
            vec![
                (IdentifierKind::Dhis2Uid, DHIS2_ID_SYSTEM, "UZfacTsh001"),
                (IdentifierKind::Dhis2Code, DHIS2_CODE_SYSTEM, "TSH001"),
            ]
        );
        assert_eq!(region.facility.identifiers.len(), 1, "blank code dropped");
        let position = clinic.facility.position.unwrap();
        assert!((position.latitude - 41.31).abs() < 1e-9);
        assert!((position.longitude - 69.24).abs() < 1e-9);
        assert_eq!(region.facility.position, None);
        assert_eq!(region.facility.types, vec![McsdKind::Jurisdiction.coding()]);
        assert_eq!(
            clinic.facility.managing_organization.as_deref(),
            Some("UZfacTsh001")
        );
    }

    #[test]
    fn max_level_cuts_after_kinds_are_decided() {
        let units = units(
            r#"[
            {"id": "UZdemoRoot1", "level": 1, "path": "/UZdemoRoot1"},
            {"id": "UZregTashk1", "level": 2, "parent": {"id": "UZdemoRoot1"}},
            {"id": "UZfacTsh001", "level": 3, "parent": {"id": "UZregTashk1"}}
        ]"#,
        );
        let places = to_core(&units, Some(2));
        assert_eq!(places.len(), 2);
        assert!(places.iter().all(|p| p.kind == McsdKind::Jurisdiction));
    }

    #[test]
    fn odd_geometries_give_no_position() {
        for geometry in [
            r#"{"type": "Point", "coordinates": [200.0, 10.0]}"#,
            r#"{"type": "Point", "coordinates": ["x", 10.0]}"#,
            r#"{"type": "Point"}"#,
            "null",
        ] {
            let units = units(&format!(
                r#"[{{"id": "UZfacTsh001", "geometry": {geometry}}}]"#
            ));
            assert_eq!(
                to_core(&units, None)[0].facility.position,
                None,
                "{geometry}"
            );
        }
    }
}
