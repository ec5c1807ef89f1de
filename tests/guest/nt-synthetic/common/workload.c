/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user program of the synthetic NT-ABI guest (the same source for x64
 * and x86): it calls the system services through ntdll-style stubs with
 * NT's calling convention, checks every result, and ends its process
 * with status 0 when all checks passed, or 0x100 + the number of the
 * first failed check. The kernel prints that status as
 * "VMSCOPE-NT-DONE rc=N". Runs in user mode; it has no console of its
 * own (the kernel prints one line per call).
 *
 * parent_main runs in the first process (vmscope-nt.exe), worker in a
 * second thread of it, child_main in the second process (child.exe). On
 * x64, wow64_system_service is the 64-bit half of the third process's
 * calls (wow64.exe, 32-bit code in x64/wow64.S).
 */
#include "nt.h"
#include "ntdll.h"
#ifdef __x86_64__
#include "nt_numbers_x64.h"
#endif

/* gcc may call these for structure copies; the user image has its own. */
void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

static int step, failed;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        step++;                                                                                    \
        if (!(c) && !failed)                                                                       \
            failed = step;                                                                         \
    } while (0)
#define RESULT() (failed ? 0x100 + failed : 0)

/* The TEB, at the user thread pointer: gs on x64, fs on x86. */
static ULONG_PTR teb_word(unsigned offset)
{
    ULONG_PTR v;
#ifdef __x86_64__
    __asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"((ULONG_PTR)offset));
#else
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"((ULONG_PTR)offset));
#endif
    return v;
}
#define TEB_PID() teb_word(TEB_CLIENT_ID)
#define TEB_TID() teb_word(TEB_CLIENT_ID + sizeof(PVOID))

static int wlen(const WCHAR *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

static void init_string(UNICODE_STRING *us, const WCHAR *s)
{
    us->Length = (USHORT)(wlen(s) * 2);
    us->MaximumLength = (USHORT)(us->Length + 2);
    us->Buffer = (WCHAR *)s;
}

static void init_attributes(OBJECT_ATTRIBUTES *oa, UNICODE_STRING *name)
{
    oa->Length = sizeof *oa;
    oa->RootDirectory = 0;
    oa->ObjectName = name;
    oa->Attributes = OBJ_CASE_INSENSITIVE;
    oa->SecurityDescriptor = 0;
    oa->SecurityQualityOfService = 0;
}

static int same(const void *a, const void *b, unsigned long n)
{
    const unsigned char *p = a, *q = b;
    for (unsigned long i = 0; i < n; i++)
        if (p[i] != q[i])
            return 0;
    return 1;
}

static NTSTATUS open_file(HANDLE *h, ACCESS_MASK access, const WCHAR *path, IO_STATUS_BLOCK *iosb)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    init_string(&name, path);
    init_attributes(&oa, &name);
    return NtOpenFile(h, access, &oa, iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT);
}

static void copy_wide(WCHAR *d, const WCHAR *s)
{
    while ((*d++ = *s++))
        ;
}

static NTSTATUS create_file(HANDLE *h, const WCHAR *path, IO_STATUS_BLOCK *iosb)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    init_string(&name, path);
    init_attributes(&oa, &name);
    return NtCreateFile(h, FILE_GENERIC_WRITE, &oa, iosb, 0, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ,
                        FILE_OVERWRITE_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, 0, 0);
}

/* ------------------------------------------------------------------ */

#ifdef __x86_64__
/* The 64-bit half of a WOW64 call, as wow64.dll's thunks do it: called by
 * the gate (x64/wow64.S) with the x64 service number the 32-bit stub put
 * in eax and the 32-bit arguments; widens them (pointers zero-extended,
 * handles sign-extended so that NtCurrentProcess() stays -1), turns the
 * 32-bit structures into 64-bit ones on this stack, calls the x64 stub
 * (mov r10, rcx; mov eax, N; syscall) and copies the results back. The
 * kernel reads and writes only the 64-bit structures. */
typedef struct {
    USHORT Length, MaximumLength;
    ULONG Buffer;
} UNICODE_STRING32;
typedef struct {
    ULONG Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SecurityQualityOfService;
} OBJECT_ATTRIBUTES32;
typedef struct {
    ULONG Status, Information;
} IO_STATUS_BLOCK32;
#define P32(v) ((PVOID)(ULONG_PTR)(v))
#define H32(v) ((HANDLE)(LONG_PTR)(LONG)(v))

