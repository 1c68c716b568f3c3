//! What runs before every `/api` handler: fault injection, then authentication;
//! and the `/__faults` admin endpoint.

use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use crate::api::web_message;
use crate::{Fault, Shared};

/// How many `/api` requests `GET /__requests` shows at most (the latest).
const SEEN: usize = 1000;

/// One `/api` request as `GET /__requests` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Seen {
    method: String,
    path: String,
    /// The raw query string (percent-encoded as sent).
    query: String,
}

/// The demo credentials.
const USER: &str = "admin";
const PASSWORD: &str = "district";

/// Counts the request, applies the next injected fault, checks credentials.
pub async fn guard(State(state): State<Shared>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api") {
        return next.run(request).await;
    }
    let fault = {
        let mut s = state.lock();
        s.requests += 1;
        if s.seen.len() >= SEEN {
            s.seen.pop_front();
        }
        let seen = Seen {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
            query: request.uri().query().unwrap_or_default().to_owned(),
        };
        s.seen.push_back(seen);
        s.faults.pop_front()
    };
    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Some(status) = fault.status {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = (code, code.canonical_reason().unwrap_or("fault")).into_response();
            if let Some(wait) = fault
                .retry_after
                .and_then(|w| HeaderValue::from_str(&w).ok())
            {
                response.headers_mut().insert(header::RETRY_AFTER, wait);
            }
            return response;
        }
    }
    let token = state.lock().token.clone();
    match authorised(request.headers(), &token) {
        Ok(()) => next.run(request).await,
        Err(scheme) => {
            let mut response = web_message(401, "Unauthorized", None);
            if let Ok(value) = HeaderValue::from_str(scheme) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

/// `Ok` for admin/district or the token; else the `WWW-Authenticate` challenge.
fn authorised(headers: &HeaderMap, token: &str) -> Result<(), &'static str> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(encoded) = given.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .unwrap_or_default();
        if decoded == format!("{USER}:{PASSWORD}").as_bytes() {
            return Ok(());
        }
        return Err("Basic realm=\"DHIS2\"");
    }
    if let Some(sent) = given.strip_prefix("ApiToken ") {
        return if sent.trim() == token {
            Ok(())
        } else {
            Err("ApiToken")
        };
    }
    Err("Basic realm=\"DHIS2\"")
}

/// The body of `POST /__faults`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRequest {
    /// Status to answer (503, 429, 502, 504...); absent = only delay.
    status: Option<u16>,
    /// `Retry-After` header value (seconds or an HTTP date).
    retry_after: Option<String>,
    /// Wait before answering, in milliseconds (longer than the client's timeout = a hang).
    #[serde(default)]
    delay_ms: u64,
    /// How many of the next `/api` requests get it (default 1).
    count: Option<usize>,
}

/// `POST /__faults`: queue faults for the next requests.
pub async fn add_faults(
    State(state): State<Shared>,
    Json(request): Json<FaultRequest>,
) -> Response {
    let mut s = state.lock();
    for _ in 0..request.count.unwrap_or(1) {
        s.faults.push_back(Fault {
            status: request.status,
            retry_after: request.retry_after.clone(),
            delay_ms: request.delay_ms,
        });
    }
    Json(json!({"pending": s.faults.len(), "requests": s.requests})).into_response()
}

/// `GET /__faults`: faults pending and `/api` requests seen so far.
pub async fn show_faults(State(state): State<Shared>) -> Response {
    let s = state.lock();
    Json(json!({"pending": s.faults.len(), "requests": s.requests})).into_response()
}

/// `DELETE /__faults`: drop pending faults.
pub async fn clear_faults(State(state): State<Shared>) -> Response {
    state.lock().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /__requests`: the latest `/api` requests (method, path, raw query), oldest first.
pub async fn show_requests(State(state): State<Shared>) -> Response {
    let s = state.lock();
    Json(json!({"requests": s.seen})).into_response()
}
