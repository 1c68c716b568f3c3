//! What a FHIR server will refuse, found before anything is sent.
//!
//! [`check_resource`] checks one resource against the FHIR R4 rules a server enforces on the
//! elements the writers emit: the primitive formats (`id`, `boolean`, `decimal`, `string`,
//! `uri`, `canonical`, `code`, `date`, `dateTime`, `instant`) with the regular expressions
//! of the R4 specification (datatypes page), calendar dates that exist, the shape of
//! `Reference.reference`, the required bindings of `Practitioner.gender` and
//! `Location.status`, and FHIR JSON's ban on `null`, `{}` and `[]`. [`Precheck`] adds what
//! only the whole load shows: an entry whose `Type/id` or whose conditional-`PUT`
//! identifier (`Type?identifier=system|value`) an earlier entry already has. The first
//! entry is kept, the later ones are refused, since a conditional `PUT` by that identifier
//! would make the server refuse the transaction or update one resource with the other.
//!
//! The specification's `\s` is read as Java and the HL7 validator read it (space, tab, line
//! feed, vertical tab, form feed, carriage return), not as Unicode white space.
//!
//! Problems name the element's JSON path and the rule, never a personal value: the bad text
//! is shown only for elements that hold none (ids, references, codes, URIs and dates
//! outside a Practitioner's own data).
//!
//! ```
//! use hrh_fhir::write::precheck::check_resource;
//! let resource = serde_json::json!({"resourceType": "Practitioner", "id": "hw-1",
//!     "gender": "F", "birthDate": "2020-13-01"});
//! let problems: Vec<String> = check_resource(&resource).iter().map(ToString::to_string).collect();
//! assert_eq!(problems, [
//!     "gender is not a FHIR administrative-gender code (male, female, other, unknown)",
//!     "birthDate is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, a day that exists)",
//! ]);
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::Entry;

/// A FHIR R4 rule an element breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `boolean`: JSON `true` or `false`.
    Boolean,
    /// `decimal`: a JSON number.
    Decimal,
    /// `string`: `[ \r\n\t\S]+`, at most 1 MiB.
    String,
    /// `uri`: `\S*` (and not empty, as no JSON primitive may be).
    Uri,
    /// `canonical`: as `uri`.
    Canonical,
    /// `code`: `[^\s]+(\s[^\s]+)*`.
    Code,
    /// `id`: `[A-Za-z0-9\-\.]{1,64}`.
    Id,
    /// `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (the specification's pattern), a day that
    /// exists.
    Date,
    /// `dateTime`: a `date`, or a date and time with seconds and a time zone.
    DateTime,
    /// `instant`: a date and time with seconds and a time zone.
    Instant,
    /// `Reference.reference`: `Type/id` (optionally `/_history/vid`), the same behind an
    /// `http(s)://` base, `urn:uuid:`, `urn:oid:`, or `#id`.
    Reference,
    /// A `#id` reference without a contained resource of that id.
    ContainedReference,
    /// A code outside the required value set named (with its codes).
    Binding {
        /// The value set's name, e.g. `administrative-gender`.
        value_set: &'static str,
        /// Its codes.
        codes: &'static [&'static str],
    },
    /// `null`, an empty object or an empty array (FHIR JSON has none).
    NoValue,
}

