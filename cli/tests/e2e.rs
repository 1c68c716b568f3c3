//! End to end against real peers: a generated registry is `hrh load`ed into a real FHIR
//! server (`sekmet-fhir`, started by the FHIR adapter's test harness, shared here by path),
//! `hrh sync`ed into the DHIS2 stand-in, and the stored values are checked against `hrh
//! aggregate` on the same data — after the first load, after edits and deletions on the
//! server, and after a sync with nothing new. Plus the error paths of `load`, `sync` and
//! `facilities push`: one line on stderr, the documented exit status, never a panic.
//!
//! Without python3 or network (sekmet cannot be installed) the tests are skipped with a
//! message; with `CI` set they fail instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // a failing unwrap is a failing test

mod common;
#[path = "../../fhir-adapter/tests/common/sekmet.rs"]
mod sekmet;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::peers::{ROOT, aggregate, download, fails, has, ok, stored, sync};
use common::{ADMIN, Standin, hrh, temp_dir};
use hrh_fhir::client::blocking::FhirClient;
use hrh_fhir::client::{ClientConfig, SearchParams};
use sekmet::Sekmet;
use serde_json::{Value, json};

/// Edits the server: 15 men recorded as women, 12 roles ended in 2023, 6 more men deleted
/// with their roles. Returns the number deleted.
fn edit(client: &FhirClient) -> usize {
    let (practitioners, _) = client
        .search_all("Practitioner", &SearchParams::new())
        .unwrap();
    let (roles, _) = client
        .search_all("PractitionerRole", &SearchParams::new())
        .unwrap();
    let mut men = practitioners.iter().filter(|p| p["gender"] == "male");
    for p in men.by_ref().take(15) {
        let mut p = p.clone();
        p["gender"] = json!("female");
        client.update(&p).unwrap();
    }
    for role in roles
        .iter()
        .filter(|r| r.pointer("/period/end").is_none())
        .take(12)
    {
        let mut role = role.clone();
        role["period"]["end"] = json!("2023-06-30");
        client.update(&role).unwrap();
    }
    let gone: Vec<String> = men
        .take(6)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    for id in &gone {
        client.delete("Practitioner", id).unwrap();
        for role in roles
            .iter()
            .filter(|r| r["practitioner"]["reference"] == format!("Practitioner/{id}").as_str())
        {
            client
                .delete("PractitionerRole", role["id"].as_str().unwrap())
                .unwrap();
        }
    }
    gone.len()
}

