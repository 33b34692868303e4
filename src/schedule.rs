//! In what order, and on which worker, files are analysed.
//!
//! - **Large files first, one at a time, always on the same worker.**
//!   Analysing a file costs about 20 bytes of memory per byte of source at its
//!   peak (AST and model together: TypeScript's 9.1 MB `typescript.js` peaks
//!   near 190 MB), so two bundles analysed side by side add up; and the
//!   allocator keeps some of what a thread freed for that thread, so a bundle
//!   analysed on the other worker after it would add to it rather than reuse
//!   it. Files of at least [`HEAVY_BYTES`] (22 files, 30% of the benchmark
//!   corpus) therefore go to the first worker only, largest first, so that no
//!   bundle is the tail of the run.
//! - **Small files in input order**, on every worker (the first joins once
//!   the large ones are done). None costs more than a fraction of a second,
//!   so the order of the small ones does not decide when the run ends.
//! - **No barrier before the work starts.** Finding the large files needs the
//!   size of every file (one `stat` each, a noticeable share of a run over
//!   thousands of files): the first worker looks them up while the others
//!   already lint small files, and each size is looked up once and shared.
//! - **Results in input order**, whatever the thread count, so output is
//!   byte-identical for any `-j`.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Files at least this large are analysed by the first worker only; smaller
/// ones cost at most ~12 MB each and go to any worker.
pub const HEAVY_BYTES: u64 = 512 * 1024;

/// Runs `f` on every index below `count` on up to `threads` workers with
/// `stack` bytes of stack each, `size_of(i)` giving the byte size of item `i`
/// (asked at most once per item): heavy items first on the first worker,
/// largest first; light ones in index order on all. Returns the results in
/// index order.
pub fn run<R: Send>(
    count: usize,
    size_of: impl Fn(usize) -> u64 + Sync,
    threads: usize,
    stack: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    let board = Board::new(count, &size_of);
    let started = AtomicUsize::new(0);
    let worker = || {
        // The first worker to start takes the heavy files: there is always
        // one, even when some threads could not be started.
        let heavy = started.fetch_add(1, Ordering::Relaxed) == 0;
        let mut done = Vec::new();
        if heavy {
            for index in board.heavy_largest_first() {
                if board.claim(index) {
                    done.push((index, f(index)));
                }
            }
        }
        while let Some(index) = board.next_light(heavy) {
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
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(count).collect();
    for (index, result) in batches.into_iter().flatten() {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every item is taken exactly once"))
        .collect()
}

/// The byte size of a file; 0 when it cannot be read (the worker that takes
/// it reports why).
pub fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// What the workers share: each item's size once known, whether it was
/// taken, and the next light item in input order.
struct Board<'s, S> {
    size_of: &'s S,
    sizes: Vec<AtomicU64>,
    claimed: Vec<AtomicBool>,
    next: AtomicUsize,
}

/// A size not looked up yet (no file is this large).
const UNKNOWN: u64 = u64::MAX;

impl<'s, S: Fn(usize) -> u64 + Sync> Board<'s, S> {
    fn new(count: usize, size_of: &'s S) -> Self {
        Board {
            size_of,
            sizes: (0..count).map(|_| AtomicU64::new(UNKNOWN)).collect(),
            claimed: (0..count).map(|_| AtomicBool::new(false)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The size of item `index`. The first worker to ask looks it up; every
    /// worker then sees that same value, so an item is never judged heavy by
    /// one worker and light by another (which would leave it to nobody).
    fn size(&self, index: usize) -> u64 {
        let known = self.sizes[index].load(Ordering::Acquire);
        if known != UNKNOWN {
            return known;
        }
        let size = (self.size_of)(index).min(UNKNOWN - 1);
        match self.sizes[index].compare_exchange(UNKNOWN, size, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => size,
            Err(first) => first,
        }
    }

    /// Takes item `index`; false when another worker already has.
    fn claim(&self, index: usize) -> bool {
        !self.claimed[index].swap(true, Ordering::AcqRel)
    }

    /// Every heavy item, largest first (equal sizes in input order, so runs
    /// are repeatable). Looks up every size not known yet.
    fn heavy_largest_first(&self) -> Vec<usize> {
        let mut heavy: Vec<usize> = (0..self.sizes.len())
            .filter(|&i| self.size(i) >= HEAVY_BYTES)
            .collect();
        heavy.sort_by_key(|&i| std::cmp::Reverse(self.size(i)));
        heavy
    }

    /// The next light item in input order that nobody has taken; heavy items
    /// are skipped (the heavy worker takes them from its own list). `None`
    /// when none is left.
    fn next_light(&self, heavy_worker: bool) -> Option<usize> {
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if index >= self.sizes.len() {
                return None;
            }
            if self.claimed[index].load(Ordering::Acquire) {
                continue;
            }
            // The heavy worker has taken every heavy item before it gets here.
            if !heavy_worker && self.size(index) >= HEAVY_BYTES {
                continue;
            }
            if self.claim(index) {
                return Some(index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn results_come_back_in_input_order() {
        let sizes: Vec<u64> = (0..500).map(|i| (i * 7919 % 1000) as u64).collect();
        for threads in [1, 2, 7] {
            let out = run(sizes.len(), |i| sizes[i], threads, 1 << 20, |i| i * 2);
            assert_eq!(out, (0..500).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn one_thread_takes_the_heavy_largest_first_then_the_rest_in_order() {
        let sizes = [10, HEAVY_BYTES * 3, 5, HEAVY_BYTES, 20];
        let order = Mutex::new(Vec::new());
        run(
            sizes.len(),
            |i| sizes[i],
            1,
            1 << 20,
            |i| order.lock().unwrap().push(i),
        );
        assert_eq!(order.into_inner().unwrap(), vec![1, 3, 0, 2, 4]);
    }

    #[test]
    fn every_item_runs_once_and_sizes_are_not_looked_up_per_worker() {
        let mut sizes = vec![HEAVY_BYTES * 2, 7, HEAVY_BYTES];
        sizes.extend((0..300).map(|i| i * 31 % 900));
        let asked: Vec<AtomicUsize> = sizes.iter().map(|_| AtomicUsize::new(0)).collect();
        let ran: Vec<AtomicUsize> = sizes.iter().map(|_| AtomicUsize::new(0)).collect();
        for threads in [1, 2, 5] {
            asked
                .iter()
                .chain(&ran)
                .for_each(|a| a.store(0, Ordering::SeqCst));
            let size_of = |i: usize| {
                asked[i].fetch_add(1, Ordering::SeqCst);
                sizes[i]
            };
            run(sizes.len(), size_of, threads, 1 << 20, |i| {
                ran[i].fetch_add(1, Ordering::SeqCst)
            });
            assert!(ran.iter().all(|r| r.load(Ordering::SeqCst) == 1));
            // A lookup may race with another worker's, never more than one each.
            assert!(
                asked
                    .iter()
                    .all(|a| (1..=threads).contains(&a.load(Ordering::SeqCst)))
            );
        }
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
        run(
            sizes.len(),
            |i| sizes[i],
            4,
            1 << 20,
            |i| {
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
            },
        );
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
        assert_eq!(file_size(&file), 3);
        assert_eq!(file_size(&dir.path().join("missing.js")), 0);
    }
}
