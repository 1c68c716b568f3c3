//! Typed input: `fhir-sdk` R4B model values (feature `fhir-sdk`).
//!
//! A value is serialised to JSON and read by the same mapping as the JSON readers, so there is
//! one mapping from FHIR to `hrh-core`. fhir-sdk drops unknown elements and parses
//! `decimal` as `f64`; neither affects the elements mapped here.

use fhir_sdk::r4b::resources::{Location, Organization, Practitioner, PractitionerRole, Resource};

use crate::config::ReadConfig;
use crate::error::{FhirError, Origin, redact};
use crate::read::{Record, read_doc};

mod sealed {
    pub trait Sealed {}
}

/// A `fhir-sdk` R4B resource type that [`from_sdk`] accepts.
pub trait SdkResource: serde::Serialize + sealed::Sealed {}

macro_rules! sdk_resource {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl SdkResource for $t {}
    )*};
}
sdk_resource!(
    Practitioner,
    PractitionerRole,
    Organization,
    Location,
    Resource
);

/// Maps a `fhir-sdk` R4B Practitioner, PractitionerRole, Organization or Location (or a
/// [`Resource`] holding one) to a core record.
///
/// Errors as [`read_resource`](crate::read::read_resource), located at `<fhir-sdk>`.
pub fn from_sdk<R: SdkResource>(resource: &R, config: &ReadConfig) -> Result<Record, FhirError> {
    let origin = Origin::new("<fhir-sdk>");
    let value = serde_json::to_value(resource).map_err(|e| FhirError::Json {
        origin: origin.clone(),
        detail: redact(&e),
    })?;
    read_doc(&value, &origin, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"resourceType": "Practitioner", "id": "p1", "active": true,
      "extension": [{"url": "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality",
                     "valueCoding": {"code": "UG"}}],
      "identifier": [{"system": "urn:x", "value": "1", "period": {"start": "2020-01-01"}}],
      "name": [{"family": "Achieng", "given": ["Mary"]}],
      "gender": "female", "birthDate": "1985-03",
      "qualification": [{"code": {"coding": [{"system": "urn:q", "code": "RN"}]},
                         "issuer": {"reference": "Organization/o1"}}]}"#;

    #[test]
    fn sdk_values_map_like_json() {
        let typed: Practitioner = serde_json::from_str(JSON).unwrap();
        let via_sdk = from_sdk(&typed, &ReadConfig::default()).unwrap();
        let via_json = crate::read_resource(JSON, &ReadConfig::default()).unwrap();
        assert_eq!(via_sdk, via_json);
        let Record::Practitioner(p) = via_sdk else {
            panic!("not a practitioner")
        };
        assert_eq!(p.nationality.valid().map(|c| c.alpha2()), Some("UG"));

        let any: Resource = serde_json::from_str(JSON).unwrap();
        assert_eq!(from_sdk(&any, &ReadConfig::default()).unwrap(), via_json);
    }

    #[test]
    fn unsupported_sdk_resource_is_an_error() {
        let any: Resource = serde_json::from_str(r#"{"resourceType":"Patient","id":"x"}"#).unwrap();
        let err = from_sdk(&any, &ReadConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "<fhir-sdk>: Patient: resource type not read by hrh"
        );
    }
}
