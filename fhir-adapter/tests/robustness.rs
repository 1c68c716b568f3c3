//! Property tests: no reader panics on arbitrary input, and every line is accounted for.

// Tests may unwrap and panic (the workspace allows it in tests); this also covers helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write;

use hrh_fhir::{ReadConfig, read_json, read_ndjson};
use proptest::prelude::*;

/// Number of NDJSON lines in `bytes` (a final line without newline counts).
fn line_count(bytes: &[u8]) -> usize {
    let newlines = bytes.split(|b| *b == b'\n').count() - 1;
    newlines + usize::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// JSON-ish lines: fragments of workforce resources with arbitrary values.
fn resource_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        ".{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just(r#"{"reference":"Practitioner/1"}"#.to_owned()),
        Just(r##"[{"reference":"#x"}]"##.to_owned()),
        Just(r#"{"start":"2020-02-30"}"#.to_owned()),
    ];
    let field = prop_oneof![
        Just("id"),
        Just("gender"),
        Just("birthDate"),
        Just("identifier"),
        Just("practitioner"),
        Just("location"),
        Just("period"),
        Just("code"),
        Just("qualification"),
        Just("position"),
        Just("extension"),
    ];
    let kind = prop_oneof![
        Just("Practitioner"),
        Just("PractitionerRole"),
        Just("Organization"),
        Just("Location"),
        Just("Patient"),
    ];
    (kind, proptest::collection::vec((field, value), 0..5)).prop_map(|(kind, fields)| {
        let mut line = format!(r#"{{"resourceType":"{kind}""#);
        for (f, v) in fields {
            write!(line, r#","{f}":{v}"#).unwrap();
        }
        line.push('}');
        line
    })
}

proptest! {
    #[test]
    fn ndjson_reader_accounts_for_every_line_of_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        let report = read_ndjson(&bytes[..], "fuzz.ndjson", &ReadConfig::default(), &mut |_| {}).unwrap();
        prop_assert!(report.is_balanced());
        if !bytes.windows(6).any(|w| w == b"Bundle") {
            prop_assert_eq!(report.read, line_count(&bytes));
        }
    }

    #[test]
    fn ndjson_reader_accounts_for_every_resource_like_line(
        lines in proptest::collection::vec(resource_line(), 0..20)
    ) {
        let text = lines.join("\n");
        let mut records = 0;
        let report = read_ndjson(text.as_bytes(), "fuzz.ndjson", &ReadConfig::default(), &mut |_| records += 1).unwrap();
        prop_assert!(report.is_balanced());
        prop_assert_eq!(report.read, lines.len());
        prop_assert_eq!(report.accepted, records);
        for r in &report.rejected {
            prop_assert!(r.reason.to_string().starts_with("fuzz.ndjson:"));
        }
    }

    #[test]
    fn json_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let report = read_json(&bytes[..], "fuzz.json", &ReadConfig::default(), &mut |_| {}).unwrap();
        prop_assert!(report.is_balanced());
    }

    #[test]
    fn bundle_reader_accounts_for_every_entry(
        lines in proptest::collection::vec(resource_line(), 0..10)
    ) {
        let entries: Vec<String> = lines.iter().map(|l| format!(r#"{{"resource":{l}}}"#)).collect();
        let bundle = format!(r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#, entries.join(","));
        let report = read_json(bundle.as_bytes(), "fuzz.json", &ReadConfig::default(), &mut |_| {}).unwrap();
        prop_assert!(report.is_balanced());
        prop_assert_eq!(report.read, lines.len());
    }

    #[test]
    fn measure_report_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = hrh_fhir::madx::read(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn measure_report_reader_rejects_or_reads_mangled_reports(
        start in "[0-9-]{0,12}", end in "[0-9-]{0,12}", score in prop_oneof![Just("1".to_owned()), Just("-2.5".to_owned()), Just("\"x\"".to_owned()), Just("null".to_owned())],
        combo in prop_oneof![Just(r#"{"text":"c1"}"#.to_owned()), Just("{}".to_owned()), Just("null".to_owned())],
    ) {
        let text = format!(
            r#"{{"resourceType":"MeasureReport","id":"m","subject":{{"reference":"Location/ou"}},"period":{{"start":"{start}","end":"{end}"}},"group":[{{"code":{{"text":"de"}},"stratifier":[{{"stratum":[{{"value":{combo},"measureScore":{{"value":{score}}}}}]}}]}}]}}"#
        );
        match hrh_fhir::madx::read(&text) {
            Ok(figures) => prop_assert_eq!(figures.values.len(), 1),
            Err(e) => prop_assert!(e.to_string().contains("MeasureReport"), "{}", e),
        }
    }
}
