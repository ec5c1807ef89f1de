/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nt.h: the NT types, structures and constants of the synthetic NT-ABI
 * guest, shared by its kernel and its user program. Layouts are NT's for
 * the architecture being compiled (x64 with -m64, x86 with -m32); the
 * static assertions at the end pin the offsets the analyzer relies on.
 * This is not Windows and contains no Windows code.
 */
#ifndef NT_H
#define NT_H

#ifdef __x86_64__
typedef unsigned long long ULONG_PTR;
typedef long long LONG_PTR;
#define NTAPI __attribute__((ms_abi))
#else
typedef unsigned long ULONG_PTR;
typedef long LONG_PTR;
#define NTAPI __attribute__((stdcall))
#endif

typedef unsigned char UCHAR, BOOLEAN;
typedef unsigned short USHORT, WCHAR;
typedef unsigned int ULONG;
typedef int LONG, NTSTATUS;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG;
typedef void *PVOID, *HANDLE;
typedef ULONG_PTR SIZE_T;
typedef ULONG ACCESS_MASK;

/* MSVC aligns 64-bit integers to 8 in structures on x86 too. */
typedef union {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    LONGLONG QuadPart;
} __attribute__((aligned(8))) LARGE_INTEGER;

typedef struct {
    USHORT Length;        /* bytes, without a terminator */
    USHORT MaximumLength;
    WCHAR *Buffer;
} UNICODE_STRING;

