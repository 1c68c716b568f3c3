//! `hrh.read_table` and `Registry.from_pandas`: HR exports and spreadsheets into a
//! `Registry` through a table mapping (mirrors `hrh_table`).

use std::path::PathBuf;

use hrh_core::Registry;
use hrh_table::{SourceKind, TableError, TableMapping, TableReport};
use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::errors::{InvalidInput, Place, mapping_error};
use crate::read::{OnError, Rejection, finish};
use crate::registry::PyRegistry;

/// Translates a table error: a mapping mistake raises `MappingError` with `.issues`, a
/// file that cannot be opened `OSError`, anything else about the input `InvalidInput`.
#[expect(
    clippy::match_same_arms,
    reason = "every variant is named so that its family is a decision; the wildcard is for non_exhaustive"
)]
fn table_to_py(py: Python<'_>, error: &TableError) -> PyErr {
    let message = error.to_string();
    match error {
        TableError::Mapping { issues } => mapping_error(
            py,
            message,
            issues.iter().map(|i| (i.line, i.message.clone())).collect(),
        ),
        TableError::Io {
            source_name,
            source,
        } => match source.raw_os_error() {
            Some(errno) => PyOSError::new_err((errno, source.to_string(), source_name.clone())),
            None => Place {
                path: Some(source_name.clone()),
                ..Place::default()
            }
            .invalid_input(py, message),
        },
        TableError::MissingColumns { .. }
        | TableError::NoSheet { .. }
        | TableError::UnknownKind(_)
        | TableError::Spreadsheet { .. } => InvalidInput::err(py, message),
        _ => InvalidInput::err(py, message),
    }
}

/// The table mapping argument: a path to a TOML file, or the TOML text itself.
fn mapping_of(py: Python<'_>, mapping: &Bound<'_, PyAny>) -> PyResult<TableMapping> {
    let text = if mapping.is_instance_of::<PyString>()
        && mapping.extract::<String>()?.contains('\n')
    {
        mapping.extract::<String>()?
    } else {
        let path: PathBuf = mapping.extract().map_err(|_| {
            PyTypeError::new_err("mapping must be a path to a table mapping file or its TOML text")
        })?;
        std::fs::read_to_string(&path).map_err(|e| {
            PyOSError::new_err((
                e.raw_os_error().unwrap_or(0),
                e.to_string(),
                path.display().to_string(),
            ))
        })?
    };
    TableMapping::from_toml(&text).map_err(|e| table_to_py(py, &e))
}

/// The rows that could not be a worker, as rejections with their file and row.
fn rejections(report: &TableReport, path_of: &dyn Fn(&str) -> String) -> Vec<Rejection> {
    report
        .rejected
        .iter()
        .map(|r| Rejection {
            message: r.to_string(),
            place: Place {
                path: Some(path_of(&r.place.source)),
                line: u32::try_from(r.place.row).ok(),
                ..Place::default()
            },
        })
        .collect()
}

fn registry(
    py: Python<'_>,
    read: Result<(Registry, TableReport), TableError>,
    on_error: OnError,
    path_of: &dyn Fn(&str) -> String,
) -> PyResult<PyRegistry> {
    let (registry, report) = read.map_err(|e| table_to_py(py, &e))?;
    let rejected = rejections(&report, path_of);
    finish(py, registry, rejected, on_error)
}

/// Reads HR exports and spreadsheets into a `Registry` through a table mapping.
///
/// `paths` are CSV/TSV, XLSX or ODS files (optionally `.gz`) or directories of them
/// (not recursive, in name order); `mapping` is a table mapping file (TOML) or its text,
/// which says which column gives each fact (see the `hrh-table` crate). A mapping mistake
/// raises `MappingError` with `.issues`; a mapping naming columns the table lacks raises
/// `InvalidInput` listing every missing column and the columns present.
///
/// A value that cannot be read is kept as invalid for its fact (the worker still counts;
/// `Registry.quality()` finds it). A row that cannot be a worker (no worker id) raises
/// `InvalidInput` with its `path` and row as `line`, or with `errors="skip"` is left out
/// and listed in `Registry.rejected`. The GIL is released while reading.
#[pyfunction]
#[pyo3(
    signature = (*paths, mapping, errors = "raise"),
    text_signature = "(*paths, mapping, errors='raise')"
)]
pub fn read_table(
    py: Python<'_>,
    paths: &Bound<'_, PyTuple>,
    mapping: &Bound<'_, PyAny>,
    errors: &str,
) -> PyResult<PyRegistry> {
    let on_error = OnError::parse(py, errors)?;
    let paths: Vec<PathBuf> = paths.extract()?;
    if paths.is_empty() {
        return Err(InvalidInput::err(
            py,
            "read_table() needs at least one file or directory".to_owned(),
        ));
    }
    let mapping = mapping_of(py, mapping)?;
    let files = py
        .detach(|| hrh_table::expand(&paths))
        .map_err(|e| table_to_py(py, &e))?;
    if files.is_empty() {
        return Err(InvalidInput::err(
            py,
            "no table files (.csv, .tsv, .xlsx, .ods, .gz) in the paths given".to_owned(),
        ));
    }
    let read = py.detach(|| hrh_table::read_registry(&files, &mapping));
    let path_of = |name: &str| {
        files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == name))
            .map_or_else(|| name.to_owned(), |f| f.display().to_string())
    };
    registry(py, read, on_error, &path_of)
}

/// `Registry.from_pandas`: a pandas or polars `DataFrame` or a pyarrow `Table`, written
/// as CSV text by its own library, then read as a CSV through the mapping (the mapping's
/// `[source]` delimiter, encoding and header row do not apply).
pub fn from_frame(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    mapping: &Bound<'_, PyAny>,
    errors: &str,
) -> PyResult<PyRegistry> {
    let on_error = OnError::parse(py, errors)?;
    let mut mapping = mapping_of(py, mapping)?;
    mapping.source.delimiter = Some(b',');
    mapping.source.encoding = hrh_table::mapping::TextEncoding::Utf8;
    mapping.source.header_row = 1;
    let text: String = if frame.hasattr("to_csv")? {
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("index", false)?;
        frame.call_method("to_csv", (), Some(&kwargs))?.extract()?
    } else if frame.hasattr("write_csv")? {
        frame.call_method0("write_csv")?.extract()?
    } else if frame.hasattr("to_pandas")? {
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("index", false)?;
        frame
            .call_method0("to_pandas")?
            .call_method("to_csv", (), Some(&kwargs))?
            .extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "from_pandas() takes a pandas or polars DataFrame or a pyarrow Table, not {}",
            frame.get_type().name()?
        )));
    };
    let read = py.detach(|| {
        hrh_table::read_registry_from(
            "<DataFrame>",
            SourceKind::Csv,
            Box::new(std::io::Cursor::new(text.into_bytes())),
            &mapping,
        )
    });
    registry(py, read, on_error, &str::to_owned)
}
