//! The aggregation engine on an in-memory synthetic registry with `nhwa-module1`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, quality};

fn aggregate(c: &mut Criterion) {
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let options = Options {
        period: "2024".parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZ000000001".into()),
        suppress_below: None,
    };
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10);
    for workers in [10_000usize, 100_000] {
        let registry = SyntheticRegistry::new(Config {
            workers,
            ..Config::default()
        })
        .to_registry();
        group.throughput(Throughput::Elements(workers as u64));
        group.bench_with_input(
            BenchmarkId::new("nhwa-module1", workers),
            &registry,
            |b, registry| {
                b.iter(|| {
                    Aggregation::new(&mapping, &options)
                        .unwrap()
                        .run(registry)
                        .values
                        .len()
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("quality", workers),
            &registry,
            |b, registry| {
                b.iter(|| {
                    quality::check(registry, &quality::Options::as_of(options.period.end()))
                        .findings
                        .len()
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
