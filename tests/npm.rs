//! The npm distribution end to end, offline: `npm/stage.js` stages and packs
//! the `leaklint` package and this platform's `@leaklint/<platform>` package
//! from the binary cargo just built, a fresh project installs both tarballs
//! with `npm install --offline` (no registry), and `npx leaklint` lints the
//! seed example there: exit code, JSON output, `--version`, the shipped
//! schema, and the launcher's error when the platform package is missing.
//!
//! Needs node and npm: ignored by a plain `cargo test`; `cargo test-all`
//! (what `.ci/run` runs) includes it and fails it when they are missing.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::root;

/// This machine's package, as `npm/platforms.json` names it.
fn platform() -> &'static str {
    let musl = Command::new("ldd")
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).contains("musl")
                || String::from_utf8_lossy(&o.stderr).contains("musl")
        });
    match (std::env::consts::OS, std::env::consts::ARCH, musl) {
        ("linux", "x86_64", false) => "linux-x64-gnu",
        ("linux", "x86_64", true) => "linux-x64-musl",
        ("linux", "aarch64", false) => "linux-arm64-gnu",
        ("linux", "aarch64", true) => "linux-arm64-musl",
        ("macos", "x86_64", _) => "darwin-x64",
        ("macos", "aarch64", _) => "darwin-arm64",
        ("windows", "x86_64", _) => "win32-x64",
        other => panic!("no npm package for {other:?}"),
    }
}

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {shown}: {e} (this test needs node and npm on PATH; see README)")
    })
}

fn ok(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{shown} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// npm with a private cache and no registry traffic.
fn npm(dir: &Path, cache: &Path) -> Command {
    let mut c = Command::new("npm");
    c.current_dir(dir)
        .env("npm_config_cache", cache)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_offline", "true");
    c
}

fn npx(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    let mut c = Command::new("npx");
    c.current_dir(dir)
        .env("npm_config_cache", cache)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_offline", "true")
        .env_remove("LEAKLINT_BINARY")
        .arg("--no-install")
        .arg("leaklint")
        .args(args);
    run(&mut c)
}

#[test]
#[ignore = "needs node and npm; run the full suite with `cargo test-all`"]
fn packed_packages_install_offline_and_npx_leaklint_runs() {
    let work = tempfile::tempdir().unwrap();
    let stage = work.path().join("stage");
    let cache = work.path().join("npm-cache");
    let staged = ok(Command::new("node")
        .arg(root().join("npm/stage.js"))
        .arg("--out")
        .arg(&stage)
        .arg("--binary")
        .arg(format!("{}={}", platform(), env!("CARGO_BIN_EXE_leaklint")))
        .arg("--pack"));
    let tarballs: Vec<PathBuf> = staged.lines().map(PathBuf::from).collect();
    assert_eq!(tarballs.len(), 2, "{staged}");
    for t in &tarballs {
        assert!(t.is_file(), "{}", t.display());
    }

    // The main package: the version from Cargo.toml, one optional
    // dependency per platform, each with os/cpu (and libc on Linux).
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(stage.join("leaklint/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), 7);
    assert!(optional.values().all(|v| v == env!("CARGO_PKG_VERSION")));
    let platform_manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(stage.join(platform()).join("package.json")).unwrap(),
    )
    .unwrap();
    assert!(platform_manifest["os"].is_array() && platform_manifest["cpu"].is_array());

    // A fresh project installs both tarballs without a registry.
    let project = work.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    for entry in std::fs::read_dir(root().join("fixtures/examples")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), project.join("src").join(entry.file_name())).unwrap();
    }
    std::fs::write(
        project.join("package.json"),
        "{\"name\": \"app\", \"version\": \"1.0.0\", \"private\": true}\n",
    )
    .unwrap();
    ok(npm(&project, &cache).arg("install").args(&tarballs));

    let out = npx(&project, &cache, &["src/", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "the seed leaks: {out:?}");
    let results: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let seed = results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["filePath"].as_str().unwrap().ends_with("seed-leak.js"))
        .expect("the seed file is linted");
    let rules: Vec<&str> = seed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"unbounded-cache"), "{rules:?}");

    let version = npx(&project, &cache, &["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("leaklint {}", env!("CARGO_PKG_VERSION"))
    );

    // `$schema` as docs/configuration.md writes it resolves to the schema.
    let shipped = project.join("node_modules/leaklint/leaklint.schema.json");
    assert_eq!(
        std::fs::read_to_string(&shipped).unwrap(),
        std::fs::read_to_string(root().join("leaklint.schema.json")).unwrap()
    );
    std::fs::write(
        project.join("leaklint.json"),
        "{ \"$schema\": \"./node_modules/leaklint/leaklint.schema.json\", \"rules\": { \"unbounded-cache\": \"off\", \"null-instead-of-delete\": \"off\", \"weakmap-fresh-key\": \"off\" } }\n",
    )
    .unwrap();
    let clean = npx(&project, &cache, &["src/"]);
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");

    // Without the platform package the launcher says what is missing.
    std::fs::remove_dir_all(project.join("node_modules/@leaklint")).unwrap();
    let missing = npx(&project, &cache, &["src/"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains(&format!("@leaklint/{}", platform())) && err.contains("not installed"),
        "{err}"
    );
}

/// On a platform without a package the launcher names the platform, lists
/// the supported ones and exits with 2; `LEAKLINT_BINARY` still works there.
#[test]
#[ignore = "needs node; run the full suite with `cargo test-all`"]
fn the_launcher_explains_an_unsupported_platform() {
    let launcher = root().join("npm/leaklint/bin/leaklint.js");
    let script = format!(
        "Object.defineProperty(process, 'platform', {{ value: 'aix' }}); process.argv = [process.argv[0], 'leaklint.js', '--version']; require({:?})",
        launcher.display().to_string()
    );
    let out = run(Command::new("node")
        .args(["-e", &script])
        .env_remove("LEAKLINT_BINARY"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no prebuilt binary for this platform (aix-")
            && err.contains("linux-x64-gnu")
            && err.contains("LEAKLINT_BINARY"),
        "{err}"
    );
    let out = run(Command::new("node")
        .args(["-e", &script])
        .env("LEAKLINT_BINARY", env!("CARGO_BIN_EXE_leaklint")));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("leaklint "));
}
