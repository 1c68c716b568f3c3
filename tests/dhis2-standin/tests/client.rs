//! The hrh-dhis2 client against the real stand-in binary: imports, reads,
//! deletes, async jobs, auth, retries, paging and pre-flight.

#![allow(clippy::unwrap_used)] // the helpers below are test code too

mod common;

use std::time::{Duration, Instant};

use common::{Standin, fast_retries, fixtures};
use hrh_dhis2::client::blocking::Dhis2Client;
use hrh_dhis2::client::{
    Auth, ClientSettings, DataValueQuery, ImportOptions, OrgUnitQuery, Paging, PreflightIssue,
    Version,
};
use hrh_dhis2::import_summary::ImportStatus;
use hrh_dhis2::{DataValue, DataValueSet, Dhis2Error};

const DATA_SET: &str = "FuMctq4PQpf";
const ROOT: &str = "UZdemoRoot1";
/// Medical doctors by sex, female and male; medical doctors total (default combo).
const BY_SEX: &str = "GFfMM55sVzg";
const FEMALE: &str = "F3kCvhpDnMM";
const MALE: &str = "sAC6z2IMFrR";
const TOTAL: &str = "h6VJJu0W8U7";
const DEFAULT_COC: &str = "Xr12mI7VPn3";

fn value(de: &str, coc: &str, ou: &str, value: &str) -> DataValue {
    DataValue {
        category_option_combo: Some(coc.to_owned()),
        org_unit: Some(ou.to_owned()),
        ..DataValue::new(de, value)
    }
}

/// Three valid values for 2023 at the root.
fn clean_set() -> DataValueSet {
    let mut set = DataValueSet::new(vec![
        value(BY_SEX, FEMALE, ROOT, "120"),
        value(BY_SEX, MALE, ROOT, "80"),
        value(TOTAL, DEFAULT_COC, ROOT, "200"),
    ]);
    set.period = Some("2023".into());
    set
}

fn client(standin: &Standin) -> Dhis2Client {
    Dhis2Client::new(standin.settings()).unwrap()
}

fn read_back(client: &Dhis2Client, include_deleted: bool) -> DataValueSet {
    let query = DataValueQuery {
        include_deleted,
        ..DataValueQuery::new(DATA_SET, ROOT, "2023")
    };
    client.read_data_values(&query).unwrap()
}

#[test]
fn versions_are_detected() {
    for (flag, expected) in [
        ("2.42", Version::new(2, 42, 3)),
        ("2.43", Version::new(2, 43, 0)),
    ] {
        let standin = Standin::start(&["--version", flag]);
        assert_eq!(client(&standin).version().unwrap(), expected);
    }
}

#[test]
fn a_clean_import_stores_every_value() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let summary = client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Success);
    assert_eq!(summary.import_count.imported, 3);
    assert!(summary.is_complete_success());
    let back = read_back(&client, false);
    assert_eq!(back.data_values.len(), 3);
    let female = back
        .data_values
        .iter()
        .find(|v| v.category_option_combo.as_deref() == Some(FEMALE))
        .unwrap();
    assert_eq!(female.value.as_deref(), Some("120"));
}

#[test]
fn a_partial_import_maps_conflicts_to_the_values_sent() {
    for version in ["2.42", "2.43"] {
        let standin = Standin::start(&["--version", version]);
        let client = Dhis2Client::new(standin.settings().with_chunk_size(2)).unwrap();
        let mut set = clean_set();
        set.data_values
            .insert(1, value("unknownDE01", FEMALE, ROOT, "1"));
        set.data_values
            .push(value(TOTAL, DEFAULT_COC, "unknownOU01", "7"));
        set.data_values
            .push(value(BY_SEX, "unknownCOC1", ROOT, "3"));
        let summary = client
            .import_data_values(&set, &ImportOptions::default())
            .unwrap();
        assert_eq!(summary.status, ImportStatus::Warning, "{version}");
        assert_eq!(summary.import_count.imported, 3);
        assert_eq!(summary.import_count.ignored, 3);
        assert_eq!(summary.rejected_indexes(), vec![1, 4, 5]);
        let rejections = summary.rejections(&set.data_values);
        assert_eq!(rejections[0].value.unwrap().data_element, "unknownDE01");
        assert_eq!(
            rejections[1].value.unwrap().org_unit.as_deref(),
            Some("unknownOU01")
        );
        let codes: Vec<&str> = rejections
            .iter()
            .map(|r| r.conflicts[0].error_code.as_deref().unwrap())
            .collect();
        let expected = if version == "2.43" {
            ["E8103", "E8107", "E8108"]
        } else {
            ["E7610", "E7612", "E7613"]
        };
        assert_eq!(codes, expected);
        assert_eq!(read_back(&client, false).data_values.len(), 3);
    }
}

