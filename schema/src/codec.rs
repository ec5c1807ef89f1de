//! Between the Rust records of `event.rs` and Cap'n Proto messages.
//!
//! The only module that touches the generated code. Decoding never trusts a
//! list length or an enum value: capnp bounds every read by the message's
//! own size, and an enum value from a newer writer is an error, not a panic.

use capnp::message::{Builder, ReaderOptions};
use capnp::serialize;

use crate::event::*;
use crate::trace_capnp as tc;

/// Why a message could not be decoded.
pub(crate) type DecodeResult<T> = Result<T, String>;

fn options() -> ReaderOptions {
    // Chunks are bounded well below this by the container (MAX_RAW_LEN);
    // the limit stays as capnp's guard against amplification.
    let mut options = ReaderOptions::new();
    options.traversal_limit_in_words(Some(16 * 1024 * 1024));
    options
}

fn text(reader: capnp::Result<capnp::text::Reader<'_>>) -> DecodeResult<String> {
    let reader = reader.map_err(|e| e.to_string())?;
    // A hostile or damaged string is shown, not refused.
    Ok(String::from_utf8_lossy(reader.as_bytes()).into_owned())
}

pub(crate) fn encode_header(header: &TraceHeader, format_version: u32) -> Vec<u8> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<tc::trace_header::Builder>();
    root.set_format_version(format_version);
    root.set_recorder_version(header.recorder_version.as_str());
    root.set_qemu_version(header.qemu_version.as_str());
    root.set_guest_arch(match header.guest_arch {
        GuestArch::Unknown => tc::GuestArch::Unknown,
        GuestArch::X86_64 => tc::GuestArch::X8664,
        GuestArch::I386 => tc::GuestArch::I386,
    });
    root.set_vcpu_count(header.vcpu_count);
    root.set_guest_memory_bytes(header.guest_memory_bytes);
    root.set_started_at_unix_ns(header.started_at_unix_ns);
    let mut args = root
        .reborrow()
        .init_qemu_command_line(list_len(header.qemu_command_line.len()));
    for (i, arg) in header.qemu_command_line.iter().enumerate() {
        args.set(i as u32, arg.as_str());
    }
    let mut opts = root.init_recorder_options(list_len(header.recorder_options.len()));
    for (i, (key, value)) in header.recorder_options.iter().enumerate() {
        let mut opt = opts.reborrow().get(i as u32);
        opt.set_key(key.as_str());
        opt.set_value(value.as_str());
    }
    serialize::write_message_to_words(&message)
}

pub(crate) fn decode_header(bytes: &[u8]) -> DecodeResult<(u32, TraceHeader)> {
    let message = read(bytes)?;
    let root = message
        .get_root::<tc::trace_header::Reader>()
        .map_err(|e| e.to_string())?;
    let guest_arch = match root.get_guest_arch() {
        Ok(tc::GuestArch::X8664) => GuestArch::X86_64,
        Ok(tc::GuestArch::I386) => GuestArch::I386,
        Ok(tc::GuestArch::Unknown) | Err(_) => GuestArch::Unknown,
    };
    let mut qemu_command_line = Vec::new();
    for arg in root.get_qemu_command_line().map_err(|e| e.to_string())? {
        qemu_command_line.push(text(arg)?);
    }
    let mut recorder_options = Vec::new();
    for opt in root.get_recorder_options().map_err(|e| e.to_string())? {
        recorder_options.push((text(opt.get_key())?, text(opt.get_value())?));
    }
    Ok((
        root.get_format_version(),
        TraceHeader {
            recorder_version: text(root.get_recorder_version())?,
            qemu_version: text(root.get_qemu_version())?,
            guest_arch,
            vcpu_count: root.get_vcpu_count(),
            guest_memory_bytes: root.get_guest_memory_bytes(),
            started_at_unix_ns: root.get_started_at_unix_ns(),
            qemu_command_line,
            recorder_options,
        },
    ))
}

/// Lists longer than u32 cannot be written; the writer bounds chunks far below.
fn list_len(len: usize) -> u32 {
    u32::try_from(len).expect("list longer than u32::MAX")
}

