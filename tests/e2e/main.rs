//! End-to-end tests: real guests under QEMU with the recorder, checked
//! against what their workloads did.

mod analyzer;
mod hostile;
mod limits;
mod recorder;
mod windows;