/// `Practitioner.gender` (and every `gender`): `administrative-gender`, required.
const GENDER: Rule = Rule::Binding {
    value_set: "administrative-gender",
    codes: &["male", "female", "other", "unknown"],
};
/// `Location.status`: `location-status`, required.
const LOCATION_STATUS: Rule = Rule::Binding {
    value_set: "location-status",
    codes: &["active", "suspended", "inactive"],
};

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::Boolean => "is not a FHIR boolean (true or false)",
            Self::Decimal => "is not a FHIR decimal (a JSON number)",
            Self::String => {
                "is not a FHIR string (not empty, no vertical tab or form feed, at most 1 MiB)"
            }
            Self::Uri => "is not a FHIR uri (not empty, no white space)",
            Self::Canonical => "is not a FHIR canonical (not empty, no white space)",
            Self::Code => {
                "is not a FHIR code (not empty, no leading, trailing or repeated white space)"
            }
            Self::Id => "is not a FHIR id (1 to 64 letters, digits, '-' or '.')",
            Self::Date => "is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, a day that exists)",
            Self::DateTime => {
                "is not a FHIR dateTime (a date, or YYYY-MM-DDThh:mm:ss with a time zone)"
            }
            Self::Instant => "is not a FHIR instant (YYYY-MM-DDThh:mm:ss with a time zone)",
            Self::Reference => {
                "is not a FHIR reference (Type/id, an http(s) URL ending so, urn:uuid:, \
                 urn:oid: or #id)"
            }
            Self::ContainedReference => "refers to a contained resource that is not there",
            Self::Binding { value_set, codes } => {
                return write!(f, "is not a FHIR {value_set} code ({})", codes.join(", "));
            }
            Self::NoValue => "has no value (FHIR JSON has no null, {} or [])",
        };
        f.write_str(text)
    }
}

/// One thing a server would refuse in an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON path of the element (`identifier[0].period.start`); empty when the problem
    /// is the entry as a whole.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The element at [`Problem::path`] breaks `rule`; `shown` is its text when that holds
    /// nothing personal.
    Format {
        /// The rule broken.
        rule: Rule,
        /// The bad text, for elements that hold no personal data.
        shown: Option<String>,
    },
    /// An earlier entry of the load has the same `Type/id`.
    DuplicateId,
    /// An earlier entry of the load, `first` (`Type/id`), is upserted by the same identifier.
    DuplicateIdentifier {
        /// The identifier's system (the value is not shown).
        system: String,
        /// `Type/id` of the entry that has it first (and is sent).
        first: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::Format { rule, shown } => {
                write!(f, "{} {rule}", self.path)?;
                if let Some(text) = shown {
                    write!(f, ": {text:?}")?;
                }
                Ok(())
            }
            ProblemKind::DuplicateId => f.write_str(
                "an earlier entry of this load has the same Type/id (only the first is sent)",
            ),
            ProblemKind::DuplicateIdentifier { system, first } => write!(
                f,
                "its identifier (system {system}) is also that of {first}, earlier in this \
                 load; a conditional PUT by it would update one with the other"
            ),
        }
    }
}

/// The specification's `\s` as its Java validator reads it.
const WS: &str = r"[ \t\n\x0B\x0C\r]";
const NOT_WS: &str = r"[^ \t\n\x0B\x0C\r]";
/// `date` (R4 datatypes).
const DATE: &str = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?";
/// `dateTime` (R4 datatypes).
const DATE_TIME: &str = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?";
/// `instant` (R4 datatypes).
const INSTANT: &str = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
/// `decimal` (R4 datatypes), matched against the JSON number's text.
const DECIMAL: &str = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?";
/// `id` (R4 datatypes).
const ID: &str = r"[A-Za-z0-9\-\.]{1,64}";
/// Literal references (R4 `Reference.reference`; the resource type list is shortened to
/// the shape of a type name).
const REFERENCE: &str = r"((http|https)://([A-Za-z0-9\-\\\.:%\$]*/)+)?[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-\.]{1,64}(/_history/[A-Za-z0-9\-\.]{1,64})?|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|urn:oid:[0-2](\.(0|[1-9][0-9]*))+|#[A-Za-z0-9\-\.]{1,64}";

/// The most a FHIR string may hold (1 MiB).
const MAX_STRING: usize = 1024 * 1024;

/// The compiled patterns, anchored.
struct Patterns {
    date: Regex,
    date_time: Regex,
    instant: Regex,
    decimal: Regex,
    id: Regex,
    code: Regex,
    uri: Regex,
    reference: Regex,
}

/// `None` only if a pattern above does not compile (a unit test compiles them all).
static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    let anchored = |pattern: &str| Regex::new(&format!("^(?:{pattern})$")).ok();
    Some(Patterns {
        date: anchored(DATE)?,
        date_time: anchored(DATE_TIME)?,
        instant: anchored(INSTANT)?,
        decimal: anchored(DECIMAL)?,
        id: anchored(ID)?,
        code: anchored(&format!("{NOT_WS}+({WS}{NOT_WS}+)*"))?,
        uri: anchored(&format!("{NOT_WS}+"))?,
        reference: anchored(REFERENCE)?,
    })
});

