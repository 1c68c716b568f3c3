//! The one mapping from FHIR JSON to `hrh-core` records, one module per resource.
//!
//! Every reader (single resource, Bundle, NDJSON) goes through `map_resource`.

use std::collections::HashMap;

use hrh_core::{Coding, DateRange, Identifier, PartialDate};
use serde::Deserialize;

use crate::config::ReadConfig;
use crate::error::{FhirError, Origin, redact};
use crate::read::Record;

mod healthcare_service;
mod location;
mod organization;
mod practitioner;
mod practitioner_role;
pub(crate) mod raw;

/// The workforce resource types this crate maps.
pub const READ_TYPES: [&str; 5] = [
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "HealthcareService",
];

/// A JSON document a resource can be read from: a text line or a parsed value.
pub(crate) trait Doc {
    /// Deserialises the narrow view `T`, borrowing text from the document where it can.
    fn view<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error>;
}

impl Doc for str {
    fn view<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self)
    }
}

impl Doc for serde_json::Value {
    fn view<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        T::deserialize(self)
    }
}

/// What the mapping knows besides the resource: settings and the Bundle's `fullUrl`s.
pub(crate) struct Context<'a> {
    pub config: &'a ReadConfig,
    /// `fullUrl` → (`resourceType`, record id) for the enclosing Bundle.
    pub full_urls: Option<&'a HashMap<String, (String, String)>>,
}

/// A problem in one element: its JSON path and what is wrong.
#[derive(Debug)]
pub(crate) struct Fault {
    pub path: String,
    pub problem: String,
}

impl Fault {
    fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            problem: problem.into(),
        }
    }

    /// The same fault inside the element at `prefix` (`period` in `identifier[2]` is
    /// `identifier[2].period`), so callers build paths only when something is wrong.
    fn within(self, prefix: std::fmt::Arguments<'_>) -> Self {
        Self {
            path: format!("{prefix}.{}", self.path),
            problem: self.problem,
        }
    }
}

/// The `resourceType` of a JSON text that starts with it (as bulk exports and most servers
/// write it), without parsing the rest.
pub(crate) fn leading_resource_type(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"resourceType\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    // Letters up to the closing quote (a short scan: no searcher set-up).
    let end = rest.bytes().position(|b| !b.is_ascii_alphabetic())?;
    (rest.as_bytes().get(end) == Some(&b'"'))
        .then(|| rest.get(..end))
        .flatten()
}

/// Maps one resource of type `resource_type`. Its record id is `id` when given (from a
/// head view or a Bundle's `fullUrl`), else the resource's own `id`, read in the same parse.
pub(crate) fn map_resource<D: Doc + ?Sized>(
    doc: &D,
    resource_type: &str,
    id: Option<&str>,
    ctx: &Context<'_>,
    origin: &Origin,
) -> Result<Record, FhirError> {
    let structure = |e: &serde_json::Error| FhirError::Structure {
        origin: origin.clone(),
        resource: format!("{resource_type}/{}", id.unwrap_or("?")),
        detail: redact(e),
    };
    let missing_id = || FhirError::MissingId {
        origin: origin.clone(),
        resource_type: resource_type.to_owned(),
    };
    let invalid = |id: &str, fault: Fault| FhirError::Invalid {
        origin: origin.clone(),
        resource: format!("{resource_type}/{id}"),
        path: fault.path,
        problem: fault.problem,
    };
    match resource_type {
        "Practitioner" => {
            let r: raw::Practitioner = doc.view().map_err(|e| structure(&e))?;
            let id = record_id(id, r.id.as_ref()).ok_or_else(missing_id)?;
            practitioner::map(&r, id, ctx)
                .map(Record::Practitioner)
                .map_err(|f| invalid(id, f))
        }
        "PractitionerRole" => {
            let r: raw::PractitionerRole = doc.view().map_err(|e| structure(&e))?;
            let id = record_id(id, r.id.as_ref()).ok_or_else(missing_id)?;
            practitioner_role::map(&r, id, ctx)
                .map(Record::Employment)
                .map_err(|f| invalid(id, f))
        }
        "Organization" => {
            let r: raw::Organization = doc.view().map_err(|e| structure(&e))?;
            let id = record_id(id, r.id.as_ref())
                .ok_or_else(missing_id)?
                .to_owned();
            organization::map(r, &id, ctx)
                .map(Record::Organization)
                .map_err(|f| invalid(&id, f))
        }
        "Location" => {
            let r: raw::Location = doc.view().map_err(|e| structure(&e))?;
            let id = record_id(id, r.id.as_ref())
                .ok_or_else(missing_id)?
                .to_owned();
            location::map(r, &id, ctx)
                .map(Record::Facility)
                .map_err(|f| invalid(&id, f))
        }
        "HealthcareService" => {
            let r: raw::HealthcareService = doc.view().map_err(|e| structure(&e))?;
            let id = record_id(id, r.id.as_ref()).ok_or_else(missing_id)?;
            healthcare_service::map(&r, id, ctx)
                .map(Record::Service)
                .map_err(|f| invalid(id, f))
        }
        other => Err(FhirError::UnsupportedResourceType {
            origin: origin.clone(),
            resource_type: other.to_owned(),
        }),
    }
}

