//! `hrh.FhirClient` and `hrh.SearchPages`: a FHIR R4 server's REST API from
//! Python (mirrors `hrh_fhir::client`).
//!
//! Every request runs through [`background::run`]: on a thread of its own,
//! with Python waiting without the GIL and honouring Ctrl-C. Resources come
//! and go as plain dicts; registries are read with the same reader as
//! `read_registry` (`hrh_fhir::client::Page::read` for search pages,
//! `export_read` for bulk-export files).

use std::sync::{Mutex, PoisonError};

use hrh_core::Registry;
use hrh_fhir::client::blocking::{CancellationToken, FhirClient, Pages};
use hrh_fhir::client::{
    Auth, ClientConfig, ClientCredentials, EntryOutcome, ExportLevel, ExportRequest, JwtAlgorithm,
    OperationOutcome, Page, SearchParams, Secret, SmartBackend, WriteOutcome,
};
use hrh_fhir::mapping::READ_TYPES;
use hrh_fhir::mirror::Change;
use hrh_fhir::{FhirError as RustFhirError, ReadConfig, ReadReport, link_references};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple};
use serde_json::Value;

use crate::background;
use crate::errors::{InvalidInput, fhir_client_to_py, outcome_dict};
use crate::read::{OnError, PyReadConfig, finish, rejections};
use crate::registry::PyRegistry;

/// The name of the threads requests run on.
const THREAD: &str = "hrh-fhir";

/// A client of a FHIR R4 server's REST API (search, history, bulk export, transactions).
///
/// `base_url` is the FHIR base (e.g. `https://registry.example.org/fhir`).
/// Authentication is at most one of: `auth=(user, password)` (HTTP Basic),
/// `token=` (a static bearer token), or `client_credentials=(token_url,
/// client_id, client_secret)` or `(token_url, client_id, client_secret, scope)`
/// (OAuth2 client credentials; the token is fetched when needed and cached),
/// or `smart_backend={"client_id": ..., "private_key": PEM text}` (SMART
/// backend services: a client assertion signed with the key; optional keys
/// `algorithm` (`"RS384"`, the default, or `"ES384"`), `key_id`, `token_url`
/// (else read from the server's `.well-known/smart-configuration`) and
/// `scope` (default `"system/*.read"`)).
/// `timeout` is the limit of each request in seconds (default 30), `retries`
/// how many times a failed safe request is tried again (connection errors,
/// timeouts, HTTP 429/502/503/504; default 3), `insecure=True` accepts any
/// TLS certificate (test servers only). Passwords, tokens and secrets never
/// appear in `repr()` or in error messages.
///
/// Calls release the GIL while waiting and honour Ctrl-C (`KeyboardInterrupt`
/// at once; the request in flight is dropped). Failures raise
/// `AuthError` (HTTP 401/403, or the token request refused), `TransportError`
/// (no answer: connection refused, timeout), `FhirError` (the server refused
/// the request, with `status` and `operation_outcome`, or its answer could not
/// be used) or `InvalidInput` (bad arguments).
#[pyclass(name = "FhirClient", module = "hrh", frozen)]
pub struct PyFhirClient {
    /// Dropped by `close()` or the end of a `with` block.
    client: background::Closable<FhirClient>,
    base_url: String,
    /// `user="admin"`, `token=***` or `client_id="hrh"` for `repr()`; `None` without auth.
    who: Option<String>,
}

impl PyFhirClient {
    /// Runs `call` with the client on another thread ([`background::run`]).
    fn run<T: Send + 'static>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&FhirClient) -> Result<T, RustFhirError> + Send + 'static,
    ) -> PyResult<T> {
        let cancel = CancellationToken::new();
        let client = self
            .client
            .with(py, "FhirClient", |c| c.cancelled_by(cancel.clone()))?;
        background::run(py, THREAD, &cancel, move || call(&client))?
            .map_err(|e| fhir_client_to_py(py, &e))
    }

    /// Sends one resource given as a dict or JSON text with `write` (`method` names the
    /// Python method in the error for anything else).
    fn send<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
        method: &str,
        write: fn(&FhirClient, &serde_json::Value) -> Result<WriteOutcome, RustFhirError>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let takes = format!("{method}() takes a resource as a dict or JSON text");
        let resource = crate::json::from_py(py, resource, &takes)?;
        let written = self.run(py, move |c| write(c, &resource))?;
        write_dict(py, &written)
    }
}

