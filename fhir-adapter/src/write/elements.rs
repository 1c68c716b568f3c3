//! Serialisable views of the FHIR data types the writers emit (borrowing from core records).

use std::borrow::Cow;

use chrono::NaiveDate;
use hrh_core::{Coding as CoreCoding, DateRange, Identifier as CoreIdentifier, IdentifierKind};
use serde::Serialize;

use crate::config::V2_0203_SYSTEM;

/// `Meta` with the profiles a resource claims.
#[derive(Debug, Serialize)]
pub(crate) struct Meta {
    pub profile: [&'static str; 1],
}

/// `Coding`.
#[derive(Debug, Serialize)]
pub(crate) struct Coding<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<&'a str>,
    pub code: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<&'a str>,
}

impl<'a> From<&'a CoreCoding> for Coding<'a> {
    fn from(c: &'a CoreCoding) -> Self {
        Self {
            system: c.system.as_deref(),
            code: Cow::Borrowed(&c.code),
            display: c.display.as_deref(),
        }
    }
}

/// `CodeableConcept` with codings only.
#[derive(Debug, Serialize)]
pub(crate) struct Concept<'a> {
    pub coding: Vec<Coding<'a>>,
}

impl<'a> Concept<'a> {
    pub fn one(coding: Coding<'a>) -> Self {
        Self {
            coding: vec![coding],
        }
    }

    /// One concept per coding, as FHIR `type` arrays usually carry them.
    pub fn each(codings: &'a [CoreCoding]) -> Vec<Self> {
        codings.iter().map(|c| Self::one(c.into())).collect()
    }
}

/// `Period` of whole days.
#[derive(Debug, Serialize)]
pub(crate) struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Period {
    /// `None` for an unbounded range (FHIR has no element for "always").
    pub fn of(range: DateRange) -> Option<Self> {
        (range.start.is_some() || range.end.is_some()).then_some(Self {
            start: range.start,
            end: range.end,
        })
    }
}

/// `Identifier`; licences carry the v2-0203 `LN` type the readers recognise.
#[derive(Debug, Serialize)]
pub(crate) struct Identifier<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Concept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<&'a str>,
    pub value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

impl<'a> From<&'a CoreIdentifier> for Identifier<'a> {
    fn from(i: &'a CoreIdentifier) -> Self {
        Self {
            kind: (i.kind == IdentifierKind::Licence).then(|| {
                Concept::one(Coding {
                    system: Some(V2_0203_SYSTEM),
                    code: Cow::Borrowed("LN"),
                    display: Some("License number"),
                })
            }),
            system: i.system.as_deref(),
            value: &i.value,
            period: Period::of(i.validity),
        }
    }
}

/// `Reference` by relative URL (`Organization/org-1`, `#local`).
#[derive(Debug, Serialize)]
pub(crate) struct Reference {
    pub reference: String,
}

impl Reference {
    pub fn to(resource_type: &str, id: &str) -> Self {
        Self {
            reference: format!("{resource_type}/{id}"),
        }
    }
}

/// `Address` with only the country (ISO 3166-1 alpha-2).
#[derive(Debug, Serialize)]
pub(crate) struct Address<'a> {
    pub country: &'a str,
}

/// An `Extension` with one of the value types the writers use.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // `extension.extension` is the FHIR element name.
pub(crate) struct Extension<'a> {
    pub url: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_coding: Option<Coding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_address: Option<Address<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_money: Option<Money<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension<'a>>,
}

/// `Money`: an amount in an ISO 4217 currency.
#[derive(Debug, Serialize)]
pub(crate) struct Money<'a> {
    pub value: f64,
    pub currency: &'a str,
}

impl<'a> Extension<'a> {
    /// An extension without a value (the caller sets one).
    pub fn empty(url: &'static str) -> Self {
        Self {
            url,
            value_coding: None,
            value_address: None,
            value_decimal: None,
            value_money: None,
            value_code: None,
            extension: Vec::new(),
        }
    }

    pub fn coding(url: &'static str, coding: Coding<'a>) -> Self {
        Self {
            value_coding: Some(coding),
            ..Self::empty(url)
        }
    }

    pub fn decimal(url: &'static str, value: f64) -> Self {
        Self {
            value_decimal: Some(value),
            ..Self::empty(url)
        }
    }
}
