package report

import (
	"strings"
	"testing"
)

func TestWriteGitHubAnnotations(t *testing.T) {
	r := &Report{Checks: []CheckResult{
		{ID: "SIG-01", Title: "Signed event gets 2xx", Outcome: Pass},
		{ID: "SIG-06", Title: "Malformed signatures get 4xx", Outcome: Fail, Reason: "empty signature: got 500"},
		{ID: "TLS-01", Title: "The endpoint is HTTPS", Outcome: Warn, Reason: "plain HTTP"},
		{ID: "SIG-03", Title: "Unsigned gets 4xx", Outcome: Fail, Reason: "got 202",
			Fix: &Fix{Why: "anyone could post", How: "compare the signature before acting", Reference: "webhook/signature.go"}},
		{ID: "TLS-02", Title: "TLS 1.2", Outcome: Skip, Reason: "plain HTTP"},
		{ID: "RETRY-01", Title: "Retries, eventually", Outcome: Error, Reason: "artifact server: bind: address in use"},
	}}
	var b strings.Builder
	if err := WriteGitHubAnnotations(&b, r); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"::error title=SIG-06 Malformed signatures get 4xx::SIG-06 FAIL: empty signature: got 500%0AExpected: Malformed signatures get 4xx.",
		"::warning title=TLS-01 The endpoint is HTTPS::TLS-01 WARN: plain HTTP%0AExpected: The endpoint is HTTPS.",
		"::error title=SIG-03 Unsigned gets 4xx::SIG-03 FAIL: got 202%0AHow to fix: compare the signature before acting",
		"::error title=RETRY-01 Retries%2C eventually::RETRY-01 ERROR: artifact server: bind: address in use%0AThe harness could not run this check; the receiver is not at fault.",
	}
	if got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A reason is partly the receiver's text: it must not be able to end the
// command's line and start a workflow command of its own, nor break out of
// the title property.
func TestGitHubAnnotationsEscapeHostileText(t *testing.T) {
	r := &Report{Checks: []CheckResult{{
		ID: "ROB-02", Title: "title, with: colon", Outcome: Fail,
		Reason: "got 400: \"bad\"\n::add-mask::x\r\n::set-env name=A::b %0A 100% \x1b[31m",
	}}}
	var b strings.Builder
	if err := WriteGitHubAnnotations(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want exactly one line, got %q", out)
	}
	if !strings.HasPrefix(out, "::error title=ROB-02 title%2C with%3A colon::") {
		t.Errorf("title not escaped: %q", out)
	}
	for _, bad := range []string{"\r", "\x1b", " %0A 100% "} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q: %q", bad, out)
		}
	}
	if !strings.Contains(out, "%250A 100%25") || !strings.Contains(out, "%0A::add-mask::x%0A::set-env") {
		t.Errorf("message not escaped as the toolkit does: %q", out)
	}
}

func TestGitHubAnnotationsNilReport(t *testing.T) {
	if err := WriteGitHubAnnotations(&strings.Builder{}, nil); err == nil {
		t.Fatal("nil report accepted")
	}
}
