//! An async FHIR R4 REST client (feature `client`, on by default): search with paging,
//! `_history` sync, bulk `$export`, writes and transactions, auth, retries.
//!
//! Built on reqwest with rustls (ring). Payloads are `serde_json::Value`s (or anything
//! `Serialize`, such as fhir-sdk's typed resources); pages and export files feed the crate's
//! readers ([`Page::read`], [`FhirClient::export_read`]) and [`Mirror`](crate::mirror::Mirror)
//! ([`Page::changes`]). [`blocking::FhirClient`] wraps it for the CLI and Python.
//!
//! ```no_run
//! use hrh_fhir::client::{ClientConfig, FhirClient, SearchParams};
//! # async fn run() -> Result<(), hrh_fhir::FhirError> {
//! let client = FhirClient::new("https://registry.example.org/fhir", ClientConfig::default())?;
//! let mut pages = client.search("PractitionerRole", &SearchParams::new()
//!     .count(100)
//!     .include("PractitionerRole:practitioner"));
//! while let Some(page) = pages.next_page().await? {   // the next page is already loading
//!     for role in page.matches() { /* ... */ }
//! }
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! - **Retries**: connection errors, timeouts, and HTTP 429, 502, 503, 504 are retried with
//!   exponential backoff and jitter, honouring `Retry-After` (seconds or HTTP-date), up to
//!   [`ClientConfig::max_retries`] times — only for requests safe to repeat (GET, PUT, DELETE,
//!   conditional create, token requests); a plain create or a transaction is sent once
//!   (unless the connection could not even be opened).
//! - **Limits**: every request has [`ClientConfig::timeout`] (streamed bulk files instead
//!   [`ClientConfig::read_timeout`] between reads, as their total time is unbounded) and
//!   [`ClientConfig::connect_timeout`]; bodies above [`ClientConfig::max_body_bytes`] (for
//!   bulk files: lines) are refused ([`FhirError::TooLarge`]).
//! - **Watermarks** are returned ([`Synced::watermark`]), never stored by the client.
//! - **Errors**: an error status becomes [`FhirError::Http`] with the server's
//!   [`OperationOutcome`] (severity, code, diagnostics, expression).
//! - **Secrets** ([`Secret`]) never appear in `Debug`, logs or errors.

mod auth;
pub mod blocking;
mod config;
mod export;
mod history;
mod http;
mod outcome;
mod retry;
mod search;
mod write;

use std::sync::Arc;

use url::Url;

pub use auth::{Auth, ClientCredentials, JwtAlgorithm, SmartBackend};
pub use config::ClientConfig;
pub use export::{
    ExportJob, ExportLevel, ExportManifest, ExportOutput, ExportRequest, ExportStatus,
};
pub use history::Synced;
pub use hrh_core::Secret;
pub use outcome::{Issue, IssueDetails, OperationOutcome};
pub use search::{Page, Pages, Prefix, SearchParams};
pub use write::{EntryOutcome, WriteOutcome};

use crate::error::FhirError;
use http::Request;

/// An async FHIR R4 client for one server. Cheap to clone (shared connection pool and token
/// cache).
#[derive(Clone)]
pub struct FhirClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    tokens: auth::TokenCache,
}

impl std::fmt::Debug for FhirClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FhirClient")
            .field("base", &self.inner.base.as_str())
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl FhirClient {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8090/fhir`).
    ///
    /// ```
    /// use hrh_fhir::client::{ClientConfig, FhirClient};
    /// let client = FhirClient::new("http://127.0.0.1:8090/fhir", ClientConfig::default())?;
    /// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8090/fhir/");
    /// assert!(FhirClient::new("not a url", ClientConfig::default()).is_err());
    /// // Credentials go in `ClientConfig::auth`; the error does not repeat them.
    /// let err = FhirClient::new("http://hrh:pw-s3cr3t@127.0.0.1/fhir", ClientConfig::default());
    /// assert!(!err.unwrap_err().to_string().contains("s3cr3t"));
    /// # Ok::<(), hrh_fhir::FhirError>(())
    /// ```
    pub fn new(base_url: &str, config: ClientConfig) -> Result<Self, FhirError> {
        let mut base = Url::parse(base_url).map_err(|e| FhirError::InvalidUrl {
            url: base_url.to_owned(),
            detail: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(FhirError::InvalidUrl {
                url: base_url.to_owned(),
                detail: "not http or https".to_owned(),
            });
        }
        if !base.username().is_empty() || base.password().is_some() {
            let _ = base.set_username("");
            let _ = base.set_password(None);
            return Err(FhirError::InvalidUrl {
                url: base.to_string(),
                detail: "credentials belong in ClientConfig::auth, not in the URL".to_owned(),
            });
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.set_query(None);
        base.set_fragment(None);
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .danger_accept_invalid_certs(config.accept_invalid_certs)
            .build()
            .map_err(|e| FhirError::Transport {
                method: "-".to_owned(),
                url: base.to_string(),
                detail: http::error_text(&e),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                config,
                tokens: auth::TokenCache::default(),
            }),
        })
    }

    /// The base URL, ending with `/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// A URL relative to the base (`Practitioner/1`, `Practitioner/_history`, `$export`).
    pub(crate) fn url(&self, path: &str) -> Result<Url, FhirError> {
        self.inner
            .base
            .join(path)
            .map_err(|e| FhirError::InvalidUrl {
                url: path.to_owned(),
                detail: e.to_string(),
            })
    }

    /// The server's `CapabilityStatement` (`GET [base]/metadata`).
    pub async fn capabilities(&self) -> Result<serde_json::Value, FhirError> {
        let request = Request::get(self.url("metadata")?);
        self.fetch(&request).await?.json()
    }

    /// Reads a resource (`GET [base]/Type/id`); a missing or deleted one is
    /// [`FhirError::Http`] with status 404 or 410.
    pub async fn read(
        &self,
        resource_type: &str,
        id: &str,
    ) -> Result<serde_json::Value, FhirError> {
        let request = Request::get(self.url(&format!("{resource_type}/{id}"))?);
        self.fetch(&request).await?.json()
    }
}

/// The text after `HTTP <status>` in [`FhirError::Http`]'s message.
pub(crate) fn describe_failure(outcome: Option<&OperationOutcome>, text: Option<&str>) -> String {
    match (outcome, text) {
        (Some(outcome), _) if !outcome.issues.is_empty() => format!(": {outcome}"),
        (_, Some(text)) if !text.trim().is_empty() => format!(": {}", text.trim()),
        _ => String::new(),
    }
}
