//! Helpers of the tests that run `hrh` against the DHIS2 stand-in.
//!
//! **Finding the stand-in.** `env!("CARGO_BIN_EXE_…")` only names binaries of
//! this package, and `dhis2-standin` is a binary-only crate (no dev-dependency
//! can bring it in). So [`standin_binary`] runs `cargo build -p dhis2-standin`
//! once per test process, with the cargo that builds these tests, into the
//! same target directory and profile as `hrh` (found from
//! `CARGO_BIN_EXE_hrh`), and uses `target/<profile>/dhis2-standin`. When the
//! stand-in is up to date that build is a no-op of a second. Set
//! `HRH_DHIS2_STANDIN` to a built binary to skip the build (e.g. on a machine
//! without cargo at test time).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use hrh_dhis2::client::{Auth, ClientSettings, RetryPolicy};

pub mod peers;

/// The stand-in binary, built if needed (see the module docs).
pub fn standin_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("HRH_DHIS2_STANDIN") {
            return PathBuf::from(path);
        }
        let hrh = Path::new(env!("CARGO_BIN_EXE_hrh"));
        let profile_dir = hrh.parent().unwrap();
        let target_dir = profile_dir.parent().unwrap();
        let mut build = Command::new(env!("CARGO"));
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "dhis2-standin",
                "--bin",
                "dhis2-standin",
            ])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                build.arg("--release");
            }
            Some(profile) => {
                build.args(["--profile", profile]);
            }
        }
        let status = build.status().expect("run cargo build -p dhis2-standin");
        assert!(status.success(), "cargo build -p dhis2-standin failed");
        profile_dir.join(format!("dhis2-standin{}", std::env::consts::EXE_SUFFIX))
    })
}

/// A running stand-in, killed when dropped.
pub struct Standin {
    child: Child,
    /// `http://127.0.0.1:NNNN`.
    pub base_url: String,
    /// The API token it accepts.
    pub token: String,
}

impl Standin {
    /// Starts `dhis2-standin --port 0` and waits for its address.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts `dhis2-standin --port PORT` (0: a free one) and waits for its address.
    pub fn start_on(port: u16) -> Self {
        let mut child = Command::new(standin_binary())
            .args(["--port", &port.to_string()])
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

    /// The address it listens on.
    pub fn address(&self) -> std::net::SocketAddr {
        self.base_url.trim_start_matches("http://").parse().unwrap()
    }

    /// Queues faults for the next `/api` requests (`POST /__faults`, see the stand-in's README).
    pub fn fault(&self, body: &str) {
        use std::io::{Read, Write};
        let address = self.base_url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST /__faults HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
    }

    /// The latest `/api` requests the stand-in saw (`GET /__requests`), oldest first, as
    /// (method, path, raw query).
    pub fn requests(&self) -> Vec<(String, String, String)> {
        use std::io::{Read, Write};
        let address = self.base_url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET /__requests HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let seen: serde_json::Value = serde_json::from_str(body).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
        seen["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (text(&r["method"]), text(&r["path"]), text(&r["query"])))
            .collect()
    }

    /// A blocking client with admin/district, for checking what was stored.
    pub fn client(&self) -> hrh_dhis2::client::blocking::Dhis2Client {
        let settings = ClientSettings::new(&self.base_url, Auth::basic("admin", "district"))
            .with_timeout(Duration::from_secs(10))
            .with_retry(RetryPolicy::none());
        hrh_dhis2::client::blocking::Dhis2Client::new(settings).unwrap()
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `hrh` did: exit status, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts that no panic or backtrace reached the user.
    pub fn no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{}",
            self.stderr
        );
        self
    }
}

/// `hrh ARGS` with exactly the `HRH_*` variables given (none inherited, no `RUST_LOG`).
pub fn hrh_command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hrh"));
    for (name, _) in std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v))) {
        if name.starts_with("HRH_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command.args(args).envs(env.iter().copied());
    command
}

/// Runs `hrh` with exactly the `HRH_*` variables given (none inherited, no `RUST_LOG`).
pub fn hrh(args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = hrh_command(args, env).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The stand-in's Basic credentials as environment variables.
pub const ADMIN: [(&str, &str); 2] = [
    ("HRH_DHIS2_USERNAME", "admin"),
    ("HRH_DHIS2_PASSWORD", "district"),
];

/// A fresh directory, removed when the guard is dropped.
pub struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// A fresh directory under the system's temp dir.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("hrh-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}
