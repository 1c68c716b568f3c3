//! The guards that keep an empty, broken or shrunken input from wiping the figures in DHIS2:
//! `hrh aggregate`, `hrh push` and `hrh sync` refuse (exit 2, one line on stderr, nothing
//! written or sent) an input with no usable record, one with too many rejected records, a
//! data value set of only zeros, and (`sync`) a counted total that fell by more than
//! `--max-drop` since the last push.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // a failing unwrap is a failing test

mod common;

use std::path::Path;

use common::{ADMIN, Run, Standin, hrh, temp_dir};
use hrh_dhis2::client::DataValueQuery;

const ROOT: &str = "UZdemoRoot1";
const FIGURES: [&str; 6] = ["--period", "2024", "--country", "UZ", "--org-unit", ROOT];

/// Asserts a refusal: exit 2, exactly one `error:` line on stderr naming `mentions`.
fn refused(run: &Run, mentions: &str) {
    run.no_panic();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains(mentions), "{}", run.stderr);
}

/// `hrh aggregate <figures> [extra] -o OUT INPUT`.
fn aggregate(input: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["aggregate"];
    args.extend(FIGURES);
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap(), input.to_str().unwrap()]);
    hrh(&args, &[])
}

/// A generated registry of `workers` workers, without deliberately bad records.
fn generate(dir: &Path, workers: &str) {
    let run = hrh(
        &[
            "generate",
            "--workers",
            workers,
            "--seed",
            "7",
            "--no-bad-records",
            "--out",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Every line of a generated file, to count and cut.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn aggregate_of_a_file_of_garbage_writes_nothing_and_exits_2() {
    let dir = temp_dir("guard-garbage");
    let input = dir.join("bad.ndjson");
    std::fs::write(&input, "not json\n").unwrap();
    let out = dir.join("out.json");
    let run = aggregate(&input, &out, &[]);
    refused(&run, "no usable record");
    assert!(run.stderr.contains("1 rejected"), "{}", run.stderr);
    assert!(run.stderr.contains("--allow-empty"), "{}", run.stderr);
    assert!(!out.exists(), "nothing may be written");
    assert!(run.stdout.is_empty());

    // Allowing an empty input does not let an input of only rejected records through.
    let run = aggregate(&input, &out, &["--allow-empty"]);
    refused(&run, "1 of 1 record(s) rejected (100%)");
    assert!(!out.exists());
}

#[test]
fn aggregate_refuses_a_rejected_share_above_the_limit_and_a_period_counting_nobody() {
    let dir = temp_dir("guard-share");
    let registry = dir.join("registry");
    generate(&registry, "20");
    let records: usize = [
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
    ]
    .iter()
    .map(|t| lines(&registry.join(format!("{t}.ndjson"))).len())
    .sum();
    let out = dir.join("out.json");
    assert_eq!(aggregate(&registry, &out, &[]).code, 0);
    std::fs::remove_file(&out).unwrap();

    // Broken lines: just above 5 % of all records, then allowed with a higher limit.
    let broken = records / 19 + 1;
    assert!(broken * 100 > 5 * (records + broken));
    std::fs::write(
        registry.join("Broken.ndjson"),
        "{\"resourceType\": \"Practitioner\", \"id\": \n".repeat(broken),
    )
    .unwrap();
    let run = aggregate(&registry, &out, &[]);
    refused(
        &run,
        &format!("{broken} of {} record(s) rejected", records + broken),
    );
    assert!(
        run.stderr.contains("more than the 5% allowed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--max-rejected"), "{}", run.stderr);
    assert!(!out.exists());
    let run = aggregate(&registry, &out, &["--max-rejected", "10%"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.exists());
    let run = aggregate(&registry, &out, &["--max-rejected", "150"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a percentage"), "{}", run.stderr);

    // A period before anyone was employed counts nobody: refused unless allowed.
    std::fs::remove_file(registry.join("Broken.ndjson")).unwrap();
    let mut args = vec!["aggregate", "--period", "1900", "--country", "UZ"];
    args.extend(["--org-unit", ROOT, registry.to_str().unwrap()]);
    let run = hrh(&args, &[]);
    refused(&run, "no worker counted");
    args.push("--allow-empty");
    assert_eq!(hrh(&args, &[]).code, 0);
}

#[test]
fn push_refuses_a_set_of_only_zeros_or_nothing_before_contacting_dhis2() {
    let dir = temp_dir("guard-push");
    let zeros = dir.join("zeros.json");
    let values: Vec<serde_json::Value> = ["i14E8ggjzvt", "EhXjWmnNPjO"]
        .iter()
        .map(|coc| {
            serde_json::json!({"dataElement": "tu2P5ALJRow", "period": "2024", "orgUnit": "UZfacTsh001",
                               "categoryOptionCombo": coc, "value": "0"})
        })
        .collect();
    let body = serde_json::json!({"dataSet": "FuMctq4PQpf", "dataValues": values});
    std::fs::write(&zeros, body.to_string()).unwrap();
    let empty = dir.join("empty.json");
    std::fs::write(&empty, r#"{"dataSet": "FuMctq4PQpf", "dataValues": []}"#).unwrap();

    // Nothing listens on this port: a refusal must come before any request.
    let nowhere = "http://127.0.0.1:9";
    let push = |file: &Path, extra: &[&str]| {
        let mut args = vec!["--insecure", "push", "--dhis2", nowhere];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        hrh(&args, &ADMIN)
    };
    refused(
        &push(&zeros, &[]),
        "every one of the 2 value(s) is zero or blank",
    );
    refused(&push(&empty, &[]), "no data value");
    // With --allow-empty it goes on and meets the (absent) server: exit 3.
    assert_eq!(push(&zeros, &["--allow-empty"]).code, 3);
    // A delete sends no figures: not refused.
    assert_eq!(push(&zeros, &["--import-strategy", "delete"]).code, 3);

    // Against the stand-in, the zeros go through on purpose.
    let standin = Standin::start();
    let mut args = vec!["--insecure", "push", "--allow-empty", "--dhis2"];
    args.extend([standin.base_url.as_str(), zeros.to_str().unwrap()]);
    let run = hrh(&args, &ADMIN);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

/// `hrh --insecure sync --fhir DIR --dhis2 URL <figures> --state STATE [extra]`.
fn sync(dir: &Path, dhis2: &str, state: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--insecure", "sync", "--fhir", dir.to_str().unwrap()];
    args.extend(["--dhis2", dhis2, "--state", state.to_str().unwrap()]);
    args.extend(FIGURES);
    args.extend_from_slice(extra);
    hrh(&args, &ADMIN)
}

/// The total the stand-in holds for the root in 2024 (sum of every stored value).
fn stored_total(standin: &Standin) -> u64 {
    standin
        .client()
        .read_data_values(&DataValueQuery::new("FuMctq4PQpf", ROOT, "2024"))
        .unwrap()
        .data_values
        .iter()
        .map(|v| v.value.as_deref().unwrap().parse::<u64>().unwrap())
        .sum()
}

/// The `counted` of each push the state file keeps.
fn pushed_counts(state: &Path) -> Vec<u64> {
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    state["pushed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["counted"].as_u64().unwrap())
        .collect()
}

#[test]
fn sync_refuses_a_fall_of_the_counted_total_beyond_the_limit_unless_allowed() {
    let standin = Standin::start();
    let dir = temp_dir("guard-drop");
    let registry = dir.join("registry");
    generate(&registry, "200");
    let state = dir.join("sync/state.json");

    // An older state file (watermarks only, no pushed total): no drop check, and the total
    // is stored with the watermarks kept.
    std::fs::create_dir_all(dir.join("sync")).unwrap();
    std::fs::write(
        &state,
        r#"{"base_url": "http://127.0.0.1:1/fhir", "since": {"Practitioner": "2024-05-02T00:00:00Z"}}"#,
    )
    .unwrap();
    let run = sync(&registry, &standin.base_url, &state, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let first = pushed_counts(&state);
    assert_eq!(first.len(), 1);
    assert!(first[0] > 100, "{first:?}");
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(kept["since"]["Practitioner"], "2024-05-02T00:00:00Z");
    // Every figure counts each counted worker at least once.
    let total = stored_total(&standin);
    assert!(total >= first[0], "{total} {first:?}");

    // Half the practitioners vanish (a partial export): refused, DHIS2 and state unchanged.
    let practitioners = registry.join("Practitioner.ndjson");
    let all = lines(&practitioners);
    let half: Vec<String> = all.iter().take(all.len() / 2).cloned().collect();
    std::fs::write(&practitioners, half.join("\n") + "\n").unwrap();
    let run = sync(&registry, &standin.base_url, &state, &[]);
    refused(
        &run,
        &format!("the counted workers fell from {} to ", first[0]),
    );
    assert!(
        run.stderr.contains("more than the 20% allowed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-drop"), "{}", run.stderr);
    assert_eq!(stored_total(&standin), total, "nothing may be pushed");
    assert_eq!(pushed_counts(&state), first);
    // A dry run is refused the same way.
    refused(
        &sync(&registry, &standin.base_url, &state, &["--dry-run"]),
        "fell from",
    );

    // A higher limit, or --allow-drop, pushes on purpose and stores the new total.
    let run = sync(&registry, &standin.base_url, &state, &["--max-drop", "99"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let second = pushed_counts(&state);
    assert!(second[0] < first[0] * 6 / 10, "{second:?} {first:?}");
    assert!(stored_total(&standin) < total);
    std::fs::write(&practitioners, all.join("\n") + "\n").unwrap();
    assert_eq!(sync(&registry, &standin.base_url, &state, &[]).code, 0);
    std::fs::write(&practitioners, "").unwrap();
    refused(
        &sync(&registry, &standin.base_url, &state, &["--allow-drop"]),
        "no usable record",
    );
    std::fs::write(&practitioners, half.join("\n") + "\n").unwrap();
    let run = sync(&registry, &standin.base_url, &state, &["--allow-drop"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(pushed_counts(&state), second);
}
