//! A bound on how deep source nests *without* brackets (operator chains,
//! unary prefixes, arrow and `if`/`else` chains), checked before parsing.
//!
//! swc parses, resolves, visits and drops these recursively: a million terms
//! of `1+1+…` or four million `!` overflow even the workers' 512 MiB stack
//! and abort the process. Bracket depth is bounded by `parse::too_deep`; this
//! bounds the rest with a token-level scan that skips strings, template text,
//! comments and regular expressions, so that their contents count for nothing.
//!
//! The estimate counts, per bracket level, the tokens that can add a level to
//! the tree (operators, prefix keywords, opening brackets, statement keywords)
//! since the expression or statement chain at that level last ended, and adds
//! the levels below. An expression ends at `,` `;`, a keyword that begins a
//! statement, or a word that cannot go on with it (after a `}` block, or
//! after an operand on an earlier line); a statement chain (`if (a) if (b) …`, `else if …`, `do …`) ends
//! at `;` or `}` not followed by `else` or `while`. Every level of the tree
//! takes at least one counted token, so the estimate does not fall below the
//! real depth (a chain of statements broken by a `}` inside an expression may
//! be counted at half its depth, which the limit allows for).

/// Largest estimated nesting (in tokens) handed to the parser. Real code
/// stays below a few hundred. Measured on the 512 MiB worker stack (release
/// build): arrow functions and JSX elements need the most stack per level
/// (about 2.5 KB) and 200,000 levels of them still pass (300,000 do not);
/// 300,000 `if`, ternary and `+` levels and 1,000,000 `!` pass.
pub const MAX_CHAIN: usize = 150_000;

/// Files shorter than this are not scanned: a level of nesting takes one
/// byte only for unary operators (`!!!…`, and a million of those pass), and
/// at least two bytes for anything else, so such a file cannot nest more than
/// [`MAX_CHAIN`] levels of any other construct.
const SCAN_FROM_BYTES: usize = 2 * MAX_CHAIN;

/// Where the estimated nesting first exceeds [`MAX_CHAIN`], if it does.
pub fn too_deep(text: &str) -> Option<usize> {
    if text.len() < SCAN_FROM_BYTES {
        return None;
    }
    scan(text)
}

/// The scan itself, whatever the length (for the fuzzer, whose inputs are
/// far shorter than the files [`too_deep`] scans).
pub fn scan(text: &str) -> Option<usize> {
    Scanner::default().run(text.as_bytes())
}

/// Half-units: `<` and `>` count half (JSX tags use two of them per level,
/// and a relational chain `a > b > c` is still bounded at twice the limit).
const FULL: usize = 2;
const LIMIT: usize = MAX_CHAIN * FULL;

#[derive(Default)]
struct Level {
    /// Tokens of the current expression at this level.
    expr: usize,
    /// `<` and `>` of the current expression: JSX nests through them, and its
    /// text has words that do not end an expression, so only `,` and `;` end
    /// this count.
    angle: usize,
    /// Statement keywords of the current statement chain at this level.
    stmt: usize,
    /// A `;` or `}` was seen: the statement chain ends unless `else` or
    /// `while` follows.
    stmt_may_end: bool,
    /// This level is the `${…}` of a template literal.
    template: bool,
}

#[derive(Default)]
struct Scanner {
    levels: Vec<Level>,
    /// Sum of `expr + stmt` over every level, plus one per level.
    total: usize,
    /// The previous token ends an operand (`/` after it divides).
    after_operand: bool,
    /// The previous token closed a `{…}` block or literal.
    after_brace: bool,
    /// A line break since the previous token.
    newline: bool,
}

impl Scanner {
    fn top(&mut self) -> &mut Level {
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        self.levels.last_mut().expect("not empty")
    }

    fn count_expr(&mut self, units: usize) {
        self.top().expr += units;
        self.total += units;
    }

    /// The expression at this level ended: at `,` and `;` (`all`), or at a
    /// word that begins a statement.
    fn end_expr(&mut self, all: bool) {
        let level = self.top();
        let mut ended = std::mem::take(&mut level.expr);
        if all {
            ended += std::mem::take(&mut level.angle);
        }
        self.total -= ended;
    }

    /// Called before every token: a pending end of statement chain applies
    /// unless this token continues it.
    fn settle(&mut self, continues_statement: bool) {
        let level = self.top();
        if std::mem::take(&mut level.stmt_may_end) && !continues_statement {
            let s = std::mem::take(&mut level.stmt);
            self.total -= s;
        }
    }

