//! Cancelling a blocking client call: the request in flight is dropped (its connection closed)
//! at once, not when its timeout ends. The server is a socket that never answers, a fault the
//! DHIS2 stand-in's delays only approximate (they answer in the end).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use hrh_dhis2::Dhis2Error;
use hrh_dhis2::client::blocking::{CancellationToken, Dhis2Client};
use hrh_dhis2::client::{Auth, ClientSettings};

/// A server that accepts one connection, reads the request and never answers; it reports on
/// the channel when the client closes the connection.
fn silent_server() -> (String, Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (closed, on_close) = channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 4096];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        let _ = closed.send(());
    });
    (base, on_close)
}

fn settings(base: &str) -> ClientSettings {
    let mut settings = ClientSettings::new(base, Auth::api_token("d2pat_test"));
    settings.timeout = Duration::from_mins(1);
    settings.retry.max_attempts = 1;
    settings
}

#[test]
fn a_cancelled_call_drops_its_request_at_once() {
    let (base, on_close) = silent_server();
    let client = Dhis2Client::new(settings(&base)).unwrap();
    let cancel = CancellationToken::new();
    let call = client.cancelled_by(cancel.clone());
    let waiting = std::thread::spawn(move || (call.system_info(), call));
    std::thread::sleep(Duration::from_millis(200));
    let began = Instant::now();
    cancel.cancel();
    let (answer, call) = waiting.join().unwrap();
    assert!(
        matches!(answer, Err(Dhis2Error::Cancelled)),
        "{:?}",
        answer.err()
    );
    on_close
        .recv_timeout(Duration::from_secs(10))
        .expect("the cancelled request's connection is closed");
    assert!(began.elapsed() < Duration::from_secs(10));
    // Later calls of the cancelled client end at once.
    assert!(matches!(call.me(), Err(Dhis2Error::Cancelled)));
}

#[test]
fn inside_an_async_runtime_a_call_is_an_error_not_a_panic() {
    let client = Dhis2Client::new(settings("http://127.0.0.1:9")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let answer = runtime.block_on(async { client.system_info() });
    let error = answer.expect_err("an error");
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
}

#[test]
fn a_token_not_cancelled_lets_calls_through() {
    // A closed port: the call gets as far as connecting and fails there, not as cancelled.
    let client = Dhis2Client::new(settings("http://127.0.0.1:9")).unwrap();
    let answer = client.cancelled_by(CancellationToken::new()).system_info();
    assert!(
        matches!(answer, Err(Dhis2Error::Transport { .. })),
        "{:?}",
        answer.err()
    );
}

#[test]
fn dropping_the_client_inside_an_async_runtime_does_not_panic() {
    let client = Dhis2Client::new(settings("http://127.0.0.1:9")).unwrap();
    let copy = client.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move {
        drop(copy);
        drop(client); // the last handle on its runtime
    });
}
