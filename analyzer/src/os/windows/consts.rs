//! Name tables for `render.rs`: NTSTATUS codes, access rights, file
//! options, information classes and memory constants, with the values of
//! the Windows SDK and WDK headers (ntstatus.h, winnt.h, wdm.h, ntifs.h).
//! Facts, in the order a flag set is printed in.

/// (value, name) pairs; a zero value names the empty set.
pub(super) type Names = &'static [(u64, &'static str)];

/// NTSTATUS codes a journal meets most, by value.
pub(super) const STATUS: &[(u32, &str)] = &[
    (0x0000_0000, "STATUS_SUCCESS"),
    (0x0000_0001, "STATUS_WAIT_1"),
    (0x0000_0080, "STATUS_ABANDONED"),
    (0x0000_00c0, "STATUS_USER_APC"),
    (0x0000_0101, "STATUS_ALERTED"),
    (0x0000_0102, "STATUS_TIMEOUT"),
    (0x0000_0103, "STATUS_PENDING"),
    (0x0000_0104, "STATUS_REPARSE"),
    (0x0000_0105, "STATUS_MORE_ENTRIES"),
    (0x0000_0106, "STATUS_NOT_ALL_ASSIGNED"),
    (0x0000_0107, "STATUS_SOME_NOT_MAPPED"),
    (0x0000_010c, "STATUS_NOTIFY_ENUM_DIR"),
    (0x4000_0000, "STATUS_OBJECT_NAME_EXISTS"),
    (0x4000_0024, "STATUS_NO_YIELD_PERFORMED"),
    (0x4000_0003, "STATUS_IMAGE_NOT_AT_BASE"),
    (0x4000_000e, "STATUS_IMAGE_MACHINE_TYPE_MISMATCH"),
    (0x8000_0002, "STATUS_DATATYPE_MISALIGNMENT"),
    (0x8000_0005, "STATUS_BUFFER_OVERFLOW"),
    (0x8000_0006, "STATUS_NO_MORE_FILES"),
    (0x8000_001a, "STATUS_NO_MORE_ENTRIES"),
    (0xc000_0001, "STATUS_UNSUCCESSFUL"),
    (0xc000_0002, "STATUS_NOT_IMPLEMENTED"),
    (0xc000_0003, "STATUS_INVALID_INFO_CLASS"),
    (0xc000_0004, "STATUS_INFO_LENGTH_MISMATCH"),
    (0xc000_0005, "STATUS_ACCESS_VIOLATION"),
    (0xc000_0008, "STATUS_INVALID_HANDLE"),
    (0xc000_000d, "STATUS_INVALID_PARAMETER"),
    (0xc000_000e, "STATUS_NO_SUCH_DEVICE"),
    (0xc000_000f, "STATUS_NO_SUCH_FILE"),
    (0xc000_0010, "STATUS_INVALID_DEVICE_REQUEST"),
    (0xc000_0011, "STATUS_END_OF_FILE"),
    (0xc000_0017, "STATUS_NO_MEMORY"),
    (0xc000_0018, "STATUS_CONFLICTING_ADDRESSES"),
    (0xc000_001c, "STATUS_INVALID_SYSTEM_SERVICE"),
    (0xc000_001d, "STATUS_ILLEGAL_INSTRUCTION"),
    (0xc000_0022, "STATUS_ACCESS_DENIED"),
    (0xc000_0023, "STATUS_BUFFER_TOO_SMALL"),
    (0xc000_0024, "STATUS_OBJECT_TYPE_MISMATCH"),
    (0xc000_0025, "STATUS_NONCONTINUABLE_EXCEPTION"),
    (0xc000_002d, "STATUS_UNABLE_TO_FREE_VM"),
    (0xc000_0030, "STATUS_INVALID_PARAMETER_MIX"),
    (0xc000_0033, "STATUS_OBJECT_NAME_INVALID"),
    (0xc000_0034, "STATUS_OBJECT_NAME_NOT_FOUND"),
    (0xc000_0035, "STATUS_OBJECT_NAME_COLLISION"),
    (0xc000_0039, "STATUS_OBJECT_PATH_INVALID"),
    (0xc000_003a, "STATUS_OBJECT_PATH_NOT_FOUND"),
    (0xc000_003b, "STATUS_OBJECT_PATH_SYNTAX_BAD"),
    (0xc000_0043, "STATUS_SHARING_VIOLATION"),
    (0xc000_0045, "STATUS_INVALID_PAGE_PROTECTION"),
    (0xc000_0054, "STATUS_FILE_LOCK_CONFLICT"),
    (0xc000_0056, "STATUS_DELETE_PENDING"),
    (0xc000_0061, "STATUS_PRIVILEGE_NOT_HELD"),
    (0xc000_007f, "STATUS_DISK_FULL"),
    (0xc000_009a, "STATUS_INSUFFICIENT_RESOURCES"),
    (0xc000_00ba, "STATUS_FILE_IS_A_DIRECTORY"),
    (0xc000_00bb, "STATUS_NOT_SUPPORTED"),
    (0xc000_00e5, "STATUS_INTERNAL_ERROR"),
    (0xc000_00e8, "STATUS_INVALID_USER_BUFFER"),
    (0xc000_00f0, "STATUS_INVALID_PARAMETER_2"),
    (0xc000_0101, "STATUS_DIRECTORY_NOT_EMPTY"),
    (0xc000_0103, "STATUS_NOT_A_DIRECTORY"),
    (0xc000_0106, "STATUS_NAME_TOO_LONG"),
    (0xc000_010a, "STATUS_PROCESS_IS_TERMINATING"),
    (0xc000_0120, "STATUS_CANCELLED"),
    (0xc000_0135, "STATUS_DLL_NOT_FOUND"),
    (0xc000_0139, "STATUS_ENTRYPOINT_NOT_FOUND"),
    (0xc000_013a, "STATUS_CONTROL_C_EXIT"),
    (0xc000_0142, "STATUS_DLL_INIT_FAILED"),
    (0xc000_0225, "STATUS_NOT_FOUND"),
    (0xc000_0409, "STATUS_STACK_BUFFER_OVERRUN"),
];

