//! FHIR files through the streaming readers (the classifier by first line, the batch
//! scans, the parallel parse): the same registry, report and figures as the serial reader.
//!
//! The input is cut at NUL bytes into up to four files; a part starting with byte 1 is
//! written as a JSON document (`.json`), the others as NDJSON.
#![no_main]

use std::sync::OnceLock;

use hrh_core::Country;
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_fhir::ReadConfig;
use hrh_fuzz::{counts, places, scratch};
use libfuzzer_sys::fuzz_target;

/// A fresh aggregation (national, NHWA module 1, 2024), cloned from one built once.
fn aggregation() -> Aggregation {
    static AGGREGATION: OnceLock<Aggregation> = OnceLock::new();
    AGGREGATION
        .get_or_init(|| {
            let mapping = match Mapping::builtin("nhwa-module1") {
                Ok(m) => m,
                Err(e) => panic!("builtin mapping: {e}"),
            };
            let options = Options {
                period: match "2024".parse() {
                    Ok(p) => p,
                    Err(e) => panic!("period: {e}"),
                },
                home: Country::UZBEKISTAN,
                org_unit: Some("OU".into()),
                suppress_below: None,
            };
            match Aggregation::new(&mapping, &options) {
                Ok(a) => a,
                Err(e) => panic!("aggregation: {e}"),
            }
        })
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch("stream");
    let mut files = Vec::new();
    for (i, part) in data.split(|b| *b == 0).take(4).enumerate() {
        let (name, body) = match part.split_first() {
            Some((1, rest)) => (format!("f{i}.json"), rest),
            _ => (format!("f{i}.ndjson"), part),
        };
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, body) {
            panic!("write {}: {e}", path.display());
        }
        files.push(path);
    }
    let config = ReadConfig::default();
    let serial = hrh_fhir::read_registry(&files, &config);
    let parallel = hrh_fhir::stream::read_registry(&files, &config, 2);
    let streamed = hrh_fhir::stream::aggregate_files(&files, &config, aggregation(), 2);
    let _ = std::fs::remove_dir_all(&dir);
    let (registry, report) = match serial {
        Ok(done) => done,
        Err(e) => panic!("serial read failed: {e}"),
    };
    assert!(report.is_balanced(), "unbalanced report: {report:?}");
    assert!(registry.record_count() <= report.accepted);
    let (par_registry, par_report) = match parallel {
        Ok(done) => done,
        Err(e) => panic!("parallel read failed: {e}"),
    };
    assert_eq!(par_registry, registry, "parallel registry differs");
    assert_eq!(counts(&par_report), counts(&report));
    assert_eq!(places(&par_report), places(&report));
    let (result, stream_report) = match streamed {
        Ok(done) => done,
        Err(e) => panic!("streamed aggregation failed: {e}"),
    };
    assert_eq!(counts(&stream_report), counts(&report));
    assert_eq!(places(&stream_report), places(&report));
    assert_eq!(
        result,
        aggregation().run(&registry),
        "streamed figures differ"
    );
});
