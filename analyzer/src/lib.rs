//! vmscope's analyzer: OS-aware passes over a recorded trace.
//!
//! The binary (`src/main.rs`) is a thin layer over this library: it parses
//! the command line into plain option structs, calls in here with a writer,
//! and reports errors once.

pub mod dump;
pub mod inspect;
mod time;

pub use vmscope_schema as schema;