/// SMART backend-services settings from the `smart_backend` dict.
fn smart_of(py: Python<'_>, settings: &Bound<'_, PyDict>) -> PyResult<(Auth, Option<String>)> {
    const KEYS: [&str; 6] = [
        "client_id",
        "private_key",
        "algorithm",
        "key_id",
        "token_url",
        "scope",
    ];
    let text = |key: &str| -> PyResult<Option<String>> {
        settings
            .get_item(key)?
            .filter(|v| !v.is_none())
            .map(|v| {
                v.extract::<String>().map_err(|_| {
                    PyTypeError::new_err(format!("smart_backend[{key:?}] must be a str"))
                })
            })
            .transpose()
    };
    for key in settings.keys() {
        let key: String = key.extract()?;
        if !KEYS.contains(&key.as_str()) {
            return Err(InvalidInput::err(
                py,
                format!(
                    "smart_backend has no setting {key:?} (it takes {})",
                    KEYS.join(", ")
                ),
            ));
        }
    }
    let (Some(client_id), Some(pem)) = (text("client_id")?, text("private_key")?) else {
        return Err(InvalidInput::err(
            py,
            "smart_backend needs \"client_id\" and \"private_key\" (PEM text)".to_owned(),
        ));
    };
    let algorithm = match text("algorithm")? {
        None => JwtAlgorithm::Rs384,
        Some(name) => JwtAlgorithm::from_name(&name).ok_or_else(|| {
            InvalidInput::err(
                py,
                format!("smart_backend[\"algorithm\"] is {name:?}; use \"RS384\" or \"ES384\""),
            )
        })?,
    };
    let who = format!("smart_client_id={client_id:?}");
    let smart = SmartBackend {
        client_id,
        private_key_pem: Secret::new(pem),
        algorithm,
        key_id: text("key_id")?,
        token_url: text("token_url")?,
        scope: text("scope")?.unwrap_or_else(|| SmartBackend::DEFAULT_SCOPE.to_owned()),
    };
    Ok((Auth::SmartBackend(smart), Some(who)))
}

/// The auth settings and their `repr()` text from the constructor's arguments.
fn auth_of(
    py: Python<'_>,
    basic: Option<(String, String)>,
    token: Option<String>,
    client_credentials: Option<&Bound<'_, PyTuple>>,
    smart_backend: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Auth, Option<String>)> {
    if let Some(settings) = smart_backend {
        if basic.is_some() || token.is_some() || client_credentials.is_some() {
            return Err(InvalidInput::err(py, ONE_KIND.to_owned()));
        }
        return smart_of(py, settings);
    }
    match (basic, token, client_credentials) {
        (None, None, None) => Ok((Auth::None, None)),
        (Some((username, password)), None, None) => {
            let who = format!("user={username:?}");
            let password = Secret::new(password);
            Ok((Auth::Basic { username, password }, Some(who)))
        }
        (None, Some(token), None) => Ok((
            Auth::Bearer(Secret::new(token)),
            Some("token=***".to_owned()),
        )),
        (None, None, Some(tuple)) => {
            let (token_url, client_id, client_secret, scope) =
                match tuple.extract::<(String, String, String)>() {
                    Ok((url, id, secret)) => (url, id, secret, None),
                    Err(_) => tuple
                        .extract::<(String, String, String, Option<String>)>()
                        .map_err(|_| {
                            PyTypeError::new_err(
                                "client_credentials is (token_url, client_id, client_secret) \
                                 or (token_url, client_id, client_secret, scope), all str",
                            )
                        })?,
                };
            let who = format!("client_id={client_id:?}");
            let credentials = ClientCredentials {
                token_url,
                client_id,
                client_secret: Secret::new(client_secret),
                scope,
            };
            Ok((Auth::ClientCredentials(credentials), Some(who)))
        }
        _ => Err(InvalidInput::err(py, ONE_KIND.to_owned())),
    }
}

/// The error for more than one kind of authentication.
const ONE_KIND: &str =
    "give at most one of auth=(user, password), token=, client_credentials= and smart_backend=";

/// The text of one search parameter value: a str, an int or a bool (`true`/`false`).
fn param_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        value.extract()
    } else if value.is_instance_of::<PyBool>() {
        Ok(if value.extract::<bool>()? {
            "true"
        } else {
            "false"
        }
        .to_owned())
    } else if let Ok(n) = value.extract::<i64>() {
        Ok(n.to_string())
    } else {
        Err(PyTypeError::new_err(format!(
            "search parameter values are str, int or bool (or a list of them), not {}",
            value.get_type().name()?
        )))
    }
}

