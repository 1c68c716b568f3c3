//! The streaming aggregation gives the same figures and account as the in-memory one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;

mod common;
use common::TempDir;
use hrh_core::Country;
use hrh_core::aggregate::{AggregateResult, Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_fhir::write::export_synthetic;
use hrh_fhir::{ReadConfig, inputs, read_registry, stream};

fn aggregation(mapping: &str) -> Aggregation {
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    Aggregation::new(&Mapping::builtin(mapping).unwrap(), &options).unwrap()
}

/// Where each rejected record is and why, in the report's order.
fn places(report: &hrh_fhir::ReadReport) -> Vec<(hrh_fhir::Origin, String)> {
    report
        .rejected
        .iter()
        .map(|x| (x.location.clone(), x.reason.to_string()))
        .collect()
}

fn in_memory(files: &[PathBuf], mapping: &str) -> AggregateResult {
    let (registry, _) = read_registry(files, &ReadConfig::default()).unwrap();
    aggregation(mapping).run(&registry)
}

#[test]
fn streaming_equals_in_memory_for_both_builtin_mappings_and_any_thread_count() {
    let dir = TempDir::new("stream-equal");
    let synthetic = SyntheticRegistry::new(Config {
        workers: 12_000,
        ..Config::default()
    });
    export_synthetic(&synthetic, &dir.0, 2).unwrap();
    // Practitioners first, on purpose: the stream must still read roles before them.
    let mut files = inputs::expand(&[&dir.0]).unwrap();
    files.sort_by_key(|f| !f.ends_with("Practitioner.ndjson"));
    for mapping in ["nhwa-module1", "nhwa-module1-subnational"] {
        let expected = in_memory(&files, mapping);
        assert_eq!(expected.account.workers, 12_000);
        for threads in [1, 3] {
            let (streamed, report) = stream::aggregate_files(
                &files,
                &ReadConfig::default(),
                aggregation(mapping),
                threads,
            )
            .unwrap();
            assert!(report.is_balanced());
            assert_eq!(
                streamed.values, expected.values,
                "{mapping}, {threads} threads"
            );
            assert_eq!(streamed.account, expected.account);
        }
    }
}

#[test]
fn records_out_of_place_bad_lines_and_bundles_are_all_accounted_for() {
    let dir = TempDir::new("stream-mixed");
    let synthetic = SyntheticRegistry::new(Config {
        workers: 500,
        seed: 3,
        ..Config::default()
    });
    export_synthetic(&synthetic, &dir.0, 1).unwrap();
    // A role file that also holds a practitioner, a broken line and a blank line.
    let mut extra = std::fs::File::create(dir.0.join("Extra.ndjson")).unwrap();
    writeln!(extra, r#"{{"resourceType":"PractitionerRole","id":"x-r","practitioner":{{"reference":"Practitioner/x"}},"code":[{{"coding":[{{"system":"http://www.ilo.org/public/english/bureau/stat/isco/isco08","code":"2221"}}]}}],"period":{{"start":"2020-01-01"}}}}"#).unwrap();
    writeln!(
        extra,
        r#"{{"resourceType":"Practitioner","id":"x","gender":"female","birthDate":"1990-01-01"}}"#
    )
    .unwrap();
    writeln!(extra, "{{not json").unwrap();
    writeln!(extra).unwrap();
    drop(extra);
    let files = inputs::expand(&[&dir.0]).unwrap();
    let expected = in_memory(&files, "nhwa-module1");
    let (streamed, report) = stream::aggregate_files(
        &files,
        &ReadConfig::default(),
        aggregation("nhwa-module1"),
        2,
    )
    .unwrap();
    assert_eq!(streamed.account.workers, 501);
    assert_eq!(streamed.values, expected.values);
    assert_eq!(streamed.account, expected.account);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].location.line, Some(3));
    assert!(report.is_balanced());

    // A Bundle among the inputs: the in-memory path, same figures.
    std::fs::write(
        dir.0.join("more.json"),
        r#"{"resourceType":"Bundle","type":"collection","entry":[]}"#,
    )
    .unwrap();
    let files = inputs::expand(&[&dir.0]).unwrap();
    let (with_bundle, _) = stream::aggregate_files(
        &files,
        &ReadConfig::default(),
        aggregation("nhwa-module1"),
        2,
    )
    .unwrap();
    assert_eq!(with_bundle.values, expected.values);
}

#[test]
fn a_first_line_that_is_not_utf8_is_rejected_not_an_error() {
    // Found by fuzzing (fuzz target `fhir_stream`): the classifier read the first line as
    // text, so a file starting with invalid UTF-8 failed the whole run with an I/O error
    // while the serial reader rejects that one line and reads the rest.
    let dir = TempDir::new("stream-not-utf8");
    let path = dir.0.join("Practitioner.ndjson");
    let mut bytes = b"{\"resourceType\":\"Practitioner\",\"id\":\"\xff\"}\n".to_vec();
    bytes.extend_from_slice(
        br#"{"resourceType":"Practitioner","id":"p1","gender":"female","birthDate":"1990-01-01"}"#,
    );
    std::fs::write(&path, bytes).unwrap();
    let files = vec![path];
    let (streamed, report) = stream::aggregate_files(
        &files,
        &ReadConfig::default(),
        aggregation("nhwa-module1"),
        2,
    )
    .unwrap();
    assert_eq!(streamed, in_memory(&files, "nhwa-module1"));
    assert_eq!((report.read, report.accepted), (2, 1));
    assert_eq!(report.rejected[0].location.line, Some(1));
    assert!(report.is_balanced());
}

