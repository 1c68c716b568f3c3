//! Core records → mCSD-conformant FHIR R4 resources (as serialisable views).

use std::borrow::Cow;

use hrh_core::{
    Employment, Facility, HealthService, Organization, PayPeriod, Practitioner, Qualification,
    Recorded,
};
use serde::Serialize;

use super::elements::{
    Address, Coding, Concept, Extension, Identifier, Meta, Money, Period, Reference,
};
use super::profiles;
use crate::config::{
    CONTRACT_TYPE_EXTENSION, CONTRACT_TYPE_SYSTEM, EXIT_REASON_EXTENSION, EXIT_REASON_SYSTEM,
    FTE_EXTENSION, IHRIS_EMPLOYMENT_STATUS, IHRIS_NATIONALITY, ISCO08_SYSTEM, MCSD_LOCATION_TYPES,
    PATIENT_BIRTH_PLACE, SALARY_EXTENSION, WEEKLY_HOURS_EXTENSION,
};

/// The ISO 3166 code system of country codings.
pub const ISO3166_SYSTEM: &str = "urn:iso:std:iso:3166";
/// The iHRIS employment status code system.
pub const IHRIS_EMPLOYMENT_STATUS_SYSTEM: &str =
    "http://ihris.org/fhir/CodeSystem/ihris-employment-status";

/// `text` of a `HumanName`.
#[derive(Debug, Serialize)]
struct Name<'a> {
    text: &'a str,
}

/// A `Practitioner` (profile `IHE.mCSD.Practitioner`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<[Name<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    qualification: Vec<QualificationElement<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contained: Vec<ContainedIssuer<'a>>,
}

#[derive(Debug, Serialize)]
struct QualificationElement<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<Concept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<Reference>,
}

/// An issuing institution known only by name and country, contained in the Practitioner.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainedIssuer<'a> {
    resource_type: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    address: Vec<Address<'a>>,
}

/// The FHIR text of a recorded value: valid values in FHIR form, invalid ones as written
/// (so that a registry is written back as it was recorded), missing ones absent.
fn recorded<'a, T>(value: &'a Recorded<T>, fhir: impl FnOnce(&'a T) -> &'a str) -> Option<&'a str> {
    match value {
        Recorded::Missing => None,
        Recorded::Valid(v) => Some(fhir(v)),
        Recorded::Invalid(text) => Some(text),
    }
}

/// The FHIR view of a worker.
///
/// ```
/// use hrh_core::{Practitioner, Recorded, Sex};
/// let p = Practitioner { id: "hw-1".into(), sex: Recorded::Valid(Sex::Female), ..Practitioner::default() };
/// let json = serde_json::to_value(hrh_fhir::write::practitioner(&p)).unwrap();
/// assert_eq!(json["gender"], "female");
/// assert_eq!(json["meta"]["profile"][0], hrh_fhir::write::profiles::PRACTITIONER);
/// ```
pub fn practitioner(p: &Practitioner) -> PractitionerResource<'_> {
    let mut extension = Vec::new();
    // Countries are written as recorded: valid ones as alpha-2, unknown codes as written.
    if let Some(code) = recorded(&p.nationality, |c| c.alpha2()) {
        extension.push(Extension::coding(
            IHRIS_NATIONALITY,
            Coding {
                system: Some(ISO3166_SYSTEM),
                code: Cow::Borrowed(code),
                display: None,
            },
        ));
    }
    if let Some(country) = recorded(&p.country_of_birth, |c| c.alpha2()) {
        extension.push(Extension {
            value_address: Some(Address { country }),
            ..Extension::empty(PATIENT_BIRTH_PLACE)
        });
    }
    let mut contained = Vec::new();
    let qualification = p
        .qualifications
        .iter()
        .enumerate()
        .map(|(i, q)| qualification(q, i, &mut contained))
        .collect();
    PractitionerResource {
        resource_type: "Practitioner",
        id: &p.id,
        meta: Meta {
            profile: [profiles::PRACTITIONER],
        },
        extension,
        identifier: p.identifiers.iter().map(Identifier::from).collect(),
        active: p.active,
        name: p.name.as_deref().map(|text| [Name { text }]),
        gender: recorded(&p.sex, |s| s.fhir_code()),
        birth_date: match &p.birth_date {
            Recorded::Missing => None,
            Recorded::Valid(d) => Some(d.to_string()),
            Recorded::Invalid(text) => Some(text.clone()),
        },
        qualification,
        contained,
    }
}

/// A qualification; an issuer known only by name or country becomes a contained Organization.
fn qualification<'a>(
    q: &'a Qualification,
    index: usize,
    contained: &mut Vec<ContainedIssuer<'a>>,
) -> QualificationElement<'a> {
    let issuer = if let Some(id) = &q.issuer {
        Some(Reference::to("Organization", id))
    } else if q.issuer_name.is_some() || q.country.is_some() {
        let id = format!("issuer{index}");
        let reference = Reference {
            reference: format!("#{id}"),
        };
        contained.push(ContainedIssuer {
            resource_type: "Organization",
            id,
            name: q.issuer_name.as_deref(),
            address: q
                .country
                .map(|c| Address {
                    country: c.alpha2(),
                })
                .into_iter()
                .collect(),
        });
        Some(reference)
    } else {
        None
    };
    QualificationElement {
        code: q.code.as_ref().map(|c| Concept::one(c.into())),
        period: Period::of(q.period),
        issuer,
    }
}

