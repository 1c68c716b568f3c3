//! Helpers shared by the fuzz targets in `fuzz_targets/`.

use std::path::PathBuf;

use hrh_fhir::ReadReport;

/// A scratch directory for this process and target, emptied on each call.
pub fn scratch(target: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hrh-fuzz-{target}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    dir
}

/// Asserts what every read report must satisfy: every unit accounted for once, and
/// `accepted` equal to the records the sink was given.
pub fn check_report(report: &ReadReport, records: usize) {
    assert!(report.is_balanced(), "unbalanced report: {report:?}");
    assert_eq!(
        report.accepted, records,
        "accepted != records handed to the sink"
    );
}

/// The counts of a report, to compare two reads of the same input.
pub fn counts(report: &ReadReport) -> (usize, usize, usize, usize, usize, usize) {
    (
        report.read,
        report.accepted,
        report.matches,
        report.rejected.len(),
        report.skipped.len(),
        report.deleted.len(),
    )
}

/// Where each rejected, skipped and deleted unit was, in report order, to compare two reads.
pub fn places(report: &ReadReport) -> Vec<String> {
    let rejected = report
        .rejected
        .iter()
        .map(|r| format!("rejected {:?} {:?} {:?}", r.location, r.resource_type, r.id));
    let skipped = report
        .skipped
        .iter()
        .map(|s| format!("skipped {:?} {:?} {:?}", s.location, s.resource_type, s.id));
    let deleted = report
        .deleted
        .iter()
        .map(|d| format!("deleted {:?} {:?} {:?}", d.location, d.resource_type, d.id));
    rejected.chain(skipped).chain(deleted).collect()
}

/// A DHIS2 data value set format under test: what `read` accepts from `data`, `write`
/// writes and `read` reads back; the values also convert (or not) without panicking.
/// With `kept` (what of a set the format keeps), the read back set equals `kept` of the
/// first; without, the format keeps less and the second round trip equals the first.
pub fn round_trip(
    data: &[u8],
    read: impl Fn(&[u8]) -> hrh_dhis2::Result<hrh_dhis2::DataValueSet>,
    write: impl Fn(&hrh_dhis2::DataValueSet, &mut Vec<u8>) -> hrh_dhis2::Result<()>,
    kept: Option<fn(&hrh_dhis2::DataValueSet) -> hrh_dhis2::DataValueSet>,
) {
    let Ok(set) = read(data) else {
        return;
    };
    let _ = set.to_aggregates();
    let written = |set: &hrh_dhis2::DataValueSet| {
        let mut out = Vec::new();
        write(set, &mut out).map(|()| out)
    };
    let Ok(bytes) = written(&set) else {
        assert!(kept.is_none(), "a set read could not be written: {set:?}");
        return;
    };
    let again = match read(&bytes) {
        Ok(again) => again,
        Err(e) => panic!(
            "written set does not read back: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        ),
    };
    if let Some(kept) = kept {
        assert_eq!(again, kept(&set), "round trip changed the set");
        return;
    }
    let Ok(bytes) = written(&again) else {
        panic!("a set read back could not be written again: {again:?}");
    };
    match read(&bytes) {
        Ok(third) => assert_eq!(third, again, "second round trip changed the set"),
        Err(e) => panic!("rewritten set does not read back: {e}"),
    }
}

/// Bytes as text for the XML readers (invalid UTF-8 reads as an empty document).
pub fn text(data: &[u8]) -> &str {
    std::str::from_utf8(data).unwrap_or_default()
}