/// Whether the date part at the start of `text` (already matching a date pattern) is a day
/// that exists (`2023-02-29` does not).
fn day_exists(text: &str) -> bool {
    let mut parts = text.get(..text.len().min(10)).unwrap_or(text).split('-');
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    match (next(), next(), next()) {
        (Some(year), Some(month), Some(day)) => i32::try_from(year)
            .ok()
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, month, day))
            .is_some(),
        _ => true,
    }
}

/// Whether `value` satisfies `rule` (bindings and contained references are checked by the
/// caller, which knows the context).
fn satisfies(rule: Rule, value: &Value) -> bool {
    let Some(p) = PATTERNS.as_ref() else {
        return true;
    };
    let text = value.as_str();
    let matches = |re: &Regex| text.is_some_and(|t| re.is_match(t));
    match rule {
        Rule::Boolean => value.is_boolean(),
        Rule::Decimal => value.is_number() && p.decimal.is_match(&value.to_string()),
        Rule::String => text.is_some_and(|t| {
            !t.is_empty() && t.len() <= MAX_STRING && !t.contains(['\x0B', '\x0C'])
        }),
        Rule::Uri | Rule::Canonical => matches(&p.uri),
        Rule::Code => matches(&p.code),
        Rule::Id => matches(&p.id),
        Rule::Date => matches(&p.date) && text.is_some_and(day_exists),
        Rule::DateTime => matches(&p.date_time) && text.is_some_and(day_exists),
        Rule::Instant => matches(&p.instant) && text.is_some_and(day_exists),
        Rule::Reference => matches(&p.reference),
        Rule::Binding { codes, .. } => matches(&p.code) && text.is_some_and(|t| codes.contains(&t)),
        Rule::ContainedReference | Rule::NoValue => false,
    }
}

/// The rule of the element at `names` (the JSON path without array indexes) in a resource of
/// `resource_type`, for the elements the writers emit (and a few common ones); `None` for
/// the others, whose strings are checked as `string`.
fn element_rule(resource_type: &str, names: &[&str]) -> Option<Rule> {
    Some(match names {
        ["id"] | ["meta", "versionId"] => Rule::Id,
        ["meta", "profile"] => Rule::Canonical,
        ["meta", "lastUpdated"] => Rule::Instant,
        ["active"] | [.., "userSelected" | "valueBoolean"] => Rule::Boolean,
        ["birthDate"] | [.., "valueDate"] => Rule::Date,
        ["gender"] => GENDER,
        ["status"] if resource_type == "Location" => LOCATION_STATUS,
        [
            ..,
            "extension" | "coding" | "valueCoding" | "identifier",
            "url" | "system",
        ]
        | [.., "valueUri"] => Rule::Uri,
        [.., "valueDecimal"] | ["position", "longitude" | "latitude" | "altitude"] => Rule::Decimal,
        [.., "coding" | "valueCoding", "code"] | [.., "valueCode"] => Rule::Code,
        [.., "period", "start" | "end"] | [.., "valueDateTime"] => Rule::DateTime,
        [.., "reference"] => Rule::Reference,
        _ => return None,
    })
}

/// Whether the element's text may be shown: nothing that could identify a worker (their
/// own elements other than ids, references, profiles, URLs and qualification codes).
fn may_show(resource_type: &str, names: &[&str], rule: Rule) -> bool {
    if matches!(rule, Rule::String | Rule::NoValue) {
        return false;
    }
    if resource_type != "Practitioner" {
        return true;
    }
    matches!(
        names,
        ["id" | "meta" | "qualification", ..] | [.., "reference" | "url"]
    )
}

/// Walks one resource (a contained one is walked on its own, under its path).
struct Walk<'a> {
    resource_type: &'a str,
    contained: Vec<&'a str>,
    problems: &'a mut Vec<Problem>,
}

