//! Table input against FHIR NDJSON: the same synthetic registry as a one-row-per-employment
//! CSV streamed through `hrh_table::aggregate_files`, and as bulk NDJSON through
//! `hrh_fhir::stream::aggregate_files` (1 and 2 parsing threads).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../table-adapter/tests/common/mod.rs"]
mod table_export;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hrh_core::Country;
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_fhir::{ReadConfig, inputs, stream, write};

/// Workers in the registry: 50,000, or `HRH_BENCH_TABLE_WORKERS` (e.g. 1000000).
fn workers() -> usize {
    std::env::var("HRH_BENCH_TABLE_WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000)
}

fn options() -> Options {
    Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    }
}

fn table(c: &mut Criterion) {
    let workers = workers();
    let synthetic = SyntheticRegistry::new(Config {
        workers,
        bad_records: false,
        ..Config::default()
    });
    let dir = std::env::temp_dir().join(format!("hrh-bench-table-{workers}"));
    let fhir = dir.join("fhir");
    write::export_synthetic(&synthetic, &fhir, 2).unwrap();
    let files = inputs::expand(&[&fhir]).unwrap();
    let csv = dir.join("export.csv");
    std::fs::write(&csv, table_export::export_csv(&synthetic.to_registry())).unwrap();
    let table_mapping = hrh_table::TableMapping::from_toml(table_export::MAPPING).unwrap();
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let mut group = c.benchmark_group("table");
    group.sample_size(10);
    group.throughput(Throughput::Elements(workers as u64));
    group.bench_function("csv-aggregate", |b| {
        b.iter(|| {
            let aggregation = Aggregation::new(&mapping, &options()).unwrap();
            let (result, _) =
                hrh_table::aggregate_files(std::slice::from_ref(&csv), &table_mapping, aggregation)
                    .unwrap();
            result.values.len()
        });
    });
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("ndjson-aggregate", threads),
            &threads,
            |b, threads| {
                b.iter(|| {
                    let aggregation = Aggregation::new(&mapping, &options()).unwrap();
                    let (result, _) = stream::aggregate_files(
                        &files,
                        &ReadConfig::default(),
                        aggregation,
                        *threads,
                    )
                    .unwrap();
                    result.values.len()
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, table);
criterion_main!(benches);
