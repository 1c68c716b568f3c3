//! `hrh.Mapping`: which NHWA figures to compute (mirrors `hrh_core::aggregate::Mapping`).

use std::path::PathBuf;

use hrh_core::aggregate::Mapping;
use pyo3::prelude::*;

use crate::errors::IntoPyResult;

/// A mapping: the figures to compute and their DHIS2 identifiers.
///
/// Get a shipped one with `Mapping.builtin("nhwa-module1")`, or read a TOML
/// file with `Mapping.load(path)`. `len(mapping)` is the number of targets
/// (data element and category option combo pairs).
#[pyclass(name = "Mapping", module = "hrh", frozen)]
pub struct PyMapping {
    pub(crate) inner: Mapping,
}

#[pymethods]
impl PyMapping {
    /// A mapping shipped with hrh: `"nhwa-module1"`, `"nhwa-module1-subnational"`,
    /// `"nhwa-module5"` (labour-market flows), `"nhwa-module6"` (working conditions) or
    /// `"nhwa-module7"` (remuneration).
    ///
    /// Raises `MappingError` for any other name.
    #[staticmethod]
    fn builtin(py: Python<'_>, name: &str) -> PyResult<Self> {
        let inner = py.detach(|| Mapping::builtin(name)).py_err(py)?;
        Ok(Self { inner })
    }

    /// Reads a mapping file (TOML).
    ///
    /// Raises `OSError` if the file cannot be read and `MappingError`, whose
    /// `.issues` lists every `(line, message)`, if it has mistakes.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let text = py.detach(move || std::fs::read_to_string(path))?;
        Self::from_toml(py, &text)
    }

    /// Parses a mapping from TOML text; raises `MappingError` with `.issues` if it has mistakes.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = py.detach(|| Mapping::from_toml(text)).py_err(py)?;
        Ok(Self { inner })
    }

    /// The mapping's name, e.g. `"nhwa-module1"`.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The mapping's version.
    #[getter]
    fn version(&self) -> &str {
        &self.inner.version
    }

    /// The DHIS2 data set the figures belong to, if the mapping names one.
    #[getter]
    fn data_set(&self) -> Option<&str> {
        self.inner.data_set.as_deref()
    }

    /// The DHIS2 period type the data set reports, if the mapping names one.
    #[getter]
    fn period_type(&self) -> Option<&'static str> {
        self.inner.period_type.map(hrh_core::PeriodType::name)
    }

    fn __len__(&self) -> usize {
        self.inner.targets.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Mapping(name='{}', version='{}', targets={})",
            self.inner.name,
            self.inner.version,
            self.inner.targets.len()
        )
    }
}
