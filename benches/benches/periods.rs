//! Period arithmetic: parsing ids, and the period of a date, for every type.
#![allow(missing_docs, clippy::unwrap_used)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hrh_core::{Period, PeriodType};
use std::hint::black_box;

fn periods(c: &mut Criterion) {
    let ids: Vec<String> = PeriodType::ALL
        .iter()
        .map(|t| {
            Period::containing(NaiveDate::from_ymd_opt(2024, 12, 30).unwrap(), *t)
                .unwrap()
                .to_string()
        })
        .collect();
    c.bench_function("period/parse every type", |b| {
        b.iter(|| {
            ids.iter()
                .map(|id| Period::parse(black_box(id)).unwrap().end())
                .max()
        });
    });
    let days: Vec<NaiveDate> = (0..365)
        .map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i))
        .collect();
    c.bench_function("period/containing, 365 days x 23 types", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for day in &days {
                for t in PeriodType::ALL {
                    n += Period::containing(black_box(*day), t)
                        .unwrap()
                        .to_string()
                        .len();
                }
            }
            n
        });
    });
}

criterion_group!(benches, periods);
criterion_main!(benches);
