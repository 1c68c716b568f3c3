//! Practitioner → [`hrh_core::Practitioner`].

use hrh_core::{Country, PartialDate, Practitioner, Qualification, Recorded, Sex};

use super::{Context, Fault, Target, coding, country, identifiers, period, raw, reference};
use crate::config::{IHRIS_NATIONALITY, PATIENT_BIRTH_PLACE, PATIENT_NATIONALITY};

pub(super) fn map(
    p: &raw::Practitioner,
    id: &str,
    ctx: &Context<'_>,
) -> Result<Practitioner, Fault> {
    let mut qualifications = Vec::with_capacity(p.qualification.len());
    for (i, q) in p.qualification.iter().enumerate() {
        qualifications.push(qualification(q, &p.contained, ctx, i)?);
    }
    Ok(Practitioner {
        id: id.to_owned(),
        identifiers: identifiers(&p.identifier, ctx.config, "identifier")?,
        name: p.name.iter().find_map(display_name),
        active: p.active,
        sex: Recorded::from_text(p.gender.as_deref(), Sex::from_fhir),
        birth_date: Recorded::from_text(p.birth_date.as_deref(), str::parse::<PartialDate>),
        nationality: nationality(&p.extension),
        country_of_birth: recorded_country(
            p.extension
                .iter()
                .filter(|e| e.url == PATIENT_BIRTH_PLACE)
                .find_map(|e| e.value_address.as_ref())
                .and_then(|a| a.country.as_deref()),
        ),
        qualifications,
    })
}

/// `text`, or the given names and family name joined by spaces.
fn display_name(n: &raw::HumanName) -> Option<String> {
    if let Some(text) = n.text.as_deref().filter(|t| !t.trim().is_empty()) {
        return Some(text.trim().to_owned());
    }
    let parts: Vec<&str> = n
        .given
        .as_slice()
        .iter()
        .map(AsRef::as_ref)
        .chain(n.family.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A country code as recorded: valid, missing, or kept as written when not ISO 3166-1.
fn recorded_country(text: Option<&str>) -> Recorded<Country> {
    Recorded::from_text(text.map(str::trim), Country::parse)
}

/// From the iHRIS extension (`valueCoding.code`) or the core one (nested `code` extension).
fn nationality(extensions: &[raw::Extension]) -> Recorded<Country> {
    recorded_country(extensions.iter().find_map(|e| {
        if e.url == IHRIS_NATIONALITY {
            e.value_coding.as_ref().and_then(|c| c.code.as_deref())
        } else if e.url == PATIENT_NATIONALITY {
            e.extension
                .iter()
                .filter(|inner| inner.url == "code")
                .find_map(|inner| inner.value_codeable_concept.as_ref())
                .and_then(|cc| cc.coding.iter().find_map(|c| c.code.as_deref()))
        } else {
            None
        }
    }))
}

fn qualification(
    q: &raw::Qualification,
    contained: &[raw::Contained],
    ctx: &Context<'_>,
    i: usize,
) -> Result<Qualification, Fault> {
    // The element's path is spelled out only when something is wrong.
    let within = |fault: Fault| fault.within(format_args!("qualification[{i}]"));
    let code = q.code.iter().flat_map(|c| c.coding.iter()).find_map(coding);
    let is_licence = q.code.iter().flat_map(|c| c.coding.iter()).any(|c| {
        c.code
            .as_deref()
            .is_some_and(|code| ctx.config.is_licence_code(c.system.as_deref(), code))
    });
    let mut out = Qualification {
        code,
        period: period(q.period.as_ref(), "period").map_err(within)?,
        is_licence,
        ..Qualification::default()
    };
    match reference(q.issuer.as_ref(), "Organization", ctx, "issuer").map_err(within)? {
        None => {}
        Some(Target::Id(id)) => out.issuer = Some(id),
        Some(Target::Contained(local)) => {
            let org = contained
                .iter()
                .find(|c| c.id.as_deref() == Some(local.as_str()))
                .ok_or_else(|| {
                    within(Fault::new(
                        "issuer.reference",
                        format!("no contained resource #{local}"),
                    ))
                })?;
            if org.resource_type.as_deref() != Some("Organization") {
                return Err(within(Fault::new(
                    "issuer.reference",
                    "contained issuer is not an Organization",
                )));
            }
            out.issuer_name = org.name.as_deref().map(str::to_owned);
            out.country = country(&org.address);
        }
    }
    Ok(out)
}
