//! Reads arbitrary bytes as a V8 heap snapshot and, when they parse, runs
//! the whole analysis and renders the report. Any panic, overflow or hang
//! is a bug: bad input must come back as a `HeapError`.
#![no_main]

use leaklint::heap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(analysed) = heap::analyse(data) else {
        return;
    };
    for c in heap::culprits(&analysed, None, 1, 1) {
        let _ = heap::report::headline(&c);
    }
});
