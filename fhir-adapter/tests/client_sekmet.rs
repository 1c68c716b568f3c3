//! The client against a real FHIR server, sekmet-fhir 0.1.1 (installed and started by
//! `common/sekmet.rs`): transaction loads of the shared fixtures, idempotent re-loads,
//! paging, includes, `_history` since a watermark, conditional writes, OperationOutcome
//! errors, bulk `$export`, and every auth kind (Basic, bearer, client credentials, SMART).
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "common/sekmet.rs"]
mod sekmet;

use std::collections::BTreeSet;

use hrh_fhir::FhirError;
use hrh_fhir::client::{
    Auth, ClientConfig, ClientCredentials, ExportLevel, ExportRequest, FhirClient, JwtAlgorithm,
    Prefix, SearchParams, Secret, SmartBackend,
};
use hrh_fhir::mirror::{Change, Mirror};
use sekmet::Sekmet;
use serde_json::{Value, json};

const TEST_SYSTEM: &str = "urn:hrh:test";
const WORKFORCE: [&str; 4] = [
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
];

/// A temporary directory removed on drop, also when the test fails.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hrh-client-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn client(server: &Sekmet) -> FhirClient {
    FhirClient::new(&server.base, ClientConfig::default()).unwrap()
}

/// The workforce fixtures (official R4 examples), each given an identifier
/// `urn:hrh:test|<Type>-<id>` and stripped of its id: `(type, key, resource)`.
fn fixture_resources() -> Option<Vec<(String, String, Value)>> {
    let dir = common::fixtures()?.join("fhir/hl7-r4-examples");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some((kind, _)) = name.split_once('-') else {
            continue;
        };
        if !WORKFORCE.contains(&kind) {
            continue;
        }
        let mut resource: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let key = format!("{kind}-{}", resource["id"].as_str().unwrap());
        let object = resource.as_object_mut().unwrap();
        object.remove("id");
        object.remove("meta");
        object.remove("text");
        let identifiers = object.entry("identifier").or_insert_with(|| json!([]));
        identifiers
            .as_array_mut()
            .unwrap()
            .push(json!({"system": TEST_SYSTEM, "value": key}));
        out.push((kind.to_owned(), key, resource));
    }
    assert!(out.len() > 20, "few fixtures in {}", dir.display());
    Some(out)
}