/// Specific rights by object type share bits; generic and standard rights
/// are common. File rights (winnt.h FILE_*), first the composites.
pub(super) const FILE_ACCESS: Names = &[
    (0x001f_01ff, "FILE_ALL_ACCESS"),
    (0x0012_0089, "FILE_GENERIC_READ"),
    (0x0012_0116, "FILE_GENERIC_WRITE"),
    (0x0012_00a0, "FILE_GENERIC_EXECUTE"),
    (0x0001, "FILE_READ_DATA"),
    (0x0002, "FILE_WRITE_DATA"),
    (0x0004, "FILE_APPEND_DATA"),
    (0x0008, "FILE_READ_EA"),
    (0x0010, "FILE_WRITE_EA"),
    (0x0020, "FILE_EXECUTE"),
    (0x0040, "FILE_DELETE_CHILD"),
    (0x0080, "FILE_READ_ATTRIBUTES"),
    (0x0100, "FILE_WRITE_ATTRIBUTES"),
];

pub(super) const KEY_ACCESS: Names = &[
    (0x000f_003f, "KEY_ALL_ACCESS"),
    (0x0002_0019, "KEY_READ"),
    (0x0002_0006, "KEY_WRITE"),
    (0x0001, "KEY_QUERY_VALUE"),
    (0x0002, "KEY_SET_VALUE"),
    (0x0004, "KEY_CREATE_SUB_KEY"),
    (0x0008, "KEY_ENUMERATE_SUB_KEYS"),
    (0x0010, "KEY_NOTIFY"),
    (0x0020, "KEY_CREATE_LINK"),
    (0x0100, "KEY_WOW64_64KEY"),
    (0x0200, "KEY_WOW64_32KEY"),
];

