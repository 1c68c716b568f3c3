//! `hrh.Dhis2Client` and `hrh.ImportSummary`: the DHIS2 Web API from Python (mirrors
//! `hrh_dhis2::client`).
//!
//! Every request runs through [`background::run`]: on a thread of its own,
//! with Python waiting without the GIL and honouring Ctrl-C.

use std::sync::Arc;

use hrh_core::aggregate::guard;
use hrh_dhis2::client::blocking::{CancellationToken, Dhis2Client};
use hrh_dhis2::client::{
    Auth, ClientSettings, DataValueQuery, ImportOptions, ImportStrategy, OrgUnitQuery,
    OrganisationUnit, Paging, PreflightReport, RetryPolicy,
};
use hrh_dhis2::datavalueset::detect::{Document, detect};
use hrh_dhis2::datavalueset::{adx, json, xml};
use hrh_dhis2::import_summary::{Conflict, ImportStatus, ImportSummary};
use hrh_dhis2::{DataValue, DataValueSet, Dhis2Error as RustDhis2Error};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::aggregate::PyAggregate;
use crate::background;
use crate::errors::{InvalidInput, dhis2_to_py, import_error, preflight_error};

/// A client of a DHIS2 instance's Web API (2.36 and later).
///
/// `base_url` is the instance without `/api` (e.g. `https://dhis2.example.org`);
/// give either `auth=(user, password)` or `token=` (a personal access token).
/// `timeout` is the limit of each request in seconds (default 60),
/// `retries` how many times a failed safe request is tried again (connection
/// errors, timeouts, HTTP 429/502/503/504; default 3), `insecure=True`
/// accepts any TLS certificate (test servers only). Passwords and tokens never
/// appear in `repr()` or in error messages.
///
/// Calls release the GIL while waiting and honour Ctrl-C (`KeyboardInterrupt`
/// at once; the request in flight is dropped). Failures raise
/// `AuthError` (401/403), `TransportError` (no answer: connection refused,
/// timeout), `Dhis2Error` (DHIS2 refused the request or the data) or
/// `InvalidInput` (bad arguments).
#[pyclass(name = "Dhis2Client", module = "hrh", frozen)]
pub struct PyDhis2Client {
    /// Dropped by `close()` or the end of a `with` block.
    client: background::Closable<Dhis2Client>,
    base_url: String,
    /// `user='admin'` or `token=***`, for `repr()`.
    who: String,
}

impl PyDhis2Client {
    /// Runs `call` with the client on another thread ([`background::run`]).
    fn run<T: Send + 'static>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&Dhis2Client) -> Result<T, RustDhis2Error> + Send + 'static,
    ) -> PyResult<T> {
        let cancel = CancellationToken::new();
        let client = self
            .client
            .with(py, "Dhis2Client", |c| c.cancelled_by(cancel.clone()))?;
        background::run(py, "hrh-dhis2", &cancel, move || call(&client))?
            .map_err(|e| dhis2_to_py(py, &e))
    }
}

/// The DHIS2 data value set of `data`: an `Aggregate`, a dict, or document text (DHIS2
/// JSON, DXF2 XML, ADX, or an mADX `MeasureReport`/Bundle in JSON, told apart by content).
fn data_value_set(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<DataValueSet> {
    if let Ok(aggregate) = data.cast::<PyAggregate>() {
        return Ok(DataValueSet::from_result(aggregate.get().result()));
    }
    let text = crate::json_text(
        py,
        data,
        "push() takes an Aggregate, a dict, or DHIS2 JSON, DXF2 XML, ADX or mADX text",
    )?;
    let invalid = |e: String| InvalidInput::err(py, format!("not a data value set: {e}"));
    let kind = detect(text.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    py.detach(|| match kind {
        Some(Document::Dhis2Xml) => xml::read_xml(&text).map_err(|e| e.to_string()),
        Some(Document::Adx) => adx::read_adx(&text).map_err(|e| e.to_string()),
        Some(Document::Fhir) => hrh_fhir::madx::read(&text)
            .map(|figures| {
                let mut set = DataValueSet::from_aggregates(&figures.values);
                set.data_set = figures.data_set;
                set
            })
            .map_err(|e| e.to_string()),
        Some(Document::Dhis2Json) | None => {
            json::read_json(text.as_bytes()).map_err(|e| e.to_string())
        }
    })
    .map_err(invalid)
}

fn strategy(py: Python<'_>, text: &str) -> PyResult<ImportStrategy> {
    match text {
        "CREATE_AND_UPDATE" => Ok(ImportStrategy::CreateAndUpdate),
        "CREATE" => Ok(ImportStrategy::Create),
        "UPDATE" => Ok(ImportStrategy::Update),
        "DELETE" => Ok(ImportStrategy::Delete),
        other => Err(InvalidInput::err(
            py,
            format!(
                "import_strategy must be CREATE_AND_UPDATE, CREATE, UPDATE or DELETE, not {other:?}"
            ),
        )),
    }
}

fn data_value_dict<'py>(py: Python<'py>, v: &DataValue) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("data_element", &v.data_element)?;
    d.set_item("category_option_combo", v.category_option_combo.as_deref())?;
    d.set_item(
        "attribute_option_combo",
        v.attribute_option_combo.as_deref(),
    )?;
    d.set_item("org_unit", v.org_unit.as_deref())?;
    d.set_item("period", v.period.as_deref())?;
    d.set_item("value", v.value.as_deref())?;
    d.set_item("stored_by", v.stored_by.as_deref())?;
    d.set_item("last_updated", v.last_updated.as_deref())?;
    d.set_item("comment", v.comment.as_deref())?;
    Ok(d)
}

