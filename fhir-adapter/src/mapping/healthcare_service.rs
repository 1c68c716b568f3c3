//! HealthcareService → [`hrh_core::HealthService`] (read where roles point to one).

use hrh_core::HealthService;

use super::{Context, Fault, codings, raw, record_ref};

pub(super) fn map(
    s: &raw::HealthcareService,
    id: &str,
    ctx: &Context<'_>,
) -> Result<HealthService, Fault> {
    let mut locations = Vec::with_capacity(s.location.len());
    for (i, reference) in s.location.iter().enumerate() {
        if let Some(location) =
            record_ref(Some(reference), "Location", ctx, &format!("location[{i}]"))?
        {
            locations.push(location);
        }
    }
    Ok(HealthService {
        id: id.to_owned(),
        types: codings(&s.kind),
        provided_by: record_ref(s.provided_by.as_ref(), "Organization", ctx, "providedBy")?,
        locations,
    })
}
