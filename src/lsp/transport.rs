//! The stdio transport: `lsp-server`'s framing and message types, with a
//! reader that survives what the protocol lets it survive.
//!
//! `lsp_server::Connection::stdio()` reads with `Message::read` on a thread
//! that stops at the first frame it cannot decode, which ends the session: an
//! editor plugin that sends one bad message would lose its linter. This
//! transport reads with the same `Message::read` and tells apart:
//!
//! - a frame whose body was read whole but is not a JSON-RPC message (not
//!   JSON, not UTF-8, not a request/response/notification): the stream is
//!   still in step, so the client gets JSON-RPC's parse error (`-32700`,
//!   `id: null`) and the server reads on;
//! - a frame whose header is broken (no or unreadable `Content-Length`, a
//!   header line not ended by CRLF) or whose length is over
//!   [`MAX_MESSAGE_BYTES`]: where the next message starts is unknown, so the
//!   session ends ([`End::Broken`]) with a message on stderr and exit code 1,
//!   as a server does when its client disappears.
//!
//! The two are told apart by whether `Message::read` got as far as reading
//! the body ([`Guarded`]), not by parsing its error messages.

use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, unbounded};
use lsp_server::{Connection, ErrorCode, Message};

/// A declared body longer than this ends the session before anything is
/// allocated for it (`Message::read` would allocate the declared length
/// first). Far above any source file an editor sends.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Why the reader stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// `exit` was read and passed on.
    Exit,
    /// Standard input ended between messages.
    Eof,
    /// The framing broke (or input ended inside a message): the reason.
    Broken(String),
    /// The server stopped listening.
    Closed,
}

/// The reader and writer threads behind a [`Connection`].
pub struct Threads {
    reader: JoinHandle<End>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits until every message sent so far is written (the connection
    /// must have been dropped), and says why the reader stopped if it has:
    /// after `exit` or a closed input it has; a client that broke the
    /// handshake may leave it blocked on input, which the process's end
    /// ends.
    pub fn finish(self) -> Option<End> {
        if let Ok(Err(e)) = self.writer.join() {
            eprintln!("leaklint lsp: cannot write standard output: {e}");
        }
        // A reader that met a broken frame has already closed the incoming
        // channel (that is what ended the session) but may still be on its
        // way out: give it a moment, so its reason is not lost. A reader
        // blocked on input never finishes; the wait is bounded for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while !self.reader.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        self.reader.is_finished().then(|| {
            self.reader
                .join()
                .unwrap_or_else(|_| End::Broken("the reader thread panicked".to_string()))
        })
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, Threads) {
    let (to_client, outgoing) = unbounded::<Message>();
    let (incoming, from_client) = unbounded::<Message>();
    let writer = std::thread::Builder::new()
        .name("leaklint-lsp-writer".to_string())
        .spawn(move || {
            for message in outgoing {
                // One lock per message: the reader's parse errors
                // (`write_parse_error`) never land inside another frame.
                let stdout = io::stdout();
                let mut out = stdout.lock();
                message.write(&mut out)?;
            }
            Ok(())
        })
        .expect("spawn the LSP writer thread");
    let reader = std::thread::Builder::new()
        .name("leaklint-lsp-reader".to_string())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = Guarded::new(stdin.lock());
            read_loop(&mut input, &incoming, |error| {
                let stdout = io::stdout();
                let mut out = stdout.lock();
                let _ = write_parse_error(&mut out, error);
            })
        })
        .expect("spawn the LSP reader thread");
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        Threads { reader, writer },
    )
}

/// Reads messages from `input` into `incoming` until `exit`, the end of
/// input, a broken frame or a closed channel; a frame read whole but not
/// decodable goes to `parse_error` and reading goes on.
fn read_loop<R: BufRead>(
    input: &mut Guarded<R>,
    incoming: &Sender<Message>,
    mut parse_error: impl FnMut(&str),
) -> End {
    loop {
        input.body_read = false;
        match Message::read(input) {
            Ok(Some(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() {
                    return End::Closed;
                }
                if exit {
                    return End::Exit;
                }
            }
            Ok(None) => return End::Eof,
            Err(e) if input.body_read && e.kind() == io::ErrorKind::InvalidData => {
                parse_error(&e.to_string());
            }
            Err(e) => return End::Broken(e.to_string()),
        }
    }
}

/// JSON-RPC's answer to a message that cannot be decoded. Written by hand:
/// its `id` is `null`, which `lsp_server::RequestId` cannot hold.
fn write_parse_error(out: &mut impl Write, error: &str) -> io::Result<()> {
    // lsp-server's error quotes the payload, which can be megabytes.
    let mut message: String = error.chars().take(300).collect();
    if message.len() < error.len() {
        message.push('…');
    }
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": ErrorCode::ParseError as i32, "message": message },
    })
    .to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// Standard input as `Message::read` sees it, noting whether the current
