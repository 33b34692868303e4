//! The messages waiting to be handled, looked at together so that an edit
//! already overtaken by a later one is not linted: while a large file is
//! linted, an editor sends a `didChange` per keystroke, and linting each
//! in turn would leave the diagnostics further behind at every keystroke.

use std::collections::VecDeque;

use crossbeam_channel::Receiver;
use lsp_server::{Message, Notification};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
};

pub struct Inbox<'a> {
    receiver: &'a Receiver<Message>,
    pending: VecDeque<Message>,
}

impl<'a> Inbox<'a> {
    pub fn new(receiver: &'a Receiver<Message>) -> Self {
        Inbox {
            receiver,
            pending: VecDeque::new(),
        }
    }

    /// The next message, waiting for one; `None` once the input has ended.
    pub fn next(&mut self) -> Option<Message> {
        let next = match self.pending.pop_front() {
            Some(m) => m,
            None => self.receiver.recv().ok()?,
        };
        // What else has arrived meanwhile, for `superseded`.
        self.pending.extend(self.receiver.try_iter());
        Some(next)
    }

    /// Whether `n` opens or edits a document that a message already waiting
    /// edits again or closes: its text must be taken, its diagnostics need
    /// not be computed.
    pub fn superseded(&self, n: &Notification) -> bool {
        if n.method != DidOpenTextDocument::METHOD && n.method != DidChangeTextDocument::METHOD {
            return false;
        }
        let Some(uri) = document_uri(n) else {
            return false;
        };
        self.pending.iter().any(|m| match m {
            Message::Notification(later) => {
                (later.method == DidChangeTextDocument::METHOD
                    || later.method == DidCloseTextDocument::METHOD)
                    && document_uri(later) == Some(uri)
            }
            _ => false,
        })
    }
}

fn document_uri(n: &Notification) -> Option<&str> {
    n.params.get("textDocument")?.get("uri")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(uri: &str, version: i32) -> Message {
        Notification::new(
            DidChangeTextDocument::METHOD.to_string(),
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": "" }] }),
        )
        .into()
    }

    fn notification(m: Message) -> Notification {
        match m {
            Message::Notification(n) => n,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_edit_followed_by_another_of_the_same_document_is_superseded() {
        let (tx, rx) = crossbeam_channel::unbounded();
        for m in [
            change("file:///a.js", 1),
            change("file:///b.js", 1),
            change("file:///a.js", 2),
        ] {
            tx.send(m).unwrap();
        }
        let mut inbox = Inbox::new(&rx);
        let a1 = notification(inbox.next().unwrap());
        assert!(inbox.superseded(&a1), "a.js is edited again");
        let b1 = notification(inbox.next().unwrap());
        assert!(
            !inbox.superseded(&b1),
            "another document's edit does not count"
        );
        let a2 = notification(inbox.next().unwrap());
        assert!(!inbox.superseded(&a2), "the last edit is linted");
        // Closing supersedes too; other notifications are never superseded.
        tx.send(change("file:///c.js", 1)).unwrap();
        tx.send(
            Notification::new(
                DidCloseTextDocument::METHOD.to_string(),
                json!({ "textDocument": { "uri": "file:///c.js" } }),
            )
            .into(),
        )
        .unwrap();
        let c1 = notification(inbox.next().unwrap());
        assert!(inbox.superseded(&c1));
        let close = notification(inbox.next().unwrap());
        assert!(!inbox.superseded(&close));
        drop(tx);
        assert!(inbox.next().is_none());
    }
}