pub(crate) fn encode_chunk(index: u64, events: &[Event]) -> Vec<u8> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<tc::chunk::Builder>();
    root.set_index(index);
    let mut list = root.init_events(list_len(events.len()));
    for (i, event) in events.iter().enumerate() {
        let mut out = list.reborrow().get(i as u32);
        out.set_seq(event.seq);
        out.set_vcpu(event.vcpu);
        match &event.kind {
            EventKind::Entry(call) => encode_syscall(out.init_entry(), call),
            EventKind::Exit(call) => encode_syscall(out.init_exit(), call),
            EventKind::Memory(run) => {
                let mut m = out.init_memory();
                m.set_address(run.address);
                m.set_direction(match run.direction {
                    Direction::KernelRead => tc::Direction::KernelRead,
                    Direction::KernelWrite => tc::Direction::KernelWrite,
                });
                m.set_bytes(&run.bytes);
                encode_thread(m.init_thread(), &run.thread);
            }
            EventKind::Probe(probe) => {
                let mut p = out.init_probe();
                p.set_kind(match probe.kind {
                    ProbeKind::ThreadPointer => tc::ProbeKind::ThreadPointer,
                    ProbeKind::SharedUserData => tc::ProbeKind::SharedUserData,
                });
                p.set_address(probe.address);
                p.set_register(probe.register.as_str());
                p.set_bytes(&probe.bytes);
                p.set_readable(probe.readable);
                encode_thread(p.init_thread(), &probe.thread);
            }
            EventKind::Loss(loss) => {
                let mut l = out.init_loss();
                l.set_kind(match loss.kind {
                    LossKind::Events => tc::LossKind::Events,
                    LossKind::MemoryBytes => tc::LossKind::MemoryBytes,
                    LossKind::MemoryUnreadable => tc::LossKind::MemoryUnreadable,
                    LossKind::Probes => tc::LossKind::Probes,
                });
                l.set_count(loss.count);
                l.set_bytes(loss.bytes);
                l.set_reason(loss.reason.as_str());
            }
        }
    }
    serialize::write_message_to_words(&message)
}

fn encode_syscall(mut out: tc::syscall_event::Builder<'_>, call: &SyscallEvent) {
    out.set_mechanism(match call.mechanism {
        Mechanism::Syscall => tc::Mechanism::Syscall,
        Mechanism::Sysenter => tc::Mechanism::Sysenter,
        Mechanism::Int80 => tc::Mechanism::Int80,
        Mechanism::Int2e => tc::Mechanism::Int2e,
        Mechanism::Sysret => tc::Mechanism::Sysret,
        Mechanism::Sysexit => tc::Mechanism::Sysexit,
        Mechanism::Iret => tc::Mechanism::Iret,
    });
    out.set_pc(call.pc);
    out.set_cs(call.cs);
    out.set_ss(call.ss);
    out.set_fs_base(call.fs_base);
    out.set_gs_base(call.gs_base);
    out.set_kernel_gs_base(call.kernel_gs_base);
    out.set_cr3(call.cr3);
    out.set_efer(call.efer);
    out.set_user_pc(call.user_pc);
    out.set_user_sp(call.user_sp);
    out.set_user_cs(call.user_cs);
    out.set_wide(call.wide);
    out.set_read_mask(call.read_mask);
    let r = &call.regs;
    let mut regs = out.init_regs();
    regs.set_rax(r.rax);
    regs.set_rbx(r.rbx);
    regs.set_rcx(r.rcx);
    regs.set_rdx(r.rdx);
    regs.set_rsi(r.rsi);
    regs.set_rdi(r.rdi);
    regs.set_rbp(r.rbp);
    regs.set_rsp(r.rsp);
    regs.set_r8(r.r8);
    regs.set_r9(r.r9);
    regs.set_r10(r.r10);
    regs.set_r11(r.r11);
    regs.set_r12(r.r12);
    regs.set_r13(r.r13);
    regs.set_r14(r.r14);
    regs.set_r15(r.r15);
    regs.set_rflags(r.rflags);
}

fn encode_thread(mut out: tc::thread_context::Builder<'_>, thread: &ThreadContext) {
    out.set_cr3(thread.cr3);
    out.set_fs_base(thread.fs_base);
    out.set_gs_base(thread.gs_base);
    out.set_kernel_gs_base(thread.kernel_gs_base);
}

/// The segment table is parsed once here (BufferSegments keeps the
/// indices); the no-alloc reader parses it again at every pointer it
/// follows, which was a tenth of decoding time.
fn read(bytes: &[u8]) -> DecodeResult<capnp::message::Reader<serialize::BufferSegments<&[u8]>>> {
    serialize::BufferSegments::new(bytes, options())
        .map(|segments| capnp::message::Reader::new(segments, options()))
        .map_err(|e| e.to_string())
}

