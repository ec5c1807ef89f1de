# The vmscope trace: what the recorder saw, with no interpretation.
#
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# A trace file (.vmt) is a sequence of frames (see src/container.rs); each
# frame holds one zstd-compressed Cap'n Proto message of one of the root
# types below: one TraceHeader, then Chunks, then one Footer.
#
# Evolution rule: once a trace is committed to traces/, this schema only
# gains fields and union members. Nothing is renumbered, retyped or removed.

@0x8e3f0f6a1708d8a2;

struct TraceHeader {
  formatVersion @0 :UInt32;
  # Same number as the container's; kept here so a message read out of
  # its file still says what it is.
  recorderVersion @1 :Text;
  qemuVersion @2 :Text;
  guestArch @3 :GuestArch;
  vcpuCount @4 :UInt32;
  guestMemoryBytes @5 :UInt64;
  startedAtUnixNs @6 :Int64;
  # Host wall clock when recording began.
  qemuCommandLine @7 :List(Text);
  recorderOptions @8 :List(RecorderOption);
  # Every option the recorder ran with, defaults included.
}

enum GuestArch {
  unknown @0;
  x8664 @1;
  i386 @2;
}

struct RecorderOption {
  key @0 :Text;
  value @1 :Text;
}

struct Chunk {
  index @0 :UInt64;
  # Position of this chunk among the trace's chunks, from 0.
  events @1 :List(Event);
  # In global sequence order.
}

struct Event {
  seq @0 :UInt64;
  # Global order across all vCPUs.
  vcpu @1 :UInt32;
  union {
    entry @2 :SyscallEvent;
    # An instruction that enters the kernel for a system call.
    exit @3 :SyscallEvent;
    # An instruction that returns from the kernel to user mode.
    memory @4 :MemoryRun;
    probe @5 :Probe;
    loss @6 :Loss;
  }
}

enum Mechanism {
  syscall @0;
  sysenter @1;
  int80 @2;
  int2e @3;
  sysret @4;
  sysexit @5;
  iret @6;
}

struct SyscallEvent {
  mechanism @0 :Mechanism;
  pc @1 :UInt64;
  # Address of the entry or exit instruction itself.
  regs @2 :GeneralRegisters;
  cs @3 :UInt16;
  ss @4 :UInt16;
  fsBase @5 :UInt64;
  gsBase @6 :UInt64;
  kernelGsBase @7 :UInt64;
  cr3 @8 :UInt64;
  efer @9 :UInt64;
  userPc @10 :UInt64;
  # Where user mode resumes: after the entry instruction; for an exit, the
  # return address it loads (rcx for sysret, edx for sysexit, the iret frame).
  userSp @11 :UInt64;
  # The user stack pointer at the entry, or the one the exit loads.
  userCs @12 :UInt16;
  # The code segment an iret returns to (from its frame); 0 otherwise.
  wide @13 :Bool;
  # The 64-bit form of the exit instruction (sysretq, sysexitq, iretq).
  readMask @14 :UInt32;
  # Which registers were read; the others are 0 and mean nothing. Bits 0-16
  # are GeneralRegisters in field order (rax .. r15, rflags), then 17 cs,
  # 18 ss, 19 fsBase, 20 gsBase, 21 kernelGsBase, 22 cr3, 23 efer. 0 (traces
  # written before this field) means all of them.
}

struct GeneralRegisters {
  rax @0 :UInt64;
  rbx @1 :UInt64;
  rcx @2 :UInt64;
  rdx @3 :UInt64;
  rsi @4 :UInt64;
  rdi @5 :UInt64;
  rbp @6 :UInt64;
  rsp @7 :UInt64;
  r8 @8 :UInt64;
  r9 @9 :UInt64;
  r10 @10 :UInt64;
  r11 @11 :UInt64;
  r12 @12 :UInt64;
  r13 @13 :UInt64;
  r14 @14 :UInt64;
  r15 @15 :UInt64;
  rflags @16 :UInt64;
}

struct ThreadContext {
  # What identifies the thread running when something was seen: the
  # address space and the thread pointer registers, as the recorder tracks
  # them through every write; one it has not read is 0.
  cr3 @0 :UInt64;
  fsBase @1 :UInt64;
  gsBase @2 :UInt64;
  kernelGsBase @3 :UInt64;
}

enum Direction {
  kernelRead @0;
  # The kernel read these bytes from user memory (a path, a write buffer).
  kernelWrite @1;
  # The kernel wrote these bytes to user memory (a read buffer, a stat).
}

struct MemoryRun {
  address @0 :UInt64;
  direction @1 :Direction;
  bytes @2 :Data;
  thread @3 :ThreadContext;
}

enum ProbeKind {
  threadPointer @0;
  # The page at a user thread pointer (Windows TEB, Linux TCB).
  sharedUserData @1;
  # The page at 0x7ffe0000 (Windows KUSER_SHARED_DATA).
}

struct Probe {
  kind @0 :ProbeKind;
  address @1 :UInt64;
  # Where the probed bytes start.
  register @2 :Text;
  # Which register pointed there ("fs_base", "gs_base", "k_gs_base"), or "".
  thread @3 :ThreadContext;
  bytes @4 :Data;
  # Empty when the page could not be read; see `readable`.
  readable @5 :Bool;
}

enum LossKind {
  events @0;
  # Whole entry/exit events dropped.
  memoryBytes @1;
  # User memory bytes the kernel touched that could not be kept.
  memoryUnreadable @2;
  # Bytes the recorder tried to read and the guest had not mapped.
  probes @3;
}

struct Loss {
  kind @0 :LossKind;
  count @1 :UInt64;
  # How many records were lost.
  bytes @2 :UInt64;
  # How many bytes they held.
  reason @3 :Text;
}

struct Footer {
  chunks @0 :List(ChunkIndexEntry);
  counts @1 :Counts;
  digestAlgorithm @2 :Text;
  # "sha256".
  digest @3 :Data;
  # Of every byte of the file before the footer frame.
  endedAtUnixNs @4 :Int64;
  endReason @5 :Text;
  # Why recording ended: "guest shutdown", "SIGTERM", "disk full", ...
}

struct ChunkIndexEntry {
  offset @0 :UInt64;
  # File offset of the chunk's frame.
  length @1 :UInt64;
  # Length of the whole frame, header included.
  firstSeq @2 :UInt64;
  lastSeq @3 :UInt64;
  events @4 :UInt32;
}

struct Counts {
  events @0 :UInt64;
  entries @1 :UInt64;
  exits @2 :UInt64;
  memoryRuns @3 :UInt64;
  memoryBytes @4 :UInt64;
  probes @5 :UInt64;
  losses @6 :UInt64;
  lostRecords @7 :UInt64;
  lostBytes @8 :UInt64;
}