/// Search parameters from a dict; a list or tuple value repeats its parameter.
fn search_params(params: Option<&Bound<'_, PyDict>>) -> PyResult<SearchParams> {
    let mut out = SearchParams::new();
    for (name, value) in params
        .into_iter()
        .flat_map(pyo3::types::PyDictMethods::iter)
    {
        let name: String = name.extract()?;
        if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            for item in value.try_iter()? {
                out = out.param(&name, &param_text(&item?)?);
            }
        } else {
            out = out.param(&name, &param_text(&value)?);
        }
    }
    Ok(out)
}

/// A list of the JSON values as dicts.
fn resources<'py>(py: Python<'py>, values: &[Value]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for value in values {
        list.append(crate::json::to_py(py, value)?)?;
    }
    Ok(list)
}

/// The resource types to read: all the reader maps when none are given; others are refused.
fn read_types(py: Python<'_>, given: Vec<String>) -> PyResult<Vec<String>> {
    if given.is_empty() {
        return Ok(READ_TYPES.iter().map(|t| (*t).to_owned()).collect());
    }
    if let Some(other) = given.iter().find(|t| !READ_TYPES.contains(&t.as_str())) {
        return Err(InvalidInput::err(
            py,
            format!(
                "{other} is not a resource type hrh reads (one of {})",
                READ_TYPES.join(", ")
            ),
        ));
    }
    Ok(given)
}

/// One change of a history, with the resource parsed.
struct Changed {
    resource_type: String,
    id: String,
    last_updated: Option<String>,
    resource: Option<Value>,
}

impl Changed {
    /// From a mirror change; `base` names the server in an error.
    fn new(change: Change, base: &str) -> Result<Self, RustFhirError> {
        Ok(match change {
            Change::Upsert {
                resource_type,
                id,
                last_updated,
                json,
            } => {
                let resource =
                    serde_json::from_str(&json).map_err(|e| RustFhirError::UnexpectedResponse {
                        url: base.to_owned(),
                        detail: format!("{resource_type}/{id} in the history is not JSON: {e}"),
                    })?;
                Self {
                    resource_type,
                    id,
                    last_updated,
                    resource: Some(resource),
                }
            }
            Change::Delete { resource_type, id } => Self {
                resource_type,
                id,
                last_updated: None,
                resource: None,
            },
        })
    }

    /// The change as a dict (`resource` None for a deletion).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("resource_type", &self.resource_type)?;
        d.set_item("id", &self.id)?;
        d.set_item("deleted", self.resource.is_none())?;
        d.set_item("last_updated", self.last_updated.as_deref())?;
        d.set_item(
            "resource",
            crate::json::option_to_py(py, self.resource.as_ref())?,
        )?;
        Ok(d)
    }
}

/// What the server did with one transaction entry, as a dict.
fn entry_dict<'py>(py: Python<'py>, entry: &EntryOutcome) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("status", &entry.status)?;
    d.set_item("code", entry.code)?;
    d.set_item("ok", entry.is_success())?;
    d.set_item("id", entry.id())?;
    d.set_item("location", entry.location.as_deref())?;
    d.set_item("etag", entry.etag.as_deref())?;
    d.set_item("last_modified", entry.last_modified.as_deref())?;
    set_answer(py, &d, entry.outcome.as_ref(), entry.resource.as_ref())?;
    Ok(d)
}

/// The `outcome` (an OperationOutcome dict, or None) and `resource` items of a write's answer.
fn set_answer(
    py: Python<'_>,
    d: &Bound<'_, PyDict>,
    outcome: Option<&OperationOutcome>,
    resource: Option<&serde_json::Value>,
) -> PyResult<()> {
    let outcome = match outcome {
        Some(outcome) => outcome_dict(py, outcome)?,
        None => py.None().into_bound(py),
    };
    d.set_item("outcome", outcome)?;
    d.set_item("resource", crate::json::option_to_py(py, resource)?)
}

/// A write's answer as a dict (`create`, `update`, `delete`).
fn write_dict<'py>(py: Python<'py>, write: &WriteOutcome) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", write.status)?;
    d.set_item("created", write.created())?;
    d.set_item("id", write.id())?;
    d.set_item("version_id", write.version_id())?;
    d.set_item("location", write.location.as_deref())?;
    d.set_item("etag", write.etag.as_deref())?;
    d.set_item("last_modified", write.last_modified.as_deref())?;
    set_answer(py, &d, write.outcome.as_ref(), write.resource.as_ref())?;
    Ok(d)
}

