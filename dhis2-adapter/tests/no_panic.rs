//! Property tests: no reader panics, whatever it is given.

use hrh_dhis2::datavalueset::{adx, csv, json, xml};
use hrh_dhis2::import_summary::{ImportSummary, parse_import_response};
use proptest::prelude::*;

/// Runs every reader on the input; each must return, `Ok` or `Err`, never panic.
/// Returns how many readers accepted it, so the call has an observable result.
fn read_everything(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    [
        json::read_json(bytes).is_ok(),
        csv::read_csv(bytes).is_ok(),
        xml::read_xml(&text).is_ok(),
        adx::read_adx(&text).is_ok(),
        parse_import_response(bytes).is_ok(),
        ImportSummary::from_xml(&text).is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}

proptest! {
    #[test]
    fn readers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(read_everything(&bytes) <= 6);
    }

    #[test]
    fn readers_never_panic_on_near_valid_xml(
        root in prop::sample::select(vec!["adx", "dataValueSet", "importSummary"]),
        inner in "[<>/=\"a-zA-Z0-9 &;#]{0,200}",
    ) {
        let doc = format!("<{root}><group orgUnit=\"o\" period=\"2024-01-01/P1Y\">{inner}</group></{root}>");
        prop_assert!(read_everything(doc.as_bytes()) <= 6);
    }

    #[test]
    fn readers_never_panic_on_near_valid_json(
        key in "[a-zA-Z]{0,20}",
        value in prop_oneof![Just("1".to_owned()), Just("null".to_owned()), Just("[]".to_owned()), "\"[^\"\\\\]{0,20}\""],
    ) {
        let doc = format!(
            "{{\"httpStatusCode\":409,\"response\":{{\"responseType\":\"ImportSummary\",\"{key}\":{value}}},\"dataValues\":[{{\"dataElement\":\"x\",\"{key}\":{value}}}]}}"
        );
        prop_assert!(read_everything(doc.as_bytes()) <= 6);
    }
}

#[test]
fn the_property_helper_sees_valid_input() {
    let valid = br#"{"dataValues":[{"dataElement":"a","value":"1"}]}"#;
    assert!(read_everything(valid) >= 1);
}
