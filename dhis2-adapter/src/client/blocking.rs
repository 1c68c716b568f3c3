//! A blocking facade over the async client, for the CLI and Python: it owns a
//! tokio runtime with one worker thread, which runs the connections' I/O between and after
//! calls. Inside an async runtime its calls are an error (use the async client there), and
//! dropping it there does not panic.
//!
//! A call can be cancelled from another thread: [`Dhis2Client::cancelled_by`] gives a client
//! whose calls end with [`Dhis2Error::Cancelled`] once its [`CancellationToken`] is cancelled,
//! dropping the request in flight (the Python wheel does this on Ctrl-C).

use std::sync::Arc;

use tokio::runtime::{Builder, Runtime};
pub use tokio_util::sync::CancellationToken;

use super::{
    ClientSettings, DataSetMetadata, DataValueQuery, ImportOptions, Me, OrgUnitQuery,
    OrganisationUnit, PreflightReport, SystemInfo, Version,
};
use crate::datavalueset::DataValueSet;
use crate::error::{Dhis2Error, Result};
use crate::import_summary::ImportSummary;

/// The blocking DHIS2 client: the methods of [`super::Dhis2Client`], waited for. Clones share
/// the connections and the runtime.
#[derive(Debug, Clone)]
pub struct Dhis2Client {
    inner: super::Dhis2Client,
    runtime: Arc<OwnedRuntime>,
    cancel: Option<CancellationToken>,
}

/// The client's runtime. Dropped inside an async runtime (where tokio's own drop would panic,
/// as it waits for the worker thread) it shuts down in the background instead.
#[derive(Debug)]
struct OwnedRuntime(Option<Runtime>);

impl OwnedRuntime {
    /// The runtime; only `drop` takes it out, so this is never an error in practice.
    fn get(&self) -> Result<&Runtime> {
        self.0
            .as_ref()
            .ok_or_else(|| Dhis2Error::ClientSetup("the client's runtime has shut down".to_owned()))
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            runtime.shutdown_background();
        }
    }
}

impl Dhis2Client {
    /// A client for `settings`, with its own runtime.
    pub fn new(settings: ClientSettings) -> Result<Self> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hrh-dhis2-client")
            .enable_all()
            .build()
            .map_err(|error| Dhis2Error::ClientSetup(error.to_string()))?;
        Ok(Self {
            inner: super::Dhis2Client::new(settings)?,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
            cancel: None,
        })
    }

    /// This client (sharing its connections and runtime) with calls that end with
    /// [`Dhis2Error::Cancelled`] as soon as `cancel` is cancelled, from any thread: the
    /// request in flight is dropped, and later calls end at once.
    #[must_use]
    pub fn cancelled_by(&self, cancel: CancellationToken) -> Self {
        Self {
            cancel: Some(cancel),
            ..self.clone()
        }
    }

    /// Waits for `future` on the runtime, or until the token (if any) is cancelled. Inside an
    /// async runtime this is an error, not a panic.
    fn block<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Dhis2Error::ClientSetup(
                "the blocking client cannot be used inside an async runtime; \
                 use hrh_dhis2::client::Dhis2Client there"
                    .to_owned(),
            ));
        }
        let runtime = self.runtime.get()?;
        match &self.cancel {
            None => runtime.block_on(future),
            Some(cancel) => runtime
                .block_on(cancel.run_until_cancelled(future))
                .unwrap_or(Err(Dhis2Error::Cancelled)),
        }
    }

    /// The async client inside.
    pub fn inner(&self) -> &super::Dhis2Client {
        &self.inner
    }

    /// See [`super::Dhis2Client::system_info`].
    pub fn system_info(&self) -> Result<SystemInfo> {
        self.block(self.inner.system_info())
    }

    /// See [`super::Dhis2Client::version`].
    pub fn version(&self) -> Result<Version> {
        self.block(self.inner.version())
    }

    /// See [`super::Dhis2Client::me`].
    pub fn me(&self) -> Result<Me> {
        self.block(self.inner.me())
    }

    /// See [`super::Dhis2Client::import_data_values`].
    pub fn import_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        self.block(self.inner.import_data_values(set, options))
    }

    /// See [`super::Dhis2Client::delete_data_values`].
    pub fn delete_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        self.block(self.inner.delete_data_values(set, options))
    }

    /// See [`super::Dhis2Client::read_data_values`].
    pub fn read_data_values(&self, query: &DataValueQuery) -> Result<DataValueSet> {
        self.block(self.inner.read_data_values(query))
    }

    /// See [`super::Dhis2Client::organisation_units`].
    pub fn organisation_units(&self, query: &OrgUnitQuery) -> Result<Vec<OrganisationUnit>> {
        self.block(self.inner.organisation_units(query))
    }

    /// See [`super::Dhis2Client::data_set_metadata`].
    pub fn data_set_metadata(&self, data_set: &str) -> Result<DataSetMetadata> {
        self.block(self.inner.data_set_metadata(data_set))
    }

    /// See [`super::Dhis2Client::preflight`].
    pub fn preflight(&self, set: &DataValueSet, data_set: &str) -> Result<PreflightReport> {
        self.block(self.inner.preflight(set, data_set))
    }
}