fn org_unit_dict<'py>(py: Python<'py>, ou: &OrganisationUnit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &ou.id)?;
    d.set_item("code", ou.code.as_deref())?;
    d.set_item("name", ou.name.as_deref())?;
    d.set_item("short_name", ou.short_name.as_deref())?;
    d.set_item("level", ou.level)?;
    d.set_item("path", ou.path.as_deref())?;
    d.set_item("parent", ou.parent.as_ref().map(|p| p.id.as_str()))?;
    d.set_item("opening_date", ou.opening_date.as_deref())?;
    d.set_item("closed_date", ou.closed_date.as_deref())?;
    Ok(d)
}

#[pymethods]
impl PyDhis2Client {
    #[new]
    #[pyo3(
        signature = (base_url, auth = None, *, token = None, timeout = 60.0, retries = 3, insecure = false),
        text_signature = "(base_url, auth=None, *, token=None, timeout=60.0, retries=3, insecure=False)"
    )]
    fn new(
        py: Python<'_>,
        base_url: String,
        auth: Option<(String, String)>,
        token: Option<String>,
        timeout: f64,
        retries: u32,
        insecure: bool,
    ) -> PyResult<Self> {
        let (auth, who) = match (auth, token) {
            (Some((user, password)), None) => {
                let who = format!("user={user:?}");
                (Auth::basic(user, password), who)
            }
            (None, Some(token)) => (Auth::api_token(token), "token=***".to_owned()),
            _ => {
                return Err(InvalidInput::err(
                    py,
                    "give either auth=(user, password) or token=".to_owned(),
                ));
            }
        };
        let settings = ClientSettings::new(base_url.clone(), auth)
            .with_timeout(crate::seconds(py, "timeout", timeout)?)
            .with_retry(RetryPolicy {
                max_attempts: retries.saturating_add(1),
                ..RetryPolicy::default()
            })
            .with_accept_invalid_certs(insecure);
        let client = Dhis2Client::new(settings).map_err(|e| dhis2_to_py(py, &e))?;
        Ok(Self {
            client: background::Closable::new(client),
            base_url,
            who,
        })
    }

    /// The instance's `/api/system/info`: a dict with `version`, `revision`,
    /// `build_time`, `server_date`, `system_name` and `context_path`.
    fn system_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let info = self.run(py, Dhis2Client::system_info)?;
        let d = PyDict::new(py);
        d.set_item("version", info.version)?;
        d.set_item("revision", info.revision)?;
        d.set_item("build_time", info.build_time)?;
        d.set_item("server_date", info.server_date)?;
        d.set_item("system_name", info.system_name)?;
        d.set_item("context_path", info.context_path)?;
        Ok(d)
    }

    /// Imports data values (`POST /api/dataValueSets`) and returns the
    /// `ImportSummary` of the whole set.
    ///
    /// `data` is an `Aggregate` (its data value set, withheld values left
    /// out), a dict of DHIS2 JSON, or the text of a DHIS2 JSON, DXF2 XML
    /// (`<dataValueSet>`), ADX or mADX (FHIR `MeasureReport`/Bundle JSON)
    /// document, told apart by its root element (XML) or keys (JSON). Id
    /// schemes the document names (`dataElementIdScheme="CODE"`, ...) are sent
    /// as the import's parameters, and such a set is not pre-flight checked
    /// (the check compares UIDs). `dry_run=True` has DHIS2 check
    /// without storing. Values go `chunk_size` at a time (default 1000); the
    /// summary's indexes refer to positions in the whole set. With `preflight`
    /// (default) and a set naming its data set, the data elements, option
    /// combos and org units are first checked against DHIS2's metadata and
    /// problems raise `Dhis2Error` (with `.problems`) before anything is sent.
    /// `import_strategy` is `CREATE_AND_UPDATE`, `CREATE`, `UPDATE` or
    /// `DELETE`; `atomic=True` asks DHIS2 2.43+ to store nothing if any value
    /// is refused (`None`: DHIS2's default).
    /// Some values refused is a result (status `WARNING`, see `conflicts`); an
    /// import DHIS2 aborted (status `ERROR`) raises `Dhis2Error` with `.summary`.
    /// A set with no value, or whose every value is zero or blank, raises
    /// `InvalidInput` before anything is sent (it would overwrite the figures
    /// in DHIS2 with zeros) unless `allow_empty=True` or `import_strategy="DELETE"`.
    #[pyo3(
        signature = (data, *, dry_run = false, chunk_size = None, preflight = true, import_strategy = "CREATE_AND_UPDATE", atomic = None, allow_empty = false),
        text_signature = "(self, /, data, *, dry_run=False, chunk_size=None, preflight=True, import_strategy='CREATE_AND_UPDATE', atomic=None, allow_empty=False)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "keyword arguments of the Python method, one per import option"
    )]
    fn push(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        dry_run: bool,
        chunk_size: Option<usize>,
        preflight: bool,
        import_strategy: &str,
        atomic: Option<bool>,
        allow_empty: bool,
    ) -> PyResult<PyImportSummary> {
        let set = Arc::new(data_value_set(py, data)?);
        let import_strategy = strategy(py, import_strategy)?;
        if import_strategy != ImportStrategy::Delete {
            let limits = guard::Limits {
                allow_empty,
                ..guard::Limits::default()
            };
            guard::check_values(set.data_values.iter().map(|v| v.value.as_deref()), &limits)
                .map_err(|r| crate::errors::refused(py, &r))?;
        }
        let options = ImportOptions {
            dry_run,
            import_strategy,
            chunk_size: chunk_size.map(|n| n.max(1)),
            atomic,
            ..ImportOptions::default()
        };
        // The pre-flight compares UIDs: a set naming identifiers otherwise is sent as is.
        if let (true, Some(data_set)) = (preflight && set.names_uids(), set.data_set.clone()) {
            let checked = Arc::clone(&set);
            let report: PreflightReport =
                self.run(py, move |client| client.preflight(&checked, &data_set))?;
            if !report.is_clean() {
                return Err(preflight_error(py, &report));
            }
        }
        let to_send = Arc::clone(&set);
        let summary = self.run(py, move |client| {
            client.import_data_values(&to_send, &options)
        })?;
        let values: Vec<DataValue> = set.resolved_values().collect();
        let summary = PyImportSummary { summary, values };
        if summary.summary.status == ImportStatus::Error {
            let message = format!(
                "DHIS2 aborted the import: {}",
                summary
                    .summary
                    .description
                    .as_deref()
                    .unwrap_or("status ERROR")
            );
            return Err(import_error(py, message, summary));
        }
        Ok(summary)
    }

    /// Lists organisation units (`GET /api/organisationUnits`, all pages).
    ///
    /// `filters` are DHIS2 filter expressions such as `"level:eq:2"` or
    /// `"path:like:UZdemoRoot1"`, all of which must hold (any one with
    /// `match_any=True`). Returns one dict per unit: `id`, `code`, `name`,
    /// `short_name`, `level`, `path`, `parent` (its id), `opening_date`,
    /// `closed_date`.
    #[pyo3(signature = (*filters, match_any = false))]
    fn organisation_units<'py>(
        &self,
        py: Python<'py>,
        filters: Vec<String>,
        match_any: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let query = OrgUnitQuery {
            filters,
            root_junction_or: match_any,
            paging: Some(Paging::Off),
            ..OrgUnitQuery::default()
        };
        let units = self.run(py, move |client| client.organisation_units(&query))?;
        crate::dicts(py, &units, org_unit_dict)
    }

    /// Reads stored data values (`GET /api/dataValueSets`) of `data_set` for
    /// `org_unit` (and its descendants with `children=True`) and `period` (a
    /// DHIS2 period id). Returns one dict per value: `data_element`,
    /// `category_option_combo`, `attribute_option_combo`, `org_unit`,
    /// `period`, `value` (text, as DHIS2 stores it), `stored_by`,
    /// `last_updated`, `comment`.
    #[pyo3(signature = (data_set, org_unit, period, *, children = false))]
    fn read_data_values<'py>(
        &self,
        py: Python<'py>,
        data_set: &str,
        org_unit: &str,
        period: &str,
        children: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let query = DataValueQuery {
            children,
            ..DataValueQuery::new(data_set, org_unit, period)
        };
        let set = self.run(py, move |client| client.read_data_values(&query))?;
        crate::dicts(py, set.resolved_values(), |py, v| data_value_dict(py, &v))
    }

    /// Closes the client's connections; a call after that raises `InvalidInput`.
    /// Leaving a `with hrh.Dhis2Client(...) as client:` block closes it too.
    fn close(&self) {
        self.client.close();
    }

    /// Whether `close()` was called (or the `with` block ended).
    #[getter]
    fn closed(&self) -> bool {
        self.client.is_closed()
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Closes the client; exceptions from the block propagate.
    fn __exit__(
        &self,
        exc_type: &Bound<'_, PyAny>,
        exc: &Bound<'_, PyAny>,
        tb: &Bound<'_, PyAny>,
    ) -> bool {
        let _ = (exc_type, exc, tb);
        self.client.close();
        false
    }

    /// The base URL the client talks to.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn __repr__(&self) -> String {
        format!("Dhis2Client({:?}, {})", self.base_url, self.who)
    }
}

