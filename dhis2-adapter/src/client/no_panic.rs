//! Property tests: no answer body, however malformed, makes the client's
//! response parsing panic.

use proptest::prelude::*;
use serde_json::Value;

use super::http::{Answer, error_answer};
use super::import::{summary_or_message, task_completed};
use super::metadata::DataSetMetadata;
use super::org_units::{OrganisationUnit, items};
use super::system::{SystemInfo, Version};

/// Keys the parsers look for, so generated objects reach their deeper paths.
const KEYS: [&str; 24] = [
    "id",
    "pager",
    "organisationUnits",
    "page",
    "pageCount",
    "nextPage",
    "total",
    "level",
    "path",
    "parent",
    "dataSetElements",
    "dataElement",
    "categoryCombo",
    "categoryOptionCombos",
    "completed",
    "httpStatusCode",
    "status",
    "message",
    "response",
    "responseType",
    "importCount",
    "conflicts",
    "indexes",
    "version",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9 .:/-]{0,12}".prop_map(Value::String),
        Just(Value::String("ImportSummary".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            ),
        ]
    })
}

/// Runs every parser on one body; returns how many accepted it.
fn parse_everything(status: u16, body: &[u8]) -> usize {
    let answer = Answer {
        status,
        body: body.to_vec(),
    };
    let _ = error_answer("GET", "api/x", &answer).to_string();
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let _ = task_completed(&value);
    let text = String::from_utf8_lossy(body);
    [
        summary_or_message("POST", "api/dataValueSets", &answer).is_ok(),
        items::<OrganisationUnit>(&value, "organisationUnits").is_ok(),
        DataSetMetadata::from_json(body).is_ok(),
        serde_json::from_slice::<SystemInfo>(body).is_ok_and(|i| i.parsed_version().is_ok()),
        text.parse::<Version>().is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(status in 100_u16..600, body in prop::collection::vec(any::<u8>(), 0..256)) {
        prop_assert!(parse_everything(status, &body) <= 5);
    }

    #[test]
    fn arbitrary_json_never_panics(status in prop::sample::select(vec![200_u16, 401, 404, 409, 500, 503]), value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        prop_assert!(parse_everything(status, &body) <= 5);
    }
}

#[test]
fn the_helper_sees_valid_answers() {
    let body = br#"{"version":"2.42.1","organisationUnits":[],"dataSetElements":[]}"#;
    assert!(parse_everything(200, body) >= 3);
}
