//! Reading a trace: map it, find its frames, decode chunks in parallel.
//!
//! Opening a trace reads only frame headers, the header message and the
//! footer. Chunk payloads are checked and decoded when asked for, in
//! parallel. Damage is described, not fatal: a trace is read as far as it
//! is whole, and every damaged frame is named by its offset.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::codec;
use crate::container::{
    FILE_HEADER_LEN, FILE_MAGIC, FORMAT_VERSION, FRAME_HEADER_LEN, FRAME_MAGIC, FrameHeader,
    FrameKind, MAX_RAW_LEN, u32_at,
};
use crate::error::{ChunkError, ChunkErrorKind, Error};
use crate::event::*;

enum Source {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Source {
    fn bytes(&self) -> &[u8] {
        match self {
            Source::Mapped(map) => map,
            Source::Owned(bytes) => bytes,
        }
    }

    /// Tells the kernel that pages already read are not needed again, so
    /// that reading a long trace does not keep all of it resident: memory
    /// stays flat however long the trace.
    fn release(&self, offset: u64, len: u64) {
        const PAGE: u64 = 4096;
        let start = offset / PAGE * PAGE;
        let end = (offset + len) / PAGE * PAGE;
        if let Source::Mapped(map) = self
            && end > start
        {
            // SAFETY: a read-only file mapping: dropped pages read back
            // from the file, unchanged, if touched again.
            let _ = unsafe {
                map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    start as usize,
                    (end - start) as usize,
                )
            };
        }
    }
}

/// Where one chunk's frame lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkLocation {
    /// Position among the chunk frames of the file, from 0.
    pub chunk: usize,
    pub offset: u64,
    pub header: FrameHeader,
}

/// Something wrong with the structure of a trace that reading went past.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Damage {
    /// Bytes at `offset` are not a frame whose header checks; reading went
    /// on at the next one that does (`len` bytes later).
    BadFrame {
        offset: u64,
        len: u64,
        what: &'static str,
    },
    /// The file ends inside a frame: the recording was cut off.
    CutOff {
        offset: u64,
        after_chunk: Option<usize>,
    },
    /// The file ends at a frame boundary but has no footer: the recorder
    /// did not finish (killed, or still writing).
    NoFooter { after_chunk: Option<usize> },
    /// The footer frame is there but cannot be read.
    BadFooter { offset: u64, what: String },
    /// The footer's chunk index does not describe the chunks in the file.
    IndexMismatch { what: String },
    /// Bytes after the footer.
    TrailingBytes { offset: u64, len: u64 },
    /// A frame of a kind this version does not know, skipped.
    UnknownFrame { offset: u64, kind: u8 },
    /// A second header frame, skipped.
    ExtraHeader { offset: u64 },
}

impl Damage {
    /// Unknown frames are a newer writer's additions, not damage.
    pub fn is_damage(&self) -> bool {
        !matches!(self, Damage::UnknownFrame { .. })
    }
}

fn after(chunk: &Option<usize>) -> String {
    match chunk {
        Some(n) => format!("after chunk {n}"),
        None => "before the first chunk".into(),
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::BadFrame { offset, len, what } => write!(
                f,
                "damaged frame at offset {offset} ({what}); skipped {len} bytes"
            ),
            Damage::CutOff {
                offset,
                after_chunk,
            } => write!(
                f,
                "cut off at offset {offset}, {}: the frame there is incomplete",
                after(after_chunk)
            ),
            Damage::NoFooter { after_chunk } => write!(
                f,
                "no footer: the recording did not finish; the trace ends {}",
                after(after_chunk)
            ),
            Damage::BadFooter { offset, what } => {
                write!(f, "footer at offset {offset} is damaged: {what}")
            }
            Damage::IndexMismatch { what } => write!(f, "footer index disagrees: {what}"),
            Damage::TrailingBytes { offset, len } => {
                write!(f, "{len} bytes after the footer at offset {offset}")
            }
            Damage::UnknownFrame { offset, kind } => write!(
                f,
                "frame of unknown kind {kind} at offset {offset} skipped (written by a newer vmscope?)"
            ),
            Damage::ExtraHeader { offset } => {
                write!(f, "second header frame at offset {offset} skipped")
            }
        }
    }
}

