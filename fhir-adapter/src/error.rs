//! The crate's one error type, [`FhirError`], and where in the input an error happened ([`Origin`]).
//!
//! Error texts carry file names, line numbers, entry indexes, resource types, ids and JSON
//! paths, never names or other personal data: messages from the JSON parser are redacted
//! (quoted values are replaced by `"…"`).

use std::fmt;
use std::sync::Arc;

/// Where a record came from: a file (or other named source), a line, and a Bundle entry.
///
/// Displays as `Practitioner.ndjson:17`, `bundle.json#entry[3]` or `history.ndjson:2#entry[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Origin {
    /// The file or source name given to the reader (e.g. `Practitioner.ndjson`); shared, so
    /// that an origin per line costs no allocation.
    pub source: Arc<str>,
    /// The line number (1-based), for NDJSON input (saturates at `u32::MAX`).
    pub line: Option<u32>,
    /// The Bundle entry index (0-based), for Bundle input (saturates at `u32::MAX`).
    pub entry: Option<u32>,
}

impl Origin {
    /// An origin naming a whole source.
    pub fn new(source: &str) -> Self {
        Self {
            source: Arc::from(source),
            line: None,
            entry: None,
        }
    }

    /// The same source at a given line (1-based).
    #[must_use]
    pub fn at_line(&self, line: u64) -> Self {
        Self {
            line: Some(u32::try_from(line).unwrap_or(u32::MAX)),
            ..self.clone()
        }
    }

