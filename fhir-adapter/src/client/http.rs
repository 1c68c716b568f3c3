//! Sending requests: credentials, timeouts, retries with backoff, body size limits, and
//! turning error responses into [`FhirError::Http`].

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use super::{FhirClient, OperationOutcome, auth, retry};
use crate::error::FhirError;
use hrh_core::Secret;

/// A credential to attach to one request.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    Basic { username: String, password: Secret },
    Bearer(Secret),
}

/// A request, kept so it can be sent again. No `Debug`: its body may hold a client assertion.
#[derive(Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    /// Safe to repeat (retried on timeouts, 429, 502, 503, 504).
    safe: bool,
    /// Sends the configured credential (not for bulk files on other servers, ...).
    authenticated: bool,
}

impl Request {
    /// A request; GET, HEAD, PUT and DELETE are safe to repeat, others not unless [`Self::safe`].
    pub(crate) fn new(method: Method, url: Url) -> Self {
        let safe = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        );
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            safe,
            authenticated: true,
        }
    }

    pub(crate) fn get(url: Url) -> Self {
        Self::new(Method::GET, url).header("accept", "application/fhir+json")
    }

    /// Adds a header (a name or value that is not valid HTTP is ignored: all callers pass
    /// constants or values checked by the caller).
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.insert(name, value);
        }
        self
    }

    pub(crate) fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn json_body(self, body: Vec<u8>) -> Self {
        self.header("content-type", "application/fhir+json")
            .header("accept", "application/fhir+json")
            .body(body)
    }

    pub(crate) fn safe(mut self, safe: bool) -> Self {
        self.safe = safe;
        self
    }

    pub(crate) fn authenticated(mut self, authenticated: bool) -> Self {
        self.authenticated = authenticated;
        self
    }
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) url: Url,
}

impl Response {
    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub(crate) fn json(&self) -> Result<serde_json::Value, FhirError> {
        serde_json::from_slice(&self.body).map_err(|e| FhirError::UnexpectedResponse {
            url: self.url.to_string(),
            detail: format!(
                "HTTP {}: body is not JSON: {}",
                self.status.as_u16(),
                crate::error::redact(&e)
            ),
        })
    }
}

/// What one exchange gave: a whole body, or a successful response still streaming.
pub(crate) enum Received {
    Full(Response),
    Stream(reqwest::Response),
}

impl Received {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Full(r) => r.status,
            Self::Stream(r) => r.status(),
        }
    }

    pub(crate) fn into_full(self) -> Option<Response> {
        match self {
            Self::Full(r) => Some(r),
            Self::Stream(_) => None,
        }
    }
}

enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

impl FhirClient {
    /// Sends a request and reads the whole body; an error status is an error.
    pub(crate) async fn fetch(&self, request: &Request) -> Result<Response, FhirError> {
        match self.execute(request, false).await? {
            Received::Full(response) if response.status.is_success() => Ok(response),
            Received::Full(response) => Err(http_error(request, &response)),
            Received::Stream(_) => Err(unexpected(request, "streamed response")),
        }
    }

    /// Sends a request and reads the whole body, whatever the status.
    pub(crate) async fn fetch_any(&self, request: &Request) -> Result<Response, FhirError> {
        self.execute(request, false)
            .await?
            .into_full()
            .ok_or_else(|| unexpected(request, "streamed response"))
    }

    /// Sends a request and returns the successful response unread, for streaming.
    pub(crate) async fn open(&self, request: &Request) -> Result<reqwest::Response, FhirError> {
        match self.execute(request, true).await? {
            Received::Stream(response) => Ok(response),
            Received::Full(response) => Err(http_error(request, &response)),
        }
    }

    /// Credentials, retries, and one token refresh on 401.
    async fn execute(&self, request: &Request, stream: bool) -> Result<Received, FhirError> {
        let mut refreshed = false;
        loop {
            let credential = if request.authenticated {
                auth::credential(self).await?
            } else {
                None
            };
            let received = self
                .send_with_retries(request, credential.as_ref(), stream)
                .await?;
            if received.status() == StatusCode::UNAUTHORIZED
                && request.authenticated
                && auth::refreshable(&self.inner.config.auth)
                && !refreshed
            {
                tracing::debug!(url = %request.url, "401: fetching a new access token");
                refreshed = true;
                self.inner.tokens.invalidate().await;
                continue;
            }
            return Ok(received);
        }
    }

