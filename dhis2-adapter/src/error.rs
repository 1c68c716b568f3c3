//! The one error type of `hrh-dhis2`.

use hrh_core::CoreError;

/// Everything that can go wrong in `hrh-dhis2`.
///
/// Each variant carries the context a caller needs to report the problem:
/// the index of the data value (0-based, in payload order), the field name as
/// DHIS2 spells it, the line or byte position, or the DHIS2 error code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Dhis2Error {
    /// A JSON document could not be read (syntax error or wrong shape).
    #[error("invalid DHIS2 JSON at line {line}, column {column}: {source}")]
    Json {
        /// 1-based line of the error (0 if unknown).
        line: usize,
        /// 1-based column of the error (0 if unknown).
        column: usize,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A CSV document could not be read or written.
    #[error("invalid DHIS2 CSV{}: {source}", at_line(*line))]
    Csv {
        /// 1-based line of the record, when known.
        line: Option<u64>,
        /// The CSV library's error.
        source: csv::Error,
    },
    /// An XML (DXF2 or ADX) document is not well-formed.
    #[error("invalid XML at byte {position}: {source}")]
    Xml {
        /// Byte offset in the document where the error was found.
        position: u64,
        /// The XML parser's error.
        source: quick_xml::Error,
    },
    /// An XML attribute (no quotes, duplicated) or entity reference (unknown entity) is malformed.
    #[error("invalid XML attribute at byte {position}: {reason}")]
    XmlAttribute {
        /// Byte offset in the document of the element holding the attribute.
        position: u64,
        /// What the parser reported.
        reason: String,
    },
    /// A document is well-formed but not the expected kind (wrong root element or shape).
    #[error("unexpected document: expected {expected}, found {found}")]
    UnexpectedDocument {
        /// What the reader expected, e.g. `<adx>` or an ImportSummary.
        expected: &'static str,
        /// What it found instead.
        found: String,
    },
    /// A field DHIS2 requires is missing or empty.
    #[error("data value {index}: missing required field {field}")]
    MissingField {
        /// Index of the data value (0-based, payload order).
        index: usize,
        /// The field, as DHIS2 names it (`dataElement`, `period`, `value`, ...).
        field: &'static str,
    },
    /// A field has a value that cannot be used (e.g. a non-numeric `value`).
    #[error("data value {index}: invalid {field} {value:?}: {reason}")]
    InvalidField {
        /// Index of the data value (0-based, payload order).
        index: usize,
        /// The field, as DHIS2 names it.
        field: &'static str,
        /// The offending text.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A period (DHIS2 id or ADX `start/duration`) could not be read.
    #[error("{}{source}", index.map(|i| format!("data value {i}: ")).unwrap_or_default())]
    Period {
        /// Index of the data value, when the period belongs to one.
        index: Option<usize>,
        /// The error from `hrh-core`.
        source: CoreError,
    },
    /// A DHIS2 UID does not match `^[a-zA-Z][a-zA-Z0-9]{10}$`.
    #[error("invalid DHIS2 UID {0:?} (expected a letter then 10 letters or digits)")]
    InvalidUid(String),
    /// An id scheme is not `UID`, `CODE`, `NAME` or `ATTRIBUTE:<uid>`.
    #[error("invalid id scheme {0:?} (expected UID, CODE, NAME or ATTRIBUTE:<uid>)")]
    InvalidIdScheme(String),
    /// An ADX category or option cannot be written as an XML attribute name/value.
    #[error("data value {index}: ADX category {category:?} is not a valid XML name")]
    InvalidAdxCategory {
        /// Index of the data value (0-based).
        index: usize,
        /// The category code that was refused.
        category: String,
    },
    /// An ADX value's (category, option) pairs were not resolved into a combo; that needs
    /// DHIS2 metadata (category combos and their option combos).
    #[error(
        "data value {index}: ADX {field} {categories:?} must first be resolved to a combo (needs DHIS2 metadata)"
    )]
    UnresolvedCategories {
        /// Index of the data value (0-based).
        index: usize,
        /// `categoryOptionCombo` or `attributeOptionCombo`: the combo that is missing.
        field: &'static str,
        /// The unresolved (category, option) pairs.
        categories: Vec<(String, String)>,
    },
    /// DHIS2 answered with an error WebMessage (status `ERROR`, no ImportSummary).
    #[error("DHIS2 error {http_status_code}{}: {}", error_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(), message.as_deref().unwrap_or("(no message)"))]
    WebMessage {
        /// The HTTP status code in the message (401, 403, 404, 409, 500, ...).
        http_status_code: u16,
        /// The DHIS2 message, if any.
        message: Option<String>,
        /// The DHIS2 error code (e.g. `E7108`), if any.
        error_code: Option<String>,
        /// The developer message, if any.
        dev_message: Option<String>,
    },
    /// Reading or writing a stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A base URL or endpoint could not be built (never includes credentials).
    #[error("invalid DHIS2 URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given, with any user info removed.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A blocking client call was cancelled through its token
    /// ([`blocking::Dhis2Client::cancelled_by`](crate::client::blocking::Dhis2Client::cancelled_by)):
    /// the request in flight was dropped.
    #[error("cancelled")]
    Cancelled,
    /// The HTTP client could not be set up (TLS backend, runtime).
    #[error("cannot set up the DHIS2 client: {0}")]
    ClientSetup(String),
    /// A request failed without an HTTP answer (connection refused, reset, timed out).
    #[error("{method} {path}: {kind} after {attempts} attempt(s): {reason}")]
    Transport {
        /// The HTTP method.
        method: &'static str,
        /// The path requested, e.g. `/api/dataValueSets` (no host, no credentials).
        path: String,
        /// `timeout`, `connection` or `request`.
        kind: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The HTTP library's description (without the URL).
        reason: String,
    },
    /// DHIS2 kept answering with a retryable status (429, 502, 503, 504) until the attempts ran out.
    #[error("{method} {path}: gave up after {attempts} attempt(s); last answer HTTP {status}")]
    RetriesExhausted {
        /// The HTTP method.
        method: &'static str,
        /// The path requested.
        path: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last HTTP status.
        status: u16,
    },
    /// An HTTP error status whose body is not a DHIS2 WebMessage (e.g. a proxy's 413 page).
    #[error("{method} {path}: HTTP {status}{}", body_excerpt(body))]
    HttpStatus {
        /// The HTTP method.
        method: &'static str,
        /// The path requested.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 200 characters).
        body: String,
    },
    /// A DHIS2 version string could not be read.
    #[error("invalid DHIS2 version {0:?} (expected e.g. 2.42.1)")]
    InvalidVersion(String),
    /// An asynchronous import did not finish in time.
    #[error("DHIS2 task {task_id} did not complete within {waited_seconds} s")]
    TaskTimeout {
        /// The job id DHIS2 gave.
        task_id: String,
        /// How long the client polled, in seconds.
        waited_seconds: u64,
    },
    /// A chunk of a chunked import failed after earlier chunks were stored.
    #[error(
        "import chunk {chunk} (values from index {first_index}) failed after earlier chunks were stored: {source}"
    )]
    Chunk {
        /// 0-based chunk number.
        chunk: usize,
        /// Index of the chunk's first value in the whole set.
        first_index: usize,
        /// What went wrong with that chunk.
        source: Box<Dhis2Error>,
    },
}