pub(super) const PROCESS_ACCESS: Names = &[
    (0x001f_ffff, "PROCESS_ALL_ACCESS"),
    (0x0001, "PROCESS_TERMINATE"),
    (0x0002, "PROCESS_CREATE_THREAD"),
    (0x0008, "PROCESS_VM_OPERATION"),
    (0x0010, "PROCESS_VM_READ"),
    (0x0020, "PROCESS_VM_WRITE"),
    (0x0040, "PROCESS_DUP_HANDLE"),
    (0x0080, "PROCESS_CREATE_PROCESS"),
    (0x0100, "PROCESS_SET_QUOTA"),
    (0x0200, "PROCESS_SET_INFORMATION"),
    (0x0400, "PROCESS_QUERY_INFORMATION"),
    (0x0800, "PROCESS_SUSPEND_RESUME"),
    (0x1000, "PROCESS_QUERY_LIMITED_INFORMATION"),
];

pub(super) const THREAD_ACCESS: Names = &[
    (0x001f_ffff, "THREAD_ALL_ACCESS"),
    (0x0001, "THREAD_TERMINATE"),
    (0x0002, "THREAD_SUSPEND_RESUME"),
    (0x0008, "THREAD_GET_CONTEXT"),
    (0x0010, "THREAD_SET_CONTEXT"),
    (0x0020, "THREAD_SET_INFORMATION"),
    (0x0040, "THREAD_QUERY_INFORMATION"),
    (0x0080, "THREAD_SET_THREAD_TOKEN"),
    (0x0100, "THREAD_IMPERSONATE"),
    (0x0200, "THREAD_DIRECT_IMPERSONATION"),
    (0x0800, "THREAD_QUERY_LIMITED_INFORMATION"),
];

pub(super) const SECTION_ACCESS: Names = &[
    (0x000f_001f, "SECTION_ALL_ACCESS"),
    (0x0001, "SECTION_QUERY"),
    (0x0002, "SECTION_MAP_WRITE"),
    (0x0004, "SECTION_MAP_READ"),
    (0x0008, "SECTION_MAP_EXECUTE"),
    (0x0010, "SECTION_EXTEND_SIZE"),
];

/// Standard and generic rights, after the specific ones.
pub(super) const COMMON_ACCESS: Names = &[
    (0x0001_0000, "DELETE"),
    (0x0002_0000, "READ_CONTROL"),
    (0x0004_0000, "WRITE_DAC"),
    (0x0008_0000, "WRITE_OWNER"),
    (0x0010_0000, "SYNCHRONIZE"),
    (0x0100_0000, "ACCESS_SYSTEM_SECURITY"),
    (0x0200_0000, "MAXIMUM_ALLOWED"),
    (0x1000_0000, "GENERIC_ALL"),
    (0x2000_0000, "GENERIC_EXECUTE"),
    (0x4000_0000, "GENERIC_WRITE"),
    (0x8000_0000, "GENERIC_READ"),
];

pub(super) const FILE_ATTRIBUTES: Names = &[
    (0x0001, "FILE_ATTRIBUTE_READONLY"),
    (0x0002, "FILE_ATTRIBUTE_HIDDEN"),
    (0x0004, "FILE_ATTRIBUTE_SYSTEM"),
    (0x0010, "FILE_ATTRIBUTE_DIRECTORY"),
    (0x0020, "FILE_ATTRIBUTE_ARCHIVE"),
    (0x0040, "FILE_ATTRIBUTE_DEVICE"),
    (0x0080, "FILE_ATTRIBUTE_NORMAL"),
    (0x0100, "FILE_ATTRIBUTE_TEMPORARY"),
    (0x0200, "FILE_ATTRIBUTE_SPARSE_FILE"),
    (0x0400, "FILE_ATTRIBUTE_REPARSE_POINT"),
    (0x0800, "FILE_ATTRIBUTE_COMPRESSED"),
    (0x1000, "FILE_ATTRIBUTE_OFFLINE"),
    (0x2000, "FILE_ATTRIBUTE_NOT_CONTENT_INDEXED"),
    (0x4000, "FILE_ATTRIBUTE_ENCRYPTED"),
];

