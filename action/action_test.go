// Package action_test runs the GitHub Action's script (run.sh, which
// action.yml calls) outside GitHub: with a locally built prismhook, fake
// GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, and reference receivers.
package action_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prismhook/prismhook/internal/receiver"
)

const secret = "whsec_action_test"

// prismhook builds the CLI once for the package's tests.
func prismhook(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed to run the action's script")
	}
	bin := filepath.Join(t.TempDir(), "prismhook")
	build := exec.Command("go", "build", "-o", bin, "./cmd/prismhook")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startReceiver(t *testing.T, d receiver.Defect) string {
	t.Helper()
	r, err := receiver.Start(receiver.Options{Secret: secret, Defect: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r.URL
}

// step is one run of the script, as GitHub would run the action's step.
type step struct {
	code            int
	stdout, summary string
	outputs         map[string]string
	dir             string // the working directory, where reports go
}

// quickChecks are checks that are quick and need no probe, so each run
// takes well under a second; the script passes no --only of its own.
const quickChecks = "SIG-01,SIG-03,TLS-01"

// coreChecks are the checks of the core profile, and TLS-01: a run of them
// has a verdict for core and still takes only a second or two.
const coreChecks = "SIG-01,SIG-02,SIG-03,SIG-04,SIG-05,SIG-06,SIG-07,SIG-09,TIME-01,TIME-03,IDEM-01,ROB-03,TLS-01,TLS-02"

// runAction runs the script with inputs and PRISMHOOK_ONLY=only.
func runAction(t *testing.T, bin string, inputs map[string]string, only string) step {
	t.Helper()
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	outputs := filepath.Join(dir, "outputs.txt")
	script, err := filepath.Abs("run.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PRISMHOOK_BIN="+bin, "PRISMHOOK_ONLY="+only,
		"GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+outputs)
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
	}
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	s := step{dir: dir, outputs: map[string]string{}}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		s.code = ee.ExitCode()
	}
	s.stdout = stdout.String()
	if b, err := os.ReadFile(summary); err == nil {
		s.summary = string(b)
	}
	if b, err := os.ReadFile(outputs); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				s.outputs[k] = v
			}
		}
	}
	return s
}

func (s step) mustHaveReports(t *testing.T) {
	t.Helper()
	for _, key := range []string{"junit", "html", "markdown", "json"} {
		path := s.outputs[key]
		if path == "" {
			t.Errorf("output %s not set", key)
			continue
		}
		if fi, err := os.Stat(filepath.Join(s.dir, path)); err != nil || fi.Size() == 0 {
			t.Errorf("output %s=%s: no report there (%v)", key, path, err)
		}
	}
}

func TestActionScript(t *testing.T) {
	bin := prismhook(t)
	good := startReceiver(t, receiver.DefectNone)
	bad := startReceiver(t, receiver.DefectAcceptUnsigned)

	t.Run("conformant receiver", func(t *testing.T) {
		s := runAction(t, bin, map[string]string{"url": good, "secret": secret, "profile": "core", "expect-fetch": "true"}, coreChecks)
		if s.code != 0 {
			t.Fatalf("exit %d\n%s", s.code, s.stdout)
		}
		if !strings.Contains(s.summary, "### prismhook conformance: CONFORMANT") {
			t.Errorf("summary:\n%s", s.summary)
		}
		if s.outputs["conformant"] != "true" || s.outputs["exit-code"] != "0" {
			t.Errorf("outputs %v", s.outputs)
		}
		s.mustHaveReports(t)
		if !strings.Contains(s.stdout, "::add-mask::"+secret) {
			t.Errorf("the secret is not masked:\n%s", s.stdout)
		}
		// Plain HTTP warns TLS-01, and nothing else is annotated.
		if n := strings.Count(s.stdout, "\n::warning "); n != 1 || strings.Contains(s.stdout, "::error") {
			t.Errorf("want one warning and no error annotation:\n%s", s.stdout)
		}
		if !strings.Contains(s.stdout, "\n::warning title=TLS-01 ") {
			t.Errorf("no TLS-01 warning:\n%s", s.stdout)
		}
	})

	t.Run("a partial run is not called conformant", func(t *testing.T) {
		s := runAction(t, bin, map[string]string{"url": good, "secret": secret}, quickChecks)
		if s.code != 0 {
			t.Fatalf("exit %d\n%s", s.code, s.stdout)
		}
		if !strings.Contains(s.summary, "### prismhook conformance: NO VERDICT") {
			t.Errorf("summary:\n%s", s.summary)
		}
		if s.outputs["conformant"] != "false" || s.outputs["exit-code"] != "0" {
			t.Errorf("outputs %v", s.outputs)
		}
	})

	t.Run("failing receiver fails the step", func(t *testing.T) {
		s := runAction(t, bin, map[string]string{"url": bad, "secret": secret, "profile": "core", "fail-on": "fail"}, coreChecks)
		if s.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout)
		}
		if !strings.Contains(s.summary, "NOT CONFORMANT") || !strings.Contains(s.summary, "SIG-03") {
			t.Errorf("summary:\n%s", s.summary)
		}
		if s.outputs["conformant"] != "false" || s.outputs["exit-code"] != "1" {
			t.Errorf("outputs %v", s.outputs)
		}
		if n := strings.Count(s.stdout, "\n::error title=SIG-03 A delivery without X-Prism-Signature gets 4xx::SIG-03 FAIL: "); n != 1 {
			t.Errorf("want one SIG-03 error annotation, got %d:\n%s", n, s.stdout)
		}
		s.mustHaveReports(t)
	})

	t.Run("fail-on never keeps the step green", func(t *testing.T) {
		s := runAction(t, bin, map[string]string{"url": bad, "secret": secret, "fail-on": "never"}, quickChecks)
		if s.code != 0 {
			t.Fatalf("exit %d, want 0\n%s", s.code, s.stdout)
		}
		if s.outputs["conformant"] != "false" || s.outputs["exit-code"] != "1" {
			t.Errorf("outputs %v", s.outputs)
		}
		if !strings.Contains(s.stdout, "::error title=SIG-03") {
			t.Errorf("annotations missing:\n%s", s.stdout)
		}
	})

	t.Run("unreachable receiver fails whatever fail-on says", func(t *testing.T) {
		s := runAction(t, bin, map[string]string{"url": "http://127.0.0.1:1/webhooks/prism", "secret": secret, "fail-on": "never"}, quickChecks)
		if s.code != 2 {
			t.Fatalf("exit %d, want 2\n%s", s.code, s.stdout)
		}
		if !strings.Contains(s.summary, "prismhook check did not run (exit 2)") {
			t.Errorf("summary:\n%s", s.summary)
		}
		if s.outputs["exit-code"] != "2" || s.outputs["conformant"] != "false" {
			t.Errorf("outputs %v", s.outputs)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for name, inputs := range map[string]map[string]string{
			"fail-on":      {"url": good, "secret": secret, "fail-on": "sometimes"},
			"expect-fetch": {"url": good, "secret": secret, "expect-fetch": "yes"},
			"no url":       {"secret": secret},
			"no secret":    {"url": good},
		} {
			s := runAction(t, bin, inputs, quickChecks)
			if s.code != 2 || !strings.Contains(s.stdout, "::error title=prismhook::") || !strings.Contains(s.summary, "prismhook did not run") {
				t.Errorf("%s: exit %d\n%s\nsummary: %s", name, s.code, s.stdout, s.summary)
			}
		}
	})
}
