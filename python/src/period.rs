//! `hrh.Period`: DHIS2 periods (mirrors `hrh_core::period`).

use chrono::NaiveDate;
use hrh_core::{Period, PeriodType};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::errors::IntoPyResult;

/// A DHIS2 period, such as `Period("2024")`, `Period("2024W1")` or `Period("2024NovQ1")`.
///
/// `str(period)` is its DHIS2 id; periods compare equal by id, hash, and order
/// by start date. Raises `InvalidInput` for an id DHIS2 does not know.
#[pyclass(name = "Period", module = "hrh", frozen, eq, ord, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyPeriod {
    pub(crate) inner: Period,
}

#[pymethods]
impl PyPeriod {
    #[new]
    fn new(py: Python<'_>, id: &str) -> PyResult<Self> {
        let inner = Period::parse(id).py_err(py)?;
        Ok(Self { inner })
    }

    /// The period of `period_type` (e.g. `"Weekly"`, `"Monthly"`, `"FinancialApril"`) that contains `date`.
    #[staticmethod]
    fn containing(py: Python<'_>, date: NaiveDate, period_type: &str) -> PyResult<Self> {
        let period_type: PeriodType = period_type.parse().py_err(py)?;
        let inner = Period::containing(date, period_type).py_err(py)?;
        Ok(Self { inner })
    }

    /// Reads an ADX period (`2024-01-01/P1Y`, start date and ISO-8601 duration).
    #[staticmethod]
    fn from_adx(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = Period::from_adx(text).py_err(py)?;
        Ok(Self { inner })
    }

    /// The first day of the period.
    #[getter]
    fn start(&self) -> NaiveDate {
        self.inner.start()
    }

    /// The last day of the period (the reference date of aggregates).
    #[getter]
    fn end(&self) -> NaiveDate {
        self.inner.end()
    }

    /// The DHIS2 period type name, e.g. `"Weekly"`.
    #[getter]
    fn period_type(&self) -> &'static str {
        self.inner.period_type().name()
    }

    /// Whether `date` falls in the period.
    fn contains(&self, date: NaiveDate) -> bool {
        self.inner.contains(date)
    }

    /// The period as ADX writes it: start date and ISO-8601 duration (`2024-01-01/P1Y`).
    fn to_adx(&self) -> String {
        self.inner.to_adx()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Period('{}')", self.inner)
    }

    /// Pickles as the period id, so periods cross process boundaries.
    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (String,)) {
        (py.get_type::<Self>(), (self.inner.to_string(),))
    }
}

/// A period argument: a `Period` or its id.
#[derive(FromPyObject)]
pub enum PeriodArg {
    /// A `Period` object.
    Period(PyPeriod),
    /// A DHIS2 period id.
    Id(String),
}

/// A periods argument: a `Period`, an id or a series text (`"2019..2024"`, `"2023,2024"`),
/// or a list of them.
#[derive(FromPyObject)]
pub enum PeriodsArg {
    /// Several.
    Many(Vec<PeriodArg>),
    /// One, or a series text.
    One(PeriodArg),
}

impl PeriodsArg {
    /// The periods in order without repeats; raises `InvalidInput` for a bad id or series.
    pub fn resolve(self, py: Python<'_>) -> PyResult<Vec<Period>> {
        let given = match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        };
        let mut periods = Vec::new();
        for arg in given {
            match arg {
                PeriodArg::Period(p) => periods.push(p.inner),
                PeriodArg::Id(text) => periods.extend(Period::parse_series(&text).py_err(py)?),
            }
        }
        periods.sort_by_key(|p| (p.start(), p.end()));
        periods.dedup();
        Ok(periods)
    }
}
