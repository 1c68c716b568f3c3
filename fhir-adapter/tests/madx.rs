//! Figures survive the trip through mADX `MeasureReport`s.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{AggregateValue, Country, Number};
use hrh_fhir::madx;

fn aggregate(mapping: &Mapping) -> Vec<AggregateValue> {
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    let registry = SyntheticRegistry::new(Config {
        workers: 3_000,
        ..Config::default()
    })
    .to_registry();
    Aggregation::new(mapping, &options)
        .unwrap()
        .run(&registry)
        .values
}

#[test]
fn engine_figures_round_trip_with_breakdowns_named() {
    for name in ["nhwa-module1", "nhwa-module1-subnational"] {
        let mapping = Mapping::builtin(name).unwrap();
        let values = aggregate(&mapping);
        assert!(values.len() > 50);
        let bundle = madx::write(&values, mapping.data_set.as_deref(), Some(&mapping));
        let read = madx::read(&bundle.to_string()).unwrap();
        assert_eq!(read.values, values, "{name}");
        assert_eq!(read.data_set, mapping.data_set);

        let report = &bundle["entry"][0]["resource"];
        assert_eq!(report["meta"]["profile"][0], madx::MADX_PROFILE);
        assert_eq!(report["type"], "summary");
        // Every stratum of a broken-down figure names its breakdown, e.g. sex = female.
        let components: Vec<&serde_json::Value> = report["group"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["stratifier"].as_array().into_iter().flatten())
            .flat_map(|s| s["stratum"].as_array().unwrap())
            .filter_map(|t| t["component"].get(0))
            .collect();
        let has_sex = components.iter().any(|c| {
            c["code"]["coding"][0]["code"] == "sex" && c["value"]["coding"][0]["code"] == "female"
        });
        // The national mapping breaks figures down by sex; the subnational one does not.
        assert_eq!(has_sex, name == "nhwa-module1", "{name}");
        assert!(!components.is_empty(), "{name}");
        // Population counts are the sum of the group's counts.
        for group in report["group"].as_array().unwrap() {
            let strata: u64 = group["stratifier"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["stratum"].as_array().unwrap())
                .map(|t| t["measureScore"]["value"].as_u64().unwrap())
                .sum();
            let own = group["measureScore"]["value"].as_u64().unwrap_or(0);
            assert_eq!(group["population"][0]["count"].as_u64(), Some(strata + own));
        }
    }
}

#[test]
fn decimals_default_combos_attribute_combos_and_periods_survive() {
    let mut values = Vec::new();
    for (i, period) in ["2024W1", "2024Q3", "2024AprilS2", "2023April", "202402"]
        .iter()
        .enumerate()
    {
        let mut v = AggregateValue::new(
            "deAAAAAAAA1",
            "cocAAAAAAA1",
            "ouAAAAAAAA1",
            period.parse().unwrap(),
            Number::Decimal(12.25 + f64::from(u8::try_from(i).unwrap())),
        );
        v.attribute_option_combo = (i % 2 == 0).then(|| "aocAAAAAAA1".to_owned());
        values.push(v);
        let mut total = AggregateValue::new(
            "deAAAAAAAA2",
            "x",
            "ouAAAAAAAA2",
            period.parse().unwrap(),
            Number::Count(7),
        );
        total.category_option_combo = None;
        values.push(total);
    }
    let bundle = madx::write(&values, None, None);
    let read = madx::read(&bundle.to_string()).unwrap();
    let mut expected = values.clone();
    let mut got = read.values.clone();
    let key = |v: &AggregateValue| {
        (
            v.org_unit.clone(),
            v.period.to_string(),
            v.data_element.clone(),
        )
    };
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, expected);
    assert_eq!(read.data_set, None);
}

#[test]
fn repeated_totals_of_one_element_are_all_written() {
    // Found by fuzzing (fuzz target `madx`): a report with the same data element in several
    // groups, each with a total, read as several totals; writing kept only the last one.
    let value = |combo: Option<&str>, n: u64| {
        let mut v = AggregateValue::new(
            "deAAAAAAAA1",
            "x",
            "ouAAAAAAAA1",
            "2024".parse().unwrap(),
            Number::Count(n),
        );
        v.category_option_combo = combo.map(str::to_owned);
        v
    };
    let values = vec![
        value(None, 1),
        value(Some("F"), 2),
        value(None, 3),
        value(Some("M"), 4),
        value(None, 5),
    ];
    let bundle = madx::write(&values, None, None);
    let groups = bundle["entry"][0]["resource"]["group"].as_array().unwrap();
    assert_eq!(groups.len(), 3, "{bundle}");
    assert_eq!(madx::read(&bundle.to_string()).unwrap().values, values);
}

#[test]
fn the_hl7_example_in_the_older_encoding_reads() {
    let Some(fixtures) = common::fixtures() else {
        return;
    };
    let text = std::fs::read_to_string(
        fixtures.join("fhir/hl7-r4-examples/MeasureReport-hiv-indicators.json"),
    )
    .unwrap();
    let read = madx::read(&text).unwrap();
    assert!(!read.values.is_empty());
    assert!(read.values.iter().all(|v| v.org_unit == "ZW01"));
    assert!(read.values.iter().all(|v| v.period.to_string() == "201801"));
    // Combined codes such as `P0Y--P1Y:F` are kept as the combo.
    assert!(read.values.iter().any(|v| {
        v.category_option_combo
            .as_deref()
            .is_some_and(|c| c.contains(':'))
    }));
}

#[test]
fn bad_reports_name_the_report_and_element() {
    let no_period = r#"{"resourceType":"MeasureReport","id":"m1","subject":{"reference":"Location/ou1"},"group":[]}"#;
    let err = madx::read(no_period).unwrap_err().to_string();
    assert!(
        err.contains("MeasureReport/m1") && err.contains("period"),
        "{err}"
    );
    let odd_period = r#"{"resourceType":"MeasureReport","id":"m2","subject":{"reference":"Location/ou1"},"period":{"start":"2024-01-03","end":"2024-02-17"}}"#;
    assert!(
        madx::read(odd_period)
            .unwrap_err()
            .to_string()
            .contains("DHIS2 period")
    );
    let no_score = r#"{"resourceType":"MeasureReport","id":"m3","subject":{"reference":"Location/ou1"},"period":{"start":"2024-01-01","end":"2024-12-31"},"group":[{"code":{"coding":[{"code":"de1"}]},"stratifier":[{"stratum":[{"value":{"text":"c1"}}]}]}]}"#;
    let err = madx::read(no_score).unwrap_err().to_string();
    assert!(
        err.contains("group[0].stratifier[0].stratum[0].measureScore"),
        "{err}"
    );
    assert!(madx::read("{").is_err());
    assert!(madx::read(r#"{"resourceType":"Patient"}"#).is_err());
}