pub(super) const SHARE_ACCESS: Names = &[
    (0x1, "FILE_SHARE_READ"),
    (0x2, "FILE_SHARE_WRITE"),
    (0x4, "FILE_SHARE_DELETE"),
];

pub(super) const CREATE_DISPOSITION: Names = &[
    (0, "FILE_SUPERSEDE"),
    (1, "FILE_OPEN"),
    (2, "FILE_CREATE"),
    (3, "FILE_OPEN_IF"),
    (4, "FILE_OVERWRITE"),
    (5, "FILE_OVERWRITE_IF"),
];

pub(super) const CREATE_OPTIONS: Names = &[
    (0x0000_0001, "FILE_DIRECTORY_FILE"),
    (0x0000_0002, "FILE_WRITE_THROUGH"),
    (0x0000_0004, "FILE_SEQUENTIAL_ONLY"),
    (0x0000_0008, "FILE_NO_INTERMEDIATE_BUFFERING"),
    (0x0000_0010, "FILE_SYNCHRONOUS_IO_ALERT"),
    (0x0000_0020, "FILE_SYNCHRONOUS_IO_NONALERT"),
    (0x0000_0040, "FILE_NON_DIRECTORY_FILE"),
    (0x0000_0080, "FILE_CREATE_TREE_CONNECTION"),
    (0x0000_0100, "FILE_COMPLETE_IF_OPLOCKED"),
    (0x0000_0200, "FILE_NO_EA_KNOWLEDGE"),
    (0x0000_0400, "FILE_OPEN_REMOTE_INSTANCE"),
    (0x0000_0800, "FILE_RANDOM_ACCESS"),
    (0x0000_1000, "FILE_DELETE_ON_CLOSE"),
    (0x0000_2000, "FILE_OPEN_BY_FILE_ID"),
    (0x0000_4000, "FILE_OPEN_FOR_BACKUP_INTENT"),
    (0x0000_8000, "FILE_NO_COMPRESSION"),
    (0x0001_0000, "FILE_OPEN_REQUIRING_OPLOCK"),
    (0x0010_0000, "FILE_RESERVE_OPFILTER"),
    (0x0020_0000, "FILE_OPEN_REPARSE_POINT"),
    (0x0040_0000, "FILE_OPEN_NO_RECALL"),
    (0x0080_0000, "FILE_OPEN_FOR_FREE_SPACE_QUERY"),
];

/// OBJECT_ATTRIBUTES.Attributes.
pub(super) const OBJ_ATTRIBUTES: Names = &[
    (0x0002, "OBJ_INHERIT"),
    (0x0010, "OBJ_PERMANENT"),
    (0x0020, "OBJ_EXCLUSIVE"),
    (0x0040, "OBJ_CASE_INSENSITIVE"),
    (0x0080, "OBJ_OPENIF"),
    (0x0100, "OBJ_OPENLINK"),
    (0x0200, "OBJ_KERNEL_HANDLE"),
    (0x0400, "OBJ_FORCE_ACCESS_CHECK"),
];

pub(super) const PAGE_PROTECT: Names = &[
    (0x01, "PAGE_NOACCESS"),
    (0x02, "PAGE_READONLY"),
    (0x04, "PAGE_READWRITE"),
    (0x08, "PAGE_WRITECOPY"),
    (0x10, "PAGE_EXECUTE"),
    (0x20, "PAGE_EXECUTE_READ"),
    (0x40, "PAGE_EXECUTE_READWRITE"),
    (0x80, "PAGE_EXECUTE_WRITECOPY"),
    (0x100, "PAGE_GUARD"),
    (0x200, "PAGE_NOCACHE"),
    (0x400, "PAGE_WRITECOMBINE"),
];

