//! `hrh_fhir::sync` against an HTTP mock: that `pull_history` starts afresh for another server, goes on from stored
//! watermarks otherwise, and never stores state itself. (The real-server path is covered
//! by the CLI's end-to-end tests against sekmet-fhir.)
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/mock.rs"]
mod mock;

use hrh_fhir::mirror::{Mirror, SyncState};
use hrh_fhir::sync::pull_history;
use mock::{client, runtime};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
