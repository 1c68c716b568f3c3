//! Readers: one resource, any Bundle, bulk NDJSON (plain or gzip).
//!
//! Readers stream records to a callback and return a [`ReadReport`] that accounts for every
//! input unit (NDJSON line or Bundle entry): `read = accepted + rejected + skipped + deleted`.
//! A bad unit is rejected with a reason and reading goes on; only I/O errors end a read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use hrh_core::{Employment, Facility, HealthService, Organization, Practitioner, Registry};
use serde::Deserialize;

use crate::config::ReadConfig;
use crate::error::{FhirError, Origin, redact};
use crate::link::link_references;
use crate::mapping::raw::Head;
use crate::mapping::{Context, Doc, READ_TYPES, leading_resource_type, map_resource};

/// One `hrh-core` record read from FHIR.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// From a Practitioner.
    Practitioner(Practitioner),
    /// From a PractitionerRole.
    Employment(Employment),
    /// From an Organization.
    Organization(Organization),
    /// From a Location.
    Facility(Facility),
    /// A health service (`HealthcareService`).
    Service(HealthService),
}

impl Record {
    /// Adds the record to a registry.
    pub fn add_to(self, registry: &mut Registry) {
        match self {
            Self::Practitioner(p) => registry.practitioners.push(p),
            Self::Employment(e) => registry.employments.push(e),
            Self::Organization(o) => registry.organizations.push(o),
            Self::Facility(f) => registry.facilities.push(f),
            Self::Service(s) => registry.services.push(s),
        }
    }
}

/// An input unit that could not be read into a record.
#[derive(Debug)]
pub struct Rejected {
    /// Where.
    pub location: Origin,
    /// The `resourceType`, when known.
    pub resource_type: Option<String>,
    /// The resource id, when known.
    pub id: Option<String>,
    /// Why.
    pub reason: FhirError,
}

/// Why an input unit gave no record although nothing is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// An empty NDJSON line.
    BlankLine,
    /// A resource type hrh does not read (e.g. `Patient`, `StructureDefinition`).
    NotRead,
    /// A searchset entry with `search.mode = outcome` (an OperationOutcome about the search).
    SearchOutcome,
    /// A Bundle entry without a resource (e.g. a transaction's GET request).
    NoResource,
}

/// An input unit skipped on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where.
    pub location: Origin,
    /// The `resourceType`, when known.
    pub resource_type: Option<String>,
    /// The resource id, when known.
    pub id: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

/// A deletion: a history or transaction entry with `request.method = DELETE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// Where.
    pub location: Origin,
    /// The `resourceType` from the resource or `request.url`, when known.
    pub resource_type: Option<String>,
    /// The id from the resource or `request.url`, when known (not for conditional deletes).
    pub id: Option<String>,
}

/// What a read did with each input unit.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Input units seen (NDJSON lines, Bundle entries, or 1 for a single resource).
    pub read: usize,
    /// Units that became a record.
    pub accepted: usize,
    /// Searchset entries with `search.mode = match`, of any resource type (compare with
    /// `Bundle.total`); `include` entries may be records but are not matches.
    pub matches: usize,
    /// Units that could not be read.
    pub rejected: Vec<Rejected>,
    /// Units skipped on purpose.
    pub skipped: Vec<Skipped>,
    /// Deletions.
    pub deleted: Vec<Deletion>,
}

impl ReadReport {
    /// Whether every unit read is accounted for.
    pub fn is_balanced(&self) -> bool {
        self.read == self.accepted + self.rejected.len() + self.skipped.len() + self.deleted.len()
    }

    /// Adds another report's counts and lists.
    pub fn merge(&mut self, other: ReadReport) {
        self.read += other.read;
        self.accepted += other.accepted;
        self.matches += other.matches;
        self.rejected.extend(other.rejected);
        self.skipped.extend(other.skipped);
        self.deleted.extend(other.deleted);
    }

    fn reject(&mut self, location: &Origin, head: Option<&Head>, reason: FhirError) {
        self.rejected.push(Rejected {
            location: location.clone(),
            resource_type: head.and_then(|h| h.resource_type.clone()),
            id: head.and_then(|h| h.id.clone()),
            reason,
        });
    }

    fn skip(&mut self, location: &Origin, head: Option<&Head>, reason: SkipReason) {
        self.skipped.push(Skipped {
            location: location.clone(),
            resource_type: head.and_then(|h| h.resource_type.clone()),
            id: head.and_then(|h| h.id.clone()),
            reason,
        });
    }
}

