//! Integration tests of the trace format: one binary, one module per concern.

mod arb;
mod damage;
mod generated;
mod roundtrip;