NTSTATUS NTAPI wow64_system_service(ULONG nr, const ULONG *a);
NTSTATUS NTAPI wow64_system_service(ULONG nr, const ULONG *a)
{
    IO_STATUS_BLOCK iosb;
    NTSTATUS s;
    switch (nr) {
    case NR_NtCreateFile: {
        /* FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock,
         * AllocationSize, FileAttributes, ShareAccess, CreateDisposition,
         * CreateOptions, EaBuffer, EaLength */
        OBJECT_ATTRIBUTES oa, *poa = 0;
        UNICODE_STRING name;
        HANDLE h = 0;
        const OBJECT_ATTRIBUTES32 *oa32 = P32(a[2]);
        if (oa32) {
            oa.Length = sizeof oa;
            oa.RootDirectory = H32(oa32->RootDirectory);
            oa.ObjectName = 0;
            if (oa32->ObjectName) {
                const UNICODE_STRING32 *n32 = P32(oa32->ObjectName);
                name.Length = n32->Length;
                name.MaximumLength = n32->MaximumLength;
                name.Buffer = P32(n32->Buffer);
                oa.ObjectName = &name;
            }
            oa.Attributes = oa32->Attributes;
            oa.SecurityDescriptor = P32(oa32->SecurityDescriptor);
            oa.SecurityQualityOfService = P32(oa32->SecurityQualityOfService);
            poa = &oa;
        }
        s = NtCreateFile(&h, a[1], poa, &iosb, P32(a[4]), a[5], a[6], a[7], a[8], P32(a[9]), a[10]);
        if (s >= 0) {
            *(ULONG *)P32(a[0]) = (ULONG)(ULONG_PTR)h;
            ((IO_STATUS_BLOCK32 *)P32(a[3]))->Status = (ULONG)iosb.Status;
            ((IO_STATUS_BLOCK32 *)P32(a[3]))->Information = (ULONG)iosb.Information;
        }
        return s;
    }
    case NR_NtWriteFile:
        /* FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock,
         * Buffer, Length, ByteOffset, Key */
        s = NtWriteFile(H32(a[0]), H32(a[1]), P32(a[2]), P32(a[3]), &iosb, P32(a[5]), a[6], P32(a[7]), P32(a[8]));
        if (s >= 0) {
            ((IO_STATUS_BLOCK32 *)P32(a[4]))->Status = (ULONG)iosb.Status;
            ((IO_STATUS_BLOCK32 *)P32(a[4]))->Information = (ULONG)iosb.Information;
        }
        return s;
    case NR_NtClose:
        return NtClose(H32(a[0]));
    case NR_NtTerminateProcess:
        return NtTerminateProcess(H32(a[0]), (NTSTATUS)a[1]);
    default:
        return STATUS_INVALID_SYSTEM_SERVICE;
    }
}
#endif

static CLIENT_ID worker_cid;
static char worker_buffer[64];

/* The second thread: its own file, a yield in the middle, and its end. */
static NTSTATUS NTAPI worker(PVOID argument)
{
    HANDLE h = 0;
    IO_STATUS_BLOCK iosb;
    CHECK(argument == (PVOID)0x5678);
    CHECK(TEB_PID() == (ULONG_PTR)worker_cid.UniqueProcess && TEB_TID() == (ULONG_PTR)worker_cid.UniqueThread);
    CHECK(open_file(&h, FILE_GENERIC_READ, u"\\??\\C:\\vmscope\\input.txt", &iosb) == STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x20);
    /* The main thread is ready (it yielded to us): run it until it waits. */
    CHECK(NtYieldExecution() == STATUS_SUCCESS);
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, worker_buffer, sizeof worker_buffer, 0, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == 36 && same(worker_buffer, "input of the synthetic NT-ABI guest\n", 36));
    CHECK(NtYieldExecution() == STATUS_NO_YIELD_PERFORMED);
    CHECK(NtClose(h) == STATUS_SUCCESS);
    NtTerminateThread(NtCurrentThread(), 0x77);
    return 0x99; /* not reached */
}