/// Reads one resource (not a Bundle) from JSON text.
///
/// ```
/// use hrh_fhir::{ReadConfig, Record, read_resource};
/// let json = r#"{"resourceType":"Organization","id":"moh","name":"Ministry of Health"}"#;
/// let Record::Organization(org) = read_resource(json, &ReadConfig::default())? else { panic!() };
/// assert_eq!(org.id, "moh");
/// # Ok::<(), hrh_fhir::FhirError>(())
/// ```
pub fn read_resource(json: &str, config: &ReadConfig) -> Result<Record, FhirError> {
    read_doc(json, &Origin::new("<input>"), config)
}

/// [`read_resource`] for any [`Doc`].
pub(crate) fn read_doc<D: Doc + ?Sized>(
    doc: &D,
    origin: &Origin,
    config: &ReadConfig,
) -> Result<Record, FhirError> {
    let head: Head = doc.view().map_err(|e| FhirError::Json {
        origin: origin.clone(),
        detail: redact(&e),
    })?;
    let resource_type = head.resource_type.ok_or_else(|| FhirError::NotAResource {
        origin: origin.clone(),
    })?;
    let id = head.id.ok_or_else(|| FhirError::MissingId {
        origin: origin.clone(),
        resource_type: resource_type.clone(),
    })?;
    let ctx = Context {
        config,
        full_urls: None,
    };
    map_resource(doc, &resource_type, Some(&id), &ctx, origin)
}

/// Reads NDJSON (one resource per line) line by line, never holding more than one line.
///
/// `source` names the input in locations (e.g. the file name). A line holding a Bundle is read
/// as a Bundle (its entries are the units).
pub fn read_ndjson<R: BufRead>(
    mut input: R,
    source: &str,
    config: &ReadConfig,
    sink: &mut dyn FnMut(Record),
) -> Result<ReadReport, FhirError> {
    let mut feed = NdjsonFeed::new(source, config);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|source_err| FhirError::Io {
                source_name: source.to_owned(),
                source: source_err,
            })?;
        if n == 0 {
            break;
        }
        feed.line(&buf, sink);
    }
    Ok(feed.finish())
}

/// An NDJSON reader fed one line at a time, for input that arrives in pieces (a streamed
/// download): the same accounting as [`read_ndjson`].
///
/// ```
/// use hrh_fhir::{ReadConfig, read::NdjsonFeed};
/// let config = ReadConfig::default();
/// let mut feed = NdjsonFeed::new("Practitioner.ndjson", &config);
/// let mut n = 0;
/// feed.line(br#"{"resourceType":"Practitioner","id":"1"}"#, &mut |_| n += 1);
/// feed.line(b"", &mut |_| n += 1);
/// let report = feed.finish();
/// assert_eq!((n, report.read, report.accepted), (1, 2, 1));
/// ```
#[derive(Debug)]
pub struct NdjsonFeed<'a> {
    base: Origin,
    config: &'a ReadConfig,
    report: ReadReport,
    line_no: u64,
}

impl<'a> NdjsonFeed<'a> {
    /// A reader for the source named `source`.
    pub fn new(source: &str, config: &'a ReadConfig) -> Self {
        Self {
            base: Origin::new(source),
            config,
            report: ReadReport::default(),
            line_no: 0,
        }
    }

    /// Reads one line (with or without its line break).
    pub fn line(&mut self, bytes: &[u8], sink: &mut dyn FnMut(Record)) {
        self.line_no += 1;
        let origin = self.base.at_line(self.line_no);
        read_line(bytes, &origin, self.config, &mut self.report, sink);
    }

    /// The report so far (lines read).
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// The report.
    pub fn finish(self) -> ReadReport {
        self.report
    }
}

/// Reads a Bundle already parsed into a JSON value (e.g. a page a client fetched).
///
/// A value that is not a Bundle is read as a single resource.
pub fn read_bundle_value(
    bundle: &serde_json::Value,
    source: &str,
    config: &ReadConfig,
    sink: &mut dyn FnMut(Record),
) -> ReadReport {
    let origin = Origin::new(source);
    let mut report = ReadReport::default();
    let head: Head = bundle.view().unwrap_or_default();
    if head.resource_type.as_deref() == Some("Bundle") {
        let parsed = Bundle::deserialize(bundle);
        read_parsed_bundle(parsed, &head, &origin, config, &mut report, sink);
    } else {
        report.read += 1;
        let ctx = Context {
            config,
            full_urls: None,
        };
        read_unit(bundle, &head, None, &origin, &ctx, &mut report, sink);
    }
    report
}

