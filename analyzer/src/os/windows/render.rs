//! NT service arguments and statuses as the journal shows them, from the
//! bytes the kernel read and wrote. Where the bytes are missing (the
//! kernel did not follow the pointer, or the pointer was bad) the pointer
//! is shown as it is: nothing is guessed.
//!
//! Strings are shown as UNICODE_STRINGs hold them, quoted, with `"` and
//! control characters escaped; a backslash is a path separator here and
//! stays as it is.

use std::fmt::Write as _;

use super::Arch;
use super::args::ArgKind;
use super::consts::*;
use super::decode::MAX_ARGS;
use crate::memory::CallMemory;
use crate::os::linux::render::{address, flags, hex, quote, xval};
use vmscope_schema::Direction;

/// How many bytes of a buffer are shown, as strace -s shows them.
pub const MAX_STRLEN: usize = 32;
/// The longest name shown whole (UNICODE_STRING.Length is a u16: 32 767
/// characters at most).
const MAX_NAME: usize = 0x8000;

/// Everything the renderer needs about a call.
#[derive(Clone, Copy, Debug)]
pub struct CallView<'a> {
    pub arch: Arch,
    pub name: &'a str,
    /// Argument values as far as the trace holds them.
    pub args: [Option<u64>; MAX_ARGS],
    /// The service's parameters and how each is shown (empty when its
    /// prototype is unknown).
    pub kinds: &'a [(&'static str, ArgKind)],
    pub status: Option<u32>,
    pub memory: CallMemory<'a>,
}

impl CallView<'_> {
    fn ptr_size(&self) -> usize {
        match self.arch {
            Arch::X86 => 4,
            Arch::X64 => 8,
        }
    }

    fn arg(&self, index: usize) -> Option<u64> {
        self.args.get(index).copied().flatten()
    }

    fn read_ptr(&self, at: u64) -> Option<u64> {
        self.memory.read_word(at, self.ptr_size())
    }
}

/// The name of an NTSTATUS, if it is one the tables know.
pub fn status_name(status: u32) -> Option<&'static str> {
    STATUS
        .iter()
        .find(|(value, _)| *value == status)
        .map(|(_, name)| *name)
}

/// A status as the journal shows it: `0xc0000034 STATUS_OBJECT_NAME_NOT_FOUND`,
/// `0 STATUS_SUCCESS`, or its value.
pub fn status_text(status: u32) -> String {
    match status_name(status) {
        Some(name) => format!("{} {name}", hex(u64::from(status))),
        None => hex(u64::from(status)),
    }
}

/// A handle value as wide as the architecture's.
fn handle_value(arch: Arch, value: u64) -> u64 {
    match arch {
        Arch::X86 => value & 0xffff_ffff,
        Arch::X64 => value,
    }
}

/// The pseudo-handle -n (NtCurrentProcess is -1, NtCurrentThread -2).
fn pseudo(arch: Arch, n: u64) -> u64 {
    handle_value(arch, 0u64.wrapping_sub(n))
}

/// A handle value: the pseudo-handles by name.
pub fn handle(arch: Arch, value: u64) -> String {
    let value = handle_value(arch, value);
    if value == pseudo(arch, 1) {
        "NtCurrentProcess".to_string()
    } else if value == pseudo(arch, 2) {
        "NtCurrentThread".to_string()
    } else if value == 0 {
        "NULL".to_string()
    } else {
        format!("{value:#x}")
    }
}

/// Whether a handle value is NtCurrentProcess.
pub fn is_current_process(arch: Arch, value: u64) -> bool {
    handle_value(arch, value) == pseudo(arch, 1)
}

/// Whether a handle value is NtCurrentThread.
pub fn is_current_thread(arch: Arch, value: u64) -> bool {
    handle_value(arch, value) == pseudo(arch, 2)
}

/// One argument, by its kind. `index` is its position.
pub fn render_arg(kind: ArgKind, index: usize, call: &CallView<'_>) -> String {
    use ArgKind::*;
    let Some(value) = call.arg(index) else {
        // A stacked argument the kernel did not read (or a bad stack).
        return "?".to_string();
    };
    let len = |i: u8| call.arg(usize::from(i));
    match kind {
        UInt => value.to_string(),
        Hex => hex(value),
        Ptr => address(value),
        Bool => match value & 0xff {
            0 => "FALSE".to_string(),
            1 => "TRUE".to_string(),
            v => hex(v),
        },
        Handle => handle(call.arch, value),
        HandleOut => written_word(call, value, call.ptr_size(), |v| handle(call.arch, v)),
        ObjectAttributes => object_attributes(call, value),
        UnicodeString => unicode_string_at(call, value),
        IoStatusBlock => io_status_block(call, value),
        LargeIntegerIn => match call.memory.read_word(value, 8) {
            Some(v) if value != 0 => format!("[{}]", v as i64),
            _ => address(value),
        },
        LargeIntegerOut => written_word(call, value, 8, |v| (v as i64).to_string()),
        AccessMask => {
            // The parameter's name says the object type where a service
            // takes two (NtCreateUserProcess's ThreadDesiredAccess).
            let param = call.kinds.get(index).map_or("", |(name, _)| *name);
            let object = if param.contains("Thread") || param.contains("Process") {
                param
            } else {
                call.name
            };
            access_mask(object, value as u32)
        }
        FileAttributes => flags(value & 0xffff_ffff, FILE_ATTRIBUTES, None),
        ShareAccess => flags(value & 0xffff_ffff, SHARE_ACCESS, None),
        CreateDisposition => xval(value & 0xffff_ffff, CREATE_DISPOSITION, "FILE_???"),
        CreateOptions => flags(value & 0xffff_ffff, CREATE_OPTIONS, None),
        BufIn(i) => match len(i) {
            Some(n) => structure(call, Direction::KernelRead, value, n)
                .unwrap_or_else(|| buffer_in(call, value, n)),
            None => address(value),
        },
        BufOut(i) => {
            let n = len(i).unwrap_or(0);
            let failed = call.status.is_none_or(super::decode::failed);
            match structure(call, Direction::KernelWrite, value, n) {
                Some(text) if !failed => text,
                _ => buffer_out(call, value, n),
            }
        }
        ULongOut => written_word(call, value, 4, |v| v.to_string()),
        ULongIn => match call.memory.read_word(value, 4) {
            Some(v) if value != 0 => format!("[{v}]"),
            _ => address(value),
        },
        SizeInOut => in_out(call, value, |v| v.to_string()),
        PtrInOut => in_out(call, value, address),
        ClientId => match client_id(call, value, false) {
            Some(text) => text,
            None => address(value),
        },
        FileInfoClass => class(value, FILE_INFO_CLASSES, 1),
        ProcessInfoClass => class(value, PROCESS_INFO_CLASSES, 0),
        ThreadInfoClass => class(value, THREAD_INFO_CLASSES, 0),
        KeyValueInfoClass => class(value, KEY_VALUE_INFO_CLASSES, 0),
        KeyInfoClass => class(value, KEY_INFO_CLASSES, 0),
        SystemInfoClass => class(value, SYSTEM_INFO_CLASSES, 0),
        MemoryInfoClass => class(value, MEMORY_INFO_CLASSES, 0),
        PageProtect => flags(value & 0xffff_ffff, PAGE_PROTECT, None),
        AllocationType => flags(value & 0xffff_ffff, ALLOCATION_TYPE, None),
        SectionAttributes => flags(value & 0xffff_ffff, SECTION_ATTRIBUTES, None),
        SectionInherit => xval(value & 0xffff_ffff, SECTION_INHERIT, "View???"),
        RegType => xval(value & 0xffff_ffff, REG_TYPES, "REG_???"),
        DuplicateOptions => flags(value & 0xffff_ffff, DUPLICATE_OPTIONS, None),
        Status => status_text(value as u32),
        FsInfoClass => class(value, FS_INFO_CLASSES, 1),
        WaitType => xval(value & 0xffff_ffff, WAIT_TYPES, "Wait???"),
        IoControlCode => control_code(value as u32),
        FileBasicInfoOut => fixed_out(call, value, 40, |b| file_information(4, b)),
        FileNetworkOpenInfoOut => fixed_out(call, value, 56, |b| file_information(34, b)),
        HandleArray(i) => handle_array(call, value, len(i).unwrap_or(0)),
        PsAttributeList => attribute_list(call, value),
        ProcessParameters => process_parameters(call, value),
    }
}

