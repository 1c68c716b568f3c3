//! The real FHIR server for integration tests: `sekmet-fhir` 0.1.1 (../shared/docs/PEERS.md §1).
//!
//! [`Sekmet::start`] installs it on first use into `<target>/sekmet-venv` (`python3 -m venv` +
//! `pip install sekmet-fhir==0.1.1`; a marker file records a finished install), writes a
//! config with its own data directory in a temporary folder and a free port on 127.0.0.1,
//! starts `sekmet serve`, and waits for `/fhir/metadata`. Dropping it kills that process (by
//! its handle) and removes the folder.
//!
//! When the server cannot be installed or started (no python3, no network), the test is
//! skipped with a message; with `CI` set it fails instead.

// Test helper: panics are the failure report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The pinned server version.
pub const VERSION: &str = "0.1.1";

static INSTALL: Mutex<Option<Result<PathBuf, String>>> = Mutex::new(None);
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A running sekmet server.
pub struct Sekmet {
    child: Child,
    dir: PathBuf,
    /// The FHIR base URL, e.g. `http://127.0.0.1:40123/fhir`.
    pub base: String,
}

impl Sekmet {
    /// Starts a fresh server; `None` (after a skip message) when it cannot run outside CI.
    pub fn start() -> Option<Self> {
        Self::start_with("")
    }

    /// [`Sekmet::start`] with more settings appended to its YAML config (e.g. `server_auth`).
    pub fn start_with(extra_yaml: &str) -> Option<Self> {
        Self::start_or_skip(extra_yaml, None)
    }

    /// A fresh server on `port` that calls itself `public_base` in the links it writes
    /// (`next` pages, `fullUrl`s): for a server behind a proxy listening at `public_base`.
    /// [`Sekmet::base`] is then `public_base`.
    pub fn start_behind(port: u16, public_base: &str) -> Option<Self> {
        Self::start_or_skip("", Some((port, public_base)))
    }

    fn start_or_skip(extra_yaml: &str, behind: Option<(u16, &str)>) -> Option<Self> {
        match Self::try_start(extra_yaml, behind) {
            Ok(server) => Some(server),
            Err(why) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "sekmet-fhir unavailable and CI is set: {why}"
                );
                eprintln!("SKIP: sekmet-fhir unavailable: {why}");
                None
            }
        }
    }

    fn try_start(extra_yaml: &str, behind: Option<(u16, &str)>) -> Result<Self, String> {
        let venv = venv()?;
        let dir = std::env::temp_dir().join(format!(
            "hrh-sekmet-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let (port, base) = if let Some((port, public_base)) = behind {
            (port, public_base.to_owned())
        } else {
            let port = free_port().map_err(|e| e.to_string())?;
            (port, format!("http://127.0.0.1:{port}/fhir"))
        };
        let config = dir.join("sekmet.yaml");
        std::fs::write(
            &config,
            format!(
                "base_url: {base}\nhost: 127.0.0.1\nport: {port}\ndata_dir: {}\n\
                 simulator: {{enabled: false}}\nlog_inbound: false\n{extra_yaml}",
                dir.join("data").display()
            ),
        )
        .map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("sekmet.log")).map_err(|e| e.to_string())?;
        let child = Command::new(venv.join("bin/sekmet"))
            .args(["serve", "-c"])
            .arg(&config)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start sekmet: {e}"))?;
        let mut server = Self { child, dir, base };
        let deadline = Instant::now() + Duration::from_mins(1);
        loop {
            if metadata_ok(port) {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("sekmet exited ({status}): {}", server.log()));
            }
            if Instant::now() > deadline {
                return Err(format!("sekmet not ready after 60 s: {}", server.log()));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sekmet.log")).unwrap_or_default()
    }
}

impl Drop for Sekmet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port of 127.0.0.1 free a moment ago (the OS's pick for port 0).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `GET /fhir/metadata` answers 200.
fn metadata_ok(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "GET /fhir/metadata HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: application/fhir+json\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// The target directory: `$CARGO_TARGET_DIR`, else the workspace's `target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

/// The virtual environment with sekmet installed (installing it once per process).
fn venv() -> Result<PathBuf, String> {
    let mut slot = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(done) = slot.as_ref() {
        return done.clone();
    }
    let result = install(&target_dir().join("sekmet-venv"));
    *slot = Some(result.clone());
    result
}

fn install(venv: &Path) -> Result<PathBuf, String> {
    let marker = venv.join(format!(".sekmet-fhir-{VERSION}"));
    if marker.is_file() && venv.join("bin/sekmet").is_file() {
        return Ok(venv.to_owned());
    }
    eprintln!(
        "installing sekmet-fhir=={VERSION} into {} (once)",
        venv.display()
    );
    let _ = std::fs::remove_dir_all(venv);
    if let Some(parent) = venv.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(Command::new(&python).args(["-m", "venv"]).arg(venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("sekmet-fhir=={VERSION}"),
    ]))?;
    std::fs::write(&marker, VERSION).map_err(|e| e.to_string())?;
    Ok(venv.to_owned())
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?}: {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
