// SPDX-License-Identifier: GPL-2.0-or-later
//! Any bytes as a trace file: the reader must say what is wrong, read what
//! is whole, and never panic or allocate what a length field asks for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vmscope::os::{self, OsChoice};
use vmscope_schema::Trace;

fuzz_target!(|data: &[u8]| {
    let Ok(trace) = Trace::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = trace.verify();
    let _ = trace.count();
    for event in trace.events() {
        let _ = event;
    }
    if let Ok(guest) = os::detect(&trace, OsChoice::Auto) {
        vmscope_fuzz::analyze(&trace, &guest);
    }
});