    /// The same source at a given Bundle entry (0-based).
    #[must_use]
    pub fn at_entry(&self, entry: usize) -> Self {
        Self {
            entry: Some(u32::try_from(entry).unwrap_or(u32::MAX)),
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(entry) = self.entry {
            write!(f, "#entry[{entry}]")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong while reading FHIR into `hrh-core` records.
///
/// Readers never stop at a bad record: per-record errors end up in
/// [`Rejected::reason`](crate::read::Rejected::reason); only I/O errors end a read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FhirError {
    /// The input could not be read (file missing, gzip stream broken, ...).
    #[error("{source_name}: cannot read: {source}")]
    Io {
        /// The file or source name.
        source_name: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line or document is not valid JSON (or not UTF-8).
    #[error("{origin}: invalid JSON: {detail}")]
    Json {
        /// Where.
        origin: Origin,
        /// The parser's message, with quoted values redacted.
        detail: String,
    },
    /// A JSON value without a `resourceType` string, so not a FHIR resource.
    #[error("{origin}: not a FHIR resource (no resourceType)")]
    NotAResource {
        /// Where.
        origin: Origin,
    },
    /// A resource of a type this reader does not map (only from [`read_resource`](crate::read::read_resource)).
    #[error("{origin}: {resource_type}: resource type not read by hrh")]
    UnsupportedResourceType {
        /// Where.
        origin: Origin,
        /// The `resourceType`.
        resource_type: String,
    },
    /// A resource whose elements do not have the FHIR JSON types (e.g. `active: "yes"`).
    #[error("{origin}: {resource}: not valid FHIR JSON: {detail}")]
    Structure {
        /// Where.
        origin: Origin,
        /// `Type/id` (id `?` when unknown).
        resource: String,
        /// The parser's message, with quoted values redacted.
        detail: String,
    },
    /// A resource without an `id` (and, in a Bundle, without a `fullUrl` to stand in for it).
    #[error("{origin}: {resource_type}: no id")]
    MissingId {
        /// Where.
        origin: Origin,
        /// The `resourceType`.
        resource_type: String,
    },
    /// An element with a value hrh cannot use, e.g. `period.start: invalid date`.
    #[error("{origin}: {resource}: {path}: {problem}")]
    Invalid {
        /// Where.
        origin: Origin,
        /// `Type/id`.
        resource: String,
        /// The JSON path of the element, e.g. `qualification[0].period.start`.
        path: String,
        /// What is wrong, without personal data.
        problem: String,
    },
    /// A FHIR server answered with an error status; `outcome` holds its OperationOutcome.
    ///
    /// Displays as `PUT http://…/Practitioner/1: HTTP 412: error conflict: Version mismatch`.
    #[cfg(feature = "client")]
    #[error("{method} {url}: HTTP {status}{}", crate::client::describe_failure(.outcome.as_ref(), .text.as_deref()))]
    Http {
        /// The request method (`GET`, `PUT`, ...).
        method: String,
        /// The request URL (never carries credentials; they go in headers).
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The OperationOutcome the server sent, when it sent one.
        outcome: Option<crate::client::OperationOutcome>,
        /// The start of the response text (at most 200 characters) when it was not an
        /// OperationOutcome.
        text: Option<String>,
    },
    /// The request could not be sent or its response not received (connection refused or
    /// dropped, TLS failure, truncated body), after any retries.
    #[cfg(feature = "client")]
    #[error("{method} {url}: {detail}")]
    Transport {
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// What failed (no credentials).
        detail: String,
    },
    /// A blocking client call was cancelled through its token
    /// ([`blocking::FhirClient::cancelled_by`](crate::client::blocking::FhirClient::cancelled_by)):
    /// the request in flight was dropped and its connection closed.
    #[cfg(feature = "client")]
    #[error("cancelled")]
    Cancelled,
    /// A request took longer than the configured timeout, after any retries.
    #[cfg(feature = "client")]
    #[error("{method} {url}: timed out after {seconds} s")]
    Timeout {
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// The timeout, in seconds.
        seconds: f64,
    },
    /// A response body (or NDJSON line) is larger than the configured maximum.
    #[cfg(feature = "client")]
    #[error("{url}: response larger than the maximum of {limit} bytes; refused")]
    TooLarge {
        /// The request URL.
        url: String,
        /// The configured maximum, in bytes.
        limit: u64,
    },
    /// A response that is not what the FHIR API promises (not JSON, not a Bundle, a 202
    /// without `Content-Location`, ...).
    #[cfg(feature = "client")]
    #[error("{url}: unexpected response: {detail}")]
    UnexpectedResponse {
        /// The request URL.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// A URL that cannot be parsed or used (base URL, next link, Location).
    #[cfg(feature = "client")]
    #[error("invalid URL {url:?}: {detail}")]
    InvalidUrl {
        /// The URL text.
        url: String,
        /// Why.
        detail: String,
    },
    /// A `next` link that was already followed: the server pages in a loop.
    #[cfg(feature = "client")]
    #[error("{url}: next link already followed; paging stopped to avoid an endless loop")]
    PagingLoop {
        /// The repeated link.
        url: String,
    },
    /// A `next` link on another origin (scheme, host, port) than the base URL, not allowed by
    /// [`ClientConfig::allowed_origins`](crate::client::ClientConfig::allowed_origins).
    #[cfg(feature = "client")]
    #[error("{url}: next link leaves the server's origin {origin}; refused")]
    ForeignOrigin {
        /// The link.
        url: String,
        /// The base URL's origin.
        origin: String,
    },
    /// Getting an access token failed (token endpoint error, bad key, no token endpoint).
    /// The text never contains secrets.
    #[cfg(feature = "client")]
    #[error("authentication failed: {detail}")]
    Auth {
        /// What failed.
        detail: String,
    },
    /// A bulk `$export` job failed or its manifest is unusable.
    #[cfg(feature = "client")]
    #[error("{url}: bulk export: {detail}")]
    Export {
        /// The status or output URL.
        url: String,
        /// What failed.
        detail: String,
    },
}

/// Replaces quoted and back-quoted parts of a parser message by `"…"` so that no input value
/// (possibly a name) reaches an error text.
pub(crate) fn redact(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if c == '"' || c == '`' => {
                out.push(c);
                open = Some(c);
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_display() {
        let o = Origin::new("Practitioner.ndjson");
        assert_eq!(o.at_line(17).to_string(), "Practitioner.ndjson:17");
        assert_eq!(o.at_entry(3).to_string(), "Practitioner.ndjson#entry[3]");
        assert_eq!(
            o.at_line(2).at_entry(0).to_string(),
            "Practitioner.ndjson:2#entry[0]"
        );
    }

    #[test]
    fn redaction_hides_values() {
        let e = serde_json::from_str::<Vec<u8>>(r#""Jane Doe""#).unwrap_err();
        let text = redact(&e);
        assert!(!text.contains("Jane"), "{text}");
        assert!(text.contains("invalid type"), "{text}");
    }

    #[test]
    fn invalid_display() {
        let e = FhirError::Invalid {
            origin: Origin::new("Practitioner.ndjson").at_line(17),
            resource: "Practitioner/42".into(),
            path: "birthDate".into(),
            problem: "invalid date \"2020-13-01\"".into(),
        };
        assert_eq!(
            e.to_string(),
            "Practitioner.ndjson:17: Practitioner/42: birthDate: invalid date \"2020-13-01\""
        );
    }
}