/// A device or file system control code: its name, or its parts as
/// CTL_CODE(DeviceType, Function, Method, Access) shows them.
pub fn control_code(code: u32) -> String {
    if let Some((_, name)) = CONTROL_CODES.iter().find(|(v, _)| *v == u64::from(code)) {
        return (*name).to_string();
    }
    let device = u64::from(code >> 16);
    let device = DEVICE_TYPES
        .iter()
        .find(|(v, _)| *v == device)
        .map_or_else(|| format!("{device:#x}"), |(_, n)| (*n).to_string());
    format!(
        "CTL_CODE({device}, {}, {}, {})",
        hex(u64::from((code >> 2) & 0xfff)),
        TRANSFER_METHODS[(code & 3) as usize],
        CONTROL_ACCESS[((code >> 14) & 3) as usize]
    )
}

/// A structure of `size` bytes the kernel wrote, decoded, or the pointer.
fn fixed_out(
    call: &CallView<'_>,
    at: u64,
    size: usize,
    decode: impl Fn(&[u8]) -> Option<String>,
) -> String {
    if at == 0 || call.status.is_none_or(super::decode::failed) {
        return address(at);
    }
    call.memory
        .written(at, size)
        .and_then(|bytes| decode(&bytes))
        .unwrap_or_else(|| address(at))
}

/// The most handles of an array shown; the rest are `...`.
const MAX_HANDLES: u64 = 16;

/// An array of `count` handles the kernel read: `[0x1c, 0x20]`.
fn handle_array(call: &CallView<'_>, at: u64, count: u64) -> String {
    if at == 0 {
        return address(at);
    }
    let p = call.ptr_size() as u64;
    let mut out = String::from("[");
    for i in 0..count.min(MAX_HANDLES) {
        let Some(h) = at.checked_add(i * p).and_then(|a| call.read_ptr(a)) else {
            // The kernel did not read it (or the array runs off the page).
            return address(at);
        };
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&handle(call.arch, h));
    }
    if count > MAX_HANDLES {
        out.push_str(", ...");
    }
    out.push(']');
    out
}

/// A name from a zero- or one-based class table, or the number.
fn class(value: u64, names: &[&str], first: u64) -> String {
    value
        .checked_sub(first)
        .and_then(|i| names.get(usize::try_from(i).ok()?))
        .map_or_else(|| value.to_string(), |name| (*name).to_string())
}

/// Specific rights by the object type the service's name says, then the
/// standard and generic ones.
/// `object` is the service's name or, where it says more, the parameter's.
pub fn access_mask(object: &str, mask: u32) -> String {
    let specific = if object.contains("File") {
        FILE_ACCESS
    } else if object.contains("Key") {
        KEY_ACCESS
    } else if object.contains("Thread") {
        THREAD_ACCESS
    } else if object.contains("Process") {
        PROCESS_ACCESS
    } else if object.contains("Section") {
        SECTION_ACCESS
    } else {
        &[]
    };
    if mask == 0 {
        return "0".to_string();
    }
    let mut left = u64::from(mask);
    let mut out = String::new();
    // Composites share the standard bits (FILE_GENERIC_READ and
    // FILE_GENERIC_WRITE both hold SYNCHRONIZE): a name is taken when the
    // whole mask holds all its bits and it explains one not yet named.
    let mask64 = u64::from(mask);
    for &(bits, name) in specific.iter().chain(COMMON_ACCESS) {
        if bits != 0 && mask64 & bits == bits && left & bits != 0 {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            left &= !bits;
        }
    }
    if left != 0 {
        if !out.is_empty() {
            out.push('|');
        }
        let _ = write!(out, "{left:#x}");
    }
    out
}

/// `[value]` of a word the kernel wrote, or the pointer.
fn written_word(call: &CallView<'_>, at: u64, size: usize, show: impl Fn(u64) -> String) -> String {
    match call.memory.written_word(at, size) {
        Some(v) if at != 0 => format!("[{}]", show(v)),
        _ => address(at),
    }
}

/// A pointer-sized value the kernel read and then wrote: `[in => out]`.
fn in_out(call: &CallView<'_>, at: u64, show: impl Fn(u64) -> String) -> String {
    if at == 0 {
        return address(at);
    }
    let before = call.read_ptr(at);
    let after = call.memory.written_word(at, call.ptr_size());
    match (before, after) {
        (Some(b), Some(a)) if a != b => format!("[{} => {}]", show(b), show(a)),
        (Some(b), _) => format!("[{}]", show(b)),
        (None, Some(a)) => format!("[=> {}]", show(a)),
        (None, None) => address(at),
    }
}

/// A UTF-16 string quoted: `"` and control characters escaped, a
/// backslash as it is; `...` when cut short.
pub fn quote_utf16(units: &[u16], complete: bool) -> String {
    let mut out = String::with_capacity(units.len() + 2);
    out.push('"');
    escape_utf16(&mut out, units, true);
    out.push('"');
    if !complete {
        out.push_str("...");
    }
    out
}

/// Appends UTF-16 text with control characters and unpaired surrogates
/// escaped, and `"` too when `quotes`.
fn escape_utf16(out: &mut String, units: &[u16], quotes: bool) {
    for c in char::decode_utf16(units.iter().copied()) {
        match c {
            Ok('"') if quotes => out.push_str("\\\""),
            Ok(c) if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            Ok(c) => out.push(c),
            Err(bad) => {
                let _ = write!(out, "\\u{:04x}", bad.unpaired_surrogate());
            }
        }
    }
}