/// A chunk, checked and decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedChunk {
    pub chunk: usize,
    pub offset: u64,
    pub events: Vec<Event>,
}

/// An open trace.
pub struct Trace {
    source: Source,
    path: Option<PathBuf>,
    version: u32,
    header: TraceHeader,
    chunks: Vec<ChunkLocation>,
    footer: Option<(u64, Footer)>,
    damage: Vec<Damage>,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("path", &self.path)
            .field("len", &self.source.bytes().len())
            .field("chunks", &self.chunks.len())
            .field("damage", &self.damage)
            .finish_non_exhaustive()
    }
}

impl Trace {
    /// Maps and opens the trace at `path`.
    pub fn open(path: &Path) -> Result<Trace, Error> {
        let file = File::open(path).map_err(|e| Error::io(Some(path), e))?;
        let len = file.metadata().map_err(|e| Error::io(Some(path), e))?.len();
        // An empty file cannot be mapped; it is still "not a trace".
        let source = if len == 0 {
            Source::Owned(Vec::new())
        } else {
            // SAFETY: the map is read-only. A trace truncated or rewritten by
            // another process while mapped can raise SIGBUS; traces are
            // written once and not modified in place.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(Some(path), e))?;
            Source::Mapped(map)
        };
        Trace::from_source(source, Some(path.to_path_buf()))
    }