#[test]
fn a_dry_run_counts_but_stores_nothing() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let options = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let summary = client.import_data_values(&clean_set(), &options).unwrap();
    assert_eq!(summary.import_count.imported, 3);
    assert!(read_back(&client, false).data_values.is_empty());
}

#[test]
fn re_importing_updates_or_ignores_without_duplicates() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let options = ImportOptions::default();
    client.import_data_values(&clean_set(), &options).unwrap();
    let again = client.import_data_values(&clean_set(), &options).unwrap();
    assert_eq!(again.import_count.ignored, 3);
    assert_eq!(again.import_count.imported + again.import_count.updated, 0);
    let mut changed = clean_set();
    changed.data_values[0].value = Some("121".into());
    let update = client.import_data_values(&changed, &options).unwrap();
    assert_eq!(
        (update.import_count.updated, update.import_count.ignored),
        (1, 2)
    );
    let back = read_back(&client, false);
    assert_eq!(back.data_values.len(), 3);
    assert!(
        back.data_values
            .iter()
            .any(|v| v.value.as_deref() == Some("121"))
    );
}

#[test]
fn deletes_are_soft_and_counted() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .unwrap();
    let mut gone = clean_set();
    gone.data_values.truncate(2);
    let summary = client
        .delete_data_values(&gone, &ImportOptions::default())
        .unwrap();
    assert_eq!(summary.import_count.deleted, 2);
    assert_eq!(read_back(&client, false).data_values.len(), 1);
    let all = read_back(&client, true);
    assert_eq!(
        all.data_values
            .iter()
            .filter(|v| v.deleted == Some(true))
            .count(),
        2
    );
    let again = client
        .delete_data_values(&gone, &ImportOptions::default())
        .unwrap();
    assert_eq!(again.import_count.deleted, 0);
    assert_eq!(again.rejected_indexes(), vec![0, 1]);
}

#[test]
fn async_imports_are_polled_to_their_summary() {
    let standin = Standin::start(&[]);
    let client = Dhis2Client::new(standin.settings().with_chunk_size(2)).unwrap();
    let options = ImportOptions {
        async_import: true,
        ..ImportOptions::default()
    };
    let mut set = clean_set();
    set.data_values
        .push(value("unknownDE01", FEMALE, ROOT, "1"));
    let summary = client.import_data_values(&set, &options).unwrap();
    assert_eq!(summary.import_count.imported, 3);
    assert_eq!(summary.rejected_indexes(), vec![3]);
    assert_eq!(read_back(&client, false).data_values.len(), 3);
}

#[tokio::test]
async fn the_async_client_imports_and_reads_with_a_token() {
    let standin = Standin::start(&[]);
    let settings = ClientSettings::new(&standin.base_url, Auth::api_token(standin.token.as_str()));
    let client = hrh_dhis2::client::Dhis2Client::new(settings).unwrap();
    assert_eq!(
        client.me().await.unwrap().username.as_deref(),
        Some("admin")
    );
    let summary = client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.import_count.imported, 3);
    let mut query = DataValueQuery::new(DATA_SET, ROOT, "2023");
    query.last_updated = Some("2000-01-01".into());
    assert_eq!(
        client
            .read_data_values(&query)
            .await
            .unwrap()
            .data_values
            .len(),
        3
    );
    query.last_updated = Some("2999-01-01".into());
    assert!(
        client
            .read_data_values(&query)
            .await
            .unwrap()
            .data_values
            .is_empty()
    );
}

#[test]
fn bad_credentials_are_a_typed_error_without_the_secret() {
    let standin = Standin::start(&[]);
    let wrong = [
        Auth::basic("admin", "s3cret-wrong"),
        Auth::api_token("d2p_s3cret-wrong"),
    ];
    for auth in wrong {
        let client = Dhis2Client::new(ClientSettings::new(&standin.base_url, auth)).unwrap();
        let error = client
            .import_data_values(&clean_set(), &ImportOptions::default())
            .unwrap_err();
        assert!(error.is_unauthorized(), "{error:?}");
        assert!(matches!(
            error,
            Dhis2Error::WebMessage {
                http_status_code: 401,
                ..
            }
        ));
        for text in [
            error.to_string(),
            format!("{error:?}"),
            format!("{client:?}"),
        ] {
            assert!(!text.contains("s3cret"), "{text}");
        }
    }
}