/// The record id: the one given, else the resource's own non-empty `id`.
fn record_id<'a>(given: Option<&'a str>, own: Option<&'a raw::Str<'a>>) -> Option<&'a str> {
    given.or_else(|| own.map(|s| &**s).filter(|s| !s.is_empty()))
}

/// Core codings of some codeable concepts (codings without a code are dropped).
fn codings<'a, 'b: 'a>(
    concepts: impl IntoIterator<Item = &'a raw::CodeableConcept<'b>>,
) -> Vec<Coding> {
    concepts
        .into_iter()
        .flat_map(|c| c.coding.iter())
        .filter_map(coding)
        .collect()
}

/// A core coding, when the FHIR coding has a code.
fn coding(c: &raw::Coding) -> Option<Coding> {
    c.code.as_deref().map(|code| Coding {
        system: c.system.as_deref().map(str::to_owned),
        code: code.to_owned(),
        display: c.display.as_deref().map(str::to_owned),
    })
}

/// Core identifiers (identifiers without a value are dropped).
fn identifiers(
    list: &[raw::Identifier],
    config: &ReadConfig,
    path: &str,
) -> Result<Vec<Identifier>, Fault> {
    let mut out = Vec::with_capacity(list.len());
    for (i, ident) in list.iter().enumerate() {
        let Some(value) = ident.value.as_deref() else {
            continue;
        };
        let types = ident
            .kind
            .iter()
            .flat_map(|t| t.coding.iter())
            .map(|c| (c.system.as_deref(), c.code.as_deref()));
        let kind = config.identifier_kind(ident.system.as_deref(), types);
        let mut core = Identifier::new(kind, ident.system.as_deref(), value);
        core.validity = period(ident.period.as_ref(), "period")
            .map_err(|fault| fault.within(format_args!("{path}[{i}]")))?;
        out.push(core);
    }
    Ok(out)
}

/// A FHIR Period as a range of days: a partial start means its first day, a partial end its last.
fn period(p: Option<&raw::Period>, path: &str) -> Result<DateRange, Fault> {
    let Some(p) = p else {
        return Ok(DateRange::ALWAYS);
    };
    let day = |text: Option<&str>, end: bool, field: &str| -> Result<_, Fault> {
        let Some(text) = text else { return Ok(None) };
        // A dateTime's day (`YYYY-MM-DDThh:mm:ss...`): the time never starts before byte 10.
        let date = match text.as_bytes().get(10) {
            Some(b'T') => text.get(..10).unwrap_or(text),
            _ => text,
        };
        let partial: PartialDate = date
            .parse()
            .map_err(|_| Fault::new(format!("{path}.{field}"), format!("invalid date {text:?}")))?;
        Ok(if end {
            partial.latest()
        } else {
            partial.earliest()
        })
    };
    Ok(DateRange::new(
        day(p.start.as_deref(), false, "start")?,
        day(p.end.as_deref(), true, "end")?,
    ))
}

