//! `hrh.read_registry`, `Registry.from_bundle` and `hrh.ReadConfig`: FHIR into a
//! `Registry` (mirrors `hrh_fhir::read` and `hrh_fhir::config`).

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use hrh_core::aggregate::{AggregateResult, Aggregation};
use hrh_core::{IscoCode, Registry};
use hrh_fhir::config::CodeKey;
use hrh_fhir::{FhirError, ReadConfig, ReadReport, Rejected, inputs, link_references, stream};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::{IntoPyResult, InvalidInput, Place, fhir_to_py};
use crate::registry::PyRegistry;

/// How FHIR codes and identifiers are read (see the `hrh-fhir` crate).
///
/// All settings are keyword-only and empty by default: `registry_id_systems`
/// and `national_id_systems` name identifier systems of registry and national
/// ids; `licence_qualification_codes` lists `(system, code)` qualification
/// codes that are licences to practise; `job_to_isco` maps `(system, code)` job
/// codes (e.g. iHRIS jobs) to the ISCO-08 code each means. Raises
/// `InvalidInput` for an ISCO-08 code that is not one.
#[pyclass(name = "ReadConfig", module = "hrh", frozen)]
pub struct PyReadConfig {
    inner: ReadConfig,
}

#[pymethods]
impl PyReadConfig {
    #[new]
    #[pyo3(
        signature = (*, registry_id_systems = Vec::new(), national_id_systems = Vec::new(), licence_qualification_codes = Vec::new(), job_to_isco = HashMap::new()),
        text_signature = "(*, registry_id_systems=(), national_id_systems=(), licence_qualification_codes=(), job_to_isco={})"
    )]
    fn new(
        py: Python<'_>,
        registry_id_systems: Vec<String>,
        national_id_systems: Vec<String>,
        licence_qualification_codes: Vec<(String, String)>,
        job_to_isco: HashMap<(String, String), String>,
    ) -> PyResult<Self> {
        let mut jobs = HashMap::with_capacity(job_to_isco.len());
        for ((system, code), isco) in job_to_isco {
            let isco = IscoCode::parse(&isco).py_err(py)?;
            jobs.insert(CodeKey { system, code }, isco);
        }
        let inner = ReadConfig {
            registry_id_systems,
            national_id_systems,
            licence_qualification_codes: licence_qualification_codes
                .into_iter()
                .map(|(system, code)| CodeKey { system, code })
                .collect(),
            job_to_isco: jobs,
            ..ReadConfig::default()
        };
        Ok(Self { inner })
    }

    /// Identifier systems whose values are the registry's own worker ids.
    #[getter]
    fn registry_id_systems(&self) -> Vec<String> {
        self.inner.registry_id_systems.clone()
    }

    /// Identifier systems of national ids.
    #[getter]
    fn national_id_systems(&self) -> Vec<String> {
        self.inner.national_id_systems.clone()
    }

    /// `(system, code)` qualification codes that are licences to practise.
    #[getter]
    fn licence_qualification_codes(&self) -> Vec<(String, String)> {
        self.inner
            .licence_qualification_codes
            .iter()
            .map(|k| (k.system.clone(), k.code.clone()))
            .collect()
    }

    /// `{(system, code): isco08_code}`: job codes and the ISCO-08 group each means.
    #[getter]
    fn job_to_isco(&self) -> HashMap<(String, String), String> {
        self.inner
            .job_to_isco
            .iter()
            .map(|(k, isco)| ((k.system.clone(), k.code.clone()), isco.to_string()))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "ReadConfig(registry_id_systems={:?}, national_id_systems={:?}, licence_qualification_codes={}, job_to_isco={})",
            self.inner.registry_id_systems,
            self.inner.national_id_systems,
            self.inner.licence_qualification_codes.len(),
            self.inner.job_to_isco.len()
        )
    }
}

impl PyReadConfig {
    /// The settings of `config`, or the defaults.
    pub fn settings(config: Option<&Self>) -> ReadConfig {
        config.map_or_else(ReadConfig::default, |c| c.inner.clone())
    }
}

/// What to do with records that cannot be read: the `errors` argument.
#[derive(Debug, Clone, Copy)]
pub enum OnError {
    /// Raise `InvalidInput` for the first one.
    Raise,
    /// Leave them out; `Registry.rejected` lists them.
    Skip,
}

