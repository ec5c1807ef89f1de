//! How each argument of an NT system service is shown: the kinds the
//! generated tables (`syscalls.rs`) name and `render.rs` renders.
//!
//! Numbers in a variant are 0-based argument positions of the same call
//! (a buffer's length).

/// The rendering of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Unsigned decimal: ULONG counts and lengths, SIZE_T values.
    UInt,
    /// Hexadecimal: flags and values with no name table.
    Hex,
    /// An address: shown in hex, or NULL.
    Ptr,
    /// BOOLEAN: TRUE / FALSE.
    Bool,
    /// A handle the service uses, with the object behind it; pseudo-handles
    /// by name (NtCurrentProcess, NtCurrentThread).
    Handle,
    /// A PHANDLE the kernel writes: the new handle.
    HandleOut,
    /// POBJECT_ATTRIBUTES: RootDirectory, ObjectName, Attributes.
    ObjectAttributes,
    /// A PUNICODE_STRING the kernel reads.
    UnicodeString,
    /// A PIO_STATUS_BLOCK the kernel writes: Status and Information.
    IoStatusBlock,
    /// A PLARGE_INTEGER the kernel reads (a byte offset, a size, a timeout).
    LargeIntegerIn,
    /// A PLARGE_INTEGER the kernel writes.
    LargeIntegerOut,
    /// ACCESS_MASK: FILE_GENERIC_READ|SYNCHRONIZE...
    AccessMask,
    /// File attributes: FILE_ATTRIBUTE_NORMAL...
    FileAttributes,
    /// ShareAccess: FILE_SHARE_READ|...
    ShareAccess,
    /// CreateDisposition: FILE_OPEN, FILE_OVERWRITE_IF...
    CreateDisposition,
    /// CreateOptions / OpenOptions: FILE_SYNCHRONOUS_IO_NONALERT|...
    CreateOptions,
    /// A buffer the kernel reads; its length is argument `.0`.
    BufIn(u8),
    /// A buffer the kernel fills, at most argument `.0` bytes.
    BufOut(u8),
    /// A PULONG the kernel writes (ReturnLength, OldProtect...).
    ULongOut,
    /// A PULONG the kernel reads.
    ULongIn,
    /// A PSIZE_T the kernel reads and writes (RegionSize, ViewSize).
    SizeInOut,
    /// A PVOID* the kernel reads and writes (BaseAddress).
    PtrInOut,
    /// A PCLIENT_ID the kernel reads: UniqueProcess, UniqueThread.
    ClientId,
    /// FILE_INFORMATION_CLASS: FileStandardInformation...
    FileInfoClass,
    /// PROCESSINFOCLASS: ProcessBasicInformation...
    ProcessInfoClass,
    /// THREADINFOCLASS.
    ThreadInfoClass,
    /// KEY_VALUE_INFORMATION_CLASS: KeyValuePartialInformation...
    KeyValueInfoClass,
    /// KEY_INFORMATION_CLASS.
    KeyInfoClass,
    /// SYSTEM_INFORMATION_CLASS.
    SystemInfoClass,
    /// MEMORY_INFORMATION_CLASS.
    MemoryInfoClass,
    /// Page protection: PAGE_READWRITE...
    PageProtect,
    /// MEM_COMMIT|MEM_RESERVE, MEM_RELEASE...
    AllocationType,
    /// Section allocation attributes: SEC_COMMIT, SEC_IMAGE...
    SectionAttributes,
    /// SECTION_INHERIT: ViewShare, ViewUnmap.
    SectionInherit,
    /// A registry value type: REG_SZ, REG_DWORD...
    RegType,
    /// NtDuplicateObject options: DUPLICATE_CLOSE_SOURCE|DUPLICATE_SAME_ACCESS.
    DuplicateOptions,
    /// An NTSTATUS passed in (an exit status): STATUS_SUCCESS or its value.
    Status,
    /// PPS_ATTRIBUTE_LIST: the attributes, and the client id the kernel
    /// writes back.
    PsAttributeList,
    /// PRTL_USER_PROCESS_PARAMETERS: ImagePathName and CommandLine.
    ProcessParameters,
    /// FS_INFORMATION_CLASS: FileFsDeviceInformation...
    FsInfoClass,
    /// WAIT_TYPE: WaitAll, WaitAny.
    WaitType,
    /// A device or file system control code: its name, or CTL_CODE(...).
    IoControlCode,
    /// A FILE_BASIC_INFORMATION the kernel writes (NtQueryAttributesFile).
    FileBasicInfoOut,
    /// A FILE_NETWORK_OPEN_INFORMATION the kernel writes.
    FileNetworkOpenInfoOut,
    /// An array of handles the kernel reads; argument `.0` counts them.
    HandleArray(u8),
}