    /// One request with retries on connection errors, timeouts, 429, 502, 503, 504.
    pub(crate) async fn send_with_retries(
        &self,
        request: &Request,
        credential: Option<&Credential>,
        stream: bool,
    ) -> Result<Received, FhirError> {
        let config = &self.inner.config;
        let mut attempt = 0u32;
        loop {
            let can_retry = attempt < config.max_retries;
            let mut builder = self
                .inner
                .http
                .request(request.method.clone(), request.url.clone())
                .headers(request.headers.clone());
            if !stream {
                builder = builder.timeout(config.timeout);
            }
            builder = match credential {
                Some(Credential::Basic { username, password }) => {
                    builder.basic_auth(username, Some(password.expose()))
                }
                Some(Credential::Bearer(token)) => builder.bearer_auth(token.expose()),
                None => builder,
            };
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            let response = match builder.send().await {
                Ok(response) => response,
                Err(e) => {
                    // A connection never opened sent nothing: safe to retry any request.
                    if can_retry && (e.is_connect() || request.safe) {
                        let wait = retry::wait_before_retry(config, None, attempt);
                        tracing::warn!(method = %request.method, url = %request.url, attempt,
                            error = %error_text(&e), wait_ms = wait.as_millis(), "retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(self.transport_error(request, &e));
                }
            };
            let status = response.status();
            if retry::retryable_status(status) && request.safe && can_retry {
                let wait = retry::wait_before_retry(config, Some(response.headers()), attempt);
                tracing::warn!(method = %request.method, url = %request.url, attempt,
                    status = status.as_u16(), wait_ms = wait.as_millis(), "retrying");
                drop(response);
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            if stream && status.is_success() {
                return Ok(Received::Stream(response));
            }
            let headers = response.headers().clone();
            let url = response.url().clone();
            match read_body(response, config.max_body_bytes).await {
                Ok(body) => {
                    return Ok(Received::Full(Response {
                        status,
                        headers,
                        body,
                        url,
                    }));
                }
                Err(BodyError::TooLarge) => {
                    return Err(FhirError::TooLarge {
                        url: request.url.to_string(),
                        limit: config.max_body_bytes,
                    });
                }
                Err(BodyError::Transport(e)) => {
                    if can_retry && request.safe {
                        let wait = retry::wait_before_retry(config, None, attempt);
                        tracing::warn!(method = %request.method, url = %request.url, attempt,
                            error = %error_text(&e), "body incomplete; retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(self.transport_error(request, &e));
                }
            }
        }
    }

    fn transport_error(&self, request: &Request, e: &reqwest::Error) -> FhirError {
        if e.is_timeout() {
            FhirError::Timeout {
                method: request.method.to_string(),
                url: request.url.to_string(),
                seconds: self.inner.config.timeout.as_secs_f64(),
            }
        } else {
            FhirError::Transport {
                method: request.method.to_string(),
                url: request.url.to_string(),
                detail: error_text(e),
            }
        }
    }
}

/// Reads a body, refusing it once it passes `limit` bytes.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if u64::try_from(body.len() + chunk.len()).unwrap_or(u64::MAX) > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error's message and causes, without the URL (said by the caller) and without headers.
pub(crate) fn error_text(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else if e.is_body() || e.is_decode() {
        "response body incomplete or undecodable".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A [`FhirError::Http`] from an error response.
pub(crate) fn http_error(request: &Request, response: &Response) -> FhirError {
    let outcome = OperationOutcome::from_slice(&response.body);
    let text = if outcome.is_none() && !response.body.is_empty() {
        Some(
            String::from_utf8_lossy(&response.body)
                .chars()
                .take(200)
                .collect(),
        )
    } else {
        None
    };
    FhirError::Http {
        method: request.method.to_string(),
        url: request.url.to_string(),
        status: response.status.as_u16(),
        outcome,
        text,
    }
}

pub(crate) fn unexpected(request: &Request, detail: &str) -> FhirError {
    FhirError::UnexpectedResponse {
        url: request.url.to_string(),
        detail: detail.to_owned(),
    }
}
