//! The proxy between a raw client and a small upstream server on loopback: forwarding, and
//! what each fault looks like on the wire.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fault_proxy::{Fault, Plan, Proxy};

const BODY_LEN: usize = 1000;

/// An upstream answering every request with 1,000 bytes (chunked for `/chunked`, echoing a
/// POST body after `echo:`), one request per connection; counts the requests it served.
fn upstream() -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let served = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if stream.read(&mut byte).unwrap_or(0) == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |n| n.trim().parse().unwrap());
            let mut body = vec![0u8; length];
            stream.read_exact(&mut body).unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            assert!(head.contains("Connection: close\r\n"), "{head}");
            let payload: Vec<u8> = if length > 0 {
                [b"echo:".as_slice(), &body].concat()
            } else {
                (0..BODY_LEN)
                    .map(|i| b'a' + u8::try_from(i % 26).unwrap())
                    .collect()
            };
            let answer = if head.starts_with("GET /chunked") {
                let (a, b) = payload.split_at(300);
                let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for part in [a, b] {
                    out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    out.extend_from_slice(part);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
                out
            } else {
                let mut out = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                    payload.len()
                )
                .into_bytes();
                out.extend_from_slice(&payload);
                out
            };
            let _ = stream.write_all(&answer);
        }
    });
    (address, served)
}

/// Reads one response (head, and a body by Content-Length) from a kept-alive connection.
fn read_response(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok((head, body))
}

fn get(stream: &mut TcpStream, path: &str) {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
}

fn connect(proxy: &Proxy) -> TcpStream {
    let stream = TcpStream::connect(proxy.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

#[test]
fn forwards_requests_on_a_kept_alive_connection() {
    let (address, served) = upstream();
    let proxy = Proxy::start(address).unwrap();
    assert_eq!(proxy.upstream(), address);
    assert!(proxy.url().starts_with("http://127.0.0.1:"));
    let mut client = connect(&proxy);
    get(&mut client, "/plain?x=1");
    let (head, body) = read_response(&mut client).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body.len(), BODY_LEN);
    // The same connection again: a chunked answer goes on with a Content-Length.
    get(&mut client, "/chunked");
    let (head, chunked) = read_response(&mut client).unwrap();
    assert!(!head.contains("chunked"), "{head}");
    assert_eq!(chunked, body);
    write!(
        client,
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
    )
    .unwrap();
    assert_eq!(read_response(&mut client).unwrap().1, b"echo:hello");
    assert_eq!(served.load(Ordering::SeqCst), 3);
    assert_eq!(proxy.requests(), 3);
    assert!(proxy.applied().is_empty());
}

#[test]
fn each_fault_as_the_client_sees_it() {
    let (address, served) = upstream();
    let proxy = Proxy::start(address).unwrap();
    proxy.set_plan(
        Plan::new()
            .burst(0, 2, Fault::Status(503))
            .with(2, Fault::Delay(Duration::from_millis(300)))
            .with(3, Fault::Truncate)
            .with(4, Fault::ResetMidBody)
            .with(5, Fault::Refuse),
    );
    // A 503 burst, answered by the proxy on the same connection; the upstream sees nothing.
    let mut client = connect(&proxy);
    for _ in 0..2 {
        get(&mut client, "/a");
        let (head, _) = read_response(&mut client).unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    }
    assert_eq!(served.load(Ordering::SeqCst), 0);
    // Latency.
    let began = Instant::now();
    get(&mut client, "/slow");
    assert_eq!(read_response(&mut client).unwrap().1.len(), BODY_LEN);
    assert!(began.elapsed() >= Duration::from_millis(300));
    // Truncated: the full length declared, half sent, then a normal end of stream.
    get(&mut client, "/cut");
    let mut all = Vec::new();
    client.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    assert!(
        text.contains(&format!("Content-Length: {BODY_LEN}\r\n")),
        "{text}"
    );
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(body.len(), BODY_LEN / 2);
    // Reset mid-body: the server did the work, the client gets an error.
    let mut client = connect(&proxy);
    get(&mut client, "/reset");
    let outcome = read_response(&mut client);
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(served.load(Ordering::SeqCst), 3);
    // Refused: reset at once, nothing forwarded.
    let mut client = connect(&proxy);
    get(&mut client, "/gone");
    let mut any = Vec::new();
    assert!(client.read_to_end(&mut any).is_err() || any.is_empty());
    assert_eq!(served.load(Ordering::SeqCst), 3);
    // Past the plan: forwarded again.
    let mut client = connect(&proxy);
    get(&mut client, "/fine");
    assert_eq!(read_response(&mut client).unwrap().1.len(), BODY_LEN);

    let dealt: Vec<(u64, String)> = proxy
        .applied()
        .iter()
        .map(|a| (a.request, a.target.clone()))
        .collect();
    assert_eq!(
        dealt,
        [
            (0, "GET /a"),
            (1, "GET /a"),
            (2, "GET /slow"),
            (3, "GET /cut"),
            (4, "GET /reset"),
            (5, "GET /gone"),
        ]
        .map(|(n, t)| (n, t.to_owned()))
    );
    // A new plan numbers from 0 again.
    proxy.set_plan(Plan::new().with(0, Fault::Status(502)));
    assert_eq!(proxy.requests(), 0);
    let mut client = connect(&proxy);
    get(&mut client, "/again");
    assert!(
        read_response(&mut client)
            .unwrap()
            .0
            .starts_with("HTTP/1.1 502 ")
    );
    assert!(proxy.wait_for_requests(1, Duration::ZERO));
    assert!(!proxy.wait_for_requests(2, Duration::from_millis(50)));
}

#[test]
fn an_upstream_that_is_down_resets_the_client() {
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap(); // closed again at once: nothing listens there
    let proxy = Proxy::start(address).unwrap();
    let mut client = connect(&proxy);
    get(&mut client, "/");
    let mut any = Vec::new();
    assert!(client.read_to_end(&mut any).is_err() || any.is_empty());
    assert_eq!(proxy.requests(), 1);
}
