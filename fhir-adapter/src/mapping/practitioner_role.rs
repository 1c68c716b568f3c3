//! PractitionerRole → [`hrh_core::Employment`].

use hrh_core::{Employment, EmploymentStatus, IscoCode, Recorded};

use super::{Context, Fault, coding, codings, period, raw, record_ref};
use crate::config::{CodeKey, FTE_EXTENSION, IHRIS_EMPLOYMENT_STATUS, ISCO08_SYSTEM};

pub(super) fn map(
    r: &raw::PractitionerRole,
    id: &str,
    ctx: &Context<'_>,
) -> Result<Employment, Fault> {
    let practitioner = record_ref(r.practitioner.as_ref(), "Practitioner", ctx, "practitioner")?
        .ok_or_else(|| Fault::new("practitioner", "no reference to a Practitioner"))?;
    let (occupation, job_code) = occupation(&r.code, ctx);
    let mut facility = None;
    if let Some(first) = r.location.first() {
        facility = record_ref(Some(first), "Location", ctx, "location[0]")?;
    }
    Ok(Employment {
        id: id.to_owned(),
        practitioner,
        occupation,
        job_code,
        specialties: codings(&r.specialty),
        employer: record_ref(r.organization.as_ref(), "Organization", ctx, "organization")?,
        facility,
        service: match r.healthcare_service.first() {
            Some(first) => record_ref(
                Some(first),
                "HealthcareService",
                ctx,
                "healthcareService[0]",
            )?,
            None => None,
        },
        period: period(r.period.as_ref(), "period")?,
        active: r.active,
        status: r
            .extension
            .iter()
            .filter(|e| e.url == IHRIS_EMPLOYMENT_STATUS)
            .find_map(|e| e.value_coding.as_ref())
            .and_then(|c| c.code.as_deref())
            .and_then(EmploymentStatus::from_code),
        fte: r
            .extension
            .iter()
            .filter(|e| e.url == FTE_EXTENSION)
            .find_map(|e| e.value_decimal)
            .filter(|fte| fte.is_finite() && *fte >= 0.0),
        ..Employment::default()
    })
}

/// The occupation from `code`: an ISCO-08 coding, else the first coding the job table maps;
/// an unmapped code is `Invalid(code)`. Also returns the coding used, as the job code.
fn occupation(
    concepts: &[raw::CodeableConcept],
    ctx: &Context<'_>,
) -> (Recorded<IscoCode>, Option<hrh_core::Coding>) {
    // Every coding with a code, in order (walked again rather than collected: one role each).
    let all = || {
        concepts
            .iter()
            .flat_map(|c| c.coding.iter())
            .filter(|c| c.code.is_some())
    };
    if let Some(isco) = all().find(|c| c.system.as_deref() == Some(ISCO08_SYSTEM)) {
        let code = isco.code.as_deref().unwrap_or_default();
        return (
            Recorded::from_text(Some(code), IscoCode::parse),
            coding(isco),
        );
    }
    for c in all() {
        if let (Some(system), Some(code)) = (c.system.as_deref(), c.code.as_deref())
            && let Some(isco) = ctx.config.job_to_isco.get(&CodeKey::new(system, code))
        {
            return (Recorded::Valid(*isco), coding(c));
        }
    }
    match all().next() {
        None => (Recorded::Missing, None),
        Some(c) => (
            Recorded::Invalid(c.code.as_deref().unwrap_or_default().to_owned()),
            coding(c),
        ),
    }
}