pub(super) const ALLOCATION_TYPE: Names = &[
    (0x0000_1000, "MEM_COMMIT"),
    (0x0000_2000, "MEM_RESERVE"),
    (0x0000_4000, "MEM_DECOMMIT"),
    (0x0000_8000, "MEM_RELEASE"),
    (0x0001_0000, "MEM_FREE"),
    (0x0002_0000, "MEM_PRIVATE"),
    (0x0004_0000, "MEM_MAPPED"),
    (0x0008_0000, "MEM_RESET"),
    (0x0010_0000, "MEM_TOP_DOWN"),
    (0x0020_0000, "MEM_WRITE_WATCH"),
    (0x0040_0000, "MEM_PHYSICAL"),
    (0x0100_0000, "MEM_RESET_UNDO"),
    (0x2000_0000, "MEM_LARGE_PAGES"),
];

pub(super) const SECTION_ATTRIBUTES: Names = &[
    (0x0080_0000, "SEC_FILE"),
    (0x0100_0000, "SEC_IMAGE"),
    (0x0200_0000, "SEC_PROTECTED_IMAGE"),
    (0x0400_0000, "SEC_RESERVE"),
    (0x0800_0000, "SEC_COMMIT"),
    (0x1000_0000, "SEC_NOCACHE"),
    (0x4000_0000, "SEC_WRITECOMBINE"),
    (0x8000_0000, "SEC_LARGE_PAGES"),
];

pub(super) const SECTION_INHERIT: Names = &[(1, "ViewShare"), (2, "ViewUnmap")];

pub(super) const REG_TYPES: Names = &[
    (0, "REG_NONE"),
    (1, "REG_SZ"),
    (2, "REG_EXPAND_SZ"),
    (3, "REG_BINARY"),
    (4, "REG_DWORD"),
    (5, "REG_DWORD_BIG_ENDIAN"),
    (6, "REG_LINK"),
    (7, "REG_MULTI_SZ"),
    (8, "REG_RESOURCE_LIST"),
    (9, "REG_FULL_RESOURCE_DESCRIPTOR"),
    (10, "REG_RESOURCE_REQUIREMENTS_LIST"),
    (11, "REG_QWORD"),
];

pub(super) const DUPLICATE_OPTIONS: Names = &[
    (0x1, "DUPLICATE_CLOSE_SOURCE"),
    (0x2, "DUPLICATE_SAME_ACCESS"),
    (0x4, "DUPLICATE_SAME_ATTRIBUTES"),
];

/// FILE_INFORMATION_CLASS, from 1.
pub(super) const FILE_INFO_CLASSES: &[&str] = &[
    "FileDirectoryInformation",
    "FileFullDirectoryInformation",
    "FileBothDirectoryInformation",
    "FileBasicInformation",
    "FileStandardInformation",
    "FileInternalInformation",
    "FileEaInformation",
    "FileAccessInformation",
    "FileNameInformation",
    "FileRenameInformation",
    "FileLinkInformation",
    "FileNamesInformation",
    "FileDispositionInformation",
    "FilePositionInformation",
    "FileFullEaInformation",
    "FileModeInformation",
    "FileAlignmentInformation",
    "FileAllInformation",
    "FileAllocationInformation",
    "FileEndOfFileInformation",
    "FileAlternateNameInformation",
    "FileStreamInformation",
    "FilePipeInformation",
    "FilePipeLocalInformation",
    "FilePipeRemoteInformation",
    "FileMailslotQueryInformation",
    "FileMailslotSetInformation",
    "FileCompressionInformation",
    "FileObjectIdInformation",
    "FileCompletionInformation",
    "FileMoveClusterInformation",
    "FileQuotaInformation",
    "FileReparsePointInformation",
    "FileNetworkOpenInformation",
    "FileAttributeTagInformation",
    "FileTrackingInformation",
    "FileIdBothDirectoryInformation",
    "FileIdFullDirectoryInformation",
    "FileValidDataLengthInformation",
    "FileShortNameInformation",
];

