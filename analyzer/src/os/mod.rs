//! What each guest operating system means by its system calls. One module
//! per OS with the same file names; the OS is chosen at run time from the
//! trace, never by a cargo feature.

pub mod linux;