impl OnError {
    /// The `errors` argument: `"raise"` or `"skip"`.
    pub fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        match text {
            "raise" => Ok(Self::Raise),
            "skip" => Ok(Self::Skip),
            other => Err(InvalidInput::err(
                py,
                format!("errors must be \"raise\" or \"skip\", not {other:?}"),
            )),
        }
    }
}

/// The files read, found by the name the reader gives them in errors.
pub struct FileNames<'a>(HashMap<String, &'a Path>);

impl<'a> FileNames<'a> {
    /// The first file of each name wins (names are unique in a flat export).
    fn new(files: &'a [PathBuf]) -> Self {
        let mut by_name = HashMap::new();
        for file in files {
            if let Some(name) = file.file_name() {
                by_name
                    .entry(name.to_string_lossy().into_owned())
                    .or_insert(file.as_path());
            }
        }
        Self(by_name)
    }

    /// The path of the file the reader calls `name`, or `name` itself.
    fn path_of(&self, name: &str) -> String {
        self.0
            .get(name)
            .map_or_else(|| name.to_owned(), |p| p.display().to_string())
    }
}

/// A record that could not be read: the reader's message and where it is.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The reader's message (file, line or entry, resource, problem).
    pub message: String,
    /// Where, as `InvalidInput` attributes.
    pub place: Place,
}

impl Rejection {
    /// From the reader's account; `files` finds the file's path from its name
    /// (`None` when the input was not a file).
    fn new(rejected: &Rejected, files: Option<&FileNames<'_>>) -> Self {
        let mut place = Place::of(&rejected.reason);
        place.path = files.map(|files| files.path_of(&rejected.location.source));
        place.resource_type.clone_from(&rejected.resource_type);
        place.record_id.clone_from(&rejected.id);
        Self {
            message: rejected.reason.to_string(),
            place,
        }
    }
}

/// The rejected records of a read that was not of files (a Bundle, a server).
pub fn rejections(report: &ReadReport) -> Vec<Rejection> {
    report
        .rejected
        .iter()
        .map(|r| Rejection::new(r, None))
        .collect()
}

/// The registry, or `InvalidInput` for the first rejected record under `errors="raise"`.
pub fn finish(
    py: Python<'_>,
    registry: Registry,
    rejected: Vec<Rejection>,
    on_error: OnError,
) -> PyResult<PyRegistry> {
    if let (OnError::Raise, Some(first)) = (on_error, rejected.first()) {
        let message = match rejected.len() {
            1 => format!("{} (errors=\"skip\" reads the rest)", first.message),
            n => format!(
                "{} ({n} records could not be read; errors=\"skip\" reads the rest)",
                first.message
            ),
        };
        return Err(first.place.clone().invalid_input(py, message));
    }
    Ok(PyRegistry::read(registry, rejected))
}

/// FHIR files whose records are read when first needed: the source of a
/// registry from `read_registry(..., errors="skip")`.
pub struct Files {
    paths: Vec<PathBuf>,
    config: ReadConfig,
}

impl Files {
    /// Reads the records into a linked `Registry`, NDJSON parsed on every
    /// core; call it without the GIL.
    pub fn read(&self) -> Result<(Registry, ReadReport), FhirError> {
        hrh_fhir::stream::read_registry(&self.paths, &self.config, stream::default_threads())
    }

    /// Streams the files into several aggregations (a series of periods) in one read.
    pub fn aggregate_series(
        &self,
        aggregations: Vec<Aggregation>,
    ) -> Result<(Vec<AggregateResult>, ReadReport), FhirError> {
        stream::aggregate_series(
            &self.paths,
            &self.config,
            aggregations,
            stream::default_threads(),
        )
    }

    /// The rejected records of a read of these files, with their paths.
    pub fn rejections(&self, report: &ReadReport) -> Vec<Rejection> {
        let names = FileNames::new(&self.paths);
        report
            .rejected
            .iter()
            .map(|r| Rejection::new(r, Some(&names)))
            .collect()
    }

    /// The Python exception of an error that ended a read of these files.
    pub fn error(&self, py: Python<'_>, error: &FhirError) -> PyErr {
        let names = FileNames::new(&self.paths);
        fhir_to_py(py, error, &|name| names.path_of(name))
    }

