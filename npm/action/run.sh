#!/usr/bin/env bash
# The script of the `leaklint` GitHub Action (action.yml at the repository
# root). Inputs come as environment variables:
#
#   LEAKLINT_PATHS        paths to lint, space-separated (default: .)
#   LEAKLINT_FORMAT       github (annotations, default) or sarif
#   LEAKLINT_SARIF_FILE   where sarif output goes (default: leaklint.sarif)
#   LEAKLINT_CONFIDENCE   high (default) or medium
#   LEAKLINT_FAIL_LEVEL   error (default: fail on error-level problems),
#                         warning (fail on any problem), none (report only)
#   LEAKLINT_VERSION      npm version to install when the project has none
#   LEAKLINT_BIN          a leaklint to run instead of installing one
#
# leaklint is the project's own (node_modules/.bin/leaklint, pinned by its
# lockfile) when there is one, else installed from npm into a temporary
# directory. Exit code: leaklint's, except that with fail level `none`
# problems (1) do not fail the step; usage or I/O errors (2) always do.
set -uo pipefail

paths="${LEAKLINT_PATHS:-.}"
format="${LEAKLINT_FORMAT:-github}"
sarif_file="${LEAKLINT_SARIF_FILE:-leaklint.sarif}"
confidence="${LEAKLINT_CONFIDENCE:-high}"
fail_level="${LEAKLINT_FAIL_LEVEL:-error}"
version="${LEAKLINT_VERSION:-latest}"

fail() {
  echo "::error title=leaklint action::$1"
  exit 2
}

case "$format" in github | sarif) ;; *) fail "format must be github or sarif, not '$format'" ;; esac
case "$confidence" in high | medium) ;; *) fail "confidence must be high or medium, not '$confidence'" ;; esac
case "$fail_level" in error | warning | none) ;; *) fail "fail-level must be error, warning or none, not '$fail_level'" ;; esac

bin="${LEAKLINT_BIN:-}"
if [ -z "$bin" ] && [ -x node_modules/.bin/leaklint ]; then
  bin="node_modules/.bin/leaklint"
fi
if [ -z "$bin" ]; then
  prefix="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leaklint-action"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund "leaklint@$version" >&2 ||
    fail "cannot install leaklint@$version from npm"
  bin="$prefix/node_modules/.bin/leaklint"
fi

args=(--confidence "$confidence")
case "$format" in
  github) args+=(--format github) ;;
  sarif) args+=(--format sarif --output-file "$sarif_file") ;;
esac
if [ "$fail_level" = warning ]; then
  args+=(--max-warnings 0)
fi
# Report only: a suppressions file with counts left over from fixed leaks
# (exit 2 otherwise, as ESLint does) must not fail a report-only step.
if [ "$fail_level" = none ]; then
  args+=(--pass-on-unpruned-suppressions)
fi

# Word splitting of the paths input is intended (several paths).
# shellcheck disable=SC2086
"$bin" "${args[@]}" $paths
code=$?

if [ "$format" = sarif ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sarif-file=$sarif_file" >>"$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
fi
if [ "$code" -eq 1 ] && [ "$fail_level" = none ]; then
  exit 0
fi
exit "$code"