/// Decodes a chunk message into its index and events.
pub(crate) fn decode_chunk(bytes: &[u8]) -> DecodeResult<(u64, Vec<Event>)> {
    let message = read(bytes)?;
    let root = message
        .get_root::<tc::chunk::Reader>()
        .map_err(|e| e.to_string())?;
    let list = root.get_events().map_err(|e| e.to_string())?;
    // The list length is bounded by the message size, itself bounded by
    // the container, so this reservation is not the guest's to choose.
    let mut events = Vec::with_capacity(list.len() as usize);
    for (i, event) in list.iter().enumerate() {
        let kind = decode_event_kind(event).map_err(|e| format!("event {i}: {e}"))?;
        events.push(Event {
            seq: event.get_seq(),
            vcpu: event.get_vcpu(),
            kind,
        });
    }
    Ok((root.get_index(), events))
}

fn decode_event_kind(event: tc::event::Reader<'_>) -> DecodeResult<EventKind> {
    use tc::event::Which;
    let which = event
        .which()
        .map_err(|e| format!("unknown event kind {}", e.0))?;
    Ok(match which {
        Which::Entry(call) => EventKind::Entry(decode_syscall(call.map_err(|e| e.to_string())?)?),
        Which::Exit(call) => EventKind::Exit(decode_syscall(call.map_err(|e| e.to_string())?)?),
        Which::Memory(run) => {
            let run = run.map_err(|e| e.to_string())?;
            EventKind::Memory(MemoryRun {
                address: run.get_address(),
                direction: match run.get_direction() {
                    Ok(tc::Direction::KernelRead) => Direction::KernelRead,
                    Ok(tc::Direction::KernelWrite) => Direction::KernelWrite,
                    Err(e) => return Err(format!("unknown memory direction {}", e.0)),
                },
                bytes: run.get_bytes().map_err(|e| e.to_string())?.to_vec(),
                thread: decode_thread(run.get_thread().map_err(|e| e.to_string())?),
            })
        }
        Which::Probe(probe) => {
            let probe = probe.map_err(|e| e.to_string())?;
            EventKind::Probe(Probe {
                kind: match probe.get_kind() {
                    Ok(tc::ProbeKind::ThreadPointer) => ProbeKind::ThreadPointer,
                    Ok(tc::ProbeKind::SharedUserData) => ProbeKind::SharedUserData,
                    Err(e) => return Err(format!("unknown probe kind {}", e.0)),
                },
                address: probe.get_address(),
                register: text(probe.get_register())?,
                thread: decode_thread(probe.get_thread().map_err(|e| e.to_string())?),
                bytes: probe.get_bytes().map_err(|e| e.to_string())?.to_vec(),
                readable: probe.get_readable(),
            })
        }
        Which::Loss(loss) => {
            let loss = loss.map_err(|e| e.to_string())?;
            EventKind::Loss(Loss {
                kind: match loss.get_kind() {
                    Ok(tc::LossKind::Events) => LossKind::Events,
                    Ok(tc::LossKind::MemoryBytes) => LossKind::MemoryBytes,
                    Ok(tc::LossKind::MemoryUnreadable) => LossKind::MemoryUnreadable,
                    Ok(tc::LossKind::Probes) => LossKind::Probes,
                    Err(e) => return Err(format!("unknown loss kind {}", e.0)),
                },
                count: loss.get_count(),
                bytes: loss.get_bytes(),
                reason: text(loss.get_reason())?,
            })
        }
    })
}

