//! Table inputs through the CLI: `hrh generate` → a table export → `hrh aggregate
//! --table-mapping` gives the figures of the generated FHIR registry, value for value;
//! `hrh convert --to fhir-ndjson` of the table reads back to the same figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../table-adapter/tests/common/mod.rs"]
mod table_export;

use std::path::Path;
use std::process::Command;

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

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `hrh aggregate` of `inputs` with `extra` arguments: the figures and the account.
fn aggregate(mapping: &str, out: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec![
        "aggregate",
        "--period",
        "2024",
        "--country",
        "UZ",
        "--mapping",
        mapping,
        "-o",
        s(out),
    ];
    if mapping == "nhwa-module1" {
        args.extend(["--org-unit", "UZdemoRoot1"]);
    }
    args.extend(extra);
    let (code, _, stderr) = hrh(&args);
    assert_eq!(code, 0, "{stderr}");
    // The account, without the line of rejected records whose wording names the input.
    let account: Vec<&str> = stderr.lines().filter(|l| !l.contains("rejected")).collect();
    (std::fs::read_to_string(out).unwrap(), account.join("\n"))
}

#[test]
fn a_generated_registry_as_a_table_and_back_to_fhir_gives_the_same_figures() {
    let dir = table_export::temp_dir("cli-round-trip");
    let fhir = dir.join("fhir");
    let (code, _, stderr) = hrh(&[
        "generate",
        "--workers",
        "1500",
        "--year",
        "2024",
        "--out",
        s(&fhir),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let files = hrh_fhir::inputs::expand(&[&fhir]).unwrap();
    let (registry, _) = hrh_fhir::read_registry(&files, &hrh_fhir::ReadConfig::default()).unwrap();
    let table = dir.join("export.csv");
    std::fs::write(&table, table_export::export_csv(&registry)).unwrap();
    let mapping = dir.join("export.toml");
    std::fs::write(&mapping, table_export::MAPPING).unwrap();
    let converted = dir.join("converted");
    let (code, stdout, stderr) = hrh(&[
        "convert",
        "--to",
        "fhir-ndjson",
        "--table-mapping",
        s(&mapping),
        s(&table),
        "-o",
        s(&converted),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("wrote 1500 Practitioner"), "{stdout}");
    for figures in ["nhwa-module1", "nhwa-module1-subnational"] {
        let from_fhir = aggregate(figures, &dir.join("fhir.json"), &[s(&fhir)]);
        let from_table = aggregate(
            figures,
            &dir.join("table.json"),
            &["--table-mapping", s(&mapping), s(&table)],
        );
        assert_eq!(from_table, from_fhir, "{figures}: table vs FHIR");
        let back = aggregate(figures, &dir.join("back.json"), &[s(&converted)]);
        assert_eq!(
            back, from_fhir,
            "{figures}: table converted to FHIR vs FHIR"
        );
    }
    // The same quality findings, by kind.
    let counts = |extra: &[&str]| {
        let mut args = vec!["validate", "--as-of", "2024-12-31", "--json"];
        args.extend(extra);
        let (code, stdout, stderr) = hrh(&args);
        assert_eq!(code, 1, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let mut counts: Vec<(String, u64)> = json["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_str().unwrap().to_owned(), c[1].as_u64().unwrap()))
            .filter(|(code, _)| code != "dangling_reference")
            .collect();
        counts.sort();
        counts
    };
    assert_eq!(
        counts(&["--table-mapping", s(&mapping), s(&table)]),
        counts(&[s(&fhir)])
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_example_tables_run_through_validate_aggregate_and_sync_arguments() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tables");
    let mapping = examples.join("generic-staff-sheet.toml");
    let sheet = examples.join("generic-staff-sheet.csv");
    let (code, stdout, stderr) = hrh(&[
        "validate",
        "--as-of",
        "2024-12-31",
        "--table-mapping",
        s(&mapping),
        s(&sheet),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("bad value: generic-staff-sheet.csv, row 8, column \"Rate\" (employment.fte), record T-0007-r8: \"one\" is not a number"),
        "{stdout}"
    );
    assert!(
        stderr.contains("7 records read, 7 accepted, 0 rejected"),
        "{stderr}"
    );
    let dir = table_export::temp_dir("cli-examples");
    let (_, account) = aggregate(
        "nhwa-module1",
        &dir.join("out.json"),
        &["--table-mapping", s(&mapping), s(&sheet)],
    );
    assert!(account.contains("7 workers"), "{account}");
    // A mapping naming columns the table lacks: exit 2, every missing column listed.
    let ihris = examples.join("ihris4-person-position.csv");
    let (code, _, stderr) = hrh(&[
        "aggregate",
        "--period",
        "2024",
        "--country",
        "UZ",
        "--org-unit",
        "X",
        "--table-mapping",
        s(&mapping),
        s(&ihris),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"Staff No\" (worker.id)") && stderr.contains("check [source] delimiter"),
        "{stderr}"
    );
    // A bad table mapping: exit 2 with the line.
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "format = 1\nname = \"x\"\nversion = \"1\"\n[worker]\nid = \"a\"\nsexx = \"b\"\n",
    )
    .unwrap();
    let (code, _, stderr) = hrh(&["validate", "--table-mapping", s(&bad), s(&sheet)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 6: unknown key worker.sexx"),
        "{stderr}"
    );
    // sync reads a directory of tables (the DHIS2 side is refused before anything is sent:
    // --table-mapping with a URL is a usage error).
    let (code, _, stderr) = hrh(&[
        "sync",
        "--fhir",
        "http://127.0.0.1:9/fhir",
        "--dhis2",
        "http://127.0.0.1:9",
        "--period",
        "2024",
        "--country",
        "UZ",
        "--org-unit",
        "X",
        "--table-mapping",
        s(&mapping),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--table-mapping reads a directory of tables"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