/* The second process. */
NTSTATUS NTAPI child_main(PVOID peb)
{
    HANDLE h = 0;
    IO_STATUS_BLOCK iosb;
    static const char text[] = "written by the child process\n";
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    CHECK(peb == (PVOID)teb_word(TEB_PEB));
    CHECK(TEB_PID() == 0x1b8 && TEB_TID() == 0x1bc);
    /* Its own handle table: the same first handle as the parent's. */
    CHECK(create_file(&h, u"\\??\\C:\\vmscope\\child.txt", &iosb) == STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x1c && iosb.Information == FILE_CREATED);
    CHECK(NtWriteFile(h, 0, 0, 0, &iosb, (PVOID)text, sizeof text - 1, &zero, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == sizeof text - 1);
    CHECK(NtClose(h) == STATUS_SUCCESS);
    NTSTATUS status = failed ? 0x100 + failed : 0x2a;
    /* As RtlExitUserProcess: the other threads, then the process. */
    NtTerminateProcess(0, status);
    NtTerminateProcess(NtCurrentProcess(), status);
    return status;
}

/* The first process. */
NTSTATUS NTAPI parent_main(PVOID peb)
{
    HANDLE h = 0, h2 = 0;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset;
    ULONG length = 0;
    unsigned char buffer[64];

    /* 0. KUSER_SHARED_DATA, as user mode sees it. */
    const volatile unsigned char *sud = (const volatile unsigned char *)SHARED_USER_DATA;
#ifdef __x86_64__
    CHECK(*(const volatile ULONG *)(sud + KUSD_NT_BUILD_NUMBER) == 19045 &&
          *(const volatile ULONG *)(sud + KUSD_NT_MAJOR_VERSION) == 10 &&
          *(const volatile ULONG *)(sud + KUSD_NT_MINOR_VERSION) == 0 &&
          *(const volatile USHORT *)(sud + KUSD_NATIVE_PROCESSOR_ARCHITECTURE) == 9);
#else
    CHECK(*(const volatile ULONG *)(sud + KUSD_NT_BUILD_NUMBER) == 7601 &&
          *(const volatile ULONG *)(sud + KUSD_NT_MAJOR_VERSION) == 6 &&
          *(const volatile ULONG *)(sud + KUSD_NT_MINOR_VERSION) == 1 &&
          *(const volatile USHORT *)(sud + KUSD_NATIVE_PROCESSOR_ARCHITECTURE) == 0);
#endif
    CHECK(*(const volatile ULONG *)(sud + KUSD_NT_PRODUCT_TYPE) == 1);

    /* 1. Who am I: the TEB against ProcessBasicInformation. */
    PROCESS_BASIC_INFORMATION pbi;
    CHECK(peb == (PVOID)teb_word(TEB_PEB));
    CHECK(teb_word(TEB_SELF) != 0);
    CHECK(NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &pbi, sizeof pbi, &length) ==
          STATUS_SUCCESS);
    CHECK(length == sizeof pbi && pbi.UniqueProcessId == 0x1a4 && pbi.UniqueProcessId == TEB_PID() &&
          pbi.PebBaseAddress == peb && pbi.ExitStatus == 0x103);
    CHECK(TEB_TID() == 0x1b0);

    /* 2. The paper's journal: open bootstat.dat, read 4 bytes at 0, close. */
    CHECK(open_file(&h, FILE_GENERIC_READ, u"\\SystemRoot\\bootstat.dat", &iosb) == STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x1c && iosb.Status == 0 && iosb.Information == FILE_OPENED);
    offset.QuadPart = 0;
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, buffer, 4, &offset, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == 4 && buffer[0] == 4 && buffer[1] == 0 && buffer[2] == 0 && buffer[3] == 0);
    CHECK(NtClose(h) == STATUS_SUCCESS);

    /* 2b. The same three calls again, entered by int 0x2e on x86
     * (KiIntSystemCall: arguments at edx, return by iretd); on x64 by the
     * same syscall stubs. */
    {
        UNICODE_STRING name;
        OBJECT_ATTRIBUTES oa;
        init_string(&name, u"\\SystemRoot\\bootstat.dat");
        init_attributes(&oa, &name);
        CHECK(NtOpenFileInt2e(&h, FILE_GENERIC_READ, &oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
              STATUS_SUCCESS);
    }
    CHECK(h == (HANDLE)0x1c && iosb.Status == 0 && iosb.Information == FILE_OPENED);
    buffer[0] = 0xff;
    offset.QuadPart = 0;
    CHECK(NtReadFileInt2e(h, 0, 0, 0, &iosb, buffer, 4, &offset, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == 4 && buffer[0] == 4 && buffer[1] == 0 && buffer[2] == 0 && buffer[3] == 0);
    CHECK(NtCloseInt2e(h) == STATUS_SUCCESS);

    /* 3. A new file: create, write, query, seek, duplicate, write through
     * the duplicate (same file object, same position), close both. */
    static const char hello[] = "hello, NT-ABI world\n";
    CHECK(create_file(&h, u"\\??\\C:\\vmscope\\out.txt", &iosb) == STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x1c && iosb.Information == FILE_CREATED);
    CHECK(NtWriteFile(h, 0, 0, 0, &iosb, (PVOID)hello, sizeof hello - 1, 0, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == sizeof hello - 1);
    FILE_STANDARD_INFORMATION fsi;
    CHECK(NtQueryInformationFile(h, &iosb, &fsi, sizeof fsi, FileStandardInformation) == STATUS_SUCCESS);
    CHECK(fsi.EndOfFile.QuadPart == sizeof hello - 1 && iosb.Information == sizeof fsi && !fsi.Directory);
    FILE_POSITION_INFORMATION fpi;
    CHECK(NtQueryInformationFile(h, &iosb, &fpi, sizeof fpi, FilePositionInformation) == STATUS_SUCCESS);
    CHECK(fpi.CurrentByteOffset.QuadPart == sizeof hello - 1);
    fpi.CurrentByteOffset.QuadPart = 0;
    CHECK(NtSetInformationFile(h, &iosb, &fpi, sizeof fpi, FilePositionInformation) == STATUS_SUCCESS);
    CHECK(NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &h2, 0, 0, DUPLICATE_SAME_ACCESS) ==
          STATUS_SUCCESS);
    CHECK(h2 == (HANDLE)0x20);
    CHECK(NtWriteFile(h2, 0, 0, 0, &iosb, (PVOID)"HELLO", 5, 0, 0) == STATUS_SUCCESS);
    CHECK(NtClose(h) == STATUS_SUCCESS);
    CHECK(NtClose(h2) == STATUS_SUCCESS);
    /* Read it back, then delete it on close. */
    CHECK(open_file(&h, FILE_GENERIC_READ | DELETE, u"\\??\\C:\\vmscope\\out.txt", &iosb) == STATUS_SUCCESS);
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, buffer, sizeof buffer, 0, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == sizeof hello - 1 && same(buffer, "HELLO, NT-ABI world\n", sizeof hello - 1));
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, buffer, sizeof buffer, 0, 0) == STATUS_END_OF_FILE);
    FILE_DISPOSITION_INFORMATION fdi;
    fdi.DeleteFile = 1;
    CHECK(NtSetInformationFile(h, &iosb, &fdi, sizeof fdi, FileDispositionInformation) == STATUS_SUCCESS);
    CHECK(NtClose(h) == STATUS_SUCCESS);

    /* 4. Failures. */
    h = (HANDLE)0x1234;
    CHECK(open_file(&h, FILE_GENERIC_READ, u"\\??\\C:\\vmscope\\out.txt", &iosb) == STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(open_file(&h, FILE_GENERIC_READ, u"\\??\\C:\\vmscope\\missing.txt", &iosb) ==
          STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(h == (HANDLE)0x1234);
    CHECK(NtClose((HANDLE)0x1234) == STATUS_INVALID_HANDLE);
    /* ObjectAttributes pointing into the kernel. */
#ifdef __x86_64__
    OBJECT_ATTRIBUTES *kernel_pointer = (OBJECT_ATTRIBUTES *)0xfffff80000000000ULL;
#else
    OBJECT_ATTRIBUTES *kernel_pointer = (OBJECT_ATTRIBUTES *)0x80000000UL;
#endif
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, kernel_pointer, &iosb, FILE_SHARE_READ,
                     FILE_SYNCHRONOUS_IO_NONALERT) == STATUS_ACCESS_VIOLATION);
    CHECK(VmscopeInvalidService() == STATUS_INVALID_SYSTEM_SERVICE);

    /* 5. The registry. */
    UNICODE_STRING key_name, value_name, missing_name;
    OBJECT_ATTRIBUTES key_oa;
    HANDLE key = 0, key2 = 0;
    ULONG disposition = 0;
    static const WCHAR data[] = u"Test";
    init_string(&key_name, u"\\Registry\\Machine\\Software\\vmscope");
    init_attributes(&key_oa, &key_name);
    init_string(&value_name, u"Name");
    init_string(&missing_name, u"Missing");
    CHECK(NtCreateKey(&key, KEY_ALL_ACCESS, &key_oa, 0, 0, REG_OPTION_NON_VOLATILE, &disposition) ==
          STATUS_SUCCESS);
    CHECK(key == (HANDLE)0x1c && disposition == REG_CREATED_NEW_KEY);
    CHECK(NtSetValueKey(key, &value_name, 0, REG_SZ, (PVOID)data, sizeof data) == STATUS_SUCCESS);
    union {
        KEY_VALUE_PARTIAL_INFORMATION info;
        unsigned char bytes[64];
    } kv;
    CHECK(NtQueryValueKey(key, &value_name, KeyValuePartialInformation, &kv, sizeof kv, &length) ==
          STATUS_SUCCESS);
    CHECK(length == 12 + sizeof data && kv.info.Type == REG_SZ && kv.info.DataLength == sizeof data &&
          same(kv.info.Data, data, sizeof data));
    CHECK(NtQueryValueKey(key, &missing_name, KeyValuePartialInformation, &kv, sizeof kv, &length) ==
          STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(NtOpenKey(&key2, KEY_READ, &key_oa) == STATUS_SUCCESS);
    CHECK(key2 == (HANDLE)0x20);
    CHECK(NtDeleteValueKey(key, &value_name) == STATUS_SUCCESS);
    CHECK(NtDeleteKey(key) == STATUS_SUCCESS);
    CHECK(NtClose(key2) == STATUS_SUCCESS);
    CHECK(NtClose(key) == STATUS_SUCCESS);
    CHECK(NtOpenKey(&key2, KEY_READ, &key_oa) == STATUS_OBJECT_NAME_NOT_FOUND);

    /* 6. Virtual memory. */
    PVOID base = 0;
    SIZE_T size = 0x3000;
    ULONG old = 0;
    CHECK(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | MEM_RESERVE,
                                  PAGE_READWRITE) == STATUS_SUCCESS);
    CHECK(base == (PVOID)0x01000000 && size == 0x3000);
    ((volatile char *)base)[0x2fff] = 1;
    CHECK(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old) == STATUS_SUCCESS);
    CHECK(old == PAGE_READWRITE);
    /* A read-only buffer is no place for a read's data. */
    CHECK(NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, base, sizeof pbi, 0) ==
          STATUS_ACCESS_VIOLATION);
    size = 0;
    CHECK(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE) == STATUS_SUCCESS);
    CHECK(base == (PVOID)0x01000000 && size == 0x3000);

    /* 7. A section: create, map, use, unmap, close. */
    HANDLE section = 0;
    LARGE_INTEGER maximum;
    maximum.QuadPart = 0x2000;
    PVOID view = 0;
    SIZE_T view_size = 0;
    CHECK(NtCreateSection(&section, SECTION_ALL_ACCESS, 0, &maximum, PAGE_READWRITE, SEC_COMMIT, 0) ==
          STATUS_SUCCESS);
    CHECK(section == (HANDLE)0x1c);
    CHECK(NtMapViewOfSection(section, NtCurrentProcess(), &view, 0, 0, 0, &view_size, ViewUnmap, 0,
                             PAGE_READWRITE) == STATUS_SUCCESS);
    CHECK(view == (PVOID)0x01010000 && view_size == 0x2000);
    ((volatile char *)view)[0x1000] = 2;
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), view) == STATUS_SUCCESS);
    CHECK(NtClose(section) == STATUS_SUCCESS);

    /* 8. A second thread. */
    HANDLE thread = 0;
    PS_ATTRIBUTE_LIST attributes;
    SIZE_T returned = 0;
    attributes.TotalLength = sizeof(SIZE_T) + sizeof(PS_ATTRIBUTE);
    attributes.Attributes[0].Attribute = PS_ATTRIBUTE_CLIENT_ID;
    attributes.Attributes[0].Size = sizeof(CLIENT_ID);
    attributes.Attributes[0].ValuePtr = &worker_cid;
    attributes.Attributes[0].ReturnLength = &returned;
    CHECK(NtCreateThreadEx(&thread, THREAD_ALL_ACCESS, 0, NtCurrentProcess(), (PVOID)worker, (PVOID)0x5678, 0, 0,
                           0, 0, &attributes) == STATUS_SUCCESS);
    CHECK(thread == (HANDLE)0x1c && (ULONG_PTR)worker_cid.UniqueProcess == 0x1a4 &&
          (ULONG_PTR)worker_cid.UniqueThread == 0x1b4 && returned == sizeof(CLIENT_ID));
    CHECK(NtYieldExecution() == STATUS_SUCCESS); /* the worker runs until it yields */
    CHECK(NtWaitForSingleObject(thread, 0, 0) == STATUS_WAIT_0);
    /* The same thread, ended, in a multiple wait: satisfied at once. */
    CHECK(NtWaitForMultipleObjects(1, &thread, WaitAll, 0, 0) == STATUS_WAIT_0);
    CHECK(NtClose(thread) == STATUS_SUCCESS);

    /* 9. A second process. */
    static const WCHAR image[] = u"\\??\\C:\\vmscope\\child.exe";
    RTL_USER_PROCESS_PARAMETERS params;
    PS_CREATE_INFO create_info;
    CLIENT_ID child_cid;
    HANDLE process = 0;
    memset(&params, 0, sizeof params);
    params.MaximumLength = params.Length = sizeof params;
    params.Flags = 1; /* RTL_USER_PROC_PARAMS_NORMALIZED */
    init_string(&params.ImagePathName, image);
    init_string(&params.CommandLine, u"child.exe 42");
    memset(&create_info, 0, sizeof create_info);
    create_info.Size = sizeof create_info;
    create_info.State = PsCreateInitialState;
    attributes.TotalLength = sizeof(SIZE_T) + 2 * sizeof(PS_ATTRIBUTE);
    attributes.Attributes[0].Attribute = PS_ATTRIBUTE_IMAGE_NAME;
    attributes.Attributes[0].Size = sizeof image - 2;
    attributes.Attributes[0].ValuePtr = (PVOID)image;
    attributes.Attributes[0].ReturnLength = 0;
    attributes.Attributes[1].Attribute = PS_ATTRIBUTE_CLIENT_ID;
    attributes.Attributes[1].Size = sizeof(CLIENT_ID);
    attributes.Attributes[1].ValuePtr = &child_cid;
    attributes.Attributes[1].ReturnLength = 0;
    CHECK(NtCreateUserProcess(&process, &thread, PROCESS_ALL_ACCESS, THREAD_ALL_ACCESS, 0, 0, 0, 0, &params,
                              &create_info, &attributes) == STATUS_SUCCESS);
    CHECK(process == (HANDLE)0x1c && thread == (HANDLE)0x20 && create_info.State == PsCreateSuccess);
    CHECK((ULONG_PTR)child_cid.UniqueProcess == 0x1b8 && (ULONG_PTR)child_cid.UniqueThread == 0x1bc);
    /* Wait for both, the process and its thread: blocks while the child
     * runs; then the process alone is signalled already. */
    HANDLE both[2] = {process, thread};
    CHECK(NtWaitForMultipleObjects(2, both, WaitAll, 0, 0) == STATUS_WAIT_0);
    CHECK(NtWaitForSingleObject(process, 0, 0) == STATUS_WAIT_0);
    CHECK(NtQueryInformationProcess(process, ProcessBasicInformation, &pbi, sizeof pbi, 0) == STATUS_SUCCESS);
    CHECK(pbi.ExitStatus == 0x2a && pbi.UniqueProcessId == 0x1b8 && pbi.InheritedFromUniqueProcessId == 0x1a4);
    CHECK(NtClose(thread) == STATUS_SUCCESS);
    CHECK(NtClose(process) == STATUS_SUCCESS);
    /* What the child wrote. */
    CHECK(open_file(&h, FILE_GENERIC_READ, u"\\??\\C:\\vmscope\\child.txt", &iosb) == STATUS_SUCCESS);
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, buffer, sizeof buffer, 0, 0) == STATUS_SUCCESS);
    CHECK(iosb.Information == 29 && same(buffer, "written by the child process\n", 29));
    CHECK(NtClose(h) == STATUS_SUCCESS);

    /* 10. Hostile calls, as a malware sample might make them; each fails
     * or succeeds as NT's checks decide (see the README). A page with no
     * page after it: buffers that end at its end run into unmapped
     * memory. */
    PVOID page = 0;
    SIZE_T page_size = 0x1000;
    CHECK(NtAllocateVirtualMemory(NtCurrentProcess(), &page, 0, &page_size, MEM_COMMIT | MEM_RESERVE,
                                  PAGE_READWRITE) == STATUS_SUCCESS);
    CHECK(page == (PVOID)0x01020000 && page_size == 0x1000);
    unsigned char *guard = (unsigned char *)page + 0x1000; /* not mapped */
    static const WCHAR input_name[] = u"\\??\\C:\\vmscope\\input.txt";
    UNICODE_STRING bad;
    OBJECT_ATTRIBUTES bad_oa;
    init_attributes(&bad_oa, &bad);
    /* a. Length > MaximumLength: NT's capture of an object name never
     * looks at MaximumLength; the open succeeds. */
    bad.Length = sizeof input_name - 2;
    bad.MaximumLength = 2;
    bad.Buffer = (WCHAR *)input_name;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x1c);
    CHECK(NtClose(h) == STATUS_SUCCESS);
    h = (HANDLE)0x1234;
    /* b. A Buffer in kernel space: ProbeForRead fails, nothing is read. */
    bad.Length = 16;
    bad.MaximumLength = 18;
    bad.Buffer = (WCHAR *)kernel_pointer;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_ACCESS_VIOLATION);
    /* c. An odd Length: STATUS_OBJECT_NAME_INVALID before the buffer is
     * read. */
    bad.Length = 7;
    bad.MaximumLength = sizeof input_name;
    bad.Buffer = (WCHAR *)input_name;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_OBJECT_NAME_INVALID);
    /* d. Length 0xfffe, 16 bytes of buffer before the unmapped page: NT
     * refuses 0xfffe (no room for a terminator) before reading. */
    WCHAR *tail = (WCHAR *)(guard - 16);
    copy_wide(tail, u"\\??\\C:\\");
    tail[7] = u'v';
    bad.Length = 0xfffe;
    bad.MaximumLength = 0xfffe;
    bad.Buffer = tail;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_OBJECT_NAME_INVALID);
    /* e. Length 0xfffc, the same buffer: the copy reads the 16 bytes and
     * faults on the next page. */
    bad.Length = 0xfffc;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_ACCESS_VIOLATION);
    /* f. An ObjectName pointer to unmapped memory. */
    bad_oa.ObjectName = (UNICODE_STRING *)guard;
    CHECK(NtOpenFile(&h, FILE_GENERIC_READ, &bad_oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT) ==
          STATUS_ACCESS_VIOLATION);
    CHECK(h == (HANDLE)0x1234);
    /* g. NtReadFile of 0x7fffffff bytes into 64 bytes before the
     * unmapped page: ProbeForWrite of the whole range fails first. */
    CHECK(open_file(&h, FILE_GENERIC_READ, input_name, &iosb) == STATUS_SUCCESS);
    CHECK(h == (HANDLE)0x1c);
    iosb.Pointer = (PVOID)0x5a5a;
    iosb.Information = 0x5a5a;
    CHECK(NtReadFile(h, 0, 0, 0, &iosb, guard - 64, 0x7fffffff, 0, 0) == STATUS_ACCESS_VIOLATION);
    CHECK(iosb.Pointer == (PVOID)0x5a5a && iosb.Information == 0x5a5a);
    /* h. A handle that was never opened. */
    CHECK(NtReadFile((HANDLE)0xdeadbeef, 0, 0, 0, &iosb, buffer, sizeof buffer, 0, 0) == STATUS_INVALID_HANDLE);
    /* i. NtWriteFile of 0x10000000 bytes from 32 bytes before the
     * unmapped page: the copy reads the 32 and faults. */
    CHECK(create_file(&h2, u"\\??\\C:\\vmscope\\hostile.txt", &iosb) == STATUS_SUCCESS);
    CHECK(h2 == (HANDLE)0x20);
    memcpy(guard - 32, "32 bytes before unmapped memory\n", 32);
    CHECK(NtWriteFile(h2, 0, 0, 0, &iosb, guard - 32, 0x10000000, 0, 0) == STATUS_INVALID_USER_BUFFER);
    /* j. Pseudo-handles are not in the handle table. */
    CHECK(NtClose(NtCurrentProcess()) == STATUS_INVALID_HANDLE);
    /* k. Service numbers past the end of the table and in win32k's table
     * (NtClose's index there, with a live handle it must not close). */
    CHECK(VmscopeServicePastEnd() == STATUS_INVALID_SYSTEM_SERVICE);
    CHECK(VmscopeWin32kService(h2) == STATUS_INVALID_SYSTEM_SERVICE);
    CHECK(NtClose(h2) == STATUS_SUCCESS);
    CHECK(NtClose(h) == STATUS_SUCCESS);

