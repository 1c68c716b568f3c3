//! A synthetic registry exported as a table reads back to the same figures and account.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, quality};
use hrh_table::{TableMapping, aggregate_files, read_registry};

fn options(org_unit: bool) -> Options {
    Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: org_unit.then(|| "UZdemoRoot1".to_owned()),
        suppress_below: None,
    }
}

#[test]
fn a_generated_registry_as_a_table_gives_the_same_figures_and_account() {
    let synthetic = SyntheticRegistry::new(Config {
        workers: 3000,
        ..Config::default()
    });
    let registry = synthetic.to_registry();
    let dir = common::temp_dir("round-trip");
    let file = dir.join("export.csv");
    std::fs::write(&file, common::export_csv(&registry)).unwrap();
    let table = TableMapping::from_toml(common::MAPPING).unwrap();
    for (name, national) in [("nhwa-module1", true), ("nhwa-module1-subnational", false)] {
        let mapping = Mapping::builtin(name).unwrap();
        let aggregation = || Aggregation::new(&mapping, &options(national)).unwrap();
        let expected = aggregation().run(&registry);
        let (streamed, report) =
            aggregate_files(std::slice::from_ref(&file), &table, aggregation()).unwrap();
        assert_eq!(streamed.values, expected.values, "{name}: streamed figures");
        assert_eq!(
            streamed.account, expected.account,
            "{name}: streamed account"
        );
        assert!(report.is_balanced());
        assert_eq!(report.workers, registry.practitioners.len());
        assert_eq!(report.employments, registry.employments.len());
        assert!(report.rejected.is_empty(), "{:?}", report.rejected.first());
        let (read, _) = read_registry(std::slice::from_ref(&file), &table).unwrap();
        let in_memory = aggregation().run(&read);
        assert_eq!(in_memory, streamed, "{name}: in memory");
    }
    // The deliberately bad records are found by the same quality checks.
    let (read, report) = read_registry(&[file], &table).unwrap();
    let on = quality::Options::as_of(chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    let codes = |r: &quality::QualityReport| {
        let mut counts = r.counts();
        counts.retain(|(code, _)| *code != "dangling_reference");
        counts
    };
    assert_eq!(
        codes(&quality::check(&read, &on)),
        codes(&quality::check(&registry, &on))
    );
    // Invalid sexes and birth dates of the source are named with their row and column.
    assert!(
        report
            .bad_values
            .iter()
            .any(|b| b.fact == "worker.sex" && b.value == "F")
    );
    assert!(report.bad_values.iter().all(|b| b.place.row >= 2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rows_of_a_worker_apart_are_joined_and_give_the_same_figures() {
    let synthetic = SyntheticRegistry::new(Config {
        workers: 400,
        ..Config::default()
    });
    let registry = synthetic.to_registry();
    let text = common::export_csv(&registry);
    // Move the second row of the first worker with two jobs to the end: their rows are apart.
    let mut lines: Vec<&str> = text.lines().collect();
    let id = |line: &str| line.split(',').next().unwrap_or_default().to_owned();
    let second = (2..lines.len())
        .find(|&i| id(lines[i]) == id(lines[i - 1]))
        .expect("a worker with two jobs");
    let moved = lines.remove(second);
    lines.push(moved);
    let shuffled = lines;
    let dir = common::temp_dir("apart");
    let file = dir.join("export.csv");
    std::fs::write(&file, shuffled.join("\n")).unwrap();
    let table = TableMapping::from_toml(common::MAPPING).unwrap();
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let expected = Aggregation::new(&mapping, &options(true))
        .unwrap()
        .run(&registry);
    let (result, report) = aggregate_files(
        &[file],
        &table,
        Aggregation::new(&mapping, &options(true)).unwrap(),
    )
    .unwrap();
    assert_eq!(result.values, expected.values);
    assert_eq!(result.account, expected.account);
    assert_eq!(report.workers, registry.practitioners.len());
    assert!(report.is_balanced());
    std::fs::remove_dir_all(&dir).ok();
}
