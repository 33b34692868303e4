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
//! - Code actions (`actions`): each fix (safe and unsafe, the latter marked),
//!   "disable for this line" (inserts `// leaklint-disable-next-line RULE --
//!   reason`), and `source.fixAll.leaklint` (all safe fixes).
//! - Positions are UTF-16 code units, LSP's default encoding.
//! - The suppressions file (`leaklint-suppressions.json` at the workspace
//!   root, or `initializationOptions.suppressionsLocation`) hides what it
//!   records, as on the command line (`crate::bulk::editor`).
//!
//! The protocol is `lsp-server`'s (framing, `Message`, the initialize
//! handshake) with `lsp-types`' structures; `transport` reads with
//! `lsp-server` but survives a frame it cannot decode, which
//! `Connection::stdio()` does not. Requests this server does not know get
//! "method not found"; unknown notifications are ignored.

mod actions;
mod convert;
mod inbox;
mod transport;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crossbeam_channel::Sender;
use lsp_server::{Connection, ErrorCode, Message, Notification, ProtocolError, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern,
    InitializeParams, InitializeResult, MessageType, PositionEncodingKind,
    PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;

use crate::config::{CliRules, Resolver};
use crate::diagnostic::Diagnostic;
use crate::engine;
use crate::parse;
use crate::position::LineIndex;
use crate::rules::RuleSet;

/// Runs the server on stdin/stdout until `exit`; the exit code follows the
/// protocol (0 after `shutdown`, 1 otherwise, and 1 when the input ends or
/// its framing breaks).
pub fn run() -> u8 {
    engine::install_panic_hook();
    let (connection, threads) = transport::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("leaklint lsp: {e}");
            1
        }
    };
    // Dropping the connection closes the writer's queue, so `finish` returns
    // once what was sent is written.
    drop(connection);
    match threads.finish() {
        Some(transport::End::Broken(why)) => {
            eprintln!("leaklint lsp: the message stream is broken ({why}); ending the session");
            1
        }
        _ => code,
    }
}

/// The initialize handshake, then messages until `exit` (`Ok(exit code)`).
fn serve(connection: &Connection) -> Result<u8, ProtocolError> {
    let params = loop {
        let (id, params) = connection.initialize_start()?;
        match serde_json::from_value::<InitializeParams>(params) {
            Ok(params) => {
                let result = serde_json::to_value(initialize_result())
                    .expect("lsp-types' structures serialise");
                connection.initialize_finish(id, result)?;
                break params;
            }
            // The client may try again; nothing else is allowed before it.
            Err(e) => send(
                &connection.sender,
                Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
            ),
        }
    };
    let mut server = Server::new(connection.sender.clone(), &params);
    server.watch_config(&params);
    let mut shutting_down = false;
    let mut inbox = inbox::Inbox::new(&connection.receiver);
    while let Some(message) = inbox.next() {
        match message {
            Message::Request(request) if shutting_down => send(
                &connection.sender,
                Response::new_err(
                    request.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shutting down".to_string(),
                ),
            ),
            Message::Request(request) if request.method == "shutdown" => {
                shutting_down = true;
                send(&connection.sender, Response::new_ok(request.id, ()));
            }
            Message::Request(request) => {
                let response = server.request(request);
                send(&connection.sender, response);
            }
            Message::Notification(n) if n.method == "exit" => {
                return Ok(if shutting_down { 0 } else { 1 });
            }
            Message::Notification(n) => {
                let lint = !inbox.superseded(&n);
                server.notification(n, lint);
            }
            // Answers to what the server asked (the watcher registration).
            Message::Response(_) => {}
        }
    }
    // Input ended (or its framing broke) without `exit`.
    Ok(1)
}

fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(actions::FIX_ALL),
                ]),
                ..CodeActionOptions::default()
            })),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "leaklint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}

fn send(sender: &Sender<Message>, message: impl Into<Message>) {
    // Fails only once the writer is gone, when nothing can be told anyway.
    let _ = sender.send(message.into());
}

/// A document's text (without BOM), path, findings, and the rules they
/// came from (`None` when the file is ignored or the config is broken).
type Linted = (String, PathBuf, Vec<Diagnostic>, Option<Arc<RuleSet>>);

struct Document {
    text: String,
    version: Option<i32>,
}