#ifdef __x86_64__
    /* 11. A WOW64 process: 32-bit code, a TEB32 at fs and a TEB64 at gs,
     * calls through the gate (x64/wow64.S). It writes wow64.txt and ends
     * with 0x32. */
    static const WCHAR wow64_image[] = u"\\??\\C:\\vmscope\\wow64.exe";
    CLIENT_ID wow64_cid;
    memset(&params, 0, sizeof params);
    params.MaximumLength = params.Length = sizeof params;
    params.Flags = 1;
    init_string(&params.ImagePathName, wow64_image);
    init_string(&params.CommandLine, u"wow64.exe");
    memset(&create_info, 0, sizeof create_info);
    create_info.Size = sizeof create_info;
    create_info.State = PsCreateInitialState;
    attributes.Attributes[0].Size = sizeof wow64_image - 2;
    attributes.Attributes[0].ValuePtr = (PVOID)wow64_image;
    attributes.Attributes[1].ValuePtr = &wow64_cid;
    CHECK(NtCreateUserProcess(&process, &thread, PROCESS_ALL_ACCESS, THREAD_ALL_ACCESS, 0, 0, 0, 0, &params,
                              &create_info, &attributes) == STATUS_SUCCESS);
    CHECK(process == (HANDLE)0x1c && thread == (HANDLE)0x20 && create_info.State == PsCreateSuccess);
    CHECK((ULONG_PTR)wow64_cid.UniqueProcess == 0x1c0 && (ULONG_PTR)wow64_cid.UniqueThread == 0x1c4);
    CHECK(NtWaitForSingleObject(process, 0, 0) == STATUS_WAIT_0);
    CHECK(NtQueryInformationProcess(process, ProcessBasicInformation, &pbi, sizeof pbi, 0) == STATUS_SUCCESS);
    CHECK(pbi.ExitStatus == 0x32 && pbi.UniqueProcessId == 0x1c0 && pbi.InheritedFromUniqueProcessId == 0x1a4);
    CHECK(NtClose(thread) == STATUS_SUCCESS);
    CHECK(NtClose(process) == STATUS_SUCCESS);
