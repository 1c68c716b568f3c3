//! The client against an HTTP mock (wiremock), for what the real server cannot produce:
//! 429/502/503/504 with `Retry-After`, timeouts, oversized and truncated bodies, dropped
//! connections, `next` links that loop or leave the origin, bulk `$export`, OAuth2 token
//! caching and refresh, and SMART backend-services client assertions.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hrh_fhir::FhirError;
use hrh_fhir::client::{
    Auth, ClientConfig, ClientCredentials, ExportLevel, ExportRequest, FhirClient, JwtAlgorithm,
    SearchParams, Secret, SmartBackend,
};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Fast retries for tests.
fn fast() -> ClientConfig {
    ClientConfig {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..ClientConfig::default()
    }
}

fn client(server: &MockServer, config: ClientConfig) -> FhirClient {
    FhirClient::new(&format!("{}/fhir", server.uri()), config).unwrap()
}

/// OAuth2 client credentials `hrh` / `s3cr3t` against the mock's `/auth/token`.
fn client_credentials(server: &MockServer, scope: Option<&str>) -> ClientConfig {
    ClientConfig {
        auth: Auth::ClientCredentials(ClientCredentials {
            token_url: format!("{}/auth/token", server.uri()),
            client_id: "hrh".into(),
            client_secret: Secret::new("s3cr3t"),
            scope: scope.map(str::to_owned),
        }),
        ..fast()
    }
}

fn practitioner() -> Value {
    json!({"resourceType": "Practitioner", "id": "1"})
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn searchset(next: Option<&str>, ids: &[&str]) -> Value {
    let mut link = vec![json!({"relation": "self", "url": "x"})];
    if let Some(next) = next {
        link.push(json!({"relation": "next", "url": next}));
    }
    let entry: Vec<Value> = ids
        .iter()
        .map(|id| json!({"resource": {"resourceType": "Practitioner", "id": id}, "search": {"mode": "match"}}))
        .collect();
    json!({"resourceType": "Bundle", "type": "searchset", "link": link, "entry": entry})
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/Practitioner/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/fhir/Practitioner/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let p = client(&server, fast())
        .read("Practitioner", "1")
        .await
        .unwrap();
    assert_eq!(p["id"], "1");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn gateway_errors_are_retried_with_backoff_until_the_limit() {
    let server = MockServer::start().await;
    for (priority, status) in [(1, 503), (2, 502), (3, 504)] {
        Mock::given(method("GET"))
            .and(path("/fhir/Practitioner/1"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .with_priority(priority)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/fhir/Practitioner/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
        .with_priority(4)
        .mount(&server)
        .await;
    client(&server, fast())
        .read("Practitioner", "1")
        .await
        .unwrap();
    assert_eq!(requests(&server).await, 4);

    let always = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "transient", "diagnostics": "busy"}]})))
        .mount(&always)
        .await;
    let config = ClientConfig {
        max_retries: 2,
        ..fast()
    };
    let err = client(&always, config)
        .read("Practitioner", "1")
        .await
        .unwrap_err();
    let FhirError::Http {
        status: 503,
        outcome: Some(outcome),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(outcome.issues[0].code, "transient");
    assert_eq!(requests(&always).await, 3);
}

#[tokio::test]
async fn a_plain_create_is_sent_once_but_a_conditional_create_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let body = json!({"resourceType": "Practitioner"});
    let err = client.create(&body).await.unwrap_err();
    assert!(
        matches!(err, FhirError::Http { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(requests(&server).await, 1);

    let condition = SearchParams::new().identifier(Some("urn:x"), "1");
    client
        .create_if_none_exist(&body, &condition)
        .await
        .unwrap_err();
    let all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 1 + 4, "conditional create: 1 + 3 retries");
    assert_eq!(
        all[1].headers.get("if-none-exist").unwrap(),
        "identifier=urn%3Ax%7C1"
    );
}

#[tokio::test]
async fn a_slow_response_times_out_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(practitioner())
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let config = ClientConfig {
        timeout: Duration::from_millis(200),
        max_retries: 1,
        ..fast()
    };
    let started = Instant::now();
    let err = client(&server, config)
        .read("Practitioner", "1")
        .await
        .unwrap_err();
    assert!(matches!(err, FhirError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let server = MockServer::start().await;
    let big = json!({"resourceType": "Practitioner", "id": "1", "text": "x".repeat(10_000)});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(big))
        .mount(&server)
        .await;
    let config = ClientConfig {
        max_body_bytes: 1000,
        ..fast()
    };
    let err = client(&server, config)
        .read("Practitioner", "1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, FhirError::TooLarge { limit: 1000, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("maximum of 1000 bytes"), "{err}");
}

/// A raw HTTP server that answers every request with `reply` and closes; counts connections.
fn raw_server(reply: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/fhir", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(reply);
        }
    });
    (base, count)
}

