//! The Python exception hierarchy of `hrh` and the mapping from [`CoreError`],
//! [`FhirError`] and [`Dhis2Error`].
//!
//! Every family is a subclass of `hrh.HrhError`; `InvalidInput` is also a
//! `ValueError`, so `except ValueError` keeps working for bad arguments.

use hrh_core::CoreError;
use hrh_core::aggregate::guard::{Override, Refusal, Share};
use hrh_dhis2::Dhis2Error as RustDhis2Error;
use hrh_dhis2::client::PreflightReport;
use hrh_fhir::client::OperationOutcome;
use hrh_fhir::{FhirError as RustFhirError, Origin};
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::dhis2::PyImportSummary;

pyo3::create_exception!(
    hrh,
    HrhError,
    PyException,
    "Base class of every error raised by hrh."
);
pyo3::create_exception!(
    hrh,
    MappingError,
    HrhError,
    "A mapping file is wrong or unknown; `.issues` lists (line, message) pairs."
);
pyo3::create_exception!(
    hrh,
    FhirError,
    HrhError,
    "A FHIR server refused a request, or its response could not be used.\n\n\
`status` (also `http_status`) is the HTTP status of a refusal (or None), and \
`operation_outcome` the OperationOutcome the server sent with it, as a dict (or None)."
);
pyo3::create_exception!(
    hrh,
    Dhis2Error,
    HrhError,
    "DHIS2 refused or could not take the data.\n\n\
`http_status` and `error_code` are DHIS2's (or None); `web_message` is DHIS2's error \
message as a dict, `summary` the ImportSummary of an aborted import, `problems` what \
the pre-flight check refused (a list of dicts with `index` and `issue`)."
);
pyo3::create_exception!(
    hrh,
    AuthError,
    HrhError,
    "A server refused the credentials (HTTP 401) or the permission (403); `http_status` says which.\n\n\
For a FHIR server, `operation_outcome` is the OperationOutcome it sent (a dict, or None)."
);
pyo3::create_exception!(
    hrh,
    TransportError,
    HrhError,
    "A server could not be reached, the connection failed or a request timed out."
);

const INVALID_INPUT_DOC: &str = "An argument or record value is not valid (a bad period, country, date, code, ...).\n\n\
For a record that could not be read, `path` is the file, `line` (NDJSON, 1-based) and \
`entry` (Bundle, 0-based) where in it, `resource_type` and `record_id` the resource, and \
`field` the JSON path of the bad element; each is None when unknown.";

/// The attributes `InvalidInput` carries about a record that could not be read (all `None` by default).
const PLACE_ATTRIBUTES: [&str; 6] = [
    "path",
    "line",
    "entry",
    "resource_type",
    "record_id",
    "field",
];

/// `hrh.InvalidInput`: subclass of both `HrhError` and `ValueError`.
///
/// `create_exception!` takes a single base, so this one class is made by
/// calling `type(name, (HrhError, ValueError), ...)` once per interpreter.
pub struct InvalidInput;

impl InvalidInput {
    /// The class object, created on first use.
    pub fn type_object(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        static CELL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let ty = CELL.get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let bases = PyTuple::new(
                py,
                [py.get_type::<HrhError>(), py.get_type::<PyValueError>()],
            )?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "hrh")?;
            namespace.set_item("__doc__", INVALID_INPUT_DOC)?;
            for name in PLACE_ATTRIBUTES {
                namespace.set_item(name, py.None())?;
            }
            let made = py
                .get_type::<PyType>()
                .call1(("InvalidInput", bases, namespace))?;
            Ok(made.cast_into::<PyType>()?.unbind())
        })?;
        Ok(ty.bind(py))
    }

    /// An `InvalidInput` error with this message.
    pub fn err(py: Python<'_>, message: String) -> PyErr {
        match Self::type_object(py) {
            Ok(ty) => PyErr::from_type(ty.clone(), message),
            Err(e) => e,
        }
    }
}

