//! `hrh.QualityReport`: data-quality findings (mirrors `hrh_core::quality`).

use hrh_core::QualityReport;
use hrh_core::quality::{Finding, Severity};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The columns of `QualityReport.findings`, in order.
const COLUMNS: [&str; 6] = [
    "record_kind",
    "record_id",
    "field",
    "problem",
    "severity",
    "message",
];

/// The result of `Registry.quality()`: every problem found, with its record and field.
///
/// `len(report)` is the number of findings.
#[pyclass(name = "QualityReport", module = "hrh", frozen)]
pub struct PyQualityReport {
    inner: QualityReport,
}

impl PyQualityReport {
    pub(crate) fn new(inner: QualityReport) -> Self {
        Self { inner }
    }
}

fn finding_dict<'py>(py: Python<'py>, f: &Finding) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("record_kind", f.record_kind.to_string())?;
    d.set_item("record_id", &f.record_id)?;
    d.set_item("field", f.field)?;
    d.set_item("problem", f.problem.code())?;
    d.set_item("severity", f.severity.as_str())?;
    d.set_item("message", f.problem.to_string())?;
    Ok(d)
}

#[pymethods]
impl PyQualityReport {
    /// How many records were checked.
    #[getter]
    fn records_checked(&self) -> usize {
        self.inner.records_checked
    }

    /// Whether no problem was found.
    #[getter]
    fn is_clean(&self) -> bool {
        self.inner.is_clean()
    }

    /// One dict per finding: `record_kind`, `record_id`, `field`, `problem`
    /// (a stable code such as `missing_sex`), `severity` (`error`: a
    /// figure is wrong or the worker is left out of one; `warning`: counted, worth a
    /// look; `info`: no figure uses the field) and `message` (readable text, listing
    /// the accepted values of an invalid one).
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for f in &self.inner.findings {
            list.append(finding_dict(py, f)?)?;
        }
        Ok(list)
    }

    /// The number of findings of each severity: `{"error": n, "warning": n, "info": n}`.
    fn severities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            d.set_item(severity.as_str(), self.inner.count_of(severity))?;
        }
        Ok(d)
    }

    /// The number of findings per problem code, as a dict.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (code, n) in self.inner.counts() {
            d.set_item(code, n)?;
        }
        Ok(d)
    }

    /// `findings` as a `pandas.DataFrame`, one row per finding (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.findings(py)?, &COLUMNS, crate::Frame::Pandas)
    }

    /// `findings` as a `polars.DataFrame`, one row per finding (needs polars).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.findings(py)?, &COLUMNS, crate::Frame::Polars)
    }

    /// `findings` as a `pyarrow.Table`, one row per finding (needs pyarrow).
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.findings(py)?, &COLUMNS, crate::Frame::Arrow)
    }

    fn __len__(&self) -> usize {
        self.inner.findings.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "QualityReport(records_checked={}, findings={})",
            self.inner.records_checked,
            self.inner.findings.len()
        )
    }
}
