//! `hrh_fhir::load` against an HTTP mock, for what the real server cannot be made to do on
//! purpose: refuse chosen entries (so the bisection must find exactly those), answer
//! per-entry errors inside an accepted transaction, fail with 401 or 500. Each mock keeps
//! what it stored, so the tests check that every accepted entry is stored once and nothing
//! refused before sending reaches the server. (The real-server path is the CLI's
//! end-to-end test against sekmet-fhir.)
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/mock.rs"]
mod mock;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Recorded, Registry};
use hrh_fhir::FhirError;
use hrh_fhir::load::{Cause, LoadReport, load};
use hrh_fhir::write::precheck::ProblemKind;
use mock::{client, runtime};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn registry(workers: usize) -> Registry {
    SyntheticRegistry::new(Config {
        workers,
        bad_records: false,
        ..Config::default()
    })
    .to_registry()
}

/// What a mock received: every transaction (its entries' `Type/id`) and what it stored.
#[derive(Default)]
struct Seen {
    transactions: Vec<Vec<String>>,
    stored: Vec<String>,
}

fn key(entry: &Value) -> String {
    let resource = &entry["resource"];
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap(),
        resource["id"].as_str().unwrap()
    )
}

/// A `transaction-response` Bundle of `entries`.
fn transaction_response(entries: impl Iterator<Item = Value>) -> ResponseTemplate {
    let entries: Vec<Value> = entries.collect();
    ResponseTemplate::new(200).set_body_json(
        json!({"resourceType": "Bundle", "type": "transaction-response", "entry": entries}),
    )
}

/// A transaction endpoint that rolls back (HTTP 400 with an OperationOutcome naming the
/// first offender) any transaction holding one of `bad`, and otherwise stores every entry
/// (`201 Created`).
fn refusing(rt: &tokio::runtime::Runtime, bad: &[&str], seen: &Arc<Mutex<Seen>>) -> MockServer {
    let bad: BTreeSet<String> = bad.iter().map(|s| (*s).to_owned()).collect();
    let seen = Arc::clone(seen);
    rt.block_on(async move {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST"))
            .respond_with(move |request: &Request| {
                let bundle: Value = serde_json::from_slice(&request.body).unwrap();
                let entries = bundle["entry"].as_array().unwrap();
                let keys: Vec<String> = entries.iter().map(key).collect();
                let mut seen = seen.lock().unwrap();
                seen.transactions.push(keys.clone());
                if let Some(offender) = keys.iter().find(|k| bad.contains(*k)) {
                    return ResponseTemplate::new(400).set_body_json(json!({
                        "resourceType": "OperationOutcome",
                        "issue": [{"severity": "error", "code": "invalid",
                            "diagnostics": format!("Transaction rolled back: {offender} is not acceptable")}]
                    }));
                }
                seen.stored.extend(keys);
                transaction_response(
                    entries
                        .iter()
                        .map(|_| json!({"response": {"status": "201 Created"}})),
                )
            })
            .mount(&server)
            .await;
        server
    })
}

/// `Type/id` of every record of `registry`.
fn all_keys(registry: &Registry) -> BTreeSet<String> {
    hrh_fhir::write::entries(registry)
        .map(|e| e.unwrap().key())
        .collect()
}

/// The roles of practitioner `id`.
fn roles_of(registry: &Registry, id: &str) -> BTreeSet<String> {
    registry
        .employments
        .iter()
        .filter(|e| e.practitioner == id)
        .map(|e| format!("PractitionerRole/{}", e.id))
        .collect()
}

fn refused_keys(report: &LoadReport, pick: impl Fn(&Cause) -> bool) -> BTreeSet<String> {
    report
        .refused
        .iter()
        .filter(|r| pick(&r.cause))
        .map(|r| r.resource.clone())
        .collect()
}