/// Generates 300 workers into `registry` and loads them twice into the server: the second
/// load updates every record and creates none.
fn generate_and_load(base: &str, registry: &Path) {
    let dir = registry.to_str().unwrap();
    let args = [
        "generate",
        "--workers",
        "300",
        "--no-bad-records",
        "--seed",
        "11",
        "--out",
        dir,
    ];
    ok(&hrh(&args, &[]));
    let records: usize = std::fs::read_dir(registry)
        .unwrap()
        .map(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    let first = hrh(&["load", "--fhir", base, dir], &[]);
    has(
        ok(&first),
        &format!("created {records}, updated 0, failed 0"),
    );
    let again = hrh(&["load", "--json", "--fhir", base, dir], &[]);
    has(
        &again.stderr,
        &format!("created 0, updated {records}, failed 0"),
    );
    let json: Value = serde_json::from_str(ok(&again)).unwrap();
    assert_eq!(json["load"]["records"], records);
    assert_eq!(json["load"]["created"], 0);
    assert_eq!(json["load"]["updated"], records);
    assert_eq!(json["load"]["failed"], 0);
    assert_eq!(json["exit_code"], 0);
}

#[test]
fn load_then_sync_follows_edits_and_deletions_and_a_quiet_sync_changes_nothing() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let standin = Standin::start();
    let dir = temp_dir("e2e-sync");
    let registry = dir.join("registry");
    generate_and_load(&server.base, &registry);
    // The watermark comes from the server's `Date` header, which uvicorn renews about once a
    // second from its event loop; after the loads kept it busy it can lag (seen on a loaded
    // machine: a watermark before the loads, so the next sync pulled all history again).
    std::thread::sleep(Duration::from_millis(2100));

    // First sync: full history into the mirror, values equal `hrh aggregate` on the files.
    let state = dir.join("sync/state.json");
    let run = sync(&server.base, &standin.base_url, &state, &[], &ADMIN);
    ok(&run);
    has(&run.stdout, "mirror started afresh");
    has(&run.stdout, "mirror: 300 upserted");
    assert!(state.is_file() && dir.join("sync/mirror/Practitioner.ndjson").is_file());
    let (data_set, expected) = aggregate(&registry, &dir.join("expected-1.json"));
    assert!(expected.len() > 100);
    assert_eq!(stored(&standin, &data_set), expected);

    // Edits on the server, later than the stored watermark (second precision).
    std::thread::sleep(Duration::from_millis(1100));
    let client = FhirClient::new(&server.base, ClientConfig::default()).unwrap();
    let deleted = edit(&client);
    assert_eq!(deleted, 6);
    let copy = dir.join("after-edits");
    download(&client, &copy);
    let (_, expected_after) = aggregate(&copy, &dir.join("expected-2.json"));
    assert_ne!(expected_after, expected, "the edits change the figures");
    // The watermark of the next sync must be past the edits.
    std::thread::sleep(Duration::from_millis(2100));

    // A sync whose push fails (wrong DHIS2 credentials) and a dry run store no state.
    let before = std::fs::read(&state).unwrap();
    let wrong = [
        ("HRH_DHIS2_USERNAME", "admin"),
        ("HRH_DHIS2_PASSWORD", "not-the-password"),
    ];
    let run = sync(&server.base, &standin.base_url, &state, &[], &wrong);
    fails(&run, 3, "credentials", Some("not-the-password"));
    let run = sync(
        &server.base,
        &standin.base_url,
        &state,
        &["--dry-run"],
        &ADMIN,
    );
    ok(&run);
    has(&run.stdout, "state not stored (dry run)");
    assert_eq!(std::fs::read(&state).unwrap(), before);
    assert_eq!(
        stored(&standin, &data_set),
        expected,
        "a dry run stores nothing"
    );

    // Second sync: the same changes are pulled again (the state was not stored) and the
    // values follow the server.
    let run = sync(&server.base, &standin.base_url, &state, &[], &ADMIN);
    ok(&run);
    has(
        &run.stdout,
        &format!(
            "pulled Practitioner: {} change(s), {} deletion(s)",
            15 + 6,
            6
        ),
    );
    assert_ne!(std::fs::read(&state).unwrap(), before, "state stored");
    assert_eq!(stored(&standin, &data_set), expected_after);
    let (_, from_mirror) = aggregate(&dir.join("sync/mirror"), &dir.join("expected-3.json"));
    assert_eq!(from_mirror, expected_after, "the mirror equals the server");

    // Third sync, nothing changed: nothing pulled, nothing updated, values unchanged.
    let run = sync(&server.base, &standin.base_url, &state, &[], &ADMIN);
    ok(&run);
    has(&run.stdout, "pulled 0 change(s), 0 deletion(s) in total");
    has(&run.stdout, "imported 0, updated 0");
    assert_eq!(stored(&standin, &data_set), expected_after);

    // The same through a bulk export into a fresh mirror: the same figures.
    let bulk_state = dir.join("bulk/state.json");
    let run = sync(
        &server.base,
        &standin.base_url,
        &bulk_state,
        &["--bulk"],
        &ADMIN,
    );
    ok(&run);
    has(&run.stdout, "mirror replaced by a full export");
    has(&run.stdout, "imported 0, updated 0");
    assert_eq!(stored(&standin, &data_set), expected_after);

    // And from a directory: the files are read directly, the state keeps no watermark,
    // only the pushed total (for the drop check).
    let dir_state = dir.join("from-dir/state.json");
    let run = sync(
        copy.to_str().unwrap(),
        &standin.base_url,
        &dir_state,
        &[],
        &ADMIN,
    );
    ok(&run);
    let kept: Value = serde_json::from_slice(&std::fs::read(&dir_state).unwrap()).unwrap();
    assert_eq!(kept["since"], json!({}), "{kept}");
    assert_eq!(kept["pushed"].as_array().unwrap().len(), 1, "{kept}");
}

