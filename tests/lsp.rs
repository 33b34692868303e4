//! `leaklint lsp`, driven over stdio as an editor drives it: initialize,
//! open the seed file, receive its diagnostics (the same the CLI reports),
//! ask for code actions, apply a fix, see its diagnostic go; config reload on
//! save, `settings` as on the CLI; and a malformed message, an unknown
//! method, a file that does not parse and a huge file do not kill the server.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::root;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// What the server wrote on stderr so far.
    stderr: Arc<Mutex<String>>,
    /// The thread that collects stderr: it ends when the server's stderr
    /// closes, so joining it after the exit gives the whole of it.
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, json!({}))
    }

    fn start_with(dir: &Path, options: Value) -> Client {
        Client::start_with_capabilities(dir, options, json!({}))
    }

    fn start_with_capabilities(dir: &Path, options: Value, capabilities: Value) -> Client {
        let mut client = Client::spawn(dir);
        let uri = format!("file://{}", dir.display());
        let init = client.request(
            "initialize",
            json!({ "rootUri": uri, "capabilities": capabilities, "initializationOptions": options }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "leaklint", "{init}");
        client.notify("initialized", json!({}));
        client
    }

    /// The server started, not yet initialized.
    fn spawn(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start leaklint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            stderr,
            stderr_reader: Some(stderr_reader),
            next_id: 1,
        }
    }

    /// Bytes as they are, framing included (or not).
    fn bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn raw(&mut self, body: &[u8]) {
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(body);
        self.bytes(&framed);
    }

    fn notify(&mut self, method: &str, params: Value) {
        let msg = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.raw(msg.to_string().as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.raw(msg.to_string().as_bytes());
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The next message matching `pred` (others are dropped).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_seeing(pred).0
    }

    /// The next message matching `pred`, and those that came before it.
    fn wait_seeing(&mut self, pred: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let mut before = Vec::new();
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|e| {
                    panic!(
                        "the server answers within a minute ({e}); stderr: {}",
                        self.stderr.lock().unwrap()
                    )
                });
            if pred(&m) {
                return (m, before);
            }
            before.push(m);
        }
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics(uri)
    }

    /// A request that proves the server is alive and answering: code
    /// actions for a document it does not have (an empty list).
    /// Returns what the server sent before the answer.
    fn still_answers(&mut self) -> Vec<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": { "textDocument": { "uri": "file:///nowhere/none.js" }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [] } } });
        self.raw(msg.to_string().as_bytes());
        let (r, before) = self.wait_seeing(|m| m["id"] == id && m.get("method").is_none());
        assert_eq!(r["result"], json!([]), "{r}");
        before
    }

    /// The exit code once the server has ended by itself, within a minute.
    fn exit_code(mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The stderr thread ends with the process's stderr: waiting
                // for it (not for a fixed time) sees all of it, however
                // loaded the machine is.
                if let Some(reader) = self.stderr_reader.take() {
                    let _ = reader.join();
                }
                let stderr = self.stderr.lock().unwrap().clone();
                return (status.code(), stderr);
            }
            assert!(Instant::now() < deadline, "the server did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let (code, stderr) = self.exit_code();
        assert_eq!(code, Some(0), "{stderr}");
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Applies LSP text edits (UTF-16 positions; ASCII text here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + ch
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

#[test]
fn diagnostics_match_the_cli_and_a_fix_makes_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join("fixtures/examples/seed-leak.js")).unwrap();
    let path = dir.path().join("seed-leak.js");
    std::fs::write(&path, &seed).unwrap();
    let uri = format!("file://{}", path.display());

    // What the CLI says about the same file.
    let cli = support::run::leaklint(dir.path())
        .args(["-f", "json", "seed-leak.js"])
        .run();
    let expected: Vec<(String, u64, u64)> = cli.result("seed-leak.js")["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["ruleId"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!expected.is_empty());

    let mut client = Client::start(dir.path());
    let diags = client.open(&uri, &seed);
    let got: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(diags.iter().all(|d| d["source"] == "leaklint"));
    assert!(
        diags.iter().any(|d| d["relatedInformation"]
            .as_array()
            .is_some_and(|r| !r.is_empty())),
        "labels become related information: {diags:?}"
    );

    // Code actions on the null-instead-of-delete finding: its fix and a
    // "disable for this line".
    let target = diags
        .iter()
        .find(|d| d["code"] == "null-instead-of-delete")
        .expect("the seed's null write is flagged")
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": target["range"], "context": { "diagnostics": [target] } }),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    let disable = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Disable null-instead-of-delete")
        })
        .expect("a disable action");
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a.get("isPreferred") == Some(&json!(true)))
        .expect("the safe fix");
    let fixed = apply(&seed, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert!(fixed.contains("delete localCache[key]"), "{fixed}");
    let after = client.change(&uri, 2, &fixed);
    assert!(
        !codes(&after).contains(&"null-instead-of-delete".to_string()),
        "{after:?}"
    );

    // The suppression comment silences the finding it was offered for.
    let disabled = apply(&seed, disable["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        disabled.contains("// leaklint-disable-next-line null-instead-of-delete -- <reason>"),
        "{disabled}"
    );
    let after = client.change(&uri, 3, &disabled);
    assert!(
        !codes(&after).contains(&"null-instead-of-delete".to_string()),
        "{after:?}"
    );

    // source.fixAll applies every safe fix.
    client.change(&uri, 4, &seed);
    let all = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll.leaklint"] } }),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(all.len(), 1, "{all:?}");
    let fixed_all = apply(&seed, all[0]["edit"]["changes"][&uri].as_array().unwrap());
    assert!(fixed_all.contains("delete localCache[key]"));
    // Asked by its parent kind, as editors' "fix all on save" does.
    let by_parent = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
    )["result"]
        .clone();
    assert_eq!(by_parent, json!(all), "{by_parent}");
    client.stop();
}

