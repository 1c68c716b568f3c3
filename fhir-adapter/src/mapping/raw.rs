//! Narrow serde views of the FHIR JSON elements the mapping reads; every other element is
//! skipped by the parser. Tolerant where real data is sloppy: empty arrays are fine and a
//! single string is accepted where an array of strings is required (iHRIS `given`).

use serde::Deserialize;

/// `resourceType` and `id`, read first to choose the mapping.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Head {
    pub resource_type: Option<String>,
    pub id: Option<String>,
}

/// One value or an array of values.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    pub fn as_slice(&self) -> &[T] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CodeableConcept {
    #[serde(default)]
    pub coding: Vec<Coding>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Identifier {
    pub system: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<CodeableConcept>,
    pub period: Option<Period>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Reference {
    pub reference: Option<String>,
    pub identifier: Option<Box<Identifier>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Address {
    pub country: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // `extension.extension` is the FHIR element name.
pub(crate) struct Extension {
    #[serde(default)]
    pub url: String,
    pub value_coding: Option<Coding>,
    pub value_codeable_concept: Option<CodeableConcept>,
    pub value_address: Option<Address>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HumanName {
    pub text: Option<String>,
    pub family: Option<String>,
    #[serde(default)]
    pub given: OneOrMany<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Qualification {
    pub code: Option<CodeableConcept>,
    pub issuer: Option<Reference>,
    pub period: Option<Period>,
}

/// A contained resource: only what a qualification issuer needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contained {
    pub resource_type: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Practitioner {
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub active: Option<bool>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    #[serde(default)]
    pub extension: Vec<Extension>,
    #[serde(default)]
    pub qualification: Vec<Qualification>,
    #[serde(default)]
    pub contained: Vec<Contained>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PractitionerRole {
    pub active: Option<bool>,
    pub period: Option<Period>,
    pub practitioner: Option<Reference>,
    pub organization: Option<Reference>,
    #[serde(default)]
    pub code: Vec<CodeableConcept>,
    #[serde(default)]
    pub specialty: Vec<CodeableConcept>,
    #[serde(default)]
    pub location: Vec<Reference>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Organization {
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub active: Option<bool>,
    #[serde(default, rename = "type")]
    pub kind: Vec<CodeableConcept>,
    pub name: Option<String>,
    pub part_of: Option<Reference>,
    #[serde(default)]
    pub address: Vec<Address>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Vec<CodeableConcept>,
    pub part_of: Option<Reference>,
    pub managing_organization: Option<Reference>,
    pub position: Option<Position>,
}