fn decode_syscall(call: tc::syscall_event::Reader<'_>) -> DecodeResult<SyscallEvent> {
    let mechanism = match call.get_mechanism() {
        Ok(tc::Mechanism::Syscall) => Mechanism::Syscall,
        Ok(tc::Mechanism::Sysenter) => Mechanism::Sysenter,
        Ok(tc::Mechanism::Int80) => Mechanism::Int80,
        Ok(tc::Mechanism::Int2e) => Mechanism::Int2e,
        Ok(tc::Mechanism::Sysret) => Mechanism::Sysret,
        Ok(tc::Mechanism::Sysexit) => Mechanism::Sysexit,
        Ok(tc::Mechanism::Iret) => Mechanism::Iret,
        Err(e) => return Err(format!("unknown mechanism {}", e.0)),
    };
    let r = call.get_regs().map_err(|e| e.to_string())?;
    Ok(SyscallEvent {
        mechanism,
        pc: call.get_pc(),
        regs: GeneralRegisters {
            rax: r.get_rax(),
            rbx: r.get_rbx(),
            rcx: r.get_rcx(),
            rdx: r.get_rdx(),
            rsi: r.get_rsi(),
            rdi: r.get_rdi(),
            rbp: r.get_rbp(),
            rsp: r.get_rsp(),
            r8: r.get_r8(),
            r9: r.get_r9(),
            r10: r.get_r10(),
            r11: r.get_r11(),
            r12: r.get_r12(),
            r13: r.get_r13(),
            r14: r.get_r14(),
            r15: r.get_r15(),
            rflags: r.get_rflags(),
        },
        cs: call.get_cs(),
        ss: call.get_ss(),
        fs_base: call.get_fs_base(),
        gs_base: call.get_gs_base(),
        kernel_gs_base: call.get_kernel_gs_base(),
        cr3: call.get_cr3(),
        efer: call.get_efer(),
        user_pc: call.get_user_pc(),
        user_sp: call.get_user_sp(),
        user_cs: call.get_user_cs(),
        wide: call.get_wide(),
        read_mask: call.get_read_mask(),
    })
}

fn decode_thread(thread: tc::thread_context::Reader<'_>) -> ThreadContext {
    ThreadContext {
        cr3: thread.get_cr3(),
        fs_base: thread.get_fs_base(),
        gs_base: thread.get_gs_base(),
        kernel_gs_base: thread.get_kernel_gs_base(),
    }
}

pub(crate) fn encode_footer(footer: &Footer) -> Vec<u8> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<tc::footer::Builder>();
    let mut chunks = root.reborrow().init_chunks(list_len(footer.chunks.len()));
    for (i, entry) in footer.chunks.iter().enumerate() {
        let mut out = chunks.reborrow().get(i as u32);
        out.set_offset(entry.offset);
        out.set_length(entry.length);
        out.set_first_seq(entry.first_seq);
        out.set_last_seq(entry.last_seq);
        out.set_events(entry.events);
    }
    let c = &footer.counts;
    let mut counts = root.reborrow().init_counts();
    counts.set_events(c.events);
    counts.set_entries(c.entries);
    counts.set_exits(c.exits);
    counts.set_memory_runs(c.memory_runs);
    counts.set_memory_bytes(c.memory_bytes);
    counts.set_probes(c.probes);
    counts.set_losses(c.losses);
    counts.set_lost_records(c.lost_records);
    counts.set_lost_bytes(c.lost_bytes);
    root.set_digest_algorithm(footer.digest_algorithm.as_str());
    root.set_digest(&footer.digest);
    root.set_ended_at_unix_ns(footer.end.ended_at_unix_ns);
    root.set_end_reason(footer.end.reason.as_str());
    serialize::write_message_to_words(&message)
}

pub(crate) fn decode_footer(bytes: &[u8]) -> DecodeResult<Footer> {
    let message = read(bytes)?;
    let root = message
        .get_root::<tc::footer::Reader>()
        .map_err(|e| e.to_string())?;
    let list = root.get_chunks().map_err(|e| e.to_string())?;
    let mut chunks = Vec::with_capacity(list.len() as usize);
    for entry in list {
        chunks.push(ChunkIndexEntry {
            offset: entry.get_offset(),
            length: entry.get_length(),
            first_seq: entry.get_first_seq(),
            last_seq: entry.get_last_seq(),
            events: entry.get_events(),
        });
    }
    let c = root.get_counts().map_err(|e| e.to_string())?;
    Ok(Footer {
        chunks,
        counts: Counts {
            events: c.get_events(),
            entries: c.get_entries(),
            exits: c.get_exits(),
            memory_runs: c.get_memory_runs(),
            memory_bytes: c.get_memory_bytes(),
            probes: c.get_probes(),
            losses: c.get_losses(),
            lost_records: c.get_lost_records(),
            lost_bytes: c.get_lost_bytes(),
        },
        digest_algorithm: text(root.get_digest_algorithm())?,
        digest: root.get_digest().map_err(|e| e.to_string())?.to_vec(),
        end: TraceEnd {
            ended_at_unix_ns: root.get_ended_at_unix_ns(),
            reason: text(root.get_end_reason())?,
        },
    })
}
