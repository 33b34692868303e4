//! The stat pre-check: a file whose size, modification and change times,
//! inode and device are those recorded when its content was last hashed is
//! taken as unchanged without being read, as git's index and ESLint's
//! `--cache-strategy metadata` do, but only when that record could not have
//! missed a write (git's "racy clean" rule):
//!
//! - Every write to a file sets its change time (`ctime`) to the current
//!   time, and nothing but the system clock can set it back (`touch -d`,
//!   `cp -p`, `tar` and `rsync -t` restore the modification time only).
//! - The record is taken *before* the content is read. A write after that
//!   leaves the change time in a later clock tick than the recorded one
//!   unless the recorded one was itself taken within a tick of the read.
//! - So a record is kept only when both times lie at least [`SETTLED`]
//!   before the run that read the file started: any later write then shows
//!   as a different change time. [`SETTLED`] covers the coarse clock file
//!   systems stamp with (a few milliseconds behind) and the coarsest time
//!   granularity in use (FAT's two seconds). A file written within it is
//!   hashed again on the next run, and the one after records it.
//!
//! What would defeat it defeats git too: the system clock set back by more
//! than [`SETTLED`], a network file system whose server clock lags the
//! client's by more, or a write through a shared memory map whose times the
//! kernel has not updated yet. Outside Unix there is no change time in the
//! standard library, so there is no stamp and every file is hashed.

use std::fs::Metadata;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// How long before a run a file's times must lie for its stamp to be kept.
pub const SETTLED: Duration = Duration::from_secs(3);

/// What `stat` says about a file, as far as a write changes it. Stored as
/// an array: `[size, mtime s, mtime ns, ctime s, ctime ns, inode, device]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StampArray", into = "StampArray")]
pub struct Stamp {
    len: u64,
    modified: Nanos,
    changed: Nanos,
    inode: u64,
    device: u64,
}

type StampArray = (u64, i64, i64, i64, i64, u64, u64);

/// A time as seconds and nanoseconds since the Unix epoch, as `stat` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Nanos(i64, i64);

impl Nanos {
    fn total(self) -> i128 {
        i128::from(self.0) * 1_000_000_000 + i128::from(self.1)
    }
}

impl From<StampArray> for Stamp {
    fn from((len, ms, mn, cs, cn, inode, device): StampArray) -> Self {
        Stamp {
            len,
            modified: Nanos(ms, mn),
            changed: Nanos(cs, cn),
            inode,
            device,
        }
    }
}

impl From<Stamp> for StampArray {
    fn from(s: Stamp) -> Self {
        (
            s.len,
            s.modified.0,
            s.modified.1,
            s.changed.0,
            s.changed.1,
            s.inode,
            s.device,
        )
    }
}

/// The start of a run: stamps are judged against it.
#[derive(Clone, Copy, Debug)]
pub struct RunStart(i128);

impl RunStart {
    pub fn now() -> RunStart {
        RunStart::at(SystemTime::now())
    }

    pub fn at(time: SystemTime) -> RunStart {
        // A clock before 1970 settles nothing.
        RunStart(
            time.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(i128::MIN, |d| d.as_nanos() as i128),
        )
    }
}

impl Stamp {
    /// The stamp of a file from its metadata, when the platform has one.
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.size(),
            modified: Nanos(meta.mtime(), meta.mtime_nsec()),
            changed: Nanos(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
            device: meta.dev(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &Metadata) -> Option<Stamp> {
        None
    }

    /// Whether both times lie at least [`SETTLED`] before `run` started
    /// (times in the future never do), so a write after the stamp was
    /// taken cannot leave it as it is.
    pub fn settled(&self, run: RunStart) -> bool {
        let limit = run.0.saturating_sub(SETTLED.as_nanos() as i128);
        self.modified.total() < limit && self.changed.total() < limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(modified: i64, changed: i64) -> Stamp {
        Stamp {
            len: 10,
            modified: Nanos(modified, 0),
            changed: Nanos(changed, 0),
            inode: 1,
            device: 1,
        }
    }

    fn run_at(secs: u64) -> RunStart {
        RunStart::at(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn only_times_settled_before_the_run_are_trusted() {
        let run = run_at(1_000);
        assert!(stamp(900, 900).settled(run));
        assert!(stamp(996, 996).settled(run));
        // Within the margin, by either time: hashed again.
        assert!(!stamp(997, 900).settled(run));
        assert!(!stamp(900, 999).settled(run));
        // In the future (a skewed clock): never trusted.
        assert!(!stamp(900, 2_000).settled(run));
        // The limit is exact to the nanosecond.
        let at = |secs, nanos| Stamp {
            changed: Nanos(secs, nanos),
            ..stamp(900, 0)
        };
        assert!(at(996, 999_999_999).settled(run));
        assert!(!at(997, 0).settled(run));
    }

    #[test]
    fn a_clock_before_1970_settles_nothing() {
        let run = RunStart::at(SystemTime::UNIX_EPOCH - Duration::from_secs(5));
        assert!(!stamp(-100, -100).settled(run));
    }

    #[test]
    fn stored_as_a_compact_array() {
        let s = Stamp {
            len: 5,
            modified: Nanos(1, 2),
            changed: Nanos(3, 4),
            inode: 6,
            device: 7,
        };
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, "[5,1,2,3,4,6,7]");
        assert_eq!(serde_json::from_str::<Stamp>(&text).unwrap(), s);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_of_the_same_size_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.js");
        std::fs::write(&path, "let a = 1\n").unwrap();
        let before = Stamp::of(&std::fs::metadata(&path).unwrap()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "let b = 2\n").unwrap();
        // Even with the modification time put back, as `touch -d` would.
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(
            SystemTime::UNIX_EPOCH
                + Duration::new(before.modified.0 as u64, before.modified.1 as u32),
        )
        .unwrap();
        let after = Stamp::of(&std::fs::metadata(&path).unwrap()).unwrap();
        assert_eq!(after.len, before.len);
        assert_eq!(after.modified, before.modified);
        assert_ne!(after, before, "the change time moved");
    }
}
