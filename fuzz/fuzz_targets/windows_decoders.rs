// SPDX-License-Identifier: GPL-2.0-or-later
//! NT services with arbitrary registers and recorded bytes, for an x86
//! and an x64 release: UNICODE_STRINGs whose Length lies, OBJECT_ATTRIBUTES
//! that point nowhere, attribute lists with huge counts, handles reused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vmscope::os::Guest;
use vmscope::os::windows::{Arch, decode};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let (arch, build) = if which & 1 == 0 {
        (Arch::X86, 7601)
    } else {
        (Arch::X64, 19045)
    };
    let guest = decode::guest(None, arch, Some(build)).expect("a release the tables have");
    let trace = vmscope_fuzz::trace_of(vmscope_fuzz::events(rest));
    vmscope_fuzz::analyze(&trace, &Guest::Windows(guest));
});