/// The file's config (severity, a rule turned off) and its suppression
/// comments apply in the editor as on the command line.
#[test]
fn config_and_suppression_comments_apply_as_on_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let text = "const cache = {}
export function put(k, v) {
  cache[k] = v
  setTimeout(() => { cache[k] = null }, 5000)
}
const seen = new Set()
export function see(x) {
  // leaklint-disable-next-line unbounded-cache -- bounded by the caller
  seen.add({ x })
}
const other = new Set()
export function more(x) {
  other.add({ x })
}
";
    std::fs::write(dir.path().join("a.js"), text).unwrap();
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{ "rules": { "unbounded-cache": "warn", "null-instead-of-delete": "off" } }"#,
    )
    .unwrap();
    let cli = support::run::leaklint(dir.path())
        .args(["-f", "json", "a.js"])
        .run();
    // (rule, line, column, LSP severity: 1 error, 2 warning)
    let expected: Vec<(String, u64, u64, u64)> = cli.result("a.js")["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["ruleId"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["column"].as_u64().unwrap(),
                3 - m["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        expected,
        vec![
            ("unbounded-cache".to_string(), 3, 3, 2),
            ("unbounded-cache".to_string(), 13, 3, 2)
        ],
        "the case this test is about: one suppressed, one rule off, a severity changed"
    );
    let mut client = Client::start(dir.path());
    let uri = format!("file://{}/a.js", dir.path().display());
    let got: Vec<(String, u64, u64, u64)> = client
        .open(&uri, text)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    client.stop();
}