#endif

    /* 12. What a file monitor sees a real program do most: attributes by
     * name, a directory listing, the volume's device type, a disk's
     * geometry, the performance counter, the basic system information. */
    {
        UNICODE_STRING name, pattern;
        OBJECT_ATTRIBUTES oa;
        FILE_BASIC_INFORMATION fbi;
        FILE_NETWORK_OPEN_INFORMATION fnoi;
        init_attributes(&oa, &name);
        init_string(&name, input_name);
        CHECK(NtQueryAttributesFile(&oa, &fbi) == STATUS_SUCCESS);
        CHECK(fbi.FileAttributes == FILE_ATTRIBUTE_ARCHIVE && fbi.CreationTime.QuadPart != 0 &&
              fbi.LastWriteTime.QuadPart >= fbi.CreationTime.QuadPart);
        init_string(&name, u"\\??\\C:\\vmscope\\missing.txt");
        memset(&fbi, 0x5a, sizeof fbi);
        CHECK(NtQueryAttributesFile(&oa, &fbi) == STATUS_OBJECT_NAME_NOT_FOUND);
        CHECK(fbi.FileAttributes == 0x5a5a5a5a);
        init_string(&name, input_name);
        CHECK(NtQueryFullAttributesFile(&oa, &fnoi) == STATUS_SUCCESS);
        CHECK(fnoi.EndOfFile.QuadPart == 36 && fnoi.AllocationSize.QuadPart == 4096 &&
              fnoi.FileAttributes == FILE_ATTRIBUTE_ARCHIVE);

        /* The directory, listed in two calls of two classes, then the end. */
        static unsigned char listing[1024] __attribute__((aligned(8)));
        HANDLE dir = 0;
        init_string(&name, u"\\??\\C:\\vmscope");
        CHECK(NtOpenFile(&dir, FILE_LIST_DIRECTORY | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT) == STATUS_SUCCESS);
        CHECK(dir == (HANDLE)0x1c && iosb.Information == FILE_OPENED);
        /* 0x150 bytes: room for ".", "..", "child.exe", "child.txt". */
        CHECK(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, listing, 0x150, FileDirectoryInformation, 0, 0, 1) ==
              STATUS_SUCCESS);
        const FILE_DIRECTORY_INFORMATION *d = (const void *)listing;
        int n = 1;
        CHECK(d->FileNameLength == 2 && d->FileName[0] == u'.' && d->FileAttributes == FILE_ATTRIBUTE_DIRECTORY &&
              d->NextEntryOffset == 0x48);
        while (d->NextEntryOffset) {
            CHECK((d->NextEntryOffset & 7) == 0);
            d = (const void *)((const unsigned char *)d + d->NextEntryOffset);
            n++;
        }
        CHECK(n == 4 && d->FileNameLength == 18 && same(d->FileName, u"child.txt", 18) &&
              d->EndOfFile.QuadPart == 29);
        CHECK(iosb.Status == 0 && iosb.Information == (ULONG_PTR)((const unsigned char *)d - listing) + 0x40 + 18);
        /* The rest, in the other class. */
        CHECK(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, listing, sizeof listing, FileBothDirectoryInformation, 0,
                                   0, 0) == STATUS_SUCCESS);
        const FILE_BOTH_DIR_INFORMATION *b = (const void *)listing;
        CHECK(b->FileNameLength == 22 && same(b->FileName, u"hostile.txt", 22) && b->ShortNameLength == 0);
        n = 1;
        int found_input = 0, found_exe = 0;
        for (;;) {
            if (b->FileNameLength == 18 && same(b->FileName, u"input.txt", 18))
                found_input = b->EndOfFile.QuadPart == 36 && b->AllocationSize.QuadPart == 4096 &&
                              b->FileAttributes == FILE_ATTRIBUTE_ARCHIVE;
            if (b->FileNameLength == 28 && same(b->FileName, u"vmscope-nt.exe", 28))
                found_exe = b->ShortNameLength == 24 && same(b->ShortName, u"VMSCOP~1.EXE", 24);
            if (!b->NextEntryOffset)
                break;
            CHECK((b->NextEntryOffset & 7) == 0);
            b = (const void *)((const unsigned char *)b + b->NextEntryOffset);
            n++;
        }
