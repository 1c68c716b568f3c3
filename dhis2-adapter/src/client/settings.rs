//! Client settings: base URL, credentials, timeouts, retries, chunk and page sizes.

use std::time::Duration;

use super::auth::Auth;

/// When and how often to retry a request that is safe to repeat.
///
/// Retried: connection errors, timeouts, HTTP 429, 502, 503 and 504. The wait
/// before attempt *n + 1* is `initial_backoff × 2ⁿ⁻¹`, capped at `max_backoff`,
/// with jitter (a random point in its upper half); a `Retry-After` header
/// (seconds or HTTP date) replaces it, capped at `max_retry_after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 4; 1 = never retry).
    pub max_attempts: u32,
    /// Wait before the first retry (default 500 ms).
    pub initial_backoff: Duration,
    /// Longest computed wait (default 30 s).
    pub max_backoff: Duration,
    /// Longest wait a `Retry-After` header can ask for (default 120 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_mins(2),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Everything a [`Dhis2Client`](super::Dhis2Client) needs; build with
/// [`ClientSettings::new`] and adjust the public fields or the `with_` setters.
///
/// ```
/// use std::time::Duration;
/// use hrh_dhis2::client::{Auth, ClientSettings};
///
/// let settings = ClientSettings::new("https://dhis2.example.org", Auth::basic("admin", "district"))
///     .with_timeout(Duration::from_secs(10))
///     .with_chunk_size(2_000);
/// assert_eq!(settings.chunk_size, 2_000);
/// assert!(!format!("{settings:?}").contains("district"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// The DHIS2 instance, without `/api` (e.g. `https://play.dhis2.org/42`). Must not hold credentials.
    pub base_url: String,
    /// The credentials.
    pub auth: Auth,
    /// Time limit of each request, body included (default 60 s).
    pub timeout: Duration,
    /// Time limit for connecting (default 10 s).
    pub connect_timeout: Duration,
    /// Retries of safe requests.
    pub retry: RetryPolicy,
    /// Data values per import request (default 1,000).
    pub chunk_size: usize,
    /// Items per page when listing with paging (default 500).
    pub page_size: u32,
    /// Wait between two polls of an asynchronous import (default 1 s).
    pub poll_interval: Duration,
    /// Longest wait for an asynchronous import to complete (default 30 min).
    pub task_timeout: Duration,
    /// Accept any TLS certificate, even invalid or self-signed (default `false`). Only for
    /// test servers: it lets anyone in the middle read the credentials.
    pub accept_invalid_certs: bool,
}

impl ClientSettings {
    /// Settings for `base_url` and `auth`, with the documented defaults.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_mins(1),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            chunk_size: 1_000,
            page_size: 500,
            poll_interval: Duration::from_secs(1),
            task_timeout: Duration::from_mins(30),
            accept_invalid_certs: false,
        }
    }

    /// Sets the per-request time limit.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the number of data values per import request (at least 1).
    #[must_use]
    pub fn with_chunk_size(mut self, chunk_size: usize) -> Self {
        self.chunk_size = chunk_size.max(1);
        self
    }

    /// Sets the page size for listings (at least 1).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Accepts invalid TLS certificates (test servers only; see the field).
    #[must_use]
    pub fn with_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Sets the polling interval of asynchronous imports.
    #[must_use]
    pub fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }
}
