//! `hrh push` and `hrh facilities pull` against the DHIS2 stand-in (see
//! `common/mod.rs` for how its binary is found): results, exit statuses
//! (0 clean, 1 refused, 2 usage, 3 server/credentials/network) and one-line
//! errors that never show a secret or a panic.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // a failing unwrap is a failing test

mod common;

use std::path::{Path, PathBuf};

use common::{ADMIN, Run, Standin, hrh, temp_dir};
use hrh_dhis2::client::DataValueQuery;

const DATA_SET: &str = "FuMctq4PQpf";
const DE: &str = "tu2P5ALJRow";
const COMBOS: [&str; 2] = ["i14E8ggjzvt", "EhXjWmnNPjO"];
const FACILITY: &str = "UZfacTsh001";

/// A data value set file with `values` as (data element, combo, value) at the facility in 2024.
fn set_file(dir: &Path, name: &str, values: &[(&str, &str, &str)]) -> PathBuf {
    let values: Vec<serde_json::Value> = values
        .iter()
        .map(|(de, coc, value)| {
            serde_json::json!({"dataElement": de, "period": "2024", "orgUnit": FACILITY,
                               "categoryOptionCombo": coc, "value": value})
        })
        .collect();
    let path = dir.join(name);
    let body = serde_json::json!({"dataSet": DATA_SET, "dataValues": values});
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

/// `hrh push FLAGS --dhis2 URL FILE`.
fn push(url: &str, file: &Path, flags: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["push"];
    args.extend_from_slice(flags);
    args.extend(["--dhis2", url, file.to_str().unwrap()]);
    hrh(&args, env)
}

/// `hrh facilities pull FLAGS --dhis2 URL --out DIR`.
fn pull(url: &str, out: &Path, flags: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["facilities", "pull"];
    args.extend_from_slice(flags);
    args.extend(["--dhis2", url, "--out", out.to_str().unwrap()]);
    hrh(&args, env)
}

/// The values the stand-in holds for the facility in 2024, as (combo, value), sorted.
fn stored(standin: &Standin) -> Vec<(String, String)> {
    let set = standin
        .client()
        .read_data_values(&DataValueQuery::new(DATA_SET, FACILITY, "2024"))
        .unwrap();
    let mut values: Vec<(String, String)> = set
        .data_values
        .iter()
        .map(|v| {
            (
                v.category_option_combo.clone().unwrap_or_default(),
                v.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    values.sort();
    values
}

#[test]
fn push_imports_a_clean_set_and_the_values_are_then_stored() {
    let standin = Standin::start();
    let dir = temp_dir("push-clean");
    let file = set_file(
        &dir,
        "set.json",
        &[(DE, COMBOS[0], "12"), (DE, COMBOS[1], "7")],
    );
    let run = push(&standin.base_url, &file, &["--insecure"], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 value(s) checked"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("imported 2, updated 0, ignored 0, deleted 0"),
        "{}",
        run.stdout
    );
    assert_eq!(
        stored(&standin),
        vec![
            (COMBOS[1].to_owned(), "7".to_owned()),
            (COMBOS[0].to_owned(), "12".to_owned())
        ]
    );
    // Again, asynchronously, in chunks of one, with a token and debug logs: nothing
    // changes, nothing refused, the token is not in the logs.
    let token = [("HRH_DHIS2_TOKEN", standin.token.as_str())];
    let run = push(
        &standin.base_url,
        &file,
        &["--insecure", "--async", "--chunk", "1", "-vv"],
        &token,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("imported 0, updated 0, ignored 2"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&standin.token) && !run.stderr.contains(&standin.token));
}

#[test]
fn push_dry_run_stores_nothing() {
    let standin = Standin::start();
    let dir = temp_dir("push-dry");
    let file = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    let run = push(
        &standin.base_url,
        &file,
        &["--insecure", "--dry-run"],
        &ADMIN,
    );
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("dry run"), "{}", run.stdout);
    assert_eq!(stored(&standin), Vec::<(String, String)>::new());
}

#[test]
fn push_stops_at_the_preflight_listing_unknown_identifiers() {
    let standin = Standin::start();
    let dir = temp_dir("push-preflight");
    let file = set_file(
        &dir,
        "set.json",
        &[(DE, COMBOS[0], "12"), ("NoSuchDE001", COMBOS[0], "3")],
    );
    let run = push(&standin.base_url, &file, &["--insecure"], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("value 1: data element NoSuchDE001 is not in the data set"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(
        stored(&standin),
        Vec::<(String, String)>::new(),
        "nothing sent"
    );

    // A data set DHIS2 does not know: a usage error.
    let run = push(
        &standin.base_url,
        &file,
        &["--insecure", "--data-set", "NoSuchDS001"],
        &ADMIN,
    );
    run.no_panic();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("data set NoSuchDS001 is unknown"),
        "{}",
        run.stderr
    );

    // Without a data set in the file or on the command line: a usage error.
    let bare = dir.join("bare.json");
    std::fs::write(
        &bare,
        r#"{"dataValues":[{"dataElement":"tu2P5ALJRow","period":"2024","orgUnit":"UZfacTsh001","value":"1"}]}"#,
    )
    .unwrap();
    let run = push(&standin.base_url, &bare, &["--insecure"], &ADMIN);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--data-set"), "{}", run.stderr);
}

#[test]
fn push_without_preflight_prints_each_conflict_with_its_value() {
    let standin = Standin::start();
    let dir = temp_dir("push-conflict");
    let file = set_file(
        &dir,
        "set.json",
        &[
            (DE, COMBOS[0], "12"),
            (DE, COMBOS[1], "many"),
            ("NoSuchDE001", COMBOS[0], "3"),
        ],
    );
    let run = push(
        &standin.base_url,
        &file,
        &["--insecure", "--skip-preflight"],
        &ADMIN,
    );
    run.no_panic();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("pre-flight"), "{}", run.stdout);
    assert!(run.stdout.contains("imported 1,"), "{}", run.stdout);
    let rejected: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("rejected value"))
        .collect();
    assert_eq!(rejected.len(), 2, "{}", run.stdout);
    assert!(
        rejected[0].starts_with(&format!(
            "rejected value 1: dataElement={DE} period=2024 orgUnit={FACILITY} categoryOptionCombo={} value=many: ",
            COMBOS[1]
        )),
        "{}",
        rejected[0]
    );
    assert!(rejected[0].contains("E7619"), "{}", rejected[0]);
    assert!(
        rejected[1].starts_with("rejected value 2: dataElement=NoSuchDE001 "),
        "{}",
        rejected[1]
    );
    assert!(rejected[1].contains("E7610"), "{}", rejected[1]);
    assert!(run.stderr.contains("2 value(s) rejected"), "{}", run.stderr);
    assert_eq!(
        stored(&standin),
        vec![(COMBOS[0].to_owned(), "12".to_owned())]
    );
}

#[test]
fn push_reads_every_format_convert_reads() {
    let standin = Standin::start();
    let dir = temp_dir("push-formats");
    let json = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    let csv = dir.join("set.csv");
    let run = hrh(
        &[
            "convert",
            "--to",
            "dhis2-csv",
            "-o",
            csv.to_str().unwrap(),
            json.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // CSV carries no dataSet: name it.
    let run = push(
        &standin.base_url,
        &csv,
        &["--insecure", "--data-set", DATA_SET],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        stored(&standin),
        vec![(COMBOS[0].to_owned(), "12".to_owned())]
    );
}

#[test]
fn wrong_credentials_give_one_line_without_the_secret_and_status_3() {
    let standin = Standin::start();
    let dir = temp_dir("push-401");
    let file = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    for env in [
        &[
            ("HRH_DHIS2_USERNAME", "admin"),
            ("HRH_DHIS2_PASSWORD", "hunter2wrong"),
        ][..],
        &[("HRH_DHIS2_TOKEN", "d2p_hunter2wrong")][..],
        &[][..],
    ] {
        let run = push(&standin.base_url, &file, &["--insecure"], env);
        run.no_panic();
        assert_eq!(run.code, 3, "{env:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.starts_with("error: DHIS2 at "), "{}", run.stderr);
        assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
        assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
    }
    let out = temp_dir("pull-401");
    let run = pull(
        &standin.base_url,
        &out,
        &["--insecure"],
        &[("HRH_DHIS2_TOKEN", "d2p_hunter2wrong")],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"));
}

#[test]
fn server_down_gives_one_line_and_status_3() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let dir = temp_dir("push-down");
    let file = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    let run = push(&url, &file, &["--insecure"], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("connection"), "{}", run.stderr);
    assert!(!run.stderr.contains("district"), "{}", run.stderr);
    let run = pull(&url, &dir, &["--insecure"], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn server_errors_give_one_line_and_status_3() {
    let standin = Standin::start();
    let dir = temp_dir("push-500");
    let file = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    standin.fault(r#"{"status": 500, "count": 1}"#);
    let run = push(&standin.base_url, &file, &["--insecure"], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("500"), "{}", run.stderr);
    assert_eq!(stored(&standin), Vec::<(String, String)>::new());
}

#[test]
fn credentials_over_plain_http_need_insecure() {
    let standin = Standin::start();
    let dir = temp_dir("push-http");
    let file = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    let run = push(&standin.base_url, &file, &[], &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--insecure"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("district"));
    let run = pull(&standin.base_url, &dir, &[], &ADMIN);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--insecure"), "{}", run.stderr);
    assert_eq!(
        stored(&standin),
        Vec::<(String, String)>::new(),
        "nothing sent"
    );
}

#[test]
fn unusable_push_input_is_status_2() {
    let dir = temp_dir("push-input");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    for file in [
        bad.clone(),
        PathBuf::from("/no/such/file.json"),
        PathBuf::from("figures.txt"),
    ] {
        let run = push("https://dhis2.example.org", &file, &[], &ADMIN);
        run.no_panic();
        assert_eq!(run.code, 2, "{}: {}", file.display(), run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    let run = push("not a url", &bad, &[], &ADMIN);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // Credentials in the URL are refused without repeating them.
    let json = set_file(&dir, "set.json", &[(DE, COMBOS[0], "12")]);
    let run = push("http://admin:hunter2@127.0.0.1:1", &json, &[], &ADMIN);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn facilities_pull_writes_mcsd_pairs_that_read_back_with_their_hierarchy() {
    let standin = Standin::start();
    let out = temp_dir("pull");
    let run = pull(
        &standin.base_url,
        &out,
        &["--insecure", "--page-size", "5"],
        &ADMIN,
    );
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("13 Organization + Location pair(s) (4 jurisdiction(s), 9 facility(ies))"),
        "{}",
        run.stdout
    );
    let (registry, report) = hrh_fhir::read_registry(
        &[out.join("Organization.ndjson"), out.join("Location.ndjson")],
        &hrh_fhir::ReadConfig::default(),
    )
    .unwrap();
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(registry.organizations.len(), 13);
    assert_eq!(registry.facilities.len(), 13);
    let facility = registry
        .facilities
        .iter()
        .find(|f| f.id == FACILITY)
        .unwrap();
    assert_eq!(facility.part_of.as_deref(), Some("UZregTashk1"));
    assert_eq!(facility.managing_organization.as_deref(), Some(FACILITY));
    assert_eq!(
        facility.org_unit,
        Some(hrh_core::OrgUnitRef::Uid(FACILITY.to_owned()))
    );
    let region = registry
        .organizations
        .iter()
        .find(|o| o.id == "UZregTashk1")
        .unwrap();
    assert_eq!(region.part_of.as_deref(), Some("UZdemoRoot1"));
    let root = registry
        .facilities
        .iter()
        .find(|f| f.id == "UZdemoRoot1")
        .unwrap();
    assert_eq!(root.part_of, None);
    // mCSD kinds: jurisdictions for the root and regions, facilities for leaves.
    let locations = std::fs::read_to_string(out.join("Location.ndjson")).unwrap();
    let kinds: Vec<(String, String)> = locations
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_owned(),
                l["type"][0]["coding"][0]["code"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert!(kinds.contains(&("UZregTashk1".into(), "jurisdiction".into())));
    assert!(kinds.contains(&(FACILITY.into(), "facility".into())));
    assert!(locations.contains("http://dhis2.org/identifiertypes#id"));
    // A clean registry for `hrh validate`: no broken reference, no finding.
    let run = hrh(&["validate", out.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn facilities_pull_takes_a_sub_tree_down_to_a_level() {
    let standin = Standin::start();
    // A sub-tree down to a level.
    let sub = temp_dir("pull-sub");
    let run = pull(
        &standin.base_url,
        &sub,
        &["--insecure", "--root", "UZregTashk1", "--level", "2"],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("wrote 1 Organization"),
        "{}",
        run.stdout
    );
    let run = pull(
        &standin.base_url,
        &sub,
        &["--insecure", "--root", "UZnoSuchOU1"],
        &ADMIN,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("UZnoSuchOU1"), "{}", run.stderr);
}

#[test]
fn sync_reads_a_directory_of_tables_and_pushes_their_figures() {
    let standin = Standin::start();
    let dir = temp_dir("sync-tables");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tables");
    let tables = dir.join("tables");
    std::fs::create_dir_all(&tables).unwrap();
    std::fs::copy(
        examples.join("generic-staff-sheet.csv"),
        tables.join("staff.csv"),
    )
    .unwrap();
    let mapping = examples.join("generic-staff-sheet.toml");
    let figures = [
        "--period",
        "2024",
        "--country",
        "UZ",
        "--org-unit",
        "UZdemoRoot1",
    ];
    let out = dir.join("figures.json");
    let mut args = vec!["aggregate", "--table-mapping", mapping.to_str().unwrap()];
    args.extend(figures);
    args.extend(["-o", out.to_str().unwrap(), tables.to_str().unwrap()]);
    let run = hrh(&args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut args = vec![
        "--insecure",
        "sync",
        "--fhir",
        tables.to_str().unwrap(),
        "--dhis2",
        &standin.base_url,
        "--table-mapping",
        mapping.to_str().unwrap(),
    ];
    args.extend(figures);
    let run = hrh(&args, &ADMIN);
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("reading 1 file(s)"), "{}", run.stdout);
    assert!(run.stdout.contains("7 workers"), "{}", run.stdout);
    let stored = standin
        .client()
        .read_data_values(&DataValueQuery::new(DATA_SET, "UZdemoRoot1", "2024"))
        .unwrap();
    let nonzero =
        |de: &str, coc: &str, value: &str| value != "0" && !de.is_empty() && !coc.is_empty();
    let mut pushed: Vec<(String, String, String)> = stored
        .data_values
        .iter()
        .map(|v| {
            (
                v.data_element.clone(),
                v.category_option_combo.clone().unwrap_or_default(),
                v.value.clone().unwrap_or_default(),
            )
        })
        .filter(|(de, coc, value)| nonzero(de, coc, value))
        .collect();
    let mut from_aggregate: Vec<(String, String, String)> = expected["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (
                text("dataElement"),
                text("categoryOptionCombo"),
                text("value"),
            )
        })
        .filter(|(de, coc, value)| nonzero(de, coc, value))
        .collect();
    pushed.sort();
    from_aggregate.sort();
    assert!(!from_aggregate.is_empty());
    assert_eq!(pushed, from_aggregate);
}
