//! Shared helpers for the `hrh-dhis2` integration tests.
#![allow(clippy::panic)] // a helper that cannot list the fixtures fails the test

use std::path::PathBuf;

/// The shared fixture folder: `$HRH_FIXTURES`, else `../shared/fixtures` relative to the
/// workspace root.
///
/// Returns `None` (after printing a skip message) when the folder is missing,
/// unless `CI` is set, in which case a missing folder fails the test.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HRH_FIXTURES").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
                .join("fixtures")
        },
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixture folder {} is missing and CI is set; set HRH_FIXTURES",
        dir.display()
    );
    eprintln!(
        "skipping: fixture folder {} not found (set HRH_FIXTURES to run these tests)",
        dir.display()
    );
    None
}

/// The files of `dir`, sorted by name.
pub fn files_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}