/// A transaction of conditional PUTs by identifier: loading it twice creates nothing new.
fn upsert_transaction(resources: &[(String, String, Value)]) -> Value {
    let entries: Vec<Value> = resources
        .iter()
        .enumerate()
        .map(|(n, (kind, key, resource))| {
            json!({
                "fullUrl": format!("urn:uuid:00000000-0000-0000-0000-{n:012}"),
                "resource": resource,
                "request": {"method": "PUT", "url": format!("{kind}?identifier={TEST_SYSTEM}|{key}")},
            })
        })
        .collect();
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

fn ids(resources: &[Value]) -> BTreeSet<String> {
    resources
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn fixtures_load_by_transaction_reload_without_duplicates_and_page_back() {
    let Some(resources) = fixture_resources() else {
        return;
    };
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let bundle = upsert_transaction(&resources);

    let first = client.transaction(&bundle).await.unwrap();
    assert_eq!(first.len(), resources.len());
    assert!(first.iter().all(|e| e.code == Some(201)), "{first:?}");
    assert!(first.iter().all(|e| e.id().is_some() && e.etag.is_some()));

    let again = client.transaction(&bundle).await.unwrap();
    assert!(again.iter().all(|e| e.code == Some(200)), "{again:?}");
    assert_eq!(
        first.iter().map(|e| e.id().unwrap()).collect::<Vec<_>>(),
        again.iter().map(|e| e.id().unwrap()).collect::<Vec<_>>(),
        "re-load must update the same resources"
    );

    let practitioners = resources.iter().filter(|r| r.0 == "Practitioner").count();
    assert!(practitioners > 4);
    // _count=2 over several pages; `gender` is not supported by sekmet, which adds a
    // search.mode=outcome entry that must not be counted.
    let params = SearchParams::new().count(2).param("gender", "male");
    let mut pages = client.search("Practitioner", &params);
    let (mut n_pages, mut matches, mut outcomes) = (0, Vec::new(), 0);
    while let Some(page) = pages.next_page().await.unwrap() {
        n_pages += 1;
        assert!(page.matches().count() <= 2);
        matches.extend(page.matches().cloned());
        outcomes += page.outcomes().count();
        let report = page.read(&hrh_fhir::ReadConfig::default(), &mut |_| {});
        assert_eq!(report.matches, page.matches().count());
    }
    assert_eq!(matches.len(), practitioners);
    assert_eq!(
        ids(&matches).len(),
        practitioners,
        "no page repeats a match"
    );
    assert_eq!(n_pages, practitioners.div_ceil(2));
    assert!(outcomes >= 1, "sekmet warns about the ignored parameter");

    for kind in WORKFORCE {
        let (all, _) = client.search_all(kind, &SearchParams::new()).await.unwrap();
        let expected = resources.iter().filter(|r| r.0 == kind).count();
        assert_eq!(all.len(), expected, "{kind}");
    }
}

#[tokio::test]
async fn include_and_revinclude_return_referenced_resources_separately() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
         "resource": {"resourceType": "Organization", "name": "Facility A",
                      "identifier": [{"system": TEST_SYSTEM, "value": "org-a"}]},
         "request": {"method": "POST", "url": "Organization", "ifNoneExist": "identifier=urn:hrh:test|org-a"}},
        {"fullUrl": "urn:uuid:22222222-2222-2222-2222-222222222222",
         "resource": {"resourceType": "Practitioner", "gender": "female",
                      "identifier": [{"system": TEST_SYSTEM, "value": "p-1"}]},
         "request": {"method": "POST", "url": "Practitioner"}},
        {"fullUrl": "urn:uuid:33333333-3333-3333-3333-333333333333",
         "resource": {"resourceType": "PractitionerRole",
                      "practitioner": {"reference": "urn:uuid:22222222-2222-2222-2222-222222222222"},
                      "organization": {"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"}},
         "request": {"method": "POST", "url": "PractitionerRole"}},
    ]});
    let out = client.transaction(&bundle).await.unwrap();
    assert!(out.iter().all(hrh_fhir::client::EntryOutcome::is_success));
    let practitioner_id = out[1].id().unwrap().to_owned();

    let params = SearchParams::new().include("PractitionerRole:practitioner");
    let (roles, included) = client
        .search_all("PractitionerRole", &params)
        .await
        .unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        roles[0]["practitioner"]["reference"],
        format!("Practitioner/{practitioner_id}"),
        "urn:uuid references are rewritten"
    );
    assert_eq!(included.len(), 1);
    assert_eq!(included[0]["id"], practitioner_id.as_str());

    let params = SearchParams::new()
        .identifier(Some(TEST_SYSTEM), "p-1")
        .revinclude("PractitionerRole:practitioner");
    let (practitioners, roles) = client.search_all("Practitioner", &params).await.unwrap();
    assert_eq!((practitioners.len(), roles.len()), (1, 1));
    assert_eq!(roles[0]["resourceType"], "PractitionerRole");
}

