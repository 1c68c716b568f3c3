//! [`ClientConfig`]: timeouts, retries, size limits, paging and auth of a [`FhirClient`](super::FhirClient).

use std::time::Duration;

use super::auth::Auth;

/// Settings of a [`FhirClient`](super::FhirClient); every field has a documented default.
///
/// ```
/// use std::time::Duration;
/// use hrh_fhir::client::{Auth, ClientConfig, Secret};
/// let config = ClientConfig {
///     auth: Auth::Bearer(Secret::new("token")),
///     timeout: Duration::from_secs(10),
///     ..ClientConfig::default()
/// };
/// assert_eq!(config.max_retries, 3);
/// assert!(!format!("{config:?}").contains("token\""));
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// How requests authenticate. Default: [`Auth::None`].
    pub auth: Auth,
    /// Time limit of each request, from sending to the whole body received. Default: 30 s.
    pub timeout: Duration,
    /// Time limit for establishing a connection. Default: 10 s.
    pub connect_timeout: Duration,
    /// Time limit between two reads of a streamed bulk-export file (whose total time is not
    /// limited). Default: 60 s.
    pub read_timeout: Duration,
    /// Largest response body accepted, in bytes; for bulk NDJSON files, the largest line.
    /// Default: 64 MiB.
    pub max_body_bytes: u64,
    /// Retries after a connection error, a timeout, or HTTP 429, 502, 503 or 504, for requests
    /// safe to repeat (GET, PUT, DELETE, conditional create, token requests); a connection
    /// that could not be opened is retried for every request. Default: 3.
    pub max_retries: u32,
    /// The first backoff; it doubles with each retry, and a random jitter takes off up to
    /// half of it. Default: 0.5 s.
    pub initial_backoff: Duration,
    /// The largest backoff. Default: 30 s.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (a longer one is shortened to this). Default: 120 s.
    pub max_retry_after: Duration,
    /// Origins (`https://host:port`) other than the base URL's that `next` links may point to.
    /// Default: none (a `next` link elsewhere is an error).
    pub allowed_origins: Vec<String>,
    /// The `_count` sent with searches and history requests that do not set one.
    /// Default: `Some(100)`.
    pub page_size: Option<u32>,
    /// Shortest wait between two polls of a bulk-export status when the server sends no
    /// `Retry-After`. Default: 2 s.
    pub export_poll_interval: Duration,
    /// Longest wait for a bulk export to complete. Default: 1 hour.
    pub export_timeout: Duration,
    /// The `User-Agent` header. Default: `hrh-fhir/<version>`.
    pub user_agent: String,
    /// Accept any TLS certificate, even an invalid or self-signed one (test servers only).
    /// Default: `false`.
    pub accept_invalid_certs: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            auth: Auth::None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_mins(1),
            max_body_bytes: 64 * 1024 * 1024,
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_mins(2),
            allowed_origins: Vec::new(),
            page_size: Some(100),
            export_poll_interval: Duration::from_secs(2),
            export_timeout: Duration::from_hours(1),
            user_agent: concat!("hrh-fhir/", env!("CARGO_PKG_VERSION")).to_owned(),
            accept_invalid_certs: false,
        }
    }
}
