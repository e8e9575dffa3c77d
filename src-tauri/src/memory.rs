//! Giving memory back to the system. A report cache of 1,000,000 transactions is millions of small blocks;
//! when it is dropped, glibc's malloc keeps the freed pages in its arenas (one per thread that allocated), so the
//! process stays as large as it was. `malloc_trim(0)` returns every whole free page of every arena.
#![allow(unsafe_code)]

/// Returns the free pages of the C allocator (the one Rust uses on Linux) to the system.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes a plain integer, touches only the allocator's own free lists under its locks, and
    // is safe to call from any thread at any time (glibc documents it MT-Safe).
    unsafe {
        libc::malloc_trim(0);
    }
}