#[test]
fn facilities_pulled_from_dhis2_push_to_fhir_without_duplicates() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let standin = Standin::start();
    let dir = temp_dir("e2e-facilities");
    let out = dir.join("facilities");
    let run = hrh(
        &[
            "--insecure",
            "facilities",
            "pull",
            "--dhis2",
            &standin.base_url,
            "--out",
            out.to_str().unwrap(),
        ],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let push = || {
        hrh(
            &[
                "facilities",
                "push",
                "--fhir",
                &server.base,
                out.to_str().unwrap(),
            ],
            &[],
        )
    };
    let run = push();
    ok(&run);
    has(&run.stdout, "created 26, updated 0, failed 0");
    let run = push();
    has(&run.stdout, "created 0, updated 26, failed 0");
    let run = hrh(
        &[
            "facilities",
            "push",
            "--json",
            "--fhir",
            &server.base,
            out.to_str().unwrap(),
        ],
        &[],
    );
    let json: Value = serde_json::from_str(ok(&run)).unwrap();
    assert_eq!(json["load"]["records"], 26);
    assert_eq!(json["load"]["updated"], 26);
    let client = FhirClient::new(&server.base, ClientConfig::default()).unwrap();
    let (locations, _) = client
        .search_all(
            "Location",
            &SearchParams::new().identifier(Some("http://dhis2.org/identifiertypes#id"), ROOT),
        )
        .unwrap();
    assert_eq!(locations.len(), 1, "found by its DHIS2 identifier");

    let down = hrh(
        &[
            "facilities",
            "push",
            "--fhir",
            "http://127.0.0.1:9/fhir",
            out.to_str().unwrap(),
        ],
        &[],
    );
    fails(&down, 3, "127.0.0.1:9", None);

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = hrh(
        &[
            "facilities",
            "push",
            "--fhir",
            &server.base,
            empty.to_str().unwrap(),
        ],
        &[],
    );
    fails(&run, 2, "facilities pull", None);
}