#[tokio::test]
async fn history_since_a_watermark_brings_edits_and_deletes_into_the_mirror() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let mut created = Vec::new();
    for n in 0..3 {
        let p = json!({"resourceType": "Practitioner", "gender": "female",
                       "identifier": [{"system": TEST_SYSTEM, "value": format!("h-{n}")}]});
        created.push(client.create(&p).await.unwrap());
    }
    let id = |n: usize| created[n].id().unwrap().to_owned();

    let dir = TempDir::new("mirror");
    let mirror = Mirror::open(&dir.0).unwrap();
    // sekmet's history Bundle has no meta.lastUpdated, so the watermark is the Date header:
    // whole seconds, refreshed by uvicorn once a second. Wait so that it is past the creates.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let initial = client.history_since("Practitioner", None).await.unwrap();
    assert_eq!(initial.changes.len(), 3);
    let watermark = initial.watermark.clone().expect("server time");
    mirror.apply(initial.changes).unwrap();

    // Watermarks from the Date header have second precision: make the edits later.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut edited = client.read("Practitioner", &id(1)).await.unwrap();
    edited["gender"] = json!("male");
    client.update(&edited).await.unwrap();
    client.delete("Practitioner", &id(0)).await.unwrap();
    let new = client
        .create(&json!({"resourceType": "Practitioner", "gender": "other"}))
        .await
        .unwrap();

    let synced = client
        .history_since("Practitioner", Some(&watermark))
        .await
        .unwrap();
    assert!(
        synced
            .changes
            .iter()
            .any(|c| matches!(c, Change::Delete { id: gone, .. } if *gone == id(0))),
        "{:?}",
        synced.changes
    );
    assert_eq!(
        synced.changes.len(),
        3,
        "only the edits since the watermark: {:?}",
        synced.changes
    );
    assert!(synced.watermark.as_deref() >= Some(watermark.as_str()));
    mirror.apply(synced.changes).unwrap();

    let text = std::fs::read_to_string(dir.0.join("Practitioner.ndjson")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let held: BTreeSet<String> = ids(&lines);
    let expected: BTreeSet<String> = [id(1), id(2), new.id().unwrap().to_owned()].into();
    assert_eq!(held, expected);
    let one = lines.iter().find(|l| l["id"] == id(1).as_str()).unwrap();
    assert_eq!(one["gender"], "male");

    // sekmet 0.1.1 drops `_since` from its history `next` links, so with small pages
    // the later pages repeat older history. The mirror still ends up the same: one apply keeps
    // the newest version of each id, and a delete (listed before older versions) wins.
    let paged = FhirClient::new(
        &server.base,
        ClientConfig {
            page_size: Some(2),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let again = paged
        .history_since("Practitioner", Some(&watermark))
        .await
        .unwrap();
    assert!(again.pages > 1 && again.changes.len() > 3, "{again:?}");
    let dir2 = TempDir::new("mirror-paged");
    let mirror2 = Mirror::open(&dir2.0).unwrap();
    mirror2
        .apply(
            paged
                .history_since("Practitioner", None)
                .await
                .unwrap()
                .changes,
        )
        .unwrap();
    mirror2.apply(again.changes).unwrap();
    let text2 = std::fs::read_to_string(dir2.0.join("Practitioner.ndjson")).unwrap();
    let lines2: Vec<Value> = text2
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ids(&lines2), expected);
}

#[tokio::test]
async fn stale_if_match_is_a_typed_412_and_conditional_writes_are_idempotent() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let p = json!({"resourceType": "Practitioner",
                   "identifier": [{"system": TEST_SYSTEM, "value": "u-1"}]});
    let first = client
        .upsert_by_identifier(&p, TEST_SYSTEM, "u-1")
        .await
        .unwrap();
    assert!(first.created());
    let second = client
        .upsert_by_identifier(&p, TEST_SYSTEM, "u-1")
        .await
        .unwrap();
    assert_eq!((second.status, second.id()), (200, first.id()));
    assert_eq!(second.version_id(), Some("2"));

    let condition = SearchParams::new().identifier(Some(TEST_SYSTEM), "c-1");
    let c = json!({"resourceType": "Practitioner",
                   "identifier": [{"system": TEST_SYSTEM, "value": "c-1"}]});
    let made = client.create_if_none_exist(&c, &condition).await.unwrap();
    let found = client.create_if_none_exist(&c, &condition).await.unwrap();
    assert_eq!((made.status, found.status), (201, 200));
    let (all, _) = client
        .search_all("Practitioner", &SearchParams::new())
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "no duplicates");

    let current = client
        .read("Practitioner", first.id().unwrap())
        .await
        .unwrap();
    assert_eq!(current["meta"]["versionId"], "2");
    let mut stale = current.clone();
    stale["meta"]["versionId"] = json!("1");
    stale["active"] = json!(true);
    let err = client.update(&stale).await.unwrap_err();
    let FhirError::Http { status, method, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*status, method.as_str()), (412, "PUT"));
    let ok = client.update(&current).await.unwrap();
    assert_eq!(ok.version_id(), Some("3"));
}

#[tokio::test]
async fn an_invalid_resource_is_a_typed_operation_outcome_error() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let err = client
        .create(&json!({"resourceType": "Practitioner", "gender": 7}))
        .await
        .unwrap_err();
    let FhirError::Http {
        status,
        outcome: Some(outcome),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 400);
    let issue = &outcome.issues[0];
    assert_eq!(
        (issue.severity.as_str(), issue.code.as_str()),
        ("error", "structure")
    );
    assert_eq!(issue.expression, ["Practitioner.gender"]);
    assert!(issue.diagnostics.is_some());
    assert!(
        err.to_string().contains("HTTP 400: error structure"),
        "{err}"
    );

    // In a batch each entry fails on its own, with its outcome.
    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": {"resourceType": "Practitioner", "gender": "female"},
         "request": {"method": "POST", "url": "Practitioner"}},
        {"resource": {"resourceType": "Practitioner", "gender": 7},
         "request": {"method": "POST", "url": "Practitioner"}},
    ]});
    let out = client.batch(&batch).await.unwrap();
    assert!(out[0].is_success());
    assert!(!out[1].is_success(), "{:?}", out[1]);
    assert!(out[1].outcome.is_some(), "{:?}", out[1]);

    let missing = client.read("Practitioner", "nope").await.unwrap_err();
    assert!(
        matches!(missing, FhirError::Http { status: 404, .. }),
        "{missing:?}"
    );
}