#ifdef __x86_64__
        CHECK(n == 5 && same(b->FileName, u"wow64.txt", 18)); /* hostile input vmscope-nt wow64.exe wow64.txt */
#else
        CHECK(n == 4 && same(b->FileName, u"wow64.exe", 18)); /* hostile input vmscope-nt wow64.exe */
#endif
        CHECK(found_input && found_exe);
        CHECK(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, listing, sizeof listing, FileBothDirectoryInformation, 0,
                                   0, 0) == STATUS_NO_MORE_FILES);
        CHECK(iosb.Status == STATUS_NO_MORE_FILES && iosb.Information == 0);
        FILE_FS_DEVICE_INFORMATION device;
        CHECK(NtQueryVolumeInformationFile(dir, &iosb, &device, sizeof device, FileFsDeviceInformation) ==
              STATUS_SUCCESS);
        CHECK(device.DeviceType == FILE_DEVICE_DISK && device.Characteristics == FILE_DEVICE_IS_MOUNTED &&
              iosb.Information == sizeof device);
        CHECK(NtClose(dir) == STATUS_SUCCESS);
        /* Again, only *.txt. */
        CHECK(NtOpenFile(&dir, FILE_LIST_DIRECTORY | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT) == STATUS_SUCCESS);
        init_string(&pattern, u"*.txt");
        CHECK(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, listing, sizeof listing, FileBothDirectoryInformation, 0,
                                   &pattern, 1) == STATUS_SUCCESS);
        b = (const void *)listing;
        n = 1;
        while (b->NextEntryOffset) {
            b = (const void *)((const unsigned char *)b + b->NextEntryOffset);
            n++;
        }