/// Walks `resource`, reporting under `path` (empty for the top level).
fn walk_resource<'a>(resource: &'a Value, path: &str, problems: &'a mut Vec<Problem>) {
    let resource_type = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("");
    let contained = resource
        .get("contained")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|c| c.get("id").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut walk = Walk {
        resource_type,
        contained,
        problems,
    };
    let mut names = Vec::new();
    walk.value(resource, &mut names, path);
}

impl<'a> Walk<'a> {
    fn problem(&mut self, path: &str, names: &[&str], rule: Rule, value: &Value) {
        let shown = may_show(self.resource_type, names, rule)
            .then(|| match value {
                Value::String(s) => s.chars().take(64).collect(),
                other => other.to_string(),
            })
            .filter(|s: &String| !s.is_empty());
        self.problems.push(Problem {
            path: path.to_owned(),
            kind: ProblemKind::Format { rule, shown },
        });
    }

    fn value(&mut self, value: &'a Value, names: &mut Vec<&'a str>, path: &str) {
        let join = |key: &str| {
            if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            Value::Object(map) if map.is_empty() => {
                self.problem(path, names, Rule::NoValue, value);
            }
            Value::Array(items) if items.is_empty() => {
                self.problem(path, names, Rule::NoValue, value);
            }
            Value::Null => self.problem(path, names, Rule::NoValue, value),
            Value::Object(map) => {
                for (key, item) in map {
                    if names.is_empty() && key == "resourceType" {
                        continue;
                    }
                    if names.is_empty() && key == "contained" {
                        for (i, resource) in item.as_array().into_iter().flatten().enumerate() {
                            walk_resource(resource, &format!("contained[{i}]"), self.problems);
                        }
                        continue;
                    }
                    names.push(key);
                    self.value(item, names, &join(key));
                    names.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, names, &format!("{path}[{i}]"));
                }
            }
            Value::String(text) => {
                let rule = element_rule(self.resource_type, names).unwrap_or(Rule::String);
                if !satisfies(rule, value) {
                    self.problem(path, names, rule, value);
                } else if rule == Rule::Reference
                    && let Some(local) = text.strip_prefix('#')
                    && !self.contained.contains(&local)
                {
                    self.problem(path, names, Rule::ContainedReference, value);
                }
            }
            Value::Bool(_) | Value::Number(_) => {
                if let Some(rule) = element_rule(self.resource_type, names)
                    && !satisfies(rule, value)
                {
                    self.problem(path, names, rule, value);
                }
            }
        }
    }
}

/// The problems a server would refuse `resource` for, in document order; none for a
/// resource that passes.
pub fn check_resource(resource: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk_resource(resource, "", &mut problems);
    problems
}

/// The checks of a whole load: each entry's resource ([`check_resource`]) and, against the
/// entries checked before it, its `Type/id` and its conditional-`PUT` identifier.
///
/// It keeps every `Type/id` and identifier URL seen (about 100 bytes per entry).
///
/// ```
/// use hrh_core::{Identifier, IdentifierKind, Practitioner, Registry};
/// use hrh_fhir::write::{entries, precheck::Precheck};
/// let worker = |id: &str| Practitioner {
///     id: id.into(),
///     identifiers: vec![Identifier::new(IdentifierKind::National, Some("urn:nid"), "N1")],
///     ..Practitioner::default()
/// };
/// let registry = Registry { practitioners: vec![worker("a"), worker("b")], ..Registry::default() };
/// let mut check = Precheck::new();
/// let found: Vec<usize> = entries(&registry)
///     .map(|e| check.check(&e.unwrap()).len())
///     .collect();
/// assert_eq!(found, [0, 1]); // "b" has the identifier of "a"
/// ```
#[derive(Debug, Default)]
pub struct Precheck {
    ids: HashSet<String>,
    identifiers: HashMap<String, String>,
}

