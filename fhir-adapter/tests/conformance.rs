//! Every FHIR fixture file is read: each unit is accepted, skipped, a deletion, or rejected with
//! a reason that names the file and the line or entry.

// Tests may unwrap and panic (the workspace allows it in tests); this also covers helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use hrh_fhir::{ReadConfig, ReadReport, SkipReason, read_path, read_registry};

/// Files that are not FHIR resources: every unit in them must be rejected.
const NOT_RESOURCES: [&str; 2] = ["package.json", "log.ndjson"];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "ndjson")
        {
            out.push(path);
        }
    }
}

fn read_all(root: &Path) -> BTreeMap<String, ReadReport> {
    let mut files = Vec::new();
    walk(&root.join("fhir"), &mut files);
    files.sort();
    let mut reports = BTreeMap::new();
    for file in files {
        let report = read_path(&file, &ReadConfig::default(), &mut |_| {}).unwrap();
        let rel = file.strip_prefix(root).unwrap().display().to_string();
        reports.insert(rel, report);
    }
    reports
}

#[test]
fn every_fixture_is_read_or_rejected_with_a_reason() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let reports = read_all(&root);
    assert!(reports.len() >= 80, "only {} fixture files", reports.len());
    for (file, report) in &reports {
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        assert!(report.read > 0, "{file}: nothing read");
        assert!(report.is_balanced(), "{file}: {report:?}");
        eprintln!(
            "summary: {file} read={} accepted={} matches={} rejected={} skipped={} deleted={}",
            report.read,
            report.accepted,
            report.matches,
            report.rejected.len(),
            report.skipped.len(),
            report.deleted.len()
        );
        for r in &report.rejected {
            let text = r.reason.to_string();
            assert!(text.starts_with(&r.location.to_string()), "{file}: {text}");
            assert!(&*r.location.source == name, "{file}: {text}");
            eprintln!("rejected: {text}");
        }
        if !NOT_RESOURCES.contains(&name) {
            assert!(report.rejected.is_empty(), "{file}: unexpected rejections");
        }
        if NOT_RESOURCES.contains(&name) {
            assert_eq!(report.rejected.len(), report.read, "{file}");
            assert!(
                report.rejected.iter().all(|r| r
                    .reason
                    .to_string()
                    .ends_with("not a FHIR resource (no resourceType)")),
                "{file}"
            );
        }
    }
}

#[test]
fn bundle_fixtures_are_accounted_as_expected() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let reports = read_all(&root);
    let get = |f: &str| reports.get(&format!("fhir/{f}")).unwrap();

    let search = get("hl7-r4-examples/Bundle-bundle-example.json");
    assert_eq!((search.read, search.matches, search.accepted), (2, 1, 0));

    let warning = get("hl7-r4-examples/Bundle-bundle-search-warning.json");
    assert_eq!(warning.skipped[0].reason, SkipReason::SearchOutcome);

    let transaction = get("hl7-r4-examples/Bundle-bundle-transaction.json");
    assert_eq!(transaction.deleted.len(), 2);
    assert_eq!(
        transaction.deleted[0].resource_type.as_deref(),
        Some("Patient")
    );

    let history = get("mcsd-update-client-mock/all_resources_history.json");
    assert_eq!(history.read, 555);
    assert_eq!(history.deleted.len(), 26);
    assert!(history.rejected.is_empty());

    let practitioners = get("hl7-r4-examples/Bundle-3ad0687e-f477-468c-afd5-fcc2bf897809.json");
    assert_eq!(practitioners.accepted, 59);
}

#[test]
fn synthea_bulk_export_links_into_a_registry() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let dir = root.join("fhir/sample-bulk-fhir-10-patients");
    let files: Vec<PathBuf> = [
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
    ]
    .iter()
    .map(|t| dir.join(format!("{t}.000.ndjson")))
    .collect();
    let (registry, report) = read_registry(&files, &ReadConfig::default()).unwrap();
    assert!(report.is_balanced());
    assert_eq!(report.rejected.len(), 0);
    assert_eq!(registry.practitioners.len(), 43);
    assert_eq!(registry.employments.len(), 43);
    assert_eq!(registry.facilities.len(), 44);
    let ids: HashSet<&str> = registry
        .practitioners
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let orgs: HashSet<&str> = registry
        .organizations
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    for e in &registry.employments {
        assert!(
            ids.contains(e.practitioner.as_str()),
            "{} not linked",
            e.practitioner
        );
        let employer = e.employer.as_deref().unwrap();
        assert!(orgs.contains(employer), "{employer} not linked");
    }
    let p = &registry.practitioners[0];
    assert!(p.name.is_some());
    assert!(p.sex.valid().is_some());
}

#[test]
fn missing_fixtures_fail_under_ci_and_skip_otherwise() {
    let missing = PathBuf::from("/nonexistent/hrh-fixtures");
    assert_eq!(common::existing(missing.clone(), false), None);
    let under_ci = std::panic::catch_unwind(|| common::existing(missing, true));
    assert!(under_ci.is_err());
}
