#!/usr/bin/env bash
# Regenerates schema/src/trace_capnp.rs from schema/trace.capnp with
# Debian's capnp tool (package capnproto) and the capnpc crate's Rust
# backend. The test that runs here is the same one that checks, in CI,
# that the committed code matches the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v capnp >/dev/null || { echo "regen.sh: capnp not found (apt-get install capnproto)" >&2; exit 2; }
VMSCOPE_REGEN=1 cargo test -q -p vmscope-schema --test it -- generated_code_matches_schema
git --no-pager diff --stat -- schema/src/trace_capnp.rs
