#!/usr/bin/env node
// The `leaklint` command of the npm package: finds the prebuilt binary of
// this platform in its optional dependency (`@leaklint/<platform>`, chosen
// by npm through the `os`, `cpu` and `libc` fields) and runs it with the
// same arguments, standard streams and exit code. `LEAKLINT_BINARY` names a
// binary to run instead (a local build, an unsupported platform).
'use strict'

const { spawnSync } = require('node:child_process')
const path = require('node:path')

// The platforms with a package, kept in step with npm/platforms.json.
const PACKAGES = {
  'linux-x64-gnu': '@leaklint/linux-x64-gnu',
  'linux-x64-musl': '@leaklint/linux-x64-musl',
  'linux-arm64-gnu': '@leaklint/linux-arm64-gnu',
  'linux-arm64-musl': '@leaklint/linux-arm64-musl',
  'darwin-x64': '@leaklint/darwin-x64',
  'darwin-arm64': '@leaklint/darwin-arm64',
  'win32-x64': '@leaklint/win32-x64',
}

/** glibc or musl, as npm decides for the `libc` field. */
function libc() {
  try {
    const report = process.report && process.report.getReport()
    const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header
    if (header && header.glibcVersionRuntime) return 'gnu'
  } catch (_) {
    // Fall through to the file system check.
  }
  try {
    const ldd = require('node:fs').readFileSync('/usr/bin/ldd', 'utf8')
    if (ldd.includes('musl')) return 'musl'
  } catch (_) {
    // No ldd: assume musl only when glibc was not reported.
  }
  return 'musl'
}

function platformKey() {
  const { platform, arch } = process
  return platform === 'linux' ? `linux-${arch}-${libc()}` : `${platform}-${arch}`
}

function binary() {
  if (process.env.LEAKLINT_BINARY) return process.env.LEAKLINT_BINARY
  const key = platformKey()
  const pkg = PACKAGES[key]
  const exe = process.platform === 'win32' ? 'leaklint.exe' : 'leaklint'
  if (!pkg) {
    fail(
      `leaklint has no prebuilt binary for this platform (${key}).\n` +
        `Supported: ${Object.keys(PACKAGES).join(', ')}.\n` +
        'Build it with `cargo install --git <repository> leaklint` and set LEAKLINT_BINARY to its path.',
    )
  }
  try {
    return require.resolve(`${pkg}/${exe}`)
  } catch (_) {
    fail(
      `the package ${pkg} with leaklint's binary for ${key} is not installed.\n` +
        'It is an optional dependency of `leaklint`: reinstall without --no-optional / --omit=optional,\n' +
        'and make sure the lockfile was not written on another platform only.\n' +
        `(Looked for ${pkg}/${exe} from ${path.dirname(__dirname)}.)`,
    )
  }
}

function fail(message) {
  process.stderr.write(`leaklint: ${message}\n`)
  process.exit(2)
}

const result = spawnSync(binary(), process.argv.slice(2), { stdio: 'inherit', windowsHide: true })
if (result.error) fail(`cannot run ${result.error.path || 'the binary'}: ${result.error.message}`)
if (result.signal) {
  // Die of the same signal, so that callers see what happened.
  process.kill(process.pid, result.signal)
}
process.exit(result.status === null ? 2 : result.status)
