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
    existing(dir, std::env::var_os("CI").is_some())
}

/// `Some(dir)` when it exists; otherwise panics under CI, or prints a skip message.
pub fn existing(dir: PathBuf, ci: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !ci,
        "fixtures folder {} is missing and CI is set",
        dir.display()
    );
    eprintln!(
        "SKIP: fixtures folder {} not found (set HRH_FIXTURES)",
        dir.display()
    );
    None
}
