// SPDX-License-Identifier: GPL-2.0-or-later
//! Linux calls with arbitrary registers and recorded bytes, through every
//! printer: strings without terminators, lengths beyond the bytes,
//! structures cut short, unknown numbers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vmscope::os::Guest;

fuzz_target!(|data: &[u8]| {
    let trace = vmscope_fuzz::trace_of(vmscope_fuzz::events(data));
    vmscope_fuzz::analyze(&trace, &Guest::Linux);
});
