//! Shared test helpers.

// Each test file uses some of them.
#![allow(dead_code)]

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

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates (or empties) `hrh-{name}-{pid}` under the temp dir.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hrh-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}
