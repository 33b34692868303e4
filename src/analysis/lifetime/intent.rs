//! What the code itself says about how long it means something to live:
//! evidence of *intent*, weighed by rules against the evidence that the
//! code repeats.
//!
//! - A CLI entry file (its first line is a `#!` interpreter line): its top
//!   level runs once per launch, and what it registers on the process's own
//!   objects (`process`, its standard streams) is meant to last until the
//!   process exits.
//!
//! It is no proof that the code runs once: a rule keeps a finding high
//! where the code shows the repetition (a listener, an interval, a route),
//! and uses this evidence only where nothing but the launch repeats it.

use crate::model::{AccessPath, FileModel, Root};

/// The file is a CLI entry: its text starts with a `#!` interpreter line
/// (`#!/usr/bin/env node`), which only a file run as a program carries.
pub fn is_cli_entry(model: &FileModel) -> bool {
    model.source.starts_with("#!")
}

/// `process`, or one of its standard streams (`process.stdin`, `stdout`,
/// `stderr`): the objects of the process itself, one per process.
pub fn is_process_object(target: &AccessPath) -> bool {
    let Root::Global(g) = &target.root else {
        return false;
    };
    // `globalThis.process.stdin` is normalised by the caller; here only the
    // path as written.
    g == "process"
        && match target.props.as_slice() {
            [] => true,
            [s] => matches!(s.as_ref(), "stdin" | "stdout" | "stderr"),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    #[test]
    fn a_cli_entry_is_a_file_with_an_interpreter_line() {
        let mut seen = Vec::new();
        for src in [
            "#!/usr/bin/env node\nrun();\n",
            "// #!/usr/bin/env node\nrun();\n",
        ] {
            crate::engine::with_model_for_test(src, Dialect::Js, |m| seen.push(is_cli_entry(m)));
        }
        assert_eq!(seen, [true, false]);
    }

    #[test]
    fn the_process_objects_are_process_and_its_standard_streams() {
        let path = |root: &str, props: &[&str]| AccessPath {
            root: Root::Global(root.into()),
            props: props.iter().map(|p| (*p).into()).collect(),
        };
        assert!(is_process_object(&path("process", &[])));
        assert!(is_process_object(&path("process", &["stdin"])));
        assert!(!is_process_object(&path("process", &["env"])));
        assert!(!is_process_object(&path("window", &[])));
        assert!(!is_process_object(&path("process", &["stdout", "socket"])));
    }
}
