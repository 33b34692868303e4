//! The `leaklint` binary: parse arguments, run, exit.

use clap::Parser;

/// jemalloc instead of the system allocator: see the note on the dependency in
/// `Cargo.toml` (fewer instructions per allocation; freed pages go back to the
/// system within a second, those of allocations of 1 MiB and more at once, see
/// `.cargo/config.toml`).
#[cfg(all(unix, not(target_os = "openbsd")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = leaklint::cli::Cli::parse();
    if matches!(cli.command, Some(leaklint::cli::Command::Heap(_))) {
        return_freed_pages_at_once();
    }
    leaklint::cli::run(cli)
}

/// `leaklint heap` runs a few phases, each freeing arrays the next does not
/// need (docs/heap.md, "Reading the file"). Kept for the decay time of
/// `.cargo/config.toml`, the freed pages of jemalloc's ordinary arenas would
/// add to the next phase's peak (about 10 MB on a 235 MB snapshot; its
/// arena for allocations of 1 MiB and more already returns them at once).
/// Returning them at once costs a few `madvise` calls per phase.
#[cfg(all(unix, not(target_os = "openbsd")))]
fn return_freed_pages_at_once() {
    use std::ffi::{CStr, c_void};
    use tikv_jemalloc_sys::mallctl;
    let set = |name: &CStr| {
        let mut zero: isize = 0; // ssize_t
        // SAFETY: every name here takes an ssize_t; on failure the build-time
        // setting stays, which is only slower to return memory.
        unsafe {
            mallctl(
                name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                (&mut zero as *mut isize).cast::<c_void>(),
                std::mem::size_of::<isize>(),
            );
        }
    };
    // Arenas made from now on, then those that exist.
    set(c"arenas.dirty_decay_ms");
    let mut narenas: u32 = 0;
    let mut len = std::mem::size_of::<u32>();
    // SAFETY: `arenas.narenas` is an unsigned int, read into one.
    let read = unsafe {
        mallctl(
            c"arenas.narenas".as_ptr(),
            (&mut narenas as *mut u32).cast::<c_void>(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    if read == 0 {
        for i in 0..narenas {
            if let Ok(name) = std::ffi::CString::new(format!("arena.{i}.dirty_decay_ms")) {
                set(&name);
            }
        }
    }
}

#[cfg(not(all(unix, not(target_os = "openbsd"))))]
fn return_freed_pages_at_once() {}
