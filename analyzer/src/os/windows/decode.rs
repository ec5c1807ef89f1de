//! From a trace and a paired call to its NT meaning: the release (from
//! KUSER_SHARED_DATA), the ABI, the service number, the arguments and
//! the status.

use vmscope_schema::{Mechanism, SyscallEvent, reg};

use super::syscalls::{self, Release, ServiceInfo};
use super::{Abi, Arch, Guest};
use crate::memory::CallMemory;
use crate::threads::Call;

/// Where every NT kernel maps KUSER_SHARED_DATA for user mode.
pub const SHARED_USER_DATA: u64 = 0x7ffe_0000;

/// Offsets in KUSER_SHARED_DATA (stable since NT 4).
const NT_BUILD_NUMBER: usize = 0x260;
const NT_PRODUCT_TYPE: usize = 0x264;
const NT_MAJOR_VERSION: usize = 0x26c;
const NT_MINOR_VERSION: usize = 0x270;
const IMAGE_NUMBER_LOW: usize = 0x2c;

/// The most arguments any service takes (NtCreateUserProcess has 11;
/// NtAccessCheckByTypeResultListAndAuditAlarmByHandle has 17).
pub const MAX_ARGS: usize = 17;

fn u32_at(page: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(page.get(at..at + 4)?.try_into().ok()?))
}

/// What KUSER_SHARED_DATA says: (major, minor, build), if the page looks
/// like it. A page at 0x7ffe0000 that is not Windows's (a Linux process
/// may map anything there) must not pass: the version must be one NT has
/// had, and the image number or the product type must be valid.
pub fn version(page: &[u8]) -> Option<(u32, u32, u32)> {
    let major = u32_at(page, NT_MAJOR_VERSION)?;
    let minor = u32_at(page, NT_MINOR_VERSION)?;
    let known = match major {
        3 => matches!(minor, 10 | 50 | 51),
        4 => minor == 0,
        5 => minor <= 2,
        6 => minor <= 3,
        10 => minor == 0,
        _ => false,
    };
    let image = u32_at(page, IMAGE_NUMBER_LOW)?;
    let product = u32_at(page, NT_PRODUCT_TYPE)?;
    let image_ok = matches!(image, 0x014c_014c | 0x8664_8664);
    if !known || !(image_ok || (1..=3).contains(&product)) {
        return None;
    }
    // Before Windows 10 this field held something else; only a plausible
    // build is taken.
    let build = u32_at(page, NT_BUILD_NUMBER)
        .filter(|&b| (1000..100_000).contains(&b))
        .unwrap_or(0);
    Some((major, minor, build))
}

/// The kernel's architecture from the code segment of a call: 0x33 is
/// the 64-bit user segment of x64 Windows (where WOW64 processes enter
/// too); an x86 kernel's user code runs at 0x1b.
pub fn arch_of(entry: &SyscallEvent) -> Option<Arch> {
    if !entry.has(reg::CS) || entry.cs == 0 {
        return None;
    }
    Some(if entry.cs & 0xfff8 == 0x30 {
        Arch::X64
    } else {
        Arch::X86
    })
}

/// The guest, from the shared data page and the architecture; `build`
/// overrides what the page says.
pub fn guest(page: Option<&[u8]>, arch: Arch, build: Option<u32>) -> Option<Guest> {
    // An override names a release exactly (which of several releases
    // sharing a build, syscalls::release_for decides), whatever the page
    // says: a build no table has is an error, not a neighbour's table.
    if let Some(wanted) = build {
        let release = syscalls::release_for(arch, 0, 0, wanted).filter(|r| r.build == wanted)?;
        return Some(Guest {
            arch,
            major: release.major,
            minor: release.minor,
            build: wanted,
            release,
        });
    }
    let (major, minor, build) = page.and_then(version)?;
    let release = release_for(arch, major, minor, build)?;
    Some(Guest {
        arch,
        major,
        minor,
        build,
        release,
    })
}

/// The service table for a version: by build where the page says it,
/// else the newest release of that major.minor (7 SP1 for 6.1).
fn release_for(arch: Arch, major: u32, minor: u32, build: u32) -> Option<&'static Release> {
    if build != 0
        && let Some(release) = syscalls::release_for(arch, major, minor, build)
    {
        return Some(release);
    }
    syscalls::RELEASES
        .iter()
        .filter(|r| r.arch == arch && r.major == major && r.minor == minor)
        .max_by_key(|r| r.build)
}

/// The ABI of one call of `guest`; `wow64` says the thread's TEB is a
/// WOW64 one.
pub fn abi(guest: &Guest, wow64: bool) -> Abi {
    match guest.arch {
        Arch::X86 => Abi::X86,
        Arch::X64 if wow64 => Abi::Wow64,
        Arch::X64 => Abi::X64,
    }
}

