//! Every DHIS2 sample under `shared/fixtures/dhis2/{datavalueset,adx,webmessage}`
//! is read, and JSON/XML/CSV/ADX writes are read back.
#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns: a failure is a failing test

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use hrh_dhis2::datavalueset::{adx, csv, json, xml};
use hrh_dhis2::import_summary::{
    ImportResponse, ImportStatus, ImportSummary, parse_import_response,
};
use hrh_dhis2::{DataValue, DataValueSet, Dhis2Error};

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn read_set(path: &Path) -> DataValueSet {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let name = name_of(path);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let parsed = if extension.eq_ignore_ascii_case("json") {
        json::read_json(&bytes)
    } else if extension.eq_ignore_ascii_case("csv") {
        csv::read_csv(&bytes[..])
    } else if path.parent().is_some_and(|p| p.ends_with("adx")) {
        adx::read_adx(&text)
    } else {
        xml::read_xml(&text)
    };
    parsed.unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Data value fixtures and how many values each holds. No fixture is expected to be refused:
/// the "negative" dhis2-core samples (illegal org unit, invalid values) are well-formed
/// payloads that only a server with metadata rejects.
const DATA_VALUE_SETS: [(&str, usize); 17] = [
    ("dataValueSetA.xml", 3),
    ("dataValueSetACatCombo.xml", 3),
    ("dataValueSetADeleted.xml", 3),
    ("dataValueSetANull.xml", 3),
    ("dataValueSetB.csv", 12),
    ("dataValueSetB.xml", 12),
    ("dataValueSetBAttribute.xml", 12),
    ("dataValueSetBCode.xml", 12),
    ("dataValueSetBNoHeader.csv", 12),
    ("dataValueSetCreateDate.json", 1),
    ("dataValueSetIllegalOrgUnit.xml", 1),
    ("dataValueSetInvalid.xml", 3),
    ("dataValueSetJ.json", 1),
    ("dataValueSetJDeleteNoValue.json", 1),
    ("dataValueSetJDeleteZeroValue.json", 1),
    ("dataValueSetWithDataSetHeader.csv", 3),
    ("dataValues_single_dataset.json", 2),
];

const ADX: [(&str, usize); 6] = [
    ("adx_data_sample1.xml", 13),
    ("exportA.adx.xml", 2),
    ("exportB.adx.xml", 4),
    ("importA.adx.xml", 9),
    ("importB.adx.xml", 9),
    ("importDates.adx.xml", 1),
];

fn assert_listed(dir: &Path, expected: &[&str]) {
    let found: Vec<String> = common::files_in(dir).iter().map(|p| name_of(p)).collect();
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(
        found,
        expected,
        "every fixture in {} must be listed here",
        dir.display()
    );
}

#[test]
fn every_data_value_set_fixture_is_read() {
    let Some(root) = common::fixtures_dir() else {
        return;
    };
    let dir = root.join("dhis2/datavalueset");
    assert_listed(&dir, &DATA_VALUE_SETS.map(|(n, _)| n));
    for (name, count) in DATA_VALUE_SETS {
        let set = read_set(&dir.join(name));
        assert_eq!(set.data_values.len(), count, "{name}");
        assert!(
            set.data_values.iter().all(|v| !v.data_element.is_empty()),
            "{name}"
        );
    }
    // Spot checks of the quirks each sample exists for.
    let single = read_set(&dir.join("dataValues_single_dataset.json"));
    assert_eq!(single.complete_date.as_deref(), Some("2019-06-05"));
    let aggregates = single.to_aggregates().unwrap();
    assert_eq!(aggregates[1].value.to_string(), "2000");
    assert_eq!(
        aggregates[1].category_option_combo.as_deref(),
        Some("rtfSaMjPyq6")
    );
    let no_value = read_set(&dir.join("dataValueSetJDeleteNoValue.json"));
    assert_eq!(no_value.data_values[0].value, None);
    assert!(matches!(
        no_value.to_aggregates(),
        Err(Dhis2Error::MissingField {
            index: 0,
            field: "value"
        })
    ));
    let deleted = read_set(&dir.join("dataValueSetADeleted.xml"));
    assert!(deleted.data_values.iter().all(|v| v.deleted == Some(true)));
    let null = read_set(&dir.join("dataValueSetANull.xml"));
    assert_eq!(
        null.resolved_values().nth(1).unwrap().period.as_deref(),
        Some("201201")
    );
    assert_eq!(null.data_values[1].value, None);
    let header = read_set(&dir.join("dataValueSetB.csv"));
    let no_header = read_set(&dir.join("dataValueSetBNoHeader.csv"));
    assert_eq!(header, no_header);
    assert_eq!(
        header.data_values[0].last_updated.as_deref(),
        Some("2012-01-01")
    );
    let short_rows = read_set(&dir.join("dataValueSetWithDataSetHeader.csv"));
    assert_eq!(short_rows.data_values[2].value.as_deref(), Some("10003"));
    assert_eq!(short_rows.data_values[2].deleted, None);
    let xml_b = read_set(&dir.join("dataValueSetB.xml"));
    assert_eq!(
        xml_b
            .data_values
            .iter()
            .filter(|v| v.created.is_some())
            .count(),
        2,
        "two XML values carry a created date, which CSV has no column for"
    );
    let without_created: Vec<DataValue> = xml_b
        .data_values
        .into_iter()
        .map(|v| DataValue { created: None, ..v })
        .collect();
    assert_eq!(without_created, header.data_values);
}

/// The fields every format carries: data element, then period, org unit, COC, value, comment.
type CoreFields = (String, [Option<String>; 5]);

fn core_fields(v: &DataValue) -> CoreFields {
    (
        v.data_element.clone(),
        [
            v.period.clone(),
            v.org_unit.clone(),
            v.category_option_combo.clone(),
            v.value.clone(),
            v.comment.clone(),
        ],
    )
}

#[test]
fn data_value_sets_round_trip_through_json_xml_csv_and_adx() {
    let Some(root) = common::fixtures_dir() else {
        return;
    };
    let dir = root.join("dhis2/datavalueset");
    let mut adx_round_trips = 0;
    for (name, _) in DATA_VALUE_SETS {
        let set = read_set(&dir.join(name));

        let mut out = Vec::new();
        json::write_json(&set, &mut out).unwrap();
        assert_eq!(json::read_json(&out).unwrap(), set, "{name}: JSON");

        let mut out = Vec::new();
        xml::write_xml(&set, &mut out).unwrap();
        assert_eq!(
            xml::read_xml(std::str::from_utf8(&out).unwrap()).unwrap(),
            set,
            "{name}: XML"
        );

        let mut out = Vec::new();
        csv::write_csv(&set, &mut out).unwrap();
        let expected: Vec<DataValue> = set
            .resolved_values()
            .map(|mut v| {
                v.created = None; // not a DHIS2 CSV column
                // CSV cannot tell an empty text from an absent one: both read back as unset.
                for field in [
                    &mut v.period,
                    &mut v.org_unit,
                    &mut v.category_option_combo,
                    &mut v.attribute_option_combo,
                    &mut v.value,
                    &mut v.stored_by,
                    &mut v.last_updated,
                    &mut v.comment,
                ] {
                    if field.as_deref() == Some("") {
                        *field = None;
                    }
                }
                v
            })
            .collect();
        assert_eq!(
            csv::read_csv(&out[..]).unwrap().data_values,
            expected,
            "{name}: CSV"
        );

        let mut out = Vec::new();
        match adx::write_adx(&set, &mut out) {
            Ok(()) => {
                let back = adx::read_adx(std::str::from_utf8(&out).unwrap()).unwrap();
                let written: Vec<_> = set.resolved_values().map(|v| core_fields(&v)).collect();
                let got: Vec<_> = back.data_values.iter().map(core_fields).collect();
                assert_eq!(got, written, "{name}: ADX");
                adx_round_trips += 1;
            }
            // ADX needs a value on every data value; these samples delete by omitting it.
            Err(Dhis2Error::MissingField { field: "value", .. }) => {
                assert!(
                    ["dataValueSetANull.xml", "dataValueSetJDeleteNoValue.json"].contains(&name),
                    "{name}"
                );
            }
            Err(e) => panic!("{name}: ADX write failed: {e}"),
        }
    }
    assert_eq!(adx_round_trips, DATA_VALUE_SETS.len() - 2);
}

#[test]
fn every_adx_fixture_is_read_and_round_trips() {
    let Some(root) = common::fixtures_dir() else {
        return;
    };
    let dir = root.join("dhis2/adx");
    assert_listed(&dir, &ADX.map(|(n, _)| n));
    for (name, count) in ADX {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let set = adx::read_adx(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(set.data_values.len(), count, "{name}");
        let mut out = Vec::new();
        adx::write_adx(&set, &mut out).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = adx::read_adx(std::str::from_utf8(&out).unwrap()).unwrap();
        let strip = |set: &DataValueSet| -> Vec<DataValue> {
            set.data_values
                .iter()
                .map(|v| DataValue {
                    stored_by: None,
                    followup: None,
                    deleted: None,
                    ..v.clone()
                })
                .collect()
        };
        assert_eq!(strip(&back), strip(&set), "{name}");
    }
    let groups =
        adx::read_adx_groups(&std::fs::read_to_string(dir.join("importA.adx.xml")).unwrap())
            .unwrap();
    assert_eq!(
        groups[2].attribute_categories,
        vec![("Mechanism_category".into(), "PEPFARRRRRR".into())]
    );
    assert_eq!(groups[2].period.to_string(), "2021Q1");
    assert_eq!(
        groups[0].data_values[0].categories,
        vec![
            ("Sex_category".into(), "FFFFFFFFFFF".into()),
            ("Age_category".into(), "under555555".into())
        ]
    );
    assert_eq!(
        groups[0].data_values[4].comment.as_deref(),
        Some("Text data value")
    );
    let dates =
        adx::read_adx(&std::fs::read_to_string(dir.join("importDates.adx.xml")).unwrap()).unwrap();
    assert_eq!(
        dates.data_values[0].created.as_deref(),
        Some("1987-12-21T23:59:38.376+0000")
    );
    assert_eq!(dates.data_values[0].comment.as_deref(), Some("33333"));
}

#[derive(Debug)]
enum Expect {
    Summary(ImportStatus, u64),
    Message,
    WebMessageError(u16, Option<&'static str>),
    /// Not an import response at all; listed with the reason.
    Rejected(&'static str),
    XmlSummary(u64, u64, u64),
}

#[test]
fn every_webmessage_fixture_is_classified() {
    let Some(root) = common::fixtures_dir() else {
        return;
    };
    let dir = root.join("dhis2/webmessage");
    let expected: BTreeMap<&str, Expect> = [
        ("docs_dataValueSets_async_job_started.json", Expect::Message),
        ("docs_importSummary_legacy.xml", Expect::XmlSummary(2, 1, 1)),
        (
            "docs_system_id.json",
            Expect::Rejected("GET /api/system/id answer, not an import response"),
        ),
        (
            "docs_system_tasks_DATAVALUE_IMPORT.json",
            Expect::Rejected("task notification array, not an import response"),
        ),
        (
            "docs_system_taskSummaries_DATAVALUE_IMPORT.json",
            Expect::Summary(ImportStatus::Success, 431),
        ),
        (
            "docs_webmessage_403_forbidden.json",
            Expect::WebMessageError(403, None),
        ),
        (
            "docs_webmessage_409_conflict_E7108.json",
            Expect::WebMessageError(409, Some("E7108")),
        ),
        ("object-response.json", Expect::Message),
        ("objects-response.json", Expect::Message),
    ]
    .into_iter()
    .collect();
    assert_listed(&dir, &expected.keys().copied().collect::<Vec<_>>());
    for (name, expect) in &expected {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        match expect {
            Expect::XmlSummary(imported, updated, ignored) => {
                let summary =
                    ImportSummary::from_xml(std::str::from_utf8(&bytes).unwrap()).unwrap();
                assert_eq!(
                    (
                        summary.import_count.imported,
                        summary.import_count.updated,
                        summary.import_count.ignored
                    ),
                    (*imported, *updated, *ignored),
                    "{name}"
                );
            }
            Expect::Summary(status, updated) => match parse_import_response(&bytes) {
                Ok(ImportResponse::Summary(s)) => {
                    assert_eq!(s.status, *status, "{name}");
                    assert_eq!(s.import_count.updated, *updated, "{name}");
                }
                other => panic!("{name}: expected a summary, got {other:?}"),
            },
            Expect::Message => match parse_import_response(&bytes) {
                Ok(ImportResponse::Message(m)) => assert!(m.http_status_code < 300, "{name}"),
                other => panic!("{name}: expected a message, got {other:?}"),
            },
            Expect::WebMessageError(code, error_code) => match parse_import_response(&bytes) {
                Err(Dhis2Error::WebMessage {
                    http_status_code,
                    error_code: got,
                    message,
                    ..
                }) => {
                    assert_eq!(http_status_code, *code, "{name}");
                    assert_eq!(got.as_deref(), *error_code, "{name}");
                    assert!(message.is_some(), "{name}");
                }
                other => panic!("{name}: expected an error message, got {other:?}"),
            },
            Expect::Rejected(reason) => assert!(
                matches!(
                    parse_import_response(&bytes),
                    Err(Dhis2Error::UnexpectedDocument { .. })
                ),
                "{name} should be refused: {reason}"
            ),
        }
    }
}

#[test]
fn every_figures_fixture_is_told_by_its_content() {
    use hrh_dhis2::datavalueset::detect::{Document, detect};
    let Some(root) = common::fixtures_dir() else {
        return;
    };
    let mut seen = BTreeMap::new();
    for folder in ["datavalueset", "adx"] {
        for path in common::files_in(&root.join("dhis2").join(folder)) {
            let name = name_of(&path);
            let expected = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => Some(Document::Dhis2Json),
                Some("csv") => None,
                _ if folder == "adx" => Some(Document::Adx),
                _ => Some(Document::Dhis2Xml),
            };
            let found =
                detect(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(found, expected, "{name}");
            *seen.entry(format!("{found:?}")).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}
