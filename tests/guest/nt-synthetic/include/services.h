/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * services.h: the NT system services the synthetic NT-ABI guest
 * implements, with their argument counts (NT prototypes as in phnt).
 * An X-macro list: define SERVICE(name, nargs) before including it.
 * The numbers come from nt_numbers_<arch>.h (NR_<name>).
 */
SERVICE(NtAllocateVirtualMemory, 6)
SERVICE(NtClose, 1)
SERVICE(NtCreateFile, 11)
SERVICE(NtCreateKey, 7)
SERVICE(NtCreateSection, 7)
SERVICE(NtCreateThreadEx, 11)
SERVICE(NtCreateUserProcess, 11)
SERVICE(NtDeleteKey, 1)
SERVICE(NtDeleteValueKey, 2)
SERVICE(NtDuplicateObject, 7)
SERVICE(NtFreeVirtualMemory, 4)
SERVICE(NtMapViewOfSection, 10)
SERVICE(NtOpenFile, 6)
SERVICE(NtOpenKey, 3)
SERVICE(NtProtectVirtualMemory, 5)
SERVICE(NtQueryInformationFile, 5)
SERVICE(NtQueryInformationProcess, 5)
SERVICE(NtQueryValueKey, 6)
SERVICE(NtReadFile, 9)
SERVICE(NtSetInformationFile, 5)
SERVICE(NtSetValueKey, 6)
SERVICE(NtTerminateProcess, 2)
SERVICE(NtTerminateThread, 2)
SERVICE(NtUnmapViewOfSection, 2)
SERVICE(NtWaitForSingleObject, 3)
SERVICE(NtWriteFile, 9)
SERVICE(NtYieldExecution, 0)
