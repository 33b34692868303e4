#!/usr/bin/env node
// Stages the npm packages from built binaries: the `leaklint` package (the
// launcher, the config JSON schema, a README) and one `@leaklint/<platform>`
// package per binary given, with the `os`, `cpu` and `libc` fields npm uses
// to install only the one that fits. The version comes from Cargo.toml, the
// one place it is written.
//
//   node npm/stage.js --out DIR --binary linux-x64-gnu=target/release/leaklint \
//                     [--binary darwin-arm64=...]... [--pack] [--complete]
//
// --pack      runs `npm pack` in each staged package; the tarballs land in DIR.
// --complete  fails unless every platform of npm/platforms.json has a binary
//             (what a release needs: the main package depends on all of them).
// Publishing is `npm publish DIR/<platform>` for each, then `npm publish DIR/leaklint`.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const ROOT = path.resolve(__dirname, '..')
const PLATFORMS = require('./platforms.json')

function usage(message) {
  process.stderr.write(`stage.js: ${message}\n`)
  process.exit(2)
}

function parseArgs(argv) {
  const args = { out: null, binaries: new Map(), pack: false, complete: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--out') args.out = argv[++i]
    else if (a === '--binary') {
      const spec = argv[++i] || ''
      const eq = spec.indexOf('=')
      if (eq < 0) usage(`--binary expects PLATFORM=PATH, got ${spec}`)
      const name = spec.slice(0, eq)
      if (!PLATFORMS.some((p) => p.name === name)) {
        usage(`unknown platform ${name} (one of: ${PLATFORMS.map((p) => p.name).join(', ')})`)
      }
      args.binaries.set(name, path.resolve(spec.slice(eq + 1)))
    } else if (a === '--pack') args.pack = true
    else if (a === '--complete') args.complete = true
    else usage(`unknown argument ${a}`)
  }
  if (!args.out) usage('--out DIR is required')
  if (args.complete) {
    const missing = PLATFORMS.filter((p) => !args.binaries.has(p.name)).map((p) => p.name)
    if (missing.length) usage(`--complete: no binary for ${missing.join(', ')}`)
  }
  return args
}

/** The `version` of Cargo.toml's [package] table. */
function cargoVersion() {
  const toml = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8')
  const pkg = toml.split(/^\[/m).find((t) => t.startsWith('package]'))
  const m = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m)
  if (!m) usage('no version in the [package] table of Cargo.toml')
  return m[1]
}

function cargoField(name) {
  const toml = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8')
  const m = toml.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm'))
  return m ? m[1] : undefined
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

function fresh(dir) {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
}

function stageMain(out, version) {
  const dir = path.join(out, 'leaklint')
  fresh(dir)
  fs.mkdirSync(path.join(dir, 'bin'))
  fs.copyFileSync(path.join(__dirname, 'leaklint', 'bin', 'leaklint.js'), path.join(dir, 'bin', 'leaklint.js'))
  fs.chmodSync(path.join(dir, 'bin', 'leaklint.js'), 0o755)
  fs.copyFileSync(path.join(ROOT, 'leaklint.schema.json'), path.join(dir, 'leaklint.schema.json'))
  fs.copyFileSync(path.join(__dirname, 'leaklint', 'README.md'), path.join(dir, 'README.md'))
  const optionalDependencies = {}
  for (const p of PLATFORMS) optionalDependencies[`@leaklint/${p.name}`] = version
  writeJson(path.join(dir, 'package.json'), {
    name: 'leaklint',
    version,
    description: cargoField('description'),
    license: cargoField('license'),
    bin: { leaklint: 'bin/leaklint.js' },
    files: ['bin/leaklint.js', 'leaklint.schema.json', 'README.md'],
    engines: { node: '>=18' },
    keywords: ['lint', 'linter', 'memory-leak', 'javascript', 'typescript'],
    optionalDependencies,
  })
  return dir
}

function stagePlatform(out, version, platform, binary) {
  const dir = path.join(out, platform.name)
  fresh(dir)
  fs.copyFileSync(binary, path.join(dir, platform.exe))
  fs.chmodSync(path.join(dir, platform.exe), 0o755)
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    `# @leaklint/${platform.name}\n\nThe leaklint binary for ${platform.target}. Install \`leaklint\`, not this package: npm picks the right one.\n`,
  )
  const manifest = {
    name: `@leaklint/${platform.name}`,
    version,
    description: `leaklint binary for ${platform.target}`,
    license: cargoField('license'),
    os: [platform.os],
    cpu: [platform.cpu],
    files: [platform.exe, 'README.md'],
    preferUnplugged: true,
  }
  if (platform.libc) manifest.libc = [platform.libc]
  writeJson(path.join(dir, 'package.json'), manifest)
  return dir
}

function pack(dir, out) {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.resolve(out)], {
    cwd: dir,
    encoding: 'utf8',
  })
  return path.join(path.resolve(out), name.trim().split('\n').pop())
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  const version = cargoVersion()
  fs.mkdirSync(args.out, { recursive: true })
  const dirs = [stageMain(args.out, version)]
  for (const [name, binary] of args.binaries) {
    if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) usage(`no binary at ${binary}`)
    dirs.push(stagePlatform(args.out, version, PLATFORMS.find((p) => p.name === name), binary))
  }
  for (const dir of dirs) {
    process.stdout.write(`${args.pack ? pack(dir, args.out) : dir}\n`)
  }
}

main()
