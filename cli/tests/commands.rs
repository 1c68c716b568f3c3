//! Each command as a data team runs it: results, exit statuses, one-line errors.
#![allow(clippy::unwrap_used)] // a failing unwrap is a failing test

mod common;

use std::path::Path;
use std::process::Command;

use common::temp_dir;

fn hrh(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `hrh aggregate` for 2024 in Uzbekistan, reported for the demo root org unit.
const AGGREGATE_2024: [&str; 7] = [
    "aggregate",
    "--period",
    "2024",
    "--country",
    "UZ",
    "--org-unit",
    "UZdemoRoot1",
];

const ISCO: &str = "http://www.ilo.org/public/english/bureau/stat/isco/isco08";

/// A tiny bulk export: two nurses, one with a bad gender code.
fn registry(dir: &Path, bad_gender: bool) {
    let gender = if bad_gender { "F" } else { "female" };
    std::fs::write(
        dir.join("Practitioner.ndjson"),
        format!(
            "{}\n{}\n",
            r#"{"resourceType":"Practitioner","id":"p1","gender":"male","birthDate":"1980-02-01"}"#,
            format_args!(r#"{{"resourceType":"Practitioner","id":"p2","gender":"{gender}","birthDate":"1990-02-01"}}"#),
        ),
    )
    .unwrap();
    let role = |id: &str, who: &str| {
        format!(
            r#"{{"resourceType":"PractitionerRole","id":"{id}","practitioner":{{"reference":"Practitioner/{who}"}},"location":[{{"reference":"Location/l1"}}],"organization":{{"reference":"Organization/o1"}},"period":{{"start":"2020-01-01"}},"code":[{{"coding":[{{"system":"{ISCO}","code":"3221"}}]}}]}}"#
        )
    };
    std::fs::write(
        dir.join("PractitionerRole.ndjson"),
        format!("{}\n{}\n", role("r1", "p1"), role("r2", "p2")),
    )
    .unwrap();
    std::fs::write(
        dir.join("Organization.ndjson"),
        "{\"resourceType\":\"Organization\",\"id\":\"o1\",\"name\":\"MoH\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Location.ndjson"),
        "{\"resourceType\":\"Location\",\"id\":\"l1\",\"name\":\"Clinic\",\"status\":\"active\"}\n",
    )
    .unwrap();
}

#[test]
fn demo_writes_a_data_value_set_and_a_summary() {
    let dir = temp_dir("demo");
    let out = dir.join("hrh-demo");
    let (code, stdout, _) = hrh(&[
        "demo",
        "--workers",
        "2000",
        "--year",
        "2024",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("Nursing and midwifery associate professionals"),
        "{stdout}"
    );
    assert!(stdout.contains("Account: 2000 workers"), "{stdout}");
    let set = hrh_dhis2::datavalueset::json::read_json(
        &std::fs::read(out.join("datavalueset.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(set.data_set.as_deref(), Some("FuMctq4PQpf"));
    assert!(set.data_values.len() > 1000);
    assert!(
        set.data_values
            .iter()
            .all(|v| v.period.as_deref() == Some("2024"))
    );
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(summary.contains("Data quality:"));
    assert!(summary.contains(" errors (a figure is wrong"), "{summary}");
    assert!(
        summary.contains("warning  overlapping_employments"),
        "{summary}"
    );
    assert!(
        summary.contains("one per data element and category option combo"),
        "{summary}"
    );
    // The figures are indented and name what each UID is.
    let text = std::fs::read_to_string(out.join("datavalueset.json")).unwrap();
    assert!(text.lines().count() > set.data_values.len(), "indented");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = &json["dataValues"][0];
    let names = hrh_core::aggregate::Mapping::builtin("nhwa-module1")
        .unwrap()
        .names();
    let de = first["dataElement"].as_str().unwrap();
    assert_eq!(
        first["dataElementName"].as_str(),
        names.data_element(de),
        "{first}"
    );
    assert_eq!(
        first["categoryOptionComboName"].as_str(),
        names.combo(de, first["categoryOptionCombo"].as_str().unwrap()),
    );
    assert!(
        first["dataElementName"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
}

#[test]
fn validate_exit_status_is_0_clean_1_problems_2_unusable() {
    let clean = temp_dir("validate-clean");
    registry(&clean, false);
    let (code, stdout, stderr) =
        hrh(&["validate", "--as-of", "2024-12-31", clean.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("6 records read, 6 accepted, 0 rejected; 0 findings"),
        "{stderr}"
    );

    let bad = temp_dir("validate-bad");
    registry(&bad, true);
    let (code, stdout, _) = hrh(&["validate", "--as-of", "2024-12-31", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "error: Practitioner/p2: sex: invalid sex \"F\" (accepted: male, female, other, unknown)"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = hrh(&[
        "validate",
        "--json",
        "--as-of",
        "2024-12-31",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["findings"][0]["record_id"], "p2");
    assert_eq!(json["findings"][0]["severity"], "error");
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 0);

    // A warning alone (an implausible age: counted, worth a look) fails only with --strict.
    let old = temp_dir("validate-warning");
    registry(&old, false);
    let practitioners = std::fs::read_to_string(old.join("Practitioner.ndjson")).unwrap();
    std::fs::write(
        old.join("Practitioner.ndjson"),
        practitioners.replace("1990-02-01", "1915-02-01"),
    )
    .unwrap();
    let old = old.to_str().unwrap();
    let (code, stdout, stderr) = hrh(&["validate", "--as-of", "2024-12-31", old]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("warning: Practitioner/p2: birth_date: implausible age 109"),
        "{stdout}"
    );
    assert!(
        stderr.contains("(0 errors, 1 warnings, 0 info)"),
        "{stderr}"
    );
    let (code, _, _) = hrh(&["validate", "--strict", "--as-of", "2024-12-31", old]);
    assert_eq!(code, 1, "--strict fails on warnings");

    let empty = temp_dir("validate-empty");
    std::fs::write(empty.join("notes.txt"), "nothing").unwrap();
    for args in [
        vec!["validate", empty.to_str().unwrap()],
        vec!["validate", "/no/such/registry"],
    ] {
        let (code, stdout, stderr) = hrh(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    let junk = temp_dir("validate-junk");
    std::fs::write(junk.join("Practitioner.ndjson"), "not json\n{\n").unwrap();
    assert_eq!(
        hrh(&["validate", junk.to_str().unwrap()]).0,
        2,
        "nothing usable"
    );
}

#[test]
fn aggregate_writes_each_format_and_accounts_for_every_worker() {
    let dir = temp_dir("aggregate");
    registry(&dir, false);
    let input = dir.to_str().unwrap();
    let common = AGGREGATE_2024;
    let (code, stdout, stderr) = hrh(&[&common[..], &[input]].concat());
    assert_eq!(code, 0, "{stderr}");
    let set = hrh_dhis2::datavalueset::json::read_json(stdout.as_bytes()).unwrap();
    let value = |de: &str, coc: &str| {
        set.data_values
            .iter()
            .find(|v| v.data_element == de && v.category_option_combo.as_deref() == Some(coc))
            .and_then(|v| v.value.clone())
    };
    assert_eq!(
        value("eEQkLvHHoSU", "Xr12mI7VPn3").as_deref(),
        Some("2"),
        "two nursing associate professionals"
    );
    assert_eq!(
        value("ABy98AXLIvi", "XTvbzm2HwCZ"),
        Some("0".into()),
        "no country of birth recorded: nobody national born"
    );
    assert!(
        stderr.contains("2 workers: 2 counted, 0 not counted"),
        "{stderr}"
    );
    for (format, marker) in [
        ("dhis2-csv", "dataelement,period,orgunit"),
        ("adx", "urn:ihe:qrph:adx:2015"),
    ] {
        let out = dir.join(format!("out.{format}"));
        let (code, _, stderr) = hrh(&[
            &common[..],
            &["--format", format, "-o", out.to_str().unwrap(), input],
        ]
        .concat());
        assert_eq!(code, 0, "{stderr}");
        assert!(
            std::fs::read_to_string(&out).unwrap().contains(marker),
            "{format}"
        );
    }
}

#[test]
fn aggregate_refuses_bad_mappings_periods_and_countries_with_one_line() {
    let dir = temp_dir("aggregate-bad");
    registry(&dir, false);
    let mapping = dir.join("bad.toml");
    std::fs::write(&mapping, "format = 1\nname = \"x\"\nversion = \"1\"\n[[target]]\ndata_element = \"h6VJJu0W8U7\"\nisco = [\"221\"]\nbreakdown = \"gender\"\n").unwrap();
    let input = dir.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--mapping",
                mapping.to_str().unwrap(),
                "--period",
                "2024",
                "--country",
                "UZ",
            ],
            "line 7: unknown breakdown",
        ),
        (
            &[
                "--mapping",
                "nhwa-module9",
                "--period",
                "2024",
                "--country",
                "UZ",
            ],
            "no built-in mapping",
        ),
        (
            &[
                "--period",
                "2024Q5",
                "--country",
                "UZ",
                "--org-unit",
                "UZdemoRoot1",
            ],
            "invalid period",
        ),
        (
            &[
                "--period",
                "2024",
                "--country",
                "XX",
                "--org-unit",
                "UZdemoRoot1",
            ],
            "unknown ISO 3166-1",
        ),
        (
            &["--period", "2024", "--country", "UZ"],
            "names no org unit",
        ),
    ];
    for (args, message) in cases {
        let (code, stdout, stderr) = hrh(&[&["aggregate"][..], args, &[input]].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn convert_round_trips_between_json_csv_and_adx() {
    let dir = temp_dir("convert");
    registry(&dir, false);
    let json = dir.join("values.json");
    let (code, _, stderr) = hrh(&[
        &AGGREGATE_2024[..],
        &["-o", json.to_str().unwrap(), dir.to_str().unwrap()],
    ]
    .concat());
    assert_eq!(code, 0, "{stderr}");
    let csv = dir.join("values.csv");
    let adx = dir.join("values.adx");
    let back = dir.join("back.json");
    for (input, to, output) in [
        (&json, "dhis2-csv", &csv),
        (&csv, "adx", &adx),
        (&adx, "dhis2-json", &back),
    ] {
        let (code, _, stderr) = hrh(&[
            "convert",
            "--to",
            to,
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{to}: {stderr}");
    }
    let read = |p: &Path| {
        let set = hrh_dhis2::datavalueset::json::read_json(&std::fs::read(p).unwrap()).unwrap();
        let mut values: Vec<_> = set
            .resolved_values()
            .map(|v| (v.data_element, v.category_option_combo, v.value))
            .collect();
        values.sort();
        values
    };
    assert_eq!(read(&json), read(&back));
    // Neither XML nor JSON, and not named .csv: the format must be given.
    std::fs::write(dir.join("values.unknown"), "dataelement,period\n").unwrap();
    let (code, _, stderr) = hrh(&[
        "convert",
        "--to",
        "adx",
        dir.join("values.unknown").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from"), "{stderr}");
}

#[test]
fn generate_writes_a_deterministic_bulk_export_that_aggregate_reads() {
    let a = temp_dir("generate-a");
    let b = temp_dir("generate-b");
    let (code, out, err) = hrh(&[
        "generate",
        "--workers",
        "3000",
        "--seed",
        "9",
        "--threads",
        "1",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote 3000 practitioners"), "{out}");
    let (code, _, err) = hrh(&[
        "generate",
        "--workers",
        "3000",
        "--seed",
        "9",
        "--threads",
        "2",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for file in [
        "Practitioner.ndjson",
        "PractitionerRole.ndjson",
        "Organization.ndjson",
        "Location.ndjson",
    ] {
        let left = std::fs::read(a.join(file)).unwrap();
        assert!(!left.is_empty(), "{file}");
        assert_eq!(
            left,
            std::fs::read(b.join(file)).unwrap(),
            "{file} differs by thread count"
        );
    }
    let (code, out, err) = hrh(&[&AGGREGATE_2024[..], &[a.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3000 workers"), "{err}");
    let set: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(set["dataValues"].as_array().unwrap().len() > 100);
}

#[test]
fn the_default_period_is_the_last_full_year_in_generate_and_aggregate() {
    use chrono::Datelike;
    let last_year = (chrono::Local::now().year() - 1).to_string();
    let dir = temp_dir("default-period");
    let registry = dir.to_str().unwrap();
    let (code, _, err) = hrh(&["generate", "--workers", "300", "--out", registry]);
    assert_eq!(code, 0, "{err}");
    let aggregate = ["aggregate", "--country", "UZ", "--org-unit", "UZdemoRoot1"];
    let (code, out, err) = hrh(&[&aggregate[..], &[registry]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "period {last_year} (the last full year; --period to choose another)"
        )),
        "{err}"
    );
    let set: serde_json::Value = serde_json::from_str(&out).unwrap();
    let values = set["dataValues"].as_array().unwrap();
    assert!(values.iter().all(|v| v["period"] == last_year.as_str()));
    // The registry generated for that year has workers in its stock.
    assert!(values.iter().any(|v| v["value"] != "0"), "{out}");
    let (code, quiet_out, err) = hrh(&[&["--quiet"], &aggregate[..], &[registry]].concat());
    assert_eq!(code, 0);
    assert!(err.is_empty(), "--quiet leaves stderr empty: {err}");
    assert_eq!(quiet_out, out);

    // --json: the account on stdout, the figures in the file; --names beside the UIDs.
    let figures = dir.join("figures.json");
    let (code, out, err) = hrh(&[
        &["--pretty"],
        &aggregate[..],
        &[
            "--json",
            "--names",
            "-o",
            figures.to_str().unwrap(),
            registry,
        ],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() > 3, "--pretty indents: {out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let account = &json["account"];
    assert_eq!(account["workers"], 300);
    let not_counted: u64 = account["not_counted"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(account["counted"].as_u64().unwrap() + not_counted, 300);
    assert_eq!(json["values"], values.len());
    assert_eq!(json["period"], last_year.as_str());
    assert!(
        err.contains("300 workers"),
        "the account stays on stderr: {err}"
    );
    let named: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&figures).unwrap()).unwrap();
    assert!(
        named["dataValues"][0]["dataElementName"].is_string(),
        "{named}"
    );
    // Without -o, --json has nowhere to put the figures.
    let (code, _, err) = hrh(&[&aggregate[..], &["--json", registry]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("give -o FILE"), "{err}");
}

#[test]
fn figures_round_trip_between_data_value_sets_and_madx_measure_reports() {
    let dir = temp_dir("madx");
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let (code, _, err) = hrh(&["generate", "--workers", "2000", "--out", &path("registry")]);
    assert_eq!(code, 0, "{err}");
    let aggregate = |format: &str, out: &str| {
        let (code, _, err) = hrh(&[
            &AGGREGATE_2024[..],
            &["--format", format, "-o", &path(out), &path("registry")],
        ]
        .concat());
        assert_eq!(code, 0, "{err}");
    };
    aggregate("dhis2-json", "dvs.json");
    aggregate("measurereport", "direct-madx.json");
    for (from, to, out) in [
        ("dvs.json", "measurereport", "madx.json"),
        ("madx.json", "dhis2-json", "back.json"),
        ("direct-madx.json", "dhis2-json", "direct-back.json"),
    ] {
        let (code, _, err) = hrh(&["convert", "--to", to, "-o", &path(out), &path(from)]);
        assert_eq!(code, 0, "{from} -> {to}: {err}");
    }
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let original = read("dvs.json");
    assert!(original["dataValues"].as_array().unwrap().len() > 100);
    assert!(
        read("back.json") == original,
        "DVS -> mADX -> DVS changed the figures"
    );
    assert!(
        read("direct-back.json") == original,
        "aggregate --format measurereport differs"
    );
    let madx = read("direct-madx.json");
    assert_eq!(madx["resourceType"], "Bundle");
    assert_eq!(
        madx["entry"][0]["resource"]["resourceType"],
        "MeasureReport"
    );
}

#[test]
fn aggregate_takes_a_series_of_periods_and_writes_them_all_in_one_output() {
    let dir = temp_dir("aggregate-series");
    let (code, _, err) = hrh(&[
        "generate",
        "--workers",
        "500",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let input = dir.to_str().unwrap();
    let run = |periods: &[&str]| {
        let mut args = vec!["aggregate", "--mapping", "nhwa-module5"];
        for p in periods {
            args.extend(["--period", p]);
        }
        args.extend(["--country", "UZ", "--org-unit", "UZdemoRoot1", input]);
        let (code, out, err) = hrh(&args);
        assert_eq!(code, 0, "{err}");
        let set: serde_json::Value = serde_json::from_str(&out).unwrap();
        (set["dataValues"].as_array().unwrap().clone(), err)
    };
    let (series, err) = run(&["2022..2023", "2024"]);
    assert_eq!(
        err.matches("500 workers").count(),
        3,
        "an account per period: {err}"
    );
    let mut singles = Vec::new();
    for p in ["2022", "2023", "2024"] {
        singles.extend(run(&[p]).0);
    }
    assert_eq!(series, singles);
    let (code, _, err) = hrh(&[
        "sync",
        "--fhir",
        input,
        "--dhis2",
        "http://127.0.0.1:9",
        "--period",
        "2019..2024",
        "--country",
        "UZ",
        "--org-unit",
        "UZdemoRoot1",
        "--dry-run",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("one --period"), "{err}");
}

#[test]
fn aggregate_writes_densities_from_a_population_file_and_refuses_a_bad_one() {
    let dir = temp_dir("aggregate-density");
    let (code, _, err) = hrh(&[
        "generate",
        "--workers",
        "300",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mapping = dir.join("density.toml");
    std::fs::write(
        &mapping,
        "format = 1\nname = \"density\"\nversion = \"1\"\n[org_unit]\nrule = \"national\"\n\
         [[target]]\ndata_element = \"NurseDens01\"\nisco = [\"3221\"]\nmeasure = \"density\"\n",
    )
    .unwrap();
    let population = dir.join("population.csv");
    std::fs::write(
        &population,
        "org_unit,period,population\nUZdemoRoot1,2024,10000\n",
    )
    .unwrap();
    let run = |population: &Path| {
        hrh(&[
            "aggregate",
            "--mapping",
            mapping.to_str().unwrap(),
            "--period",
            "2023..2024",
            "--country",
            "UZ",
            "--org-unit",
            "UZdemoRoot1",
            "--population",
            population.to_str().unwrap(),
            dir.to_str().unwrap(),
        ])
    };
    let (code, out, err) = run(&population);
    assert_eq!(code, 0, "{err}");
    let set: serde_json::Value = serde_json::from_str(&out).unwrap();
    let values = set["dataValues"].as_array().unwrap();
    // 2024 has a population: nurses per 10,000 people is the nurse count itself; 2023 has none.
    assert_eq!(values.len(), 1, "{values:?}");
    assert_eq!(values[0]["period"], "2024");
    assert!(values[0]["value"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
    assert!(err.contains("density values not written"), "{err}");
    std::fs::write(
        &population,
        "org_unit,period,population\nUZdemoRoot1,2024,many\n",
    )
    .unwrap();
    let (code, _, err) = run(&population);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("population.csv"), "{err}");
}
