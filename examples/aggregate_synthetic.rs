//! Aggregate a synthetic registry with NHWA Module 1 and print the account.
//!
//! `cargo run --release -p hrh-examples --example aggregate_synthetic -- 100000`

use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, Period};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let workers = std::env::args().nth(1).map_or(Ok(10_000), |n| n.parse())?;
    let registry = SyntheticRegistry::new(Config {
        workers,
        ..Config::default()
    })
    .to_registry();
    let mapping = Mapping::builtin("nhwa-module1")?;
    let options = Options {
        period: Period::parse("2024")?,
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    };
    let started = std::time::Instant::now();
    let result = Aggregation::new(&mapping, &options)?.run(&registry);
    let elapsed = started.elapsed();
    println!("{}", result.account);
    println!("{} values in {elapsed:.2?}", result.values.len());
    Ok(())
}