    /// Opens a trace held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Trace, Error> {
        Trace::from_source(Source::Owned(bytes), None)
    }

    fn from_source(source: Source, path: Option<PathBuf>) -> Result<Trace, Error> {
        let bytes = source.bytes();
        if bytes.len() < FILE_HEADER_LEN || bytes[0..8] != FILE_MAGIC {
            return Err(Error::NotATrace { path });
        }
        let version = u32_at(bytes, 8);
        if version > FORMAT_VERSION {
            return Err(Error::NewerVersion {
                path,
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let bad_header = |what: String| Error::BadHeader {
            path: path.clone(),
            offset: FILE_HEADER_LEN as u64,
            what,
        };
        let frame =
            FrameHeader::parse(&bytes[FILE_HEADER_LEN..]).map_err(|e| bad_header(e.into()))?;
        if frame.kind != FrameKind::Header {
            return Err(bad_header(format!(
                "first frame is a {}",
                frame.kind.name()
            )));
        }
        let mut words = Vec::new();
        let message = frame_message(bytes, FILE_HEADER_LEN as u64, &frame, &mut words)
            .map_err(|kind| bad_header(chunk_error_text(kind)))?;
        let (_, header) = codec::decode_header(message).map_err(bad_header)?;
        let start = FILE_HEADER_LEN as u64 + frame.frame_len();
        let (chunks, footer, damage) = scan(&source, start);
        let mut trace = Trace {
            source,
            path,
            version,
            header,
            chunks,
            footer,
            damage,
        };
        trace.check_index();
        Ok(trace)
    }

    /// Compares the footer's chunk index with the chunks found by scanning.
    fn check_index(&mut self) {
        let Some((_, footer)) = &self.footer else {
            return;
        };
        let indexed: Vec<(u64, u64)> = footer.chunks.iter().map(|c| (c.offset, c.length)).collect();
        let found: Vec<(u64, u64)> = self
            .chunks
            .iter()
            .map(|c| (c.offset, c.header.frame_len()))
            .collect();
        if indexed != found {
            let first = indexed
                .iter()
                .zip(&found)
                .position(|(a, b)| a != b)
                .unwrap_or(indexed.len().min(found.len()));
            self.damage.push(Damage::IndexMismatch {
                what: format!(
                    "index lists {} chunks, file holds {}; first difference at chunk {first}",
                    indexed.len(),
                    found.len()
                ),
            });
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn len(&self) -> u64 {
        self.source.bytes().len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The format version the file says it was written in.
    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// The chunk frames found in the file, in order.
    pub fn chunks(&self) -> &[ChunkLocation] {
        &self.chunks
    }

    /// The footer, if the trace has a readable one.
    pub fn footer(&self) -> Option<&Footer> {
        self.footer.as_ref().map(|(_, footer)| footer)
    }

    /// Structural damage found on opening (not counting chunk payloads,
    /// which are checked when decoded).
    pub fn damage(&self) -> &[Damage] {
        &self.damage
    }

    /// Whether the trace has its footer and no structural damage.
    pub fn is_whole(&self) -> bool {
        self.footer.is_some() && !self.damage.iter().any(Damage::is_damage)
    }

    /// Checks and decodes one chunk.
    pub fn decode_chunk(&self, location: &ChunkLocation) -> Result<DecodedChunk, ChunkError> {
        let error = |kind| ChunkError {
            chunk: location.chunk,
            offset: location.offset,
            kind,
        };
        let (_, events) = MESSAGE.with_borrow_mut(|words| {
            let decoded = frame_message(
                self.source.bytes(),
                location.offset,
                &location.header,
                words,
            )
            .map_err(error)
            .and_then(|message| {
                codec::decode_chunk(message).map_err(|e| error(ChunkErrorKind::Decode(e)))
            });
            // Keep the room of an ordinary chunk, not of the largest a
            // file may claim (MAX_RAW_LEN).
            if words.len() > KEPT_MESSAGE_WORDS {
                *words = Vec::new();
            }
            decoded
        })?;
        Ok(DecodedChunk {
            chunk: location.chunk,
            offset: location.offset,
            events,
        })
    }

    /// Every event in order, decoding chunks in parallel a window at a time.
    /// A chunk that cannot be read yields one `Err` in its place.
    pub fn events(&self) -> Events<'_> {
        Events {
            chunks: self.decoded_chunks(),
            current: Vec::new().into_iter(),
        }
    }

    /// Every chunk in order, decoded in parallel a window at a time; for
    /// readers that take a chunk's events as a whole rather than one by
    /// one. A chunk that cannot be read yields its `Err` in its place.
    pub fn decoded_chunks(&self) -> DecodedChunks<'_> {
        DecodedChunks {
            trace: self,
            released_to: 0,
            next_chunk: 0,
            window: std::collections::VecDeque::new(),
        }
    }

    /// Counts by decoding every chunk; for traces without a footer.
    /// Returns the counts of the readable chunks and the errors of the rest.
    pub fn count(&self) -> (Counts, Vec<ChunkError>) {
        let results: Vec<Result<Counts, ChunkError>> = self
            .chunks
            .par_iter()
            .map(|location| {
                let chunk = self.decode_chunk(location);
                self.source
                    .release(location.offset, location.header.frame_len());
                let chunk = chunk?;
                let mut counts = Counts::default();
                for event in &chunk.events {
                    counts.add(event);
                }
                Ok(counts)
            })
            .collect();
        let mut total = Counts::default();
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(counts) => total.merge(&counts),
                Err(error) => errors.push(error),
            }
        }
        (total, errors)
    }

    /// Checks everything a forensic reader relies on: the header (already
    /// checked on opening), every frame's checksum and decoding, the
    /// footer's index, counts and digest.
    pub fn verify(&self) -> Verification {
        let (counts, chunk_errors) = self.count();
        let computed_digest = self.footer.as_ref().map(|(offset, _)| {
            let covered = &self.source.bytes()[..*offset as usize];
            let mut digest = Sha256::new();
            let mut done = 0u64;
            for piece in covered.chunks(1 << 20) {
                digest.update(piece);
                self.source.release(done, piece.len() as u64);
                done += piece.len() as u64;
            }
            digest.finalize().to_vec()
        });
        let mut problems = Vec::new();
        if let Some((_, footer)) = &self.footer {
            if footer.digest_algorithm != "sha256" {
                problems.push(format!(
                    "footer names digest algorithm {:?}, which this vmscope cannot check",
                    footer.digest_algorithm
                ));
            } else if computed_digest.as_deref() != Some(footer.digest.as_slice()) {
                problems.push(format!(
                    "digest mismatch: footer says {}, file hashes to {}",
                    hex(&footer.digest),
                    hex(computed_digest.as_deref().unwrap_or_default())
                ));
            }
            if chunk_errors.is_empty() && footer.counts != counts {
                problems.push(format!(
                    "footer counts {} events, chunks hold {}",
                    footer.counts.events, counts.events
                ));
            }
        }
        Verification {
            damage: self.damage.clone(),
            chunk_errors,
            problems,
            counts,
            computed_digest,
        }
    }
}

/// The result of [`Trace::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub damage: Vec<Damage>,
    pub chunk_errors: Vec<ChunkError>,
    /// Footer checks that failed: digest, counts.
    pub problems: Vec<String>,
    /// Counted from the readable chunks.
    pub counts: Counts,
    /// SHA-256 of the bytes before the footer, when there is a footer.
    pub computed_digest: Option<Vec<u8>>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        !self.damage.iter().any(Damage::is_damage)
            && self.chunk_errors.is_empty()
            && self.problems.is_empty()
            && self.computed_digest.is_some()
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Iterator over a trace's events; see [`Trace::events`].
pub struct Events<'t> {
    chunks: DecodedChunks<'t>,
    current: std::vec::IntoIter<Event>,
}

