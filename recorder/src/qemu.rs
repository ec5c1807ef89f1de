//! The few QEMU and GLib calls the recorder makes, behind small wrappers
//! that state their safety conditions once.

use std::ffi::{CStr, c_char, c_void};

pub use qemu_plugin_sys::*;

unsafe extern "C" {
    // GLib, linked into QEMU and resolved when the plugin is loaded.
    fn g_byte_array_new() -> *mut GByteArray;
    fn g_array_free(array: *mut GArray, free_segment: bool) -> *mut c_char;
}

/// A GLib byte array owned by one vCPU, reused for every register and
/// memory read so that reading allocates nothing.
#[derive(Debug)]
pub struct Scratch(*mut GByteArray);

// SAFETY: a Scratch is only used by the thread running its vCPU.
unsafe impl Send for Scratch {}

impl Scratch {
    pub fn new() -> Scratch {
        // SAFETY: plain GLib allocation.
        Scratch(unsafe { g_byte_array_new() })
    }

    fn reset(&mut self) {
        // Emptying by hand: g_byte_array_set_size(0) goes through
        // g_array_remove_range, a measurable cost at two dozen reads per call.
        // SAFETY: self.0 is a live GByteArray; a byte array has no element
        // destructor, so a shorter len is all that emptying it means.
        unsafe { (*self.0).len = 0 };
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: GLib keeps data valid for len bytes until the next call
        // that changes the array, which needs &mut self.
        unsafe {
            let array = &*self.0;
            if array.data.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(array.data, array.len as usize)
            }
        }
    }

    /// Reads a register of the current vCPU as a little-endian integer.
    /// Only valid inside a callback registered with QEMU_PLUGIN_CB_R_REGS.
    pub fn register(&mut self, handle: *mut qemu_plugin_register) -> u64 {
        if handle.is_null() {
            return 0;
        }
        self.reset();
        // SAFETY: handle came from qemu_plugin_get_registers for this vCPU.
        let size = unsafe { qemu_plugin_read_register(handle, self.0) };
        if size <= 0 {
            return 0;
        }
        let mut word = [0u8; 8];
        let bytes = self.bytes();
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        u64::from_le_bytes(word)
    }

    /// Reads guest virtual memory of the current vCPU. None when any of it
    /// is unmapped (QEMU then injects no fault).
    pub fn memory(&mut self, address: u64, len: usize) -> Option<&[u8]> {
        if len == 0 {
            return Some(&[]);
        }
        self.reset();
        // SAFETY: a valid GByteArray; QEMU sizes it to len.
        let ok = unsafe { qemu_plugin_read_memory_vaddr(address, self.0, len) };
        let bytes = self.bytes();
        (ok && bytes.len() >= len).then(|| &bytes[..len])
    }
}

/// The registers of the current vCPU by name. Call from a vCPU callback.
pub fn register_handles() -> Vec<(String, *mut qemu_plugin_register)> {
    let mut out = Vec::new();
    // SAFETY: returns a GArray of descriptors that the caller frees; the
    // names are QEMU's constant strings.
    unsafe {
        let array = qemu_plugin_get_registers();
        if array.is_null() {
            return out;
        }
        let descriptors = (*array).data as *const qemu_plugin_reg_descriptor;
        for i in 0..(*array).len as usize {
            let descriptor = &*descriptors.add(i);
            if descriptor.name.is_null() {
                continue;
            }
            let name = CStr::from_ptr(descriptor.name)
                .to_string_lossy()
                .into_owned();
            out.push((name, descriptor.handle));
        }
        g_array_free(array, true);
    }
    out
}

/// Tells the user something on QEMU's stderr. (qemu_plugin_outs would
/// print only under `-d plugin`.)
pub fn say(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "vmscope-recorder: {message}");
}

/// Userdata for a callback: a small integer smuggled in the pointer.
pub fn udata(value: u64) -> *mut c_void {
    value as usize as *mut c_void
}
