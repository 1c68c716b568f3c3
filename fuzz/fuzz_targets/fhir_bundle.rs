//! A FHIR JSON document (a Bundle or one resource) through the reader, as bytes and as a
//! parsed value: every entry accounted for.
#![no_main]

use hrh_fhir::{ReadConfig, read_bundle_value, read_json, read_resource};
use hrh_fuzz::check_report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = ReadConfig::default();
    let mut records = 0;
    let report = match read_json(data, "fuzz.json", &config, &mut |_| records += 1) {
        Ok(report) => report,
        Err(e) => panic!("in-memory JSON read failed: {e}"),
    };
    check_report(&report, records);
    assert!(report.read >= 1 || report.deleted.is_empty());
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut parsed = 0;
        let from_value = read_bundle_value(&value, "fuzz.json", &config, &mut |_| parsed += 1);
        check_report(&from_value, parsed);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_resource(text, &config);
    }
});