/// The service number: the low 12 bits of eax index the table; bits 12
/// and 13 choose it (0 ntoskrnl, 1 win32k).
pub fn nr(entry: &SyscallEvent) -> u64 {
    entry.regs.rax & 0x3fff
}

pub fn info(guest: &Guest, nr: u64) -> Option<&'static ServiceInfo> {
    syscalls::lookup(guest.release, nr)
}

/// Argument `index` of a call, if the trace holds it: x64 passes four in
/// r10 rdx r8 r9 and the rest on the user stack above the return address
/// and the 32-byte home area; x86 passes all on the user stack, whose
/// pointer is in edx at sysenter (two return addresses deep: the stub's
/// `call [edx]` and the caller's call), and in edx at int 0x2e.
pub fn arg(entry: &SyscallEvent, arch: Arch, memory: &CallMemory<'_>, index: usize) -> Option<u64> {
    let r = &entry.regs;
    match arch {
        Arch::X64 => match index {
            0 => Some(r.r10),
            1 => Some(r.rdx),
            2 => Some(r.r8),
            3 => Some(r.r9),
            _ => memory.read_word(r.rsp.wrapping_add(0x28 + 8 * (index as u64 - 4)), 8),
        },
        Arch::X86 => {
            let base = match entry.mechanism {
                // KiFastSystemCall: `mov edx, esp; sysenter`, two returns deep.
                Mechanism::Sysenter => (r.rdx as u32).wrapping_add(8),
                // KiIntSystemCall: `lea edx, [esp+8]; int 0x2e`.
                _ => r.rdx as u32,
            };
            let at = base.wrapping_add(4 * index as u32);
            memory.read_word(u64::from(at), 4)
        }
    }
}

/// The NTSTATUS an exit returned (eax; x64 keeps it in the low half).
pub fn status(call: &Call) -> Option<u32> {
    Some(call.exit.as_ref()?.rax as u32)
}

/// NT_SUCCESS and informational statuses are not failures; warnings and
/// errors (the top bit) are.
pub fn failed(status: u32) -> bool {
    status & 0x8000_0000 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(major: u32, minor: u32, build: u32, product: u32) -> Vec<u8> {
        let mut page = vec![0u8; 4096];
        page[NT_MAJOR_VERSION..][..4].copy_from_slice(&major.to_le_bytes());
        page[NT_MINOR_VERSION..][..4].copy_from_slice(&minor.to_le_bytes());
        page[NT_BUILD_NUMBER..][..4].copy_from_slice(&build.to_le_bytes());
        page[NT_PRODUCT_TYPE..][..4].copy_from_slice(&product.to_le_bytes());
        page
    }

    #[test]
    fn shared_user_data_says_the_version() {
        assert_eq!(version(&page(10, 0, 19045, 1)), Some((10, 0, 19045)));
        assert_eq!(version(&page(6, 1, 0, 1)), Some((6, 1, 0)));
        // Garbage in the build field before Windows 10 is not a build.
        assert_eq!(version(&page(6, 1, 0x8000_1db1, 1)), Some((6, 1, 0)));
        // Not NT: an unknown version, no product type, a short page.
        assert_eq!(version(&page(7, 0, 0, 1)), None);
        assert_eq!(version(&page(6, 1, 7601, 0)), None);
        assert_eq!(version(&page(6, 1, 7601, 1)[..0x200]), None);
        assert_eq!(version(&[0u8; 4096]), None);
    }

    #[test]
    fn guest_picks_the_release() {
        let g = guest(Some(&page(10, 0, 19045, 1)), Arch::X64, None).unwrap();
        assert_eq!(g.release.name, "Windows 10 (22H2)");
        let g = guest(Some(&page(6, 1, 0, 1)), Arch::X86, None).unwrap();
        assert_eq!(g.release.name, "Windows 7 (SP1)");
        // The override wins over the page, and works without one.
        let g = guest(Some(&page(10, 0, 19045, 1)), Arch::X64, Some(17763)).unwrap();
        assert_eq!(g.release.name, "Windows 10 (1809)");
        let g = guest(None, Arch::X86, Some(7601)).unwrap();
        assert_eq!((g.major, g.minor), (6, 1));
        assert!(guest(None, Arch::X64, None).is_none());
        // A build no table has is not quietly a neighbour's.
        assert!(guest(Some(&page(6, 1, 0, 1)), Arch::X86, Some(99999)).is_none());
    }

    #[test]
    fn failures_are_warnings_and_errors() {
        assert!(!failed(0));
        assert!(!failed(0x103)); // STATUS_PENDING
        assert!(failed(0x8000_0005)); // STATUS_BUFFER_OVERFLOW
        assert!(failed(0xc000_0034));
    }
}
