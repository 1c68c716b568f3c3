//! Bad input: bad values kept as invalid with their place, rows that cannot be a worker
//! rejected with theirs, missing columns and mapping mistakes reported whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use hrh_core::aggregate::{Aggregation, Mapping, Options, Reason};
use hrh_core::{Country, Recorded};
use hrh_table::{TableError, TableMapping, aggregate_files, read_registry};

const MAPPING: &str = r#"
format = 1
name = "bad"
version = "1"
[source]
rows = "per-employment"
[worker]
id = "id"
sex = "sex"
birth_date = { column = "born", format = "%d.%m.%Y" }
country_of_birth = "born_in"
[employment]
occupation = "isco"
start = "start"
fte = "fte"
[facility]
id = "facility"
"#;

const TABLE: &str = "id,sex,born,born_in,isco,start,fte,facility
1,female,01.02.1980,UZ,2221,2020-01-01,1,f1
2,X,01.02.1981,UZ,2221,2020-01-01,1,f1
3,male,31.02.1979,ZZ,2221,2020-01-01,one,f1
,female,01.02.1980,UZ,2221,2020-01-01,1,f1
,,,,,,,

4,male,01.02.1985,UZ,99999,2020-01-01,1,f2
4,male,01.02.1985,UZ,2221,2019-01-01,0.5,f2
";

fn read(
    name: &str,
) -> (
    hrh_core::Registry,
    hrh_table::TableReport,
    std::path::PathBuf,
) {
    let dir = common::temp_dir(name);
    let file = dir.join("staff.csv");
    std::fs::write(&file, TABLE).unwrap();
    let mapping = TableMapping::from_toml(MAPPING).unwrap();
    let (registry, report) = read_registry(std::slice::from_ref(&file), &mapping).unwrap();
    (registry, report, file)
}

#[test]
fn a_bad_value_is_kept_as_invalid_with_its_row_column_and_value() {
    let (registry, report, file) = read("bad-values");
    let worker = |id: &str| registry.practitioners.iter().find(|p| p.id == id).unwrap();
    assert_eq!(worker("2").sex, Recorded::Invalid("X".into()));
    assert_eq!(
        worker("3").birth_date,
        Recorded::Invalid("31.02.1979".into())
    );
    assert_eq!(worker("3").country_of_birth, Recorded::Invalid("ZZ".into()));
    let listed: Vec<String> = report.bad_values.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "staff.csv, row 3, column \"sex\" (worker.sex), record 2: \"X\" is not a sex (male, female, other, unknown)",
            "staff.csv, row 4, column \"born\" (worker.birth_date), record 3: \"31.02.1979\" is not a date in the column's format",
            "staff.csv, row 4, column \"born_in\" (worker.country_of_birth), record 3: \"ZZ\" is not an ISO 3166-1 country",
            "staff.csv, row 4, column \"fte\" (employment.fte), record 3-r4: \"one\" is not a number",
            "staff.csv, row 8, column \"isco\" (employment.occupation), record 4-r8: \"99999\" is not an ISCO-08 code",
        ]
    );
    // The workers still count; each bad fact is left out of its own breakdown only.
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    let table = TableMapping::from_toml(MAPPING).unwrap();
    let (result, _) = aggregate_files(
        std::slice::from_ref(&file),
        &table,
        Aggregation::new(&mapping, &options).unwrap(),
    )
    .unwrap();
    assert_eq!(result.account.workers, 4);
    assert_eq!(
        result.account,
        Aggregation::new(&mapping, &options)
            .unwrap()
            .run(&registry)
            .account
    );
    assert!(
        result
            .account
            .left_out
            .iter()
            .any(|((_, reason), n)| *reason == Reason::InvalidSex && *n == 1),
        "{:?}",
        result.account
    );
    std::fs::remove_dir_all(file.parent().unwrap()).ok();
}

#[test]
fn a_row_that_cannot_be_a_worker_is_rejected_with_its_row_and_every_row_is_accounted_for() {
    let (registry, report, file) = read("rejected-rows");
    // The empty line is no row; the row of delimiters only is a blank one.
    assert_eq!(report.rows, 7);
    assert_eq!(report.blank, 1);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(
        report.rejected[0].to_string(),
        "staff.csv, row 5: no worker id (column \"id\" is empty)"
    );
    assert_eq!(report.accepted, 5);
    assert!(report.is_balanced());
    // Two rows of worker 4: one worker, two employments.
    assert_eq!(registry.practitioners.len(), 4);
    assert_eq!(
        registry
            .employments
            .iter()
            .filter(|e| e.practitioner == "4")
            .count(),
        2
    );
    std::fs::remove_dir_all(file.parent().unwrap()).ok();
}

