//! Sending one request: credentials, timeout, retries, and turning error answers into errors.

use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::Dhis2Client;
use super::retry::{delay, is_retryable_status, parse_retry_after};
use crate::error::{Dhis2Error, Result};
use crate::import_summary::WebMessage;

/// An HTTP answer: status and body.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The whole body.
    pub body: Vec<u8>,
}

/// One request to send: method, path below the base URL, query, JSON body.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    /// Whether repeating the request cannot do harm (reads and DHIS2 upserts).
    pub retry_safe: bool,
}

impl<'a> Call<'a> {
    /// A GET of `path` with `query`.
    pub fn get(path: &'a str, query: Vec<(&'static str, String)>) -> Self {
        Self {
            method: Method::GET,
            path,
            query,
            body: None,
            retry_safe: true,
        }
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "HTTP",
    }
}

impl Dhis2Client {
    /// Sends a call, retrying what the policy allows; any HTTP answer that is
    /// not retryable (or the last retryable one's status) comes back as [`Answer`].
    pub(crate) async fn execute(&self, mut call: Call<'_>) -> Result<Answer> {
        let url = self.endpoint(call.path)?;
        let name = method_name(&call.method);
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(ACCEPT, "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = call.body.take() {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let request = self.settings.auth.apply(request);
        let policy = &self.settings.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(this_try) = request.try_clone() else {
                return Err(Dhis2Error::ClientSetup(
                    "request body cannot be repeated".into(),
                ));
            };
            let retry_after = match this_try.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if !(call.retry_safe && is_retryable_status(status)) {
                        match response.bytes().await {
                            Ok(body) => {
                                return Ok(Answer {
                                    status,
                                    body: body.to_vec(),
                                });
                            }
                            Err(error) => {
                                give_up_unless_retryable(
                                    &call,
                                    name,
                                    attempt,
                                    max_attempts,
                                    &error,
                                )?;
                                None
                            }
                        }
                    } else if attempt >= max_attempts {
                        return Err(Dhis2Error::RetriesExhausted {
                            method: name,
                            path: call.path.to_owned(),
                            attempts: attempt,
                            status,
                        });
                    } else {
                        tracing::warn!(
                            method = name,
                            path = call.path,
                            attempt,
                            status,
                            "DHIS2 busy; retrying"
                        );
                        response
                            .headers()
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(parse_retry_after)
                    }
                }
                Err(error) => {
                    give_up_unless_retryable(&call, name, attempt, max_attempts, &error)?;
                    None
                }
            };
            tokio::time::sleep(delay(policy, attempt, retry_after)).await;
        }
    }

    /// Sends a call and reads a JSON answer of type `T`; error answers become errors.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        let name = method_name(&call.method);
        let path = call.path.to_owned();
        let answer = self.execute(call).await?;
        if answer.status >= 400 {
            return Err(error_answer(name, &path, &answer));
        }
        serde_json::from_slice(&answer.body).map_err(Dhis2Error::json)
    }
}

/// `Err` with the transport error unless it may be retried: connection errors
/// always (nothing reached the server), timeouts and broken bodies only for
/// safe calls, and only while attempts remain. A body cut off mid-way comes as a
/// decode error (the gzip decoder wraps every body), so decode errors count as
/// broken bodies.
fn give_up_unless_retryable(
    call: &Call<'_>,
    method: &'static str,
    attempt: u32,
    max_attempts: u32,
    error: &reqwest::Error,
) -> Result<()> {
    let may_retry = error.is_connect()
        || (call.retry_safe
            && (error.is_timeout() || error.is_body() || error.is_decode() || error.is_request()));
    if !may_retry || attempt >= max_attempts {
        return Err(transport(method, call.path, attempt, error));
    }
    tracing::warn!(
        method,
        path = call.path,
        attempt,
        kind = kind_of(error),
        "DHIS2 request failed; retrying"
    );
    Ok(())
}

fn kind_of(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection"
    } else {
        "request"
    }
}

/// A transport error with its kind and cause chain, never the URL.
fn transport(
    method: &'static str,
    path: &str,
    attempts: u32,
    error: &reqwest::Error,
) -> Dhis2Error {
    let kind = kind_of(error);
    let mut reason = error.to_string();
    // reqwest's message ends with ` for url (…)`: the path is reported on its own.
    if let Some(url) = error.url() {
        reason = reason.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    Dhis2Error::Transport {
        method,
        path: path.to_owned(),
        kind,
        attempts,
        reason,
    }
}

/// The error for an HTTP error answer: DHIS2's WebMessage when the body is one, else the status.
pub(crate) fn error_answer(method: &'static str, path: &str, answer: &Answer) -> Dhis2Error {
    if let Ok(message) = serde_json::from_slice::<WebMessage>(&answer.body)
        && (message.message.is_some() || message.http_status_code != 0)
    {
        return Dhis2Error::WebMessage {
            http_status_code: if message.http_status_code == 0 {
                answer.status
            } else {
                message.http_status_code
            },
            message: message.message,
            error_code: message.error_code,
            dev_message: message.dev_message,
        };
    }
    let text = String::from_utf8_lossy(&answer.body);
    let reason = StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let excerpt: String = text.chars().take(200).collect();
    Dhis2Error::HttpStatus {
        method,
        path: path.to_owned(),
        status: answer.status,
        body: if excerpt.trim().is_empty() {
            reason.to_owned()
        } else {
            excerpt
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_name_the_path_not_the_url() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = runtime
            .block_on(reqwest::get("http://127.0.0.1:1/api/me?fields=secretish"))
            .unwrap_err();
        let error = transport("GET", "api/me", 1, &error);
        let text = error.to_string();
        assert!(
            text.starts_with("GET api/me: connection after 1 attempt(s)"),
            "{text}"
        );
        assert!(
            !text.contains("127.0.0.1") && !text.contains("secretish"),
            "{text}"
        );
    }
}