/// PROCESSINFOCLASS, from 0.
pub(super) const PROCESS_INFO_CLASSES: &[&str] = &[
    "ProcessBasicInformation",
    "ProcessQuotaLimits",
    "ProcessIoCounters",
    "ProcessVmCounters",
    "ProcessTimes",
    "ProcessBasePriority",
    "ProcessRaisePriority",
    "ProcessDebugPort",
    "ProcessExceptionPort",
    "ProcessAccessToken",
    "ProcessLdtInformation",
    "ProcessLdtSize",
    "ProcessDefaultHardErrorMode",
    "ProcessIoPortHandlers",
    "ProcessPooledUsageAndLimits",
    "ProcessWorkingSetWatch",
    "ProcessUserModeIOPL",
    "ProcessEnableAlignmentFaultFixup",
    "ProcessPriorityClass",
    "ProcessWx86Information",
    "ProcessHandleCount",
    "ProcessAffinityMask",
    "ProcessPriorityBoost",
    "ProcessDeviceMap",
    "ProcessSessionInformation",
    "ProcessForegroundInformation",
    "ProcessWow64Information",
    "ProcessImageFileName",
    "ProcessLUIDDeviceMapsEnabled",
    "ProcessBreakOnTermination",
    "ProcessDebugObjectHandle",
    "ProcessDebugFlags",
    "ProcessHandleTracing",
    "ProcessIoPriority",
    "ProcessExecuteFlags",
    "ProcessTlsInformation",
    "ProcessCookie",
    "ProcessImageInformation",
];

/// THREADINFOCLASS, from 0.
pub(super) const THREAD_INFO_CLASSES: &[&str] = &[
    "ThreadBasicInformation",
    "ThreadTimes",
    "ThreadPriority",
    "ThreadBasePriority",
    "ThreadAffinityMask",
    "ThreadImpersonationToken",
    "ThreadDescriptorTableEntry",
    "ThreadEnableAlignmentFaultFixup",
    "ThreadEventPair",
    "ThreadQuerySetWin32StartAddress",
    "ThreadZeroTlsCell",
    "ThreadPerformanceCount",
    "ThreadAmILastThread",
    "ThreadIdealProcessor",
    "ThreadPriorityBoost",
    "ThreadSetTlsArrayAddress",
    "ThreadIsIoPending",
    "ThreadHideFromDebugger",
];

/// KEY_VALUE_INFORMATION_CLASS, from 0.
pub(super) const KEY_VALUE_INFO_CLASSES: &[&str] = &[
    "KeyValueBasicInformation",
    "KeyValueFullInformation",
    "KeyValuePartialInformation",
    "KeyValueFullInformationAlign64",
    "KeyValuePartialInformationAlign64",
];

/// KEY_INFORMATION_CLASS, from 0.
pub(super) const KEY_INFO_CLASSES: &[&str] = &[
    "KeyBasicInformation",
    "KeyNodeInformation",
    "KeyFullInformation",
    "KeyNameInformation",
    "KeyCachedInformation",
    "KeyFlagsInformation",
    "KeyVirtualizationInformation",
    "KeyHandleTagsInformation",
];

/// SYSTEM_INFORMATION_CLASS, from 0 (the start of it).
pub(super) const SYSTEM_INFO_CLASSES: &[&str] = &[
    "SystemBasicInformation",
    "SystemProcessorInformation",
    "SystemPerformanceInformation",
    "SystemTimeOfDayInformation",
    "SystemPathInformation",
    "SystemProcessInformation",
    "SystemCallCountInformation",
    "SystemDeviceInformation",
    "SystemProcessorPerformanceInformation",
    "SystemFlagsInformation",
    "SystemCallTimeInformation",
    "SystemModuleInformation",
];

/// MEMORY_INFORMATION_CLASS, from 0.
pub(super) const MEMORY_INFO_CLASSES: &[&str] = &[
    "MemoryBasicInformation",
    "MemoryWorkingSetInformation",
    "MemoryMappedFilenameInformation",
    "MemoryRegionInformation",
    "MemoryWorkingSetExInformation",
];

/// FS_INFORMATION_CLASS, from 1.
pub(super) const FS_INFO_CLASSES: &[&str] = &[
    "FileFsVolumeInformation",
    "FileFsLabelInformation",
    "FileFsSizeInformation",
    "FileFsDeviceInformation",
    "FileFsAttributeInformation",
    "FileFsControlInformation",
    "FileFsFullSizeInformation",
    "FileFsObjectIdInformation",
    "FileFsDriverPathInformation",
    "FileFsVolumeFlagsInformation",
    "FileFsSectorSizeInformation",
];