#[test]
fn the_blocking_facade_pages_and_writes() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client =
        hrh_fhir::client::blocking::FhirClient::new(&server.base, ClientConfig::default()).unwrap();
    assert_eq!(client.capabilities().unwrap()["fhirVersion"], "4.0.1");
    for n in 0..5 {
        let p = json!({"resourceType": "Practitioner",
                       "identifier": [{"system": TEST_SYSTEM, "value": format!("b-{n}")}]});
        client
            .upsert_by_identifier(&p, TEST_SYSTEM, &format!("b-{n}"))
            .unwrap();
    }
    let pages: Vec<_> = client
        .search("Practitioner", &SearchParams::new().count(2))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().map(|p| p.matches().count()).sum::<usize>(), 5);
    let synced = client.history_since("Practitioner", None).unwrap();
    assert_eq!(synced.changes.len(), 5);
}

#[tokio::test]
async fn bulk_export_of_the_real_server_streams_into_the_reader() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let mut entries = Vec::new();
    for n in 0..5 {
        entries.push(json!({
            "fullUrl": format!("urn:uuid:00000000-0000-0000-0000-00000000000{n}"),
            "resource": {"resourceType": "Practitioner", "gender": "female",
                         "identifier": [{"system": TEST_SYSTEM, "value": format!("e-{n}")}]},
            "request": {"method": "POST", "url": "Practitioner"}}));
    }
    entries.push(json!({
        "resource": {"resourceType": "PractitionerRole",
                     "practitioner": {"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"}},
        "request": {"method": "POST", "url": "PractitionerRole"}}));
    entries.push(json!({
        "resource": {"resourceType": "Organization", "name": "not exported"},
        "request": {"method": "POST", "url": "Organization"}}));
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});
    client.transaction(&bundle).await.unwrap();

    let request =
        ExportRequest::new(ExportLevel::System).types(&["Practitioner", "PractitionerRole"]);
    let job = client.export_start(&request).await.unwrap();
    let manifest = client.export_wait(&job).await.unwrap();
    assert!(!manifest.transaction_time.is_empty());
    let mut counts = std::collections::BTreeMap::new();
    for output in &manifest.output {
        let mut records = 0;
        let report = client
            .export_read(
                &manifest,
                output,
                &hrh_fhir::ReadConfig::default(),
                &mut |_| {
                    records += 1;
                },
            )
            .await
            .unwrap();
        assert!(
            report.is_balanced() && report.rejected.is_empty(),
            "{report:?}"
        );
        *counts.entry(output.resource_type.clone()).or_insert(0) += records;
    }
    assert_eq!(
        counts,
        [
            ("Practitioner".to_owned(), 5),
            ("PractitionerRole".to_owned(), 1)
        ]
        .into()
    );
    client.export_delete(&job).await.unwrap();
    let gone = client.export_status(&job).await.unwrap_err();
    assert!(
        matches!(gone, FhirError::Http { status: 404, .. }),
        "{gone:?}"
    );

    let typed = ExportRequest::new(ExportLevel::Type("Practitioner".into()));
    let job = client.export_start(&typed).await.unwrap();
    let manifest = client.export_wait(&job).await.unwrap();
    // sekmet 0.1.1 answers a type-level kick-off with every type (checked: 7 lines here), so
    // count the Practitioner file only.
    let mut lines = 0;
    for output in manifest
        .output
        .iter()
        .filter(|o| o.resource_type == "Practitioner")
    {
        client
            .export_lines(&manifest, output, &mut |_| lines += 1)
            .await
            .unwrap();
    }
    assert_eq!(lines, 5);
}

/// sekmet with Basic users, a static token, a client-secret client and SMART clients whose
/// public keys are the checked-in TEST-ONLY keys.
fn secured_server() -> Option<Sekmet> {
    let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
    Sekmet::start_with(&format!(
        "server_auth:\n  types: [basic, bearer, smart]\n  users: {{hrh: pw-hrh}}\n  \
         tokens: [static-token]\n  smart_clients:\n    \
         - {{client_id: hrh-es, public_key_path: {}, scopes: 'system/*.*'}}\n    \
         - {{client_id: hrh-rs, public_key_path: {}, scopes: 'system/*.*'}}\n    \
         - {{client_id: hrh-secret, client_secret: s3cr3t, scopes: 'system/*.*'}}\n",
        keys.join("test-only-es384-public.pem").display(),
        keys.join("test-only-rs384-public.pem").display(),
    ))
}