/// A guard's refusal ([`hrh_core::aggregate::guard`]) as `InvalidInput`, naming the keyword
/// argument that accepts the input on purpose.
pub fn refused(py: Python<'_>, refusal: &Refusal) -> PyErr {
    let hint = match refusal.overridden_by() {
        Override::AllowEmpty => "allow_empty=True accepts it on purpose",
        Override::MaxRejected => "a higher max_rejected accepts more",
        Override::AllowDrop => "allow_drop=True accepts it on purpose",
    };
    InvalidInput::err(py, format!("{refusal} ({hint})"))
}

/// A fraction from 0 to 1 given as `name`, or `InvalidInput`.
pub fn share(py: Python<'_>, name: &str, fraction: f64) -> PyResult<Share> {
    Share::from_fraction(fraction).ok_or_else(|| {
        InvalidInput::err(
            py,
            format!("{name} must be a fraction from 0 to 1, not {fraction}"),
        )
    })
}

/// Where in the input a record that could not be read is: the attributes of `InvalidInput`.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The file, as found from the arguments.
    pub path: Option<String>,
    /// The NDJSON line (1-based).
    pub line: Option<u32>,
    /// The Bundle entry (0-based).
    pub entry: Option<u32>,
    /// The resource type.
    pub resource_type: Option<String>,
    /// The resource id.
    pub record_id: Option<String>,
    /// The JSON path of the bad element, e.g. `period.start`.
    pub field: Option<String>,
}

impl Place {
    /// The place an error names: line and entry from its origin, field from `Invalid`.
    pub fn of(error: &RustFhirError) -> Self {
        let origin: Option<&Origin> = match error {
            RustFhirError::Json { origin, .. }
            | RustFhirError::NotAResource { origin }
            | RustFhirError::UnsupportedResourceType { origin, .. }
            | RustFhirError::Structure { origin, .. }
            | RustFhirError::MissingId { origin, .. }
            | RustFhirError::Invalid { origin, .. } => Some(origin),
            _ => None,
        };
        let field = match error {
            RustFhirError::Invalid { path, .. } => Some(path.clone()),
            _ => None,
        };
        Self {
            line: origin.and_then(|o| o.line),
            entry: origin.and_then(|o| o.entry),
            field,
            ..Self::default()
        }
    }

    /// An `InvalidInput` error with this message and these attributes.
    pub fn invalid_input(self, py: Python<'_>, message: String) -> PyErr {
        let err = InvalidInput::err(py, message);
        let value = err.value(py);
        let attached = (|| -> PyResult<()> {
            value.setattr("path", self.path)?;
            value.setattr("line", self.line)?;
            value.setattr("entry", self.entry)?;
            value.setattr("resource_type", self.resource_type)?;
            value.setattr("record_id", self.record_id)?;
            value.setattr("field", self.field)
        })();
        match attached {
            Ok(()) => err,
            Err(e) => e,
        }
    }
}

/// Translates an error that ended a FHIR read; `path_of` turns the file name
/// the reader gives into the file's path.
///
/// A file that cannot be opened raises `OSError` (`FileNotFoundError`, ...)
/// with the file name, as `open()` would; everything else about the input
/// (a broken gzip stream, a bad record) raises `InvalidInput` with its place.
pub fn fhir_to_py(
    py: Python<'_>,
    error: &RustFhirError,
    path_of: &dyn Fn(&str) -> String,
) -> PyErr {
    let message = error.to_string();
    if let RustFhirError::Io {
        source_name,
        source,
    } = error
    {
        if let Some(errno) = source.raw_os_error() {
            let text = source.to_string();
            let strerror = text
                .strip_suffix(&format!(" (os error {errno})"))
                .unwrap_or(&text)
                .to_owned();
            return PyOSError::new_err((errno, strerror, path_of(source_name)));
        }
        let place = Place {
            path: Some(path_of(source_name)),
            ..Place::default()
        };
        return place.invalid_input(py, message);
    }
    Place::of(error).invalid_input(py, message)
}

