//! What can go wrong reading or writing a trace, with where it went wrong.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An error that stops reading or writing a trace as a whole.
///
/// Damage that leaves the rest of a trace readable is not an error: the
/// reader reports it as [`Damage`](crate::Damage) or [`ChunkError`] and
/// goes on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    Io {
        path: Option<PathBuf>,
        source: io::Error,
    },
    /// The file does not start with the trace magic.
    NotATrace { path: Option<PathBuf> },
    /// Written by a newer vmscope than this one.
    NewerVersion {
        path: Option<PathBuf>,
        found: u32,
        supported: u32,
    },
    /// The header frame, which every trace starts with, cannot be read.
    BadHeader {
        path: Option<PathBuf>,
        offset: u64,
        what: String,
    },
    /// An event too large for any chunk; the writer refuses rather than
    /// writing a frame no reader would accept.
    EventTooLarge {
        seq: u64,
        bytes: usize,
        limit: usize,
    },
}

impl Error {
    pub(crate) fn io(path: Option<&std::path::Path>, source: io::Error) -> Error {
        Error::Io {
            path: path.map(Into::into),
            source,
        }
    }

    /// The file the error is about, where known.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Io { path, .. }
            | Error::NotATrace { path }
            | Error::NewerVersion { path, .. }
            | Error::BadHeader { path, .. } => path.as_deref(),
            Error::EventTooLarge { .. } => None,
        }
    }

    /// Whether the input itself is bad (rather than the system failing to
    /// let us read it): the CLI exits 1 for these and 2 for the rest.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Error::Io { .. } | Error::EventTooLarge { .. })
    }
}

fn prefix(f: &mut fmt::Formatter<'_>, path: &Option<PathBuf>) -> fmt::Result {
    match path {
        Some(path) => write!(f, "{}: ", path.display()),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => {
                prefix(f, path)?;
                write!(f, "{source}")
            }
            Error::NotATrace { path } => {
                prefix(f, path)?;
                write!(f, "not a vmscope trace (no trace magic at offset 0)")
            }
            Error::NewerVersion {
                path,
                found,
                supported,
            } => {
                prefix(f, path)?;
                write!(
                    f,
                    "trace format version {found} is newer than this vmscope reads ({supported}); \
                     use a newer vmscope"
                )
            }
            Error::BadHeader { path, offset, what } => {
                prefix(f, path)?;
                write!(f, "header frame at offset {offset} is damaged: {what}")
            }
            Error::EventTooLarge { seq, bytes, limit } => write!(
                f,
                "event {seq} needs {bytes} bytes, more than a chunk may hold ({limit})"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why one chunk could not be read. The chunks around it still can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkError {
    /// Position among the chunk frames found in the file, from 0.
    pub chunk: usize,
    /// File offset of the chunk's frame.
    pub offset: u64,
    pub kind: ChunkErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkErrorKind {
    /// The frame runs past the end of the file.
    CutOff {
        frame_end: u64,
        file_len: u64,
    },
    BadChecksum {
        stored: u32,
        computed: u32,
    },
    TooLarge {
        raw_len: u32,
    },
    Decompress(String),
    /// The decompressed size is not what the frame header said.
    WrongSize {
        expected: u32,
        found: usize,
    },
    Decode(String),
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chunk {} at offset {}: ", self.chunk, self.offset)?;
        match &self.kind {
            ChunkErrorKind::CutOff {
                frame_end,
                file_len,
            } => write!(
                f,
                "cut off: the frame ends at {frame_end}, the file at {file_len}"
            ),
            ChunkErrorKind::BadChecksum { stored, computed } => write!(
                f,
                "bad checksum (stored {stored:#010x}, computed {computed:#010x})"
            ),
            ChunkErrorKind::TooLarge { raw_len } => write!(
                f,
                "claims {raw_len} bytes decompressed, over the {} byte limit",
                crate::container::MAX_RAW_LEN
            ),
            ChunkErrorKind::Decompress(e) => write!(f, "does not decompress: {e}"),
            ChunkErrorKind::WrongSize { expected, found } => {
                write!(f, "decompresses to {found} bytes, header says {expected}")
            }
            ChunkErrorKind::Decode(e) => write!(f, "does not decode: {e}"),
        }
    }
}

impl std::error::Error for ChunkError {}
