package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestWriteJUnit(t *testing.T) {
	r := sampleReport()
	doc := checkJUnit(t, r)
	s := doc.Suites[0]
	if s.Name != JUnitSuiteName {
		t.Errorf("suite name %q", s.Name)
	}
	// The sample: SIG-04 and SIG-05 fail, RETRY-01 errors, TLS-01 warns,
	// three checks skip.
	if s.Failures != 2 || s.Errors != 1 || s.Skipped != 4 {
		t.Errorf("failures=%d errors=%d skipped=%d, want 2/1/4", s.Failures, s.Errors, s.Skipped)
	}

	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	for name, want := range map[string]string{
		"target": sampleTarget, "profile": "recommended", "version": "v0.4.0", "tool": "prismhook",
		"conformant": "false", "conformant.core": "false", "conformant.recommended": "false", "conformant.production": "false",
	} {
		if props[name] != want {
			t.Errorf("property %s = %q, want %q", name, props[name], want)
		}
	}

	byID := map[string]int{}
	for i, c := range s.Cases {
		byID[strings.Fields(c.Name)[0]] = i
	}
	sig04 := s.Cases[byID["SIG-04"]]
	if sig04.Classname != "prismhook.MUST" || sig04.Name != "SIG-04 A signature made with a wrong secret gets 4xx" {
		t.Errorf("SIG-04 testcase classname=%q name=%q", sig04.Classname, sig04.Name)
	}
	for _, want := range []string{"got 200 OK, want 4xx", "Prism documentation: Always verify", `delivery "wrong secret" [fault wrong-secret] POST ` + sampleTarget + " → 200 OK in", "X-Prism-Signature: "} {
		if !strings.Contains(sig04.Failure.Text, want) {
			t.Errorf("SIG-04 failure text lacks %q:\n%s", want, sig04.Failure.Text)
		}
	}
	if want := fmt.Sprintf("%.3f", float64(r.Checks[3].DurationMS)/1000); sig04.Time != want {
		t.Errorf("SIG-04 time %q, want %q", sig04.Time, want)
	}
	if c := s.Cases[byID["TLS-02"]]; c.Classname != "prismhook.MUST_WHEN_HTTPS" {
		t.Errorf("TLS-02 classname %q", c.Classname)
	}
	if c := s.Cases[byID["TLS-01"]]; c.Skipped == nil || c.Skipped.Message != "warn: the endpoint uses plain HTTP" {
		t.Errorf("TLS-01 (warn) skipped element %+v", c.Skipped)
	}
	if c := s.Cases[byID["IDEM-02"]]; !strings.Contains(c.SystemOut, "artifact-fetch \"thumbnail\" GET /thumbnails/gen_0001.jpg → served 200 OK") {
		t.Errorf("IDEM-02 system-out lacks the artifact fetch:\n%s", c.SystemOut)
	}
}

func TestWriteJUnitHeaderAndTimestamp(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", out)
	}
	if !strings.Contains(out, `timestamp="2026-03-14T09:26:53"`) || !strings.Contains(out, `time="4.213"`) {
		t.Errorf("suite timestamp or time missing:\n%.600s", out)
	}
}

func TestWriteJUnitUnknownOutcomeIsError(t *testing.T) {
	r := &Report{Checks: []CheckResult{{ID: "X-1", Outcome: "maybe", Reason: "r"}}}
	doc := checkJUnitCounts(t, r)
	if doc.Errors != 1 || doc.Suites[0].Cases[0].Error == nil || !strings.Contains(doc.Suites[0].Cases[0].Error.Message, `unknown outcome "maybe"`) {
		t.Errorf("an unknown outcome must be reported as an error: %+v", doc)
	}
}

// checkJUnitCounts writes and parses JUnit without checkJUnit's outcome
// expectations.
func checkJUnitCounts(t *testing.T, r *Report) junitDoc {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	return parseJUnit(t, buf.Bytes())
}

// junitDoc is the part of JUnit XML that CI systems read.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// parseJUnit reads JUnit output strictly, token by token (which catches
// any character XML forbids) and into junitDoc.
func parseJUnit(t *testing.T, out []byte) junitDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("JUnit output is not well-formed XML: %v\n%.2000s", err, out)
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("JUnit output does not unmarshal: %v", err)
	}
	return doc
}

// checkJUnit asserts the counts and the one-testcase-per-check shape of
// JUnit for r, and that names and messages carry the cleaned text.
func checkJUnit(t *testing.T, r *Report) junitDoc {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, buf.Bytes())
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	if len(s.Cases) != len(r.Checks) || s.Tests != len(r.Checks) || doc.Tests != len(r.Checks) {
		t.Fatalf("%d testcases (tests=%d), want %d", len(s.Cases), s.Tests, len(r.Checks))
	}
	var fail, errs, skip int
	for i, c := range r.Checks {
		tc := s.Cases[i]
		if want := line(strings.TrimSpace(c.ID + " " + c.Title)); tc.Name != want {
			t.Errorf("testcase %d name %q, want %q", i, tc.Name, want)
		}
		switch c.Outcome {
		case Fail:
			fail++
			if tc.Failure == nil || tc.Failure.Message != line(c.Reason) {
				t.Errorf("%s: want <failure message=%q>, got %+v", c.ID, line(c.Reason), tc.Failure)
			}
		case Error:
			errs++
			if tc.Error == nil || tc.Error.Message != line(c.Reason) {
				t.Errorf("%s: want <error message=%q>, got %+v", c.ID, line(c.Reason), tc.Error)
			}
		case Skip, Warn:
			skip++
			want := line(c.Reason)
			if c.Outcome == Warn {
				want = "warn: " + want
			}
			if tc.Skipped == nil || tc.Skipped.Message != want {
				t.Errorf("%s: want <skipped message=%q>, got %+v", c.ID, want, tc.Skipped)
			}
		case Pass:
			if tc.Failure != nil || tc.Error != nil || tc.Skipped != nil {
				t.Errorf("%s passed but has a failure, error or skipped element", c.ID)
			}
		}
	}
	if s.Failures != fail || s.Errors != errs || s.Skipped != skip || doc.Failures != fail || doc.Errors != errs || doc.Skipped != skip {
		t.Errorf("counts failures=%d errors=%d skipped=%d (top %d/%d/%d), want %d/%d/%d",
			s.Failures, s.Errors, s.Skipped, doc.Failures, doc.Errors, doc.Skipped, fail, errs, skip)
	}
	return doc
}
