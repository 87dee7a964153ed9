//! Chunked framing (Bolt "Chunking"): each message travels as chunks of a
//! 16-bit big-endian size and that many bytes, ended by a `00 00` chunk;
//! an empty chunk between messages is a `NOOP` (keep-alive).
//!
//! [`Input`] reads raw bytes from the peer into a bounded buffer and splits
//! off complete messages (at most `max_message` bytes each, refused as soon
//! as a chunk header would pass that, before the bytes are read). It reads
//! more only once every complete message is consumed, so what is buffered
//! is bounded by one read plus one partial message. It also counts the
//! `RESET`s already received, for the state machine's jump-ahead.
//! [`Output`] frames outgoing messages into a buffer flushed to the peer.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// The largest chunk payload.
pub const MAX_CHUNK: usize = 0xFFFF;
/// How much one read asks for.
const READ_SIZE: usize = 64 * 1024;
/// `RESET` as a message payload: a structure of no fields with tag 0x0F.
const RESET_PAYLOAD: [u8; 2] = [0xB0, 0x0F];

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("a message is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The incoming side of a connection.
pub struct Input<R> {
    inner: R,
    buf: Vec<u8>,
    /// Where unconsumed bytes start in `buf`.
    start: usize,
    max_message: usize,
    queue: VecDeque<Vec<u8>>,
    resets_queued: usize,
}

impl<R: Read> Input<R> {
    pub fn new(inner: R, max_message: usize) -> Input<R> {
        Input {
            inner,
            buf: Vec::new(),
            start: 0,
            max_message,
            queue: VecDeque::new(),
            resets_queued: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Bytes received but not yet taken as messages or raw reads.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start + self.queue.iter().map(Vec::len).sum::<usize>()
    }

    /// Whether a `RESET` is waiting among the complete messages received.
    pub fn reset_pending(&self) -> bool {
        self.resets_queued > 0
    }

    /// One read from the peer; `Ok(0)` at the end of the stream.
    pub fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + READ_SIZE, 0);
        let r = self.inner.read(&mut self.buf[len..]);
        let n = *r.as_ref().unwrap_or(&0);
        self.buf.truncate(len + n);
        r
    }

    /// Takes `n` raw bytes (the handshake) if they have arrived.
    pub fn take_raw(&mut self, n: usize) -> Option<Vec<u8>> {
        if self.buf.len() - self.start < n {
            return None;
        }
        let out = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Some(out)
    }

    /// The raw bytes received and not yet taken.
    pub fn peek_raw(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The next complete message, if one has arrived (NOOPs skipped).
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if self.queue.is_empty() {
            self.split_messages()?;
        }
        let m = self.queue.pop_front();
        if m.as_deref() == Some(&RESET_PAYLOAD[..]) {
            self.resets_queued -= 1;
        }
        Ok(m)
    }

    /// Whether part of a message (or of the handshake) has arrived.
    pub fn has_partial(&self) -> bool {
        self.buf.len() > self.start
    }

    /// Moves every complete message in the buffer to the queue.
    fn split_messages(&mut self) -> Result<(), FrameError> {
        loop {
            let bytes = &self.buf[self.start..];
            let mut pos = 0;
            let mut size = 0usize;
            let mut complete = false;
            while bytes.len() >= pos + 2 {
                let chunk = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]) as usize;
                if chunk == 0 {
                    complete = true;
                    break;
                }
                size += chunk;
                if size > self.max_message {
                    // Messages before it are answered first.
                    return if self.queue.is_empty() {
                        Err(FrameError::TooLarge(self.max_message))
                    } else {
                        Ok(())
                    };
                }
                if bytes.len() < pos + 2 + chunk {
                    break;
                }
                pos += 2 + chunk;
            }
            if !complete {
                return Ok(());
            }
            let end = pos + 2;
            if size > 0 {
                let mut message = Vec::with_capacity(size);
                let mut p = 0;
                while p < pos {
                    let chunk = u16::from_be_bytes([bytes[p], bytes[p + 1]]) as usize;
                    message.extend_from_slice(&bytes[p + 2..p + 2 + chunk]);
                    p += 2 + chunk;
                }
                if message == RESET_PAYLOAD {
                    self.resets_queued += 1;
                }
                self.queue.push_back(message);
            }
            self.start += end;
        }
    }
}