impl fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("chunks", &self.chunks)
            .finish_non_exhaustive()
    }
}

impl Iterator for Events<'_> {
    type Item = Result<Event, ChunkError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(event) = self.current.next() {
                return Some(Ok(event));
            }
            match self.chunks.next()? {
                Ok(chunk) => self.current = chunk.events.into_iter(),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

/// Iterator over a trace's chunks, decoded; see [`Trace::decoded_chunks`].
pub struct DecodedChunks<'t> {
    trace: &'t Trace,
    /// The file up to here has been decoded and its pages given back.
    released_to: u64,
    next_chunk: usize,
    window: std::collections::VecDeque<Result<DecodedChunk, ChunkError>>,
}

impl fmt::Debug for DecodedChunks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedChunks")
            .field("next_chunk", &self.next_chunk)
            .finish_non_exhaustive()
    }
}

impl Iterator for DecodedChunks<'_> {
    type Item = Result<DecodedChunk, ChunkError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.window.is_empty() {
            let chunks = self.trace.chunks();
            if self.next_chunk >= chunks.len() {
                return None;
            }
            // Decode a few chunks per thread at once: enough to keep
            // every core busy, few enough to keep memory bounded.
            let width = (rayon::current_num_threads() * 2).max(2);
            let end = (self.next_chunk + width).min(chunks.len());
            let decoded: Vec<_> = chunks[self.next_chunk..end]
                .par_iter()
                .map(|location| self.trace.decode_chunk(location))
                .collect();
            self.next_chunk = end;
            self.window.extend(decoded);
            // Everything up to the end of this window is decoded: its
            // pages need not stay resident.
            let last = &chunks[end - 1];
            let upto = last.offset + last.header.frame_len();
            self.trace
                .source
                .release(self.released_to, upto - self.released_to);
            self.released_to = upto;
        }
        self.window.pop_front()
    }
}

/// How much of a decoding thread's buffer is kept between chunks, in
/// words: twice the recorder's chunks.
const KEPT_MESSAGE_WORDS: usize = 1 << 19;

thread_local! {
    /// Each decoding thread decompresses chunks into one buffer, reused:
    /// a chunk's events are decoded into owned values before the next
    /// chunk is read, and a fresh 2 MB buffer per chunk cost zeroing it.
    static MESSAGE: std::cell::RefCell<Vec<capnp::Word>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// Checks a frame's payload and decompresses it into `words`, word-aligned
/// as capnp wants it; returns exactly the bytes its header claims (bounded
/// by `MAX_RAW_LEN`).
fn frame_message<'w>(
    bytes: &[u8],
    offset: u64,
    header: &FrameHeader,
    words: &'w mut Vec<capnp::Word>,
) -> Result<&'w [u8], ChunkErrorKind> {
    let start = offset as usize + FRAME_HEADER_LEN;
    let end = start + header.payload_len as usize;
    let payload = bytes.get(start..end).ok_or(ChunkErrorKind::CutOff {
        frame_end: end as u64,
        file_len: bytes.len() as u64,
    })?;
    let computed = crc32fast::hash(payload);
    if computed != header.payload_crc {
        return Err(ChunkErrorKind::BadChecksum {
            stored: header.payload_crc,
            computed,
        });
    }
    if header.raw_len > MAX_RAW_LEN {
        return Err(ChunkErrorKind::TooLarge {
            raw_len: header.raw_len,
        });
    }
    // capnp wants 8-byte aligned segments; a Vec<u8> promises no alignment.
    let need = header.raw_len.div_ceil(8) as usize;
    if words.len() < need {
        *words = capnp::Word::allocate_zeroed_vec(need);
    }
    let buffer = &mut capnp::Word::words_to_bytes_mut(words)[..header.raw_len as usize];
    // Every byte handed on is written here: the size is checked below.
    let found = zstd::bulk::decompress_to_buffer(payload, buffer)
        .map_err(|e| ChunkErrorKind::Decompress(e.to_string()))?;
    if found != header.raw_len as usize {
        return Err(ChunkErrorKind::WrongSize {
            expected: header.raw_len,
            found,
        });
    }
    Ok(buffer)
}