typedef struct {
    ULONG Length;
    HANDLE RootDirectory;
    UNICODE_STRING *ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES;

typedef struct {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK;

typedef struct {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID;

typedef struct {
    ULONG_PTR Attribute;
    SIZE_T Size;
    union {
        ULONG_PTR Value;
        PVOID ValuePtr;
    };
    SIZE_T *ReturnLength;
} PS_ATTRIBUTE;

typedef struct {
    SIZE_T TotalLength;
    PS_ATTRIBUTE Attributes[2];
} PS_ATTRIBUTE_LIST;

typedef struct {
    UNICODE_STRING DosPath;
    HANDLE Handle;
} CURDIR;

typedef struct {
    ULONG MaximumLength;
    ULONG Length;
    ULONG Flags;
    ULONG DebugFlags;
    HANDLE ConsoleHandle;
    ULONG ConsoleFlags;
    HANDLE StandardInput;
    HANDLE StandardOutput;
    HANDLE StandardError;
    CURDIR CurrentDirectory;
    UNICODE_STRING DllPath;
    UNICODE_STRING ImagePathName;
    UNICODE_STRING CommandLine;
    PVOID Environment;
} RTL_USER_PROCESS_PARAMETERS;

/* PS_CREATE_INFO: only Size and State are used; the rest keeps NT's size
 * (0x58 on x64, 0x48 on x86). */
typedef struct {
    SIZE_T Size;
    ULONG State;
    ULONG Rest[sizeof(void *) == 8 ? 18 : 16];
} PS_CREATE_INFO;

typedef struct {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} FILE_STANDARD_INFORMATION;

typedef struct {
    LARGE_INTEGER CurrentByteOffset;
} FILE_POSITION_INFORMATION;

typedef struct {
    BOOLEAN DeleteFile;
} FILE_DISPOSITION_INFORMATION;

typedef struct {
    NTSTATUS ExitStatus;
    PVOID PebBaseAddress;
    ULONG_PTR AffinityMask;
    LONG BasePriority;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION;

typedef struct {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION;

/* NtQueryAttributesFile. */
typedef struct {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    ULONG FileAttributes;
} FILE_BASIC_INFORMATION;

/* NtQueryFullAttributesFile. */
typedef struct {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG FileAttributes;
} FILE_NETWORK_OPEN_INFORMATION;

/* NtQueryDirectoryFile, FileDirectoryInformation (1): entries chained by
 * NextEntryOffset (8-byte aligned, 0 in the last), the name not
 * terminated. */
typedef struct {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength; /* bytes */
    WCHAR FileName[1];
} FILE_DIRECTORY_INFORMATION;

/* FileBothDirectoryInformation (3): the same, then the 8.3 name. */
typedef struct {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    char ShortNameLength; /* CCHAR, bytes */
    WCHAR ShortName[12];
    WCHAR FileName[1];
} FILE_BOTH_DIR_INFORMATION;

/* NtQueryVolumeInformationFile, FileFsDeviceInformation (4). */
typedef struct {
    ULONG DeviceType;
    ULONG Characteristics;
} FILE_FS_DEVICE_INFORMATION;

/* IOCTL_DISK_GET_DRIVE_GEOMETRY's output. */
typedef struct {
    LARGE_INTEGER Cylinders;
    ULONG MediaType; /* MEDIA_TYPE */
    ULONG TracksPerCylinder;
    ULONG SectorsPerTrack;
    ULONG BytesPerSector;
} DISK_GEOMETRY;

/* NtQuerySystemInformation, SystemBasicInformation (0). */
typedef struct {
    ULONG Reserved;
    ULONG TimerResolution;
    ULONG PageSize;
    ULONG NumberOfPhysicalPages;
    ULONG LowestPhysicalPageNumber;
    ULONG HighestPhysicalPageNumber;
    ULONG AllocationGranularity;
    ULONG_PTR MinimumUserModeAddress;
    ULONG_PTR MaximumUserModeAddress;
    ULONG_PTR ActiveProcessorsAffinityMask;
    char NumberOfProcessors; /* CCHAR */
} SYSTEM_BASIC_INFORMATION;

/* Offsets in the TEB, the PEB and KUSER_SHARED_DATA. */
#ifdef __x86_64__
#define TEB_EXCEPTION_LIST 0x00
#define TEB_STACK_BASE 0x08
#define TEB_STACK_LIMIT 0x10
#define TEB_SELF 0x30
#define TEB_CLIENT_ID 0x40 /* UniqueProcess; UniqueThread at +0x48 */
#define TEB_PEB 0x60
#define TEB_SIZE 0x2000 /* 0x1838 rounded to pages */
#define PEB_IMAGE_BASE 0x10
#define PEB_PROCESS_PARAMETERS 0x20
#else
#define TEB_EXCEPTION_LIST 0x00
#define TEB_STACK_BASE 0x04
#define TEB_STACK_LIMIT 0x08
#define TEB_SELF 0x18
#define TEB_CLIENT_ID 0x20 /* UniqueProcess; UniqueThread at +0x24 */
#define TEB_PEB 0x30
#define TEB_SIZE 0x1000 /* 0xfe4 */
#define PEB_IMAGE_BASE 0x08
#define PEB_PROCESS_PARAMETERS 0x10
#endif

/* The two TEBs of a WOW64 thread on x64 (Windows 10): TEB64 at X (two
 * pages), TEB32 at X + 0x2000 (one page); each says where the other is. */
#define WOW64_TEB32_OFFSET 0x2000
#define TEB64_WOW_TEB_OFFSET 0x180c /* LONG: +0x2000 */
#define TEB64_TLS_SLOT_1 0x1488     /* TlsSlots[1], WOW64_TLS_CPURESERVED */
#define TEB32_EXCEPTION_LIST 0x00
#define TEB32_STACK_BASE 0x04
#define TEB32_STACK_LIMIT 0x08
#define TEB32_SELF 0x18
#define TEB32_CLIENT_ID 0x20 /* UniqueProcess; UniqueThread at +0x24 */
#define TEB32_PEB 0x30
#define TEB32_WOW_TEB_OFFSET 0xfdc /* LONG: -0x2000 */
#define PEB32_IMAGE_BASE 0x08
#define PEB32_PROCESS_PARAMETERS 0x10

#define SHARED_USER_DATA 0x7ffe0000UL
#define KUSD_IMAGE_NUMBER_LOW 0x2c
#define KUSD_IMAGE_NUMBER_HIGH 0x2e
#define KUSD_NT_SYSTEM_ROOT 0x30
#define KUSD_NT_BUILD_NUMBER 0x260
#define KUSD_NT_PRODUCT_TYPE 0x264
#define KUSD_PRODUCT_TYPE_IS_VALID 0x268
#define KUSD_NATIVE_PROCESSOR_ARCHITECTURE 0x26a
#define KUSD_NT_MAJOR_VERSION 0x26c
#define KUSD_NT_MINOR_VERSION 0x270
#define KUSD_SYSTEM_CALL 0x300        /* x86: pointer to KiFastSystemCall */
#define KUSD_SYSTEM_CALL_RETURN 0x304 /* x86: pointer to KiFastSystemCallRet */

/* Status codes. */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000)
#define STATUS_WAIT_0 ((NTSTATUS)0x00000000)
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102)
#define STATUS_NO_YIELD_PERFORMED ((NTSTATUS)0x40000024)
#define STATUS_DATATYPE_MISALIGNMENT ((NTSTATUS)0x80000002)
#define STATUS_NO_MORE_FILES ((NTSTATUS)0x80000006)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002)
#define STATUS_INVALID_INFO_CLASS ((NTSTATUS)0xC0000003)
#define STATUS_INFO_LENGTH_MISMATCH ((NTSTATUS)0xC0000004)
#define STATUS_ACCESS_VIOLATION ((NTSTATUS)0xC0000005)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000D)
#define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017)
#define STATUS_CONFLICTING_ADDRESSES ((NTSTATUS)0xC0000018)
#define STATUS_INVALID_SYSTEM_SERVICE ((NTSTATUS)0xC000001C)
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023)
#define STATUS_OBJECT_TYPE_MISMATCH ((NTSTATUS)0xC0000024)
#define STATUS_OBJECT_NAME_INVALID ((NTSTATUS)0xC0000033)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034)
#define STATUS_OBJECT_NAME_COLLISION ((NTSTATUS)0xC0000035)
#define STATUS_OBJECT_PATH_NOT_FOUND ((NTSTATUS)0xC000003A)
#define STATUS_DELETE_PENDING ((NTSTATUS)0xC0000056)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009A)
#define STATUS_FILE_IS_A_DIRECTORY ((NTSTATUS)0xC00000BA)
#define STATUS_MEMORY_NOT_ALLOCATED ((NTSTATUS)0xC00000A0)
#define STATUS_SECTION_TOO_BIG ((NTSTATUS)0xC0000040)
#define STATUS_KEY_DELETED ((NTSTATUS)0xC000017C)
#define STATUS_PROCESS_IS_TERMINATING ((NTSTATUS)0xC000010A)
#define STATUS_NOT_MAPPED_VIEW ((NTSTATUS)0xC0000019)
#define STATUS_INVALID_USER_BUFFER ((NTSTATUS)0xC00000E8)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010)
#define STATUS_NO_SUCH_FILE ((NTSTATUS)0xC000000F)
#define STATUS_INVALID_PARAMETER_1 ((NTSTATUS)0xC00000EF)
#define STATUS_INVALID_PARAMETER_3 ((NTSTATUS)0xC00000F1)
#define STATUS_INVALID_PARAMETER_MIX ((NTSTATUS)0xC0000030)

/* Pseudo-handles. */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)

/* Access masks. */
#define DELETE 0x00010000
#define SYNCHRONIZE 0x00100000
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define FILE_APPEND_DATA 0x0004
#define FILE_LIST_DIRECTORY 0x0001
#define FILE_READ_ATTRIBUTES 0x0080
#define FILE_GENERIC_READ 0x00120089
#define FILE_GENERIC_WRITE 0x00120116
#define KEY_QUERY_VALUE 0x0001
#define KEY_SET_VALUE 0x0002
#define KEY_READ 0x00020019
#define KEY_ALL_ACCESS 0x000f003f
#define SECTION_ALL_ACCESS 0x000f001f
#define PROCESS_ALL_ACCESS 0x001fffff
#define THREAD_ALL_ACCESS 0x001fffff

#define OBJ_CASE_INSENSITIVE 0x40

/* Files. */
#define FILE_SHARE_READ 0x1
#define FILE_SHARE_WRITE 0x2
#define FILE_ATTRIBUTE_NORMAL 0x80
#define FILE_SUPERSEDE 0
#define FILE_OPEN 1
#define FILE_CREATE 2
#define FILE_OPEN_IF 3
#define FILE_OVERWRITE 4
#define FILE_OVERWRITE_IF 5
#define FILE_SUPERSEDED 0
#define FILE_OPENED 1
#define FILE_CREATED 2
#define FILE_OVERWRITTEN 3
#define FILE_DIRECTORY_FILE 0x01
#define FILE_SYNCHRONOUS_IO_ALERT 0x10
#define FILE_SYNCHRONOUS_IO_NONALERT 0x20
#define FILE_NON_DIRECTORY_FILE 0x40
#define FILE_USE_FILE_POINTER_POSITION 0xfffffffe
#define FileDispositionInformation 13
#define FilePositionInformation 14
#define FileStandardInformation 5
#define FileDirectoryInformation 1
#define FileBothDirectoryInformation 3
#define FileFsDeviceInformation 4
#define FILE_ATTRIBUTE_DIRECTORY 0x10
#define FILE_ATTRIBUTE_ARCHIVE 0x20
#define FILE_DEVICE_DISK 7
#define FILE_DEVICE_IS_MOUNTED 0x20
#define IOCTL_DISK_GET_DRIVE_GEOMETRY 0x00070000 /* CTL_CODE(7, 0, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define FixedMedia 12

/* Waits. */
#define WaitAll 0
#define WaitAny 1
#define MAXIMUM_WAIT_OBJECTS 64

/* System information. */
#define SystemBasicInformation 0

/* Objects. */
#define DUPLICATE_CLOSE_SOURCE 0x1
#define DUPLICATE_SAME_ACCESS 0x2

/* Processes and threads. */
#define ProcessBasicInformation 0
#define PS_ATTRIBUTE_CLIENT_ID 0x10003
#define PS_ATTRIBUTE_IMAGE_NAME 0x20005
#define PsCreateInitialState 0
#define PsCreateSuccess 6

/* Registry. */
#define REG_SZ 1
#define REG_OPTION_NON_VOLATILE 0
#define REG_CREATED_NEW_KEY 1
#define REG_OPENED_EXISTING_KEY 2
#define KeyValuePartialInformation 2

/* Memory. */
#define MEM_COMMIT 0x1000
#define MEM_RESERVE 0x2000
#define MEM_DECOMMIT 0x4000
#define MEM_RELEASE 0x8000
#define PAGE_NOACCESS 0x01
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04
#define PAGE_EXECUTE_READ 0x20
#define SEC_COMMIT 0x08000000
#define ViewShare 1
#define ViewUnmap 2

#define OFFSETOF(t, f) __builtin_offsetof(t, f)
#ifdef __x86_64__
_Static_assert(sizeof(OBJECT_ATTRIBUTES) == 0x30, "OBJECT_ATTRIBUTES");
_Static_assert(OFFSETOF(OBJECT_ATTRIBUTES, ObjectName) == 0x10, "ObjectName");
_Static_assert(OFFSETOF(OBJECT_ATTRIBUTES, Attributes) == 0x18, "Attributes");
_Static_assert(OFFSETOF(UNICODE_STRING, Buffer) == 8, "UNICODE_STRING");
_Static_assert(sizeof(IO_STATUS_BLOCK) == 16, "IO_STATUS_BLOCK");
_Static_assert(sizeof(PS_ATTRIBUTE) == 32, "PS_ATTRIBUTE");
_Static_assert(OFFSETOF(RTL_USER_PROCESS_PARAMETERS, ImagePathName) == 0x60, "ImagePathName");
_Static_assert(OFFSETOF(RTL_USER_PROCESS_PARAMETERS, CommandLine) == 0x70, "CommandLine");
_Static_assert(sizeof(PS_CREATE_INFO) == 0x58, "PS_CREATE_INFO");
_Static_assert(sizeof(PROCESS_BASIC_INFORMATION) == 0x30, "PROCESS_BASIC_INFORMATION");
_Static_assert(sizeof(SYSTEM_BASIC_INFORMATION) == 0x40, "SYSTEM_BASIC_INFORMATION");
_Static_assert(OFFSETOF(SYSTEM_BASIC_INFORMATION, NumberOfProcessors) == 0x38, "NumberOfProcessors");
#else
_Static_assert(sizeof(OBJECT_ATTRIBUTES) == 0x18, "OBJECT_ATTRIBUTES");
_Static_assert(OFFSETOF(OBJECT_ATTRIBUTES, ObjectName) == 0x8, "ObjectName");
_Static_assert(OFFSETOF(UNICODE_STRING, Buffer) == 4, "UNICODE_STRING");
_Static_assert(sizeof(IO_STATUS_BLOCK) == 8, "IO_STATUS_BLOCK");
_Static_assert(sizeof(PS_ATTRIBUTE) == 16, "PS_ATTRIBUTE");
_Static_assert(OFFSETOF(RTL_USER_PROCESS_PARAMETERS, ImagePathName) == 0x38, "ImagePathName");
_Static_assert(OFFSETOF(RTL_USER_PROCESS_PARAMETERS, CommandLine) == 0x40, "CommandLine");
_Static_assert(sizeof(PS_CREATE_INFO) == 0x48, "PS_CREATE_INFO");
_Static_assert(sizeof(PROCESS_BASIC_INFORMATION) == 0x18, "PROCESS_BASIC_INFORMATION");
_Static_assert(sizeof(SYSTEM_BASIC_INFORMATION) == 0x2c, "SYSTEM_BASIC_INFORMATION");
_Static_assert(OFFSETOF(SYSTEM_BASIC_INFORMATION, NumberOfProcessors) == 0x28, "NumberOfProcessors");
#endif
_Static_assert(sizeof(FILE_STANDARD_INFORMATION) == 24, "FILE_STANDARD_INFORMATION");
_Static_assert(sizeof(FILE_BASIC_INFORMATION) == 40, "FILE_BASIC_INFORMATION");
_Static_assert(sizeof(FILE_NETWORK_OPEN_INFORMATION) == 56, "FILE_NETWORK_OPEN_INFORMATION");
_Static_assert(OFFSETOF(FILE_DIRECTORY_INFORMATION, FileAttributes) == 0x38, "FILE_DIRECTORY_INFORMATION");
_Static_assert(OFFSETOF(FILE_DIRECTORY_INFORMATION, FileName) == 0x40, "FILE_DIRECTORY_INFORMATION");
_Static_assert(OFFSETOF(FILE_BOTH_DIR_INFORMATION, EaSize) == 0x40, "FILE_BOTH_DIR_INFORMATION");
_Static_assert(OFFSETOF(FILE_BOTH_DIR_INFORMATION, ShortNameLength) == 0x44, "FILE_BOTH_DIR_INFORMATION");
_Static_assert(OFFSETOF(FILE_BOTH_DIR_INFORMATION, ShortName) == 0x46, "FILE_BOTH_DIR_INFORMATION");
_Static_assert(OFFSETOF(FILE_BOTH_DIR_INFORMATION, FileName) == 0x5e, "FILE_BOTH_DIR_INFORMATION");
_Static_assert(sizeof(FILE_FS_DEVICE_INFORMATION) == 8, "FILE_FS_DEVICE_INFORMATION");
_Static_assert(sizeof(DISK_GEOMETRY) == 24, "DISK_GEOMETRY");
_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");

#endif
