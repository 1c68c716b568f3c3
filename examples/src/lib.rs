//! Runnable examples: `cargo run -p hrh-examples --example aggregate_synthetic`.
