//! DHIS2 import responses (JSON ImportSummary or WebMessage, legacy XML ImportSummary):
//! read, mapped back to the values sent, merged across chunks, and round-tripped as JSON.
#![no_main]

use hrh_dhis2::DataValue;
use hrh_dhis2::import_summary::{ImportResponse, ImportSummary, parse_import_response};
use libfuzzer_sys::fuzz_target;

fn exercise(summary: &ImportSummary, offset: usize) {
    let sent: Vec<DataValue> = (0..4)
        .map(|i| DataValue::new("de", &i.to_string()))
        .collect();
    let indexes = summary.rejected_indexes();
    assert!(
        indexes.windows(2).all(|w| w[0] < w[1]),
        "indexes not sorted and unique"
    );
    let rejections = summary.rejections(&sent);
    assert_eq!(rejections.len(), indexes.len());
    for r in &rejections {
        assert_eq!(r.value.is_some(), r.index < sent.len());
    }
    let mut merged = summary.clone();
    merged.absorb(summary.clone(), offset);
    assert!(merged.rejected_indexes().len() >= indexes.len());
    let _ = summary.is_complete_success();
    let json = match serde_json::to_vec(summary) {
        Ok(json) => json,
        Err(e) => panic!("summary does not serialise: {e}"),
    };
    match ImportSummary::from_json(&json) {
        Ok(again) => assert_eq!(&again, summary, "JSON round trip changed the summary"),
        Err(e) => panic!("serialised summary does not read back: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    // The chunk offset is at most the payload size, as when a push is sent in chunks.
    let offset = data.len();
    if let Ok(ImportResponse::Summary(summary)) = parse_import_response(data) {
        exercise(&summary, offset);
    }
    if let Ok(summary) = ImportSummary::from_json(data) {
        exercise(&summary, offset);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(summary) = ImportSummary::from_xml(text)
    {
        exercise(&summary, offset);
    }
});
