//! The typed surface keeps every element: each Practitioner, PractitionerRole,
//! Organization and Location in the shared fixtures, parsed into fhir-sdk's R4B
//! types and written back, equals the original JSON (numbers compared as numbers;
//! empty arrays and objects, which FHIR forbids, ignored).
#![cfg(feature = "fhir-sdk")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test code

mod common;

use std::path::{Path, PathBuf};

use fhir_sdk::r4b::resources::Resource;
use serde_json::Value;

const TYPES: [&str; 4] = [
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "ndjson")
        {
            out.push(path);
        }
    }
}

/// Every workforce resource in a document: itself, or its Bundle entries.
fn resources(doc: &Value, out: &mut Vec<Value>) {
    match doc["resourceType"].as_str() {
        Some("Bundle") => {
            for entry in doc["entry"].as_array().into_iter().flatten() {
                resources(&entry["resource"], out);
            }
        }
        Some(t) if TYPES.contains(&t) => out.push(doc.clone()),
        _ => {}
    }
}

/// Drops empty arrays/objects and makes every number an f64, so equal FHIR content compares equal.
fn normal(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(normal).filter(|v| !is_empty(v)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normal(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    matches!(value, Value::Array(a) if a.is_empty())
        || matches!(value, Value::Object(o) if o.is_empty())
}

#[test]
fn fhir_sdk_types_keep_every_element_of_the_fixture_resources() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let mut paths = Vec::new();
    files(&root.join("fhir"), &mut paths);
    let mut checked = 0;
    let mut losses = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let docs: Vec<Value> = if path.extension().is_some_and(|e| e == "ndjson") {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        } else {
            serde_json::from_str(&text).into_iter().collect()
        };
        let mut found = Vec::new();
        for doc in &docs {
            resources(doc, &mut found);
        }
        for original in found {
            let typed: Resource = match serde_json::from_value(original.clone()) {
                Ok(typed) => typed,
                Err(e) => {
                    losses.push(format!(
                        "{}: {}/{}: does not parse: {e}",
                        path.display(),
                        original["resourceType"],
                        original["id"]
                    ));
                    continue;
                }
            };
            let back = serde_json::to_value(&typed).unwrap();
            if normal(&back) != normal(&original) {
                losses.push(format!(
                    "{}: {}/{} changed",
                    path.display(),
                    original["resourceType"],
                    original["id"]
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} resources checked");
    assert!(
        losses.is_empty(),
        "{} of {checked} resources lost content:\n{}",
        losses.len(),
        losses.join("\n")
    );
}
