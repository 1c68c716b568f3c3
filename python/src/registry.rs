//! `hrh.Registry`: the workers, employments, employers and facilities (mirrors `hrh_core::registry`).

use chrono::NaiveDate;
use hrh_core::aggregate::{Aggregation, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, Employment, Practitioner, Recorded, Registry, quality};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList};

use crate::aggregate::PyAggregate;
use crate::errors::IntoPyResult;
use crate::mapping::PyMapping;
use crate::period::PeriodArg;
use crate::quality::PyQualityReport;
use crate::read::{PyReadConfig, Rejection};

/// The columns of `Registry.to_records()`, in order.
const COLUMNS: [&str; 7] = [
    "id",
    "active",
    "sex",
    "birth_date",
    "nationality",
    "country_of_birth",
    "employments",
];

/// A registry of health workers: practitioners, their employments, employers and facilities.
///
/// `len(registry)` is the number of practitioners; iterating yields one dict
/// per practitioner, as `to_records()` does.
#[pyclass(name = "Registry", module = "hrh", frozen)]
pub struct PyRegistry {
    inner: Registry,
    /// The records left out by `read_registry(..., errors="skip")`.
    rejected: Vec<Rejection>,
}

impl PyRegistry {
    /// A registry read from FHIR, with the records that could not be read.
    pub(crate) fn read(inner: Registry, rejected: Vec<Rejection>) -> Self {
        Self { inner, rejected }
    }
}

fn rejection_dict<'py>(py: Python<'py>, r: &Rejection) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("path", r.place.path.as_deref())?;
    d.set_item("line", r.place.line)?;
    d.set_item("entry", r.place.entry)?;
    d.set_item("resource_type", r.place.resource_type.as_deref())?;
    d.set_item("record_id", r.place.record_id.as_deref())?;
    d.set_item("field", r.place.field.as_deref())?;
    d.set_item("message", &r.message)?;
    Ok(d)
}

/// A recorded value as Python sees it: `None` when missing, else the text (valid or not).
fn recorded<T: ToString>(value: &Recorded<T>) -> Option<String> {
    match value {
        Recorded::Missing => None,
        Recorded::Valid(v) => Some(v.to_string()),
        Recorded::Invalid(text) => Some(text.clone()),
    }
}

fn employment_dict<'py>(py: Python<'py>, e: &Employment) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &e.id)?;
    d.set_item("occupation", recorded(&e.occupation))?;
    d.set_item("employer", e.employer.as_deref())?;
    d.set_item("facility", e.facility.as_deref())?;
    d.set_item("start", e.period.start)?;
    d.set_item("end", e.period.end)?;
    d.set_item("active", e.active)?;
    d.set_item("fte", e.fte)?;
    Ok(d)
}

fn practitioner_dict<'py>(
    py: Python<'py>,
    p: &Practitioner,
    employments: &[&Employment],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &p.id)?;
    d.set_item("active", p.active)?;
    d.set_item("sex", recorded(&p.sex))?;
    d.set_item("birth_date", recorded(&p.birth_date))?;
    d.set_item("nationality", p.nationality.valid().map(|c| c.alpha2()))?;
    d.set_item(
        "country_of_birth",
        p.country_of_birth.valid().map(|c| c.alpha2()),
    )?;
    d.set_item(
        "employments",
        crate::dicts(py, employments, |py, e| employment_dict(py, e))?,
    )?;
    Ok(d)
}

#[pymethods]
impl PyRegistry {
    /// A reproducible synthetic registry for trying things out (no real person in it).
    ///
    /// `workers` practitioners in `country` (ISO 3166-1 code), with employments
    /// around `year`; the same `seed` gives the same registry. With
    /// `bad_records`, a few records carry the data-quality problems the
    /// quality check reports. Raises `InvalidInput` for an unknown country.
    #[staticmethod]
    #[pyo3(signature = (workers = 1000, seed = 42, country = "UZ", year = 2024, bad_records = true))]
    fn synthetic(
        py: Python<'_>,
        workers: usize,
        seed: u64,
        country: &str,
        year: i32,
        bad_records: bool,
    ) -> PyResult<Self> {
        let country = Country::parse(country).py_err(py)?;
        let config = Config {
            workers,
            seed,
            country,
            year,
            bad_records,
        };
        let inner = py.detach(|| SyntheticRegistry::new(config).to_registry());
        Ok(Self::read(inner, Vec::new()))
    }

