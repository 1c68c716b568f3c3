//! Bulk Data `$export` (<https://hl7.org/fhir/uv/bulkdata/export.html>): kick-off, status
//! polling with `Retry-After`, NDJSON outputs streamed line by line, job deletion.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use super::http::{Request, http_error};
use super::{FhirClient, SearchParams, retry};
use crate::config::ReadConfig;
use crate::error::FhirError;
use crate::read::{NdjsonFeed, ReadReport, Record};

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportLevel {
    /// The whole server: `[base]/$export`.
    System,
    /// A group's members: `[base]/Group/{id}/$export`.
    Group(String),
    /// One resource type: `[base]/{Type}/$export` (server support varies).
    Type(String),
}

/// A bulk-export kick-off request.
///
/// ```
/// use hrh_fhir::client::{ExportLevel, ExportRequest};
/// let request = ExportRequest::new(ExportLevel::System)
///     .types(&["Practitioner", "PractitionerRole"])
///     .since("2024-01-01T00:00:00Z");
/// assert_eq!(request.path(), "$export");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// System, group or type level.
    pub level: ExportLevel,
    /// `_type`: resource types to export (all when empty).
    pub types: Vec<String>,
    /// `_since`: only resources changed after this instant.
    pub since: Option<String>,
}

impl ExportRequest {
    /// An export of everything at a level.
    pub fn new(level: ExportLevel) -> Self {
        Self {
            level,
            types: Vec::new(),
            since: None,
        }
    }

    /// Sets `_type`.
    #[must_use]
    pub fn types(mut self, types: &[&str]) -> Self {
        self.types = types.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// Sets `_since`.
    #[must_use]
    pub fn since(mut self, instant: &str) -> Self {
        self.since = Some(instant.to_owned());
        self
    }

    /// The kick-off path relative to the base.
    pub fn path(&self) -> String {
        match &self.level {
            ExportLevel::System => "$export".to_owned(),
            ExportLevel::Group(id) => format!("Group/{id}/$export"),
            ExportLevel::Type(resource_type) => format!("{resource_type}/$export"),
        }
    }
}

/// A started export: its status URL (from `Content-Location`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJob {
    /// The URL to poll, and to `DELETE` to cancel.
    pub status_url: Url,
}

/// Where an export is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportStatus {
    /// Still running (HTTP 202).
    InProgress {
        /// `X-Progress`, when sent.
        progress: Option<String>,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// Done (HTTP 200): the manifest.
    Complete(ExportManifest),
}

/// The completion manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportManifest {
    /// The server's time the export reflects: the `_since` of the next incremental export.
    #[serde(default)]
    pub transaction_time: String,
    /// The kick-off URL.
    #[serde(default)]
    pub request: String,
    /// Whether downloading the outputs needs the access token.
    #[serde(default)]
    pub requires_access_token: bool,
    /// The NDJSON files, one or more per type.
    #[serde(default)]
    pub output: Vec<ExportOutput>,
    /// NDJSON files of `OperationOutcome`s about resources that could not be exported.
    #[serde(default)]
    pub error: Vec<ExportOutput>,
}

/// One output file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExportOutput {
    /// The resource type in the file.
    #[serde(rename = "type", default)]
    pub resource_type: String,
    /// The file's URL.
    pub url: String,
    /// Resources in the file, when the server says.
    #[serde(default)]
    pub count: Option<u64>,
}

impl FhirClient {
    /// Starts an export: `GET [base]/…/$export?_type=…&_since=…` with `Prefer: respond-async`;
    /// the server answers 202 with the status URL in `Content-Location`.
    pub async fn export_start(&self, export: &ExportRequest) -> Result<ExportJob, FhirError> {
        let mut params = SearchParams::new();
        if !export.types.is_empty() {
            params = params.param("_type", &export.types.join(","));
        }
        if let Some(since) = &export.since {
            params = params.param("_since", since);
        }
        let mut url = self.url(&export.path())?;
        if !params.pairs().is_empty() {
            url.set_query(Some(&params.to_query()));
        }
        let request = Request::get(url).header("prefer", "respond-async");
        let response = self.fetch(&request).await?;
        if response.status != StatusCode::ACCEPTED {
            return Err(FhirError::Export {
                url: request.url.to_string(),
                detail: format!(
                    "kick-off answered HTTP {} instead of 202",
                    response.status.as_u16()
                ),
            });
        }
        let location = response
            .header("content-location")
            .ok_or_else(|| FhirError::Export {
                url: request.url.to_string(),
                detail: "202 without Content-Location".to_owned(),
            })?;
        let status_url = self
            .inner
            .base
            .join(location)
            .map_err(|e| FhirError::InvalidUrl {
                url: location.to_owned(),
                detail: e.to_string(),
            })?;
        self.check_origin(&status_url)?;
        Ok(ExportJob { status_url })
    }

    /// Polls an export once: 202 is in progress, 200 the manifest, an error status the job's
    /// failure ([`FhirError::Http`] with its OperationOutcome).
    pub async fn export_status(&self, job: &ExportJob) -> Result<ExportStatus, FhirError> {
        let request = Request::get(job.status_url.clone()).header("accept", "application/json");
        let response = self.fetch(&request).await?;
        match response.status {
            StatusCode::ACCEPTED => Ok(ExportStatus::InProgress {
                progress: response.header("x-progress").map(str::to_owned),
                retry_after: retry::retry_after(&response.headers),
            }),
            StatusCode::OK => {
                let manifest =
                    serde_json::from_slice(&response.body).map_err(|e| FhirError::Export {
                        url: request.url.to_string(),
                        detail: format!("manifest unreadable: {}", crate::error::redact(&e)),
                    })?;
                Ok(ExportStatus::Complete(manifest))
            }
            other => Err(FhirError::Export {
                url: request.url.to_string(),
                detail: format!("status answered HTTP {}", other.as_u16()),
            }),
        }
    }