#[test]
fn config_changes_are_picked_up_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let leak = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
    let path = dir.path().join("a.js");
    std::fs::write(&path, leak).unwrap();
    let uri = format!("file://{}", path.display());
    let mut client = Client::start(dir.path());
    assert_eq!(codes(&client.open(&uri, leak)), vec!["unbounded-cache"]);
    let config = dir.path().join("leaklint.json");
    let config_uri = format!("file://{}", config.display());
    // Opened in the editor, the config is not linted as code, and an
    // unsaved edit of it changes nothing yet.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": config_uri, "languageId": "json", "version": 1, "text": "{}" } }),
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": config_uri, "version": 2 }, "contentChanges": [{ "text": "{\"rules\": {\"unbounded-cache\": \"off\"}}" }] }),
    );
    assert!(client.still_answers().is_empty());
    std::fs::write(&config, "{\"rules\": {\"unbounded-cache\": \"off\"}}").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": format!("file://{}", config.display()) } }),
    );
    assert!(client.diagnostics(&uri).is_empty());
    std::fs::write(&config, "{\"rules\": {}}").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
    );
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["unbounded-cache"]);
    // A config changed on disk with nothing sent about it (an editor that
    // watches no files for the server) applies at the next edit.
    std::fs::write(&config, "{\"rules\": {\"unbounded-cache\": \"off\"}}").unwrap();
    assert!(client.change(&uri, 2, leak).is_empty());
    assert!(client.change(&uri, 3, leak).is_empty(), "and stays");
    std::fs::remove_file(&config).unwrap();
    assert_eq!(
        codes(&client.change(&uri, 4, leak)),
        vec!["unbounded-cache"]
    );
    client.stop();
}

#[test]
fn bad_input_does_not_kill_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    // Framed, but not JSON / not a JSON-RPC message: a parse error with a
    // null id (JSON-RPC's answer), and the server reads on.
    for body in [&b"{ this is not json"[..], b"[1, 2]", b"\xff\xfe"] {
        client.raw(body);
        let err = client.wait(|m| m.get("error").is_some() && m["id"].is_null());
        assert_eq!(err["error"]["code"], -32700, "{err}");
        client.still_answers();
    }
    // An unknown request: method not found.
    let unknown = client.request("leaklint/nonsense", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    client.still_answers();
    // An unknown notification: ignored, no answer.
    client.notify("$/somethingElse", json!({}));
    assert!(client.still_answers().is_empty());
    // A known request with params it cannot read: invalid params.
    let bad = client.request("textDocument/codeAction", json!({ "range": 3 }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    client.still_answers();
    // A known notification with params it cannot read: ignored.
    client.notify("textDocument/didOpen", json!({ "textDocument": 7 }));
    client.still_answers();
    // A file that does not parse: one parse-error diagnostic.
    let broken = format!("file://{}/broken.js", dir.path().display());
    let diags = client.open(&broken, "function (\n");
    assert_eq!(codes(&diags), vec!["parse-error"]);
    client.still_answers();
    // A huge file (5 MB of code with one leak at the end).
    let mut huge = "export const x = 1\n".repeat(270_000);
    huge.push_str("const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n");
    assert!(huge.len() > 5_000_000);
    let big = format!("file://{}/huge.js", dir.path().display());
    assert_eq!(codes(&client.open(&big, &huge)), vec!["unbounded-cache"]);
    client.still_answers();
    // Still alive and linting.
    let again = client.open(
        &format!("file://{}/ok.js", dir.path().display()),
        "export const y = 2\n",
    );
    assert!(again.is_empty());
    client.stop();
}

/// A header that cannot be read (an unreadable or absurd Content-Length)
/// leaves no way to know where the next message starts: the session ends,
/// cleanly (exit code 1 and a message), not with a panic or an abort.
#[test]
fn broken_framing_ends_the_session_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for header in [
        "Content-Length: abc\r\n\r\n{}".to_string(),
        format!("Content-Length: {}\r\n\r\n{{}}", u64::MAX / 2),
        "Content-Type: text/plain\r\n\r\n{}".to_string(),
    ] {
        let mut client = Client::start(dir.path());
        client.still_answers();
        client.bytes(header.as_bytes());
        let (code, stderr) = client.exit_code();
        assert_eq!(code, Some(1), "{header:?}: {stderr}");
        assert!(
            stderr.contains("the message stream is broken"),
            "{header:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{header:?}: {stderr}");
    }
}

#[test]
fn exit_codes_follow_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    // After shutdown, requests are refused; exit then ends with 0.
    let mut client = Client::start(dir.path());
    let r = client.request("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null, "{r}");
    let refused = client.request("textDocument/codeAction", json!({}));
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code().0, Some(0));
    // Exit without shutdown: 1.
    let mut client = Client::start(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code().0, Some(1));
    // The input ends without exit: 1.
    let client = Client::start(dir.path());
    let Client { child, stdin, .. } = client;
    drop(stdin);
    let status = wait_for(child);
    assert_eq!(status, Some(1));
}