impl Dhis2Error {
    /// The HTTP status DHIS2 answered with, when the error came from an answer.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::WebMessage {
                http_status_code, ..
            } => Some(*http_status_code),
            Self::RetriesExhausted { status, .. } | Self::HttpStatus { status, .. } => {
                Some(*status)
            }
            Self::Chunk { source, .. } => source.http_status(),
            _ => None,
        }
    }

    /// Whether DHIS2 refused the credentials (HTTP 401).
    pub fn is_unauthorized(&self) -> bool {
        self.http_status() == Some(401)
    }
}

fn body_excerpt(body: &str) -> String {
    if body.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", body.trim())
    }
}

impl Dhis2Error {
    /// Wraps a `serde_json` error with its position.
    pub(crate) fn json(source: serde_json::Error) -> Self {
        Self::Json {
            line: source.line(),
            column: source.column(),
            source,
        }
    }

    /// Wraps a `csv` error with its line.
    pub(crate) fn csv(source: csv::Error) -> Self {
        Self::Csv {
            line: source.position().map(csv::Position::line),
            source,
        }
    }
}

fn at_line(line: Option<u64>) -> String {
    line.map(|l| format!(" at line {l}")).unwrap_or_default()
}

/// Shorthand for results of this crate.
pub type Result<T, E = Dhis2Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_context() {
        let error = Dhis2Error::InvalidField {
            index: 3,
            field: "value",
            value: "abc".into(),
            reason: "not a finite number",
        };
        assert_eq!(
            error.to_string(),
            "data value 3: invalid value \"abc\": not a finite number"
        );
        let error = Dhis2Error::WebMessage {
            http_status_code: 409,
            message: Some("Only a single indicator".into()),
            error_code: Some("E7108".into()),
            dev_message: None,
        };
        assert_eq!(
            error.to_string(),
            "DHIS2 error 409 E7108: Only a single indicator"
        );
        let period = hrh_core::Period::parse("2024X").unwrap_err();
        let error = Dhis2Error::Period {
            index: Some(2),
            source: period,
        };
        assert!(
            error
                .to_string()
                .starts_with("data value 2: invalid period"),
            "{error}"
        );
        let csv_error = crate::datavalueset::csv::read_csv(&b"\"a\xff\",1\n"[..]).unwrap_err();
        assert!(csv_error.to_string().contains("CSV"), "{csv_error}");
        assert!(!csv_error.to_string().contains("Some("), "{csv_error}");
    }
}
