//! A blocking facade over [`super::FhirClient`] for the CLI and Python.
//!
//! Each client owns a current-thread tokio runtime driven by a thread of its own; calls wait
//! on it. Because that thread keeps running between calls, [`Pages`] really fetches the next
//! page while the caller works on the current one.
//!
//! A call can be cancelled from another thread: [`FhirClient::cancelled_by`] gives a client
//! whose calls end with [`FhirError::Cancelled`] once its [`CancellationToken`] is cancelled,
//! dropping the request in flight (the Python wheel does this on Ctrl-C).
//!
//! ```no_run
//! use hrh_fhir::client::{ClientConfig, SearchParams, blocking::FhirClient};
//! let client = FhirClient::new("http://127.0.0.1:8090/fhir", ClientConfig::default())?;
//! for page in client.search("Practitioner", &SearchParams::new().count(50)) {
//!     let page = page?;
//!     println!("{} matches", page.matches().count());
//! }
//! # Ok::<(), hrh_fhir::FhirError>(())
//! ```

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::{
    ClientConfig, EntryOutcome, ExportJob, ExportManifest, ExportOutput, ExportRequest,
    ExportStatus, Page, SearchParams, Synced, WriteOutcome,
};
use crate::config::ReadConfig;
use crate::error::FhirError;
use crate::read::{ReadReport, Record};

pub use tokio_util::sync::CancellationToken;

