//! vmscope's analyzer: OS-aware passes over a recorded trace.
//!
//! The binary (`src/main.rs`) is a thin layer over this library: it parses
//! the command line into plain option structs, calls in here with a writer,
//! and reports errors once.

pub mod dump;
pub mod inspect;
pub mod journal;
pub mod memory;
pub mod os;
pub mod record;
pub mod report;
pub mod threads;
mod time;

pub use time::rfc3339;

pub use vmscope_schema as schema;