/// Reads search pages of `types` into a registry with the crate's Bundle reader.
fn read_searched(
    client: &FhirClient,
    types: &[String],
    config: &ReadConfig,
) -> Result<(Registry, ReadReport), RustFhirError> {
    let mut registry = Registry::default();
    let mut report = ReadReport::default();
    for resource_type in types {
        for page in client.search(resource_type, &SearchParams::new()) {
            report.merge(page?.read(config, &mut |r| r.add_to(&mut registry)));
        }
    }
    link_references(&mut registry);
    Ok((registry, report))
}

/// Runs a system-level bulk export of `types` and reads its files into a registry.
fn read_exported(
    client: &FhirClient,
    types: &[String],
    since: Option<&str>,
    config: &ReadConfig,
) -> Result<(Registry, ReadReport), RustFhirError> {
    let names: Vec<&str> = types.iter().map(String::as_str).collect();
    let mut request = ExportRequest::new(ExportLevel::System).types(&names);
    if let Some(since) = since {
        request = request.since(since);
    }
    let job = client.export_start(&request)?;
    let read = (|| {
        let manifest = client.export_wait(&job)?;
        let mut registry = Registry::default();
        let mut report = ReadReport::default();
        // A server may send more types than asked for (sekmet 0.1.1 does): read only these.
        for output in manifest
            .output
            .iter()
            .filter(|o| types.contains(&o.resource_type))
        {
            report.merge(client.export_read(&manifest, output, config, &mut |r| {
                r.add_to(&mut registry);
            })?);
        }
        link_references(&mut registry);
        Ok((registry, report))
    })();
    // The job's files are no longer needed; a server that cannot delete them keeps them.
    let _ = client.export_delete(&job);
    read
}

