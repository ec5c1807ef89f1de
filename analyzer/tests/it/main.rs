//! End-to-end tests of the `vmscope` binary on real trace files.

mod cli;
mod golden;
mod hostile;
