//! In what order, and how many at a time, the workers take files.
//!
//! - **Largest first**, so that the run does not end with one worker on a
//!   9 MB bundle while the other has nothing left to do.
//! - **A memory budget for large files.** Analysing a file costs about 20
//!   bytes of memory per byte of source at its peak (AST and model together:
//!   TypeScript's 9.1 MB `typescript.js` peaks near 190 MB), so two bundles
//!   analysed side by side add up. A file of at least [`HEAVY_BYTES`] is
//!   admitted only while the heavy files in flight total at most
//!   [`HEAVY_BUDGET`] bytes with it (or when it is the only one); a worker
//!   that cannot take the next heavy file takes small files meanwhile.
//! - **Results in input order**, whatever the thread count, so output is
//!   byte-identical for any `-j`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Files at least this large count against [`HEAVY_BUDGET`]; smaller ones
/// cost at most ~12 MB each and are always admitted.
pub const HEAVY_BYTES: u64 = 512 * 1024;

/// Bytes of source of heavy files analysed at the same time (see the module
/// documentation): about 90 MB of memory. A file larger than this (the
/// corpus has two, TypeScript's 9.1 and 6.2 MB bundles) runs alone among
/// heavy files, beside small ones only.
pub const HEAVY_BUDGET: u64 = 4 * 1024 * 1024;

/// Runs `f` on every index of `sizes` (the byte size of each item) on up to
/// `threads` workers with `stack` bytes of stack each, largest items first and
/// within the heavy-file budget. Returns the results in index order.
pub fn run<R: Send>(
    sizes: &[u64],
    threads: usize,
    stack: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    let queue = Queue::new(sizes);
    let worker = || {
        let mut done = Vec::new();
        while let Some(job) = queue.take() {
            done.push((job.index, f(job.index)));
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

/// An item a worker has taken; a heavy one gives its bytes back to the budget
/// when dropped (also if the work panics, so no other worker waits forever).
struct Job<'q> {
    index: usize,
    weight: u64,
    queue: &'q Queue<'q>,
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        if self.weight > 0 {
            let mut state = self.queue.lock();
            state.in_flight -= self.weight;
            drop(state);
            self.queue.released.notify_all();
        }
    }
}

struct Queue<'s> {
    sizes: &'s [u64],
    state: Mutex<State>,
    /// Signalled when heavy bytes leave the budget.
    released: Condvar,
}

struct State {
    /// Heavy items not yet taken, largest first.
    heavy: Vec<usize>,
    /// Light items, largest first, and how many were taken.
    light: Vec<usize>,
    next_light: usize,
    /// Bytes of heavy items being worked on.
    in_flight: u64,
}

impl<'s> Queue<'s> {
    fn new(sizes: &'s [u64]) -> Queue<'s> {
        let mut order: Vec<usize> = (0..sizes.len()).collect();
        // Stable: equal sizes keep their input order, so runs are repeatable.
        order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
        let split = order.partition_point(|&i| sizes[i] >= HEAVY_BYTES);
        let light = order.split_off(split);
        Queue {
            sizes,
            state: Mutex::new(State {
                heavy: order,
                light,
                next_light: 0,
                in_flight: 0,
            }),
            released: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next item for a worker: the largest heavy item the budget admits,
    /// else the largest light one, else waits for the budget; `None` when
    /// everything has been taken.
    fn take(&self) -> Option<Job<'_>> {
        let mut state = self.lock();
        loop {
            let in_flight = state.in_flight;
            let admitted = state
                .heavy
                .iter()
                .position(|&i| in_flight == 0 || in_flight + self.sizes[i] <= HEAVY_BUDGET);
            if let Some(at) = admitted {
                let index = state.heavy.remove(at);
                let weight = self.sizes[index];
                state.in_flight += weight;
                return Some(Job {
                    index,
                    weight,
                    queue: self,
                });
            }
            if let Some(&index) = state.light.get(state.next_light) {
                state.next_light += 1;
                return Some(Job {
                    index,
                    weight: 0,
                    queue: self,
                });
            }
            if state.heavy.is_empty() {
                return None;
            }
            state = self
                .released
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

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
    fn heavy_files_in_flight_stay_within_the_budget() {
        // Two files over the budget, three that fit two by two, and light ones.
        let mut sizes = vec![HEAVY_BUDGET + 1, HEAVY_BUDGET + 2];
        sizes.extend([HEAVY_BUDGET / 2; 3]);
        sizes.extend([100; 40]);
        let in_flight = AtomicU64::new(0);
        let worst = AtomicU64::new(0);
        run(&sizes, 4, 1 << 20, |i| {
            let weight = if sizes[i] >= HEAVY_BYTES { sizes[i] } else { 0 };
            let now = in_flight.fetch_add(weight, Ordering::SeqCst) + weight;
            worst.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(2));
            in_flight.fetch_sub(weight, Ordering::SeqCst);
        });
        // The budget, or one file over it alone; never two of those together.
        assert!(worst.into_inner() <= HEAVY_BUDGET + 2);
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
