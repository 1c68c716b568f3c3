//! `hrh.Registry`: the workers, employments, employers and facilities (mirrors `hrh_core::registry`).

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{Datelike, NaiveDate};
use hrh_core::aggregate::{Aggregation, Options, guard};
use hrh_core::population::PopulationTable;
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{
    Country, Employment, Period, PeriodType, Practitioner, Recorded, Registry, quality,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList};

use crate::aggregate::{Page, PyAggregate};
use crate::errors::{IntoPyResult, InvalidInput};
use crate::mapping::PyMapping;
use crate::period::{PeriodArg, PeriodsArg};
use crate::quality::PyQualityReport;
use crate::read::{Files, PyReadConfig, Rejection};

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
/// per practitioner, as `to_records()` does. A registry from
/// `read_registry(..., errors="skip")` reads its files when first needed (see
/// `read_registry()`); the others are in memory from the start.
#[pyclass(name = "Registry", module = "hrh", frozen)]
pub struct PyRegistry {
    holding: Holding,
}

/// The records and the ones that could not be read.
struct Records {
    registry: Registry,
    /// The records left out by `errors="skip"`.
    rejected: Vec<Rejection>,
}

/// What a registry holds.
enum Holding {
    /// The records, read at once.
    Records(Records),
    /// Files read when first needed.
    Files {
        files: Files,
        /// The records, once read.
        records: OnceLock<Records>,
        /// Taken (without the GIL) while reading the records, so that they are read once.
        reading: Mutex<()>,
        /// The rejections found by the last streamed `aggregate()`, before the records are read.
        streamed: Mutex<Option<Arc<Vec<Rejection>>>>,
    },
}

impl PyRegistry {
    /// A registry read from FHIR, with the records that could not be read.
    pub(crate) fn read(registry: Registry, rejected: Vec<Rejection>) -> Self {
        Self {
            holding: Holding::Records(Records { registry, rejected }),
        }
    }

    /// A registry of `files`, read when first needed.
    pub(crate) fn lazy(files: Files) -> Self {
        Self {
            holding: Holding::Files {
                files,
                records: OnceLock::new(),
                reading: Mutex::new(()),
                streamed: Mutex::new(None),
            },
        }
    }

    /// The records, read now (without the GIL) if they have not been.
    fn records(&self, py: Python<'_>) -> PyResult<&Records> {
        match &self.holding {
            Holding::Records(records) => Ok(records),
            Holding::Files {
                files,
                records,
                reading,
                ..
            } => {
                if let Some(read) = records.get() {
                    return Ok(read);
                }
                py.detach(|| {
                    // A second caller waits here for the first one's read, then finds it done.
                    let _one_at_a_time = reading.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(read) = records.get() {
                        return Ok(read);
                    }
                    let (registry, report) = files.read()?;
                    let rejected = files.rejections(&report);
                    Ok(records.get_or_init(|| Records { registry, rejected }))
                })
                .map_err(|e| files.error(py, &e))
            }
        }
    }

    /// The registry's records, read now if they have not been.
    fn registry(&self, py: Python<'_>) -> PyResult<&Registry> {
        self.records(py).map(|r| &r.registry)
    }
}