/// frame's body has been read (`Message::read` reads headers with
/// `read_line` and the body with one `read_exact`), and refusing a declared
/// length over [`MAX_MESSAGE_BYTES`] before it is allocated.
struct Guarded<R> {
    inner: R,
    body_read: bool,
}

impl<R> Guarded<R> {
    fn new(inner: R) -> Self {
        Guarded {
            inner,
            body_read: false,
        }
    }
}

impl<R: BufRead> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.body_read = true;
        self.inner.read_exact(buf)
    }
}

impl<R: BufRead> BufRead for Guarded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
    }

    fn read_line(&mut self, buf: &mut String) -> io::Result<usize> {
        let start = buf.len();
        let read = self.inner.read_line(buf)?;
        let length = buf[start..]
            .split_once(':')
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok());
        match length {
            Some(length) if length > MAX_MESSAGE_BYTES => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message of {length} bytes is over the limit of {MAX_MESSAGE_BYTES}"),
            )),
            _ => Ok(read),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// What the reader makes of `input`: the methods it passed on, the parse
    /// errors it answered, and why it stopped.
    fn read_all(input: &str) -> (Vec<String>, usize, End) {
        let (tx, rx) = unbounded();
        let mut errors = 0;
        let mut input = Guarded::new(input.as_bytes());
        let end = read_loop(&mut input, &tx, |_| errors += 1);
        let methods = rx
            .try_iter()
            .map(|m| match m {
                Message::Request(r) => r.method,
                Message::Notification(n) => n.method,
                Message::Response(r) => format!("response {}", r.id),
            })
            .collect();
        (methods, errors, end)
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    #[test]
    fn an_undecodable_body_is_answered_and_reading_goes_on() {
        for bad in ["{ not json", "[1, 2]", "{}", "\"text\""] {
            let input = format!("{}{}", frame(bad), frame(PING));
            let (methods, errors, end) = read_all(&input);
            assert_eq!(methods, vec!["ping"], "{bad}");
            assert_eq!(errors, 1, "{bad}");
            assert_eq!(end, End::Eof);
        }
        // Not UTF-8: read whole, so in step too.
        let mut input = b"Content-Length: 2\r\n\r\n\xff\xfe".to_vec();
        input.extend(frame(PING).bytes());
        let (tx, rx) = unbounded();
        let mut errors = 0;
        let end = read_loop(&mut Guarded::new(&input[..]), &tx, |_| errors += 1);
        assert_eq!((errors, end, rx.try_iter().count()), (1, End::Eof, 1));
    }

    #[test]
    fn a_broken_header_ends_the_session() {
        for bad in [
            format!("Content-Length: abc\r\n\r\n{PING}"),
            format!("Content-Type: x\r\n\r\n{PING}"),
            format!("Content-Length: {}\n\n{PING}", PING.len()),
        ] {
            let (methods, errors, end) = read_all(&format!("{bad}{}", frame(PING)));
            assert!(methods.is_empty(), "{bad:?}: {methods:?}");
            assert_eq!(errors, 0, "{bad:?}");
            assert!(matches!(end, End::Broken(_)), "{bad:?}: {end:?}");
        }
    }

    #[test]
    fn an_oversized_length_is_refused_before_it_is_allocated() {
        for declared in [MAX_MESSAGE_BYTES + 1, usize::MAX / 2] {
            let (_, errors, end) = read_all(&format!("Content-Length: {declared}\r\n\r\n{{}}"));
            assert_eq!(errors, 0);
            let End::Broken(why) = end else {
                panic!("{end:?}")
            };
            assert!(why.contains("over the limit"), "{why}");
        }
        // Under the limit the frame is read (here: the input ends inside it).
        let (_, _, end) = read_all("Content-Length: 1000\r\n\r\n{}");
        assert!(
            matches!(&end, End::Broken(why) if !why.contains("over the limit")),
            "{end:?}"
        );
    }

    #[test]
    fn exit_stops_reading_and_end_of_input_is_told_apart() {
        let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let (methods, _, end) = read_all(&format!("{}{}", frame(exit), frame(PING)));
        assert_eq!((methods, end), (vec!["exit".to_string()], End::Exit));
        let (_, _, end) = read_all(&frame(PING)[..10]);
        assert!(matches!(end, End::Broken(_)), "{end:?}");
        assert_eq!(read_all("").2, End::Eof);
    }

    #[test]
    fn the_parse_error_is_a_json_rpc_error_with_a_null_id() {
        let mut out = Vec::new();
        write_parse_error(&mut out, &"x".repeat(10_000)).unwrap();
        let text = String::from_utf8(out).unwrap();
        let (header, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(value["id"].is_null());
        assert_eq!(value["error"]["code"], -32700);
        assert!(body.len() < 1000, "the payload is not echoed whole");
    }
}
