#!/usr/bin/env bash
# Regenerates schema/src/trace_capnp.rs from schema/trace.capnp with
# Debian's capnp tool (package capnproto) and the capnpc crate's Rust
# backend; the schema crate's test `generated_code_matches_schema` checks,
# in CI, that the committed code matches the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v capnp >/dev/null || { echo "regen.sh: capnp not found (apt-get install capnproto)" >&2; exit 2; }
cargo run -q -p vmscope-schema-codegen
git --no-pager diff --stat -- schema/src/trace_capnp.rs