/// The outgoing side of a connection.
pub struct Output<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W) -> Output<W> {
        Output {
            inner,
            buf: Vec::with_capacity(READ_SIZE),
        }
    }

    /// Raw bytes (the handshake answer).
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// One message, in chunks of at most [`MAX_CHUNK`] bytes and `00 00`.
    pub fn write_message(&mut self, payload: &[u8]) -> io::Result<()> {
        frame(&mut self.buf, payload);
        if self.buf.len() >= READ_SIZE {
            self.flush()?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.inner.flush()
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// Appends `payload` as one chunked message.
pub fn frame(out: &mut Vec<u8>, payload: &[u8]) {
    for chunk in payload.chunks(MAX_CHUNK) {
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&[0, 0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn messages(wire: &[u8], max: usize) -> Result<Vec<Vec<u8>>, String> {
        let mut input = Input::new(wire, max);
        let mut out = Vec::new();
        loop {
            match input.next_message() {
                Ok(Some(m)) => out.push(m),
                Ok(None) => {
                    if input.fill().map_err(|e| e.to_string())? == 0 {
                        return Ok(out);
                    }
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn the_docs_examples() {
        let m16 = hex("00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F");
        // One message in one chunk.
        let mut out = Vec::new();
        frame(&mut out, &m16);
        assert_eq!(out, hex("00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00"));
        // One message split in two chunks.
        let wire = hex("00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 04 01 02 03 04 00 00");
        let mut m20 = m16.clone();
        m20.extend(hex("01 02 03 04"));
        assert_eq!(messages(&wire, 1 << 20).unwrap(), vec![m20]);
        // Two messages, with a NOOP between them.
        let m8 = hex("0F 0E 0D 0C 0B 0A 09 08");
        let wire = hex(
            "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 00 00 00 08 0F 0E 0D 0C 0B 0A 09 08 00 00",
        );
        assert_eq!(messages(&wire, 1 << 20).unwrap(), vec![m16, m8]);
    }

    #[test]
    fn large_messages_are_split_at_the_chunk_limit() {
        let payload = vec![7u8; MAX_CHUNK * 2 + 5];
        let mut out = Vec::new();
        frame(&mut out, &payload);
        assert_eq!(&out[..2], &[0xFF, 0xFF]);
        assert_eq!(out.len(), payload.len() + 3 * 2 + 2);
        assert_eq!(messages(&out, 1 << 20).unwrap(), vec![payload]);
    }

    #[test]
    fn the_size_limit_counts_every_chunk_before_reading_it() {
        // Two chunks of 10 over a limit of 15: refused at the second header.
        let mut wire = hex("00 0A");
        wire.extend([1u8; 10]);
        wire.extend(hex("00 0A"));
        assert!(messages(&wire, 15).unwrap_err().contains("larger than the limit"));
        // A header claiming 65535 bytes that never come: nothing is allocated for it.
        let wire = hex("FF FF 01");
        let mut input = Input::new(&wire[..], 1 << 20);
        input.fill().unwrap();
        assert!(input.next_message().unwrap().is_none());
        assert!(input.has_partial());
    }

    #[test]
    fn queued_resets_are_counted() {
        let mut wire = Vec::new();
        frame(&mut wire, &hex("B1 3F A0"));
        frame(&mut wire, &RESET_PAYLOAD);
        let mut input = Input::new(&wire[..], 1 << 20);
        input.fill().unwrap();
        assert!(!input.reset_pending());
        assert_eq!(input.next_message().unwrap(), Some(hex("B1 3F A0")));
        assert!(input.reset_pending());
        assert_eq!(input.next_message().unwrap(), Some(RESET_PAYLOAD.to_vec()));
        assert!(!input.reset_pending());
    }
}