#[pymethods]
impl PyFhirClient {
    #[new]
    #[pyo3(
        signature = (base_url, auth = None, *, token = None, client_credentials = None, smart_backend = None, timeout = 30.0, retries = 3, insecure = false),
        text_signature = "(base_url, auth=None, *, token=None, client_credentials=None, smart_backend=None, timeout=30.0, retries=3, insecure=False)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "keyword arguments of the Python constructor, one per setting"
    )]
    fn new(
        py: Python<'_>,
        base_url: String,
        auth: Option<(String, String)>,
        token: Option<String>,
        client_credentials: Option<&Bound<'_, PyTuple>>,
        smart_backend: Option<&Bound<'_, PyDict>>,
        timeout: f64,
        retries: u32,
        insecure: bool,
    ) -> PyResult<Self> {
        let (auth, who) = auth_of(py, auth, token, client_credentials, smart_backend)?;
        let config = ClientConfig {
            auth,
            timeout: crate::seconds(py, "timeout", timeout)?,
            max_retries: retries,
            accept_invalid_certs: insecure,
            ..ClientConfig::default()
        };
        let client = FhirClient::new(&base_url, config).map_err(|e| fhir_client_to_py(py, &e))?;
        Ok(Self {
            client: background::Closable::new(client),
            base_url,
            who,
        })
    }

    /// The server's `CapabilityStatement` (`GET [base]/metadata`) as a dict.
    fn capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let statement = self.run(py, FhirClient::capabilities)?;
        crate::json::to_py(py, &statement)
    }

    /// Reads one resource (`GET [base]/{resource_type}/{id}`) as a dict; a
    /// missing one raises `FhirError` with `status` 404 (410 when deleted).
    fn read<'py>(
        &self,
        py: Python<'py>,
        resource_type: String,
        id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let resource = self.run(py, move |c| c.read(&resource_type, &id))?;
        crate::json::to_py(py, &resource)
    }

    /// Searches a resource type (`GET [base]/{resource_type}?params`) and
    /// returns the matches as dicts, following `next` links through every page
    /// (at most `max_pages` pages when given).
    ///
    /// `params` maps parameter names to a str, int or bool, or a list of them
    /// to repeat the parameter (e.g. `{"_include": [...]}`); `_count` sets the
    /// page size (default 100). Only entries with `search.mode = match` are
    /// returned: included resources and the server's OperationOutcome entries
    /// are not (`search_pages()` gives them).
    #[pyo3(signature = (resource_type, params = None, *, max_pages = None))]
    fn search<'py>(
        &self,
        py: Python<'py>,
        resource_type: String,
        params: Option<&Bound<'_, PyDict>>,
        max_pages: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let params = search_params(params)?;
        let matches = self.run(py, move |c| {
            let mut matches = Vec::new();
            for page in c
                .search(&resource_type, &params)
                .take(max_pages.unwrap_or(usize::MAX))
            {
                matches.extend(page?.matches().cloned());
            }
            Ok(matches)
        })?;
        resources(py, &matches)
    }

    /// Searches like `search()`, one page at a time: an iterator of dicts with
    /// `matches`, `includes` (`_include`/`_revinclude` resources), `outcomes`
    /// (the server's OperationOutcome entries, e.g. about an ignored
    /// parameter) and `total` (`Bundle.total`, or None). The next page is
    /// fetched while the current one is worked on.
    #[pyo3(signature = (resource_type, params = None))]
    fn search_pages(
        &self,
        py: Python<'_>,
        resource_type: &str,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PySearchPages> {
        let params = search_params(params)?;
        let cancel = CancellationToken::new();
        let client = self
            .client
            .with(py, "FhirClient", |c| c.cancelled_by(cancel.clone()))?;
        Ok(PySearchPages {
            pages: Mutex::new(Some(client.search(resource_type, &params))),
            cancel,
        })
    }

    /// The changes to a resource type since `since` (a FHIR instant such as
    /// `2024-05-01T10:00:00Z`; all history when None), from
    /// `GET [base]/{resource_type}/_history?_since=`, every page.
    ///
    /// Returns `(changes, watermark)`: `changes` is a list of dicts with
    /// `resource_type`, `id`, `deleted`, `last_updated` and `resource` (the
    /// resource as a dict, None for a deletion), newest first; `watermark` is
    /// the server's time of the first page, the `since` of the next call (store
    /// it only once the changes are dealt with).
    #[pyo3(signature = (resource_type, since = None))]
    fn history_since<'py>(
        &self,
        py: Python<'py>,
        resource_type: String,
        since: Option<String>,
    ) -> PyResult<(Bound<'py, PyList>, Option<String>)> {
        let base = self.base_url.clone();
        let (changes, watermark) = self.run(py, move |c| {
            let synced = c.history_since(&resource_type, since.as_deref())?;
            let changes = synced
                .changes
                .into_iter()
                .map(|change| Changed::new(change, &base))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((changes, synced.watermark))
        })?;
        let list = crate::dicts(py, &changes, |py, change| change.to_dict(py))?;
        Ok((list, watermark))
    }

    /// Reads the server's workforce resources into a `Registry`, with the same
    /// reader as `read_registry()`: every page of a search of each resource
    /// type, `Practitioner`, `PractitionerRole`, `Organization`, `Location` and
    /// `HealthcareService` unless `resource_types` names some of them.
    ///
    /// `config` and `errors` are as for `read_registry()`; a record that cannot
    /// be read raises `InvalidInput` (its `entry` is the place in its page) or,
    /// with `errors="skip"`, is listed in `Registry.rejected`.
    #[pyo3(
        signature = (*resource_types, config = None, errors = "raise"),
        text_signature = "(self, /, *resource_types, config=None, errors='raise')"
    )]
    fn read_registry(
        &self,
        py: Python<'_>,
        resource_types: Vec<String>,
        config: Option<&PyReadConfig>,
        errors: &str,
    ) -> PyResult<PyRegistry> {
        let on_error = OnError::parse(py, errors)?;
        let types = read_types(py, resource_types)?;
        let config = PyReadConfig::settings(config);
        let (registry, report) = self.run(py, move |c| read_searched(c, &types, &config))?;
        finish(py, registry, rejections(&report), on_error)
    }

    /// Reads the server's workforce resources into a `Registry` through a bulk
    /// data export (`GET [base]/$export`, system level): starts the export,
    /// waits for it (polling as the server asks), streams its NDJSON files
    /// through the reader, then tells the server the files may go.
    ///
    /// `types` limits the resource types (default: all that hrh reads),
    /// `since` (a FHIR instant) exports only resources changed after it;
    /// `config` and `errors` are as for `read_registry()`. Ctrl-C stops the
    /// wait, not the export on the server.
    #[pyo3(
        signature = (types = None, since = None, *, config = None, errors = "raise"),
        text_signature = "(self, /, types=None, since=None, *, config=None, errors='raise')"
    )]
    fn export(
        &self,
        py: Python<'_>,
        types: Option<Vec<String>>,
        since: Option<String>,
        config: Option<&PyReadConfig>,
        errors: &str,
    ) -> PyResult<PyRegistry> {
        let on_error = OnError::parse(py, errors)?;
        let types = read_types(py, types.unwrap_or_default())?;
        let config = PyReadConfig::settings(config);
        let (registry, report) = self.run(py, move |c| {
            read_exported(c, &types, since.as_deref(), &config)
        })?;
        finish(py, registry, rejections(&report), on_error)
    }

    /// Sends a transaction Bundle (a dict or JSON text; `POST [base]`) and
    /// returns one dict per entry, in order: `status` (as sent, e.g.
    /// `"201 Created"`), `code` (its number), `ok` (2xx), `id`, `location`,
    /// `etag`, `last_modified`, `outcome` (an OperationOutcome dict, or None)
    /// and `resource` (when the server returned it). The server applies all
    /// entries or none: a refused transaction raises `FhirError` with its
    /// `operation_outcome`.
    fn transaction<'py>(
        &self,
        py: Python<'py>,
        bundle: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let bundle = crate::json::from_py(
            py,
            bundle,
            "transaction() takes a Bundle as a dict or JSON text",
        )?;
        let entries = self.run(py, move |c| c.transaction(&bundle))?;
        crate::dicts(py, &entries, entry_dict)
    }

    /// Creates a resource (a dict or JSON text; `POST [base]/{resourceType}`;
    /// the server assigns the id) and returns a dict: `code` (HTTP status),
    /// `created`, `id`, `version_id`, `location`, `etag`, `last_modified`,
    /// `outcome` (an OperationOutcome dict, or None) and `resource` (when the
    /// server returned it). A refusal raises `FhirError` with its
    /// `operation_outcome`.
    fn create<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.send(
            py,
            resource,
            "create",
            FhirClient::create::<serde_json::Value>,
        )
    }

    /// Updates (or creates under its id) a resource that has an `id`
    /// (`PUT [base]/{resourceType}/{id}`); returns a dict as `create()` does.
    fn update<'py>(
        &self,
        py: Python<'py>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.send(
            py,
            resource,
            "update",
            FhirClient::update::<serde_json::Value>,
        )
    }

    /// Deletes a resource (`DELETE [base]/{resource_type}/{id}`); returns a
    /// dict as `create()` does.
    fn delete<'py>(
        &self,
        py: Python<'py>,
        resource_type: String,
        id: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        let written = self.run(py, move |c| c.delete(&resource_type, &id))?;
        write_dict(py, &written)
    }

    /// The base URL the client talks to, as given.
    /// Closes the client's connections; a call after that raises `InvalidInput`.
    /// Leaving a `with hrh.FhirClient(...) as client:` block closes it too.
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

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn __repr__(&self) -> String {
        match &self.who {
            Some(who) => format!("FhirClient({:?}, {who})", self.base_url),
            None => format!("FhirClient({:?})", self.base_url),
        }
    }
}