/// A count as `u64` (saturating).
fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
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
    /// around `year` (default: the last full year, the default period of
    /// `aggregate`); the same `seed` gives the same registry. With
    /// `bad_records`, a few records carry the data-quality problems the
    /// quality check reports. Raises `InvalidInput` for an unknown country.
    #[staticmethod]
    #[pyo3(signature = (workers = 1000, seed = 42, country = "UZ", year = None, bad_records = true))]
    fn synthetic(
        py: Python<'_>,
        workers: usize,
        seed: u64,
        country: &str,
        year: Option<i32>,
        bad_records: bool,
    ) -> PyResult<Self> {
        let year = year.unwrap_or_else(|| chrono::Local::now().year() - 1);
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

    /// A registry from a `DataFrame` of an HR export: a pandas or polars `DataFrame`
    /// or a pyarrow `Table`, one row per worker or per employment, read through a
    /// table mapping (a file path or TOML text; see `read_table()`). The frame is
    /// written as CSV by its own library first, so dates may be dates or text.
    ///
    /// A value that cannot be read is kept as invalid for its fact; a row without a
    /// worker id raises `InvalidInput` (its `line` is the row, header = 1), or with
    /// `errors="skip"` is listed in `rejected`.
    #[staticmethod]
    #[pyo3(
        signature = (frame, mapping, errors = "raise"),
        text_signature = "(frame, mapping, errors='raise')"
    )]
    fn from_pandas(
        py: Python<'_>,
        frame: &Bound<'_, PyAny>,
        mapping: &Bound<'_, PyAny>,
        errors: &str,
    ) -> PyResult<Self> {
        crate::table::from_frame(py, frame, mapping, errors)
    }

    /// The records left out when reading with `errors="skip"`: one dict each
    /// with `path`, `line`, `entry`, `resource_type`, `record_id`, `field`
    /// (the attributes `InvalidInput` would carry) and `message`.
    ///
    /// After a streamed `aggregate()` these are the ones it found (the same
    /// list a read gives); otherwise a registry not read yet reads its records.
    #[getter]
    fn rejected<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if let Holding::Files {
            records, streamed, ..
        } = &self.holding
            && records.get().is_none()
        {
            let found = streamed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(found) = found {
                return crate::dicts(py, found.iter(), rejection_dict);
            }
        }
        crate::dicts(py, &self.records(py)?.rejected, rejection_dict)
    }

    /// One dict per practitioner: `id`, `active`, `sex`, `birth_date` (as
    /// recorded), `nationality`, `country_of_birth` (alpha-2), and
    /// `employments`, a list of dicts with `id`, `occupation` (ISCO-08 code as
    /// recorded), `employer`, `facility`, `start`, `end`, `active`, `fte`.
    ///
    /// Names and identifiers other than record ids are left out.
    fn to_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let registry = self.registry(py)?;
        let by_practitioner = registry.employments_by_practitioner();
        let list = PyList::empty(py);
        for p in &registry.practitioners {
            let employments = by_practitioner
                .get(p.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            list.append(practitioner_dict(py, p, employments)?)?;
        }
        Ok(list)
    }

    /// `to_records()` as a `pandas.DataFrame`, one row per practitioner (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.to_records(py)?, &COLUMNS, crate::Frame::Pandas)
    }

    /// Checks the records' quality as of `as_of` (default: today).
    #[pyo3(signature = (as_of = None))]
    fn quality(&self, py: Python<'_>, as_of: Option<NaiveDate>) -> PyResult<PyQualityReport> {
        let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
        let registry = self.registry(py)?;
        let report = py.detach(|| quality::check(registry, &quality::Options::as_of(as_of)));
        Ok(PyQualityReport::new(report))
    }

    /// Counts the workers as `mapping` asks, for `period`: a `Period`, its id, a series
    /// (`"2019..2024"`, `"2023,2024"`) or a list of them (default: the last full period of
    /// the mapping's type, the last full year for the NHWA mappings). A series is
    /// aggregated in one pass: `values` holds every period's figures, `accounts` each
    /// period's account.
    ///
    /// `country` is the home country (places of training and birth), required:
    /// there is no default country;
    /// `org_unit` the DHIS2 org unit of national figures; values from 1 to
    /// `suppress - 1` are withheld when `suppress` is given; `population` is a CSV
    /// file (`org_unit,period,population`) for the mapping's `density` figures. Raises
    /// `InvalidInput` for a bad period, country or population file, a period of the
    /// wrong type, or a national mapping without `org_unit`. The records are judged on
    /// all cores, without the GIL (the figures are the same as on one).
    ///
    /// A registry from `read_registry(..., errors="skip")` whose records have
    /// not been read streams its files instead, as `hrh aggregate` does,
    /// without keeping the records, and keeps what was rejected for
    /// `rejected`; the figures are the same. (Files with Bundles or with
    /// identifier-only references are read into memory for the aggregation,
    /// and let go after it.)
    ///
    /// Guards, as `hrh aggregate`: figures that count nobody (no worker, or
    /// none counted) raise `InvalidInput` unless `allow_empty=True`, and so
    /// do records of which more than `max_rejected` (a fraction from 0 to 1,
    /// default 0.05) were rejected (with `errors="skip"`).
    #[pyo3(
        signature = (mapping, period = None, country = None, org_unit = None, suppress = None, population = None, *, max_rejected = 0.05, allow_empty = false),
        text_signature = "(self, /, mapping, period=None, country=None, org_unit=None, suppress=None, population=None, *, max_rejected=0.05, allow_empty=False)"
    )]
    #[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)] // Python keyword arguments, handed over by value
    fn aggregate(
        &self,
        py: Python<'_>,
        mapping: &Bound<'_, PyMapping>,
        period: Option<PeriodsArg>,
        country: Option<&str>,
        org_unit: Option<String>,
        suppress: Option<u64>,
        population: Option<std::path::PathBuf>,
        max_rejected: f64,
        allow_empty: bool,
    ) -> PyResult<PyAggregate> {
        let limits = guard::Limits {
            max_rejected: crate::errors::share(py, "max_rejected", max_rejected)?,
            allow_empty,
            ..guard::Limits::default()
        };
        let home = home_country(py, country, "aggregate")?;
        let periods = match period {
            Some(period) => period.resolve(py)?,
            None => vec![default_period(py, mapping)?],
        };
        let table = match &population {
            Some(path) => {
                let file = std::fs::File::open(path)?;
                Some(PopulationTable::from_csv(file, &path.display().to_string()).py_err(py)?)
            }
            None => None,
        };
        let first_period = periods.first().copied();
        let mut aggregations = Vec::with_capacity(periods.len());
        for period in periods {
            let options = Options {
                period,
                home,
                org_unit: org_unit.clone(),
                suppress_below: suppress,
            };
            let mut aggregation = Aggregation::new(&mapping.get().inner, &options)
                .py_err(py)?
                .with_profile();
            if let Some(table) = &table {
                aggregation = aggregation.with_population(table.clone());
            }
            aggregations.push(aggregation);
        }
        let Some(first_period) = first_period else {
            return Err(InvalidInput::err(py, "no period given".to_owned()));
        };
        let mut places = hrh_report::Places::new();
        let results = match &self.holding {
            Holding::Files {
                files,
                records,
                streamed,
                ..
            } if records.get().is_none() => {
                let (results, report) = py
                    .detach(|| files.aggregate_series(aggregations))
                    .map_err(|e| files.error(py, &e))?;
                let found = Arc::new(files.rejections(&report));
                *streamed.lock().unwrap_or_else(PoisonError::into_inner) = Some(found);
                let input = guard::Input {
                    accepted: count(report.accepted),
                    rejected: count(report.rejected.len()),
                };
                (results, input)
            }
            _ => {
                let records = self.records(py)?;
                places.add_facilities(&records.registry.facilities);
                let threads = std::thread::available_parallelism().map_or(1, usize::from);
                let registry = &records.registry;
                let results = py.detach(|| {
                    aggregations
                        .into_iter()
                        .map(|a| a.run_parallel(registry, threads))
                        .collect()
                });
                let input = guard::Input {
                    accepted: count(records.registry.record_count()),
                    rejected: count(records.rejected.len()),
                };
                (results, input)
            }
        };
        let (results, input): (Vec<hrh_core::aggregate::AggregateResult>, guard::Input) = results;
        for result in &results {
            guard::check_result(&result.account, input, &limits)
                .map_err(|r| crate::errors::refused(py, &r))?;
        }
        let page = Page {
            home,
            period: first_period,
            suppress,
            places,
            quality: None,
        };
        PyAggregate::series(results, mapping.clone().unbind(), page)
            .ok_or_else(|| InvalidInput::err(py, "no period given".to_owned()))
    }

    /// The workforce profile as one self-contained HTML page: the figures of `mapping`
    /// for `period` (as [`aggregate`](Self::aggregate) counts them) with the records'
    /// quality and their facilities' positions; written to `path` too when given
    /// (through a temporary file, never half-written). Returns the page.
    #[pyo3(
        signature = (mapping, period = None, country = None, org_unit = None, suppress = None, path = None),
        text_signature = "(self, /, mapping, period=None, country=None, org_unit=None, suppress=None, path=None)"
    )]
    #[allow(clippy::too_many_arguments)] // the aggregate's arguments and a path
    fn report(
        &self,
        py: Python<'_>,
        mapping: &Bound<'_, PyMapping>,
        period: Option<PeriodArg>,
        country: Option<&str>,
        org_unit: Option<String>,
        suppress: Option<u64>,
        path: Option<std::path::PathBuf>,
    ) -> PyResult<String> {
        let home = home_country(py, country, "report")?;
        let period = match period {
            Some(PeriodArg::Period(period)) => period.inner,
            Some(PeriodArg::Id(id)) => Period::parse(&id).py_err(py)?,
            None => default_period(py, mapping)?,
        };
        let (options, aggregation) = profiled(py, mapping, period, home, org_unit, suppress)?;
        let (period, home) = (options.period, options.home);
        let registry = self.registry(py)?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let (result, checked) = py.detach(|| {
            let result = aggregation.run_parallel(registry, threads);
            let checked = quality::check(registry, &quality::Options::as_of(period.end()));
            (result, checked)
        });
        let mut report =
            hrh_report::Report::new(home, &mapping.get().inner, vec![(period, &result)]);
        report.quality = Some(&checked);
        report.places.add_facilities(&registry.facilities);
        report.suppress_below = suppress;
        let html = py
            .detach(|| report.render())
            .map_err(|e| crate::errors::report_to_py(py, e))?;
        if let Some(path) = path {
            py.detach(|| hrh_report::write_atomically(&path, html.as_bytes()))
                .map_err(|e| crate::errors::report_to_py(py, e))?;
        }
        Ok(html)
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.registry(py)?.practitioners.len())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.to_records(py)?.try_iter()
    }

    /// The counts of the records; for files not read yet, how many files
    /// (a repr does not read them).
    fn __repr__(&self) -> String {
        let read = match &self.holding {
            Holding::Records(records) => records,
            Holding::Files { files, records, .. } => match records.get() {
                Some(read) => read,
                None => return format!("Registry(files={}, not read yet)", files.count()),
            },
        };
        let registry = &read.registry;
        format!(
            "Registry(practitioners={}, employments={}, organizations={}, facilities={}, rejected={})",
            registry.practitioners.len(),
            registry.employments.len(),
            registry.organizations.len(),
            registry.facilities.len(),
            read.rejected.len()
        )
    }
}

