//! Organization → [`hrh_core::Organization`].

use hrh_core::Organization;

use super::{Context, Fault, codings, country, identifiers, raw, record_ref};

pub(super) fn map(
    o: raw::Organization,
    id: &str,
    ctx: &Context<'_>,
) -> Result<Organization, Fault> {
    Ok(Organization {
        id: id.to_owned(),
        identifiers: identifiers(&o.identifier, ctx.config, "identifier")?,
        name: o.name.map(raw::Str::into_owned),
        active: o.active,
        types: codings(&o.kind),
        ownership: None,
        part_of: record_ref(o.part_of.as_ref(), "Organization", ctx, "partOf")?,
        country: country(&o.address),
    })
}