    /// A registry from one FHIR Bundle (or a single resource), given as a dict
    /// or as JSON text; a dict is serialised with the `json` module first.
    ///
    /// `config` and `errors` are as for `read_registry()`: a record that
    /// cannot be read raises `InvalidInput` (with `entry`, `resource_type`,
    /// `record_id` and `field`), or with `errors="skip"` is left out and listed
    /// in `rejected`. Text that is not JSON raises `InvalidInput`.
    #[staticmethod]
    #[pyo3(
        signature = (bundle, config = None, errors = "raise"),
        text_signature = "(bundle, config=None, errors='raise')"
    )]
    fn from_bundle(
        py: Python<'_>,
        bundle: &Bound<'_, PyAny>,
        config: Option<&PyReadConfig>,
        errors: &str,
    ) -> PyResult<Self> {
        crate::read::from_bundle(py, bundle, config, errors)
    }

    /// The records left out when reading with `errors="skip"`: one dict each
    /// with `path`, `line`, `entry`, `resource_type`, `record_id`, `field`
    /// (the attributes `InvalidInput` would carry) and `message`.
    #[getter]
    fn rejected<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::dicts(py, &self.rejected, rejection_dict)
    }

    /// One dict per practitioner: `id`, `active`, `sex`, `birth_date` (as
    /// recorded), `nationality`, `country_of_birth` (alpha-2), and
    /// `employments`, a list of dicts with `id`, `occupation` (ISCO-08 code as
    /// recorded), `employer`, `facility`, `start`, `end`, `active`, `fte`.
    ///
    /// Names and identifiers other than record ids are left out.
    fn to_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let by_practitioner = self.inner.employments_by_practitioner();
        let list = PyList::empty(py);
        for p in &self.inner.practitioners {
            let employments = by_practitioner
                .get(p.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            list.append(practitioner_dict(py, p, employments)?)?;
        }
        Ok(list)
    }

    /// `to_records()` as a `pandas.DataFrame`, one row per practitioner (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::data_frame(py, &self.to_records(py)?, &COLUMNS)
    }

    /// Checks the records' quality as of `as_of` (default: today).
    #[pyo3(signature = (as_of = None))]
    fn quality(&self, py: Python<'_>, as_of: Option<NaiveDate>) -> PyQualityReport {
        let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
        let report = py.detach(|| quality::check(&self.inner, &quality::Options::as_of(as_of)));
        PyQualityReport::new(report)
    }

    /// Counts the workers as `mapping` asks, for `period` (a `Period` or its id).
    ///
    /// `country` is the home country (places of training and birth);
    /// `org_unit` the DHIS2 org unit of national figures; values from 1 to
    /// `suppress - 1` are withheld when `suppress` is given. Raises
    /// `InvalidInput` for a bad period or country, a period of the wrong type,
    /// or a national mapping without `org_unit`. The records are judged on all
    /// cores, without the GIL (the figures are the same as on one).
    #[pyo3(
        signature = (mapping, period = PeriodArg::Id(String::from("2024")), country = "UZ", org_unit = None, suppress = None),
        text_signature = "(self, /, mapping, period='2024', country='UZ', org_unit=None, suppress=None)"
    )]
    fn aggregate(
        &self,
        py: Python<'_>,
        mapping: &Bound<'_, PyMapping>,
        period: PeriodArg,
        country: &str,
        org_unit: Option<String>,
        suppress: Option<u64>,
    ) -> PyResult<PyAggregate> {
        let period = period.resolve(py)?;
        let options = Options {
            period,
            home: Country::parse(country).py_err(py)?,
            org_unit,
            suppress_below: suppress,
        };
        let rules = &mapping.get().inner;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let result = py
            .detach(|| {
                Aggregation::new(rules, &options).map(|a| a.run_parallel(&self.inner, threads))
            })
            .py_err(py)?;
        Ok(PyAggregate::new(result, mapping.clone().unbind()))
    }

    fn __len__(&self) -> usize {
        self.inner.practitioners.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.to_records(py)?.try_iter()
    }

    fn __repr__(&self) -> String {
        format!(
            "Registry(practitioners={}, employments={}, organizations={}, facilities={}, rejected={})",
            self.inner.practitioners.len(),
            self.inner.employments.len(),
            self.inner.organizations.len(),
            self.inner.facilities.len(),
            self.rejected.len()
        )
    }
}