/// Prefix of the stand-in id of an identifier-only (logical) reference:
/// `identifier:<system>|<value>` (system empty when absent).
///
/// [`link_references`](crate::link::link_references) replaces it by the record id.
pub const LOGICAL_REF_PREFIX: &str = "identifier:";

/// The stand-in id of a logical reference.
pub(crate) fn logical_id(system: Option<&str>, value: &str) -> String {
    format!("{LOGICAL_REF_PREFIX}{}|{value}", system.unwrap_or_default())
}

/// Where a reference points.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A record id of the expected type.
    Id(String),
    /// A contained resource's local id (without `#`).
    Contained(String),
}

/// Resolves a reference to a record id of type `expected`.
///
/// Accepts `Type/id`, absolute `http://…/Type/id` (with or without `/_history/n`),
/// `urn:uuid:…`/`urn:oid:…` through the Bundle's `fullUrl`s (an unknown urn is kept as the id,
/// the same id a Bundle entry without `id` gets), and `#local` for contained resources.
/// An identifier-only reference gives the stand-in id [`LOGICAL_REF_PREFIX`]`<system>|<value>`.
/// `None` when the element is absent or holds only a display.
fn reference(
    r: Option<&raw::Reference>,
    expected: &str,
    ctx: &Context<'_>,
    path: &str,
) -> Result<Option<Target>, Fault> {
    let Some(text) = r.and_then(|r| r.reference.as_deref()) else {
        let logical = r
            .and_then(|r| r.identifier.as_deref())
            .and_then(|i| Some(logical_id(i.system.as_deref(), i.value.as_deref()?)));
        return Ok(logical.map(Target::Id));
    };
    if let Some(local) = text.strip_prefix('#') {
        return Ok(Some(Target::Contained(local.to_owned())));
    }
    let wrong_type = |found: &str| {
        Fault::new(
            format!("{path}.reference"),
            format!("points to a {found}, expected a {expected}"),
        )
    };
    if let Some((kind, id)) = ctx.full_urls.and_then(|m| m.get(text)) {
        return if kind == expected {
            Ok(Some(Target::Id(id.clone())))
        } else {
            Err(wrong_type(kind))
        };
    }
    if text.starts_with("urn:") {
        return Ok(Some(Target::Id(text.to_owned())));
    }
    // The common relative `Type/id`, without splitting into a vector.
    if let Some((kind, id)) = text.split_once('/')
        && !id.is_empty()
        && !id.bytes().any(|b| b == b'/' || b == b'?')
        && !kind.bytes().any(|b| b == b':')
    {
        return if kind == expected {
            Ok(Some(Target::Id(id.to_owned())))
        } else {
            Err(wrong_type(kind))
        };
    }
    let mut parts: Vec<&str> = text.split('?').next().unwrap_or(text).split('/').collect();
    if parts.len() >= 4 && parts.get(parts.len() - 2) == Some(&"_history") {
        parts.truncate(parts.len() - 2);
    }
    match parts.as_slice() {
        [.., kind, id] if !id.is_empty() => {
            if *kind == expected {
                Ok(Some(Target::Id((*id).to_owned())))
            } else {
                Err(wrong_type(kind))
            }
        }
        _ => Err(Fault::new(
            format!("{path}.reference"),
            "not a Type/id, absolute, urn or #contained reference",
        )),
    }
}

/// A reference that must name a record (not a contained resource).
fn record_ref(
    r: Option<&raw::Reference>,
    expected: &str,
    ctx: &Context<'_>,
    path: &str,
) -> Result<Option<String>, Fault> {
    match reference(r, expected, ctx, path)? {
        None => Ok(None),
        Some(Target::Id(id)) => Ok(Some(id)),
        Some(Target::Contained(_)) => Err(Fault::new(
            format!("{path}.reference"),
            "contained resources are read only for qualification issuers",
        )),
    }
}

