//! The vmscope trace format: its schema, its container, a streaming writer
//! and a parallel reader.
//!
//! This is the only crate that knows Cap'n Proto and zstd. Everything else
//! sees the plain records of [`event`]: what the recorder saw, uninterpreted.
//!
//! ```no_run
//! # fn main() -> Result<(), vmscope_schema::Error> {
//! let trace = vmscope_schema::Trace::open("run.vmt".as_ref())?;
//! for event in trace.events() {
//!     match event {
//!         Ok(event) => println!("{} on vCPU {}", event.seq, event.vcpu),
//!         Err(damaged) => eprintln!("skipped: {damaged}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod codec;
pub mod container;
mod error;
pub mod event;
mod reader;
#[rustfmt::skip]
#[allow(clippy::all, missing_debug_implementations, unused)]
mod trace_capnp;
mod writer;

pub use error::{ChunkError, ChunkErrorKind, Error};
pub use event::*;
pub use reader::{ChunkLocation, Damage, DecodedChunk, Events, Trace, Verification, hex};
pub use writer::{MAX_EVENT_BYTES, TraceWriter, WriteSummary, WriterOptions};
