//! A loopback HTTP/1.1 fault proxy for tests.
//!
//! [`Proxy::start`] listens on `127.0.0.1` (a free port) and forwards every request to one
//! upstream server, each on a fresh upstream connection, while keeping the client's own
//! connection alive between requests as a server would. Requests are numbered from 0 in the
//! order their heads arrive (retries are new requests); a [`Plan`] says which numbers get
//! which [`Fault`]: added latency, a status such as 502 or 503 answered by the proxy, a
//! connection reset mid-body, a truncated body (the full `Content-Length` declared, half
//! the bytes sent, then a normal close) or a reset without answer (a server gone). When the
//! upstream cannot be reached (stopped for a restart) the client's connection is reset too.
//!
//! Plans are written by hand ([`Plan::with`], [`Plan::burst`]) or drawn from a seed
//! ([`Plan::seeded`]); [`Proxy::set_plan`] restarts the numbering, and
//! [`Proxy::applied`] tells which faults were dealt.
//!
//! ```no_run
//! use fault_proxy::{Fault, Plan, Proxy};
//! let upstream: std::net::SocketAddr = "127.0.0.1:8090".parse()?;
//! let proxy = Proxy::start(upstream)?;
//! proxy.set_plan(Plan::new().burst(0, 2, Fault::Status(503)).with(5, Fault::Truncate));
//! // point the client at proxy.url() ...
//! proxy.clear();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Bodies are read whole before they are forwarded (a chunked response goes on with a
//! `Content-Length`); this is for test servers on loopback, not for production traffic.

mod http;
mod plan;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

pub use plan::{Fault, MAX_BURST, MAX_DELAY, MAX_DOWN, Plan, Rng};

/// Longest wait for the upstream to accept a connection or to answer.
const UPSTREAM_TIMEOUT: Duration = Duration::from_mins(1);
/// Pause between sending part of a body and resetting, so the client is reading the body.
const MID_BODY_PAUSE: Duration = Duration::from_millis(20);

/// A fault dealt to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The request number (since the plan was set).
    pub request: u64,
    /// `GET /fhir/Practitioner/_history` (the path without its query).
    pub target: String,
    /// What was done.
    pub fault: Fault,
}

#[derive(Debug, Default)]
struct State {
    plan: Plan,
    requests: u64,
    applied: Vec<Applied>,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    state: Mutex<State>,
    arrived: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Numbers a request and returns its fault.
    fn next(&self, request: &http::Message) -> Option<Fault> {
        let mut state = self.lock();
        let number = state.requests;
        state.requests += 1;
        let fault = state.plan.get(number);
        if let Some(fault) = fault {
            state.applied.push(Applied {
                request: number,
                target: format!("{} {}", request.method(), request.path()),
                fault,
            });
        }
        drop(state);
        self.arrived.notify_all();
        fault
    }
}

/// A running proxy; dropping it stops it (open connections are dropped).
#[derive(Debug)]
pub struct Proxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`, with no faults yet.
    pub fn start(upstream: SocketAddr) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State::default()),
            arrived: Condvar::new(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("fault-proxy-{}", address.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::pin!(stopped);
                    loop {
                        tokio::select! {
                            _ = &mut stopped => break,
                            accepted = listener.accept() => {
                                if let Ok((stream, _)) = accepted {
                                    tokio::spawn(serve(stream, Arc::clone(&serving)));
                                }
                            }
                        }
                    }
                });
            })?;
        Ok(Self {
            address,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The server requests are forwarded to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// Follows `plan` from now on, numbering requests from 0 again and forgetting the faults
    /// dealt so far.
    pub fn set_plan(&self, plan: Plan) {
        let mut state = self.shared.lock();
        *state = State {
            plan,
            ..State::default()
        };
    }

    /// No faults from now on (numbering restarts).
    pub fn clear(&self) {
        self.set_plan(Plan::new());
    }

    /// Requests seen since the plan was set.
    pub fn requests(&self) -> u64 {
        self.shared.lock().requests
    }

    /// The faults dealt since the plan was set, in order.
    pub fn applied(&self) -> Vec<Applied> {
        self.shared.lock().applied.clone()
    }

    /// Waits until `count` requests have arrived since the plan was set; `false` when
    /// `timeout` passed first.
    pub fn wait_for_requests(&self, count: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while state.requests < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .shared
                .arrived
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves one client connection: request after request until it closes or a fault ends it.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut client = http::Reader::new(stream);
    loop {
        let Ok(Some(request)) = client.request().await else {
            return;
        };
        let close = request.wants_close();
        let fault = shared.next(&request);
        match fault {
            Some(Fault::Delay(wait)) => tokio::time::sleep(wait).await,
            Some(Fault::Status(code)) => {
                let answer = http::status_response(code, close);
                if client.get_mut().write_all(&answer).await.is_err() || close {
                    return;
                }
                continue;
            }
            Some(Fault::Refuse) => return reset(client.into_inner()),
            _ => {}
        }
        let Ok(response) = forward(shared.upstream, &request).await else {
            // The upstream is down or broke off: so does the connection it seemed to hold.
            return reset(client.into_inner());
        };
        let down = client.get_mut();
        match fault {
            Some(Fault::ResetMidBody | Fault::Truncate) => {
                let full = response.body.len();
                let cut = http::Message {
                    body: response.body.get(..full / 2).unwrap_or_default().to_vec(),
                    ..response
                };
                let _ = down.write_all(&cut.encode(Some(full), false)).await;
                let _ = down.flush().await;
                tokio::time::sleep(MID_BODY_PAUSE).await;
                if fault == Some(Fault::Truncate) {
                    let _ = down.shutdown().await;
                    return;
                }
                return reset(client.into_inner());
            }
            _ => {
                if down.write_all(&response.encode(None, close)).await.is_err() || close {
                    return;
                }
            }
        }
    }
}

/// Sends `request` upstream on a fresh connection and reads the whole response.
async fn forward(upstream: SocketAddr, request: &http::Message) -> io::Result<http::Message> {
    let exchange = async {
        let mut stream = TcpStream::connect(upstream).await?;
        let _ = stream.set_nodelay(true);
        stream.write_all(&request.encode(None, true)).await?;
        http::Reader::new(stream).response(request.method()).await
    };
    tokio::time::timeout(UPSTREAM_TIMEOUT, exchange)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "upstream timed out"))?
}

/// Closes with a TCP reset (`SO_LINGER` 0) instead of a normal close.
fn reset(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}