/// The options of a run and its aggregation, with the profile the page draws from.
fn profiled(
    py: Python<'_>,
    mapping: &Bound<'_, PyMapping>,
    period: Period,
    home: Country,
    org_unit: Option<String>,
    suppress: Option<u64>,
) -> PyResult<(Options, Aggregation)> {
    let options = Options {
        period,
        home,
        org_unit,
        suppress_below: suppress,
    };
    let aggregation = Aggregation::new(&mapping.get().inner, &options)
        .py_err(py)?
        .with_profile();
    Ok((options, aggregation))
}

/// The home country of `method`'s figures: required, there is no default country.
fn home_country(py: Python<'_>, country: Option<&str>, method: &str) -> PyResult<Country> {
    let Some(country) = country else {
        return Err(InvalidInput::err(
            py,
            format!(
                "{method}() needs the home country (places of training and birth): give country=\"UZ\" (ISO 3166-1 alpha-2, alpha-3 or numeric)"
            ),
        ));
    };
    Country::parse(country).py_err(py)
}

/// The last full period of the mapping's type (the last full year for NHWA).
fn default_period(py: Python<'_>, mapping: &Bound<'_, PyMapping>) -> PyResult<Period> {
    let period_type = mapping
        .get()
        .inner
        .period_type
        .unwrap_or(PeriodType::Yearly);
    Period::last_full(chrono::Local::now().date_naive(), period_type).py_err(py)
}