    fn open(&mut self, template: bool) {
        self.settle(false);
        self.count_expr(FULL);
        self.levels.push(Level {
            template,
            ..Level::default()
        });
        self.total += FULL;
    }

    /// Closes a level; returns whether it was a template substitution.
    fn close(&mut self, brace: bool) -> bool {
        if self.levels.len() <= 1 {
            // A stray closer: nothing to close (as `too_deep` for brackets).
            self.settle(false);
            return false;
        }
        let level = self.levels.pop().expect("more than one");
        self.total -= level.expr + level.angle + level.stmt + FULL;
        if brace && !level.template {
            self.top().stmt_may_end = true;
        }
        level.template
    }

    fn run(mut self, b: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let start = i;
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => {
                    self.newline |= matches!(c, b'\n' | b'\r');
                    i += 1;
                    continue;
                }
                b'"' | b'\'' => {
                    i = skip_string(b, i);
                    self.settle(false);
                    self.after_operand = true;
                }
                b'`' => {
                    self.settle(false);
                    match skip_template(b, i + 1) {
                        (end, true) => {
                            i = end;
                            self.open(true);
                            self.after_operand = false;
                        }
                        (end, false) => {
                            i = end;
                            self.after_operand = true;
                        }
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |p| i + p);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
                    continue;
                }
                b'/' if !self.after_operand => {
                    i = skip_regex(b, i);
                    self.settle(false);
                    self.after_operand = true;
                }
                b'(' | b'[' | b'{' => {
                    i += 1;
                    self.open(false);
                    self.after_operand = false;
                }
                b')' | b']' => {
                    i += 1;
                    self.close(false);
                    self.after_operand = true;
                }
                b'}' => {
                    i += 1;
                    if self.close(true) {
                        // The end of `${…}`: the template's text goes on.
                        let (end, more) = skip_template(b, i);
                        i = end;
                        if more {
                            self.open(true);
                            self.after_operand = false;
                            continue;
                        }
                    }
                    self.after_operand = true;
                }
                b';' | b',' => {
                    i += 1;
                    self.settle(false);
                    self.end_expr(true);
                    if c == b';' {
                        self.top().stmt_may_end = true;
                    }
                    self.after_operand = false;
                }
                b'<' | b'>' => {
                    i += 1;
                    self.settle(false);
                    self.top().angle += 1;
                    self.total += 1;
                    self.after_operand = false;
                }
                b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' | b'\\' | 0x80.. => {
                    i = b[i..]
                        .iter()
                        .position(|&c| !is_word(c))
                        .map_or(b.len(), |p| i + p);
                    self.word(&b[start..i]);
                }
                _ => {
                    // Any other punctuator byte (`+ - * ! ~ = & | ^ ? : . % @ #`).
                    i += 1;
                    self.settle(false);
                    self.count_expr(FULL);
                    // `++`/`--` after an operand end it too (`a++ / 2`).
                    self.after_operand =
                        matches!(c, b'+' | b'-') && self.after_operand && b.get(i) == Some(&c);
                    if self.after_operand {
                        i += 1;
                    }
                }
            }
            self.after_brace = c == b'}';
            self.newline = false;
            if self.total > LIMIT {
                return Some(start);
            }
        }
        None
    }

    fn word(&mut self, w: &[u8]) {
        self.settle(matches!(w, b"else" | b"while"));
        match w {
            // Statement chains.
            b"if" | b"else" | b"while" | b"for" | b"do" | b"with" | b"switch" | b"try" => {
                self.end_expr(false);
                self.top().stmt += FULL;
                self.total += FULL;
                self.after_operand = false;
            }
            // Words that begin a statement: no expression goes on through them.
            b"var" | b"const" | b"return" | b"throw" | b"export" | b"break" | b"continue"
            | b"debugger" => {
                self.end_expr(false);
                self.after_operand = false;
            }
            // Prefix and infix words.
            b"typeof" | b"void" | b"delete" | b"await" | b"new" | b"yield" | b"in"
            | b"instanceof" | b"of" | b"extends" | b"as" | b"satisfies" | b"keyof" | b"infer"
            | b"is" | b"case" | b"async" | b"unique" | b"readonly" => {
                self.count_expr(FULL);
                self.after_operand = false;
            }
            _ => {
                // A word right after a block (`}function f`) or after an
                // operand on an earlier line (ASI) begins a new statement.
                if self.after_brace || (self.after_operand && self.newline) {
                    self.end_expr(false);
                }
                self.after_operand = true;
            }
        }
    }
}

