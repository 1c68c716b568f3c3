//! Starts the stand-in binary on a free port for a test, and stops it after.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hrh_dhis2::client::{Auth, ClientSettings, RetryPolicy};

/// A running stand-in, killed when dropped.
pub struct Standin {
    child: Child,
    /// `http://127.0.0.1:NNNN`.
    pub base_url: String,
    /// The API token it accepts.
    pub token: String,
}

impl Standin {
    /// Starts `dhis2-standin --port 0` with extra arguments and waits for its address.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dhis2-standin"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dhis2-standin");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("a first line").unwrap();
        let base_url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let second = lines.next().expect("a second line").unwrap();
        let token = second.strip_prefix("api token: ").unwrap().to_owned();
        Self {
            child,
            base_url,
            token,
        }
    }

    /// Client settings with admin/district, fast retries and polling.
    pub fn settings(&self) -> ClientSettings {
        ClientSettings::new(&self.base_url, Auth::basic("admin", "district"))
            .with_timeout(Duration::from_secs(10))
            .with_retry(fast_retries(4))
            .with_poll_interval(Duration::from_millis(50))
    }

    /// Queues faults (`/__faults` JSON body) and returns the stand-in's answer.
    pub fn fault(&self, body: &str) -> serde_json::Value {
        self.admin("POST", body)
    }

    /// Drops pending faults.
    pub fn clear_faults(&self) {
        self.admin("DELETE", "");
    }

    /// How many `/api` requests the stand-in has seen.
    pub fn requests(&self) -> u64 {
        self.admin("GET", "")["requests"].as_u64().unwrap()
    }

    /// A raw HTTP/1.1 request to `/__faults`.
    fn admin(&self, method: &str, body: &str) -> serde_json::Value {
        let address = self.base_url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "{method} /__faults HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (_, json) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null)
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shared fixture folder (`$HRH_FIXTURES`, else `../shared/fixtures` beside the
/// repository); `None` with a skip message when missing, a failure when `CI` is set.
pub fn fixtures() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("HRH_FIXTURES")
        .map_or_else(|| root.join("../shared/fixtures"), Into::into);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixture folder {} is missing and CI is set",
        dir.display()
    );
    eprintln!(
        "skipping: no fixture folder at {} (set HRH_FIXTURES)",
        dir.display()
    );
    None
}

/// A retry policy with short waits for tests.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(3),
    }
}
