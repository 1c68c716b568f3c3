//! The JSON-parsing limit of this machine over a bulk export: how fast plain parsers
//! read the same NDJSON files `hrh aggregate` reads, one thread, no other work.
//!
//! ```text
//! cargo run --release -p hrh-benches --bin json_limit -- DIR
//! ```
//!
//! For each parser it prints bytes, lines, seconds and MB/s (one core): `serde_json`
//! into a DOM (`Value`), `serde_json` skipping every value (`IgnoredAny`: the tokenizer
//! alone), and `simd-json` into a borrowed DOM. The files are read into memory first,
//! so disk and page cache are not timed. `hrh aggregate` does far more per line (typed
//! FHIR fields, the stock rule, the breakdowns), so these are upper bounds.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let Some(directory) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: json_limit DIR (a bulk export: *.ndjson)");
        return std::process::ExitCode::from(2);
    };
    match run(&directory) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(directory: &Path) -> Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .map_err(|e| format!("{}: {e}", directory.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    let mut data = Vec::new();
    for file in &files {
        data.extend(std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?);
        if data.last().is_some_and(|b| *b != b'\n') {
            data.push(b'\n');
        }
    }
    println!("{} bytes in {} files", data.len(), files.len());
    println!("| parser | lines | seconds | MB/s (one core) |");
    println!("|---|---:|---:|---:|");
    report("serde_json -> Value", &data, |line| {
        serde_json::from_slice::<serde_json::Value>(line).is_ok()
    });
    report("serde_json -> IgnoredAny", &data, |line| {
        serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok()
    });
    let mut scratch = Vec::new();
    report("simd-json -> BorrowedValue", &data, |line| {
        scratch.clear();
        scratch.extend_from_slice(line);
        simd_json::to_borrowed_value(&mut scratch).is_ok()
    });
    Ok(())
}

/// Parses every non-empty line with `parse`, best of three passes.
fn report(name: &str, data: &[u8], mut parse: impl FnMut(&[u8]) -> bool) {
    let mut best = f64::INFINITY;
    let mut lines = 0usize;
    for _ in 0..3 {
        let start = Instant::now();
        lines = data
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .filter(|line| parse(line))
            .count();
        best = best.min(start.elapsed().as_secs_f64());
    }
    #[allow(clippy::cast_precision_loss)] // sizes far below 2^52
    let megabytes = data.len() as f64 / 1e6;
    println!("| {name} | {lines} | {best:.3} | {:.0} |", megabytes / best);
}