fn wait_for(mut child: Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "the server did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn initialize_params_it_cannot_read_are_refused_and_it_can_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::spawn(dir.path());
    // Before initialize, other requests are refused (not initialized).
    let early = client.request("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let bad = client.request("initialize", json!({ "capabilities": 5 }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let good = client.request(
        "initialize",
        json!({ "rootUri": format!("file://{}", dir.path().display()), "capabilities": {} }),
    );
    assert_eq!(good["result"]["serverInfo"]["name"], "leaklint", "{good}");
    assert_eq!(good["result"]["capabilities"]["positionEncoding"], "utf-16");
    client.notify("initialized", json!({}));
    client.still_answers();
    // Once is enough.
    let again = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(again["error"]["code"], -32600, "{again}");
    client.still_answers();
    client.stop();
}

#[test]
fn a_config_watcher_is_registered_when_the_client_can_take_one() {
    let dir = tempfile::tempdir().unwrap();
    let leak = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
    let uri = format!("file://{}/a.js", dir.path().display());
    let mut client = Client::start_with_capabilities(
        dir.path(),
        json!({}),
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    let register = client.wait(|m| m["method"] == "client/registerCapability");
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, vec!["**/leaklint.json", "**/leaklint.jsonc"]);
    // The client's answer is taken, and the server goes on.
    let answer = json!({ "jsonrpc": "2.0", "id": register["id"], "result": null });
    client.raw(answer.to_string().as_bytes());
    assert_eq!(codes(&client.open(&uri, leak)), vec!["unbounded-cache"]);
    client.stop();

    // A client that cannot take one is not sent one.
    let mut client = Client::start(dir.path());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1, "text": leak } }),
    );
    let (_, before) = client.wait_seeing(|m| m["method"] == "textDocument/publishDiagnostics");
    assert!(before.is_empty(), "{before:?}");
    client.stop();
}

#[test]
fn the_suppressions_file_hides_recorded_findings_in_the_editor_too() {
    let dir = tempfile::tempdir().unwrap();
    let leak = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
    let path = dir.path().join("src/a.js");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, leak).unwrap();
    let uri = format!("file://{}", path.display());
    // Before anything is recorded the leak shows.
    let mut client = Client::start(dir.path());
    assert_eq!(codes(&client.open(&uri, leak)), vec!["unbounded-cache"]);
    // Recorded on the command line: gone at the next change, no restart.
    let recorded = support::run::leaklint(dir.path())
        .args(["--suppress-all", "src"])
        .run();
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    assert!(
        client.change(&uri, 2, leak).is_empty(),
        "recorded: not shown"
    );
    // A new leak of another rule in the same file is shown, and only it.
    let grown =
        format!("{leak}const seen = []\nexport function see(x) {{\n  seen.push({{ x }})\n}}\n");
    let diags = client.change(&uri, 3, &grown);
    assert_eq!(codes(&diags), vec!["unbounded-array"]);
    assert_eq!(diags[0]["range"]["start"]["line"], 6);
    // One more of the recorded rule: over its count, so both show, as the
    // command line reports them.
    let over = format!(
        "{leak}const byId = new Map()\nexport function keep(id, v) {{\n  byId.set(id, v)\n}}\n"
    );
    let diags = client.change(&uri, 4, &over);
    assert_eq!(codes(&diags), vec!["unbounded-cache", "unbounded-cache"]);
    client.stop();

    // A file elsewhere, named by the client; a broken one hides nothing and
    // says why.
    std::fs::rename(
        dir.path().join("leaklint-suppressions.json"),
        dir.path().join("moved.json"),
    )
    .unwrap();
    let mut client =
        Client::start_with(dir.path(), json!({ "suppressionsLocation": "moved.json" }));
    assert!(client.open(&uri, leak).is_empty());
    std::fs::write(dir.path().join("moved.json"), "{ broken").unwrap();
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": leak }] }),
    );
    let shown = client.wait(|m| m["method"] == "window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("moved.json") && message.contains("not a leaklint suppressions file"),
        "{message}"
    );
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["unbounded-cache"]);
    client.stop();
}