struct Server {
    sender: Sender<Message>,
    root: PathBuf,
    resolver: Option<Resolver>,
    documents: HashMap<Uri, Document>,
    /// `initializationOptions.suppressionsLocation`, relative to the root.
    suppressions: Option<PathBuf>,
    /// The config files that could apply to the open documents, as they
    /// were on disk when last looked at (`None`: absent).
    configs_seen: ConfigStamp,
}

type ConfigStamp = BTreeMap<PathBuf, Option<(Option<SystemTime>, u64)>>;

impl Server {
    fn new(sender: Sender<Message>, params: &InitializeParams) -> Server {
        #[allow(deprecated)] // `rootUri`/`rootPath`: what most clients still send.
        let root = params
            .root_uri
            .as_ref()
            .and_then(|u| convert::uri_to_path(u.as_str()))
            .or_else(|| {
                let folder = params.workspace_folders.as_ref()?.first()?;
                convert::uri_to_path(folder.uri.as_str())
            })
            .or_else(|| params.root_path.as_ref().map(PathBuf::from))
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        let suppressions = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("suppressionsLocation")?.as_str().map(PathBuf::from));
        Server {
            sender,
            root,
            resolver: None,
            documents: HashMap::new(),
            suppressions,
            configs_seen: BTreeMap::new(),
        }
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        send(
            &self.sender,
            Notification::new(N::METHOD.to_string(), params),
        );
    }

    fn show(&self, typ: MessageType, message: String) {
        self.notify::<ShowMessage>(ShowMessageParams { typ, message });
    }

    /// Asks the client to report changes to config files on disk, when it can
    /// be asked (editors watch nothing for a server that does not).
    fn watch_config(&self, params: &InitializeParams) {
        let can = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !can {
            return;
        }
        let watchers = crate::config::CONFIG_NAMES
            .iter()
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "leaklint-config".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        send(
            &self.sender,
            Request::new(
                "leaklint/register-config-watcher".to_string().into(),
                RegisterCapability::METHOD.to_string(),
                RegistrationParams {
                    registrations: vec![registration],
                },
            ),
        );
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            CodeActionRequest::METHOD => match params::<CodeActionParams>(request.params) {
                Ok(params) => Response::new_ok(id, self.code_actions(params)),
                Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e),
            },
            "initialize" => Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is already initialized".to_string(),
            ),
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("method not found: {method}"),
            ),
        }
    }

    /// Handles a notification; `lint: false` takes an edit without linting
    /// it (a later one is already waiting).
    fn notification(&mut self, n: Notification, lint: bool) {
        if let Err(e) = self.try_notification(n, lint) {
            // A notification has no answer: the client's log is the place.
            eprintln!("leaklint lsp: {e}");
        }
    }

    fn try_notification(&mut self, n: Notification, lint: bool) -> Result<(), String> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p = params::<DidOpenTextDocumentParams>(n.params)?;
                let doc = p.text_document;
                let config = convert::is_config(&doc.uri);
                self.documents.insert(
                    doc.uri.clone(),
                    Document {
                        text: doc.text,
                        version: Some(doc.version),
                    },
                );
                // A config file is read from disk when it is saved, not linted.
                if !config && lint {
                    self.publish_fresh(&doc.uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                let p = params::<DidChangeTextDocumentParams>(n.params)?;
                let uri = p.text_document.uri;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    for change in p.content_changes {
                        convert::apply_change(&mut doc.text, change);
                    }
                    doc.version = Some(p.text_document.version);
                    // A config being edited applies once it is saved.
                    if !convert::is_config(&uri) && lint {
                        self.publish_fresh(&uri);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                let p = params::<DidSaveTextDocumentParams>(n.params)?;
                let uri = p.text_document.uri;
                if convert::is_config(&uri) {
                    self.reload_config();
                } else if self.documents.contains_key(&uri) {
                    self.publish_fresh(&uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                let p = params::<DidCloseTextDocumentParams>(n.params)?;
                let uri = p.text_document.uri;
                self.documents.remove(&uri);
                self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
                    uri,
                    Vec::new(),
                    None,
                ));
            }
            DidChangeWatchedFiles::METHOD => {
                let p = params::<DidChangeWatchedFilesParams>(n.params)?;
                if p.changes.iter().any(|c| convert::is_config(&c.uri)) {
                    self.reload_config();
                }
            }
            // `initialized` (already seen), `$/cancelRequest` (every request is
            // answered before the next is read), and the rest.
            _ => {}
        }
        Ok(())
    }

    /// Publishes `uri`'s diagnostics, or every document's when a config
    /// file changed on disk since it was last looked at: an editor that does
    /// not watch files for the server tells it nothing of a `leaklint.json`
    /// edited elsewhere (a few `stat`s per edit, next to a parse).
    fn publish_fresh(&mut self, uri: &Uri) {
        if self.configs_changed() {
            self.reload_config();
        } else {
            self.publish(uri);
        }
    }

    /// Whether a config file seen before is no longer as it was (a config
    /// file looked at for the first time is only recorded).
    fn configs_changed(&mut self) -> bool {
        let mut dirs = BTreeSet::new();
        for uri in self.documents.keys() {
            let Some(path) = convert::uri_to_path(uri.as_str()) else {
                continue;
            };
            for dir in self.root.join(path).ancestors().skip(1) {
                // Its ancestors are in already.
                if !dirs.insert(dir.to_path_buf()) {
                    break;
                }
            }
        }
        let now: ConfigStamp = dirs
            .iter()
            .flat_map(|d| crate::config::CONFIG_NAMES.iter().map(move |n| d.join(n)))
            .map(|file| {
                let meta = std::fs::metadata(&file).ok();
                (file, meta.map(|m| (m.modified().ok(), m.len())))
            })
            .collect();
        let changed = now
            .iter()
            .any(|(file, state)| self.configs_seen.get(file).is_some_and(|was| was != state));
        self.configs_seen = now;
        changed
    }

    fn reload_config(&mut self) {
        self.resolver = None;
        // What is on disk now is what the documents are linted with.
        self.configs_changed();
        let uris: Vec<Uri> = self
            .documents
            .keys()
            .filter(|u| !convert::is_config(u))
            .cloned()
            .collect();
        for uri in uris {
            self.publish(&uri);
        }
    }

    /// The rules for `path`, or a configuration error to show.
    fn rules_for(&mut self, path: &Path) -> Result<Option<Arc<RuleSet>>, String> {
        if self.resolver.is_none() {
            self.resolver = Some(
                Resolver::new(&self.root, None, CliRules::default()).map_err(|e| e.to_string())?,
            );
        }
        let resolver = self.resolver.as_mut().expect("just built");
        match resolver.resolve(path) {
            Ok(r) if r.ignored => Ok(None),
            Ok(r) => Ok(Some(r.rules)),
            Err(e) => {
                // A broken config is reported once per reload, not cached as broken.
                self.resolver = None;
                Err(e.to_string())
            }
        }
    }

    /// The document's findings, with the text their spans point into: the
    /// one place the editor's diagnostics and code actions come from.
    fn lint(&mut self, uri: &Uri) -> Option<Linted> {
        let text = self.documents.get(uri)?.text.clone();
        let path = convert::document_path(uri);
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
                    self.show(MessageType::WARNING, message);
                }
                Some((body, path, found, Some(rules)))
            }
            Ok(None) => Some((body, path, Vec::new(), None)),
            Err(message) => {
                self.show(MessageType::ERROR, format!("leaklint: {message}"));
                Some((body, path, Vec::new(), None))
            }
        }
    }

    fn publish(&mut self, uri: &Uri) {
        let Some((text, _, found, _)) = self.lint(uri) else {
            return;
        };
        let index = LineIndex::new(&text);
        let diagnostics = found
            .iter()
            .map(|d| convert::diagnostic(uri, &index, d))
            .collect();
        let version = self.documents.get(uri).and_then(|d| d.version);
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
            uri.clone(),
            diagnostics,
            version,
        ));
    }

    fn code_actions(&mut self, params: CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = params.text_document.uri;
        if self.configs_changed() {
            self.reload_config();
        }
        let Some((text, path, found, rules)) = self.lint(&uri) else {
            return Vec::new();
        };
        let index = LineIndex::new(&text);
        let start = convert::offset(&text, &index, params.range.start);
        let end = convert::offset(&text, &index, params.range.end);
        let doc = actions::Doc {
            uri: &uri,
            text: &text,
            path: &path,
            found: &found,
            rules: rules.as_deref(),
        };
        actions::code_actions(
            &doc,
            start..end,
            params.context.only.as_deref().unwrap_or(&[]),
        )
    }
}

/// A message's params as `P`, or why not.
fn params<P: DeserializeOwned>(value: serde_json::Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid params: {e}"))
}