impl Precheck {
    /// A check with no entries seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// The problems of `entry`, which then counts as seen (a refused entry too: its `Type/id`
    /// and identifier stay taken by it, so that which entry is refused does not depend on
    /// what else is wrong with the first).
    pub fn check(&mut self, entry: &Entry) -> Vec<Problem> {
        let mut problems = check_resource(&entry.resource);
        if !self.ids.insert(entry.key()) {
            problems.push(Problem {
                path: String::new(),
                kind: ProblemKind::DuplicateId,
            });
        } else if let Some(system) = conditional_system(&entry.url) {
            match self.identifiers.get(&entry.url) {
                Some(first) => problems.push(Problem {
                    path: "identifier".to_owned(),
                    kind: ProblemKind::DuplicateIdentifier {
                        system,
                        first: first.clone(),
                    },
                }),
                None => {
                    self.identifiers.insert(entry.url.clone(), entry.key());
                }
            }
        }
        problems
    }
}

/// The identifier system of a conditional URL `Type?identifier=system%7Cvalue`.
fn conditional_system(url: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    let token = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "identifier")?
        .1;
    Some(
        token
            .split_once('|')
            .map_or("", |(system, _)| system)
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use serde_json::json;

    use super::*;

    fn problems(resource: &Value) -> Vec<(String, Rule)> {
        check_resource(resource)
            .into_iter()
            .map(|p| match p.kind {
                ProblemKind::Format { rule, .. } => (p.path, rule),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    fn accepts(rule: Rule, good: &[Value], bad: &[Value]) {
        for value in good {
            assert!(satisfies(rule, value), "{rule:?} refuses {value}");
        }
        for value in bad {
            assert!(!satisfies(rule, value), "{rule:?} accepts {value}");
        }
    }

    #[test]
    fn every_pattern_compiles() {
        assert!(PATTERNS.is_some());
    }

    #[test]
    fn dates_follow_the_pattern_and_the_calendar() {
        accepts(
            Rule::Date,
            &[
                json!("2024"),
                json!("2024-02"),
                json!("2024-02-29"),
                json!("0001"),
            ],
            &[
                json!("2020-13-01"),
                json!("2023-02-29"),
                json!("2024-04-31"),
                json!("0000"),
                json!("24"),
                json!("2024-1-5"),
                json!("2024-01-01T10:00:00Z"),
                json!(" 2024"),
                json!(""),
                json!(2024),
            ],
        );
    }

    #[test]
    fn date_times_and_instants_need_a_zone_with_a_time() {
        accepts(
            Rule::DateTime,
            &[
                json!("2024"),
                json!("2024-06-30"),
                json!("2024-06-30T23:59:60Z"),
                json!("2024-06-30T08:00:00.123+05:00"),
                json!("2024-06-30T08:00:00-14:00"),
            ],
            &[
                json!("2024-06-30T08:00:00"),
                json!("2024-06-30T08:00Z"),
                json!("2024-06-30T24:00:00Z"),
                json!("2024-06-31"),
                json!("2024-06-30 08:00:00Z"),
            ],
        );
        accepts(
            Rule::Instant,
            &[
                json!("2024-06-30T08:00:00Z"),
                json!("2024-06-30T08:00:00.5+01:00"),
            ],
            &[
                json!("2024-06-30"),
                json!("2024-06-30T08:00:00"),
                json!("2023-02-29T08:00:00Z"),
            ],
        );
    }

    #[test]
    fn codes_ids_uris_and_strings() {
        accepts(
            Rule::Code,
            &[json!("2221"), json!("full time"), json!("F")],
            &[
                json!(""),
                json!(" x"),
                json!("x "),
                json!("a  b"),
                json!("a\tb\n"),
                json!(1),
            ],
        );
        accepts(
            Rule::Id,
            &[json!("hw-0000001"), json!("a.b"), json!("A".repeat(64))],
            &[
                json!("A".repeat(65)),
                json!("hw_1"),
                json!("urn:uuid:1"),
                json!(""),
                json!("a b"),
            ],
        );
        accepts(
            Rule::Uri,
            &[json!("urn:iso:std:iso:3166"), json!("http://x.org/a#b")],
            &[json!(""), json!("http://x.org/a b"), json!(true)],
        );
        accepts(
            Rule::String,
            &[
                json!("Worker 1"),
                json!(" a\tb\r\n"),
                json!("Ōzbekiston\u{a0}"),
            ],
            &[json!(""), json!("a\x0Bb"), json!("\x0C"), json!(3)],
        );
    }

    #[test]
    fn booleans_decimals_and_references() {
        accepts(
            Rule::Boolean,
            &[json!(true), json!(false)],
            &[json!("true"), json!(1)],
        );
        accepts(
            Rule::Decimal,
            &[json!(0.5), json!(1), json!(-3.25), json!(1e300)],
            &[json!("0.5"), json!(true)],
        );
        accepts(
            Rule::Reference,
            &[
                json!("Practitioner/hw-1"),
                json!("Practitioner/hw-1/_history/3"),
                json!("http://h.org/fhir/Location/f-1"),
                json!("urn:uuid:3f2c8a1e-1b2c-4d5e-8f90-0123456789ab"),
                json!("urn:oid:1.2.840.10008"),
                json!("#issuer0"),
            ],
            &[
                json!("hw-1"),
                json!("Practitioner/"),
                json!("practitioner/hw-1"),
                json!("Practitioner/urn:uuid:3f2c"),
                json!("Practitioner/a b"),
                json!("urn:uuid:NOT-A-UUID"),
                json!(""),
            ],
        );
    }

    #[test]
    fn bindings_of_gender_and_location_status() {
        accepts(
            GENDER,
            &[json!("female"), json!("unknown")],
            &[json!("F"), json!("Female"), json!("")],
        );
        let location =
            |status: &str| json!({"resourceType": "Location", "id": "f", "status": status});
        assert!(problems(&location("active")).is_empty());
        assert_eq!(
            problems(&location("open")),
            [("status".into(), LOCATION_STATUS)]
        );
        // `status` of another type is not a location status.
        let role = json!({"resourceType": "PractitionerRole", "id": "r", "status": "open"});
        assert!(problems(&role).is_empty());
    }

    #[test]
    fn a_resource_as_written_passes() {
        let p = json!({
            "resourceType": "Practitioner", "id": "hw-1",
            "meta": {"profile": ["https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.Practitioner"]},
            "extension": [{"url": "http://ihris.org/fhir/x", "valueCoding": {"system": "urn:iso:std:iso:3166", "code": "UZ"}}],
            "identifier": [{"system": "urn:nid", "value": "N1", "period": {"start": "2020-01-01"}}],
            "active": true, "name": [{"text": "Worker 1"}], "gender": "female", "birthDate": "1980-06",
            "qualification": [{"code": {"coding": [{"system": "urn:isco", "code": "2221"}]},
                "issuer": {"reference": "#issuer0"}}],
            "contained": [{"resourceType": "Organization", "id": "issuer0", "name": "School",
                "address": [{"country": "KZ"}]}]
        });
        assert_eq!(problems(&p), []);
    }

    #[test]
    fn every_problem_is_named_by_its_path_and_personal_text_is_not_shown() {
        let p = json!({
            "resourceType": "Practitioner", "id": "hw 1",
            "active": "yes", "name": [{"text": ""}], "gender": "F", "birthDate": "1980-02-30",
            "identifier": [{"system": "urn:nid", "value": "N1", "period": {"end": "2020-13"}}],
            "qualification": [{"code": {"coding": [{"code": " 2221"}]},
                "issuer": {"reference": "#gone"}}],
            "contained": [{"resourceType": "Organization", "id": "x_1"}],
            "address": null, "telecom": []
        });
        let found = check_resource(&p);
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "id",
                "active",
                "name[0].text",
                "gender",
                "birthDate",
                "identifier[0].period.end",
                "qualification[0].code.coding[0].code",
                "qualification[0].issuer.reference",
                "contained[0].id",
                "address",
                "telecom",
            ]
        );
        let text: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(text[0].ends_with(": \"hw 1\""), "{}", text[0]);
        for personal in [2, 3, 4, 5] {
            assert!(!text[personal].contains('"'), "{}", text[personal]);
        }
        assert!(text[6].ends_with(": \" 2221\""), "{}", text[6]);
        assert!(
            text[7].contains("contained resource that is not there"),
            "{}",
            text[7]
        );
        assert!(!text.join(" ").contains("1980"), "{text:?}");
    }

    #[test]
    fn a_location_shows_its_bad_values() {
        let l = json!({"resourceType": "Location", "id": "f-1", "status": "active",
            "partOf": {"reference": "Location/"}, "position": {"longitude": "64.5", "latitude": 41.2}});
        let text: Vec<String> = check_resource(&l).iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                format!("partOf.reference {}: \"Location/\"", Rule::Reference),
                format!("position.longitude {}: \"64.5\"", Rule::Decimal),
            ]
        );
    }

    /// An independent reading of `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` in ASCII
    /// digits, year 1 or later, a day chrono knows.
    fn is_fhir_date(text: &str) -> bool {
        let digits =
            |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = text.split('-').collect();
        let shaped = match parts.as_slice() {
            [y] => digits(y, 4),
            [y, m] => digits(y, 4) && digits(m, 2),
            [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
            _ => false,
        };
        let padded = match parts.len() {
            1 => format!("{text}-01-01"),
            2 => format!("{text}-01"),
            _ => text.to_owned(),
        };
        shaped
            && parts[0] != "0000"
            && chrono::NaiveDate::parse_from_str(&padded, "%Y-%m-%d").is_ok()
    }

    proptest::proptest! {
        #[test]
        fn the_date_rule_agrees_with_an_independent_reading(
            text in "[0-9]{1,4}(-[0-9]{1,2}(-[0-9]{1,3})?)?|.{0,12}"
        ) {
            proptest::prop_assert_eq!(satisfies(Rule::Date, &json!(text)), is_fhir_date(&text), "{}", text);
        }

        #[test]
        fn any_json_is_checked_without_panicking(
            value in json_value()
        ) {
            for resource_type in ["Practitioner", "Location", "Organization"] {
                let mut resource = json!({"resourceType": resource_type, "id": "x"});
                resource["birthDate"] = value.clone();
                resource["identifier"] = json!([{"period": value.clone(), "system": value.clone()}]);
                resource["contained"] = json!([value.clone()]);
                let problems = check_resource(&resource);
                for problem in &problems {
                    proptest::prop_assert!(!problem.path.is_empty(), "{:?}", problem);
                }
            }
        }
    }

    /// Arbitrary JSON, a few levels deep.
    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,10}".prop_map(Value::from),
            Just(json!("Practitioner/p1")),
            Just(json!("#x")),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("reference".to_owned()),
                        Just("start".to_owned()),
                        Just("coding".to_owned()),
                        Just("code".to_owned()),
                        Just("resourceType".to_owned()),
                        Just("id".to_owned()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn entry(resource_type: &'static str, id: &str, url: &str) -> Entry {
        Entry {
            resource_type,
            id: id.to_owned(),
            url: url.to_owned(),
            resource: json!({"resourceType": resource_type, "id": id}),
        }
    }

    #[test]
    fn later_duplicates_of_an_id_or_identifier_are_refused_the_first_kept() {
        let mut check = Precheck::new();
        let by_nid = "Practitioner?identifier=urn%3Anid%7CNHW00000017";
        assert!(
            check
                .check(&entry("Practitioner", "hw-17", by_nid))
                .is_empty()
        );
        let found = check.check(&entry("Practitioner", "hw-18", by_nid));
        assert_eq!(
            found,
            [Problem {
                path: "identifier".into(),
                kind: ProblemKind::DuplicateIdentifier {
                    system: "urn:nid".into(),
                    first: "Practitioner/hw-17".into()
                }
            }]
        );
        assert!(!found[0].to_string().contains("NHW"), "{}", found[0]);
        // The same identifier on another type is another resource.
        let org = "Organization?identifier=urn%3Anid%7CNHW00000017";
        assert!(check.check(&entry("Organization", "hw-17", org)).is_empty());
        // The same Type/id twice, whatever the URL.
        let again = check.check(&entry("Practitioner", "hw-17", "Practitioner/hw-17"));
        assert_eq!(again[0].kind, ProblemKind::DuplicateId);
        assert!(
            check
                .check(&entry("PractitionerRole", "r1", "PractitionerRole/r1"))
                .is_empty()
        );
        let twice = check.check(&entry("PractitionerRole", "r1", "PractitionerRole/r1"));
        assert_eq!(twice.len(), 1);
    }
}