    /// Polls until the export completes, waiting `Retry-After` (else
    /// [`ClientConfig::export_poll_interval`](super::ClientConfig::export_poll_interval))
    /// between polls, at most [`ClientConfig::export_timeout`](super::ClientConfig::export_timeout).
    pub async fn export_wait(&self, job: &ExportJob) -> Result<ExportManifest, FhirError> {
        let config = &self.inner.config;
        let deadline = Instant::now().checked_add(config.export_timeout);
        loop {
            match self.export_status(job).await? {
                ExportStatus::Complete(manifest) => return Ok(manifest),
                ExportStatus::InProgress {
                    progress,
                    retry_after,
                } => {
                    let wait = retry_after
                        .unwrap_or(config.export_poll_interval)
                        .min(config.max_retry_after);
                    let wakes = Instant::now().checked_add(wait);
                    if deadline.is_some_and(|d| wakes.is_none_or(|w| w > d)) {
                        return Err(FhirError::Export {
                            url: job.status_url.to_string(),
                            detail: format!(
                                "not complete after {} s",
                                config.export_timeout.as_secs()
                            ),
                        });
                    }
                    tracing::debug!(url = %job.status_url, progress = ?progress, wait_ms = wait.as_millis(), "export in progress");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Streams one output file line by line to `on_line` (each line without its line break),
    /// never holding more than one line; returns the number of lines. A line longer than
    /// [`ClientConfig::max_body_bytes`](super::ClientConfig::max_body_bytes) is refused.
    ///
    /// The access token is sent when the manifest requires it, and then only to the server's
    /// origin or an allowed one.
    pub async fn export_lines(
        &self,
        manifest: &ExportManifest,
        output: &ExportOutput,
        on_line: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FhirError> {
        let url = self
            .inner
            .base
            .join(&output.url)
            .map_err(|e| FhirError::InvalidUrl {
                url: output.url.clone(),
                detail: e.to_string(),
            })?;
        if manifest.requires_access_token {
            self.check_origin(&url)?;
        }
        let request = Request::get(url.clone())
            .header("accept", "application/fhir+ndjson")
            .authenticated(manifest.requires_access_token);
        let mut response = self.open(&request).await?;
        let limit = usize::try_from(self.inner.config.max_body_bytes).unwrap_or(usize::MAX);
        let mut line = Vec::new();
        let mut lines = 0u64;
        loop {
            let chunk = response.chunk().await.map_err(|e| FhirError::Transport {
                method: "GET".to_owned(),
                url: url.to_string(),
                detail: super::http::error_text(&e),
            })?;
            let Some(chunk) = chunk else { break };
            let mut rest: &[u8] = &chunk;
            while let Some(pos) = rest.iter().position(|b| *b == b'\n') {
                let (head, tail) = rest.split_at(pos);
                line.extend_from_slice(head);
                if line.len() > limit {
                    return Err(too_large(&url, limit));
                }
                on_line(&line);
                lines += 1;
                line.clear();
                rest = tail.get(1..).unwrap_or_default();
            }
            line.extend_from_slice(rest);
            if line.len() > limit {
                return Err(too_large(&url, limit));
            }
        }
        if !line.is_empty() {
            on_line(&line);
            lines += 1;
        }
        Ok(lines)
    }

    /// Streams one output file into the crate's NDJSON reader (records to `sink`), named by
    /// its type (`Practitioner.ndjson`) in the report's locations.
    pub async fn export_read(
        &self,
        manifest: &ExportManifest,
        output: &ExportOutput,
        config: &ReadConfig,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ReadReport, FhirError> {
        let name = format!("{}.ndjson", output.resource_type);
        let mut feed = NdjsonFeed::new(&name, config);
        self.export_lines(manifest, output, &mut |line| feed.line(line, sink))
            .await?;
        Ok(feed.finish())
    }

    /// Cancels an export, or tells the server its files may be removed (`DELETE` the status
    /// URL).
    pub async fn export_delete(&self, job: &ExportJob) -> Result<(), FhirError> {
        let request = Request::new(Method::DELETE, job.status_url.clone())
            .header("accept", "application/fhir+json");
        match self.fetch_any(&request).await? {
            r if r.status.is_success() || r.status == StatusCode::NOT_FOUND => Ok(()),
            r => Err(http_error(&request, &r)),
        }
    }

    /// Refuses URLs off the server's origin (unless allowed), so credentials stay with it.
    pub(crate) fn check_origin(&self, url: &Url) -> Result<(), FhirError> {
        let origin = url.origin().ascii_serialization();
        let own = self.inner.base.origin().ascii_serialization();
        if origin == own
            || self
                .inner
                .config
                .allowed_origins
                .iter()
                .any(|o| o.trim_end_matches('/') == origin)
        {
            Ok(())
        } else {
            Err(FhirError::ForeignOrigin {
                url: url.to_string(),
                origin: own,
            })
        }
    }
}

fn too_large(url: &Url, limit: usize) -> FhirError {
    FhirError::TooLarge {
        url: url.to_string(),
        limit: u64::try_from(limit).unwrap_or(u64::MAX),
    }
}
