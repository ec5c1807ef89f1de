//! What the kernel touched of user memory during one call, for decoding.
//!
//! The recorder keeps the exact bytes the kernel loaded or stored at user
//! addresses, in order. A decoder asks for the bytes at an address; it
//! gets them only if every byte was recorded, so that nothing is guessed:
//! a pointer the kernel never followed, or followed only in part, reads as
//! missing and is shown as its address.

use vmscope_schema::{Direction, MemoryRun};

/// The memory runs of one call, in the order they happened.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallMemory<'a> {
    runs: &'a [MemoryRun],
}

impl<'a> CallMemory<'a> {
    pub fn new(runs: &'a [MemoryRun]) -> CallMemory<'a> {
        CallMemory { runs }
    }

    pub fn runs(&self) -> &'a [MemoryRun] {
        self.runs
    }

    /// The bytes at `address..address + len` as the kernel read them
    /// (the first read of each byte), if it read all of them.
    pub fn read(&self, address: u64, len: usize) -> Option<Vec<u8>> {
        self.gather(address, len, Direction::KernelRead, false)
    }

    /// The bytes at `address..address + len` as the kernel left them (the
    /// last write of each byte), if it wrote all of them.
    pub fn written(&self, address: u64, len: usize) -> Option<Vec<u8>> {
        self.gather(address, len, Direction::KernelWrite, true)
    }

    /// A little-endian word of `size` bytes (at most 8) the kernel read at
    /// `address`, zero-extended: a pointer, a flags field, a stacked
    /// argument.
    pub fn read_word(&self, address: u64, size: usize) -> Option<u64> {
        let bytes = self.read(address, size.min(8))?;
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(&bytes);
        Some(u64::from_le_bytes(word))
    }

    /// A little-endian word of `size` bytes (at most 8) as the kernel left
    /// it at `address`: a handle or a length it returned.
    pub fn written_word(&self, address: u64, size: usize) -> Option<u64> {
        let bytes = self.written(address, size.min(8))?;
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(&bytes);
        Some(u64::from_le_bytes(word))
    }

    /// The bytes the kernel wrote from `address` on without a gap, at most
    /// `max`: a buffer it filled, however much of it.
    pub fn written_prefix(&self, address: u64, max: usize) -> Vec<u8> {
        self.prefix(address, max, Direction::KernelWrite, true)
    }

    /// The bytes the kernel read from `address` on without a gap, at most
    /// `max`.
    pub fn read_prefix(&self, address: u64, max: usize) -> Vec<u8> {
        self.prefix(address, max, Direction::KernelRead, false)
    }

    fn prefix(&self, address: u64, max: usize, direction: Direction, last: bool) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < max {
            match self.byte(address.wrapping_add(out.len() as u64), direction, last) {
                Some(byte) => out.push(byte),
                None => break,
            }
        }
        out
    }

    /// A NUL-terminated string the kernel read at `address`: its bytes
    /// (without the NUL, at most `max`) and whether the NUL was seen. None
    /// if the kernel read nothing there.
    pub fn c_string(&self, address: u64, max: usize) -> Option<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut at = address;
        // Walk contiguous reads from `address` on; the kernel reads strings
        // in word-sized pieces, possibly past the NUL.
        while out.len() < max {
            let Some(byte) = self.byte(at, Direction::KernelRead, false) else {
                break;
            };
            if byte == 0 {
                return Some((out, true));
            }
            out.push(byte);
            at = at.wrapping_add(1);
        }
        if out.is_empty() && self.byte(address, Direction::KernelRead, false).is_none() {
            return None;
        }
        Some((out, false))
    }

    fn byte(&self, address: u64, direction: Direction, last: bool) -> Option<u8> {
        let mut found = None;
        for run in self.runs.iter().filter(|r| r.direction == direction) {
            let offset = address.wrapping_sub(run.address);
            if offset < run.bytes.len() as u64 {
                found = Some(run.bytes[offset as usize]);
                if !last {
                    break;
                }
            }
        }
        found
    }

    fn gather(
        &self,
        address: u64,
        len: usize,
        direction: Direction,
        last: bool,
    ) -> Option<Vec<u8>> {
        // Never allocate what a guest length asks for: only what was
        // recorded can be returned, so bound by the recorded bytes.
        let recorded: usize = self
            .runs
            .iter()
            .filter(|r| r.direction == direction)
            .map(|r| r.bytes.len())
            .sum();
        if len > recorded {
            return None;
        }
        // The common case: one run holds it all (and no other run of the
        // same direction overlaps it, or the byte walk below decides).
        let covering: Vec<&MemoryRun> = self
            .runs
            .iter()
            .filter(|r| {
                let end = r.address.saturating_add(r.bytes.len() as u64);
                r.direction == direction
                    && r.address < address.saturating_add(len as u64)
                    && address < end
            })
            .collect();
        if let [only] = covering[..]
            && let Some(start) = address.checked_sub(only.address)
            && let Some(bytes) = usize::try_from(start)
                .ok()
                .and_then(|start| only.bytes.get(start..start.checked_add(len)?))
        {
            return Some(bytes.to_vec());
        }
        let mut out = Vec::with_capacity(len);
        for i in 0..len as u64 {
            out.push(self.byte(address.wrapping_add(i), direction, last)?);
        }
        Some(out)
    }
}

/// For tests of any decoder: a run of `bytes` at `address`.
#[cfg(test)]
pub(crate) fn run(address: u64, direction: Direction, bytes: &[u8]) -> MemoryRun {
    MemoryRun {
        address,
        direction,
        bytes: bytes.to_vec(),
        thread: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_reads_and_writes() {
        let runs = [
            run(0x1000, Direction::KernelRead, b"/tmp/a\0junk"),
            run(0x2000, Direction::KernelWrite, b"hello"),
            run(0x2000, Direction::KernelWrite, b"J"),
            run(0x3000, Direction::KernelRead, b"no-nul"),
        ];
        let memory = CallMemory::new(&runs);
        assert_eq!(
            memory.c_string(0x1000, 4096),
            Some((b"/tmp/a".to_vec(), true))
        );
        assert_eq!(memory.c_string(0x1000, 3), Some((b"/tm".to_vec(), false)));
        assert_eq!(
            memory.c_string(0x3000, 4096),
            Some((b"no-nul".to_vec(), false))
        );
        assert_eq!(memory.c_string(0x5000, 4096), None);
        assert_eq!(memory.written(0x2000, 5), Some(b"Jello".to_vec()));
        assert_eq!(memory.read(0x2000, 5), None);
        assert_eq!(memory.read(0x1000, 3), Some(b"/tm".to_vec()));
        assert_eq!(memory.read(0x1000, 1 << 40), None);
        assert_eq!(
            memory.read_word(0x1000, 2),
            Some(u64::from(u16::from_le_bytes(*b"/t")))
        );
        assert_eq!(memory.read_word(0x5000, 8), None);
    }
}