/// Sets attributes on an exception's value; an error setting one replaces the exception.
fn with_attributes(
    py: Python<'_>,
    err: PyErr,
    attributes: &[(&str, Option<Bound<'_, PyAny>>)],
) -> PyErr {
    let value = err.value(py);
    for (name, attribute) in attributes {
        let set = match attribute {
            Some(attribute) => value.setattr(*name, attribute),
            None => value.setattr(*name, py.None()),
        };
        if let Err(e) = set {
            return e;
        }
    }
    err
}

/// Translates an error from `hrh-dhis2` into its Python exception.
///
/// `AuthError` for HTTP 401 and 403, `TransportError` when no answer came
/// (connection refused or reset, timeouts), `InvalidInput` for a bad base
/// URL, and `Dhis2Error` for the rest. Each carries `http_status` and
/// `error_code` (or `None`); a DHIS2 WebMessage is in `web_message` (a dict
/// with `http_status_code`, `message`, `error_code`, `dev_message`).
#[expect(
    clippy::match_same_arms,
    reason = "every variant is named so that its family is a decision; the wildcard is for non_exhaustive"
)]
pub fn dhis2_to_py(py: Python<'_>, error: &RustDhis2Error) -> PyErr {
    let message = error.to_string();
    let status = error.http_status();
    let inner = match error {
        RustDhis2Error::Chunk { source, .. } => source.as_ref(),
        other => other,
    };
    let err = match inner {
        _ if matches!(status, Some(401 | 403)) => AuthError::new_err(message),
        RustDhis2Error::Transport { .. } | RustDhis2Error::TaskTimeout { .. } => {
            TransportError::new_err(message)
        }
        RustDhis2Error::InvalidUrl { .. } => InvalidInput::err(py, message),
        RustDhis2Error::Json { .. }
        | RustDhis2Error::Csv { .. }
        | RustDhis2Error::Xml { .. }
        | RustDhis2Error::XmlAttribute { .. }
        | RustDhis2Error::UnexpectedDocument { .. }
        | RustDhis2Error::MissingField { .. }
        | RustDhis2Error::InvalidField { .. }
        | RustDhis2Error::Period { .. }
        | RustDhis2Error::InvalidUid(_)
        | RustDhis2Error::InvalidIdScheme(_)
        | RustDhis2Error::InvalidAdxCategory { .. }
        | RustDhis2Error::UnresolvedCategories { .. }
        | RustDhis2Error::WebMessage { .. }
        | RustDhis2Error::Io(_)
        | RustDhis2Error::ClientSetup(_)
        | RustDhis2Error::RetriesExhausted { .. }
        | RustDhis2Error::HttpStatus { .. }
        | RustDhis2Error::InvalidVersion(_)
        | RustDhis2Error::Chunk { .. } => Dhis2Error::new_err(message),
        // `Dhis2Error` is non-exhaustive: a variant added later is a DHIS2 failure too.
        _ => Dhis2Error::new_err(message),
    };
    let (error_code, web_message) = match inner {
        RustDhis2Error::WebMessage {
            http_status_code,
            message,
            error_code,
            dev_message,
        } => {
            let d = PyDict::new(py);
            let filled = (|| -> PyResult<()> {
                d.set_item("http_status_code", http_status_code)?;
                d.set_item("message", message)?;
                d.set_item("error_code", error_code)?;
                d.set_item("dev_message", dev_message)
            })();
            if let Err(e) = filled {
                return e;
            }
            (error_code.clone(), Some(d.into_any()))
        }
        _ => (None, None),
    };
    let status = status
        .and_then(|s| s.into_pyobject(py).ok())
        .map(Bound::into_any);
    let error_code = error_code
        .and_then(|c| c.into_pyobject(py).ok())
        .map(Bound::into_any);
    with_attributes(
        py,
        err,
        &[
            ("http_status", status),
            ("error_code", error_code),
            ("web_message", web_message),
        ],
    )
}