    /// How many files.
    pub fn count(&self) -> usize {
        self.paths.len()
    }

    /// Opens each file and closes it again, so that a missing or unreadable
    /// one fails now rather than when the records are read.
    fn check_readable(&self) -> Result<(), FhirError> {
        for path in &self.paths {
            File::open(path).map_err(|source| FhirError::Io {
                source_name: path.display().to_string(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Reads FHIR files into a `Registry`: Practitioner, PractitionerRole,
/// Organization, Location and HealthcareService resources, as single JSON
/// resources, Bundles of any type or bulk-export NDJSON (`.ndjson`,
/// `.ndjson.gz`, `.json.gz`).
///
/// `paths` are files or directories (read recursively, FHIR files only, in
/// name order); `config` is a `ReadConfig` (default: `ReadConfig()`). A
/// missing or unreadable file raises `OSError` (`FileNotFoundError`, ...) at
/// once.
///
/// With `errors="raise"` (the default) the records are read now, and the
/// first that cannot be read raises `InvalidInput` with its `path`, `line` or
/// `entry`, `resource_type`, `record_id` and `field`.
///
/// With `errors="skip"` such records are left out and listed in
/// `Registry.rejected`, and the files are read only when needed: the first
/// `len()`, iteration, `to_records()`, `to_pandas()`, `quality()` or
/// `rejected` reads the records and keeps them; until then `aggregate()`
/// streams the files without keeping the records, as `hrh aggregate` does
/// (much less memory, and faster), and `rejected` after it needs no second
/// read. This is the fast path for aggregation-only use. Errors that end a
/// read (a broken gzip stream) are then raised by the call that reads.
///
/// The GIL is released while reading, and NDJSON files are parsed on all
/// cores (the registry is the same as read on one).
#[pyfunction]
#[pyo3(
    signature = (*paths, config = None, errors = "raise"),
    text_signature = "(*paths, config=None, errors='raise')"
)]
pub fn read_registry(
    py: Python<'_>,
    paths: &Bound<'_, PyTuple>,
    config: Option<&PyReadConfig>,
    errors: &str,
) -> PyResult<PyRegistry> {
    let on_error = OnError::parse(py, errors)?;
    let paths: Vec<PathBuf> = paths.extract()?;
    if paths.is_empty() {
        return Err(InvalidInput::err(
            py,
            "read_registry() needs at least one file or directory".to_owned(),
        ));
    }
    let expanded = py
        .detach(|| inputs::expand(&paths))
        .map_err(|e| fhir_to_py(py, &e, &str::to_owned))?;
    if expanded.is_empty() {
        return Err(InvalidInput::err(
            py,
            "no FHIR files (.json, .ndjson, .gz) in the paths given".to_owned(),
        ));
    }
    let files = Files {
        paths: expanded,
        config: PyReadConfig::settings(config),
    };
    match on_error {
        OnError::Skip => {
            py.detach(|| files.check_readable())
                .map_err(|e| files.error(py, &e))?;
            Ok(PyRegistry::lazy(files))
        }
        OnError::Raise => {
            let (registry, report) = py
                .detach(|| files.read())
                .map_err(|e| files.error(py, &e))?;
            let rejected = files.rejections(&report);
            finish(py, registry, rejected, on_error)
        }
    }
}

/// `Registry.from_bundle`: a Bundle (or one resource) as a dict or JSON text.
pub fn from_bundle(
    py: Python<'_>,
    bundle: &Bound<'_, PyAny>,
    config: Option<&PyReadConfig>,
    errors: &str,
) -> PyResult<PyRegistry> {
    let on_error = OnError::parse(py, errors)?;
    let text = crate::json_text(py, bundle, "from_bundle() takes a dict or JSON text")?;
    let default = ReadConfig::default();
    let config = config.map_or(&default, |c| &c.inner);
    let (registry, report) = py
        .detach(|| -> Result<_, FhirError> {
            let mut registry = Registry::default();
            let report = hrh_fhir::read_json(text.as_bytes(), "<bundle>", config, &mut |r| {
                r.add_to(&mut registry);
            })?;
            link_references(&mut registry);
            Ok((registry, report))
        })
        .map_err(|e| fhir_to_py(py, &e, &str::to_owned))?;
    finish(py, registry, rejections(&report), on_error)
}