#[test]
fn a_mapping_naming_missing_columns_fails_at_once_listing_them_all() {
    let dir = common::temp_dir("missing-columns");
    let file = dir.join("staff.csv");
    std::fs::write(&file, "id,gender,isco\n1,female,2221\n").unwrap();
    let mapping = TableMapping::from_toml(MAPPING).unwrap();
    let err = read_registry(std::slice::from_ref(&file), &mapping).unwrap_err();
    let TableError::MissingColumns {
        missing, present, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        missing,
        &[
            "\"sex\" (worker.sex)",
            "\"born\" (worker.birth_date)",
            "\"born_in\" (worker.country_of_birth)",
            "\"start\" (employment.start)",
            "\"fte\" (employment.fte)",
            "\"facility\" (facility.id)",
        ]
    );
    assert_eq!(present, &["\"id\"", "\"gender\"", "\"isco\""]);
    assert!(
        err.to_string()
            .starts_with("staff.csv: the mapping names columns"),
        "{err}"
    );
    // The stream fails the same way, before reading any worker.
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    let aggregation =
        Aggregation::new(&Mapping::builtin("nhwa-module1").unwrap(), &options).unwrap();
    assert!(matches!(
        aggregate_files(&[file], &mapping, aggregation),
        Err(TableError::MissingColumns { .. })
    ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn mapping_mistakes_are_all_reported_with_their_lines() {
    let text = r#"format = 1
name = "x"
version = "1"
[source]
rows = "per-row"
encoding = "latin-9"
[worker]
id = "id"
gender = "sex"
[employment]
fte = { column = "fte", format = "%d" }
start = { column = "start", values = "dates" }
"#;
    let err = TableMapping::from_toml(text).unwrap_err().to_string();
    for expected in [
        "line 5: unknown rows \"per-row\"",
        "line 6: unknown encoding \"latin-9\"",
        "line 9: unknown key worker.gender",
        "line 11: employment.fte is not a date",
        "line 12: no value table [values.dates]",
    ] {
        assert!(err.contains(expected), "{expected} in {err}");
    }
    let err = TableMapping::from_toml(
        "format = 2\nname = \"x\"\nversion = \"1\"\n[worker]\nid = \"a\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 1: table mapping format 2 is not supported"),
        "{err}"
    );
    let err = TableMapping::from_toml(
        "format = 1\nname = \"x\"\nversion = \"1\"\n[worker]\nsex = \"a\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("names no worker id column"), "{err}");
    let err = TableMapping::from_toml(
        "format = 1\nname = \"x\"\nversion = \"1\"\n[worker]\nid = \"#0\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 5: worker.id: \"#0\" is not a column"),
        "{err}"
    );
}

#[test]
fn columns_by_position_without_a_header_row() {
    let dir = common::temp_dir("positions");
    let file = dir.join("staff.csv");
    std::fs::write(&file, "1,female\n2,male\n").unwrap();
    let mapping = TableMapping::from_toml(
        "format = 1\nname = \"x\"\nversion = \"1\"\n[source]\nheader_row = 0\n[worker]\nid = \"#1\"\nsex = \"#2\"\nbirth_date = \"#3\"\n",
    )
    .unwrap();
    let err = read_registry(std::slice::from_ref(&file), &mapping)
        .unwrap_err()
        .to_string();
    assert!(err.contains("#3 (worker.birth_date)"), "{err}");
    let mapping = TableMapping::from_toml(
        "format = 1\nname = \"x\"\nversion = \"1\"\n[source]\nheader_row = 0\n[worker]\nid = \"#1\"\nsex = \"#2\"\n",
    )
    .unwrap();
    let (registry, report) = read_registry(&[file], &mapping).unwrap();
    assert_eq!(registry.practitioners.len(), 2);
    assert_eq!(report.rows, 2);
    std::fs::remove_dir_all(&dir).ok();
}
