//! Streaming a trace out in constant memory.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::codec;
use crate::container::{self, FORMAT_VERSION, FrameHeader, FrameKind, MAX_RAW_LEN};
use crate::error::Error;
use crate::event::*;

/// How the writer cuts and compresses chunks.
#[derive(Clone, Copy, Debug)]
pub struct WriterOptions {
    /// Cut a chunk once its events hold about this many bytes.
    pub chunk_bytes: usize,
    /// zstd level (1 fast .. 19 small).
    pub level: i32,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            chunk_bytes: 2 << 20,
            level: 3,
        }
    }
}

/// The largest single event a chunk accepts, leaving room for the rest of
/// the chunk message around it.
pub const MAX_EVENT_BYTES: usize = (MAX_RAW_LEN as usize) / 2;

/// A rough upper bound on an event's size in a chunk message: the fixed
/// structs plus its byte payload rounded to words.
fn encoded_size(event: &Event) -> usize {
    let data = match &event.kind {
        EventKind::Entry(_) | EventKind::Exit(_) => 0,
        EventKind::Memory(run) => run.bytes.len(),
        EventKind::Probe(probe) => probe.bytes.len() + probe.register.len(),
        EventKind::Loss(loss) => loss.reason.len(),
    };
    256 + data.div_ceil(8) * 8
}

/// Counts bytes and keeps the running digest of everything written.
struct DigestingWriter<W> {
    inner: W,
    offset: u64,
    digest: Sha256,
}

impl<W: Write> DigestingWriter<W> {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.digest.update(bytes);
        self.offset += bytes.len() as u64;
        Ok(())
    }
}

/// Writes a trace: the header, then chunks of events as they come, then
/// the footer. Memory use is bounded by one chunk plus the chunk index.
pub struct TraceWriter<W: Write> {
    out: DigestingWriter<W>,
    path: Option<PathBuf>,
    options: WriterOptions,
    pending: Vec<Event>,
    pending_bytes: usize,
    index: Vec<ChunkIndexEntry>,
    counts: Counts,
    compressor: zstd::bulk::Compressor<'static>,
}

impl<W: Write> std::fmt::Debug for TraceWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceWriter")
            .field("path", &self.path)
            .field("offset", &self.out.offset)
            .field("chunks", &self.index.len())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// What a finished trace holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteSummary {
    pub counts: Counts,
    pub chunks: usize,
    pub bytes: u64,
    pub digest: Vec<u8>,
}