#[tokio::test]
async fn every_auth_kind_works_against_the_real_server() {
    let Some(server) = secured_server() else {
        return;
    };
    let with = |auth: Auth| {
        FhirClient::new(
            &server.base,
            ClientConfig {
                auth,
                ..ClientConfig::default()
            },
        )
        .unwrap()
    };
    let err = with(Auth::None)
        .read("Practitioner", "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, FhirError::Http { status: 401, .. }),
        "{err:?}"
    );

    let smart = |client_id: &str, algorithm, pem: &str| {
        Auth::SmartBackend(SmartBackend {
            client_id: client_id.into(),
            private_key_pem: Secret::new(pem),
            algorithm,
            key_id: None,
            token_url: None,
            scope: "system/*.read system/*.write".into(),
        })
    };
    let kinds = [
        Auth::Basic {
            username: "hrh".into(),
            password: Secret::new("pw-hrh"),
        },
        Auth::Bearer(Secret::new("static-token")),
        Auth::ClientCredentials(ClientCredentials {
            token_url: server.base.replace("/fhir", "/auth/token"),
            client_id: "hrh-secret".into(),
            client_secret: Secret::new("s3cr3t"),
            scope: Some("system/*.read system/*.write".into()),
        }),
        smart(
            "hrh-es",
            JwtAlgorithm::Es384,
            include_str!("keys/test-only-es384-private.pem"),
        ),
        smart(
            "hrh-rs",
            JwtAlgorithm::Rs384,
            include_str!("keys/test-only-rs384-private.pem"),
        ),
    ];
    for (n, auth) in kinds.into_iter().enumerate() {
        let label = format!("{auth:?}");
        let client = with(auth);
        let made = client
            .create(&json!({"resourceType": "Practitioner", "gender": "female"}))
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        // A second request reuses the cached token (sekmet refuses a reused jti, so a
        // second assertion would also have to be fresh).
        let read = client
            .read("Practitioner", made.id().unwrap())
            .await
            .unwrap();
        assert_eq!(read["gender"], "female", "{n}");
    }

    let wrong = with(Auth::ClientCredentials(ClientCredentials {
        token_url: server.base.replace("/fhir", "/auth/token"),
        client_id: "hrh-secret".into(),
        client_secret: Secret::new("wrong-secret"),
        scope: None,
    }));
    let err = wrong.read("Practitioner", "x").await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        matches!(err, FhirError::Auth { .. }) && text.contains("invalid_client"),
        "{text}"
    );
    assert!(!text.contains("wrong-secret"), "{text}");
}

#[tokio::test]
async fn last_updated_prefixes_and_elements_narrow_a_search() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let client = client(&server);
    let old = client
        .create(&json!({"resourceType": "Practitioner", "gender": "female"}))
        .await
        .unwrap();
    let cut = old.resource.as_ref().unwrap()["meta"]["lastUpdated"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let new = client
        .create(&json!({"resourceType": "Practitioner", "gender": "male",
                        "identifier": [{"system": TEST_SYSTEM, "value": "n-1"}]}))
        .await
        .unwrap();
    let search = |params: SearchParams| {
        let client = client.clone();
        async move {
            let (matches, _) = client.search_all("Practitioner", &params).await.unwrap();
            ids(&matches)
        }
    };
    let only = |w: &hrh_fhir::client::WriteOutcome| BTreeSet::from([w.id().unwrap().to_owned()]);
    assert_eq!(
        search(SearchParams::new().last_updated(Prefix::Gt, &cut)).await,
        only(&new)
    );
    assert_eq!(
        search(SearchParams::new().last_updated(Prefix::Le, &cut)).await,
        only(&old)
    );
    assert_eq!(
        search(SearchParams::new().last_updated(Prefix::Ge, &cut))
            .await
            .len(),
        2
    );
    assert_eq!(
        search(SearchParams::new().last_updated(Prefix::Lt, &cut))
            .await
            .len(),
        0
    );
    assert_eq!(
        search(SearchParams::new().last_updated(Prefix::Eq, &cut)).await,
        only(&old)
    );
    assert_eq!(
        search(SearchParams::new().identifier(Some(TEST_SYSTEM), "n-1")).await,
        only(&new)
    );

    let params = SearchParams::new().elements(&["identifier"]);
    let (matches, _) = client.search_all("Practitioner", &params).await.unwrap();
    assert_eq!(matches.len(), 2);
    assert!(
        matches.iter().all(|m| m.get("gender").is_none()),
        "{matches:?}"
    );
}
