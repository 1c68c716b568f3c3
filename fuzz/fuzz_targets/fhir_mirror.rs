//! A `_history` page into the local mirror: the changes it carries, applied twice (the
//! second time changes nothing on disk), and the mirror's files read back whole.
#![no_main]

use hrh_fhir::ReadConfig;
use hrh_fhir::mirror::{Change, Mirror, SyncState};
use hrh_fuzz::{check_report, scratch};
use libfuzzer_sys::fuzz_target;

fn snapshot(mirror: &Mirror) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    mirror
        .files()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<SyncState>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Change::upsert(text);
    let Ok(page) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let changes = Change::from_bundle(&page);
    let dir = scratch("mirror");
    let mirror = match Mirror::open(&dir) {
        Ok(m) => m,
        Err(e) => panic!("open mirror: {e}"),
    };
    let applied = match mirror.apply(changes.clone()) {
        Ok(a) => a,
        Err(e) => panic!("apply: {e}"),
    };
    assert!(applied.upserted + applied.deleted + applied.ignored <= changes.len());
    let first = snapshot(&mirror);
    let upserts = changes
        .iter()
        .filter(|c| matches!(c, Change::Upsert { .. }))
        .count();
    if let Err(e) = mirror.apply(changes) {
        panic!("apply again: {e}");
    }
    assert_eq!(
        snapshot(&mirror),
        first,
        "applying the same page twice changed the mirror"
    );
    let mut lines = 0;
    for (path, bytes) in &first {
        // One resource per line, each parseable again.
        for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            lines += 1;
            assert!(
                Change::upsert(&String::from_utf8_lossy(line)).is_ok(),
                "mirror line of {} does not read back",
                path.display()
            );
        }
    }
    assert!(lines <= upserts);
    let mut records = 0;
    let config = ReadConfig::default();
    for path in mirror.files() {
        match hrh_fhir::read_path(&path, &config, &mut |_| records += 1) {
            Ok(report) => {
                check_report(&report, records);
                records = 0;
            }
            Err(e) => panic!("read mirror file: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});