/// Reads one NDJSON line (with or without its line break): a resource or a Bundle; a blank
/// line is skipped and counted, a line that is not UTF-8 rejected.
pub(crate) fn read_line(
    bytes: &[u8],
    origin: &Origin,
    config: &ReadConfig,
    report: &mut ReadReport,
    sink: &mut dyn FnMut(Record),
) {
    let Ok(line) = std::str::from_utf8(bytes) else {
        report.read += 1;
        let reason = FhirError::Json {
            origin: origin.clone(),
            detail: "not UTF-8".to_owned(),
        };
        report.reject(origin, None, reason);
        return;
    };
    let line = line.trim();
    if line.is_empty() {
        report.read += 1;
        report.skip(origin, None, SkipReason::BlankLine);
        return;
    }
    read_document(line, origin, config, report, sink);
}

/// Reads one JSON document: a resource or a Bundle.
pub fn read_json<R: Read>(
    mut input: R,
    source: &str,
    config: &ReadConfig,
    sink: &mut dyn FnMut(Record),
) -> Result<ReadReport, FhirError> {
    let mut text = String::new();
    let mut report = ReadReport::default();
    let origin = Origin::new(source);
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source_err| FhirError::Io {
            source_name: source.to_owned(),
            source: source_err,
        })?;
    if let Ok(t) = String::from_utf8(bytes) {
        text = t;
    } else {
        report.read += 1;
        let reason = FhirError::Json {
            origin: origin.clone(),
            detail: "not UTF-8".to_owned(),
        };
        report.reject(&origin, None, reason);
    }
    if report.read == 0 {
        read_document(text.trim(), &origin, config, &mut report, sink);
    }
    Ok(report)
}

/// Reads a file, choosing the reader by name: `.ndjson`, `.ndjson.gz` or JSON otherwise
/// (`.json.gz` is gunzipped too).
pub fn read_path(
    path: &Path,
    config: &ReadConfig,
    sink: &mut dyn FnMut(Record),
) -> Result<ReadReport, FhirError> {
    let input = Input::open(path)?;
    if input.ndjson {
        read_ndjson(BufReader::new(input.reader), &input.name, config, sink)
    } else {
        read_json(BufReader::new(input.reader), &input.name, config, sink)
    }
}

/// An input file opened for reading: its display name, its (gunzipped) bytes, and whether
/// it is NDJSON by name (`.ndjson`, `.ndjson.gz`).
pub(crate) struct Input {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    pub ndjson: bool,
}

impl Input {
    pub fn open(path: &Path) -> Result<Self, FhirError> {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let file = File::open(path).map_err(|source| FhirError::Io {
            source_name: name.clone(),
            source,
        })?;
        let has_ext =
            |p: &Path, ext: &str| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
        let gz = has_ext(path, "gz");
        let inner = if gz {
            path.file_stem().map_or(path, Path::new)
        } else {
            path
        };
        let reader: Box<dyn Read + Send> = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        Ok(Self {
            ndjson: has_ext(inner, "ndjson"),
            name,
            reader,
        })
    }
}

/// Reads files into one [`Registry`], then links it ([`link_references`]).
pub fn read_registry<P: AsRef<Path>>(
    paths: &[P],
    config: &ReadConfig,
) -> Result<(Registry, ReadReport), FhirError> {
    let mut registry = Registry::default();
    let mut report = ReadReport::default();
    for path in paths {
        let one = read_path(path.as_ref(), config, &mut |r| r.add_to(&mut registry))?;
        report.merge(one);
    }
    link_references(&mut registry);
    Ok((registry, report))
}

/// Reads one JSON text (a line or a whole document) as a resource or a Bundle.
fn read_document(
    text: &str,
    origin: &Origin,
    config: &ReadConfig,
    report: &mut ReadReport,
    sink: &mut dyn FnMut(Record),
) {
    let ctx = Context {
        config,
        full_urls: None,
    };
    // One parse for the common case; anything unusual takes the two-pass path below.
    if let Some(resource_type) = leading_resource_type(text)
        && let Ok(record) = map_resource(text, resource_type, None, &ctx, origin)
    {
        report.read += 1;
        report.accepted += 1;
        sink(record);
        return;
    }
    let head: Head = match text.view() {
        Ok(head) => head,
        Err(e) => {
            report.read += 1;
            let reason = FhirError::Json {
                origin: origin.clone(),
                detail: redact(&e),
            };
            report.reject(origin, None, reason);
            return;
        }
    };
    if head.resource_type.as_deref() == Some("Bundle") {
        let parsed = serde_json::from_str::<Bundle>(text);
        read_parsed_bundle(parsed, &head, origin, config, report, sink);
        return;
    }
    report.read += 1;
    read_unit(text, &head, None, origin, &ctx, report, sink);
}