#[test]
fn unavailable_and_throttled_answers_are_retried() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    standin.fault(r#"{"status": 503, "count": 2}"#);
    let before = standin.requests();
    let summary = client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .unwrap();
    assert_eq!(summary.import_count.imported, 3);
    assert_eq!(standin.requests() - before, 3);
    standin.fault(r#"{"status": 429, "retryAfter": "1"}"#);
    let started = Instant::now();
    client.system_info().unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
}

#[test]
fn a_hung_request_times_out_and_is_retried() {
    let standin = Standin::start(&[]);
    let settings = standin.settings().with_timeout(Duration::from_secs(1));
    let client = Dhis2Client::new(settings).unwrap();
    standin.fault(r#"{"delayMs": 3000}"#);
    let before = standin.requests();
    assert_eq!(client.version().unwrap(), Version::new(2, 42, 3));
    assert_eq!(standin.requests() - before, 2);
}

#[test]
fn the_client_gives_up_after_the_configured_attempts() {
    let standin = Standin::start(&[]);
    let client = Dhis2Client::new(standin.settings().with_retry(fast_retries(3))).unwrap();
    standin.fault(r#"{"status": 503, "count": 10}"#);
    let error = client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .unwrap_err();
    match &error {
        Dhis2Error::RetriesExhausted {
            attempts,
            status,
            path,
            ..
        } => {
            assert_eq!((*attempts, *status), (3, 503));
            assert_eq!(path, "api/dataValueSets");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert!(
        error.to_string().contains("gave up after 3 attempt(s)"),
        "{error}"
    );
    let timeouts = standin
        .settings()
        .with_timeout(Duration::from_millis(600))
        .with_retry(fast_retries(2));
    standin.clear_faults();
    standin.fault(r#"{"delayMs": 2000, "count": 2}"#);
    let failing = Dhis2Client::new(timeouts)
        .unwrap()
        .system_info()
        .unwrap_err();
    assert!(
        matches!(
            failing,
            Dhis2Error::Transport {
                kind: "timeout",
                attempts: 2,
                ..
            }
        ),
        "{failing:?}"
    );
}

#[test]
fn organisation_units_are_paged_filtered_and_linked() {
    let standin = Standin::start(&[]);
    let client = Dhis2Client::new(standin.settings().with_page_size(5)).unwrap();
    let paged = client.organisation_units(&OrgUnitQuery::default()).unwrap();
    assert_eq!(paged.len(), 13);
    let mut ids: Vec<&str> = paged.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 13);
    let all = client
        .organisation_units(&OrgUnitQuery {
            paging: Some(Paging::Off),
            ..OrgUnitQuery::default()
        })
        .unwrap();
    assert_eq!(all, paged);
    let root = all.iter().find(|o| o.level == Some(1)).unwrap();
    assert_eq!(
        (root.id.as_str(), root.name.as_deref()),
        (ROOT, Some("Uzbekistan (demo)"))
    );
    let facilities = client
        .organisation_units(&OrgUnitQuery::filtered("level:eq:3"))
        .unwrap();
    assert_eq!(facilities.len(), 9);
    assert!(
        facilities
            .iter()
            .all(|f| f.ancestors().first() == Some(&ROOT))
    );
    assert!(facilities.iter().all(|f| f.parent.is_some()));
}

#[test]
fn values_at_facilities_are_read_with_children() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let mut set = clean_set();
    set.org_unit = Some("UZfacTsh001".into());
    for v in &mut set.data_values {
        v.org_unit = None;
    }
    client
        .import_data_values(&set, &ImportOptions::default())
        .unwrap();
    assert!(read_back(&client, false).data_values.is_empty());
    let query = DataValueQuery {
        children: true,
        ..DataValueQuery::new(DATA_SET, ROOT, "2023")
    };
    assert_eq!(
        client.read_data_values(&query).unwrap().data_values.len(),
        3
    );
}

#[test]
fn preflight_reports_unknown_identifiers_before_sending() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let meta = client.data_set_metadata(DATA_SET).unwrap();
    assert!(
        meta.data_elements.len() > 300,
        "{}",
        meta.data_elements.len()
    );
    assert_eq!(
        meta.data_element(BY_SEX).unwrap().category_option_combos,
        vec![FEMALE, MALE]
    );
    let mut set = clean_set();
    set.data_values
        .push(value("unknownDE01", FEMALE, ROOT, "1"));
    set.data_values.push(value(TOTAL, FEMALE, ROOT, "1"));
    set.data_values
        .push(value(BY_SEX, MALE, "unknownOU01", "1"));
    let before = standin.requests();
    let report = client.preflight(&set, DATA_SET).unwrap();
    assert_eq!(report.checked, 6);
    assert_eq!(report.indexes(), vec![3, 4, 5]);
    assert_eq!(
        report.problems[0].issue,
        PreflightIssue::UnknownDataElement("unknownDE01".into())
    );
    assert!(matches!(
        report.problems[1].issue,
        PreflightIssue::UnknownCategoryOptionCombo { .. }
    ));
    assert_eq!(
        report.problems[2].issue,
        PreflightIssue::UnknownOrgUnit("unknownOU01".into())
    );
    assert!(
        standin.requests() - before <= 2,
        "metadata and one org unit lookup"
    );
    assert!(
        read_back(&client, false).data_values.is_empty(),
        "nothing sent"
    );
    assert!(client.preflight(&clean_set(), DATA_SET).unwrap().is_clean());
    let missing = client.data_set_metadata("nodataset01").unwrap_err();
    assert!(
        matches!(
            missing,
            Dhis2Error::WebMessage {
                http_status_code: 404,
                ..
            }
        ),
        "{missing:?}"
    );
}

#[test]
fn an_atomic_import_on_2_43_stores_nothing_when_a_value_is_bad() {
    let standin = Standin::start(&["--version", "2.43"]);
    let client = client(&standin);
    let mut set = clean_set();
    set.data_values
        .push(value("unknownDE01", FEMALE, ROOT, "1"));
    let options = ImportOptions {
        atomic: Some(true),
        ..ImportOptions::default()
    };
    let summary = client.import_data_values(&set, &options).unwrap();
    assert_eq!(summary.status, ImportStatus::Error);
    assert_eq!(summary.import_count.imported, 0);
    assert_eq!(summary.rejected_indexes(), vec![3]);
    assert!(read_back(&client, false).data_values.is_empty());
}

#[test]
fn a_later_chunk_failing_says_which_and_where() {
    let standin = Standin::start(&[]);
    let client = Dhis2Client::new(standin.settings().with_chunk_size(2)).unwrap();
    standin.fault(r#"{"count": 1}"#); // the first chunk passes
    standin.fault(r#"{"status": 500}"#);
    let error = client
        .import_data_values(&clean_set(), &ImportOptions::default())
        .unwrap_err();
    match &error {
        Dhis2Error::Chunk {
            chunk: 1,
            first_index: 2,
            source,
        } => {
            assert_eq!(source.http_status(), Some(500), "{source:?}");
        }
        other => panic!("expected a chunk error, got {other:?}"),
    }
    assert_eq!(read_back(&client, false).data_values.len(), 2);
}

#[test]
fn dhis2_error_messages_become_typed_errors() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let query = DataValueQuery {
        data_sets: Vec::new(),
        ..DataValueQuery::new(DATA_SET, ROOT, "2023")
    };
    match client.read_data_values(&query).unwrap_err() {
        Dhis2Error::WebMessage {
            http_status_code,
            error_code,
            message,
            ..
        } => {
            assert_eq!(http_status_code, 409);
            assert_eq!(error_code.as_deref(), Some("E2001"));
            assert!(message.unwrap().contains("data set"));
        }
        other => panic!("expected a WebMessage error, got {other:?}"),
    }
}

#[test]
fn a_seeded_stand_in_serves_the_export_it_was_given() {
    let Some(dir) = fixtures() else { return };
    let seed = dir.join("dhis2/metadata/metadata.json");
    let standin = Standin::start(&["--seed", seed.to_str().unwrap()]);
    let client = client(&standin);
    let meta = client.data_set_metadata("qNtxTrp56wV").unwrap();
    assert_eq!(meta.period_type.as_deref(), Some("Yearly"));
    assert_eq!(meta.data_elements.len(), 7);
    let de = meta.data_element("dFaBg0HpoIL").unwrap();
    assert!(!de.category_option_combos.is_empty());
    assert!(
        client
            .organisation_units(&OrgUnitQuery::default())
            .unwrap()
            .is_empty()
    );
    let mut set = DataValueSet::new(vec![value(
        "dFaBg0HpoIL",
        &de.category_option_combos[0],
        ROOT,
        "4",
    )]);
    set.period = Some("2023".into());
    let report = client.preflight(&set, "qNtxTrp56wV").unwrap();
    assert_eq!(report.problems.len(), 1);
    assert_eq!(
        report.problems[0].issue,
        PreflightIssue::UnknownOrgUnit(ROOT.into())
    );
}

#[test]
fn id_schemes_are_sent_and_honoured() {
    let standin = Standin::start(&[]);
    let client = client(&standin);
    let mut set = clean_set();
    for v in &mut set.data_values {
        v.org_unit = Some("UZ".into()); // the root's code
    }
    let by_uid = client
        .import_data_values(&set, &ImportOptions::default())
        .unwrap();
    assert_eq!(by_uid.rejected_indexes(), vec![0, 1, 2]);
    let options = ImportOptions {
        org_unit_id_scheme: Some(hrh_dhis2::uid::IdScheme::Code),
        ..ImportOptions::default()
    };
    let by_code = client.import_data_values(&set, &options).unwrap();
    assert_eq!(by_code.import_count.imported, 3);
    assert_eq!(read_back(&client, false).data_values.len(), 3);
}