/// While a large file is linted, the edits that arrive meanwhile are taken
/// together: only the last is linted, so the diagnostics do not fall
/// further behind at every keystroke.
#[test]
fn edits_overtaken_by_later_ones_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    let uri = format!("file://{}/big.js", dir.path().display());
    let huge = "export const x = 1\n".repeat(270_000);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1, "text": huge } }),
    );
    // Typed while the server lints the large text: small edits, the last
    // with a leak.
    let leak = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
    for version in 2..=6 {
        let text = if version == 6 {
            leak
        } else {
            "export const y = 1\n"
        };
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }
    let (last, before) = client.wait_seeing(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == 6
    });
    assert_eq!(
        codes(last["params"]["diagnostics"].as_array().unwrap()),
        vec!["unbounded-cache"]
    );
    let published: Vec<&Value> = before
        .iter()
        .filter(|m| m["params"]["uri"] == uri)
        .map(|m| &m["params"]["version"])
        .collect();
    assert!(
        published.len() <= 1,
        "versions 2 to 5 are not linted: {published:?}"
    );
    client.stop();
}

/// An unsafe fix is offered, marked, never preferred, and left out of fix
/// all; its diagnostic goes once it is applied.
#[test]
fn an_unsafe_fix_is_offered_marked_and_not_in_fix_all() {
    let dir = tempfile::tempdir().unwrap();
    // An exported container: another module may tell null from absent.
    let text =
        "export const sessions = {}\nexport function remove(id) {\n  sessions[id] = null\n}\n";
    let uri = format!("file://{}/events.mjs", dir.path().display());
    let mut client = Client::start(dir.path());
    let diags = client.open(&uri, text);
    let target = diags
        .iter()
        .find(|d| d["code"] == "null-instead-of-delete")
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": target["range"], "context": { "diagnostics": [target] } }),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .ends_with("(unsafe: review the change)")
        })
        .unwrap_or_else(|| panic!("an unsafe fix: {actions:?}"));
    assert_eq!(fix["isPreferred"], false);
    assert!(
        actions.iter().all(|a| a["isPreferred"] != true),
        "{actions:?}"
    );
    let fixed = apply(text, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert!(fixed.contains("delete sessions[id]"), "{fixed}");
    assert!(
        !codes(&client.change(&uri, 2, &fixed)).contains(&"null-instead-of-delete".to_string())
    );
    // Fix all applies safe fixes only: nothing to offer here.
    client.change(&uri, 3, text);
    let all = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
    );
    assert_eq!(all["result"], json!([]), "{all}");
    client.stop();
}

#[test]
fn settings_of_the_config_apply_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    // A module-level cache made by the project's own bounded collection.
    let text = "import * as bounded from './bounded-collections'\nconst pages = new bounded.Map({ max: 500 })\nexport function remember(url, html) {\n  pages.set(url, html)\n}\n";
    let path = dir.path().join("a.js");
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    let mut client = Client::start(dir.path());
    assert_eq!(codes(&client.open(&uri, text)), vec!["unbounded-cache"]);
    let config = dir.path().join("leaklint.json");
    std::fs::write(
        &config,
        r#"{ "settings": { "boundedCaches": ["bounded.Map"] } }"#,
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 1 }] }),
    );
    assert!(client.diagnostics(&uri).is_empty());
    client.stop();
}
