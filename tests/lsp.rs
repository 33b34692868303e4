//! `leaklint lsp`, driven over stdio as an editor drives it: initialize,
//! open the seed file, receive its diagnostics (the same the CLI reports),
//! ask for code actions, apply a fix, see its diagnostic go; config reload on
//! save; and a malformed message, an unknown method, a file that does not
//! parse and a huge file do not kill the server.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};
use support::root;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, json!({}))
    }

    fn start_with(dir: &Path, options: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start leaklint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
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
        let mut client = Client {
            child,
            stdin,
            messages,
            next_id: 1,
        };
        let uri = format!("file://{}", dir.display());
        let init = client.request(
            "initialize",
            json!({ "rootUri": uri, "capabilities": {}, "initializationOptions": options }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "leaklint", "{init}");
        client.notify("initialized", json!({}));
        client
    }

    fn raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
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
        self.wait(|m| m["id"] == id)
    }

    /// The next message matching `pred` (others are dropped).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers within a minute");
            if pred(&m) {
                return m;
            }
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

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
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
    client.stop();
}

#[test]
fn bad_input_does_not_kill_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    // Not JSON: a parse error, and the server reads on.
    client.raw(b"{ this is not json");
    let err = client.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(err["error"]["code"], -32700);
    // An unknown request: method not found.
    let unknown = client.request("leaklint/nonsense", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    // An unknown notification: ignored.
    client.notify("$/somethingElse", json!({}));
    // A file that does not parse: one parse-error diagnostic.
    let broken = format!("file://{}/broken.js", dir.path().display());
    let diags = client.open(&broken, "function (\n");
    assert_eq!(codes(&diags), vec!["parse-error"]);
    // A huge file (4 MB of code with one leak at the end).
    let mut huge = "export const x = 1\n".repeat(200_000);
    huge.push_str("const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n");
    let big = format!("file://{}/huge.js", dir.path().display());
    assert_eq!(codes(&client.open(&big, &huge)), vec!["unbounded-cache"]);
    // Still alive and answering.
    let again = client.open(
        &format!("file://{}/ok.js", dir.path().display()),
        "export const y = 2\n",
    );
    assert!(again.is_empty());
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
