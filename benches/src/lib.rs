//! Criterion benchmarks of `hrh`'s hot paths; run `cargo bench -p hrh-benches`.
