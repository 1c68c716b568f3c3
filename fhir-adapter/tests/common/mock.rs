//! Helpers of the tests that run the blocking client against a wiremock server.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use hrh_fhir::client::ClientConfig;
use hrh_fhir::client::blocking::FhirClient;
use wiremock::MockServer;

/// A runtime for the mock servers (the blocking client brings its own).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A blocking client of `server`'s `/fhir`, without retries.
pub fn client(server: &MockServer) -> FhirClient {
    let config = ClientConfig {
        max_retries: 0,
        initial_backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    };
    FhirClient::new(&format!("{}/fhir", server.uri()), config).unwrap()
}
