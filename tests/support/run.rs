//! Running the built binary: one runner for every end-to-end test, so that
//! they all get the same guarantees — no colours, both pipes drained while
//! waiting (a child whose output outgrows a pipe would otherwise block and
//! look like a hang), a watchdog that turns a hang into a failure, and a
//! failure when the process dies by a signal (a crash).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous bound for one run: a hang is what it catches, not slowness.
const WATCHDOG: Duration = Duration::from_secs(120);

/// What one run of the binary left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// `--format json` output: ESLint's `LintResult[]`.
    pub fn json(&self) -> Vec<Value> {
        serde_json::from_str::<Value>(&self.stdout)
            .unwrap_or_else(|e| {
                panic!(
                    "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
            .as_array()
            .expect("a JSON array of results")
            .clone()
    }

    /// The result for the file whose path ends with `suffix` (`/` or `\`).
    pub fn result(&self, suffix: &str) -> Value {
        self.json()
            .into_iter()
            .find(|r| {
                r["filePath"]
                    .as_str()
                    .is_some_and(|p| p.replace('\\', "/").ends_with(suffix))
            })
            .unwrap_or_else(|| {
                panic!(
                    "no result for {suffix} in:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
    }

    /// The `ruleId` of every message of one file (`<fatal>` for fatal ones).
    pub fn rule_ids(&self, suffix: &str) -> Vec<String> {
        self.result(suffix)["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["ruleId"].as_str().unwrap_or("<fatal>").to_string())
            .collect()
    }

    /// `(file name, ruleId)` of every message of every file, sorted.
    pub fn file_and_rule_ids(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for file in self.json() {
            let path = file["filePath"].as_str().unwrap().replace('\\', "/");
            let name = path.rsplit('/').next().unwrap().to_string();
            for m in file["messages"].as_array().unwrap() {
                let rule = m["ruleId"].as_str().unwrap_or("<fatal>");
                out.push((name.clone(), rule.to_string()));
            }
        }
        out.sort();
        out
    }
}

/// An invocation of the binary, built up and then [`Invocation::run`].
pub struct Invocation {
    command: Command,
    stdin: Option<Vec<u8>>,
}

/// The binary, run in `cwd` without colours.
pub fn leaklint(cwd: &Path) -> Invocation {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leaklint"));
    command
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    Invocation {
        command,
        stdin: None,
    }
}

impl Invocation {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Text written to the child's stdin (otherwise stdin is closed).
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Standard input that need not be UTF-8.
    pub fn stdin_bytes(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Some(bytes);
        self
    }

    /// Runs to completion; fails the test on a hang, a crash or output that
    /// is not UTF-8.
    pub fn run(mut self) -> Run {
        let described = format!("{:?}", self.command);
        let mut child = self
            .command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the leaklint binary starts");
        let out_reader = drain(child.stdout.take());
        let err_reader = drain(child.stderr.take());
        if let Some(bytes) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A child that exits early closes the pipe; its exit says why.
            let _ = pipe.write_all(&bytes);
        }
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > WATCHDOG {
                let _ = child.kill();
                panic!("{described} still running after {WATCHDOG:?}: it hangs");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = out_reader.join().expect("stdout reader");
        let stderr = err_reader.join().expect("stderr reader");
        Run {
            code: status.code().unwrap_or_else(|| {
                panic!("{described} was killed by a signal ({status}): a crash")
            }),
            stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
        }
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}