fn is_word(c: u8) -> bool {
    WORD[usize::from(c)]
}

/// The bytes of words: a table lookup per byte instead of five range tests,
/// in the loop that skips identifiers (most of the bytes of a bundle).
static WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'\\') || b >= 0x80;
        c += 1;
    }
    t
};

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The end of a quoted string starting at `i` (a line break ends an
/// unterminated one).
fn skip_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// Skips template text from `i` (just after a backtick or a substitution's
/// `}`): returns where it stopped and whether a `${` substitution starts there.
fn skip_template(b: &[u8], i: usize) -> (usize, bool) {
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'`' => return (j + 1, false),
            b'$' if b.get(j + 1) == Some(&b'{') => return (j + 2, true),
            _ => j += 1,
        }
    }
    (b.len(), false)
}

/// The end of a regular expression literal starting at `i` (its flags are
/// scanned as a word afterwards; a line break ends an unterminated one).
fn skip_regex(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut class = false;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' | b'\r' => return j,
            b'[' => {
                class = true;
                j += 1;
            }
            b']' => {
                class = false;
                j += 1;
            }
            b'/' if !class => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(s: &str) -> bool {
        Scanner::default().run(s.as_bytes()).is_some()
    }

    #[test]
    fn operator_chains_are_bounded() {
        assert!(deep(&format!("x = 1{};", "+1".repeat(MAX_CHAIN + 1))));
        assert!(deep(&format!("x = {}a;", "!".repeat(MAX_CHAIN + 1))));
        assert!(deep(&format!("x = {}c;", "a=>".repeat(MAX_CHAIN + 1))));
        assert!(deep(&format!("{}x;", "if(a)".repeat(MAX_CHAIN + 1))));
        assert!(deep(&format!(
            "if(a)b;{}",
            "else if(a)b,c;".repeat(MAX_CHAIN / 2 + 1)
        )));
        assert!(deep(&format!("x = {}a;", "typeof ".repeat(MAX_CHAIN + 1))));
    }

    #[test]
    fn separators_end_a_chain() {
        assert!(!deep(&"x = a + b;\n".repeat(MAX_CHAIN)));
        assert!(!deep(&format!("[{}]", "a + b, ".repeat(MAX_CHAIN))));
        assert!(!deep(&"if (a) { b(); }\n".repeat(MAX_CHAIN)));
        assert!(!deep(&"if (a) b; else c;\n".repeat(MAX_CHAIN)));
        assert!(!deep(&"const a = b.c.d\n".repeat(MAX_CHAIN)));
        assert!(!deep(&"module.exports.a = b.c\n".repeat(MAX_CHAIN)));
        // Minified declarations, one after the other on one line.
        assert!(!deep(&"function f(a){return a>1?a:[a]}".repeat(MAX_CHAIN)));
        // But a block inside an expression does not end it.
        assert!(deep(&format!("x = {{}}{};", "+{}".repeat(MAX_CHAIN + 1))));
    }

    #[test]
    fn jsx_text_does_not_hide_jsx_nesting() {
        let n = MAX_CHAIN * FULL + 1;
        assert!(deep(&format!("x = {}", "<a>{x}y\nz".repeat(n))));
    }

    #[test]
    fn literals_and_comments_count_nothing() {
        let n = MAX_CHAIN + 1;
        for text in [
            format!("x = '{}';", "!".repeat(n)),
            format!("x = \"{}\";", "+".repeat(n)),
            format!("x = `{}`;", "+".repeat(n)),
            format!("x = /{}/;", "+".repeat(n)),
            format!("// {}\n", "+".repeat(n)),
            format!("/* {} */", "+".repeat(n)),
            format!("x = `${{a}}{}`;", "+".repeat(n)),
        ] {
            assert!(!deep(&text), "{}", &text[..20]);
        }
        // Division is an operator, not the start of a regular expression.
        assert!(deep(&format!("x = 1{};", "/1".repeat(MAX_CHAIN + 1))));
        // Substitutions of a template are code.
        assert!(deep(&format!("x = `${{{}a}}`;", "!".repeat(MAX_CHAIN + 1))));
    }

    #[test]
    fn small_files_are_not_scanned() {
        assert_eq!(too_deep(&"!".repeat(SCAN_FROM_BYTES - 1)), None);
    }
}
