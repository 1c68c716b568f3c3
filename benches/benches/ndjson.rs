//! The hot path of `hrh aggregate`: bulk-export NDJSON files read into aggregation facts
//! (`hrh_fhir::stream`, 1 and 2 threads), and data value set serialisation.
#![allow(missing_docs, clippy::unwrap_used)]

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hrh_core::Country;
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_dhis2::DataValueSet;
use hrh_fhir::{ReadConfig, inputs, stream, write};

const WORKERS: usize = 50_000;

fn options() -> Options {
    Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZdemoRoot1".into()),
        suppress_below: None,
    }
}

/// A generated bulk export in the temp dir, made once per run.
fn export() -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("hrh-bench-ndjson-{WORKERS}"));
    let synthetic = SyntheticRegistry::new(Config {
        workers: WORKERS,
        bad_records: false,
        ..Config::default()
    });
    write::export_synthetic(&synthetic, &dir, 2).unwrap();
    inputs::expand(&[dir]).unwrap()
}

fn ndjson(c: &mut Criterion) {
    let files = export();
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let config = ReadConfig::default();
    let mut group = c.benchmark_group("ndjson");
    group.sample_size(10);
    group.throughput(Throughput::Elements(WORKERS as u64));
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("stream-aggregate", threads),
            &threads,
            |b, threads| {
                b.iter(|| {
                    let aggregation = Aggregation::new(&mapping, &options()).unwrap();
                    let (result, _) =
                        stream::aggregate_files(&files, &config, aggregation, *threads).unwrap();
                    result.values.len()
                });
            },
        );
    }
    let (result, _) = stream::aggregate_files(
        &files,
        &config,
        Aggregation::new(&mapping, &options()).unwrap(),
        2,
    )
    .unwrap();
    let set = DataValueSet::from_result(&result);
    group.throughput(Throughput::Elements(set.data_values.len() as u64));
    group.bench_function("dhis2-json-write", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 20);
            hrh_dhis2::datavalueset::json::write_json(&set, &mut out).unwrap();
            out.len()
        });
    });
    group.finish();
}

criterion_group!(benches, ndjson);
criterion_main!(benches);