/// WAIT_TYPE.
pub(super) const WAIT_TYPES: Names = &[(0, "WaitAll"), (1, "WaitAny")];

/// DEVICE_TYPE values (FILE_DEVICE_*) that CTL_CODE and
/// FILE_FS_DEVICE_INFORMATION name.
pub(super) const DEVICE_TYPES: Names = &[
    (0x01, "FILE_DEVICE_BEEP"),
    (0x02, "FILE_DEVICE_CD_ROM"),
    (0x03, "FILE_DEVICE_CD_ROM_FILE_SYSTEM"),
    (0x07, "FILE_DEVICE_DISK"),
    (0x08, "FILE_DEVICE_DISK_FILE_SYSTEM"),
    (0x09, "FILE_DEVICE_FILE_SYSTEM"),
    (0x0b, "FILE_DEVICE_KEYBOARD"),
    (0x0d, "FILE_DEVICE_MAILSLOT"),
    (0x11, "FILE_DEVICE_NAMED_PIPE"),
    (0x12, "FILE_DEVICE_NETWORK"),
    (0x14, "FILE_DEVICE_NETWORK_FILE_SYSTEM"),
    (0x15, "FILE_DEVICE_NULL"),
    (0x22, "FILE_DEVICE_UNKNOWN"),
    (0x2d, "FILE_DEVICE_MASS_STORAGE"),
    (0x4d, "FILE_DEVICE_KSEC"),
];

/// Control codes by name: the IOCTL_* and FSCTL_* a journal meets most.
pub(super) const CONTROL_CODES: Names = &[
    (0x0007_0000, "IOCTL_DISK_GET_DRIVE_GEOMETRY"),
    (0x0007_0048, "IOCTL_DISK_GET_PARTITION_INFO_EX"),
    (0x0007_0050, "IOCTL_DISK_GET_DRIVE_LAYOUT_EX"),
    (0x0007_00a0, "IOCTL_DISK_GET_DRIVE_GEOMETRY_EX"),
    (0x0007_405c, "IOCTL_DISK_GET_LENGTH_INFO"),
    (0x002d_1080, "IOCTL_STORAGE_GET_DEVICE_NUMBER"),
    (0x002d_1400, "IOCTL_STORAGE_QUERY_PROPERTY"),
    (0x0056_0000, "IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS"),
    (0x0009_0018, "FSCTL_LOCK_VOLUME"),
    (0x0009_001c, "FSCTL_UNLOCK_VOLUME"),
    (0x0009_0020, "FSCTL_DISMOUNT_VOLUME"),
    (0x0009_0028, "FSCTL_IS_VOLUME_MOUNTED"),
    (0x0009_00a8, "FSCTL_GET_REPARSE_POINT"),
    (0x0009_00a4, "FSCTL_SET_REPARSE_POINT"),
    (0x0009_00c4, "FSCTL_SET_SPARSE"),
    (0x0009_0064, "FSCTL_GET_NTFS_VOLUME_DATA"),
    (0x0009_4264, "FSCTL_GET_OBJECT_ID"),
    (0x0011_0018, "FSCTL_PIPE_WAIT"),
    (0x0011_400c, "FSCTL_PIPE_PEEK"),
    (0x0011_c017, "FSCTL_PIPE_TRANSCEIVE"),
];

pub(super) const TRANSFER_METHODS: [&str; 4] = [
    "METHOD_BUFFERED",
    "METHOD_IN_DIRECT",
    "METHOD_OUT_DIRECT",
    "METHOD_NEITHER",
];

pub(super) const CONTROL_ACCESS: [&str; 4] = [
    "FILE_ANY_ACCESS",
    "FILE_READ_ACCESS",
    "FILE_WRITE_ACCESS",
    "FILE_READ_ACCESS|FILE_WRITE_ACCESS",
];