#[test]
fn a_rolled_back_transaction_is_split_until_each_refused_entry_is_alone() {
    let rt = runtime();
    let registry = registry(40);
    let bad = ["Practitioner/hw-0000003", "Practitioner/hw-0000011"];
    let seen = Arc::new(Mutex::new(Seen::default()));
    let server = refusing(&rt, &bad, &seen);
    let mut calls = 0;
    let report = load(&client(&server), &registry, 16, &mut |_| calls += 1).unwrap();
    let all = all_keys(&registry);
    assert_eq!(report.entries, all.len());
    assert_eq!(report.accounted(), report.entries, "{report:?}");

    // Exactly the two bad ones refused by the server, with its message.
    let by_server = refused_keys(&report, |c| matches!(c, Cause::Server { .. }));
    assert_eq!(by_server, bad.iter().map(|s| (*s).to_owned()).collect());
    for refused in report.refused.iter().filter(|r| !r.cause.before_send()) {
        let text = refused.to_string();
        assert!(text.contains("(HTTP 400)"), "{text}");
        assert!(
            text.contains(&format!("{} is not acceptable", refused.resource)),
            "{text}"
        );
    }
    // Their roles are reported as dependent and never sent.
    let mut dependents = roles_of(&registry, "hw-0000003");
    dependents.extend(roles_of(&registry, "hw-0000011"));
    assert!(!dependents.is_empty());
    assert_eq!(
        refused_keys(&report, |c| matches!(c, Cause::Dependent { .. })),
        dependents
    );
    let seen = seen.lock().unwrap();
    let sent: BTreeSet<&String> = seen.transactions.iter().flatten().collect();
    assert!(dependents.iter().all(|d| !sent.contains(d)));

    // Everything else stored, each exactly once.
    let stored: BTreeSet<String> = seen.stored.iter().cloned().collect();
    assert_eq!(stored.len(), seen.stored.len(), "stored twice");
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|k| !bad.contains(&k.as_str()) && !dependents.contains(*k))
        .cloned()
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(report.created, expected.len());
    assert_eq!(report.bundles, seen.transactions.len());
    assert!(calls >= report.bundles);
    // Two refused 16-entry Bundles cost at most 2 * 2 * log2(16) more requests.
    let full = all.len().div_ceil(16);
    assert!(
        report.bundles <= full + 2 * 2 * 4,
        "{} requests",
        report.bundles
    );
}

#[test]
fn invalid_and_duplicate_entries_are_reported_and_never_sent() {
    let rt = runtime();
    let mut registry = registry(12);
    registry.practitioners[2].birth_date = Recorded::Invalid("2020-13-01".into());
    registry.practitioners[5].sex = Recorded::Invalid("F".into());
    let first = registry.practitioners[6].identifiers[0].clone();
    registry.practitioners[7].identifiers[0] = first;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let server = refusing(&rt, &[], &seen);
    let report = load(&client(&server), &registry, 100, &mut |_| {}).unwrap();
    assert_eq!(report.accounted(), report.entries);

    let invalid: Vec<(String, String)> = report
        .refused
        .iter()
        .filter_map(|r| match &r.cause {
            Cause::Invalid(problems) => Some((r.resource.clone(), problems[0].to_string())),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = invalid.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Practitioner/hw-0000002",
            "Practitioner/hw-0000005",
            "Practitioner/hw-0000007"
        ]
    );
    assert!(
        invalid[0].1.starts_with("birthDate is not a FHIR date"),
        "{}",
        invalid[0].1
    );
    assert!(!invalid[0].1.contains("2020-13-01"), "{}", invalid[0].1);
    assert!(
        invalid[1]
            .1
            .starts_with("gender is not a FHIR administrative-gender"),
        "{}",
        invalid[1].1
    );
    assert!(
        invalid[2]
            .1
            .contains("also that of Practitioner/hw-0000006"),
        "{}",
        invalid[2].1
    );
    let Cause::Invalid(problems) = &report.refused[2].cause else {
        panic!("{:?}", report.refused[2]);
    };
    assert!(matches!(
        problems[0].kind,
        ProblemKind::DuplicateIdentifier { .. }
    ));

    let seen = seen.lock().unwrap();
    let sent: BTreeSet<&String> = seen.transactions.iter().flatten().collect();
    let mut not_sent: BTreeSet<String> = names.iter().map(|s| (*s).to_owned()).collect();
    for id in ["hw-0000002", "hw-0000005", "hw-0000007"] {
        not_sent.extend(roles_of(&registry, id));
    }
    assert!(not_sent.iter().all(|k| !sent.contains(k)));
    assert_eq!(
        refused_keys(&report, Cause::before_send),
        not_sent,
        "the invalid ones and their roles"
    );
    assert_eq!(report.created, all_keys(&registry).len() - not_sent.len());
    assert_eq!(report.refused_by_server(), 0);
}

