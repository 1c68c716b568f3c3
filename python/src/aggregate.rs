//! `hrh.Aggregate`: NHWA figures and the account of every worker (mirrors `hrh_core::aggregate`).

use hrh_core::aggregate::{Account, AggregateResult};
use hrh_core::quality::QualityReport;
use hrh_core::{AggregateValue, Country, Number, Period};
use hrh_dhis2::DataValueSet;
use hrh_dhis2::datavalueset::{adx, csv, json};
use hrh_fhir::madx;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::mapping::PyMapping;

/// The columns of `Aggregate.values`, in order.
const COLUMNS: [&str; 6] = [
    "data_element",
    "category_option_combo",
    "attribute_option_combo",
    "org_unit",
    "period",
    "value",
];

/// The figures `Registry.aggregate()` computed, and how every worker was counted.
///
/// `len(aggregate)` is the number of values.
#[pyclass(name = "Aggregate", module = "hrh", frozen)]
pub struct PyAggregate {
    inner: AggregateResult,
    /// The account of each period, in period order (one for a single period).
    accounts: Vec<Account>,
    /// The mapping that made the figures (names the breakdowns of mADX strata).
    mapping: Py<PyMapping>,
    /// What the workforce profile page needs besides the figures.
    page: Page,
}

/// The run's settings and the records' facts the profile page shows.
pub(crate) struct Page {
    /// The home country.
    pub(crate) home: Country,
    /// The period of the figures.
    pub(crate) period: Period,
    /// Small-cell suppression of the run.
    pub(crate) suppress: Option<u64>,
    /// Org-unit names and positions (from the registry's facilities, when loaded).
    pub(crate) places: hrh_report::Places,
    /// The records' quality report, when checked.
    pub(crate) quality: Option<QualityReport>,
}

impl PyAggregate {
    /// The figures of a series of periods, one result per period in period order: the
    /// values of all, the account of each.
    pub(crate) fn series(
        results: Vec<AggregateResult>,
        mapping: Py<PyMapping>,
        page: Page,
    ) -> Option<Self> {
        let accounts: Vec<Account> = results.iter().map(|r| r.account.clone()).collect();
        let mut results = results.into_iter();
        let mut inner = results.next()?;
        for more in results {
            inner.values.extend(more.values);
            inner.withheld.extend(more.withheld);
        }
        Some(Self {
            inner,
            accounts,
            mapping,
            page,
        })
    }

    /// The profile page of these figures.
    fn report(&self) -> hrh_report::Report<'_> {
        let mut report = hrh_report::Report::new(
            self.page.home,
            &self.mapping.get().inner,
            vec![(self.page.period, &self.inner)],
        );
        report.quality = self.page.quality.as_ref();
        report.places = self.page.places.clone();
        report.suppress_below = self.page.suppress;
        report
    }

    /// The figures.
    pub(crate) fn result(&self) -> &AggregateResult {
        &self.inner
    }
}

/// The DHIS2 data value set of `result`, written by `write` into a string (without the GIL).
fn written(
    py: Python<'_>,
    result: &AggregateResult,
    write: fn(&DataValueSet, &mut Vec<u8>) -> hrh_dhis2::Result<()>,
) -> PyResult<String> {
    let bytes = py
        .detach(|| {
            let mut out = Vec::new();
            write(&DataValueSet::from_result(result), &mut out).map(|()| out)
        })
        .map_err(|e| crate::errors::dhis2_to_py(py, &e))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn value_dict<'py>(py: Python<'py>, v: &AggregateValue) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("data_element", &v.data_element)?;
    d.set_item("category_option_combo", v.category_option_combo.as_deref())?;
    d.set_item(
        "attribute_option_combo",
        v.attribute_option_combo.as_deref(),
    )?;
    d.set_item("org_unit", &v.org_unit)?;
    d.set_item("period", v.period.to_string())?;
    match v.value {
        Number::Count(n) => d.set_item("value", n)?,
        Number::Decimal(x) => d.set_item("value", x)?,
    }
    Ok(d)
}

fn values_list<'py>(py: Python<'py>, values: &[AggregateValue]) -> PyResult<Bound<'py, PyList>> {
    crate::dicts(py, values, value_dict)
}

fn account_dict<'py>(py: Python<'py>, a: &Account) -> PyResult<Bound<'py, PyDict>> {
    let summary = a.summary();
    let d = PyDict::new(py);
    d.set_item("reference_date", summary.reference_date)?;
    d.set_item("workers", summary.workers)?;
    d.set_item("counted", summary.counted)?;
    d.set_item("not_counted", summary.not_counted)?;
    d.set_item("left_out", summary.left_out)?;
    d.set_item("withheld_values", summary.withheld_values)?;
    d.set_item("orphan_employments", summary.orphan_employments)?;
    d.set_item(
        "densities_without_population",
        summary.densities_without_population,
    )?;
    d.set_item("medians_mixed_currencies", summary.medians_mixed_currencies)?;
    Ok(d)
}

