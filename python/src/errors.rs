//! The Python exception hierarchy of `hrh` and the mapping from [`CoreError`].
//!
//! Every family is a subclass of `hrh.HrhError`; `InvalidInput` is also a
//! `ValueError`, so `except ValueError` keeps working for bad arguments.

use hrh_core::CoreError;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

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
    "A FHIR resource or server response could not be used."
);
pyo3::create_exception!(
    hrh,
    Dhis2Error,
    HrhError,
    "DHIS2 refused or could not take the data."
);
pyo3::create_exception!(
    hrh,
    AuthError,
    HrhError,
    "A server refused the credentials."
);
pyo3::create_exception!(
    hrh,
    TransportError,
    HrhError,
    "A server could not be reached or the connection failed."
);

const INVALID_INPUT_DOC: &str =
    "An argument or record value is not valid (a bad period, country, date, code, ...).";

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

/// A `MappingError` carrying `.issues`: a list of `(line, message)` tuples.
fn mapping_error(py: Python<'_>, message: String, issues: Vec<(usize, String)>) -> PyErr {
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
        | CoreError::PeriodTypeMismatch { .. } => InvalidInput::err(py, message),
        CoreError::InvalidMapping { issues } => mapping_error(
            py,
            message,
            issues.into_iter().map(|i| (i.line, i.message)).collect(),
        ),
        CoreError::UnknownMapping(_) => mapping_error(py, message, Vec::new()),
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
    m.add("FhirError", py.get_type::<FhirError>())?;
    m.add("Dhis2Error", py.get_type::<Dhis2Error>())?;
    m.add("AuthError", py.get_type::<AuthError>())?;
    m.add("TransportError", py.get_type::<TransportError>())?;
    Ok(())
}
