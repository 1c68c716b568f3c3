//! Just enough HTTP/1.1 framing to forward whole messages: a head, then a body framed by
//! `Content-Length`, chunked transfer coding (decoded), or the end of the connection.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest message head accepted.
const MAX_HEAD: usize = 1024 * 1024;
/// Largest body accepted (responses of the test servers are far smaller).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// One request or response, its body read whole (a chunked body decoded).
#[derive(Debug)]
pub(crate) struct Message {
    /// `GET /path HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub(crate) start: String,
    /// The header fields in order, framing fields included.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Message {
    /// The value of a header (the first one of that name).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a header lists `token` (comma-separated, any case).
    fn header_has(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// The request method (first word of the start line).
    pub(crate) fn method(&self) -> &str {
        self.start.split(' ').next().unwrap_or("")
    }

    /// The request path without its query (no identifying values in logs).
    pub(crate) fn path(&self) -> &str {
        let target = self.start.split(' ').nth(1).unwrap_or("");
        target.split('?').next().unwrap_or(target)
    }

    /// The response status (0 when the start line has none).
    pub(crate) fn status(&self) -> u16 {
        self.start
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Whether the client wants the connection closed after this request.
    pub(crate) fn wants_close(&self) -> bool {
        self.start.ends_with("HTTP/1.0") || self.header_has("connection", "close")
    }

    /// The message as bytes: hop-by-hop and framing fields replaced by a `Content-Length`
    /// (`declared`, or the body's length) and, when `close`, `Connection: close`.
    pub(crate) fn encode(&self, declared: Option<usize>, close: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 512);
        out.extend_from_slice(self.start.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            if HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                continue;
            }
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        let length = declared.unwrap_or(self.body.len());
        let framed = if self.is_request() {
            length > 0 || self.header("content-length").is_some()
        } else {
            !matches!(self.status(), 204 | 304)
        };
        if framed {
            out.extend_from_slice(format!("Content-Length: {length}\r\n").as_bytes());
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    fn is_request(&self) -> bool {
        !self.start.starts_with("HTTP/")
    }
}

/// Fields the proxy sets itself.
const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "content-length",
    "te",
    "upgrade",
];

/// A plain response made by the proxy itself.
pub(crate) fn status_response(code: u16, close: bool) -> Vec<u8> {
    let reason = match code {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        429 => "Too Many Requests",
        _ => "Error",
    };
    Message {
        start: format!("HTTP/1.1 {code} {reason}"),
        headers: vec![("Content-Type".to_owned(), "text/plain".to_owned())],
        body: format!("fault-proxy: injected {code}\n").into_bytes(),
    }
    .encode(None, close)
}

/// Reads messages from one stream, keeping bytes read past a message for the next.
pub(crate) struct Reader<S> {
    stream: S,
    buffer: Vec<u8>,
}

impl<S: AsyncRead + Unpin> Reader<S> {
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    pub(crate) fn into_inner(self) -> S {
        self.stream
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        self.buffer.reserve(16 * 1024);
        Ok(self.stream.read_buf(&mut self.buffer).await? > 0)
    }

    /// The next request; `None` when the client closed the connection between requests.
    pub(crate) async fn request(&mut self) -> io::Result<Option<Message>> {
        let Some((start, headers)) = self.head().await? else {
            return Ok(None);
        };
        let mut message = Message {
            start,
            headers,
            body: Vec::new(),
        };
        message.body = self.body(&message, false).await?;
        Ok(Some(message))
    }

    /// The response to a request with method `method` (1xx interim responses skipped).
    pub(crate) async fn response(&mut self, method: &str) -> io::Result<Message> {
        loop {
            let Some((start, headers)) = self.head().await? else {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "upstream closed before answering",
                ));
            };
            let mut message = Message {
                start,
                headers,
                body: Vec::new(),
            };
            let status = message.status();
            if (100..200).contains(&status) {
                continue;
            }
            let bodiless = method.eq_ignore_ascii_case("HEAD") || status == 204 || status == 304;
            if !bodiless {
                message.body = self.body(&message, true).await?;
            }
            return Ok(message);
        }
    }