/// An OperationOutcome as a FHIR-shaped dict (`resourceType`, `issue`).
pub fn outcome_dict<'py>(
    py: Python<'py>,
    outcome: &OperationOutcome,
) -> PyResult<Bound<'py, PyAny>> {
    let mut value = serde_json::to_value(outcome)
        .map_err(|e| FhirError::new_err(format!("OperationOutcome not representable: {e}")))?;
    if let Some(members) = value.as_object_mut() {
        members.insert("resourceType".to_owned(), "OperationOutcome".into());
    }
    crate::json::to_py(py, &value)
}

/// Translates an error of the FHIR REST client (`hrh_fhir::client`) into its Python exception.
///
/// `AuthError` for HTTP 401 and 403 and for a refused token request,
/// `TransportError` when no answer came (connection refused or reset,
/// timeouts), `InvalidInput` for a bad URL, and `FhirError` for the rest.
/// `FhirError` and `AuthError` carry `http_status` (and `FhirError` the same in
/// `status`) and `operation_outcome` (a dict, or `None`).
#[expect(
    clippy::match_same_arms,
    reason = "every variant is named so that its family is a decision; the wildcard is for non_exhaustive"
)]
pub fn fhir_client_to_py(py: Python<'_>, error: &RustFhirError) -> PyErr {
    let message = error.to_string();
    let (status, outcome) = match error {
        RustFhirError::Http {
            status, outcome, ..
        } => (Some(*status), outcome.as_ref()),
        _ => (None, None),
    };
    let err = match error {
        RustFhirError::Http {
            status: 401 | 403, ..
        }
        | RustFhirError::Auth { .. } => AuthError::new_err(message),
        RustFhirError::Transport { .. } | RustFhirError::Timeout { .. } => {
            TransportError::new_err(message)
        }
        RustFhirError::InvalidUrl { .. } => InvalidInput::err(py, message),
        RustFhirError::Http { .. }
        | RustFhirError::TooLarge { .. }
        | RustFhirError::UnexpectedResponse { .. }
        | RustFhirError::PagingLoop { .. }
        | RustFhirError::ForeignOrigin { .. }
        | RustFhirError::Export { .. }
        | RustFhirError::Io { .. }
        | RustFhirError::Json { .. }
        | RustFhirError::NotAResource { .. }
        | RustFhirError::UnsupportedResourceType { .. }
        | RustFhirError::Structure { .. }
        | RustFhirError::MissingId { .. }
        | RustFhirError::Invalid { .. } => FhirError::new_err(message),
        // `FhirError` is non-exhaustive: a variant added later is a FHIR failure too.
        _ => FhirError::new_err(message),
    };
    let outcome = match outcome.map(|o| outcome_dict(py, o)).transpose() {
        Ok(outcome) => outcome,
        Err(e) => return e,
    };
    let status = status
        .and_then(|s| s.into_pyobject(py).ok())
        .map(Bound::into_any);
    let mut attributes = vec![
        ("http_status", status.clone()),
        ("operation_outcome", outcome),
    ];
    if err.is_instance_of::<FhirError>(py) {
        attributes.push(("status", status));
    }
    with_attributes(py, err, &attributes)
}

/// A `Dhis2Error` for an import DHIS2 aborted, carrying the summary in `.summary`.
pub fn import_error(py: Python<'_>, message: String, summary: PyImportSummary) -> PyErr {
    let err = Dhis2Error::new_err(message);
    match Bound::new(py, summary) {
        Ok(summary) => with_attributes(py, err, &[("summary", Some(summary.into_any()))]),
        Err(e) => e,
    }
}

/// A `Dhis2Error` for values the pre-flight check refused, listed in `.problems`
/// as dicts with `index` (position in the set) and `issue`.
pub fn preflight_error(py: Python<'_>, report: &PreflightReport) -> PyErr {
    let indexes = report.indexes();
    let message = format!(
        "pre-flight check: {} of {} values would be refused (first: {}); nothing was sent",
        indexes.len(),
        report.checked,
        report
            .problems
            .first()
            .map_or_else(String::new, |p| format!("value {}: {}", p.index, p.issue))
    );
    let err = Dhis2Error::new_err(message);
    let problems = (|| -> PyResult<Bound<'_, PyList>> {
        let list = PyList::empty(py);
        for p in &report.problems {
            let d = PyDict::new(py);
            d.set_item("index", p.index)?;
            d.set_item("issue", p.issue.to_string())?;
            list.append(d)?;
        }
        Ok(list)
    })();
    match problems {
        Ok(list) => with_attributes(py, err, &[("problems", Some(list.into_any()))]),
        Err(e) => e,
    }
}

