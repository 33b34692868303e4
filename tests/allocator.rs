//! The allocator settings the binary is built with (`.cargo/config.toml`):
//! peak memory on large files depends on them (docs/performance.md).

#![cfg(all(unix, not(target_os = "openbsd")))]

use std::ffi::{CStr, c_void};

/// Reads one of jemalloc's `size_t` or `ssize_t` options.
fn option(name: &CStr) -> usize {
    let mut value: usize = 0;
    let mut len = std::mem::size_of::<usize>();
    // SAFETY: every option read here is a size_t or an ssize_t, read into a
    // value of that size.
    let failed = unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            (&mut value as *mut usize).cast::<c_void>(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(failed, 0, "jemalloc has no option {name:?}");
    value
}

#[test]
fn large_allocations_return_their_pages_at_once() {
    // Fact vectors and scope tables of a bundle are freed while its AST is
    // still alive; at 1 MiB and above they go to the arena that returns
    // freed pages at once instead of keeping them for the decay time.
    assert_eq!(option(c"opt.oversize_threshold"), 1024 * 1024);
}

#[test]
fn ordinary_arenas_keep_freed_pages_for_a_second() {
    // Returning every freed page at once cost a second of system time on the
    // benchmark corpus; small allocations are reused within the second.
    assert_eq!(option(c"opt.dirty_decay_ms"), 1000);
    assert_eq!(option(c"opt.muzzy_decay_ms"), 0);
}