/// Reads a Bundle, or rejects it as one unit when it did not parse.
fn read_parsed_bundle(
    parsed: Result<Bundle, serde_json::Error>,
    head: &Head,
    origin: &Origin,
    config: &ReadConfig,
    report: &mut ReadReport,
    sink: &mut dyn FnMut(Record),
) {
    match parsed {
        Ok(bundle) => read_bundle(bundle, origin, config, report, sink),
        Err(e) => {
            report.read += 1;
            let reason = FhirError::Structure {
                origin: origin.clone(),
                resource: format!("Bundle/{}", head.id.as_deref().unwrap_or("?")),
                detail: redact(&e),
            };
            report.reject(origin, Some(head), reason);
        }
    }
}

/// Maps one resource and records the outcome.
fn read_unit<D: Doc + ?Sized>(
    doc: &D,
    head: &Head,
    full_url: Option<&str>,
    origin: &Origin,
    ctx: &Context<'_>,
    report: &mut ReadReport,
    sink: &mut dyn FnMut(Record),
) {
    let Some(resource_type) = head.resource_type.as_deref() else {
        let reason = FhirError::NotAResource {
            origin: origin.clone(),
        };
        report.reject(origin, Some(head), reason);
        return;
    };
    if !READ_TYPES.contains(&resource_type) {
        report.skip(origin, Some(head), SkipReason::NotRead);
        return;
    }
    let Some(id) = head.id.as_deref().or(full_url) else {
        let reason = FhirError::MissingId {
            origin: origin.clone(),
            resource_type: resource_type.to_owned(),
        };
        report.reject(origin, Some(head), reason);
        return;
    };
    match map_resource(doc, resource_type, Some(id), ctx, origin) {
        Ok(record) => {
            report.accepted += 1;
            sink(record);
        }
        Err(reason) => report.reject(origin, Some(head), reason),
    }
}

#[derive(Deserialize)]
struct Bundle {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    full_url: Option<String>,
    resource: Option<serde_json::Value>,
    search: Option<Search>,
    request: Option<Request>,
}

#[derive(Deserialize)]
struct Search {
    mode: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    method: Option<String>,
    url: Option<String>,
}

fn read_bundle(
    bundle: Bundle,
    origin: &Origin,
    config: &ReadConfig,
    report: &mut ReadReport,
    sink: &mut dyn FnMut(Record),
) {
    let heads: Vec<Head> = bundle
        .entry
        .iter()
        .map(|e| {
            e.resource
                .as_ref()
                .and_then(|r| r.view::<Head>().ok())
                .unwrap_or_default()
        })
        .collect();
    let full_urls: HashMap<String, (String, String)> = bundle
        .entry
        .iter()
        .zip(&heads)
        .filter_map(|(e, h)| {
            let url = e.full_url.clone()?;
            let kind = h.resource_type.clone()?;
            let id = h.id.clone().unwrap_or_else(|| url.clone());
            Some((url, (kind, id)))
        })
        .collect();
    let ctx = Context {
        config,
        full_urls: Some(&full_urls),
    };
    let searchset = bundle.kind.as_deref() == Some("searchset");
    for (i, (entry, head)) in bundle.entry.into_iter().zip(heads).enumerate() {
        let at = origin.at_entry(i);
        report.read += 1;
        let method = entry.request.as_ref().and_then(|r| r.method.as_deref());
        if method == Some("DELETE") {
            let from_url = entry
                .request
                .as_ref()
                .and_then(|r| r.url.as_deref())
                .map(deleted_target);
            report.deleted.push(Deletion {
                location: at,
                resource_type: head
                    .resource_type
                    .or_else(|| from_url.as_ref().and_then(|t| t.0.clone())),
                id: head.id.or_else(|| from_url.and_then(|t| t.1)),
            });
            continue;
        }
        let mode = entry.search.as_ref().and_then(|s| s.mode.as_deref());
        if searchset && mode == Some("match") {
            report.matches += 1;
        }
        if mode == Some("outcome") {
            report.skip(&at, Some(&head), SkipReason::SearchOutcome);
            continue;
        }
        let Some(resource) = entry.resource.as_ref() else {
            report.skip(&at, None, SkipReason::NoResource);
            continue;
        };
        if !resource.is_object() {
            let reason = FhirError::NotAResource { origin: at.clone() };
            report.reject(&at, None, reason);
            continue;
        }
        read_unit(
            resource,
            &head,
            entry.full_url.as_deref(),
            &at,
            &ctx,
            report,
            sink,
        );
    }
}

