//! `--json` on every command that has it: one JSON document on stdout, parsed and checked
//! against what the stand-in stored and what the text report says, the text on stderr.
//! (`hrh load --json` and `hrh facilities push --json` need a FHIR server: `e2e.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::too_many_lines
)] // a failing unwrap is a failing test; a test reads best as one story

mod common;

use common::{ADMIN, Run, Standin, hrh, temp_dir};
use serde_json::Value;

const DATA_SET: &str = "FuMctq4PQpf";
const DE: &str = "tu2P5ALJRow";
const COMBOS: [&str; 2] = ["i14E8ggjzvt", "EhXjWmnNPjO"];
const FACILITY: &str = "UZfacTsh001";

/// The one JSON document on stdout.
fn document(run: &Run) -> Value {
    run.no_panic();
    assert_eq!(
        run.stdout.trim().lines().count(),
        1,
        "one line without --pretty: {}",
        run.stdout
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn push_json_reports_the_preflight_the_counts_and_each_rejected_value() {
    let standin = Standin::start();
    let dir = temp_dir("json-push");
    let file = dir.join("set.json");
    let values = |pairs: &[(&str, &str, &str)]| {
        let values: Vec<Value> = pairs
            .iter()
            .map(|(de, coc, value)| {
                serde_json::json!({"dataElement": de, "period": "2024", "orgUnit": FACILITY,
                                   "categoryOptionCombo": coc, "value": value})
            })
            .collect();
        serde_json::json!({"dataSet": DATA_SET, "dataValues": values}).to_string()
    };
    std::fs::write(
        &file,
        values(&[(DE, COMBOS[0], "12"), (DE, COMBOS[1], "7")]),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let url = standin.base_url.as_str();
    let run = hrh(
        &["--insecure", "push", "--json", "--dhis2", url, path],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = document(&run);
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["preflight"]["checked"], 2);
    assert_eq!(json["preflight"]["clean"], true);
    assert_eq!(json["import"]["imported"], 2);
    assert_eq!(json["import"]["status"], "SUCCESS");
    assert_eq!(json["import"]["rejected"], serde_json::json!([]));
    assert!(
        run.stderr.contains("imported 2, updated 0"),
        "the text goes to stderr: {}",
        run.stderr
    );

    // A value DHIS2 refuses, without the pre-flight: tied to its value and message.
    std::fs::write(
        &file,
        values(&[(DE, COMBOS[0], "13"), (DE, COMBOS[1], "many")]),
    )
    .unwrap();
    let run = hrh(
        &[
            "--insecure",
            "push",
            "--json",
            "--skip-preflight",
            "--dhis2",
            url,
            path,
        ],
        &ADMIN,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = document(&run);
    assert_eq!(json["exit_code"], 1);
    assert!(json.get("preflight").is_none());
    assert_eq!(json["import"]["updated"], 1);
    let rejected = json["import"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{json}");
    assert_eq!(rejected[0]["index"], 1);
    assert_eq!(rejected[0]["value"]["value"], "many");
    assert!(
        rejected[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("E7619"),
        "{json}"
    );

    // Unknown identifiers stop at the pre-flight: nothing sent, the problems listed.
    std::fs::write(&file, values(&[("NoSuchDE001", COMBOS[0], "3")])).unwrap();
    let run = hrh(
        &[
            "--insecure",
            "--pretty",
            "push",
            "--json",
            "--dhis2",
            url,
            path,
        ],
        &ADMIN,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.lines().count() > 5, "--pretty indents");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["preflight"]["clean"], false);
    assert_eq!(json["preflight"]["problems"][0]["index"], 0);
    assert_eq!(
        json["preflight"]["problems"][0]["value"]["dataElement"],
        "NoSuchDE001"
    );
    assert!(json.get("import").is_none(), "nothing was sent");

    // An error is in the document too, and on stderr as one line.
    let run = hrh(
        &["push", "--json", "--dhis2", url, "/no/such/file.json"],
        &ADMIN,
    );
    assert_eq!(run.code, 2);
    let json = document(&run);
    assert_eq!(json["exit_code"], 2);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("/no/such/file.json"),
        "{json}"
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

#[test]
fn sync_and_facilities_pull_json_report_what_they_did() {
    let standin = Standin::start();
    let dir = temp_dir("json-sync");
    let registry = dir.join("registry");
    let registry = registry.to_str().unwrap();
    let generated = hrh(
        &[
            "generate",
            "--workers",
            "200",
            "--year",
            "2024",
            "--out",
            registry,
        ],
        &[],
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let url = standin.base_url.as_str();
    let state = dir.join("state.json");
    let run = hrh(
        &[
            "--insecure",
            "sync",
            "--json",
            "--fhir",
            registry,
            "--dhis2",
            url,
            "--period",
            "2024",
            "--country",
            "UZ",
            "--org-unit",
            "UZdemoRoot1",
            "--state",
            state.to_str().unwrap(),
        ],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = document(&run);
    assert_eq!(json["account"]["workers"], 200);
    let values = json["values"].as_u64().unwrap();
    assert!(values > 100, "{json}");
    assert_eq!(json["preflight"]["checked"].as_u64(), Some(values));
    let import = &json["import"];
    assert_eq!(
        import["imported"].as_u64().unwrap()
            + import["updated"].as_u64().unwrap()
            + import["ignored"].as_u64().unwrap(),
        values
    );
    assert!(
        json.get("pull").is_none(),
        "a directory is read, not pulled"
    );
    assert!(run.stderr.contains("200 workers"), "{}", run.stderr);

    let out = dir.join("facilities");
    let run = hrh(
        &[
            "--insecure",
            "facilities",
            "pull",
            "--json",
            "--dhis2",
            url,
            "--out",
            out.to_str().unwrap(),
        ],
        &ADMIN,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = document(&run);
    let pairs = json["pull"]["pairs"].as_u64().unwrap();
    let written = std::fs::read_to_string(out.join("Location.ndjson"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(usize::try_from(pairs).unwrap(), written);
    assert_eq!(
        json["pull"]["jurisdictions"].as_u64().unwrap()
            + json["pull"]["facilities"].as_u64().unwrap(),
        pairs
    );
}