impl TraceWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path` and writes the header.
    pub fn create(
        path: &Path,
        header: &TraceHeader,
        options: WriterOptions,
    ) -> Result<Self, Error> {
        let file = File::create(path).map_err(|e| Error::io(Some(path), e))?;
        let mut writer = TraceWriter::new(BufWriter::with_capacity(1 << 20, file), header, options)
            .map_err(|e| with_path(e, path))?;
        writer.path = Some(path.to_path_buf());
        Ok(writer)
    }
}

fn with_path(error: Error, path: &Path) -> Error {
    match error {
        Error::Io { path: None, source } => Error::io(Some(path), source),
        other => other,
    }
}

impl<W: Write> TraceWriter<W> {
    pub fn new(out: W, header: &TraceHeader, options: WriterOptions) -> Result<Self, Error> {
        let compressor =
            zstd::bulk::Compressor::new(options.level).map_err(|e| Error::io(None, e))?;
        let mut writer = TraceWriter {
            out: DigestingWriter {
                inner: out,
                offset: 0,
                digest: Sha256::new(),
            },
            path: None,
            options,
            pending: Vec::new(),
            pending_bytes: 0,
            index: Vec::new(),
            counts: Counts::default(),
            compressor,
        };
        writer
            .out
            .write_all(&container::file_header(FORMAT_VERSION))
            .map_err(|e| Error::io(None, e))?;
        let message = codec::encode_header(header, FORMAT_VERSION);
        writer.write_frame(FrameKind::Header, &message)?;
        Ok(writer)
    }

    /// Adds an event; writes a chunk when enough have gathered.
    pub fn push(&mut self, event: Event) -> Result<(), Error> {
        let size = encoded_size(&event);
        if size > MAX_EVENT_BYTES {
            return Err(Error::EventTooLarge {
                seq: event.seq,
                bytes: size,
                limit: MAX_EVENT_BYTES,
            });
        }
        if !self.pending.is_empty() && self.pending_bytes + size > self.options.chunk_bytes {
            self.write_chunk()?;
        }
        self.pending_bytes += size;
        self.pending.push(event);
        Ok(())
    }

    /// Writes what has gathered as a chunk, even a small one, and flushes
    /// the output, so that a reader (or a crash) sees everything so far.
    pub fn flush(&mut self) -> Result<(), Error> {
        if !self.pending.is_empty() {
            self.write_chunk()?;
        }
        self.out.inner.flush().map_err(|e| self.io_error(e))
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.out.offset
    }

    /// Counts of the events pushed so far, pending ones included.
    pub fn counts(&self) -> Counts {
        let mut counts = self.counts;
        for event in &self.pending {
            counts.add(event);
        }
        counts
    }

    /// Writes the last chunk and the footer; returns the output and totals.
    pub fn finish(mut self, end: &TraceEnd) -> Result<(W, WriteSummary), Error> {
        if !self.pending.is_empty() {
            self.write_chunk()?;
        }
        let digest = self.out.digest.clone().finalize().to_vec();
        let footer = Footer {
            chunks: std::mem::take(&mut self.index),
            counts: self.counts,
            digest_algorithm: "sha256".into(),
            digest: digest.clone(),
            end: end.clone(),
        };
        let message = codec::encode_footer(&footer);
        self.write_frame(FrameKind::Footer, &message)?;
        self.out.inner.flush().map_err(|e| self.io_error(e))?;
        let summary = WriteSummary {
            counts: self.counts,
            chunks: footer.chunks.len(),
            bytes: self.out.offset,
            digest,
        };
        Ok((self.out.inner, summary))
    }

    fn io_error(&self, source: io::Error) -> Error {
        Error::io(self.path.as_deref(), source)
    }

    fn write_chunk(&mut self) -> Result<(), Error> {
        let events = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let message = codec::encode_chunk(self.index.len() as u64, &events);
        let offset = self.out.offset;
        let length = self.write_frame(FrameKind::Chunk, &message)?;
        for event in &events {
            self.counts.add(event);
        }
        self.index.push(ChunkIndexEntry {
            offset,
            length,
            first_seq: events.first().map_or(0, |e| e.seq),
            last_seq: events.last().map_or(0, |e| e.seq),
            events: events.len() as u32,
        });
        // Keep the allocation for the next chunk.
        self.pending = events;
        self.pending.clear();
        Ok(())
    }

    /// Compresses and writes one frame; returns its whole length.
    fn write_frame(&mut self, kind: FrameKind, message: &[u8]) -> Result<u64, Error> {
        // Events are bounded by MAX_EVENT_BYTES and cut by chunk_bytes, so
        // only a misconfigured chunk_bytes can reach this.
        let raw_len = u32::try_from(message.len())
            .ok()
            .filter(|&len| len <= MAX_RAW_LEN)
            .ok_or(Error::EventTooLarge {
                seq: 0,
                bytes: message.len(),
                limit: MAX_RAW_LEN as usize,
            })?;
        let payload = self
            .compressor
            .compress(message)
            .map_err(|e| self.io_error(e))?;
        let header = FrameHeader {
            kind,
            payload_len: payload.len() as u32,
            raw_len,
            payload_crc: crc32fast::hash(&payload),
        };
        self.out
            .write_all(&header.encode())
            .and_then(|()| self.out.write_all(&payload))
            .map_err(|e| Error::io(self.path.as_deref(), e))?;
        Ok(header.frame_len())
    }
}