#[test]
fn parallel_reading_gives_the_serial_registry_and_report() {
    let dir = TempDir::new("stream-read");
    let synthetic = SyntheticRegistry::new(Config {
        workers: 6_000,
        seed: 5,
        bad_records: true,
        ..Config::default()
    });
    export_synthetic(&synthetic, &dir.0, 2).unwrap();
    // A line longer than a whole 1 MB batch, then bad lines (deep in the file, after it),
    // and a Bundle document.
    let mut extra = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.0.join("Practitioner.ndjson"))
        .unwrap();
    let long_name = "a".repeat(1_500_000);
    writeln!(
        extra,
        r#"{{"resourceType":"Practitioner","id":"long","name":[{{"text":"{long_name}"}}]}}"#
    )
    .unwrap();
    writeln!(extra, "{{not json").unwrap();
    writeln!(extra).unwrap();
    writeln!(extra, r#"{{"resourceType":"Practitioner"}}"#).unwrap();
    drop(extra);
    std::fs::write(
        dir.0.join("more.json"),
        r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Practitioner","id":"b1","gender":"male"}}]}"#,
    )
    .unwrap();
    let files = inputs::expand(&[&dir.0]).unwrap();
    let config = ReadConfig::default();
    let (serial, serial_report) = read_registry(&files, &config).unwrap();
    for threads in [1, 2, 4] {
        let (parallel, report) = stream::read_registry(&files, &config, threads).unwrap();
        assert_eq!(parallel, serial, "{threads} threads");
        assert_eq!(report.read, serial_report.read);
        assert_eq!(report.accepted, serial_report.accepted);
        assert_eq!(places(&report), places(&serial_report));
        assert_eq!(report.skipped.len(), serial_report.skipped.len());
        assert!(report.is_balanced());
    }
    assert!(serial_report.rejected.len() >= 2);
    assert!(
        serial
            .practitioners
            .iter()
            .any(|p| p.id == "long" && p.name.as_ref().is_some_and(|n| n.len() == 1_500_000))
    );
}

#[test]
fn streamed_report_lists_rejections_in_file_and_line_order() {
    let dir = TempDir::new("stream-order");
    let synthetic = SyntheticRegistry::new(Config {
        workers: 20_000,
        seed: 9,
        ..Config::default()
    });
    export_synthetic(&synthetic, &dir.0, 1).unwrap();
    // Broken lines spread over many 1 MB batches of the practitioner and role files, and one
    // at the end of the organisation file (read first by the stream).
    for (name, every) in [
        ("Practitioner.ndjson", 1_500),
        ("PractitionerRole.ndjson", 2_500),
        ("Organization.ndjson", usize::MAX),
    ] {
        let path = dir.0.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::with_capacity(text.len() + 1_000);
        for (i, line) in text.lines().enumerate() {
            out.push_str(line);
            out.push('\n');
            if i % every == every - 1 {
                out.push_str("{not json\n\n");
            }
        }
        out.push_str("{not json\n");
        std::fs::write(&path, out).unwrap();
    }
    // Practitioners first: the stream reads them last.
    let mut files = inputs::expand(&[&dir.0]).unwrap();
    files.sort_by_key(|f| !f.ends_with("Practitioner.ndjson"));
    let config = ReadConfig::default();
    let (_, serial) = read_registry(&files, &config).unwrap();
    let skips = |r: &hrh_fhir::ReadReport| {
        r.skipped
            .iter()
            .map(|x| x.location.clone())
            .collect::<Vec<_>>()
    };
    assert!(serial.rejected.len() > 20, "{}", serial.rejected.len());
    assert_eq!(
        serial.rejected[0].location.source.as_ref(),
        "Practitioner.ndjson"
    );
    for threads in [1, 3] {
        let (_, streamed) =
            stream::aggregate_files(&files, &config, aggregation("nhwa-module1"), threads).unwrap();
        assert_eq!(places(&streamed), places(&serial), "{threads} threads");
        assert_eq!(skips(&streamed), skips(&serial), "{threads} threads");
        assert!(streamed.is_balanced());
    }
}

#[test]
fn identifier_only_references_take_the_in_memory_path() {
    let dir = TempDir::new("stream-logical");
    std::fs::create_dir_all(&dir.0).unwrap();
    // The role names its practitioner by identifier only, as Synthea's exports do.
    std::fs::write(
        dir.0.join("PractitionerRole.ndjson"),
        concat!(
            r#"{"resourceType":"PractitionerRole","id":"r1","practitioner":{"identifier":{"system":"urn:staff","value":"42"}},"#,
            r#""code":[{"coding":[{"system":"http://www.ilo.org/public/english/bureau/stat/isco/isco08","code":"2221"}]}],"period":{"start":"2020-01-01"}}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.0.join("Practitioner.ndjson"),
        concat!(
            r#"{"resourceType":"Practitioner","id":"p1","identifier":[{"system":"urn:staff","value":"42"}],"gender":"female","birthDate":"1980-01-01"}"#,
            "\n{not json\n"
        ),
    )
    .unwrap();
    let files = inputs::expand(&[&dir.0]).unwrap();
    let expected = in_memory(&files, "nhwa-module1");
    assert_eq!(expected.account.counted, 1);
    assert_eq!(expected.account.orphan_employments, 0);
    let (streamed, report) = stream::aggregate_files(
        &files,
        &ReadConfig::default(),
        aggregation("nhwa-module1"),
        2,
    )
    .unwrap();
    assert_eq!(streamed.account, expected.account);
    assert_eq!(streamed.values, expected.values);
    // The report is the in-memory read's alone, not the stream's and then that one's too.
    assert_eq!(report.read, 3);
    assert_eq!(report.rejected.len(), 1);
    assert!(report.is_balanced());
}