/// A current-thread runtime run by its own thread until dropped.
struct Driver {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Driver {
    fn start() -> Result<Self, FhirError> {
        let io = |source| FhirError::Io {
            source_name: "hrh-fhir client runtime".to_owned(),
            source,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(io)?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hrh-fhir-client".to_owned())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(io)?;
        Ok(Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Runs a future to completion on the caller's thread, with the driver thread running the
    /// I/O, timers and background tasks, unless `cancel` is cancelled first (the future is then
    /// dropped). Inside an async runtime this is an error, not a panic.
    fn block_on<T, F: Future<Output = Result<T, FhirError>>>(
        &self,
        future: F,
        cancel: Option<&CancellationToken>,
    ) -> F::Output {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(FhirError::Transport {
                method: "-".to_owned(),
                url: "-".to_owned(),
                detail: "the blocking client cannot be used inside an async runtime; \
                         use hrh_fhir::client::FhirClient there"
                    .to_owned(),
            });
        }
        match cancel {
            None => self.handle.block_on(future),
            Some(cancel) => self
                .handle
                .block_on(cancel.run_until_cancelled(future))
                .unwrap_or(Err(FhirError::Cancelled)),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Driver")
    }
}

/// The blocking client. Calls made inside an async runtime return an error; use the async
/// [`super::FhirClient`] there.
#[derive(Debug, Clone)]
pub struct FhirClient {
    inner: super::FhirClient,
    driver: Arc<Driver>,
    cancel: Option<CancellationToken>,
}

impl FhirClient {
    /// A client for the server at `base_url`, with its own runtime thread.
    pub fn new(base_url: &str, config: ClientConfig) -> Result<Self, FhirError> {
        Ok(Self {
            inner: super::FhirClient::new(base_url, config)?,
            driver: Arc::new(Driver::start()?),
            cancel: None,
        })
    }

    /// This client (sharing its connections and runtime) with calls that end with
    /// [`FhirError::Cancelled`] as soon as `cancel` is cancelled, from any thread: the request
    /// in flight is dropped, and later calls end at once. [`Pages`] made by it stop the same way.
    ///
    /// ```no_run
    /// use hrh_fhir::client::{ClientConfig, blocking::{CancellationToken, FhirClient}};
    /// let client = FhirClient::new("http://127.0.0.1:8090/fhir", ClientConfig::default())?;
    /// let cancel = CancellationToken::new();
    /// let call = client.cancelled_by(cancel.clone());
    /// let waiting = std::thread::spawn(move || call.capabilities());
    /// cancel.cancel(); // e.g. on Ctrl-C
    /// if let Ok(Err(hrh_fhir::FhirError::Cancelled)) = waiting.join() {
    ///     eprintln!("given up");
    /// }
    /// # Ok::<(), hrh_fhir::FhirError>(())
    /// ```
    #[must_use]
    pub fn cancelled_by(&self, cancel: CancellationToken) -> Self {
        Self {
            cancel: Some(cancel),
            ..self.clone()
        }
    }

    /// The async client inside.
    pub fn as_async(&self) -> &super::FhirClient {
        &self.inner
    }

    fn block<T, F: Future<Output = Result<T, FhirError>>>(&self, future: F) -> F::Output {
        self.driver.block_on(future, self.cancel.as_ref())
    }

    /// See [`super::FhirClient::capabilities`].
    pub fn capabilities(&self) -> Result<Value, FhirError> {
        self.block(self.inner.capabilities())
    }

    /// See [`super::FhirClient::read`].
    pub fn read(&self, resource_type: &str, id: &str) -> Result<Value, FhirError> {
        self.block(self.inner.read(resource_type, id))
    }

    /// See [`super::FhirClient::search`]: an iterator over pages.
    pub fn search(&self, resource_type: &str, params: &SearchParams) -> Pages {
        let _guard = self.driver.handle.enter();
        Pages {
            inner: self.inner.search(resource_type, params),
            driver: Arc::clone(&self.driver),
            cancel: self.cancel.clone(),
            done: false,
        }
    }

    /// See [`super::FhirClient::search_all`].
    pub fn search_all(
        &self,
        resource_type: &str,
        params: &SearchParams,
    ) -> Result<(Vec<Value>, Vec<Value>), FhirError> {
        self.block(self.inner.search_all(resource_type, params))
    }

    /// See [`super::FhirClient::history`]: an iterator over history pages.
    pub fn history(&self, resource_type: &str, since: Option<&str>) -> Pages {
        let _guard = self.driver.handle.enter();
        Pages {
            inner: self.inner.history(resource_type, since),
            driver: Arc::clone(&self.driver),
            cancel: self.cancel.clone(),
            done: false,
        }
    }

    /// See [`super::FhirClient::history_since`].
    pub fn history_since(
        &self,
        resource_type: &str,
        since: Option<&str>,
    ) -> Result<Synced, FhirError> {
        self.block(self.inner.history_since(resource_type, since))
    }

    /// See [`super::FhirClient::full_resync`].
    pub fn full_resync(&self, resource_type: &str) -> Result<Synced, FhirError> {
        self.block(self.inner.full_resync(resource_type))
    }

    /// See [`super::FhirClient::create`].
    pub fn create<T: Serialize + ?Sized>(&self, resource: &T) -> Result<WriteOutcome, FhirError> {
        self.block(self.inner.create(resource))
    }

    /// See [`super::FhirClient::create_if_none_exist`].
    pub fn create_if_none_exist<T: Serialize + ?Sized>(
        &self,
        resource: &T,
        condition: &SearchParams,
    ) -> Result<WriteOutcome, FhirError> {
        self.block(self.inner.create_if_none_exist(resource, condition))
    }

    /// See [`super::FhirClient::update`].
    pub fn update<T: Serialize + ?Sized>(&self, resource: &T) -> Result<WriteOutcome, FhirError> {
        self.block(self.inner.update(resource))
    }

    /// See [`super::FhirClient::upsert_by_identifier`].
    pub fn upsert_by_identifier<T: Serialize + ?Sized>(
        &self,
        resource: &T,
        system: &str,
        value: &str,
    ) -> Result<WriteOutcome, FhirError> {
        self.block(self.inner.upsert_by_identifier(resource, system, value))
    }

    /// See [`super::FhirClient::delete`].
    pub fn delete(&self, resource_type: &str, id: &str) -> Result<WriteOutcome, FhirError> {
        self.block(self.inner.delete(resource_type, id))
    }

    /// See [`super::FhirClient::transaction`].
    pub fn transaction<T: Serialize + ?Sized>(
        &self,
        bundle: &T,
    ) -> Result<Vec<EntryOutcome>, FhirError> {
        self.block(self.inner.transaction(bundle))
    }

    /// See [`super::FhirClient::batch`].
    pub fn batch<T: Serialize + ?Sized>(&self, bundle: &T) -> Result<Vec<EntryOutcome>, FhirError> {
        self.block(self.inner.batch(bundle))
    }

    /// See [`super::FhirClient::export_start`].
    pub fn export_start(&self, export: &ExportRequest) -> Result<ExportJob, FhirError> {
        self.block(self.inner.export_start(export))
    }

    /// See [`super::FhirClient::export_status`].
    pub fn export_status(&self, job: &ExportJob) -> Result<ExportStatus, FhirError> {
        self.block(self.inner.export_status(job))
    }

    /// See [`super::FhirClient::export_wait`].
    pub fn export_wait(&self, job: &ExportJob) -> Result<ExportManifest, FhirError> {
        self.block(self.inner.export_wait(job))
    }

    /// See [`super::FhirClient::export_lines`].
    pub fn export_lines(
        &self,
        manifest: &ExportManifest,
        output: &ExportOutput,
        on_line: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FhirError> {
        self.block(self.inner.export_lines(manifest, output, on_line))
    }

    /// See [`super::FhirClient::export_read`].
    pub fn export_read(
        &self,
        manifest: &ExportManifest,
        output: &ExportOutput,
        config: &ReadConfig,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ReadReport, FhirError> {
        self.block(self.inner.export_read(manifest, output, config, sink))
    }

    /// See [`super::FhirClient::export_delete`].
    pub fn export_delete(&self, job: &ExportJob) -> Result<(), FhirError> {
        self.block(self.inner.export_delete(job))
    }
}

/// Pages of a search or history, as an iterator; it ends after the first error.
#[derive(Debug)]
pub struct Pages {
    inner: super::Pages,
    driver: Arc<Driver>,
    cancel: Option<CancellationToken>,
    done: bool,
}

impl Iterator for Pages {
    type Item = Result<Page, FhirError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self
            .driver
            .block_on(self.inner.next_page(), self.cancel.as_ref());
        match next {
            Ok(Some(page)) => Some(Ok(page)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