    /// The start line and header fields; `None` at a clean end of stream before any byte.
    async fn head(&mut self) -> io::Result<Option<(String, Vec<(String, String)>)>> {
        let end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at;
            }
            if self.buffer.len() > MAX_HEAD {
                return Err(invalid("message head too large"));
            }
            if !self.fill().await? {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream inside a message head",
                ));
            }
        };
        let head: Vec<u8> = self.buffer.drain(..end + 4).collect();
        let text = String::from_utf8_lossy(head.get(..end).unwrap_or_default()).into_owned();
        let mut lines = text.split("\r\n");
        let start = lines.next().unwrap_or("").to_owned();
        let headers = lines
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((name.trim().to_owned(), value.trim().to_owned()))
            })
            .collect();
        Ok(Some((start, headers)))
    }

    /// The body of `message`: chunked, `Content-Length`, or (responses only) to the end.
    async fn body(&mut self, message: &Message, response: bool) -> io::Result<Vec<u8>> {
        if message.header_has("transfer-encoding", "chunked") {
            return self.chunked().await;
        }
        if let Some(length) = message.header("content-length") {
            let length: usize = length.parse().map_err(|_| invalid("bad Content-Length"))?;
            if length > MAX_BODY {
                return Err(invalid("body too large"));
            }
            return self.exact(length).await;
        }
        if !response {
            return Ok(Vec::new());
        }
        while self.fill().await? {
            if self.buffer.len() > MAX_BODY {
                return Err(invalid("body too large"));
            }
        }
        Ok(std::mem::take(&mut self.buffer))
    }

    async fn exact(&mut self, length: usize) -> io::Result<Vec<u8>> {
        while self.buffer.len() < length {
            if !self.fill().await? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream inside a body",
                ));
            }
        }
        Ok(self.buffer.drain(..length).collect())
    }

    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(at) = find(&self.buffer, b"\r\n") {
                let line: Vec<u8> = self.buffer.drain(..at + 2).collect();
                return Ok(String::from_utf8_lossy(line.get(..at).unwrap_or_default()).into_owned());
            }
            if self.buffer.len() > MAX_HEAD {
                return Err(invalid("chunk line too long"));
            }
            if !self.fill().await? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream inside a chunked body",
                ));
            }
        }
    }

    async fn chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.line().await?;
            let size = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16).map_err(|_| invalid("bad chunk size"))?;
            if size == 0 {
                // Trailer fields, up to an empty line.
                while !self.line().await?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(invalid("body too large"));
            }
            body.extend_from_slice(&self.exact(size).await?);
            if !self.line().await?.is_empty() {
                return Err(invalid("chunk not followed by CRLF"));
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn requests_in_a_row_and_a_chunked_response() {
        let bytes: &[u8] = b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
        let mut reader = Reader::new(bytes);
        let first = run(reader.request()).unwrap().unwrap();
        assert_eq!((first.method(), first.path()), ("POST", "/a"));
        assert_eq!(first.body, b"abc");
        assert!(!first.wants_close());
        let second = run(reader.request()).unwrap().unwrap();
        assert!(second.wants_close() && second.body.is_empty());
        assert!(run(reader.request()).unwrap().is_none());

        let chunked: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let response = run(Reader::new(chunked).response("GET")).unwrap();
        assert_eq!(
            (response.status(), response.body.as_slice()),
            (200, &b"abcde"[..])
        );
        let encoded = String::from_utf8(response.encode(Some(9), true)).unwrap();
        assert_eq!(
            encoded,
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nabcde"
        );
        let to_end: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nall of it";
        assert_eq!(
            run(Reader::new(to_end).response("GET")).unwrap().body,
            b"all of it"
        );
        let cut: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        assert!(run(Reader::new(cut).response("GET")).is_err());
    }
}