/// `(type, id)` from a DELETE request URL (`Practitioner/42`; conditional deletes have no id).
fn deleted_target(url: &str) -> (Option<String>, Option<String>) {
    let (path, query) = url.split_once('?').map_or((url, false), |(p, _)| (p, true));
    let mut parts = path.trim_matches('/').rsplit('/');
    if query {
        return (parts.next().map(str::to_owned), None);
    }
    let id = parts.next().map(str::to_owned);
    let kind = parts.next().map(str::to_owned);
    (kind, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_targets() {
        assert_eq!(
            deleted_target("Practitioner/42"),
            (Some("Practitioner".into()), Some("42".into()))
        );
        assert_eq!(
            deleted_target("Patient?identifier=x|1"),
            (Some("Patient".into()), None)
        );
    }

    #[test]
    fn bad_lines_do_not_stop_ndjson() {
        let input = "{\"resourceType\":\"Organization\",\"id\":\"a\"}\n\nnot json\n{\"id\":\"x\"}\n{\"resourceType\":\"Patient\",\"id\":\"p\"}\n{\"resourceType\":\"Organization\",\"id\":\"b\",\"active\":\"yes\"}\n{\"resourceType\":\"Organization\",\"id\":\"c\"}";
        let mut ids = Vec::new();
        let report = read_ndjson(
            input.as_bytes(),
            "t.ndjson",
            &ReadConfig::default(),
            &mut |r| {
                if let Record::Organization(o) = r {
                    ids.push(o.id);
                }
            },
        )
        .unwrap();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(report.read, 7);
        assert_eq!(report.rejected.len(), 3);
        assert_eq!(report.skipped.len(), 2);
        assert!(report.is_balanced());
        let texts: Vec<String> = report
            .rejected
            .iter()
            .map(|r| r.reason.to_string())
            .collect();
        assert!(
            texts[0].starts_with("t.ndjson:3: invalid JSON"),
            "{texts:?}"
        );
        assert_eq!(
            texts[1],
            "t.ndjson:4: not a FHIR resource (no resourceType)"
        );
        assert!(
            texts[2].starts_with("t.ndjson:6: Organization/b: not valid FHIR JSON"),
            "{texts:?}"
        );
    }

    #[test]
    fn history_bundle_with_deletes_and_urns() {
        let bundle = r#"{"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Practitioner"},"request":{"method":"POST","url":"Practitioner"}},
          {"fullUrl":"urn:uuid:r1","resource":{"resourceType":"PractitionerRole","practitioner":{"reference":"urn:uuid:p1"}},"request":{"method":"POST","url":"PractitionerRole"}},
          {"request":{"method":"DELETE","url":"Practitioner/9"}},
          {"request":{"method":"GET","url":"Practitioner?name=x"}}
        ]}"#;
        let mut records = Vec::new();
        let report = read_json(
            bundle.as_bytes(),
            "b.json",
            &ReadConfig::default(),
            &mut |r| records.push(r),
        )
        .unwrap();
        assert_eq!(report.read, 4);
        assert_eq!(report.accepted, 2);
        assert_eq!(report.deleted.len(), 1);
        assert_eq!(report.deleted[0].id.as_deref(), Some("9"));
        assert_eq!(report.skipped[0].reason, SkipReason::NoResource);
        assert!(report.is_balanced());
        let Record::Employment(e) = &records[1] else {
            panic!("not an employment")
        };
        assert_eq!(e.practitioner, "urn:uuid:p1");
    }

    #[test]
    fn searchset_counts_matches_only() {
        let bundle = r#"{"resourceType":"Bundle","type":"searchset","entry":[
          {"resource":{"resourceType":"Organization","id":"1"},"search":{"mode":"match"}},
          {"resource":{"resourceType":"Organization","id":"2"},"search":{"mode":"include"}},
          {"resource":{"resourceType":"OperationOutcome","id":"w"},"search":{"mode":"outcome"}}
        ]}"#;
        let report = read_json(
            bundle.as_bytes(),
            "s.json",
            &ReadConfig::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((report.read, report.accepted, report.matches), (3, 2, 1));
        assert_eq!(report.skipped[0].reason, SkipReason::SearchOutcome);
    }
}
