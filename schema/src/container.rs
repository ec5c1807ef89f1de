//! The byte layout of a `.vmt` file.
//!
//! ```text
//! file    = file-header frame* ; header frame first, footer frame last
//! file-header (16 bytes)
//!   0  magic   89 'V' 'M' 'T' 0d 0a 1a 0a   (catches text-mode mangling)
//!   8  version u32 LE
//!  12  zero    u32
//! frame-header (24 bytes), then `payload_len` bytes of payload
//!   0  magic        'V' 'M' 'T' 'F'         (lets a reader resynchronise)
//!   4  kind         u8: 1 header, 2 chunk, 3 footer
//!   5  zero         3 bytes
//!   8  payload_len  u32 LE: zstd-compressed Cap'n Proto message
//!  12  raw_len      u32 LE: the message's size once decompressed
//!  16  payload_crc  u32 LE: CRC-32 of the payload
//!  20  header_crc   u32 LE: CRC-32 of bytes 0..20 of this header
//! ```
//!
//! All integers are little-endian. The footer's digest covers every byte of
//! the file before the footer frame. A frame whose header checksum fails
//! is not trusted for its length: the reader looks for the next frame magic
//! whose header checks.

/// The format version this crate writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

pub const FILE_MAGIC: [u8; 8] = *b"\x89VMT\r\n\x1a\n";
pub const FILE_HEADER_LEN: usize = 16;
pub const FRAME_MAGIC: [u8; 4] = *b"VMTF";
pub const FRAME_HEADER_LEN: usize = 24;

/// The largest decompressed message a frame may hold. Far below capnp's
/// default 64 MiB traversal limit, and the bound on what a reader will
/// allocate for one frame whatever the file claims.
pub const MAX_RAW_LEN: u32 = 32 << 20;

/// The file name extension of traces.
pub const EXTENSION: &str = "vmt";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    Header,
    Chunk,
    Footer,
    /// A kind this version does not know: a newer writer's addition.
    Other(u8),
}

impl FrameKind {
    pub fn code(self) -> u8 {
        match self {
            FrameKind::Header => 1,
            FrameKind::Chunk => 2,
            FrameKind::Footer => 3,
            FrameKind::Other(code) => code,
        }
    }

    pub fn from_code(code: u8) -> FrameKind {
        match code {
            1 => FrameKind::Header,
            2 => FrameKind::Chunk,
            3 => FrameKind::Footer,
            other => FrameKind::Other(other),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Header => "header",
            FrameKind::Chunk => "chunk",
            FrameKind::Footer => "footer",
            FrameKind::Other(_) => "unknown",
        }
    }
}

/// A frame header as read from a file whose header checksum held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    pub kind: FrameKind,
    pub payload_len: u32,
    pub raw_len: u32,
    pub payload_crc: u32,
}

impl FrameHeader {
    pub fn encode(&self) -> [u8; FRAME_HEADER_LEN] {
        let mut out = [0u8; FRAME_HEADER_LEN];
        out[0..4].copy_from_slice(&FRAME_MAGIC);
        out[4] = self.kind.code();
        out[8..12].copy_from_slice(&self.payload_len.to_le_bytes());
        out[12..16].copy_from_slice(&self.raw_len.to_le_bytes());
        out[16..20].copy_from_slice(&self.payload_crc.to_le_bytes());
        let crc = crc32fast::hash(&out[0..20]);
        out[20..24].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses a frame header, or says why these bytes are not one.
    pub fn parse(bytes: &[u8]) -> Result<FrameHeader, &'static str> {
        let Some(bytes) = bytes.get(..FRAME_HEADER_LEN) else {
            return Err("frame header cut off");
        };
        if bytes[0..4] != FRAME_MAGIC {
            return Err("no frame magic");
        }
        let stored = u32_at(bytes, 20);
        if crc32fast::hash(&bytes[0..20]) != stored {
            return Err("frame header checksum mismatch");
        }
        if bytes[5..8] != [0, 0, 0] {
            return Err("frame header reserved bytes not zero");
        }
        Ok(FrameHeader {
            kind: FrameKind::from_code(bytes[4]),
            payload_len: u32_at(bytes, 8),
            raw_len: u32_at(bytes, 12),
            payload_crc: u32_at(bytes, 16),
        })
    }

    /// Length of the whole frame, header included.
    pub fn frame_len(&self) -> u64 {
        FRAME_HEADER_LEN as u64 + u64::from(self.payload_len)
    }
}

pub fn file_header(version: u32) -> [u8; FILE_HEADER_LEN] {
    let mut out = [0u8; FILE_HEADER_LEN];
    out[0..8].copy_from_slice(&FILE_MAGIC);
    out[8..12].copy_from_slice(&version.to_le_bytes());
    out
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}
