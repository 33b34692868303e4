//! `leaklint lsp`: a language server over stdio, so that findings show in
//! the editor as the user types.
//!
//! - Diagnostics on open, change and save (full-text sync), computed exactly
//!   as `leaklint FILE` computes them for that file: the same engine, the
//!   file's nearest `leaklint.json` (reloaded when a config file changes or
//!   is saved), suppression comments. Cross-file facts are not used: a
//!   finding another file makes moot (see `src/project.rs`) still shows in
//!   the editor.
//! - Related information from the finding's labels (the lines that explain it).
//! - Code actions: each fix (safe and unsafe, the latter marked), "disable
//!   for this line" (inserts `// leaklint-disable-next-line RULE -- reason`),
//!   and `source.fixAll.leaklint` (all safe fixes).
//! - Positions are UTF-16 code units, LSP's default encoding.
//! - The suppressions file (`leaklint-suppressions.json` at the workspace
//!   root, or `initializationOptions.suppressionsLocation`) hides what it
//!   records, as on the command line (`crate::bulk::editor`).
//!
//! The transport (Content-Length framing, JSON-RPC) is written here rather
//! than taken from `lsp-server`, whose reader stops the connection at the
//! first malformed message: an editor plugin with a bug must not kill the
//! server. A message that is not JSON gets a JSON-RPC parse error and the
//! server reads on; an unknown request gets "method not found"; unknown
//! notifications are ignored.

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::config::{CliRules, Resolver};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::engine;
use crate::fix::{self, FixLevel};
use crate::parse;
use crate::position::LineIndex;
use crate::rules::RuleSet;

/// Messages larger than this are refused (read and dropped), not buffered.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Runs the server on stdin/stdout until `exit`; the exit code follows the
/// protocol (0 after `shutdown`, 1 otherwise).
pub fn run() -> u8 {
    engine::install_panic_hook();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut server = Server::new(Box::new(stdout));
    loop {
        match read_message(&mut input) {
            Ok(Some(Ok(message))) => {
                if let Some(code) = server.handle(message) {
                    return code;
                }
            }
            Ok(Some(Err(error))) => server.send(json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": { "code": -32700, "message": error },
            })),
            // End of input without `exit`.
            Ok(None) => return 1,
            Err(e) => {
                eprintln!("leaklint lsp: cannot read standard input: {e}");
                return 1;
            }
        }
    }
}

/// One framed message: `Ok(None)` at end of input, `Ok(Some(Err))` for a
/// frame whose body is not a JSON message (the frame is consumed).
fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Result<Value, String>>> {
    let mut length: Option<usize> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            // Stray blank lines between messages.
            continue;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
                if length.is_none() {
                    return Ok(Some(Err(format!("bad Content-Length `{}`", value.trim()))));
                }
            }
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_MESSAGE_BYTES {
        std::io::copy(&mut input.take(length as u64), &mut std::io::sink())?;
        return Ok(Some(Err(format!("message of {length} bytes is too large"))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(
        serde_json::from_slice::<Value>(&body)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|v| {
                if v.is_object() {
                    Ok(v)
                } else {
                    Err("not a JSON-RPC message object".to_string())
                }
            }),
    ))
}

/// A document's text (without BOM), path, findings, and the rules they
/// came from (`None` when the file is ignored or the config is broken).
type Linted = (
    String,
    PathBuf,
    Vec<Diagnostic>,
    Option<std::sync::Arc<RuleSet>>,
);

struct Document {
    text: String,
    version: Option<i64>,
}

struct Server {
    out: Box<dyn Write>,
    root: PathBuf,
    resolver: Option<Resolver>,
    documents: HashMap<String, Document>,
    /// `initializationOptions.suppressionsLocation`, relative to the root.
    suppressions: Option<PathBuf>,
    shutting_down: bool,
}