/// What DHIS2 did with an import: `status` (`"SUCCESS"`, `"WARNING"` or
/// `"ERROR"`), the counts `imported`, `updated`, `ignored`, `deleted`, and
/// `conflicts`, one dict per conflict with `object`, `objects`, `value` (the
/// reason), `error_code`, `property`, `indexes` (positions in the set sent)
/// and `data_values` (the values at those positions).
#[pyclass(name = "ImportSummary", module = "hrh", frozen)]
pub struct PyImportSummary {
    summary: ImportSummary,
    /// The values sent, with the set's defaults filled in.
    values: Vec<DataValue>,
}

impl PyImportSummary {
    fn conflict_dict<'py>(&self, py: Python<'py>, c: &Conflict) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("object", c.object.as_deref())?;
        d.set_item("objects", &c.objects)?;
        d.set_item("value", c.value.as_deref())?;
        d.set_item("error_code", c.error_code.as_deref())?;
        d.set_item("property", c.property.as_deref())?;
        d.set_item("indexes", &c.indexes)?;
        let sent = c.indexes.iter().filter_map(|i| self.values.get(*i));
        d.set_item("data_values", crate::dicts(py, sent, data_value_dict)?)?;
        Ok(d)
    }
}

#[pymethods]
impl PyImportSummary {
    /// `"SUCCESS"`, `"WARNING"` (some values refused) or `"ERROR"`.
    #[getter]
    fn status(&self) -> &'static str {
        match self.summary.status {
            ImportStatus::Success => "SUCCESS",
            ImportStatus::Warning => "WARNING",
            ImportStatus::Error => "ERROR",
        }
    }

    /// DHIS2's description of the outcome, if any.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.summary.description.as_deref()
    }

    /// New values stored.
    #[getter]
    fn imported(&self) -> u64 {
        self.summary.import_count.imported
    }

    /// Existing values changed.
    #[getter]
    fn updated(&self) -> u64 {
        self.summary.import_count.updated
    }

    /// Values refused or unchanged.
    #[getter]
    fn ignored(&self) -> u64 {
        self.summary.import_count.ignored
    }

    /// Values deleted.
    #[getter]
    fn deleted(&self) -> u64 {
        self.summary.import_count.deleted
    }

    /// Why values were refused: one dict per conflict (see the class).
    #[getter]
    fn conflicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::dicts(py, &self.summary.conflicts, |py, c| {
            self.conflict_dict(py, c)
        })
    }

    /// Positions (0-based, in the set sent) of every refused value, sorted.
    #[getter]
    fn rejected_indexes(&self) -> Vec<usize> {
        self.summary.rejected_indexes()
    }

    /// Whether nothing was refused.
    #[getter]
    fn ok(&self) -> bool {
        self.summary.is_complete_success()
    }

    fn __repr__(&self) -> String {
        let c = &self.summary.import_count;
        format!(
            "ImportSummary(status='{}', imported={}, updated={}, ignored={}, deleted={}, conflicts={})",
            self.status(),
            c.imported,
            c.updated,
            c.ignored,
            c.deleted,
            self.summary.conflicts.len()
        )
    }
}
