//! `hrh-python`: the native module `hrh._native` of the `hrh` wheel.
//!
//! Wiring only: each file wraps one concept of `hrh-core` (`period.rs`,
//! `mapping.rs`, `registry.rs`, `quality.rs`, `aggregate.rs`) or of the
//! adapters (`read.rs` for `hrh-fhir`'s readers, `table.rs` for `hrh-table`'s; the DHIS2 writers of
//! `hrh-dhis2` in `aggregate.rs`, its Web API client in `dhis2.rs`, the FHIR
//! REST client in `fhir_client.rs`) in a `Py`-prefixed class or function,
//! `background.rs` runs their requests off the GIL, `json.rs` converts JSON, and
//! `errors.rs` maps every core and adapter error to its Python exception. The
//! Python package `hrh` (in `python/hrh`) re-exports it all.

mod aggregate;
mod background;
mod dhis2;
mod errors;
mod fhir_client;
mod json;
mod mapping;
mod period;
mod quality;
mod read;
mod registry;
mod table;

use std::time::Duration;

use pyo3::exceptions::{PyImportError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::errors::InvalidInput;

/// The table libraries `to_pandas()`, `to_polars()` and `to_arrow()` hand rows to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// `pandas.DataFrame`.
    Pandas,
    /// `polars.DataFrame`.
    Polars,
    /// `pyarrow.Table`.
    Arrow,
}

/// `rows` (a list of dicts) as a table of `frame`'s library with `columns`, even when
/// empty. Raises `ImportError` with an install hint when the library is missing.
fn frame<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyList>,
    columns: &[&str],
    frame: Frame,
) -> PyResult<Bound<'py, PyAny>> {
    let (module, method, package) = match frame {
        Frame::Pandas => ("pandas", "to_pandas", "pandas"),
        Frame::Polars => ("polars", "to_polars", "polars"),
        Frame::Arrow => ("pyarrow", "to_arrow", "pyarrow"),
    };
    let library = py.import(module).map_err(|e| {
        let err = PyImportError::new_err(format!(
            "{method}() needs {package}, which is not installed: pip install {package}"
        ));
        err.set_cause(py, Some(e));
        err
    })?;
    if frame == Frame::Pandas {
        let kwargs = PyDict::new(py);
        kwargs.set_item("columns", PyList::new(py, columns)?)?;
        return library.getattr("DataFrame")?.call((rows,), Some(&kwargs));
    }
    // Column by column: both take a dict of lists, which keeps the columns when empty.
    let data = PyDict::new(py);
    for column in columns {
        let values = PyList::empty(py);
        for row in rows.iter() {
            values.append(row.cast::<PyDict>()?.get_item(column)?)?;
        }
        data.set_item(column, values)?;
    }
    if frame == Frame::Polars {
        // Not strict: a column of counts and sums (ints and floats) takes the wider type.
        let kwargs = PyDict::new(py);
        kwargs.set_item("strict", false)?;
        library.getattr("DataFrame")?.call((data,), Some(&kwargs))
    } else {
        library.getattr("table")?.call1((data,))
    }
}

/// A list of the dicts `to_dict` makes of `items`.
fn dicts<'py, T>(
    py: Python<'py>,
    items: impl IntoIterator<Item = T>,
    to_dict: impl Fn(Python<'py>, T) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(to_dict(py, item)?)?;
    }
    Ok(list)
}

/// JSON text given as a `str`, or a dict serialised with the `json` module; else
/// `TypeError` starting with `takes` (e.g. `"f() takes a dict or JSON text"`).
fn json_text(py: Python<'_>, value: &Bound<'_, PyAny>, takes: &str) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        value.extract()
    } else if value.is_instance_of::<PyDict>() {
        py.import("json")?
            .getattr("dumps")?
            .call1((value,))?
            .extract()
    } else {
        Err(PyTypeError::new_err(format!(
            "{takes}, not {}",
            value.get_type().name()?
        )))
    }
}

/// A positive number of seconds as a `Duration`; else `InvalidInput` naming the argument.
fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(InvalidInput::err(
            py,
            format!("{name} must be a positive number of seconds, not {value}"),
        )),
    }
}

/// The native part of `hrh`; import `hrh` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<period::PyPeriod>()?;
    m.add_class::<mapping::PyMapping>()?;
    m.add_class::<registry::PyRegistry>()?;
    m.add_class::<quality::PyQualityReport>()?;
    m.add_class::<aggregate::PyAggregate>()?;
    m.add_class::<read::PyReadConfig>()?;
    m.add_class::<dhis2::PyDhis2Client>()?;
    m.add_class::<dhis2::PyImportSummary>()?;
    m.add_class::<fhir_client::PyFhirClient>()?;
    m.add_class::<fhir_client::PySearchPages>()?;
    m.add_function(wrap_pyfunction!(read::read_registry, m)?)?;
    m.add_function(wrap_pyfunction!(table::read_table, m)?)?;
    errors::register(m)?;
    Ok(())
}
