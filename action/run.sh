#!/usr/bin/env bash
# The prismhook GitHub Action (../action.yml) in one script, so that it can
# be run and tested outside GitHub: install prismhook, run the check, write
# the reports, annotate failed and warned checks, add the Markdown report to
# the job summary and set the step's outputs.
#
# Inputs come as INPUT_URL, INPUT_SECRET, INPUT_PROFILE, INPUT_EXPECT_FETCH,
# INPUT_VERSION and INPUT_FAIL_ON. PRISMHOOK_BIN, when set, is the prismhook
# binary to use instead of installing one. Reports are written to
# prismhook-reports/ in the working directory.
set -euo pipefail

url=${INPUT_URL:-}
secret=${INPUT_SECRET:-}
profile=${INPUT_PROFILE:-recommended}
expect_fetch=${INPUT_EXPECT_FETCH:-false}
version=${INPUT_VERSION:-latest}
fail_on=${INPUT_FAIL_ON:-fail}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}
dir=prismhook-reports

fail() {
  echo "::error title=prismhook::$1"
  echo "prismhook did not run: $1" >>"$summary"
  exit 2
}

[ -n "$url" ] || fail "the url input is required"
[ -n "$secret" ] || fail "the secret input is required"
echo "::add-mask::$secret"
case "$fail_on" in fail | never) ;; *) fail "fail-on must be fail or never, not '$fail_on'" ;; esac
case "$expect_fetch" in true | false) ;; *) fail "expect-fetch must be true or false, not '$expect_fetch'" ;; esac

bin=${PRISMHOOK_BIN:-}
if [ -z "$bin" ]; then
  # go install honours the module's Go version (GOTOOLCHAIN=auto), so any
  # Go 1.21 or later on the runner will do.
  export GOBIN="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/prismhook-bin"
  go install "github.com/prismhook/prismhook/cmd/prismhook@$version" || fail "go install of prismhook@$version failed"
  bin="$GOBIN/prismhook"
fi

mkdir -p "$dir"
args=(check --profile "$profile" --annotations github
  --junit "$dir/junit.xml" --html "$dir/report.html" --markdown "$dir/report.md" --json "$dir/report.json")
if [ "$expect_fetch" = true ]; then
  args+=(--expect-fetch)
fi

# The URL and the secret go through the environment, not the command line.
code=0
PRISMHOOK_URL="$url" PRISMHOOK_SECRET="$secret" "$bin" "${args[@]}" || code=$?

if [ -f "$dir/report.md" ]; then
  cat "$dir/report.md" >>"$summary"
else
  echo "::error title=prismhook::the check did not run (exit $code); the log above says why"
  echo "prismhook check did not run (exit $code): see the step's log." >>"$summary"
fi
# Conformant only with the report's verdict for the profile: a run that
# left checks of the profile unrun (PRISMHOOK_ONLY/PRISMHOOK_SKIP) or was
# interrupted has none, even when it exits 0. Without jq, the exit status.
conformant=false
if [ "$code" = 0 ]; then
  conformant=true
  if command -v jq >/dev/null && [ -f "$dir/report.json" ] &&
    ! jq -e --arg p "$profile" '.summary.conformant[$p] == true' "$dir/report.json" >/dev/null; then
    conformant=false
  fi
fi
{
  echo "exit-code=$code"
  echo "conformant=$conformant"
  echo "report-dir=$dir"
  echo "junit=$dir/junit.xml"
  echo "html=$dir/report.html"
  echo "markdown=$dir/report.md"
  echo "json=$dir/report.json"
} >>"$outputs"

# Exit 1 is a failed check; 2 means nothing was checked (a usage error, an
# unreachable receiver), which fails the step whatever fail-on says.
if [ "$code" = 1 ] && [ "$fail_on" = never ]; then
  exit 0
fi
exit "$code"