fn chunk_error_text(kind: ChunkErrorKind) -> String {
    ChunkError {
        chunk: 0,
        offset: 0,
        kind,
    }
    .to_string()
    .split_once(": ")
    .map(|(_, rest)| rest.to_string())
    .unwrap_or_default()
}

/// Walks the frames after the header frame.
///
/// Reading a frame header faults in (with the kernel's fault-around) the
/// pages around it, which for small frames is the whole file: pages behind
/// the scan are given back as it goes, so opening a large trace does not
/// make it all resident.
fn scan(source: &Source, start: u64) -> (Vec<ChunkLocation>, Option<(u64, Footer)>, Vec<Damage>) {
    let bytes = source.bytes();
    let mut released = 0u64;
    let mut chunks: Vec<ChunkLocation> = Vec::new();
    let mut footer = None;
    let mut damage = Vec::new();
    let len = bytes.len() as u64;
    let mut pos = start;
    let last_chunk = |chunks: &Vec<ChunkLocation>| chunks.last().map(|c| c.chunk);
    while pos < len {
        if pos - released >= 8 << 20 {
            source.release(released, pos - released);
            released = pos;
        }
        if len - pos < FRAME_HEADER_LEN as u64 {
            damage.push(Damage::CutOff {
                offset: pos,
                after_chunk: last_chunk(&chunks),
            });
            return (chunks, footer, damage);
        }
        let header = match FrameHeader::parse(&bytes[pos as usize..]) {
            Ok(header) => header,
            Err(what) => match resync(bytes, pos + 1) {
                Some(next) => {
                    damage.push(Damage::BadFrame {
                        offset: pos,
                        len: next - pos,
                        what,
                    });
                    pos = next;
                    continue;
                }
                None => {
                    damage.push(Damage::BadFrame {
                        offset: pos,
                        len: len - pos,
                        what,
                    });
                    // Whatever follows is not a whole frame: the
                    // recording ends here as far as a reader can tell.
                    return (chunks, footer, damage);
                }
            },
        };
        if pos + header.frame_len() > len {
            damage.push(Damage::CutOff {
                offset: pos,
                after_chunk: last_chunk(&chunks),
            });
            return (chunks, footer, damage);
        }
        match header.kind {
            FrameKind::Chunk => chunks.push(ChunkLocation {
                chunk: chunks.len(),
                offset: pos,
                header,
            }),
            FrameKind::Footer => {
                match frame_message(bytes, pos, &header, &mut Vec::new())
                    .map_err(chunk_error_text)
                    .and_then(codec::decode_footer)
                {
                    Ok(decoded) => footer = Some((pos, decoded)),
                    Err(what) => damage.push(Damage::BadFooter { offset: pos, what }),
                }
                let end = pos + header.frame_len();
                if end < len {
                    damage.push(Damage::TrailingBytes {
                        offset: end,
                        len: len - end,
                    });
                }
                return (chunks, footer, damage);
            }
            FrameKind::Header => damage.push(Damage::ExtraHeader { offset: pos }),
            FrameKind::Other(kind) => damage.push(Damage::UnknownFrame { offset: pos, kind }),
        }
        pos += header.frame_len();
    }
    damage.push(Damage::NoFooter {
        after_chunk: last_chunk(&chunks),
    });
    (chunks, footer, damage)
}

/// The offset of the next frame header at or after `from` that checks.
fn resync(bytes: &[u8], from: u64) -> Option<u64> {
    let mut at = from as usize;
    while at + FRAME_HEADER_LEN <= bytes.len() {
        let found = bytes[at..]
            .windows(FRAME_MAGIC.len())
            .position(|w| w == FRAME_MAGIC)?;
        at += found;
        if FrameHeader::parse(&bytes[at..]).is_ok() {
            return Some(at as u64);
        }
        at += 1;
    }
    None
}
