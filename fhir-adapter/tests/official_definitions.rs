//! What the writers produce is valid FHIR R4 by the official definitions, checked by two
//! independent validators (`tests/fhir-validate`: @medplum/core with the R4 structure
//! definitions, and FHIR.js). Needs `npm ci` in that folder (scripts/test.sh runs it); a
//! missing install fails under `CI` and skips elsewhere.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempDir;
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Coding, Country, HealthService, Registry};
use hrh_fhir::write::{BulkWriter, BundleKind, export_synthetic, transaction};

fn validator() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fhir-validate");
    if dir.join("node_modules/@medplum/core").is_dir() && dir.join("node_modules/fhir").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} has no node_modules: run `npm ci` there",
        dir.display()
    );
    eprintln!(
        "skipped: no validators installed (npm ci in {})",
        dir.display()
    );
    None
}

/// Runs the validators: (success, stdout).
fn validate(dir: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("node")
        .arg("--experimental-websocket")
        .arg(dir.join("validate.mjs"))
        .args(files)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("\"checked\""),
        "validator did not finish: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), stdout)
}

fn registry() -> Registry {
    let mut registry = SyntheticRegistry::new(Config {
        workers: 300,
        bad_records: false,
        ..Config::default()
    })
    .to_registry();
    registry.services.push(HealthService {
        id: "svc-1".into(),
        types: vec![Coding::new(
            Some("http://terminology.hl7.org/CodeSystem/service-type"),
            "124",
        )],
        provided_by: Some("org-00001".into()),
        locations: vec!["loc-00001".into()],
    });
    if let Some(e) = registry.employments.first_mut() {
        e.service = Some("svc-1".into());
    }
    registry
}

#[test]
fn written_resources_bundles_and_measure_reports_are_valid_r4() {
    let Some(validator) = validator() else { return };
    let tmp = TempDir::new("official-definitions");
    let registry = registry();
    let mut writer = BulkWriter::create(&tmp.0).unwrap();
    writer.registry(&registry).unwrap();
    let counts = writer.finish().unwrap();
    assert_eq!(counts.services, 1);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for (i, kind) in [BundleKind::Transaction, BundleKind::Batch]
        .into_iter()
        .enumerate()
    {
        let bundle = &transaction(&registry, kind, 10_000).unwrap()[0];
        let path = tmp.0.join(format!("bundle-{i}.json"));
        std::fs::write(&path, bundle.to_string()).unwrap();
        files.push(path);
    }
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    let result = Aggregation::new(&mapping, &options).unwrap().run(&registry);
    for (name, with_mapping) in [("madx-named.json", true), ("madx-plain.json", false)] {
        let bundle = hrh_fhir::madx::write(
            &result.values,
            result.data_set.as_deref(),
            with_mapping.then_some(&mapping),
        );
        let path = tmp.0.join(name);
        std::fs::write(&path, bundle.to_string()).unwrap();
        files.push(path);
    }
    let (ok, out) = validate(&validator, &files);
    assert!(ok, "invalid FHIR written:\n{out}");
    let resources = registry.record_count();
    // Every resource in the NDJSON files, each Bundle and its entries, each report Bundle and its reports.
    let checked: usize = serde_json::from_str::<serde_json::Value>(out.lines().last().unwrap())
        .unwrap()["checked"]
        .as_u64()
        .unwrap()
        .try_into()
        .unwrap();
    assert!(checked > 3 * resources, "{checked} checked");
}

#[test]
fn the_validators_catch_the_deliberately_bad_records() {
    let Some(validator) = validator() else { return };
    let tmp = TempDir::new("official-definitions-bad");
    // Bad records include birth dates such as 2020-13-01, written as recorded.
    let synthetic = SyntheticRegistry::new(Config {
        workers: 3_000,
        ..Config::default()
    });
    export_synthetic(&synthetic, &tmp.0, 1).unwrap();
    let (ok, out) = validate(&validator, &[tmp.0.join("Practitioner.ndjson")]);
    assert!(!ok, "bad records passed:\n{out}");
    assert!(out.contains("birthDate"), "{out}");
}