#ifdef __x86_64__
        CHECK(n == 4); /* child.txt hostile.txt input.txt wow64.txt */
#else
        CHECK(n == 3); /* child.txt hostile.txt input.txt */
#endif
        CHECK(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, listing, sizeof listing, FileBothDirectoryInformation, 0,
                                   0, 0) == STATUS_NO_MORE_FILES);
        CHECK(NtClose(dir) == STATUS_SUCCESS);

        /* The disk: its geometry, and a control code it does not know. */
        HANDLE disk = 0;
        DISK_GEOMETRY geometry;
        ULONG control = 0x12345678;
        unsigned char out[16];
        init_string(&name, u"\\??\\PhysicalDrive0");
        CHECK(NtOpenFile(&disk, SYNCHRONIZE | FILE_READ_ATTRIBUTES, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE) == STATUS_SUCCESS);
        CHECK(disk == (HANDLE)0x1c);
        CHECK(NtDeviceIoControlFile(disk, 0, 0, 0, &iosb, IOCTL_DISK_GET_DRIVE_GEOMETRY, 0, 0, &geometry,
                                    sizeof geometry) == STATUS_SUCCESS);
        CHECK(iosb.Information == sizeof geometry && geometry.BytesPerSector == 512 &&
              geometry.MediaType == FixedMedia && geometry.Cylinders.QuadPart == 130);
        iosb.Information = 0x5a5a;
        CHECK(NtDeviceIoControlFile(disk, 0, 0, 0, &iosb, 0x00222004, &control, sizeof control, out, sizeof out) ==
              STATUS_INVALID_DEVICE_REQUEST);
        CHECK(iosb.Information == 0x5a5a);
        CHECK(NtClose(disk) == STATUS_SUCCESS);

        /* The clock and the machine. */
        LARGE_INTEGER counter, frequency;
        SYSTEM_BASIC_INFORMATION sbi;
        CHECK(NtQueryPerformanceCounter(&counter, &frequency) == STATUS_SUCCESS);
#ifdef __x86_64__
        CHECK(frequency.QuadPart == 10000000 && counter.QuadPart > 0);
#else
        CHECK(frequency.QuadPart == 3579545 && counter.QuadPart > 0);
#endif
        length = 0;
        CHECK(NtQuerySystemInformation(SystemBasicInformation, &sbi, sizeof sbi, &length) == STATUS_SUCCESS);
        CHECK(length == sizeof sbi && sbi.NumberOfProcessors == 1 && sbi.PageSize == 4096 &&
              sbi.AllocationGranularity == 0x10000);
    }

    /* 13. The end, as RtlExitUserProcess does it. */
    NtTerminateProcess(0, RESULT());
    NtTerminateProcess(NtCurrentProcess(), RESULT());
    return 0;
}
