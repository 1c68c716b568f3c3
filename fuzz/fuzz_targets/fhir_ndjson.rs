//! FHIR NDJSON through the reader: every line accounted for, on the line it came from.
#![no_main]

use hrh_fhir::read::NdjsonFeed;
use hrh_fhir::{ReadConfig, read_ndjson};
use hrh_fuzz::{check_report, counts};
use libfuzzer_sys::fuzz_target;

/// Whether a line is a Bundle (whose entries, possibly none, are the units instead of the line).
fn is_bundle(line: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(line.trim_ascii())
        .ok()
        .is_some_and(|v| v.get("resourceType").and_then(|t| t.as_str()) == Some("Bundle"))
}

fuzz_target!(|data: &[u8]| {
    let config = ReadConfig::default();
    let mut feed = NdjsonFeed::new("fuzz.ndjson", &config);
    let mut records = 0;
    let mut lines = 0u32;
    for line in data.split_inclusive(|b| *b == b'\n') {
        lines += 1;
        let before = feed.report().read;
        let (rejected, skipped) = (feed.report().rejected.len(), feed.report().skipped.len());
        feed.line(line, &mut |_| records += 1);
        let report = feed.report();
        check_report(report, records);
        // A line is one unit unless it is a Bundle (then one per entry).
        if report.read != before + 1 {
            assert!(
                is_bundle(line),
                "line {lines} counted {} times",
                report.read - before
            );
        }
        // What was rejected or skipped names this line.
        let new_rejected = report.rejected.iter().skip(rejected).map(|r| &r.location);
        let new_skipped = report.skipped.iter().skip(skipped).map(|s| &s.location);
        for origin in new_rejected.chain(new_skipped) {
            assert_eq!(origin.line, Some(lines), "wrong line in {origin:?}");
        }
    }
    let fed = feed.finish();
    // The whole-input reader agrees with the line-fed one.
    let mut again = 0;
    let whole = match read_ndjson(data, "fuzz.ndjson", &config, &mut |_| again += 1) {
        Ok(report) => report,
        Err(e) => panic!("in-memory NDJSON read failed: {e}"),
    };
    check_report(&whole, again);
    assert_eq!(counts(&whole), counts(&fed));
});
