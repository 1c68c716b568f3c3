//! Blocking calls made interruptible: the network clients (`dhis2.rs`,
//! `fhir_client.rs`) run each request through [`run`].
//!
//! The call runs on a thread of its own while the calling thread waits without
//! the GIL, waking every [`SIGNAL_POLL`] to let Python handle signals: Ctrl-C
//! raises `KeyboardInterrupt` at once and cancels the call's token, so the
//! request in flight is dropped (its connection closed) rather than left to
//! run until its timeout.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use hrh_fhir::client::blocking::CancellationToken;
use pyo3::prelude::*;

use crate::errors::TransportError;

/// How often a waiting call lets Python check for Ctrl-C.
pub const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `call` on a new thread named `name` and returns what it returns; waits
/// without the GIL, checking for signals every [`SIGNAL_POLL`].
///
/// A signal handler that raises (Ctrl-C: `KeyboardInterrupt`) ends the wait
/// with that exception and cancels `cancel`, which the clients `call` uses
/// were made with; a thread that dies without an answer raises
/// `TransportError`.
pub fn run<T: Send + 'static>(
    py: Python<'_>,
    name: &str,
    cancel: &CancellationToken,
    call: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, mut rx) = channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            // The receiver is gone only after Ctrl-C; the result is then of no use.
            let _ = tx.send(call());
        })?;
    loop {
        // The receiver is not `Sync`: it is moved into the GIL-free wait and back.
        let (got, back) = py.detach(move || (rx.recv_timeout(SIGNAL_POLL), rx));
        rx = back;
        match got {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(raised) = py.check_signals() {
                    cancel.cancel();
                    return Err(raised);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(TransportError::new_err(format!(
                    "the {name} thread stopped without an answer"
                )));
            }
        }
    }
}

/// A network client that `close()` (or the end of a `with` block) drops, closing its
/// connections; a call after that raises `InvalidInput`.
pub struct Closable<T>(std::sync::RwLock<Option<T>>);

impl<T> Closable<T> {
    /// An open client.
    pub fn new(client: T) -> Self {
        Self(std::sync::RwLock::new(Some(client)))
    }

    /// `f` of the client; `InvalidInput` ("`what` is closed") once closed.
    pub fn with<R>(&self, py: Python<'_>, what: &str, f: impl FnOnce(&T) -> R) -> PyResult<R> {
        let guard = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard
            .as_ref()
            .map(f)
            .ok_or_else(|| crate::errors::InvalidInput::err(py, format!("the {what} is closed")))
    }

    /// Drops the client (its connections close once no call in flight holds it).
    pub fn close(&self) {
        let client = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(client);
    }

    /// Whether [`Closable::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }
}
