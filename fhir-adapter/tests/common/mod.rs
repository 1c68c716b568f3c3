//! Shared test helpers.

use std::path::PathBuf;

/// The shared fixtures folder: `$HRH_FIXTURES`, else `../shared/fixtures` next to the workspace.
///
/// `None` (after printing a skip message) when it is missing; when `CI` is set a missing
/// folder fails the test instead.
pub fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("HRH_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixtures folder {} is missing and CI is set",
        dir.display()
    );
    eprintln!(
        "SKIP: fixtures folder {} not found (set HRH_FIXTURES)",
        dir.display()
    );
    None
}