/// The first country code of some addresses, when it is a valid ISO 3166-1 code.
fn country(addresses: &[raw::Address]) -> Option<hrh_core::Country> {
    addresses
        .first()
        .and_then(|a| a.country.as_deref())
        .and_then(|c| hrh_core::Country::parse(c.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> raw::Reference<'static> {
        raw::Reference {
            reference: Some(text.to_owned().into()),
            identifier: None,
        }
    }

    #[test]
    fn references() {
        let config = ReadConfig::default();
        let mut urls = HashMap::new();
        urls.insert(
            "urn:uuid:1".to_owned(),
            ("Practitioner".to_owned(), "42".to_owned()),
        );
        let ctx = Context {
            config: &config,
            full_urls: Some(&urls),
        };
        let get = |t: &str| reference(Some(&r(t)), "Practitioner", &ctx, "practitioner");
        assert_eq!(
            get("Practitioner/42").unwrap(),
            Some(Target::Id("42".into()))
        );
        assert_eq!(
            get("http://x/fhir/Practitioner/42/_history/3").unwrap(),
            Some(Target::Id("42".into()))
        );
        assert_eq!(get("urn:uuid:1").unwrap(), Some(Target::Id("42".into())));
        assert_eq!(get("#p1").unwrap(), Some(Target::Contained("p1".into())));
        assert!(get("Organization/1").is_err());
        assert!(get("42").is_err());
        assert_eq!(reference(None, "Practitioner", &ctx, "p").unwrap(), None);
        let logical = raw::Reference {
            reference: None,
            identifier: Some(Box::new(raw::Identifier {
                system: Some("urn:npi".into()),
                value: Some("99".into()),
                ..raw::Identifier::default()
            })),
        };
        assert_eq!(
            reference(Some(&logical), "Practitioner", &ctx, "p").unwrap(),
            Some(Target::Id("identifier:urn:npi|99".into()))
        );
    }

    #[test]
    fn leading_resource_types_are_found_only_at_the_start() {
        assert_eq!(
            leading_resource_type(r#"{"resourceType":"Practitioner","id":"1"}"#),
            Some("Practitioner")
        );
        assert_eq!(
            leading_resource_type(" {\n  \"resourceType\" : \"Location\" }"),
            Some("Location")
        );
        assert_eq!(
            leading_resource_type(r#"{"id":"1","resourceType":"Practitioner"}"#),
            None
        );
        assert_eq!(
            leading_resource_type(r#"{"resourceType":"Pract\u0069tioner"}"#),
            None
        );
        assert_eq!(leading_resource_type(r#"{"resourceType":"#), None);
    }

    #[test]
    fn views_borrow_from_the_line() {
        let line = r#"{"system":"urn:x","code":"a\u0062"}"#;
        let c: raw::Coding<'_> = line.view().unwrap();
        assert!(matches!(
            c.system,
            Some(raw::Str(std::borrow::Cow::Borrowed("urn:x")))
        ));
        assert!(matches!(c.code, Some(raw::Str(std::borrow::Cow::Owned(ref s))) if s == "ab"));
    }

    #[test]
    fn periods() {
        let p = raw::Period {
            start: Some("2020".into()),
            end: Some("2021-02".into()),
        };
        let range = period(Some(&p), "period").unwrap();
        assert_eq!(range.start.unwrap().to_string(), "2020-01-01");
        assert_eq!(range.end.unwrap().to_string(), "2021-02-28");
        let bad = raw::Period {
            start: Some("2020-13-01".into()),
            end: None,
        };
        let fault = period(Some(&bad), "period").unwrap_err();
        assert_eq!(fault.path, "period.start");
        assert_eq!(fault.problem, "invalid date \"2020-13-01\"");
    }
}