/// A `PractitionerRole` (profile `IHE.mCSD.PractitionerRole`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerRoleResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    practitioner: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code: Vec<Concept<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    specialty: Vec<Concept<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    location: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    healthcare_service: Vec<Reference>,
}

/// The FHIR view of an employment.
///
/// The job code is the source's coding when there is one, else the ISCO-08 occupation.
/// FTE, which FHIR R4 has no element for, goes in the [`FTE_EXTENSION`](crate::config::FTE_EXTENSION) extension.
///
/// ```
/// use hrh_core::{Employment, IscoCode, Recorded};
/// let e = Employment { id: "r1".into(), practitioner: "hw-1".into(),
///     occupation: Recorded::Valid(IscoCode::parse("2221")?), ..Employment::default() };
/// let json = serde_json::to_value(hrh_fhir::write::practitioner_role(&e)).unwrap();
/// assert_eq!(json["practitioner"]["reference"], "Practitioner/hw-1");
/// assert_eq!(json["code"][0]["coding"][0]["code"], "2221");
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
pub fn practitioner_role(e: &Employment) -> PractitionerRoleResource<'_> {
    let code = match (&e.job_code, &e.occupation) {
        (Some(job), _) => vec![Concept::one(job.into())],
        (None, Recorded::Valid(isco)) => vec![Concept::one(Coding {
            system: Some(ISCO08_SYSTEM),
            code: Cow::Owned(isco.to_string()),
            display: None,
        })],
        (None, Recorded::Invalid(text)) => vec![Concept::one(Coding {
            system: None,
            code: Cow::Borrowed(text),
            display: None,
        })],
        (None, Recorded::Missing) => Vec::new(),
    };
    PractitionerRoleResource {
        resource_type: "PractitionerRole",
        id: &e.id,
        meta: Meta {
            profile: [profiles::PRACTITIONER_ROLE],
        },
        extension: role_extensions(e),
        active: e.active,
        period: Period::of(e.period),
        practitioner: Reference::to("Practitioner", &e.practitioner),
        organization: e
            .employer
            .as_deref()
            .map(|id| Reference::to("Organization", id)),
        code,
        specialty: Concept::each(&e.specialties),
        location: e
            .facility
            .iter()
            .map(|id| Reference::to("Location", id))
            .collect(),
        healthcare_service: e
            .service
            .iter()
            .map(|id| Reference::to("HealthcareService", id))
            .collect(),
    }
}

/// The extensions of a role: iHRIS employment status, then FTE, contract type, weekly
/// hours, exit reason and salary (the `hrh` extensions of [`crate::config`]).
fn role_extensions(e: &Employment) -> Vec<Extension<'_>> {
    let mut extension = Vec::new();
    let hrh_coding = |url, system, code: &str| {
        Extension::coding(
            url,
            Coding {
                system: Some(system),
                code: Cow::Owned(code.to_owned()),
                display: None,
            },
        )
    };
    if let Some(s) = e.status {
        extension.push(hrh_coding(
            IHRIS_EMPLOYMENT_STATUS,
            IHRIS_EMPLOYMENT_STATUS_SYSTEM,
            s.code(),
        ));
    }
    if let Some(fte) = e.fte.filter(|f| f.is_finite()) {
        extension.push(Extension::decimal(FTE_EXTENSION, fte));
    }
    if let Some(code) = recorded(&e.contract, |c| c.code()) {
        extension.push(hrh_coding(
            CONTRACT_TYPE_EXTENSION,
            CONTRACT_TYPE_SYSTEM,
            code,
        ));
    }
    if let Some(hours) = e.weekly_hours.filter(|h| h.is_finite()) {
        extension.push(Extension::decimal(WEEKLY_HOURS_EXTENSION, hours));
    }
    if let Some(code) = recorded(&e.exit_reason, |r| r.code()) {
        extension.push(hrh_coding(EXIT_REASON_EXTENSION, EXIT_REASON_SYSTEM, code));
    }
    if let Some(salary) = &e.salary {
        extension.push(Extension {
            extension: vec![
                Extension {
                    value_money: Some(Money {
                        value: salary.amount,
                        currency: &salary.currency,
                    }),
                    ..Extension::empty("amount")
                },
                Extension {
                    value_code: Some(match salary.per {
                        PayPeriod::Month => "month",
                        PayPeriod::Year => "year",
                    }),
                    ..Extension::empty("per")
                },
            ],
            ..Extension::empty(SALARY_EXTENSION)
        });
    }
    extension
}

