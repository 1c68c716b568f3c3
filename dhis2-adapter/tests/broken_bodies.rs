//! Answers that break off mid-body (a truncated body: the full `Content-Length` declared,
//! fewer bytes sent, then the connection closed) are retried like connection errors for calls
//! safe to repeat, instead of failing at the first attempt. The server is a raw socket: the
//! DHIS2 stand-in always answers whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hrh_dhis2::client::blocking::Dhis2Client;
use hrh_dhis2::client::{Auth, ClientSettings};

const INFO: &str = r#"{"version":"2.42.3","systemName":"raw"}"#;

/// A server whose first `broken` answers stop halfway through the body; then whole answers.
/// Counts the requests.
fn server(broken: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let n = count.fetch_add(1, Ordering::SeqCst);
            let body = if n < broken {
                &INFO[..INFO.len() / 2]
            } else {
                INFO
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                INFO.len()
            );
        }
    });
    (base, seen)
}

fn client(base: &str) -> Dhis2Client {
    let mut settings = ClientSettings::new(base, Auth::None);
    settings.timeout = Duration::from_secs(10);
    settings.retry.initial_backoff = Duration::from_millis(10);
    settings.retry.max_attempts = 4;
    Dhis2Client::new(settings).unwrap()
}

#[test]
fn truncated_bodies_are_retried_until_one_arrives_whole() {
    let (base, seen) = server(2);
    let info = client(&base).system_info().unwrap();
    assert_eq!(info.version, "2.42.3");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        3,
        "two broken answers, then a whole one"
    );
}

#[test]
fn a_body_that_never_arrives_whole_fails_after_the_last_attempt() {
    let (base, seen) = server(usize::MAX);
    let error = client(&base).system_info().unwrap_err().to_string();
    assert_eq!(seen.load(Ordering::SeqCst), 4);
    assert!(error.contains("after 4 attempt(s)"), "{error}");
}
