/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntdll.h: the system service stubs of the synthetic NT-ABI guest's user
 * program (x64/stubs.S, x86/stubs.S), declared with NT's prototypes and
 * calling convention (NTAPI: ms_abi on x64, stdcall on x86).
 */
#ifndef NTDLL_H
#define NTDLL_H
#include "nt.h"

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       SIZE_T *RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtClose(HANDLE Handle);
NTSTATUS NTAPI NtCreateFile(HANDLE *FileHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes,
                            IO_STATUS_BLOCK *IoStatusBlock, LARGE_INTEGER *AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength);
NTSTATUS NTAPI NtCreateKey(HANDLE *KeyHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes,
                           ULONG TitleIndex, UNICODE_STRING *Class, ULONG CreateOptions, ULONG *Disposition);
NTSTATUS NTAPI NtCreateSection(HANDLE *SectionHandle, ACCESS_MASK DesiredAccess,
                               OBJECT_ATTRIBUTES *ObjectAttributes, LARGE_INTEGER *MaximumSize,
                               ULONG SectionPageProtection, ULONG AllocationAttributes, HANDLE FileHandle);
NTSTATUS NTAPI NtCreateThreadEx(HANDLE *ThreadHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes,
                                HANDLE ProcessHandle, PVOID StartRoutine, PVOID Argument, ULONG CreateFlags,
                                SIZE_T ZeroBits, SIZE_T StackSize, SIZE_T MaximumStackSize,
                                PS_ATTRIBUTE_LIST *AttributeList);
NTSTATUS NTAPI NtCreateUserProcess(HANDLE *ProcessHandle, HANDLE *ThreadHandle, ACCESS_MASK ProcessDesiredAccess,
                                   ACCESS_MASK ThreadDesiredAccess, OBJECT_ATTRIBUTES *ProcessObjectAttributes,
                                   OBJECT_ATTRIBUTES *ThreadObjectAttributes, ULONG ProcessFlags, ULONG ThreadFlags,
                                   RTL_USER_PROCESS_PARAMETERS *ProcessParameters, PS_CREATE_INFO *CreateInfo,
                                   PS_ATTRIBUTE_LIST *AttributeList);
NTSTATUS NTAPI NtDeleteKey(HANDLE KeyHandle);
NTSTATUS NTAPI NtDeleteValueKey(HANDLE KeyHandle, UNICODE_STRING *ValueName);
NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                     IO_STATUS_BLOCK *IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                                     ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength);
NTSTATUS NTAPI NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                                 HANDLE *TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes,
                                 ULONG Options);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType);
NTSTATUS NTAPI NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress,
                                  ULONG_PTR ZeroBits, SIZE_T CommitSize, LARGE_INTEGER *SectionOffset,
                                  SIZE_T *ViewSize, ULONG InheritDisposition, ULONG AllocationType,
                                  ULONG Win32Protect);
NTSTATUS NTAPI NtOpenFile(HANDLE *FileHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes,
                          IO_STATUS_BLOCK *IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);
NTSTATUS NTAPI NtOpenKey(HANDLE *KeyHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, SIZE_T *RegionSize,
                                      ULONG NewProtect, ULONG *OldProtect);
NTSTATUS NTAPI NtQueryAttributesFile(OBJECT_ATTRIBUTES *ObjectAttributes, FILE_BASIC_INFORMATION *FileInformation);
NTSTATUS NTAPI NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                    IO_STATUS_BLOCK *IoStatusBlock, PVOID FileInformation, ULONG Length,
                                    ULONG FileInformationClass, BOOLEAN ReturnSingleEntry, UNICODE_STRING *FileName,
                                    BOOLEAN RestartScan);
NTSTATUS NTAPI NtQueryFullAttributesFile(OBJECT_ATTRIBUTES *ObjectAttributes,
                                         FILE_NETWORK_OPEN_INFORMATION *FileInformation);
NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, IO_STATUS_BLOCK *IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, ULONG FileInformationClass);
NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, ULONG ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG ProcessInformationLength,
                                         ULONG *ReturnLength);
NTSTATUS NTAPI NtQueryPerformanceCounter(LARGE_INTEGER *PerformanceCounter, LARGE_INTEGER *PerformanceFrequency);
NTSTATUS NTAPI NtQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                        ULONG SystemInformationLength, ULONG *ReturnLength);
NTSTATUS NTAPI NtQueryValueKey(HANDLE KeyHandle, UNICODE_STRING *ValueName, ULONG KeyValueInformationClass,
                               PVOID KeyValueInformation, ULONG Length, ULONG *ResultLength);
NTSTATUS NTAPI NtQueryVolumeInformationFile(HANDLE FileHandle, IO_STATUS_BLOCK *IoStatusBlock, PVOID FsInformation,
                                            ULONG Length, ULONG FsInformationClass);
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          IO_STATUS_BLOCK *IoStatusBlock, PVOID Buffer, ULONG Length, LARGE_INTEGER *ByteOffset,
                          ULONG *Key);
NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, IO_STATUS_BLOCK *IoStatusBlock, PVOID FileInformation,
                                    ULONG Length, ULONG FileInformationClass);
NTSTATUS NTAPI NtSetValueKey(HANDLE KeyHandle, UNICODE_STRING *ValueName, ULONG TitleIndex, ULONG Type,
                             PVOID Data, ULONG DataSize);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress);
NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE *Handles, ULONG WaitType, BOOLEAN Alertable,
                                        LARGE_INTEGER *Timeout);
NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, LARGE_INTEGER *Timeout);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           IO_STATUS_BLOCK *IoStatusBlock, PVOID Buffer, ULONG Length, LARGE_INTEGER *ByteOffset,
                           ULONG *Key);
NTSTATUS NTAPI NtYieldExecution(void);
/* A stub like the others with a number no service has (0x0fff). */
NTSTATUS NTAPI VmscopeInvalidService(void);
/* The first number past the end of the kernel's table (NT_SERVICE_LIMIT). */
NTSTATUS NTAPI VmscopeServicePastEnd(void);
/* 0x1000 | NtClose's number: NtClose's index in the win32k table. */
NTSTATUS NTAPI VmscopeWin32kService(HANDLE Handle);

#ifdef __x86_64__
/* x64 has no int 0x2e form here: the same calls go through the syscall
 * stubs. */
#define NtOpenFileInt2e NtOpenFile
#define NtReadFileInt2e NtReadFile
#define NtCloseInt2e NtClose
#else
/* The same services entered by int 0x2e (KiIntSystemCall). */
NTSTATUS NTAPI NtOpenFileInt2e(HANDLE *FileHandle, ACCESS_MASK DesiredAccess, OBJECT_ATTRIBUTES *ObjectAttributes,
                               IO_STATUS_BLOCK *IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);
NTSTATUS NTAPI NtReadFileInt2e(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                               IO_STATUS_BLOCK *IoStatusBlock, PVOID Buffer, ULONG Length,
                               LARGE_INTEGER *ByteOffset, ULONG *Key);
NTSTATUS NTAPI NtCloseInt2e(HANDLE Handle);
#endif

#endif
