//! `hrh_fhir::sync` against an HTTP mock: how `load` counts per-entry outcomes and refused
//! Bundles, and that `pull_history` starts afresh for another server, goes on from stored
//! watermarks otherwise, and never stores state itself. (The real-server path is covered
//! by the CLI's end-to-end tests against sekmet-fhir.)
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_fhir::FhirError;
use hrh_fhir::client::ClientConfig;
use hrh_fhir::client::blocking::FhirClient;
use hrh_fhir::mirror::{Mirror, SyncState};
use hrh_fhir::sync::{load, pull_history};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn client(server: &MockServer) -> FhirClient {
    let config = ClientConfig {
        max_retries: 0,
        initial_backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    };
    FhirClient::new(&format!("{}/fhir", server.uri()), config).unwrap()
}

/// A mock answering every request with `template`.
fn answering(rt: &tokio::runtime::Runtime, template: ResponseTemplate) -> MockServer {
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(template)
            .mount(&server)
            .await;
        server
    })
}

/// A transaction-response answering each entry: `201` for `Practitioner` entries, `200`
/// for organisations, `400` for locations, others `200`.
fn answer(request: &Request) -> ResponseTemplate {
    let bundle: Value = serde_json::from_slice(&request.body).unwrap();
    let entries: Vec<Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let status = match e["resource"]["resourceType"].as_str().unwrap() {
                "Practitioner" => "201 Created",
                "Location" => "400 Bad Request",
                _ => "200 OK",
            };
            json!({"response": {"status": status}})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(
        json!({"resourceType": "Bundle", "type": "transaction-response", "entry": entries}),
    )
}

#[test]
fn load_counts_entry_outcomes_and_refused_bundles_and_stops_on_server_errors() {
    let rt = runtime();
    let registry = SyntheticRegistry::new(Config {
        workers: 20,
        ..Config::default()
    })
    .to_registry();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/fhir/"))
            .respond_with(answer)
            .mount(&server)
            .await;
        server
    });
    let mut calls = 0;
    let counts = load(&client(&server), &registry, 7, &mut |_| calls += 1).unwrap();
    let total = registry.record_count();
    assert_eq!(counts.entries(), total);
    assert_eq!(counts.bundles, total.div_ceil(7));
    assert_eq!(calls, counts.bundles);
    assert_eq!(counts.created, registry.practitioners.len());
    assert_eq!(counts.failed, registry.facilities.len());
    assert!(counts.errors.is_empty());

    // A refused Bundle (422) counts its entries as failed and the load goes on.
    let outcome = json!({"resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "processing"}]});
    let refusing = answering(&rt, ResponseTemplate::new(422).set_body_json(outcome));
    let counts = load(&client(&refusing), &registry, 7, &mut |_| {}).unwrap();
    assert_eq!((counts.failed, counts.created), (total, 0));
    assert_eq!(counts.errors.len(), counts.bundles);

    // Credentials refused: an error, not a count.
    let locked = answering(&rt, ResponseTemplate::new(401));
    let error = load(&client(&locked), &registry, 7, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, FhirError::Http { status: 401, .. }),
        "{error}"
    );
}

fn history(entries: &[Value]) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("date", "Tue, 01 Dec 2026 04:00:00 GMT")
        .set_body_json(json!({"resourceType": "Bundle", "type": "history", "entry": entries}))
}

#[test]
fn pull_history_starts_afresh_for_another_server_and_goes_on_from_watermarks() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        // With a watermark: one deletion.
        Mock::given(method("GET"))
            .and(path("/fhir/Practitioner/_history"))
            .and(query_param("_since", "2026-12-01T04:00:00Z"))
            .respond_with(history(&[
                json!({"request": {"method": "DELETE", "url": "Practitioner/a"}}),
            ]))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/fhir/Practitioner/_history"))
            .respond_with(history(&[
                json!({"resource": {"resourceType": "Practitioner", "id": "a"}, "request": {"method": "PUT", "url": "Practitioner/a"}}),
                json!({"resource": {"resourceType": "Practitioner", "id": "b"}, "request": {"method": "POST", "url": "Practitioner"}}),
            ]))
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(history(&[]))
            .with_priority(3)
            .mount(&server)
            .await;
        server
    });
    let dir = std::env::temp_dir().join(format!("hrh-sync-mock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mirror = Mirror::open(&dir).unwrap();
    // Something from another server is in the mirror: it goes.
    mirror
        .apply(vec![
            hrh_fhir::mirror::Change::upsert(r#"{"resourceType":"Location","id":"old"}"#).unwrap(),
        ])
        .unwrap();
    let other = SyncState {
        base_url: Some("https://elsewhere.example.org/fhir/".into()),
        ..SyncState::default()
    };
    let client = client(&server);
    let first = pull_history(&client, &mirror, &other).unwrap();
    assert!(first.reset);
    assert_eq!((first.changes(), first.deletions()), (2, 0));
    assert!(!dir.join("Location.ndjson").exists());
    assert_eq!(
        first.state.base_url.as_deref(),
        Some(client.as_async().base_url().as_str())
    );
    assert_eq!(first.state.since.len(), 5, "{:?}", first.state);
    assert!(
        !dir.join("state.json").exists(),
        "pull never stores the state"
    );

    let second = pull_history(&client, &mirror, &first.state).unwrap();
    assert!(!second.reset);
    assert_eq!((second.changes(), second.deletions()), (1, 1));
    let left = std::fs::read_to_string(dir.join("Practitioner.ndjson")).unwrap();
    assert!(left.contains("\"b\"") && !left.contains("\"a\""), "{left}");

    // A state file round-trips, and a missing one is empty.
    let file = dir.join("nested/state.json");
    assert_eq!(SyncState::read(&file).unwrap(), SyncState::default());
    second.state.write(&file).unwrap();
    assert_eq!(SyncState::read(&file).unwrap(), second.state);
    std::fs::remove_dir_all(&dir).unwrap();
}