impl Server {
    fn new(out: Box<dyn Write>) -> Server {
        Server {
            out,
            root: std::env::current_dir().unwrap_or_default(),
            resolver: None,
            documents: HashMap::new(),
            suppressions: None,
            shutting_down: false,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let _ = write!(self.out, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.out.flush();
    }

    fn reply(&mut self, id: Value, result: Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    fn reply_error(&mut self, id: Value, code: i64, message: &str) {
        self.send(
            json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }),
        );
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Handles one message; `Some(code)` ends the server.
    fn handle(&mut self, message: Value) -> Option<u8> {
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string);
        let id = message.get("id").cloned();
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        let Some(method) = method else {
            // A response to something we never ask: ignore.
            return None;
        };
        if let Some(id) = id {
            self.request(id, &method, &params);
            return None;
        }
        match method.as_str() {
            "exit" => return Some(if self.shutting_down { 0 } else { 1 }),
            "textDocument/didOpen" => {
                let doc = &params["textDocument"];
                if let (Some(uri), Some(text)) = (doc["uri"].as_str(), doc["text"].as_str()) {
                    self.documents.insert(
                        uri.to_string(),
                        Document {
                            text: text.to_string(),
                            version: doc["version"].as_i64(),
                        },
                    );
                    self.publish(uri);
                }
            }
            "textDocument/didChange" => {
                let uri = params["textDocument"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                // Full sync: the last change holds the whole text.
                let text = params["contentChanges"]
                    .as_array()
                    .and_then(|c| c.last())
                    .and_then(|c| c["text"].as_str());
                if let (Some(doc), Some(text)) = (self.documents.get_mut(&uri), text) {
                    doc.text = text.to_string();
                    doc.version = params["textDocument"]["version"].as_i64();
                    if is_config(&uri) {
                        // Linted with the saved config until it is saved.
                    } else {
                        self.publish(&uri);
                    }
                }
            }
            "textDocument/didSave" => {
                let uri = params["textDocument"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if is_config(&uri) {
                    self.reload_config();
                } else if self.documents.contains_key(&uri) {
                    self.publish(&uri);
                }
            }
            "textDocument/didClose" => {
                if let Some(uri) = params["textDocument"]["uri"].as_str() {
                    self.documents.remove(uri);
                    let uri = uri.to_string();
                    self.notify(
                        "textDocument/publishDiagnostics",
                        json!({ "uri": uri, "diagnostics": [] }),
                    );
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let changed = params["changes"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["uri"].as_str().is_some_and(is_config)));
                if changed {
                    self.reload_config();
                }
            }
            _ => {}
        }
        None
    }

    fn request(&mut self, id: Value, method: &str, params: &Value) {
        match method {
            "initialize" => {
                if let Some(root) = params["rootUri"].as_str().and_then(uri_to_path) {
                    self.root = root;
                } else if let Some(root) = params["rootPath"].as_str() {
                    self.root = PathBuf::from(root);
                }
                self.suppressions = params["initializationOptions"]["suppressionsLocation"]
                    .as_str()
                    .map(PathBuf::from);
                self.reply(
                    id,
                    json!({
                        "capabilities": {
                            "positionEncoding": "utf-16",
                            "textDocumentSync": {
                                "openClose": true,
                                "change": 1,
                                "save": { "includeText": false }
                            },
                            "codeActionProvider": {
                                "codeActionKinds": ["quickfix", "source.fixAll.leaklint"]
                            }
                        },
                        "serverInfo": { "name": "leaklint", "version": env!("CARGO_PKG_VERSION") }
                    }),
                );
            }
            "shutdown" => {
                self.shutting_down = true;
                self.reply(id, Value::Null);
            }
            "textDocument/codeAction" => {
                let actions = self.code_actions(params);
                self.reply(id, Value::Array(actions));
            }
            _ => self.reply_error(id, -32601, &format!("method not found: {method}")),
        }
    }

    fn reload_config(&mut self) {
        self.resolver = None;
        let uris: Vec<String> = self
            .documents
            .keys()
            .filter(|u| !is_config(u))
            .cloned()
            .collect();
        for uri in uris {
            self.publish(&uri);
        }
    }

    /// The rules for `path`, or a configuration error to show.
    fn rules_for(&mut self, path: &Path) -> Result<Option<std::sync::Arc<RuleSet>>, String> {
        if self.resolver.is_none() {
            self.resolver = Some(
                Resolver::new(&self.root, None, CliRules::default()).map_err(|e| e.to_string())?,
            );
        }
        let resolver = self.resolver.as_mut().expect("just built");
        let resolved = resolver.resolve(path).map_err(|e| {
            // A broken config is reported once per reload, not cached as broken.
            e.to_string()
        });
        match resolved {
            Ok(r) if r.ignored => Ok(None),
            Ok(r) => Ok(Some(r.rules)),
            Err(e) => {
                self.resolver = None;
                Err(e)
            }
        }
    }

    /// The document's findings, with the text their spans point into.
    fn lint(&mut self, uri: &str) -> Option<Linted> {
        let text = self.documents.get(uri)?.text.clone();
        let path = document_path(uri);
        let body = parse::strip_bom(&text).to_string();
        match self.rules_for(&path) {
            Ok(Some(rules)) => {
                let found = engine::lint_source(&path, &text, &rules);
                let (found, warning) = crate::bulk::editor::visible(
                    &self.root,
                    self.suppressions.as_deref(),
                    &path,
                    found,
                );
                if let Some(message) = warning {
                    self.notify(
                        "window/showMessage",
                        json!({ "type": 2, "message": message }),
                    );
                }
                Some((body, path, found, Some(rules)))
            }
            Ok(None) => Some((body, path, Vec::new(), None)),
            Err(message) => {
                self.notify(
                    "window/showMessage",
                    json!({ "type": 1, "message": format!("leaklint: {message}") }),
                );
                Some((body, path, Vec::new(), None))
            }
        }
    }

    fn publish(&mut self, uri: &str) {
        let Some((text, _, found, _)) = self.lint(uri) else {
            return;
        };
        let index = LineIndex::new(&text);
        let diagnostics: Vec<Value> = found
            .iter()
            .map(|d| lsp_diagnostic(uri, &index, d))
            .collect();
        let version = self.documents.get(uri).and_then(|d| d.version);
        let mut params = json!({ "uri": uri, "diagnostics": diagnostics });
        if let Some(v) = version {
            params["version"] = json!(v);
        }
        self.notify("textDocument/publishDiagnostics", params);
    }

    fn code_actions(&mut self, params: &Value) -> Vec<Value> {
        let uri = params["textDocument"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let only: Vec<String> = params["context"]["only"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let wants = |kind: &str| {
            only.is_empty()
                || only
                    .iter()
                    .any(|o| kind == o || kind.starts_with(&format!("{o}.")))
        };
        let Some((text, path, found, rules)) = self.lint(&uri) else {
            return Vec::new();
        };
        let index = LineIndex::new(&text);
        let start = offset_of(&text, &index, &params["range"]["start"]);
        let end = offset_of(&text, &index, &params["range"]["end"]);
        let mut actions = Vec::new();
        if wants("quickfix") {
            for d in found
                .iter()
                .filter(|d| !d.fatal && d.span.start <= end && start <= d.span.end)
            {
                let diagnostic = lsp_diagnostic(&uri, &index, d);
                if let Some(f) = &d.fix {
                    let edits: Vec<Value> = f
                        .edits
                        .iter()
                        .map(|e| json!({ "range": range(&index, &e.range), "newText": e.text }))
                        .collect();
                    let unsafe_fix = f.applicability == Applicability::Unsafe;
                    actions.push(json!({
                        "title": if unsafe_fix { format!("{} (unsafe: review the change)", f.title) } else { f.title.clone() },
                        "kind": "quickfix",
                        "diagnostics": [diagnostic.clone()],
                        "isPreferred": !unsafe_fix,
                        "edit": { "changes": { uri.clone(): edits } },
                    }));
                }
                actions.push(disable_action(&uri, &text, &index, d, diagnostic));
            }
        }
        if wants("source.fixAll.leaklint") {
            if let Some(rules) = rules {
                if let Ok(fixed) = fix::fix_source(&path, &text, &rules, FixLevel::Safe) {
                    if fixed.applied > 0 {
                        let whole = range(&index, &(0..text.len()));
                        actions.push(json!({
                            "title": "leaklint: apply all safe fixes",
                            "kind": "source.fixAll.leaklint",
                            "edit": { "changes": { uri.clone(): [{ "range": whole, "newText": fixed.body() }] } },
                        }));
                    }
                }
            }
        }
        actions
    }
}

/// "Disable RULE for this line": a suppression comment on the line above,
/// indented like the flagged line, with a reason to fill in.
fn disable_action(
    uri: &str,
    text: &str,
    index: &LineIndex,
    d: &Diagnostic,
    diagnostic: Value,
) -> Value {
    let line = index.position(d.span.start).line;
    let line_start = index.line_start(line).unwrap_or(0);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let comment = format!(
        "{indent}// leaklint-disable-next-line {} -- <reason>\n",
        d.rule
    );
    let at = json!({ "line": line - 1, "character": 0 });
    json!({
        "title": format!("Disable {} for this line", d.rule),
        "kind": "quickfix",
        "diagnostics": [diagnostic],
        "edit": { "changes": { uri: [{ "range": { "start": at, "end": at }, "newText": comment }] } },
    })
}

fn lsp_position(index: &LineIndex, offset: usize) -> Value {
    let p = index.position(offset);
    json!({ "line": p.line - 1, "character": p.column - 1 })
}

fn range(index: &LineIndex, span: &std::ops::Range<usize>) -> Value {
    json!({ "start": lsp_position(index, span.start), "end": lsp_position(index, span.end) })
}

/// The byte offset of an LSP position (UTF-16 character), clamped to the text.
fn offset_of(text: &str, index: &LineIndex, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize + 1;
    let character = position["character"].as_u64().unwrap_or(0) as usize;
    let Some(start) = index.line_start(line) else {
        return text.len();
    };
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

fn lsp_diagnostic(uri: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\n\n");
        message.push_str(help);
    }
    let related: Vec<Value> = d
        .labels
        .iter()
        .map(|l| json!({ "location": { "uri": uri, "range": range(index, &l.span) }, "message": l.message }))
        .collect();
    let mut out = json!({
        "range": range(index, &d.span),
        "severity": match d.severity { Severity::Error => 1, Severity::Warning => 2 },
        "code": d.rule,
        "source": "leaklint",
        "message": message,
    });
    if !related.is_empty() {
        out["relatedInformation"] = Value::Array(related);
    }
    out
}

fn is_config(uri: &str) -> bool {
    crate::config::CONFIG_NAMES
        .iter()
        .any(|n| uri.ends_with(&format!("/{n}")))
}

/// The file a `file://` URI names (percent-decoded).
fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&rest[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    // `file:///C:/x` on Windows.
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => {
            decoded[1..].to_string()
        }
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

/// The path a document is linted as: its file, or for an unsaved buffer a
/// name with the extension its URI ends with (dialect only).
fn document_path(uri: &str) -> PathBuf {
    uri_to_path(uri).unwrap_or_else(|| {
        let name = uri.rsplit(['/', ':']).next().unwrap_or("untitled.js");
        PathBuf::from(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_and_bad_ones_reported_without_stopping() {
        let input = b"Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\nxyzContent-Length: 9\r\n\r\n{\"a\": 1}\n";
        let mut reader = &input[..];
        assert!(matches!(read_message(&mut reader), Ok(Some(Ok(_)))));
        assert!(matches!(read_message(&mut reader), Ok(Some(Err(_)))));
        let third = read_message(&mut reader).unwrap().unwrap().unwrap();
        assert_eq!(third["a"], 1);
        assert!(matches!(read_message(&mut reader), Ok(None)));
    }

    #[test]
    fn utf16_positions_round_trip() {
        let text = "const s = '😀'; x\nnext";
        let index = LineIndex::new(text);
        let at = text.find('x').unwrap();
        let p = lsp_position(&index, at);
        assert_eq!(p, json!({ "line": 0, "character": 16 }));
        assert_eq!(offset_of(text, &index, &p), at);
        assert_eq!(
            offset_of(text, &index, &json!({ "line": 9, "character": 0 })),
            text.len()
        );
    }

    #[test]
    fn file_uris_are_decoded() {
        assert_eq!(
            uri_to_path("file:///a%20b/c.ts"),
            Some(PathBuf::from("/a b/c.ts"))
        );
        assert_eq!(
            document_path("untitled:Untitled-1.tsx"),
            PathBuf::from("Untitled-1.tsx")
        );
    }
}
