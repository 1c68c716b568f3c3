//! Location → [`hrh_core::Facility`].

use hrh_core::{Facility, GeoPoint, IdentifierKind, OrgUnitRef};

use super::{Context, Fault, codings, identifiers, raw, record_ref};
use crate::config::MCSD_LOCATION_TYPES;

pub(super) fn map(l: raw::Location, id: &str, ctx: &Context<'_>) -> Result<Facility, Fault> {
    let identifiers = identifiers(&l.identifier, ctx.config, "identifier")?;
    let uid = identifiers
        .iter()
        .find(|i| i.kind == IdentifierKind::Dhis2Uid)
        .map(|i| OrgUnitRef::Uid(i.value.clone()));
    let org_unit = uid.or_else(|| {
        identifiers
            .iter()
            .find(|i| i.kind == IdentifierKind::Dhis2Code)
            .map(|i| OrgUnitRef::Code(i.value.clone()))
    });
    Ok(Facility {
        id: id.to_owned(),
        identifiers,
        name: l.name.map(raw::Str::into_owned),
        types: codings(&l.kind)
            .into_iter()
            .filter(|c| c.system.as_deref() != Some(MCSD_LOCATION_TYPES))
            .collect(),
        provider_class: None,
        part_of: record_ref(l.part_of.as_ref(), "Location", ctx, "partOf")?,
        managing_organization: record_ref(
            l.managing_organization.as_ref(),
            "Organization",
            ctx,
            "managingOrganization",
        )?,
        position: l.position.map(|p| GeoPoint {
            latitude: p.latitude,
            longitude: p.longitude,
        }),
        org_unit,
    })
}