#[pymethods]
impl PyAggregate {
    /// One dict per figure: `data_element`, `category_option_combo`,
    /// `attribute_option_combo`, `org_unit`, `period` (DHIS2 id) and `value`
    /// (an int for counts, a float for sums such as FTE).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        values_list(py, &self.inner.values)
    }

    /// The values withheld by small-cell suppression, in the same form as `values`.
    #[getter]
    fn withheld<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        values_list(py, &self.inner.withheld)
    }

    /// How every worker was counted: a dict with `reference_date`, `workers`,
    /// `counted`, `not_counted` (`{reason: n}`), `left_out`
    /// (`{breakdown: {reason: n}}`), `withheld_values`, `orphan_employments` and
    /// `densities_without_population`. For a series, the first period's (see `accounts`).
    #[getter]
    fn account<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        account_dict(py, &self.inner.account)
    }

    /// The account of each period, in period order (one entry for a single period).
    #[getter]
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for a in &self.accounts {
            list.append(account_dict(py, a)?)?;
        }
        Ok(list)
    }

    /// The account as readable lines, as the `hrh` command prints it.
    fn account_lines(&self) -> Vec<String> {
        self.inner.account.lines()
    }

    /// The DHIS2 data set of the mapping, if it names one.
    #[getter]
    fn data_set(&self) -> Option<&str> {
        self.inner.data_set.as_deref()
    }

    /// `values` as a `pandas.DataFrame`, one row per value (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.values(py)?, &COLUMNS, crate::Frame::Pandas)
    }

    /// `values` as a `polars.DataFrame`, one row per value (needs polars).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.values(py)?, &COLUMNS, crate::Frame::Polars)
    }

    /// `values` as a `pyarrow.Table`, one row per value (needs pyarrow).
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::frame(py, &self.values(py)?, &COLUMNS, crate::Frame::Arrow)
    }

    /// The figures as a DHIS2 data value set in JSON (the body of `POST /api/dataValueSets`),
    /// with the mapping's data set; withheld values are left out.
    ///
    /// Raises `Dhis2Error` if the set cannot be written.
    fn to_dhis2_json(&self, py: Python<'_>) -> PyResult<String> {
        written(py, &self.inner, |set, out| json::write_json(set, out))
    }

    /// The figures as a DHIS2 data value set in CSV (header row, one row per value).
    ///
    /// Raises `Dhis2Error` if the set cannot be written.
    fn to_dhis2_csv(&self, py: Python<'_>) -> PyResult<String> {
        written(py, &self.inner, |set, out| csv::write_csv(set, out))
    }

    /// The figures as ADX XML (one group per data set, org unit and period).
    ///
    /// Raises `Dhis2Error` if the set cannot be written in ADX.
    fn to_adx(&self, py: Python<'_>) -> PyResult<String> {
        written(py, &self.inner, |set, out| adx::write_adx(set, out))
    }

    /// The figures as an IHE mADX Bundle of FHIR `MeasureReport`s, in JSON:
    /// one report per org unit and period, one group per data element, one
    /// stratum per category option combo naming its breakdown (e.g. `sex`)
    /// from the mapping; withheld values are left out.
    fn to_measure_report(&self, py: Python<'_>) -> String {
        let mapping = &self.mapping.get().inner;
        py.detach(|| {
            madx::write(
                &self.inner.values,
                self.inner.data_set.as_deref(),
                Some(mapping),
            )
            .to_string()
        })
    }

    /// The workforce profile of these figures as one self-contained HTML page (charts as
    /// SVG, no script, nothing fetched): headline by occupation group, age-sex pyramids,
    /// migration, distribution, ownership, data quality, the account.
    fn to_html(&self, py: Python<'_>) -> PyResult<String> {
        let report = self.report();
        py.detach(|| report.render())
            .map_err(|e| crate::errors::report_to_py(py, e))
    }

    /// A compact summary for notebooks: workers by occupation group and the account.
    fn _repr_html_(&self) -> String {
        self.report().summary()
    }

    fn __len__(&self) -> usize {
        self.inner.values.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Aggregate(values={}, withheld={}, workers={}, counted={})",
            self.inner.values.len(),
            self.inner.withheld.len(),
            self.inner.account.workers,
            self.inner.account.counted
        )
    }
}