#[test]
fn entry_errors_inside_an_accepted_transaction_are_refusals_and_make_dependents() {
    let rt = runtime();
    let registry = registry(20);
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST"))
            .respond_with(|request: &Request| {
                let bundle: Value = serde_json::from_slice(&request.body).unwrap();
                transaction_response(bundle["entry"].as_array().unwrap().iter().map(|e| {
                    let status = match e["resource"]["resourceType"].as_str().unwrap() {
                        "Practitioner" => "201 Created",
                        "Location" => "422 Unprocessable Entity",
                        _ => "200 OK",
                    };
                    json!({"response": {"status": status, "outcome": {
                            "resourceType": "OperationOutcome",
                            "issue": [{"severity": "error", "code": "business-rule"}]}}})
                }))
            })
            .mount(&server)
            .await;
        server
    });
    // The first Bundle holds the organisations and locations, the roles come later.
    let first = registry.organizations.len() + registry.facilities.len();
    let report = load(&client(&server), &registry, first, &mut |_| {}).unwrap();
    assert_eq!(report.accounted(), report.entries);
    let locations: BTreeSet<String> = registry
        .facilities
        .iter()
        .map(|f| format!("Location/{}", f.id))
        .collect();
    assert_eq!(
        refused_keys(&report, |c| matches!(c, Cause::Server { .. })),
        locations
    );
    assert!(
        report
            .refused
            .iter()
            .any(|r| r.to_string().ends_with("(HTTP 422): error business-rule")),
        "{report:?}"
    );
    // Every role at a refused location is dependent; the others are stored.
    let (at_facility, elsewhere): (Vec<_>, Vec<_>) = registry
        .employments
        .iter()
        .partition(|e| e.facility.is_some());
    assert!(!at_facility.is_empty());
    assert_eq!(
        refused_keys(&report, |c| matches!(c, Cause::Dependent { .. })),
        at_facility
            .iter()
            .map(|e| format!("PractitionerRole/{}", e.id))
            .collect()
    );
    assert_eq!(report.created, registry.practitioners.len());
    assert_eq!(
        report.updated,
        registry.organizations.len() + elsewhere.len()
    );
}

#[test]
fn credentials_and_server_errors_stop_the_load_without_splitting() {
    let rt = runtime();
    let registry = registry(10);
    for status in [401, 500] {
        let server = rt.block_on(async {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(status))
                .mount(&server)
                .await;
            server
        });
        let error = load(&client(&server), &registry, 7, &mut |_| {}).unwrap_err();
        assert!(
            matches!(error, FhirError::Http { status: s, .. } if s == status),
            "{error}"
        );
        let requests = rt.block_on(server.received_requests()).unwrap();
        assert_eq!(requests.len(), 1, "HTTP {status}: not split, not retried");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever the server refuses and however the entries are chunked, the loader stores
    /// exactly the entries that are neither refused nor dependent on a refused one, each
    /// once, and accounts for every entry.
    #[test]
    fn bisection_finds_exactly_the_refused_entries(
        picks in proptest::collection::btree_set(0usize..60, 0..8),
        batch in 1usize..40,
    ) {
        let rt = runtime();
        let registry = registry(12);
        let all: Vec<String> = hrh_fhir::write::entries(&registry)
            .map(|e| e.unwrap().key())
            .collect();
        let bad: Vec<&str> = picks
            .iter()
            .filter_map(|&i| all.get(i % all.len()).map(String::as_str))
            .collect();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let server = refusing(&rt, &bad, &seen);
        let report = load(&client(&server), &registry, batch, &mut |_| {}).unwrap();
        proptest::prop_assert_eq!(report.accounted(), all.len());
        let by_server = refused_keys(&report, |c| matches!(c, Cause::Server { .. }));
        let dependent = refused_keys(&report, |c| matches!(c, Cause::Dependent { .. }));
        // Server refusals are exactly the bad entries not left out as dependent.
        let expected: BTreeSet<String> = bad
            .iter()
            .map(|s| (*s).to_owned())
            .filter(|k| !dependent.contains(k))
            .collect();
        proptest::prop_assert_eq!(&by_server, &expected);
        // Each dependent refers to a refused entry (a role to its practitioner, a facility
        // to its organisation, ...).
        for key in &dependent {
            let refused = report.refused.iter().find(|r| &r.resource == key).unwrap();
            let Cause::Dependent { on } = &refused.cause else { unreachable!() };
            proptest::prop_assert!(by_server.contains(on) || dependent.contains(on));
        }
        let seen = seen.lock().unwrap();
        let stored: BTreeSet<String> = seen.stored.iter().cloned().collect();
        proptest::prop_assert_eq!(stored.len(), seen.stored.len());
        let kept: BTreeSet<String> = all
            .iter()
            .filter(|k| !by_server.contains(*k) && !dependent.contains(*k))
            .cloned()
            .collect();
        proptest::prop_assert_eq!(&stored, &kept);
        proptest::prop_assert_eq!(report.created, kept.len());
    }
}
