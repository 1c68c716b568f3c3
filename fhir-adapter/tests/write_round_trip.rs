//! Written resources read back as the records that were written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

mod common;
use common::TempDir;
use hrh_core::synthetic::{Config, NATIONAL_ID_SYSTEM, SyntheticRegistry};
use hrh_core::{Employment, Registry};
use hrh_fhir::write::{BulkWriter, BundleKind, export_synthetic, profiles, transaction};
use hrh_fhir::{ReadConfig, read_registry};

fn config() -> ReadConfig {
    ReadConfig::default()
        .with_national_id_system(NATIONAL_ID_SYSTEM)
        .with_registry_id_system("https://hrh.dev/fhir/sid/organization")
}

fn files(dir: &TempDir) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// The reader records the coding a job code came from; an employment written from its
/// occupation alone reads back with that ISCO coding as its job code.
fn without_job_codes(mut employments: Vec<Employment>) -> Vec<Employment> {
    for e in &mut employments {
        e.job_code = None;
    }
    employments.sort_by(|a, b| a.id.cmp(&b.id));
    employments
}

/// Asserts equal lists, showing only the first record that differs.
fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, read: &[T], written: &[T]) {
    assert_eq!(read.len(), written.len(), "{what}: count");
    if let Some((r, w)) = read.iter().zip(written).find(|(r, w)| r != w) {
        panic!("{what} differ:\n read:    {r:?}\n written: {w:?}");
    }
}

fn sorted(mut registry: Registry) -> Registry {
    registry.practitioners.sort_by(|a, b| a.id.cmp(&b.id));
    registry.employments.sort_by(|a, b| a.id.cmp(&b.id));
    registry.organizations.sort_by(|a, b| a.id.cmp(&b.id));
    registry.facilities.sort_by(|a, b| a.id.cmp(&b.id));
    registry
}

#[test]
fn a_synthetic_registry_reads_back_as_written_bad_records_included() {
    let synthetic = SyntheticRegistry::new(Config {
        workers: 2_000,
        ..Config::default()
    });
    let dir = TempDir::new("write-round-trip");
    let counts = export_synthetic(&synthetic, &dir.0, 3).unwrap();
    let expected = sorted(synthetic.to_registry());
    assert_eq!(counts.practitioners, 2_000);
    assert_eq!(
        counts.roles,
        u64::try_from(expected.employments.len()).unwrap()
    );

    let (read, report) = read_registry(&files(&dir), &config()).unwrap();
    let read = sorted(read);
    // Bad records are written as recorded (e.g. gender "F"), and read back as invalid values.
    assert!(report.rejected.is_empty(), "{:?}", report.rejected.first());
    assert_same(
        "practitioners",
        &read.practitioners,
        &expected.practitioners,
    );
    assert_same(
        "employments",
        &without_job_codes(read.employments),
        &without_job_codes(expected.employments),
    );
    assert_same(
        "organizations",
        &read.organizations,
        &expected.organizations,
    );
    assert_same("facilities", &read.facilities, &expected.facilities);
}

#[test]
fn thread_count_does_not_change_the_files() {
    let synthetic = SyntheticRegistry::new(Config {
        workers: 9_000,
        seed: 7,
        ..Config::default()
    });
    let one = TempDir::new("write-threads-1");
    let three = TempDir::new("write-threads-3");
    export_synthetic(&synthetic, &one.0, 1).unwrap();
    export_synthetic(&synthetic, &three.0, 3).unwrap();
    for (a, b) in files(&one).iter().zip(files(&three)) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{a:?}"
        );
    }
}

#[test]
fn every_written_resource_claims_its_mcsd_profile() {
    let registry = SyntheticRegistry::new(Config {
        workers: 100,
        ..Config::default()
    })
    .to_registry();
    let dir = TempDir::new("write-profiles");
    let mut writer = BulkWriter::create(&dir.0).unwrap();
    writer.registry(&registry).unwrap();
    let counts = writer.finish().unwrap();
    assert_eq!(counts.practitioners, 100);
    for file in files(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let resource: serde_json::Value = serde_json::from_str(line).unwrap();
            let expected = match resource["resourceType"].as_str().unwrap() {
                "Practitioner" => profiles::PRACTITIONER,
                "PractitionerRole" => profiles::PRACTITIONER_ROLE,
                "Organization" => profiles::ORGANIZATION,
                "Location" => profiles::FACILITY_LOCATION,
                other => panic!("unexpected {other}"),
            };
            assert_eq!(resource["meta"]["profile"][0], expected, "{file:?}");
        }
    }
}

#[test]
fn transactions_upsert_by_business_identifier_in_dependency_order() {
    let registry = SyntheticRegistry::new(Config {
        workers: 40,
        ..Config::default()
    })
    .to_registry();
    let bundles = transaction(&registry, BundleKind::Batch, 25).unwrap();
    let entries: Vec<&serde_json::Value> = bundles
        .iter()
        .inspect(|b| assert_eq!(b["type"], "batch"))
        .flat_map(|b| b["entry"].as_array().unwrap())
        .collect();
    assert_eq!(entries.len(), registry.record_count());
    // Full Bundles but the last, made one at a time by transaction_bundles.
    assert_eq!(bundles.len(), registry.record_count().div_ceil(25));
    assert!(
        bundles[..bundles.len() - 1]
            .iter()
            .all(|b| b["entry"].as_array().unwrap().len() == 25)
    );
    let urls: Vec<&str> = entries
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap())
        .collect();
    let first_role = urls
        .iter()
        .position(|u| u.starts_with("PractitionerRole"))
        .unwrap();
    assert!(
        urls[..first_role]
            .iter()
            .all(|u| !u.starts_with("PractitionerRole"))
    );
    let practitioner = urls
        .iter()
        .find(|u| u.starts_with("Practitioner?"))
        .unwrap();
    assert_eq!(
        *practitioner,
        "Practitioner?identifier=https%3A%2F%2Fhrh.dev%2Ffhir%2Fsid%2Fnational-health-worker-id%7CNHW00000000"
    );
    assert!(entries.iter().all(|e| e["request"]["method"] == "PUT"));
}