#[test]
fn load_and_sync_errors_are_one_line_with_the_documented_status() {
    let Some(server) = Sekmet::start_with(
        "server_auth:\n  types: [basic, bearer, smart]\n  users: {hrh: pw-hrh}\n  \
         tokens: [static-token]\n  smart_clients:\n    \
         - {client_id: hrh-secret, client_secret: s3cr3t, scopes: 'system/*.*'}\n",
    ) else {
        return;
    };
    let standin = Standin::start();
    let dir = temp_dir("e2e-errors");
    let registry = dir.join("registry");
    let run = hrh(
        &[
            "generate",
            "--workers",
            "20",
            "--out",
            registry.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reg = registry.to_str().unwrap();
    let down = "http://127.0.0.1:9/fhir";
    let state = dir.join("state.json");

    // Server down: 3.
    fails(
        &hrh(&["load", "--fhir", down, reg], &[]),
        3,
        "127.0.0.1:9",
        None,
    );
    fails(
        &sync(down, &standin.base_url, &state, &[], &ADMIN),
        3,
        "127.0.0.1:9",
        Some("district"),
    );

    // Wrong or missing credentials: 3, with a hint and without the secret.
    let wrong = [
        ("HRH_FHIR_USERNAME", "hrh"),
        ("HRH_FHIR_PASSWORD", "hunter2"),
    ];
    fails(
        &hrh(&["--insecure", "load", "--fhir", &server.base, reg], &wrong),
        3,
        "HRH_FHIR_",
        Some("hunter2"),
    );
    let token = [("HRH_FHIR_TOKEN", "wrong-token")];
    let mut env = ADMIN.to_vec();
    env.extend(token);
    fails(
        &sync(&server.base, &standin.base_url, &state, &[], &env),
        3,
        "HRH_FHIR_",
        Some("wrong-token"),
    );
    fails(
        &hrh(&["load", "--fhir", &server.base, reg], &[]),
        3,
        "401",
        None,
    );
    // Credentials over plain http:// without --insecure: 2, nothing sent.
    fails(
        &hrh(&["load", "--fhir", &server.base, reg], &token),
        2,
        "--insecure",
        Some("wrong-token"),
    );
    // The right ones work: Basic, and OAuth2 client credentials (a wrong secret is 3).
    let right = [
        ("HRH_FHIR_USERNAME", "hrh"),
        ("HRH_FHIR_PASSWORD", "pw-hrh"),
    ];
    let run = hrh(&["--insecure", "load", "--fhir", &server.base, reg], &right);
    ok(&run);
    let token_url = server.base.replace("/fhir", "/auth/token");
    let oauth = |secret| {
        [
            ("HRH_FHIR_CLIENT_ID", "hrh-secret"),
            ("HRH_FHIR_CLIENT_SECRET", secret),
            ("HRH_FHIR_TOKEN_URL", token_url.as_str()),
            ("HRH_FHIR_SCOPE", "system/*.read system/*.write"),
        ]
    };
    let run = hrh(
        &["--insecure", "load", "--fhir", &server.base, reg],
        &oauth("s3cr3t"),
    );
    has(ok(&run), "created 0");
    fails(
        &hrh(
            &["--insecure", "load", "--fhir", &server.base, reg],
            &oauth("not-s3cr3t"),
        ),
        3,
        "HRH_FHIR_CLIENT_SECRET",
        Some("not-s3cr3t"),
    );

    // Bad mapping file, unreadable input, neither URL nor directory: 2.
    let mapping = dir.join("bad-mapping.toml");
    std::fs::write(&mapping, "this is = not a mapping\n").unwrap();
    fails(
        &sync(
            &server.base,
            &standin.base_url,
            &state,
            &["--mapping", mapping.to_str().unwrap()],
            &ADMIN,
        ),
        2,
        "bad-mapping.toml",
        None,
    );
    fails(
        &hrh(&["load", "--fhir", &server.base, "/no/such/registry"], &[]),
        2,
        "/no/such/registry",
        None,
    );
    fails(
        &sync("not-a-dir-or-url", &standin.base_url, &state, &[], &ADMIN),
        2,
        "neither a directory nor a URL",
        None,
    );
    assert!(!state.exists(), "no failed sync stores state");
}

#[test]
fn load_with_smart_backend_credentials_from_the_environment() {
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fhir-adapter/tests/keys");
    let Some(server) = Sekmet::start_with(&format!(
        "server_auth:\n  types: [smart]\n  smart_clients:\n    \
         - {{client_id: hrh-es, public_key_path: {}, scopes: 'system/*.*'}}\n",
        keys.join("test-only-es384-public.pem").display(),
    )) else {
        return;
    };
    let dir = temp_dir("e2e-smart");
    let registry = dir.join("registry");
    let reg = registry.to_str().unwrap();
    let run = hrh(&["generate", "--workers", "10", "--out", reg], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let load = |key_file: &str, algorithm: &str| {
        let key = keys.join(key_file);
        let env = [
            ("HRH_FHIR_SMART_CLIENT_ID", "hrh-es"),
            ("HRH_FHIR_SMART_KEY_FILE", key.to_str().unwrap()),
            ("HRH_FHIR_SMART_ALGORITHM", algorithm),
            ("HRH_FHIR_SCOPE", "system/*.read system/*.write"),
        ];
        hrh(&["--insecure", "load", "--fhir", &server.base, reg], &env)
    };

    // No credentials: refused by the server (3).
    fails(
        &hrh(&["--insecure", "load", "--fhir", &server.base, reg], &[]),
        3,
        "HRH_FHIR_",
        None,
    );
    // The registered key: every record stored.
    let run = load("test-only-es384-private.pem", "ES384");
    let out = ok(&run);
    has(out, "failed 0");
    assert!(!out.contains("created 0,"), "{out}");
    // Another (validly signed) key than the registered one: refused by the server (3); and
    // a key that does not fit the algorithm: refused before sending (3). The key file's
    // content is never shown.
    let run = load("test-only-rs384-private.pem", "RS384");
    fails(&run, 3, "HRH_FHIR_", Some("PRIVATE KEY"));
    let run = load("test-only-rs384-private.pem", "ES384");
    fails(&run, 3, "HRH_FHIR_SMART_KEY_FILE", Some("PRIVATE KEY"));
}

/// The practitioners of a bulk export a FHIR server must refuse, found here independently of
/// `hrh`: a gender outside administrative-gender, a birth date that is no calendar date,
/// and a national id an earlier practitioner already has (the first keeps it). Each
/// `Practitioner/id` with the start of the reason `hrh load` gives.
fn unloadable(registry: &Path) -> Vec<(String, &'static str)> {
    let text = std::fs::read_to_string(registry.join("Practitioner.ndjson")).unwrap();
    let mut seen = BTreeSet::new();
    let mut bad = Vec::new();
    for line in text.lines() {
        let p: Value = serde_json::from_str(line).unwrap();
        let id = format!("Practitioner/{}", p["id"].as_str().unwrap());
        let gender = p["gender"].as_str();
        if gender.is_some_and(|g| !["male", "female", "other", "unknown"].contains(&g)) {
            bad.push((
                id.clone(),
                "gender is not a FHIR administrative-gender code",
            ));
        }
        if let Some(date) = p["birthDate"].as_str() {
            let full = match date.len() {
                4 => format!("{date}-01-01"),
                7 => format!("{date}-01"),
                _ => date.to_owned(),
            };
            if chrono::NaiveDate::parse_from_str(&full, "%Y-%m-%d").is_err() {
                bad.push((id.clone(), "birthDate is not a FHIR date"));
            }
        }
        let national = p["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == "https://hrh.dev/fhir/sid/national-health-worker-id")
            .map(|i| i["value"].as_str().unwrap().to_owned());
        if let Some(national) = national
            && !seen.insert(national)
        {
            bad.push((id, "its identifier (system https://hrh.dev/fhir/sid/national-health-worker-id) is also that of"));
        }
    }
    bad
}

/// `Type/id` of each `refused: Type/id: reason` line on stderr, with its reason.
fn refused_lines(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("refused: "))
        .map(|l| {
            let (key, reason) = l.split_once(": ").unwrap();
            (key.to_owned(), reason.to_owned())
        })
        .collect()
}

/// What loading `registry` must refuse: [`unloadable`] practitioners, the roles of those
/// (dependent), and the number of records.
fn expected(registry: &Path) -> (Vec<(String, &'static str)>, BTreeSet<String>, usize) {
    let bad = unloadable(registry);
    let roles = std::fs::read_to_string(registry.join("PractitionerRole.ndjson")).unwrap();
    let dependent: BTreeSet<String> = roles
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| {
            let of = r["practitioner"]["reference"].as_str().unwrap();
            bad.iter().any(|(k, _)| k == of)
        })
        .map(|r| format!("PractitionerRole/{}", r["id"].as_str().unwrap()))
        .collect();
    let records: usize = [
        "Organization",
        "Location",
        "Practitioner",
        "PractitionerRole",
    ]
    .iter()
    .map(|t| {
        std::fs::read_to_string(registry.join(format!("{t}.ndjson")))
            .unwrap()
            .lines()
            .count()
    })
    .sum();
    (bad, dependent, records)
}

#[test]
fn a_registry_with_bad_records_loads_every_valid_one_and_lists_each_refused_one() {
    let Some(server) = Sekmet::start() else {
        return;
    };
    let dir = temp_dir("e2e-bad-records");
    let registry = dir.join("registry");
    let reg = registry.to_str().unwrap();
    let run = hrh(
        &["generate", "--workers", "300", "--seed", "7", "--out", reg],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (bad, dependent, records) = expected(&registry);
    assert!(!bad.is_empty(), "seed 7 has bad records");
    let refused = bad.len() + dependent.len();
    let good = records - refused;

    // First load: every valid record created, each invalid one listed with its reason,
    // its roles as dependent; exit 1.
    let first = hrh(&["load", "--fhir", &server.base, reg], &[]);
    first.no_panic();
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    has(
        &first.stdout,
        &format!(
            "created {good}, updated 0, failed {refused} ({refused} refused before sending, 0 by the server)"
        ),
    );
    let lines = refused_lines(&first.stderr);
    assert_eq!(lines.len(), refused, "{}", first.stderr);
    for (key, reason) in &bad {
        assert!(
            lines.iter().any(|(k, r)| k == key && r.starts_with(reason)),
            "{key}: {reason} not in\n{}",
            first.stderr
        );
    }
    for key in &dependent {
        assert!(
            lines
                .iter()
                .any(|(k, r)| k == key && r.starts_with("not sent: it refers to Practitioner/")),
            "{key} not dependent in\n{}",
            first.stderr
        );
    }
    assert!(!first.stderr.contains("2020-13-01") && !first.stderr.contains("Worker "));
    has(
        &first.stderr,
        &format!("error: {refused} of {records} entries refused"),
    );

    // The server holds exactly the valid ones.
    let client = FhirClient::new(&server.base, ClientConfig::default()).unwrap();
    let (practitioners, _) = client
        .search_all("Practitioner", &SearchParams::new())
        .unwrap();
    let (stored_roles, _) = client
        .search_all("PractitionerRole", &SearchParams::new())
        .unwrap();
    assert_eq!(practitioners.len(), 300 - bad.len());
    let roles = std::fs::read_to_string(registry.join("PractitionerRole.ndjson")).unwrap();
    assert_eq!(stored_roles.len(), roles.lines().count() - dependent.len());
    for (key, _) in &bad {
        let id = key.trim_start_matches("Practitioner/");
        assert!(practitioners.iter().all(|p| p["id"] != id), "{key} stored");
    }

    // Second load: nothing created, the same refused.
    let again = hrh(&["load", "--fhir", &server.base, reg], &[]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    has(
        &again.stdout,
        &format!("created 0, updated {good}, failed {refused}"),
    );

    refused_only_by_the_server(&server, &registry, records, good, refused);
}

/// A refusal only the server can see: a practitioner renamed to another id while the server
/// holds its national id under the old one. The transaction rolls back, the loader splits
/// it down to that entry, and every other entry is stored.
fn refused_only_by_the_server(
    server: &Sekmet,
    registry: &Path,
    records: usize,
    good: usize,
    refused: usize,
) {
    let reg = registry.to_str().unwrap();
    let path = registry.join("Practitioner.ndjson");
    let text = std::fs::read_to_string(&path).unwrap();
    let moved = text.replacen("\"id\":\"hw-0000000\"", "\"id\":\"hw-moved\"", 1);
    assert_ne!(moved, text);
    std::fs::write(&path, moved).unwrap();
    let split = hrh(&["load", "--fhir", &server.base, reg], &[]);
    assert_eq!(split.code, 1, "{}", split.stderr);
    has(
        &split.stdout,
        &format!(
            "created 0, updated {}, failed {} ({refused} refused before sending, 1 by the server)",
            good - 1,
            refused + 1
        ),
    );
    let by_server: Vec<(String, String)> = refused_lines(&split.stderr)
        .into_iter()
        .filter(|(_, r)| r.starts_with("refused by the server"))
        .collect();
    assert_eq!(by_server.len(), 1, "{}", split.stderr);
    assert_eq!(by_server[0].0, "Practitioner/hw-moved");
    assert!(by_server[0].1.contains("(HTTP 400)"), "{}", by_server[0].1);
    let transactions: usize = split
        .stdout
        .split(" transaction(s)")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(transactions > records.div_ceil(100), "{}", split.stdout);
}