/// A UNICODE_STRING quoted, if the kernel read all of it; else how to
/// show it instead (see `unicode_units`).
pub fn unicode_string(call: &CallView<'_>, at: u64) -> Result<String, String> {
    unicode_units(call, at).map(|units| quote_utf16(&units, true))
}

/// A UNICODE_STRING as a name for the state pass: control characters
/// escaped, unquoted.
fn unicode_text(call: &CallView<'_>, at: u64) -> Option<String> {
    let units = unicode_units(call, at).ok()?;
    let mut text = String::with_capacity(units.len());
    escape_utf16(&mut text, &units, false);
    Some(text)
}

/// A UNICODE_STRING's characters, if the kernel read them all; else how
/// to show it: its address, or its fields. A Length beyond MaximumLength
/// or odd is a hostile or broken string: said (`/* bad Length */`), not
/// followed.
fn unicode_units(call: &CallView<'_>, at: u64) -> Result<Vec<u16>, String> {
    // Field by field: the kernel reads the fields, not the padding
    // before Buffer on x64.
    let (Some(length), Some(maximum), Some(buffer)) = (
        call.memory.read_word(at, 2),
        call.memory.read_word(at.wrapping_add(2), 2),
        call.read_ptr(at.wrapping_add(call.ptr_size() as u64)),
    ) else {
        return Err(address(at));
    };
    let (length, maximum) = (length as usize, maximum as usize);
    let raw = || {
        format!(
            "{{Length={length}, MaximumLength={maximum}, Buffer={}}}",
            address(buffer)
        )
    };
    if length > maximum || length % 2 == 1 {
        return Err(format!("{} /* bad Length */", raw()));
    }
    if length == 0 {
        return Ok(Vec::new());
    }
    let units = length.min(MAX_NAME) / 2;
    match call.memory.read(buffer, units * 2) {
        Some(bytes) => Ok(utf16(&bytes)),
        None => Err(raw()),
    }
}

fn unicode_string_at(call: &CallView<'_>, at: u64) -> String {
    if at == 0 {
        return address(at);
    }
    unicode_string(call, at).unwrap_or_else(|shown| shown)
}

/// RootDirectory, ObjectName and Attributes of an OBJECT_ATTRIBUTES, as
/// the kernel read them. The four fields sit in pointer-sized slots on
/// both layouts (x64 pads the ULONGs); the padding is never read.
fn object_attribute_fields(call: &CallView<'_>, at: u64) -> Option<(u64, u64, u64)> {
    let p = call.ptr_size() as u64;
    let root = call.read_ptr(at.wrapping_add(p))?;
    let name = call.read_ptr(at.wrapping_add(2 * p))?;
    let attributes = call.memory.read_word(at.wrapping_add(3 * p), 4)?;
    Some((root, name, attributes))
}

/// The name an OBJECT_ATTRIBUTES gives, as text, and its root handle:
/// for the state pass (handle names) and the renderer.
pub fn object_name(call: &CallView<'_>, at: u64) -> Option<(u64, Option<String>)> {
    let (root, name, _) = object_attribute_fields(call, at)?;
    let text = if name == 0 {
        None
    } else {
        unicode_text(call, name)
    };
    Some((root, text))
}

fn object_attributes(call: &CallView<'_>, at: u64) -> String {
    if at == 0 {
        return address(at);
    }
    let Some((root, name, attributes)) = object_attribute_fields(call, at) else {
        return address(at);
    };
    let mut out = String::from("{");
    if root != 0 {
        let _ = write!(out, "RootDirectory={}, ", handle(call.arch, root));
    }
    let _ = write!(
        out,
        "ObjectName={}, Attributes={}}}",
        unicode_string_at(call, name),
        flags(attributes, OBJ_ATTRIBUTES, None)
    );
    out
}

fn io_status_block(call: &CallView<'_>, at: u64) -> String {
    let p = call.ptr_size();
    // Status is a ULONG in a pointer-sized slot: only it is written.
    let status = call.memory.written_word(at, 4);
    let information = call.memory.written_word(at.wrapping_add(p as u64), p);
    match (status, information) {
        (Some(status), Some(information)) if at != 0 => format!(
            "{{Status={}, Information={information}}}",
            status_name(status as u32).map_or_else(|| hex(status), str::to_string),
        ),
        _ => address(at),
    }
}

fn buffer_in(call: &CallView<'_>, at: u64, len: u64) -> String {
    if at == 0 {
        return address(at);
    }
    let shown = len.min(MAX_STRLEN as u64) as usize;
    match call.memory.read(at, shown) {
        Some(bytes) => quote(&bytes, MAX_STRLEN, len <= MAX_STRLEN as u64),
        None => address(at),
    }
}

/// The argument of this call with this kind, if it has one.
pub(super) fn value_of(call: &CallView<'_>, kind: ArgKind) -> Option<u64> {
    let index = call.kinds.iter().position(|(_, k)| *k == kind)?;
    call.arg(index)
}

/// The longest a decoded structure is looked at: the fixed part of every
/// structure below and a name of a few hundred characters.
const MAX_STRUCT: usize = 1024;
/// The longest a directory listing is looked at, and how many of its
/// entries are shown.
const MAX_LISTING: usize = 16 << 10;
const MAX_ENTRIES: usize = 32;

/// FILE_*_INFORMATION classes that NtQueryDirectoryFile fills with
/// entries chained by NextEntryOffset: (class, offset of FileNameLength,
/// offset of FileName).
const DIRECTORY_CLASSES: &[(u64, usize, usize)] = &[
    (1, 60, 64),   // FileDirectoryInformation
    (2, 60, 68),   // FileFullDirectoryInformation
    (3, 60, 94),   // FileBothDirectoryInformation
    (12, 8, 12),   // FileNamesInformation
    (37, 60, 104), // FileIdBothDirectoryInformation
    (38, 60, 80),  // FileIdFullDirectoryInformation
];

fn is_directory_class(class: u64) -> bool {
    DIRECTORY_CLASSES.iter().any(|(c, _, _)| *c == class)
}

