//! Helpers of the end-to-end tests against the real peers (sekmet and the DHIS2 stand-in):
//! running `sync`, asserting outcomes, and comparing what DHIS2 stores with `hrh aggregate`.

use std::collections::BTreeSet;
use std::path::Path;

use hrh_dhis2::client::DataValueQuery;
use hrh_fhir::client::SearchParams;
use hrh_fhir::client::blocking::FhirClient;
use serde_json::Value;

use super::{Run, Standin, hrh};

/// The national org unit of the stand-in.
pub const ROOT: &str = "UZdemoRoot1";
/// The figures every e2e `aggregate` and `sync` makes.
pub const FIGURES: [&str; 6] = ["--period", "2024", "--country", "UZ", "--org-unit", ROOT];

/// (data element, category option combo, value) of a data value set.
pub type Values = BTreeSet<(String, String, String)>;

/// `hrh aggregate` over `dir`: its data set and values.
pub fn aggregate(dir: &Path, out: &Path) -> (String, Values) {
    let mut args = vec!["aggregate"];
    args.extend(FIGURES);
    args.extend(["-o", out.to_str().unwrap(), dir.to_str().unwrap()]);
    let run = hrh(&args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let set: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let values = set["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["dataElement"].as_str().unwrap().to_owned(),
                v["categoryOptionCombo"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (set["dataSet"].as_str().unwrap().to_owned(), values)
}

/// What the stand-in stores for the root org unit in 2024.
pub fn stored(standin: &Standin, data_set: &str) -> Values {
    standin
        .client()
        .read_data_values(&DataValueQuery::new(data_set, ROOT, "2024"))
        .unwrap()
        .data_values
        .iter()
        .map(|v| {
            (
                v.data_element.clone(),
                v.category_option_combo.clone().unwrap_or_default(),
                v.value.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// `hrh --insecure sync --fhir URL --dhis2 URL <figures> --state STATE [extra]`.
pub fn sync(fhir: &str, dhis2: &str, state: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec![
        "--insecure",
        "sync",
        "--fhir",
        fhir,
        "--dhis2",
        dhis2,
        "--state",
        state.to_str().unwrap(),
    ];
    args.extend(FIGURES);
    args.extend_from_slice(extra);
    hrh(&args, env)
}

/// Asserts a failure: the exit status, exactly one line on stderr mentioning `mentions`, no
/// panic, and not the `secret` (when one is given).
pub fn fails(run: &Run, code: i32, mentions: &str, secret: Option<&str>) {
    run.no_panic();
    assert_eq!(run.code, code, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains(mentions), "{}", run.stderr);
    if let Some(secret) = secret {
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
}

/// Every workforce resource on the server, as NDJSON files in `dir` (an updated local copy).
pub fn download(client: &FhirClient, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for kind in [
        "Organization",
        "Location",
        "Practitioner",
        "PractitionerRole",
    ] {
        let (all, _) = client.search_all(kind, &SearchParams::new()).unwrap();
        let lines: Vec<String> = all.iter().map(Value::to_string).collect();
        std::fs::write(dir.join(format!("{kind}.ndjson")), lines.join("\n")).unwrap();
    }
}

/// Asserts success (no panic, exit 0) and returns stdout.
pub fn ok(run: &Run) -> &str {
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    &run.stdout
}

/// Asserts that `text` holds `part`.
pub fn has(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}
