//! In what order, and on which worker, files are analysed.
//!
//! - **Largest first**, so that the run does not end with one worker on a
//!   9 MB bundle while the other has nothing left to do.
//! - **Large files one at a time, always on the same worker.** Analysing a
//!   file costs about 20 bytes of memory per byte of source at its peak (AST
//!   and model together: TypeScript's 9.1 MB `typescript.js` peaks near
//!   190 MB), so two bundles analysed side by side add up. And the allocator
//!   keeps what a thread freed for that thread (glibc: one arena per thread),
//!   so a bundle analysed on the other worker after it would not reuse that
//!   memory but add to it. Files of at least [`HEAVY_BYTES`] (22 files, 30% of
//!   the benchmark corpus) therefore go to the first worker only, which takes
//!   them before anything else; the other workers take the small files,
//!   largest first, and so does the first once the large ones are done.
//! - **Results in input order**, whatever the thread count, so output is
//!   byte-identical for any `-j`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Files at least this large are analysed by the first worker only; smaller
/// ones cost at most ~12 MB each and go to any worker.
pub const HEAVY_BYTES: u64 = 512 * 1024;

/// Runs `f` on every index of `sizes` (the byte size of each item) on up to
/// `threads` workers with `stack` bytes of stack each, largest items first,
/// heavy ones on the first worker. Returns the results in index order.
pub fn run<R: Send>(
    sizes: &[u64],
    threads: usize,
    stack: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    let queue = Queue::new(sizes);
    let started = AtomicUsize::new(0);
    let worker = || {
        // The first worker to start takes the heavy files: there is always
        // one, even when some threads could not be started.
        let heavy = started.fetch_add(1, Ordering::Relaxed) == 0;
        let mut done = Vec::new();
        while let Some(index) = queue.take(heavy) {
            done.push((index, f(index)));
        }
        done
    };
    let batches: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(stack)
                    .spawn_scoped(scope, worker)
                    .ok()
            })
            .collect();
        // Could not start any thread (resource limits): work on this one.
        if handles.is_empty() {
            return vec![worker()];
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(sizes.len()).collect();
    for (index, result) in batches.into_iter().flatten() {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every item is taken exactly once"))
        .collect()
}

/// The byte size of each file (0 when it cannot be read: the worker that
/// takes it reports why), looked up on `threads` threads.
pub fn file_sizes(paths: &[&std::path::Path], threads: usize) -> Vec<u64> {
    let size = |p: &&std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let chunk = paths.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(size).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

struct Queue {
    state: Mutex<State>,
}

struct State {
    /// Heavy items not yet taken, largest first, and how many were taken.
    heavy: Vec<usize>,
    next_heavy: usize,
    /// Light items, largest first, and how many were taken.
    light: Vec<usize>,
    next_light: usize,
}

impl Queue {
    fn new(sizes: &[u64]) -> Queue {
        let mut order: Vec<usize> = (0..sizes.len()).collect();
        // Stable: equal sizes keep their input order, so runs are repeatable.
        order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
        let split = order.partition_point(|&i| sizes[i] >= HEAVY_BYTES);
        let light = order.split_off(split);
        Queue {
            state: Mutex::new(State {
                heavy: order,
                next_heavy: 0,
                light,
                next_light: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next item for a worker: for the heavy worker the largest heavy
    /// item left, then the largest light one; `None` when nothing is left
    /// that this worker may take.
    fn take(&self, heavy_worker: bool) -> Option<usize> {
        let mut state = self.lock();
        if heavy_worker {
            if let Some(&index) = state.heavy.get(state.next_heavy) {
                state.next_heavy += 1;
                return Some(index);
            }
        }
        let index = *state.light.get(state.next_light)?;
        state.next_light += 1;
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order() {
        let sizes: Vec<u64> = (0..500).map(|i| (i * 7919 % 1000) as u64).collect();
        for threads in [1, 2, 7] {
            let out = run(&sizes, threads, 1 << 20, |i| i * 2);
            assert_eq!(out, (0..500).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn one_thread_takes_the_largest_first() {
        let sizes = [10, HEAVY_BYTES * 3, 5, HEAVY_BYTES, 20];
        let order = Mutex::new(Vec::new());
        run(&sizes, 1, 1 << 20, |i| order.lock().unwrap().push(i));
        assert_eq!(order.into_inner().unwrap(), vec![1, 3, 4, 0, 2]);
    }

    #[test]
    fn heavy_files_run_one_at_a_time_on_one_thread() {
        let mut sizes = vec![
            HEAVY_BYTES * 9,
            HEAVY_BYTES * 6,
            HEAVY_BYTES,
            HEAVY_BYTES * 2,
        ];
        sizes.extend([100; 40]);
        let heavy_threads = Mutex::new(Vec::new());
        let in_flight = AtomicUsize::new(0);
        let worst = AtomicUsize::new(0);
        run(&sizes, 4, 1 << 20, |i| {
            if sizes[i] >= HEAVY_BYTES {
                heavy_threads
                    .lock()
                    .unwrap()
                    .push(std::thread::current().id());
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                worst.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(5));
                in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        });
        assert_eq!(worst.into_inner(), 1);
        let threads = heavy_threads.into_inner().unwrap();
        assert_eq!(threads.len(), 4);
        assert!(threads.iter().all(|t| *t == threads[0]));
    }

    #[test]
    fn sizes_of_missing_files_are_zero() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.js");
        std::fs::write(&file, "abc").unwrap();
        let missing = dir.path().join("missing.js");
        let paths = [file.as_path(), missing.as_path(), file.as_path()];
        assert_eq!(file_sizes(&paths, 2), vec![3, 0, 3]);
    }
}