/// The entries of a directory listing: `[{FileName="a.txt",
/// EndOfFile=20, FileAttributes=...}, ...]`, each as far as its bytes
/// are there. A NextEntryOffset that does not move forward ends it.
fn directory_listing(
    class: u64,
    len: usize,
    get: &dyn Fn(usize, usize) -> Option<Vec<u8>>,
) -> Option<String> {
    let &(_, length_at, name_at) = DIRECTORY_CLASSES.iter().find(|(c, _, _)| *c == class)?;
    let word = |at: usize, size: usize| -> Option<u64> { le(&get(at, size)?, 0, size) };
    // One entry as text and the offset of the next, if its bytes are all
    // there. Entries are read field by field: the kernel need not write
    // the padding between them.
    let entry = |at: usize| -> Option<(String, usize)> {
        let next = word(at, 4)? as usize;
        let length = word(at + length_at, 4)? as usize;
        if at + name_at + length > len {
            return None;
        }
        let name = get(at + name_at, length)?;
        let mut text = format!("{{FileName={}", quote_utf16(&utf16(&name), true));
        if class != 12 {
            let _ = write!(
                text,
                ", EndOfFile={}, FileAttributes={}",
                word(at + 40, 8)? as i64,
                flags(word(at + 56, 4)?, FILE_ATTRIBUTES, None)
            );
        }
        text.push('}');
        Some((text, next))
    };
    let mut shown = Vec::new();
    let mut at = 0usize;
    let mut whole = false;
    while shown.len() < MAX_ENTRIES {
        let Some((text, next)) = entry(at) else { break };
        shown.push(text);
        if next == 0 {
            whole = true;
            break;
        }
        match at.checked_add(next) {
            Some(n) if n < len => at = n,
            _ => break,
        }
    }
    if shown.is_empty() {
        return None;
    }
    // Cut short (by MAX_ENTRIES, or where the recorded bytes end): `...`.
    let more = if whole { "" } else { ", ..." };
    Some(format!("[{}{more}]", shown.join(", ")))
}

/// FILE_FS_*_INFORMATION of the classes programs ask for most.
fn fs_information(class: u64, b: &[u8]) -> Option<String> {
    let field = |at| le(b, at, 4);
    Some(match class {
        // FileFsVolumeInformation: creation time, serial, label.
        1 => {
            let length = field(12)? as usize;
            let label = b.get(18..18usize.checked_add(length)?)?;
            format!(
                "{{VolumeSerialNumber={:#x}, VolumeLabel={}}}",
                field(8)?,
                quote_utf16(&utf16(label), true)
            )
        }
        // FileFsSizeInformation.
        3 => format!(
            "{{TotalAllocationUnits={}, AvailableAllocationUnits={}, SectorsPerAllocationUnit={}, BytesPerSector={}}}",
            le(b, 0, 8)?,
            le(b, 8, 8)?,
            field(16)?,
            field(20)?
        ),
        // FileFsDeviceInformation.
        4 => format!(
            "{{DeviceType={}, Characteristics={:#x}}}",
            xval(field(0)?, DEVICE_TYPES, "FILE_DEVICE_???"),
            field(4)?
        ),
        // FileFsAttributeInformation: the file system's name.
        5 => {
            let length = field(8)? as usize;
            let name = b.get(12..12usize.checked_add(length)?)?;
            format!(
                "{{FileSystemAttributes={:#x}, MaximumComponentNameLength={}, FileSystemName={}}}",
                field(0)?,
                field(4)?,
                quote_utf16(&utf16(name), true)
            )
        }
        _ => return None,
    })
}

/// DISK_GEOMETRY (IOCTL_DISK_GET_DRIVE_GEOMETRY's output).
fn disk_geometry(b: &[u8]) -> Option<String> {
    const MEDIA_TYPES: Names = &[(0, "Unknown"), (11, "RemovableMedia"), (12, "FixedMedia")];
    Some(format!(
        "{{Cylinders={}, MediaType={}, TracksPerCylinder={}, SectorsPerTrack={}, BytesPerSector={}}}",
        le(b, 0, 8)? as i64,
        xval(le(b, 8, 4)?, MEDIA_TYPES, "MEDIA_TYPE"),
        le(b, 12, 4)?,
        le(b, 16, 4)?,
        le(b, 20, 4)?
    ))
}

/// SYSTEM_BASIC_INFORMATION: the page size, the user address range and
/// the processors.
fn system_basic_information(b: &[u8], p: usize) -> Option<String> {
    // Seven ULONGs, then pointers aligned to their size.
    let first_pointer = if p == 8 { 32 } else { 28 };
    Some(format!(
        "{{PageSize={}, NumberOfPhysicalPages={}, AllocationGranularity={}, MinimumUserModeAddress={}, MaximumUserModeAddress={}, NumberOfProcessors={}}}",
        le(b, 8, 4)?,
        le(b, 12, 4)?,
        le(b, 24, 4)?,
        address(le(b, first_pointer, p)?),
        address(le(b, first_pointer + p, p)?),
        le(b, first_pointer + 3 * p, 1)?
    ))
}

/// A buffer whose layout the call's information class (or value type)
/// says, decoded from the bytes the kernel read or wrote; None when the
/// class is not one decoded here or the bytes are not all there.
fn structure(call: &CallView<'_>, direction: Direction, at: u64, len: u64) -> Option<String> {
    if at == 0 {
        return None;
    }
    // A directory listing holds many entries; every other structure is
    // small.
    let listing = value_of(call, ArgKind::FileInfoClass).is_some_and(is_directory_class);
    let cap = if listing { MAX_LISTING } else { MAX_STRUCT };
    let limit = len.min(cap as u64) as usize;
    let bytes = match direction {
        Direction::KernelWrite => call.memory.written_prefix(at, limit),
        Direction::KernelRead => call.memory.read_prefix(at, limit),
    };
    let p = call.ptr_size();
    if let Some(class) = value_of(call, ArgKind::FileInfoClass) {
        if listing {
            let memory = call.memory;
            return directory_listing(class, limit, &|offset, n| {
                let address = at.checked_add(offset as u64)?;
                match direction {
                    Direction::KernelWrite => memory.written(address, n),
                    Direction::KernelRead => memory.read(address, n),
                }
            });
        }
        return file_information(class, &bytes);
    }
    if let Some(class) = value_of(call, ArgKind::ProcessInfoClass) {
        return (class == 0)
            .then(|| process_basic_information(&bytes, p))
            .flatten();
    }
    if let Some(class) = value_of(call, ArgKind::ThreadInfoClass) {
        return (class == 0)
            .then(|| thread_basic_information(&bytes, p))
            .flatten();
    }
    if let Some(class) = value_of(call, ArgKind::KeyValueInfoClass) {
        return key_value_information(class, &bytes);
    }
    if let Some(class) = value_of(call, ArgKind::KeyInfoClass) {
        return key_information(class, &bytes);
    }
    if let Some(code) = value_of(call, ArgKind::IoControlCode) {
        const IOCTL_DISK_GET_DRIVE_GEOMETRY: u64 = 0x0007_0000;
        return (direction == Direction::KernelWrite && code == IOCTL_DISK_GET_DRIVE_GEOMETRY)
            .then(|| disk_geometry(&bytes))
            .flatten();
    }
    if let Some(class) = value_of(call, ArgKind::FsInfoClass) {
        return fs_information(class, &bytes);
    }
    if let Some(class) = value_of(call, ArgKind::SystemInfoClass) {
        return (class == 0)
            .then(|| system_basic_information(&bytes, p))
            .flatten();
    }
    if let Some(class) = value_of(call, ArgKind::MemoryInfoClass) {
        return (class == 0)
            .then(|| memory_basic_information(&bytes, p))
            .flatten();
    }
    if let Some(kind) = value_of(call, ArgKind::RegType) {
        // NtSetValueKey's Data: as its type says, all of it or nothing.
        return (bytes.len() as u64 == len).then(|| registry_data(kind as u32, &bytes));
    }
    None
}

