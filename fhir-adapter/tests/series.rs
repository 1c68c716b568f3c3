//! A series of periods aggregated in one read gives, period by period, what single-period
//! runs give: value for value, account for account.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::TempDir;
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, Period};
use hrh_fhir::write::export_synthetic;
use hrh_fhir::{ReadConfig, inputs, stream};
use proptest::prelude::*;

fn aggregation(mapping: &Mapping, period: Period) -> Aggregation {
    let options = Options {
        period,
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    Aggregation::new(mapping, &options).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn a_series_in_one_run_equals_one_run_per_period(seed in 0u64..1_000, workers in 200usize..1_500, threads in 1usize..4) {
        let dir = TempDir::new(&format!("series-{seed}-{workers}"));
        let synthetic = SyntheticRegistry::new(Config { workers, seed, ..Config::default() });
        export_synthetic(&synthetic, &dir.0, 1).unwrap();
        let files = inputs::expand(&[&dir.0]).unwrap();
        let periods = Period::parse_series("2019..2024").unwrap();
        for name in ["nhwa-module1", "nhwa-module5", "nhwa-module6", "nhwa-module7"] {
            let mapping = Mapping::builtin(name).unwrap();
            let all = periods.iter().map(|p| aggregation(&mapping, *p)).collect();
            let (series, report) =
                stream::aggregate_series(&files, &ReadConfig::default(), all, threads).unwrap();
            prop_assert!(report.is_balanced());
            prop_assert_eq!(series.len(), 6);
            for (period, in_series) in periods.iter().zip(&series) {
                let (alone, _) = stream::aggregate_files(
                    &files,
                    &ReadConfig::default(),
                    aggregation(&mapping, *period),
                    threads,
                )
                .unwrap();
                prop_assert!(in_series.values.iter().all(|v| v.period == *period));
                prop_assert_eq!(&in_series.values, &alone.values, "{} {}", name, period);
                prop_assert_eq!(&in_series.account, &alone.account, "{} {}", name, period);
                prop_assert!(in_series.account.adds_up());
                prop_assert_eq!(in_series.account.workers, workers as u64);
            }
        }
    }
}

/// Median earnings need every worker's pay, not a running sum: read from files on several
/// threads they equal the in-memory run's, value for value.
#[test]
fn streamed_median_earnings_equal_the_in_memory_run() {
    let dir = TempDir::new("series-earnings");
    let synthetic = SyntheticRegistry::new(Config {
        workers: 1_200,
        seed: 7,
        ..Config::default()
    });
    export_synthetic(&synthetic, &dir.0, 1).unwrap();
    let files = inputs::expand(&[&dir.0]).unwrap();
    let mapping = Mapping::builtin("nhwa-module7").unwrap();
    let period: Period = "2024".parse().unwrap();
    let in_memory = aggregation(&mapping, period).run(&synthetic.to_registry());
    assert!(!in_memory.values.is_empty());
    for threads in [1, 3] {
        let (streamed, _) = stream::aggregate_files(
            &files,
            &ReadConfig::default(),
            aggregation(&mapping, period),
            threads,
        )
        .unwrap();
        assert_eq!(streamed.values, in_memory.values, "{threads} threads");
        assert_eq!(streamed.account, in_memory.account, "{threads} threads");
    }
}