/// A `MappingError` carrying `.issues`: a list of `(line, message)` tuples.
pub(crate) fn mapping_error(
    py: Python<'_>,
    message: String,
    issues: Vec<(usize, String)>,
) -> PyErr {
    let err = MappingError::new_err(message);
    let attached = PyList::new(py, issues).and_then(|list| err.value(py).setattr("issues", list));
    match attached {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// Translates a core error into its Python exception.
///
/// Every variant is named, with no catch-all arm: a new variant in `hrh-core`
/// fails this build until it is given its family.
pub fn to_py(py: Python<'_>, error: CoreError) -> PyErr {
    let message = error.to_string();
    match error {
        CoreError::InvalidPeriod { .. }
        | CoreError::UnknownPeriodType(_)
        | CoreError::DateOutOfRange(_)
        | CoreError::InvalidIsco { .. }
        | CoreError::UnknownCountry(_)
        | CoreError::InvalidDate(_)
        | CoreError::InvalidSex(_)
        | CoreError::MissingOrgUnit
        | CoreError::PeriodTypeMismatch { .. }
        | CoreError::InvalidPopulation { .. } => InvalidInput::err(py, message),
        CoreError::InvalidMapping { issues } => mapping_error(
            py,
            message,
            issues.into_iter().map(|i| (i.line, i.message)).collect(),
        ),
        CoreError::UnknownMapping(_) => mapping_error(py, message, Vec::new()),
    }
}

/// A workforce-profile error: bad geometry is invalid input, a file that cannot be written
/// an `OSError`, a chart that cannot be drawn an `HrhError` (a bug).
pub fn report_to_py(py: Python<'_>, error: hrh_report::ReportError) -> PyErr {
    let message = error.to_string();
    match error {
        hrh_report::ReportError::InvalidGeometry { .. } => InvalidInput::err(py, message),
        hrh_report::ReportError::Io { source, .. } => {
            pyo3::exceptions::PyOSError::new_err((source.raw_os_error().unwrap_or(0), message))
        }
        hrh_report::ReportError::Chart { .. } => HrhError::new_err(message),
    }
}

/// Extension for results of `hrh-core`: `.py_err(py)?` raises the right class.
pub trait IntoPyResult<T> {
    /// The result with a core error turned into its Python exception.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for hrh_core::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HrhError", py.get_type::<HrhError>())?;
    m.add("InvalidInput", InvalidInput::type_object(py)?)?;
    let mapping = py.get_type::<MappingError>();
    // The class default, so `.issues` exists on every instance.
    mapping.setattr("issues", PyList::empty(py))?;
    m.add("MappingError", mapping)?;
    let fhir = py.get_type::<FhirError>();
    for name in ["status", "http_status", "operation_outcome"] {
        fhir.setattr(name, py.None())?;
    }
    m.add("FhirError", fhir)?;
    let dhis2 = py.get_type::<Dhis2Error>();
    // Class defaults, so every instance has the attributes.
    for name in ["http_status", "error_code", "web_message", "summary"] {
        dhis2.setattr(name, py.None())?;
    }
    dhis2.setattr("problems", PyList::empty(py))?;
    m.add("Dhis2Error", dhis2)?;
    let auth = py.get_type::<AuthError>();
    for name in [
        "http_status",
        "error_code",
        "web_message",
        "operation_outcome",
    ] {
        auth.setattr(name, py.None())?;
    }
    m.add("AuthError", auth)?;
    let transport = py.get_type::<TransportError>();
    for name in ["http_status", "error_code", "web_message"] {
        transport.setattr(name, py.None())?;
    }
    m.add("TransportError", transport)?;
    Ok(())
}