/// The pages of a search, from `FhirClient.search_pages()`: an iterator of
/// dicts with `matches`, `includes`, `outcomes` and `total`. It ends after the
/// last page, after an error, and after a wait interrupted by Ctrl-C.
#[pyclass(name = "SearchPages", module = "hrh", frozen)]
pub struct PySearchPages {
    /// `None` once the pages are done (or lost to an interrupted wait).
    pages: Mutex<Option<Pages>>,
    /// Cancelled by Ctrl-C during a wait: the page being fetched is dropped.
    cancel: CancellationToken,
}

/// One search page as a dict: `matches`, `includes`, `outcomes`, `total`.
fn page_dict<'py>(py: Python<'py>, page: &Page) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let list = |values: Vec<Value>| resources(py, &values);
    d.set_item("matches", list(page.matches().cloned().collect())?)?;
    d.set_item("includes", list(page.includes().cloned().collect())?)?;
    d.set_item("outcomes", list(page.outcomes().cloned().collect())?)?;
    d.set_item("total", page.total())?;
    Ok(d)
}

#[pymethods]
impl PySearchPages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let taken = self
            .pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(mut pages) = taken else {
            return Ok(None);
        };
        let (next, pages) =
            background::run(py, THREAD, &self.cancel, move || (pages.next(), pages))?;
        match next {
            None => Ok(None),
            Some(Err(e)) => Err(fhir_client_to_py(py, &e)),
            Some(Ok(page)) => {
                *self.pages.lock().unwrap_or_else(PoisonError::into_inner) = Some(pages);
                page_dict(py, &page).map(Some)
            }
        }
    }
}
