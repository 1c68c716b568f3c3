//! The shipped example mappings read their example files (`examples/tables/`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::{Country, IscoCode, OrgUnitRef, Ownership, ProviderClass, Recorded};
use hrh_table::{TableMapping, aggregate_files, read_registry};

fn example(name: &str) -> (PathBuf, TableMapping) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/tables");
    let text = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
    (
        dir.join(format!("{name}.csv")),
        TableMapping::from_toml(&text).unwrap(),
    )
}

fn options(home: Country) -> Options {
    Options {
        period: "2024".parse().unwrap(),
        home,
        org_unit: Some("ROOT0000001".into()),
        suppress_below: None,
    }
}

#[test]
fn the_ihris4_person_position_export() {
    let (file, mapping) = example("ihris4-person-position");
    let (registry, report) = read_registry(std::slice::from_ref(&file), &mapping).unwrap();
    assert!(report.is_balanced());
    assert_eq!((report.rows, report.workers, report.employments), (7, 5, 6));
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].place.row, 8);
    let bad: Vec<(&str, &str)> = report
        .bad_values
        .iter()
        .map(|b| (b.fact.as_str(), b.value.as_str()))
        .collect();
    assert_eq!(
        bad,
        [
            ("worker.sex", "gender|X"),
            ("worker.birth_date", "1990-13-01 00:00:00"),
            ("employment.occupation", "job|9"),
        ]
    );
    let okello: Vec<_> = registry
        .employments
        .iter()
        .filter(|e| e.practitioner == "person-1002")
        .collect();
    assert_eq!(okello.len(), 2);
    assert_eq!(
        okello[0].period.end,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 30)
    );
    assert_eq!(okello[1].period.end, None); // 0000-00-00 00:00:00 is an open end
    assert_eq!(
        okello[1].occupation,
        Recorded::Valid(IscoCode::parse("2221").unwrap())
    );
    let midwife = registry
        .employments
        .iter()
        .find(|e| e.id == "person-position-5004")
        .unwrap();
    assert_eq!(midwife.fte, Some(0.5));
    assert_eq!(
        midwife.salary.as_ref().map(|s| s.currency.as_str()),
        Some("UGX")
    );
    assert_eq!(registry.facilities.len(), 4);
    assert_eq!(
        registry.facilities[0].provider_class,
        Some(ProviderClass::Hospitals)
    );
    assert_eq!(
        registry.facilities[0].org_unit,
        Some(OrgUnitRef::Uid("aXmBzv61LbM".into()))
    );
    assert_eq!(registry.organizations.len(), 3);
    assert_eq!(
        registry.organizations[1].ownership,
        Some(Ownership::PrivateNotForProfit)
    );
    let licensed = registry
        .practitioners
        .iter()
        .filter(|p| p.holds_licence_on(chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()))
        .count();
    assert_eq!(licensed, 4);
    let mapping_nhwa = Mapping::builtin("nhwa-module1").unwrap();
    let (result, _) = aggregate_files(
        &[file],
        &mapping,
        Aggregation::new(&mapping_nhwa, &options(Country::parse("UG").unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(result.account.workers, 5);
    assert!(result.account.adds_up());
}

#[test]
fn the_generic_one_row_per_worker_sheet() {
    let (file, mapping) = example("generic-staff-sheet");
    let (registry, report) = read_registry(std::slice::from_ref(&file), &mapping).unwrap();
    assert!(report.is_balanced() && report.rejected.is_empty());
    assert_eq!((report.rows, report.workers, report.employments), (7, 7, 7));
    let bad: Vec<(&str, &str)> = report
        .bad_values
        .iter()
        .map(|b| (b.fact.as_str(), b.value.as_str()))
        .collect();
    assert_eq!(
        bad,
        [
            ("worker.birth_date", "31.02.1991"),
            ("employment.fte", "one")
        ]
    );
    assert_eq!(registry.practitioners[4].active, Some(false));
    assert_eq!(registry.employments[2].fte, Some(0.5));
    assert_eq!(registry.facilities.len(), 4);
    assert_eq!(
        registry.facilities[3].org_unit,
        Some(OrgUnitRef::Code("UZ_TAS_F48".into()))
    );
    let nhwa = Mapping::builtin("nhwa-module1").unwrap();
    let (result, _) = aggregate_files(
        &[file],
        &mapping,
        Aggregation::new(&nhwa, &options(Country::UZBEKISTAN)).unwrap(),
    )
    .unwrap();
    assert_eq!(result.account.workers, 7);
    assert!(result.account.adds_up());
}