fn le(bytes: &[u8], at: usize, size: usize) -> Option<u64> {
    let field = bytes.get(at..at.checked_add(size)?)?;
    let mut word = [0u8; 8];
    word[..size].copy_from_slice(field);
    Some(u64::from_le_bytes(word))
}

fn utf16(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// A FILETIME (100 ns since 1601) as an RFC 3339 UTC time; 0 and
/// values outside years 1601-9999 as the number.
fn filetime(value: i64) -> String {
    /// 1601-01-01 to 1970-01-01, in 100 ns.
    const UNIX_EPOCH: i64 = 116_444_736_000_000_000;
    /// 10000-01-01, in 100 ns since 1601.
    const YEAR_10000: i64 = 2_650_467_744_000_000_000;
    if value <= 0 || value >= YEAR_10000 {
        return value.to_string();
    }
    crate::rfc3339((value - UNIX_EPOCH).saturating_mul(100))
}

/// FILE_*_INFORMATION of the classes programs query and set most.
fn file_information(class: u64, b: &[u8]) -> Option<String> {
    let i64_at = |at| le(b, at, 8).map(|v| v as i64);
    let time_at = |at| le(b, at, 8).map(|v| filetime(v as i64));
    Some(match class {
        // FileBasicInformation: four LARGE_INTEGER times, then attributes.
        4 => format!(
            "{{CreationTime={}, LastAccessTime={}, LastWriteTime={}, ChangeTime={}, FileAttributes={}}}",
            time_at(0)?,
            time_at(8)?,
            time_at(16)?,
            time_at(24)?,
            flags(le(b, 32, 4)?, FILE_ATTRIBUTES, None)
        ),
        // FileStandardInformation.
        5 => format!(
            "{{AllocationSize={}, EndOfFile={}, NumberOfLinks={}, DeletePending={}, Directory={}}}",
            i64_at(0)?,
            i64_at(8)?,
            le(b, 16, 4)?,
            bool_text(le(b, 20, 1)?),
            bool_text(le(b, 21, 1)?)
        ),
        // FileNameInformation: the length in bytes, then the name.
        9 => {
            let length = le(b, 0, 4)? as usize;
            let name = b.get(4..4usize.checked_add(length)?)?;
            format!("{{FileName={}}}", quote_utf16(&utf16(name), true))
        }
        // FileDispositionInformation.
        13 => format!("{{DeleteFile={}}}", bool_text(le(b, 0, 1)?)),
        // FilePositionInformation.
        14 => format!("{{CurrentByteOffset={}}}", i64_at(0)?),
        // FileEndOfFileInformation.
        20 => format!("{{EndOfFile={}}}", i64_at(0)?),
        // FileNetworkOpenInformation: times, sizes, attributes.
        34 => format!(
            "{{CreationTime={}, LastAccessTime={}, LastWriteTime={}, ChangeTime={}, AllocationSize={}, EndOfFile={}, FileAttributes={}}}",
            time_at(0)?,
            time_at(8)?,
            time_at(16)?,
            time_at(24)?,
            i64_at(32)?,
            i64_at(40)?,
            flags(le(b, 48, 4)?, FILE_ATTRIBUTES, None)
        ),
        class if is_directory_class(class) => {
            return directory_listing(class, b.len(), &|at, n| {
                b.get(at..at.checked_add(n)?).map(<[u8]>::to_vec)
            });
        }
        _ => return None,
    })
}

fn bool_text(value: u64) -> String {
    match value {
        0 => "FALSE".to_string(),
        1 => "TRUE".to_string(),
        v => v.to_string(),
    }
}

/// PROCESS_BASIC_INFORMATION: six pointer-sized slots.
fn process_basic_information(b: &[u8], p: usize) -> Option<String> {
    Some(format!(
        "{{ExitStatus={}, PebBaseAddress={}, UniqueProcessId={}, InheritedFromUniqueProcessId={}}}",
        status_text(le(b, 0, 4)? as u32),
        address(le(b, p, p)?),
        le(b, 4 * p, p)?,
        le(b, 5 * p, p)?
    ))
}

/// The UniqueProcessId a PROCESS_BASIC_INFORMATION holds, for the state
/// pass.
pub fn basic_information_pid(call: &CallView<'_>) -> Option<u64> {
    if value_of(call, ArgKind::ProcessInfoClass)? != 0 {
        return None;
    }
    let p = call.ptr_size();
    let at = call.arg(2)?;
    call.memory.written_word(at.checked_add(4 * p as u64)?, p)
}

/// THREAD_BASIC_INFORMATION: ExitStatus, TebBaseAddress, ClientId.
fn thread_basic_information(b: &[u8], p: usize) -> Option<String> {
    Some(format!(
        "{{ExitStatus={}, TebBaseAddress={}, ClientId={{UniqueProcess={}, UniqueThread={}}}}}",
        status_text(le(b, 0, 4)? as u32),
        address(le(b, p, p)?),
        le(b, 2 * p, p)?,
        le(b, 3 * p, p)?
    ))
}

/// KEY_VALUE_{BASIC,FULL,PARTIAL}_INFORMATION.
fn key_value_information(class: u64, b: &[u8]) -> Option<String> {
    let field = |at| le(b, at, 4);
    let kind = |at| -> Option<String> { Some(xval(field(at)?, REG_TYPES, "REG_???")) };
    Some(match class {
        0 => {
            let length = field(8)? as usize;
            let name = b.get(12..12usize.checked_add(length)?)?;
            format!(
                "{{TitleIndex={}, Type={}, Name={}}}",
                field(0)?,
                kind(4)?,
                quote_utf16(&utf16(name), true)
            )
        }
        1 => {
            let (offset, length) = (field(8)? as usize, field(12)? as usize);
            let name_length = field(16)? as usize;
            let name = b.get(20..20usize.checked_add(name_length)?)?;
            let data = b.get(offset..offset.checked_add(length)?)?;
            format!(
                "{{TitleIndex={}, Type={}, Name={}, Data={}}}",
                field(0)?,
                kind(4)?,
                quote_utf16(&utf16(name), true),
                registry_data(field(4)? as u32, data)
            )
        }
        2 => {
            let length = field(8)? as usize;
            let data = b.get(12..12usize.checked_add(length)?)?;
            format!(
                "{{TitleIndex={}, Type={}, Data={}}}",
                field(0)?,
                kind(4)?,
                registry_data(field(4)? as u32, data)
            )
        }
        _ => return None,
    })
}

/// KEY_{BASIC,NODE,FULL,NAME}_INFORMATION (NtEnumerateKey, NtQueryKey).
fn key_information(class: u64, b: &[u8]) -> Option<String> {
    let field = |at| le(b, at, 4);
    let name_at = |at: usize, length: usize| -> Option<String> {
        let name = b.get(at..at.checked_add(length)?)?;
        Some(quote_utf16(&utf16(name), true))
    };
    Some(match class {
        // KeyBasicInformation: LastWriteTime, TitleIndex, NameLength, Name.
        0 => format!(
            "{{LastWriteTime={}, Name={}}}",
            filetime(le(b, 0, 8)? as i64),
            name_at(16, field(12)? as usize)?
        ),
        // KeyNodeInformation: ... ClassOffset, ClassLength, NameLength, Name.
        1 => format!(
            "{{LastWriteTime={}, Name={}}}",
            filetime(le(b, 0, 8)? as i64),
            name_at(24, field(20)? as usize)?
        ),
        // KeyFullInformation: counts of subkeys and values.
        2 => format!(
            "{{LastWriteTime={}, SubKeys={}, Values={}}}",
            filetime(le(b, 0, 8)? as i64),
            field(20)?,
            field(32)?
        ),
        // KeyNameInformation: the key's full name.
        3 => format!("{{Name={}}}", name_at(4, field(0)? as usize)?),
        _ => return None,
    })
}

/// Registry data as its type says: strings as text, numbers as numbers.
fn registry_data(kind: u32, data: &[u8]) -> String {
    const REG_SZ: u32 = 1;
    const REG_EXPAND_SZ: u32 = 2;
    const REG_DWORD: u32 = 4;
    const REG_MULTI_SZ: u32 = 7;
    const REG_QWORD: u32 = 11;
    match kind {
        REG_SZ | REG_EXPAND_SZ | REG_MULTI_SZ => {
            let mut units = utf16(data);
            // The stored terminator is not part of the text.
            if units.last() == Some(&0) {
                units.pop();
            }
            quote_utf16(&units, data.len().is_multiple_of(2))
        }
        REG_DWORD if data.len() == 4 => le(data, 0, 4).unwrap_or(0).to_string(),
        REG_QWORD if data.len() == 8 => le(data, 0, 8).unwrap_or(0).to_string(),
        _ => quote(data, MAX_STRLEN, true),
    }
}

/// MEMORY_BASIC_INFORMATION.
fn memory_basic_information(b: &[u8], p: usize) -> Option<String> {
    // x86: seven 4-byte fields; x64: three pointers, the protection (and a
    // partition id) in the fourth slot, the size, then three ULONGs.
    let (size_at, state_at) = (3 * p, 4 * p);
    Some(format!(
        "{{BaseAddress={}, AllocationBase={}, AllocationProtect={}, RegionSize={}, State={}, Protect={}, Type={}}}",
        address(le(b, 0, p)?),
        address(le(b, p, p)?),
        flags(le(b, 2 * p, 4)?, PAGE_PROTECT, None),
        le(b, size_at, p)?,
        flags(le(b, state_at, 4)?, ALLOCATION_TYPE, None),
        flags(le(b, state_at + 4, 4)?, PAGE_PROTECT, None),
        flags(le(b, state_at + 8, 4)?, ALLOCATION_TYPE, None)
    ))
}

/// What the kernel wrote into a buffer of `len` bytes: as much as it
/// wrote from the start, cut like strace -s.
fn buffer_out(call: &CallView<'_>, at: u64, len: u64) -> String {
    if at == 0 || call.status.is_none_or(super::decode::failed) {
        return address(at);
    }
    let limit = len.min(MAX_STRLEN as u64 + 1) as usize;
    let bytes = call.memory.written_prefix(at, limit);
    if bytes.is_empty() {
        return address(at);
    }
    quote(&bytes, MAX_STRLEN, bytes.len() as u64 >= len)
}

/// A CLIENT_ID: `{UniqueProcess=0x1a4, UniqueThread=0x1b0}`, as the
/// kernel read it or (`written`) wrote it.
fn client_id(call: &CallView<'_>, at: u64, written: bool) -> Option<String> {
    let (process, thread) = client_id_words(call, at, written)?;
    Some(format!(
        "{{UniqueProcess={}, UniqueThread={}}}",
        hex(process),
        hex(thread)
    ))
}

/// UniqueProcess and UniqueThread of a CLIENT_ID the kernel read or
/// (`written`) wrote.
fn client_id_words(call: &CallView<'_>, at: u64, written: bool) -> Option<(u64, u64)> {
    let p = call.ptr_size();
    let word = |at: u64| {
        if written {
            call.memory.written_word(at, p)
        } else {
            call.memory.read_word(at, p)
        }
    };
    Some((word(at)?, word(at.checked_add(p as u64)?)?))
}

/// PS_ATTRIBUTE numbers (Attribute field values) the journal names.
const PS_ATTRIBUTES: &[(u64, &str)] = &[
    (0x60000, "PsAttributeParentProcess"),
    (0x60001, "PsAttributeDebugObject"),
    (0x60002, "PsAttributeToken"),
    (0x10003, "PsAttributeClientId"),
    (PS_ATTRIBUTE_TEB_ADDRESS, "PsAttributeTebAddress"),
    (0x20005, "PsAttributeImageName"),
    (0x00006, "PsAttributeImageInfo"),
    (0x20007, "PsAttributeMemoryReserve"),
    (0x20008, "PsAttributePriorityClass"),
    (0x20009, "PsAttributeErrorMode"),
    (0x2000a, "PsAttributeStdHandleInfo"),
    (0x2000b, "PsAttributeHandleList"),
];
pub const PS_ATTRIBUTE_CLIENT_ID: u64 = 0x10003;
const PS_ATTRIBUTE_IMAGE_NAME: u64 = 0x20005;
/// No guest-chosen count makes the walk longer than this.
const MAX_PS_ATTRIBUTES: u64 = 32;

/// The attributes of a PS_ATTRIBUTE_LIST the kernel read: (Attribute,
/// Size, Value) each.
pub fn ps_attributes(call: &CallView<'_>, at: u64) -> Option<Vec<(u64, u64, u64)>> {
    let p = call.ptr_size() as u64;
    let total = call.read_ptr(at)?;
    let entry = 4 * p;
    let count = (total.saturating_sub(p) / entry).min(MAX_PS_ATTRIBUTES);
    let mut out = Vec::new();
    for i in 0..count {
        let base = at + p + i * entry;
        let (Some(attribute), Some(size), Some(value)) = (
            call.read_ptr(base),
            call.read_ptr(base + p),
            call.read_ptr(base + 2 * p),
        ) else {
            break;
        };
        out.push((attribute, size, value));
    }
    Some(out)
}

/// The client id the kernel wrote through a PsAttributeClientId entry.
pub const PS_ATTRIBUTE_TEB_ADDRESS: u64 = 0x10004;

/// The TEB address the kernel wrote through a PsAttributeTebAddress entry.
pub fn created_teb(call: &CallView<'_>, list: u64) -> Option<u64> {
    let (_, _, at) = ps_attributes(call, list)?
        .into_iter()
        .find(|(attribute, _, _)| *attribute == PS_ATTRIBUTE_TEB_ADDRESS)?;
    call.memory.written_word(at, call.ptr_size())
}

pub fn created_client_id(call: &CallView<'_>, list: u64) -> Option<(u64, u64)> {
    let (_, _, at) = ps_attributes(call, list)?
        .into_iter()
        .find(|(attribute, _, _)| *attribute == PS_ATTRIBUTE_CLIENT_ID)?;
    client_id_words(call, at, true)
}

fn attribute_list(call: &CallView<'_>, at: u64) -> String {
    if at == 0 {
        return address(at);
    }
    let Some(attributes) = ps_attributes(call, at) else {
        return address(at);
    };
    let mut out = String::from("{");
    for (i, (attribute, size, value)) in attributes.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let name = PS_ATTRIBUTES
            .iter()
            .find(|(v, _)| v == attribute)
            .map_or_else(|| hex(*attribute), |(_, n)| (*n).to_string());
        let shown = match *attribute {
            PS_ATTRIBUTE_CLIENT_ID => {
                client_id(call, *value, true).unwrap_or_else(|| address(*value))
            }
            PS_ATTRIBUTE_IMAGE_NAME => {
                let units = (*size / 2).min(MAX_NAME as u64) as usize;
                match call.memory.read(*value, units * 2) {
                    Some(bytes) => quote_utf16(&utf16(&bytes), true),
                    None => address(*value),
                }
            }
            _ => hex(*value),
        };
        let _ = write!(out, "{name}={shown}");
    }
    out.push('}');
    out
}