/// An `Organization` (profile `IHE.mCSD.Organization`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
    #[serde(rename = "type", skip_serializing_if = "Vec::is_empty")]
    kind: Vec<Concept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    address: Vec<Address<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    part_of: Option<Reference>,
}

/// The FHIR view of an organisation (ownership is written through its type codings).
pub fn organization(o: &Organization) -> OrganizationResource<'_> {
    OrganizationResource {
        resource_type: "Organization",
        id: &o.id,
        meta: Meta {
            profile: [profiles::ORGANIZATION],
        },
        identifier: o.identifiers.iter().map(Identifier::from).collect(),
        active: o.active,
        kind: Concept::each(&o.types),
        name: o.name.as_deref(),
        address: o
            .country
            .map(|c| Address {
                country: c.alpha2(),
            })
            .into_iter()
            .collect(),
        part_of: o
            .part_of
            .as_deref()
            .map(|id| Reference::to("Organization", id)),
    }
}

/// A `Location` (profile `IHE.mCSD.FacilityLocation`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier<'a>>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Vec<Concept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managing_organization: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    part_of: Option<Reference>,
}

#[derive(Debug, Serialize)]
struct Position {
    longitude: f64,
    latitude: f64,
}

/// The FHIR view of a facility: status `active`, typed as an mCSD facility besides its own
/// type codings (the reader leaves the mCSD marker out of the facility's types).
///
/// A facility whose types hold the mCSD coding `jurisdiction` (system
/// [`MCSD_LOCATION_TYPES`]) is written as an mCSD jurisdiction instead, with the
/// `IHE.mCSD.JurisdictionLocation` profile.
pub fn location(f: &Facility) -> LocationResource<'_> {
    let jurisdiction = f
        .types
        .iter()
        .any(|c| c.system.as_deref() == Some(MCSD_LOCATION_TYPES) && c.code == "jurisdiction");
    let (code, display, profile) = if jurisdiction {
        (
            "jurisdiction",
            "Jurisdiction",
            profiles::JURISDICTION_LOCATION,
        )
    } else {
        ("facility", "Facility", profiles::FACILITY_LOCATION)
    };
    let mut kind = vec![Concept::one(Coding {
        system: Some(MCSD_LOCATION_TYPES),
        code: Cow::Borrowed(code),
        display: Some(display),
    })];
    kind.extend(
        f.types
            .iter()
            .filter(|c| c.system.as_deref() != Some(MCSD_LOCATION_TYPES))
            .map(|c| Concept::one(c.into())),
    );
    LocationResource {
        resource_type: "Location",
        id: &f.id,
        meta: Meta { profile: [profile] },
        identifier: f.identifiers.iter().map(Identifier::from).collect(),
        status: "active",
        name: f.name.as_deref(),
        kind,
        position: f.position.map(|p| Position {
            longitude: p.longitude,
            latitude: p.latitude,
        }),
        managing_organization: f
            .managing_organization
            .as_deref()
            .map(|id| Reference::to("Organization", id)),
        part_of: f.part_of.as_deref().map(|id| Reference::to("Location", id)),
    }
}

/// A `HealthcareService` (profile `IHE.mCSD.HealthcareService`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareServiceResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    provided_by: Option<Reference>,
    #[serde(rename = "type", skip_serializing_if = "Vec::is_empty")]
    kind: Vec<Concept<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    location: Vec<Reference>,
}

/// The FHIR view of a health service.
pub fn healthcare_service(s: &HealthService) -> HealthcareServiceResource<'_> {
    HealthcareServiceResource {
        resource_type: "HealthcareService",
        id: &s.id,
        meta: Meta {
            profile: [profiles::HEALTHCARE_SERVICE],
        },
        provided_by: s
            .provided_by
            .as_deref()
            .map(|id| Reference::to("Organization", id)),
        kind: Concept::each(&s.types),
        location: s
            .locations
            .iter()
            .map(|id| Reference::to("Location", id))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_facilities_unless_typed_as_jurisdictions() {
        let mut place = Facility {
            id: "UZregTashk1".into(),
            name: Some("Tashkent".into()),
            ..Facility::default()
        };
        let facility = serde_json::to_value(location(&place)).unwrap();
        assert_eq!(facility["type"][0]["coding"][0]["code"], "facility");
        assert_eq!(facility["meta"]["profile"][0], profiles::FACILITY_LOCATION);
        place.types = vec![
            hrh_core::Coding::new(Some(MCSD_LOCATION_TYPES), "jurisdiction"),
            hrh_core::Coding::new(Some("urn:x"), "region"),
        ];
        let jurisdiction = serde_json::to_value(location(&place)).unwrap();
        let kinds = jurisdiction["type"].as_array().unwrap();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert_eq!(kinds[0]["coding"][0]["code"], "jurisdiction");
        assert_eq!(kinds[0]["coding"][0]["system"], MCSD_LOCATION_TYPES);
        assert_eq!(kinds[1]["coding"][0]["code"], "region");
        assert_eq!(
            jurisdiction["meta"]["profile"][0],
            profiles::JURISDICTION_LOCATION
        );
    }
}
