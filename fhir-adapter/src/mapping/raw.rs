//! Narrow serde views of the FHIR JSON elements the mapping reads; every other element is
//! skipped by the parser. Tolerant where real data is sloppy: empty arrays are fine and a
//! single string is accepted where an array of strings is required (iHRIS `given`).

use std::borrow::Cow;

use serde::Deserialize;

/// Text borrowed from the input when it has no escapes, owned otherwise.
///
/// (serde borrows a `Cow<str>` only when it is the field's whole type, not inside `Option`
/// or `Vec`, hence this newtype with its own visitor.)
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl Str<'_> {
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl AsRef<str> for Str<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(text: &'a str) -> Self {
        Self(Cow::Borrowed(text))
    }
}

impl From<String> for Str<'_> {
    fn from(text: String) -> Self {
        Self(Cow::Owned(text))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

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
pub(crate) struct Coding<'a> {
    #[serde(borrow)]
    pub system: Option<Str<'a>>,
    #[serde(borrow)]
    pub code: Option<Str<'a>>,
    #[serde(borrow)]
    pub display: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CodeableConcept<'a> {
    #[serde(borrow, default)]
    pub coding: Vec<Coding<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period<'a> {
    #[serde(borrow)]
    pub start: Option<Str<'a>>,
    #[serde(borrow)]
    pub end: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Identifier<'a> {
    #[serde(borrow)]
    pub system: Option<Str<'a>>,
    #[serde(borrow)]
    pub value: Option<Str<'a>>,
    #[serde(borrow, rename = "type")]
    pub kind: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub period: Option<Period<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Reference<'a> {
    #[serde(borrow)]
    pub reference: Option<Str<'a>>,
    #[serde(borrow)]
    pub identifier: Option<Box<Identifier<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Address<'a> {
    #[serde(borrow)]
    pub country: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // `extension.extension` is the FHIR element name.
pub(crate) struct Extension<'a> {
    #[serde(borrow, default)]
    pub url: Str<'a>,
    #[serde(borrow)]
    pub value_coding: Option<Coding<'a>>,
    #[serde(borrow)]
    pub value_codeable_concept: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub value_address: Option<Address<'a>>,
    pub value_decimal: Option<f64>,
    #[serde(borrow)]
    pub value_money: Option<Money<'a>>,
    #[serde(borrow)]
    pub value_code: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub extension: Vec<Extension<'a>>,
}

/// `Money`: an amount and its ISO 4217 currency.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Money<'a> {
    pub value: Option<f64>,
    #[serde(borrow)]
    pub currency: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HumanName<'a> {
    #[serde(borrow)]
    pub text: Option<Str<'a>>,
    #[serde(borrow)]
    pub family: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub given: OneOrMany<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Qualification<'a> {
    #[serde(borrow)]
    pub code: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub issuer: Option<Reference<'a>>,
    #[serde(borrow)]
    pub period: Option<Period<'a>>,
}

/// A contained resource: only what a qualification issuer needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contained<'a> {
    #[serde(borrow)]
    pub resource_type: Option<Str<'a>>,
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub address: Vec<Address<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Practitioner<'a> {
    /// Read in the same parse when no id is given ([`super::map_resource`]).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub identifier: Vec<Identifier<'a>>,
    pub active: Option<bool>,
    #[serde(borrow, default)]
    pub name: Vec<HumanName<'a>>,
    #[serde(borrow)]
    pub gender: Option<Str<'a>>,
    #[serde(borrow)]
    pub birth_date: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub extension: Vec<Extension<'a>>,
    #[serde(borrow, default)]
    pub qualification: Vec<Qualification<'a>>,
    #[serde(borrow, default)]
    pub contained: Vec<Contained<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PractitionerRole<'a> {
    /// Read in the same parse when no id is given ([`super::map_resource`]).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    pub active: Option<bool>,
    #[serde(borrow)]
    pub period: Option<Period<'a>>,
    #[serde(borrow)]
    pub practitioner: Option<Reference<'a>>,
    #[serde(borrow)]
    pub organization: Option<Reference<'a>>,
    #[serde(borrow, default)]
    pub code: Vec<CodeableConcept<'a>>,
    #[serde(borrow, default)]
    pub specialty: Vec<CodeableConcept<'a>>,
    #[serde(borrow, default)]
    pub location: Vec<Reference<'a>>,
    #[serde(borrow, default)]
    pub healthcare_service: Vec<Reference<'a>>,
    #[serde(borrow, default)]
    pub extension: Vec<Extension<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HealthcareService<'a> {
    /// Read in the same parse when no id is given ([`super::map_resource`]).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Vec<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub provided_by: Option<Reference<'a>>,
    #[serde(borrow, default)]
    pub location: Vec<Reference<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Organization<'a> {
    /// Read in the same parse when no id is given ([`super::map_resource`]).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub identifier: Vec<Identifier<'a>>,
    pub active: Option<bool>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Vec<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub part_of: Option<Reference<'a>>,
    #[serde(borrow, default)]
    pub address: Vec<Address<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location<'a> {
    /// Read in the same parse when no id is given ([`super::map_resource`]).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub identifier: Vec<Identifier<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Vec<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub part_of: Option<Reference<'a>>,
    #[serde(borrow)]
    pub managing_organization: Option<Reference<'a>>,
    pub position: Option<Position>,
}