#[tokio::test]
async fn truncated_bodies_and_dropped_connections_are_retried_then_reported() {
    let truncated: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\n\
        Content-Length: 1000\r\nConnection: close\r\n\r\n{\"resourceType\":";
    for reply in [truncated, b"" as &[u8]] {
        let (base, connections) = raw_server(reply);
        let config = ClientConfig {
            max_retries: 2,
            ..fast()
        };
        let client = FhirClient::new(&base, config).unwrap();
        let err = client.read("Practitioner", "1").await.unwrap_err();
        assert!(matches!(err, FhirError::Transport { .. }), "{err:?}");
        assert_eq!(connections.load(Ordering::SeqCst), 3, "{err}");
    }
}

#[tokio::test]
async fn a_repeated_next_link_stops_paging_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/Practitioner"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(searchset(Some("Practitioner?page=2"), &["b"])),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/fhir/Practitioner"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(searchset(Some("/fhir/Practitioner?page=2"), &["a"])),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let mut pages = client.search("Practitioner", &SearchParams::new());
    let first = pages.next_page().await.unwrap().unwrap();
    assert_eq!(first.matches().next().unwrap()["id"], "a");
    // The second page is requested before the caller asks for it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(requests(&server).await, 2, "lookahead of one page");
    let second = pages.next_page().await.unwrap().unwrap();
    assert_eq!(second.matches().next().unwrap()["id"], "b");
    let err = pages.next_page().await.unwrap_err();
    assert!(matches!(err, FhirError::PagingLoop { .. }), "{err:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_unless_allowed() {
    let server = MockServer::start().await;
    let other = MockServer::start().await;
    let next = format!("{}/fhir/Practitioner?page=2", other.uri());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(searchset(Some(&next), &["a"])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(searchset(None, &["b"])))
        .mount(&other)
        .await;
    let mut pages = client(&server, fast()).search("Practitioner", &SearchParams::new());
    pages.next_page().await.unwrap().unwrap();
    let err = pages.next_page().await.unwrap_err();
    assert!(matches!(err, FhirError::ForeignOrigin { .. }), "{err:?}");
    assert_eq!(requests(&other).await, 0);

    let config = ClientConfig {
        allowed_origins: vec![other.uri()],
        ..fast()
    };
    let (matches, _) = client(&server, config)
        .search_all("Practitioner", &SearchParams::new())
        .await
        .unwrap();
    assert_eq!(matches.len(), 2);
}

/// Mounts a bulk export: kick-off, one 202 poll, the manifest, two NDJSON files, DELETE.
async fn mount_bulk_export(server: &MockServer) {
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/fhir/$export"))
        .and(header("prefer", "respond-async"))
        .and(header("accept", "application/fhir+json"))
        .and(query_param("_type", "Practitioner,PractitionerRole"))
        .and(query_param("_since", "2024-01-01T00:00:00Z"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("Content-Location", format!("{uri}/bulkstatus/42").as_str()),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bulkstatus/42"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("Retry-After", "1")
                .insert_header("X-Progress", "50%"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    let manifest = json!({
        "transactionTime": "2024-06-01T00:00:00Z",
        "request": format!("{uri}/fhir/$export"),
        "requiresAccessToken": true,
        "output": [
            {"type": "Practitioner", "url": format!("{uri}/files/Practitioner.ndjson"), "count": 3000},
            {"type": "PractitionerRole", "url": format!("{uri}/files/big.ndjson")}
        ],
        "error": []
    });
    Mock::given(method("GET"))
        .and(path("/bulkstatus/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(manifest))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/bulkstatus/42"))
        .respond_with(ResponseTemplate::new(202))
        .mount(server)
        .await;
    let ndjson = (0..3000).fold(String::new(), |mut out, n| {
        let _ = writeln!(
            out,
            "{{\"resourceType\":\"Practitioner\",\"id\":\"p{n}\",\"gender\":\"female\"}}"
        );
        out
    });
    assert!(ndjson.len() > 100_000);
    Mock::given(method("GET"))
        .and(path("/files/Practitioner.ndjson"))
        .and(header("authorization", "Bearer static-token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ndjson, "application/fhir+ndjson"))
        .mount(server)
        .await;
    let long_line = format!(
        "{{\"resourceType\":\"PractitionerRole\",\"id\":\"{}\"}}\n",
        "r".repeat(10_000)
    );
    Mock::given(method("GET"))
        .and(path("/files/big.ndjson"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(long_line, "application/fhir+ndjson"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn bulk_export_kicks_off_polls_and_streams_ndjson_line_by_line() {
    let server = MockServer::start().await;
    let uri = server.uri();
    mount_bulk_export(&server).await;
    let config = ClientConfig {
        auth: Auth::Bearer(Secret::new("static-token")),
        // Smaller than the file, larger than a line: the file is never held whole.
        max_body_bytes: 4096,
        export_poll_interval: Duration::from_millis(10),
        ..fast()
    };
    let client = client(&server, config);
    let request = ExportRequest::new(ExportLevel::System)
        .types(&["Practitioner", "PractitionerRole"])
        .since("2024-01-01T00:00:00Z");
    let job = client.export_start(&request).await.unwrap();
    assert_eq!(job.status_url.as_str(), format!("{uri}/bulkstatus/42"));
    let started = Instant::now();
    let manifest = client.export_wait(&job).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    assert_eq!(manifest.transaction_time, "2024-06-01T00:00:00Z");
    assert_eq!(manifest.output.len(), 2);

    let mut workers = 0;
    let report = client
        .export_read(
            &manifest,
            &manifest.output[0],
            &hrh_fhir::ReadConfig::default(),
            &mut |_| {
                workers += 1;
            },
        )
        .await
        .unwrap();
    assert_eq!((workers, report.accepted, report.read), (3000, 3000, 3000));
    assert_eq!(report.rejected.len(), 0);

    let err = client
        .export_lines(&manifest, &manifest.output[1], &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, FhirError::TooLarge { limit: 4096, .. }),
        "{err:?}"
    );

    client.export_delete(&job).await.unwrap();
    let deletes = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count();
    assert_eq!(deletes, 1);
}

#[tokio::test]
async fn group_and_type_exports_use_their_paths_and_report_failed_jobs() {
    let server = MockServer::start().await;
    let uri = server.uri();
    for (route, status_path) in [
        ("/fhir/Group/g1/$export", "/bulkstatus/g"),
        ("/fhir/Practitioner/$export", "/bulkstatus/t"),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(202)
                    .insert_header("Content-Location", format!("{uri}{status_path}").as_str()),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/bulkstatus/g"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "fatal", "code": "exception", "diagnostics": "export failed"}]})))
        .mount(&server)
        .await;
    let config = ClientConfig {
        max_retries: 0,
        ..fast()
    };
    let client = client(&server, config);
    let job = client
        .export_start(&ExportRequest::new(ExportLevel::Group("g1".into())))
        .await
        .unwrap();
    let err = client.export_wait(&job).await.unwrap_err();
    assert!(
        matches!(&err, FhirError::Http { status: 500, outcome: Some(o), .. } if o.issues[0].severity == "fatal"),
        "{err:?}"
    );
    let job = client
        .export_start(&ExportRequest::new(ExportLevel::Type(
            "Practitioner".into(),
        )))
        .await
        .unwrap();
    assert!(job.status_url.as_str().ends_with("/bulkstatus/t"));
}

#[tokio::test]
async fn oauth2_tokens_are_cached_and_fetched_again_once_on_401() {
    let server = MockServer::start().await;
    for (priority, token) in [(1, "t1"), (2, "t2")] {
        Mock::given(method("POST"))
            .and(path("/auth/token"))
            .and(header("authorization", "Basic aHJoOnMzY3IzdA=="))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": token, "token_type": "bearer", "expires_in": 3600}),
            ))
            .up_to_n_times(1)
            .with_priority(priority)
            .mount(&server)
            .await;
    }
    // t1 works twice, then the server revokes it.
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
        .mount(&server)
        .await;
    let config = client_credentials(&server, Some("system/*.read"));
    let client = client(&server, config);
    assert!(!format!("{client:?}").contains("s3cr3t"));
    for _ in 0..3 {
        client.read("Practitioner", "1").await.unwrap();
    }
    let all = server.received_requests().await.unwrap();
    let tokens: Vec<_> = all
        .iter()
        .filter(|r| r.url.path() == "/auth/token")
        .collect();
    assert_eq!(
        tokens.len(),
        2,
        "one token for two reads, one more after the 401"
    );
    let form = String::from_utf8_lossy(&tokens[0].body).into_owned();
    assert!(form.contains("grant_type=client_credentials"), "{form}");
    assert!(form.contains("scope=system%2F*.read"), "{form}");
    assert_eq!(all.len(), 2 + 4);
}

#[tokio::test]
async fn a_rejected_client_secret_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "error_description": "unknown client"}),
        ))
        .mount(&server)
        .await;
    let config = client_credentials(&server, None);
    let err = client(&server, config)
        .read("Practitioner", "1")
        .await
        .unwrap_err();
    assert!(matches!(err, FhirError::Auth { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}

/// A token endpoint that verifies the SMART client assertion with the TEST public key.
struct SmartTokenEndpoint {
    public_pem: &'static [u8],
    algorithm: jsonwebtoken::Algorithm,
    audience: String,
    verified: Arc<AtomicUsize>,
}

impl Respond for SmartTokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(&request.body)
                .into_owned()
                .collect();
        let bad = |why: &str| {
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_client", "error_description": why}))
        };
        if form.get("grant_type").map(String::as_str) != Some("client_credentials")
            || form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            || form.get("scope").map(String::as_str) != Some("system/*.read")
        {
            return bad("form");
        }
        let Some(assertion) = form.get("client_assertion") else {
            return bad("no assertion");
        };
        let key = match self.algorithm {
            jsonwebtoken::Algorithm::RS384 => {
                jsonwebtoken::DecodingKey::from_rsa_pem(self.public_pem)
            }
            _ => jsonwebtoken::DecodingKey::from_ec_pem(self.public_pem),
        }
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(self.algorithm);
        validation.set_audience(&[self.audience.as_str()]);
        validation.set_issuer(&["hrh-backend"]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        let Ok(data) = jsonwebtoken::decode::<Value>(assertion, &key, &validation) else {
            return bad("signature or claims");
        };
        let claims = data.claims;
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        if claims["sub"] != "hrh-backend"
            || claims["jti"].as_str().is_none_or(str::is_empty)
            || lifetime > 300
            || data.header.kid.as_deref() != Some("test-key-1")
        {
            return bad("claims");
        }
        self.verified.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "smart-token", "token_type": "bearer", "expires_in": 300}),
        )
    }
}

#[tokio::test]
async fn smart_backend_services_sign_es384_and_rs384_assertions_the_server_verifies() {
    let cases: [(JwtAlgorithm, jsonwebtoken::Algorithm, &str, &[u8]); 2] = [
        (
            JwtAlgorithm::Es384,
            jsonwebtoken::Algorithm::ES384,
            include_str!("keys/test-only-es384-private.pem"),
            include_bytes!("keys/test-only-es384-public.pem"),
        ),
        (
            JwtAlgorithm::Rs384,
            jsonwebtoken::Algorithm::RS384,
            include_str!("keys/test-only-rs384-private.pem"),
            include_bytes!("keys/test-only-rs384-public.pem"),
        ),
    ];
    for (algorithm, jwt_algorithm, private_pem, public_pem) in cases {
        let server = MockServer::start().await;
        let uri = server.uri();
        let token_url = format!("{uri}/auth/token");
        Mock::given(method("GET"))
            .and(path("/fhir/.well-known/smart-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token_endpoint": token_url,
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"]})))
            .mount(&server)
            .await;
        let verified = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path("/auth/token"))
            .respond_with(SmartTokenEndpoint {
                public_pem,
                algorithm: jwt_algorithm,
                audience: token_url.clone(),
                verified: Arc::clone(&verified),
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/fhir/Practitioner/1"))
            .and(header("authorization", "Bearer smart-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
            .mount(&server)
            .await;
        let config = ClientConfig {
            auth: Auth::SmartBackend(SmartBackend {
                client_id: "hrh-backend".into(),
                private_key_pem: Secret::new(private_pem),
                algorithm,
                key_id: Some("test-key-1".into()),
                token_url: None,
                scope: "system/*.read".into(),
            }),
            ..fast()
        };
        let client = client(&server, config);
        assert!(!format!("{client:?}").contains("PRIVATE KEY"));
        client.read("Practitioner", "1").await.unwrap();
        client.read("Practitioner", "1").await.unwrap();
        assert_eq!(
            verified.load(Ordering::SeqCst),
            1,
            "{algorithm:?}: token cached"
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_fetched_again_before_the_request() {
    let server = MockServer::start().await;
    // expires_in 30 s is within the 30 s renewal margin: every request needs a new token.
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "short", "token_type": "bearer", "expires_in": 30}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer short"))
        .respond_with(ResponseTemplate::new(200).set_body_json(practitioner()))
        .mount(&server)
        .await;
    let config = client_credentials(&server, None);
    let client = client(&server, config);
    client.read("Practitioner", "1").await.unwrap();
    client.read("Practitioner", "1").await.unwrap();
    let all = server.received_requests().await.unwrap();
    let tokens = all.iter().filter(|r| r.url.path() == "/auth/token").count();
    assert_eq!((tokens, all.len()), (2, 4));
}

#[test]
fn the_blocking_client_prefetches_between_calls_and_refuses_async_contexts() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(searchset(None, &["b"])))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(searchset(Some("Practitioner?page=2"), &["a"])),
            )
            .with_priority(2)
            .mount(&server)
            .await;
        server
    });
    let client =
        hrh_fhir::client::blocking::FhirClient::new(&format!("{}/fhir", server.uri()), fast())
            .unwrap();
    let mut pages = client.search("Practitioner", &SearchParams::new());
    let first = pages.next().unwrap().unwrap();
    assert_eq!(first.matches().next().unwrap()["id"], "a");
    // The caller "works" without calling the client: page 2 still arrives.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(runtime.block_on(requests(&server)), 2, "page 2 prefetched");
    let second = pages.next().unwrap().unwrap();
    assert_eq!(second.matches().next().unwrap()["id"], "b");
    assert!(pages.next().is_none());

    let err = runtime
        .block_on(async { client.read("Practitioner", "1") })
        .unwrap_err();
    assert!(err.to_string().contains("inside an async runtime"), "{err}");
    // Nor does dropping the last handles there panic.
    runtime.block_on(async move {
        drop(pages);
        drop(client);
    });
}

/// A server that accepts one connection, reads the request and never answers; it reports on
/// the channel when the client closes the connection.
fn silent_server() -> (String, std::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/fhir", listener.local_addr().unwrap());
    let (closed, on_close) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 4096];
        // Read until the peer closes (0 bytes) or resets; never write.
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        let _ = closed.send(());
    });
    (base, on_close)
}

#[test]
fn a_cancelled_blocking_call_drops_its_request_at_once() {
    let (base, on_close) = silent_server();
    let config = || ClientConfig {
        timeout: Duration::from_mins(1),
        max_retries: 0,
        ..fast()
    };
    let client = hrh_fhir::client::blocking::FhirClient::new(&base, config()).unwrap();
    let cancel = hrh_fhir::client::blocking::CancellationToken::new();
    let call = client.cancelled_by(cancel.clone());
    let waiting = std::thread::spawn(move || {
        let answer = call.capabilities();
        (answer, call)
    });
    std::thread::sleep(Duration::from_millis(200));
    let began = Instant::now();
    cancel.cancel();
    let (answer, call) = waiting.join().unwrap();
    assert!(
        matches!(answer, Err(FhirError::Cancelled)),
        "{:?}",
        answer.err()
    );
    // The connection is closed now, not when the one-minute timeout would end the request.
    on_close
        .recv_timeout(Duration::from_secs(10))
        .expect("the cancelled request's connection is closed");
    assert!(began.elapsed() < Duration::from_secs(10));
    // A cancelled client ends later calls at once, pages included.
    assert!(matches!(
        call.read("Practitioner", "1"),
        Err(FhirError::Cancelled)
    ));
    let mut pages = call.search("Practitioner", &SearchParams::new());
    assert!(matches!(pages.next(), Some(Err(FhirError::Cancelled))));
    assert!(pages.next().is_none());
    // Cancelled while waiting for a page: that page's request is dropped with the pages.
    let (base, on_close) = silent_server();
    let client = hrh_fhir::client::blocking::FhirClient::new(&base, config()).unwrap();
    let cancel = hrh_fhir::client::blocking::CancellationToken::new();
    let mut pages = client
        .cancelled_by(cancel.clone())
        .search("Practitioner", &SearchParams::new());
    let waiting = std::thread::spawn(move || pages.next().map(Result::err));
    std::thread::sleep(Duration::from_millis(200));
    cancel.cancel();
    let answer = waiting.join().unwrap();
    assert!(
        matches!(answer, Some(Some(FhirError::Cancelled))),
        "{answer:?}"
    );
    on_close
        .recv_timeout(Duration::from_secs(10))
        .expect("the cancelled page's connection is closed");
    // A token not cancelled lets calls through (here to a closed port).
    let refused = hrh_fhir::client::blocking::FhirClient::new(
        "http://127.0.0.1:9/fhir",
        ClientConfig {
            max_retries: 0,
            ..fast()
        },
    )
    .unwrap()
    .cancelled_by(hrh_fhir::client::blocking::CancellationToken::new())
    .read("Practitioner", "1");
    assert!(
        matches!(refused, Err(FhirError::Transport { .. })),
        "{refused:?}"
    );
}