/// RTL_USER_PROCESS_PARAMETERS: where ImagePathName and CommandLine are.
fn parameter_strings(arch: Arch) -> (u64, u64) {
    match arch {
        Arch::X86 => (0x38, 0x40),
        Arch::X64 => (0x60, 0x70),
    }
}

/// The image path and command line a process is created with, as far as
/// the kernel read them.
pub fn image_and_command_line(call: &CallView<'_>, at: u64) -> (Option<String>, Option<String>) {
    if at == 0 {
        return (None, None);
    }
    let (image, command) = parameter_strings(call.arch);
    let text = |offset: u64| unicode_text(call, at + offset);
    (text(image), text(command))
}

fn process_parameters(call: &CallView<'_>, at: u64) -> String {
    if at == 0 {
        return address(at);
    }
    let (image, command) = parameter_strings(call.arch);
    let image = unicode_string(call, at + image);
    let command = unicode_string(call, at + command);
    match (image, command) {
        (Err(_), Err(_)) => address(at),
        (image, command) => {
            let shown = |s: Result<String, String>| s.unwrap_or_else(|_| "?".to_string());
            format!(
                "{{ImagePathName={}, CommandLine={}}}",
                shown(image),
                shown(command)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_schema::{Direction, MemoryRun};

    use crate::memory::run;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    // (The module's own `utf16` turns bytes into units; the tests go the
    // other way.)

    fn view<'a>(arch: Arch, runs: &'a [MemoryRun], args: &[u64]) -> CallView<'a> {
        let mut all = [None; MAX_ARGS];
        for (i, a) in args.iter().enumerate() {
            all[i] = Some(*a);
        }
        CallView {
            arch,
            name: "NtOpenFile",
            args: all,
            kinds: &[],
            status: Some(0),
            memory: CallMemory::new(runs),
        }
    }

    #[test]
    fn object_attributes_with_their_name() {
        let name = utf16("\\SystemRoot\\bootstat.dat");
        let mut us = vec![];
        us.extend((name.len() as u16).to_le_bytes());
        us.extend((name.len() as u16 + 2).to_le_bytes());
        us.extend(0x3000u32.to_le_bytes());
        let mut oa = vec![];
        for w in [0x18u32, 0, 0x2000, 0x40] {
            oa.extend(w.to_le_bytes());
        }
        let runs = [
            run(0x1000, Direction::KernelRead, &oa),
            run(0x2000, Direction::KernelRead, &us),
            run(0x3000, Direction::KernelRead, &name),
            run(0x4000, Direction::KernelWrite, &0x1cu32.to_le_bytes()),
        ];
        let v = view(Arch::X86, &runs, &[0x4000, 0x1000]);
        assert_eq!(
            render_arg(ArgKind::ObjectAttributes, 1, &v),
            r#"{ObjectName="\SystemRoot\bootstat.dat", Attributes=OBJ_CASE_INSENSITIVE}"#
        );
        assert_eq!(render_arg(ArgKind::HandleOut, 0, &v), "[0x1c]");
        assert_eq!(
            object_name(&v, 0x1000),
            Some((0, Some("\\SystemRoot\\bootstat.dat".to_string())))
        );
    }

    #[test]
    fn hostile_unicode_strings_are_said_not_followed() {
        // Length beyond MaximumLength, and a buffer the kernel never read.
        let mut bad = vec![];
        bad.extend(0x400u16.to_le_bytes());
        bad.extend(0x10u16.to_le_bytes());
        bad.extend([0; 4]);
        bad.extend(0xffff_f000_0000_0000u64.to_le_bytes());
        let mut unread = vec![];
        unread.extend(8u16.to_le_bytes());
        unread.extend(8u16.to_le_bytes());
        unread.extend([0; 4]);
        unread.extend(0x9000u64.to_le_bytes());
        let runs = [
            run(0x1000, Direction::KernelRead, &bad),
            run(0x2000, Direction::KernelRead, &unread),
        ];
        let v = view(Arch::X64, &runs, &[0x1000, 0x2000, 0x5000]);
        assert_eq!(
            render_arg(ArgKind::UnicodeString, 0, &v),
            "{Length=1024, MaximumLength=16, Buffer=0xfffff00000000000} /* bad Length */"
        );
        assert_eq!(
            render_arg(ArgKind::UnicodeString, 1, &v),
            "{Length=8, MaximumLength=8, Buffer=0x9000}"
        );
        assert_eq!(render_arg(ArgKind::UnicodeString, 2, &v), "0x5000");
        // A stacked argument the trace does not hold.
        assert_eq!(render_arg(ArgKind::UnicodeString, 3, &v), "?");
    }

    #[test]
    fn information_classes_are_decoded_from_what_the_kernel_wrote() {
        let mut standard = vec![];
        standard.extend(4096u64.to_le_bytes());
        standard.extend(20u64.to_le_bytes());
        standard.extend(1u32.to_le_bytes());
        standard.extend([0, 1, 0, 0]);
        assert_eq!(
            file_information(5, &standard).unwrap(),
            "{AllocationSize=4096, EndOfFile=20, NumberOfLinks=1, DeletePending=FALSE, Directory=TRUE}"
        );
        // Cut short: not decoded (the caller shows the bytes instead).
        assert_eq!(file_information(5, &standard[..20]), None);
        assert_eq!(file_information(99, &standard), None);
        let mut partial = vec![];
        for w in [0u32, 1, 10] {
            partial.extend(w.to_le_bytes());
        }
        partial.extend(utf16("Test\0"));
        assert_eq!(
            key_value_information(2, &partial).unwrap(),
            r#"{TitleIndex=0, Type=REG_SZ, Data="Test"}"#
        );
        // A DataLength past the bytes is not followed.
        partial[8] = 200;
        assert_eq!(key_value_information(2, &partial), None);
        assert_eq!(registry_data(4, &7u32.to_le_bytes()), "7");
        assert_eq!(registry_data(3, b"\x01\x02"), r#""\1\2""#);
        let mut basic = vec![];
        for w in [0x103u64, 0x7ffdf000, 1, 8, 0x1a4, 0x19c] {
            basic.extend(w.to_le_bytes());
        }
        assert_eq!(
            process_basic_information(&basic, 8).unwrap(),
            "{ExitStatus=0x103 STATUS_PENDING, PebBaseAddress=0x7ffdf000, UniqueProcessId=420, InheritedFromUniqueProcessId=412}"
        );
    }

    /// A FILE_DIRECTORY_INFORMATION entry; `next` is its NextEntryOffset.
    fn directory_entry(next: u32, name: &str, size: i64, attributes: u32) -> Vec<u8> {
        let mut entry = vec![0u8; 64];
        entry[0..4].copy_from_slice(&next.to_le_bytes());
        entry[40..48].copy_from_slice(&size.to_le_bytes());
        entry[56..60].copy_from_slice(&attributes.to_le_bytes());
        let name = utf16(name);
        entry[60..64].copy_from_slice(&(name.len() as u32).to_le_bytes());
        entry.extend(name);
        entry
    }

    #[test]
    fn directory_listings_show_their_entries() {
        let mut listing = directory_entry(80, "a.txt", 20, 0x20);
        listing.resize(80, 0);
        listing.extend(directory_entry(0, "sub", 0, 0x10));
        assert_eq!(
            file_information(1, &listing).unwrap(),
            r#"[{FileName="a.txt", EndOfFile=20, FileAttributes=FILE_ATTRIBUTE_ARCHIVE}, {FileName="sub", EndOfFile=0, FileAttributes=FILE_ATTRIBUTE_DIRECTORY}]"#
        );
        // An entry whose next offset points past the bytes: shown, and
        // the listing marked as cut short.
        let cut = directory_entry(4000, "a.txt", 20, 0x20);
        assert_eq!(
            file_information(1, &cut).unwrap(),
            r#"[{FileName="a.txt", EndOfFile=20, FileAttributes=FILE_ATTRIBUTE_ARCHIVE}, ...]"#
        );
        assert_eq!(file_information(1, &cut[..50]), None);
        // Offsets only move forward; a long listing is cut after
        // MAX_ENTRIES entries.
        let mut long = vec![];
        for _ in 0..40 {
            let mut entry = directory_entry(80, "x", 1, 0);
            entry.resize(80, 0);
            long.extend(entry);
        }
        let shown = file_information(1, &long).unwrap();
        assert_eq!(shown.matches("FileName").count(), MAX_ENTRIES);
        assert!(shown.ends_with(", ...]"), "{shown}");
    }

    #[test]
    fn control_codes_by_name_or_by_parts() {
        assert_eq!(control_code(0x0007_0000), "IOCTL_DISK_GET_DRIVE_GEOMETRY");
        assert_eq!(
            control_code(0x0022_2003),
            "CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS)"
        );
        assert_eq!(
            control_code(0x1234_c001),
            "CTL_CODE(0x1234, 0, METHOD_IN_DIRECT, FILE_READ_ACCESS|FILE_WRITE_ACCESS)"
        );
    }

    #[test]
    fn handle_arrays_as_the_kernel_read_them() {
        let mut handles = vec![];
        handles.extend(0x1cu64.to_le_bytes());
        handles.extend(u64::MAX.to_le_bytes());
        let runs = [run(0x1000, Direction::KernelRead, &handles)];
        let v = view(Arch::X64, &runs, &[2, 0x1000, 3]);
        assert_eq!(
            render_arg(ArgKind::HandleArray(0), 1, &v),
            "[0x1c, NtCurrentProcess]"
        );
        // A count beyond what the kernel read: the pointer, not guesses.
        assert_eq!(render_arg(ArgKind::HandleArray(2), 1, &v), "0x1000");
    }

    #[test]
    fn filetimes_are_dates() {
        assert_eq!(
            filetime(133_485_408_000_000_000),
            "2024-01-01T00:00:00.000Z"
        );
        assert_eq!(
            filetime(116_444_736_000_000_000),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(filetime(0), "0");
        assert_eq!(filetime(-5), "-5");
        assert_eq!(filetime(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn key_information_names_the_key() {
        let mut basic = vec![];
        basic.extend(133_485_408_000_000_000i64.to_le_bytes());
        basic.extend(0u32.to_le_bytes());
        basic.extend(14u32.to_le_bytes());
        basic.extend(utf16("vmscope"));
        assert_eq!(
            key_information(0, &basic).unwrap(),
            r#"{LastWriteTime=2024-01-01T00:00:00.000Z, Name="vmscope"}"#
        );
        let mut name = vec![];
        name.extend(8u32.to_le_bytes());
        name.extend(utf16("\\REG"));
        assert_eq!(key_information(3, &name).unwrap(), r#"{Name="\REG"}"#);
        // A NameLength past the bytes is not followed.
        basic[12] = 200;
        assert_eq!(key_information(0, &basic), None);
    }

    #[test]
    fn names_of_masks_statuses_and_handles() {
        assert_eq!(
            access_mask("NtOpenFile", 0x0012_019f),
            "FILE_GENERIC_READ|FILE_GENERIC_WRITE"
        );
        assert_eq!(access_mask("NtOpenKey", 0x0002_0019), "KEY_READ");
        assert_eq!(access_mask("NtClose", 0x0010_0001), "SYNCHRONIZE|0x1");
        assert_eq!(
            status_text(0xc000_0034),
            "0xc0000034 STATUS_OBJECT_NAME_NOT_FOUND"
        );
        assert_eq!(status_text(0), "0 STATUS_SUCCESS");
        assert_eq!(status_text(0xdead_beef), "0xdeadbeef");
        assert_eq!(handle(Arch::X86, 0xffff_ffff), "NtCurrentProcess");
        assert_eq!(handle(Arch::X64, u64::MAX - 1), "NtCurrentThread");
        assert_eq!(handle(Arch::X64, 0x1c), "0x1c");
        assert_eq!(
            quote_utf16(&[0x41, 0x22, 0x7, 0xd800], true),
            r#""A\"\x07\ud800""#
        );
    }
}
