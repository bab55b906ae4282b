package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// hostileStrings are what a hostile or broken receiver could make a report
// contain: markup, XML terminators, control bytes, terminal escapes,
// Markdown structure, invalid UTF-8.
var hostileStrings = []string{
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"]]><![CDATA[<b>x</b>]]>",
	"nul\x00 soh\x01 bs\x08 vt\x0b ff\x0c us\x1f del\x7f",
	"\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b[2J\x1b[H",
	"```\n</details>\n## heading\n```",
	"``````` seven backticks",
	"a | b | c\n| d | e | f |",
	"line1\nline2\r\nline3\rline4",
	"</details><details open><summary>x",
	"\u009b31m C1 CSI \u202e reversed",
	"\xff\xfe\xc3 invalid UTF-8",
	"&lt;already&gt; &amp; <!-- comment -->",
	"' onmouseover='alert(1)' x='",
	`\| \\| \`,
	"</style><style>body{display:none}</style>",
	"</title></svg><svg onload=alert(1)>",
	"\ufffe\uffff noncharacters",
}

// outcomeCycle gives every outcome several times over 23 checks.
var outcomeCycle = []Outcome{Pass, Fail, Warn, Skip, Error}

// reportFrom builds a report of the given checks of the catalogue (by
// index; nil for all of them) in which every text a
// receiver or a run could influence comes from s: slot numbers tell the
// fields apart, so that callers can feed hostile, fuzzed or placeholder
// strings. IDs stay those of the catalogue (the TIME checks get charts);
// statuses and latencies are fixed.
func reportFrom(checks []int, s func(slot int) string) *Report {
	slot := 0
	next := func() string { slot++; return s(slot - 1) }
	r := &Report{
		Schema: Schema, Tool: "prismhook", Version: next(), Target: next(),
		Profile: ProfileRecommended, StartedAt: sampleStart, DurationMS: 1234,
		Summary: Summary{Conformant: Verdicts(map[string]bool{ProfileCore: true, ProfileRecommended: false})},
	}
	r.Notes = []string{next()}
	if checks == nil {
		for i := range sampleCatalog {
			checks = append(checks, i)
		}
	}
	for i, k := range checks {
		e := sampleCatalog[k]
		c := CheckResult{
			ID: e.id, Level: e.level, Title: next(), Doc: next(), Reason: next(),
			Outcome: outcomeCycle[i%len(outcomeCycle)], DurationMS: int64(10 * i),
		}
		if i%7 == 3 {
			c.Level = next()
		}
		c.Fix = &Fix{Why: next(), How: next(), Reference: next()}
		for j := range 2 {
			at := sampleStart.Add(time.Duration(i*100+j) * time.Millisecond)
			c.Evidence = append(c.Evidence, Evidence{
				Kind: KindDelivery, Label: next(), At: at, DeliveryID: next(), Fault: next(),
				Method: "POST", URL: next(),
				RequestHeader: map[string]string{"Content-Type": next(), "X-" + next(): next()},
				BodyBytes:     100 + j, BodyExcerpt: next(),
				Status: []int{200, 401, 500, 0}[(i+j)%4], LatencyMS: float64(1 + (i*37+j*11)%900),
				Error: next(), Response: next(),
			})
		}
		c.Evidence = append(c.Evidence, Evidence{Kind: KindArtifactFetch, Label: next(), At: sampleStart, Method: "GET", Path: next(), ServedStatus: 503})
		r.Checks = append(r.Checks, c)
	}
	r.Count()
	return r
}

// hostileReport fills every slot with hostile strings, in turn.
func hostileReport() *Report {
	return reportFrom(nil, func(i int) string { return hostileStrings[i%len(hostileStrings)] })
}

// placeholder keeps a string's emptiness, and nothing else of it.
func placeholder(s string) string {
	if s == "" {
		return ""
	}
	return "x"
}

// htmlStructure is the sequence of tags of a page, each with its attribute
// names but not their values: two renderings with the same structure
// differ only in escaped text. html/template escapes every "<", ">" and
// quote of the data, so the first ">" after "<" ends a tag and quoted
// values hold no quote.
func htmlStructure(page string) []string {
	var out []string
	for {
		i := strings.IndexByte(page, '<')
		if i < 0 || i+1 >= len(page) {
			return out
		}
		page = page[i+1:]
		if c := page[0]; !(c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			continue
		}
		end := strings.IndexByte(page, '>')
		if end < 0 {
			return append(out, "unterminated tag")
		}
		var tag strings.Builder
		quote := byte(0)
		for j := 0; j < end; j++ {
			switch c := page[j]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			default:
				tag.WriteByte(c)
			}
		}
		out = append(out, strings.Join(strings.Fields(tag.String()), " "))
		page = page[end:]
	}
}

// checkHTMLSafe asserts that the page of r, whose strings come from s, has
// exactly the structure of the page of the same report with placeholders:
// nothing in the data became a tag or an attribute.
func checkHTMLSafe(t *testing.T, checks []int, s func(int) string) {
	t.Helper()
	var page, ref bytes.Buffer
	if err := WriteHTML(&page, reportFrom(checks, s)); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&ref, reportFrom(checks, func(i int) string { return placeholder(s(i)) })); err != nil {
		t.Fatal(err)
	}
	got, want := htmlStructure(page.String()), htmlStructure(ref.String())
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("data changed the page structure at tag %d: %q, want %q", i, got[i], want[i])
			}
		}
		t.Fatalf("data changed the number of tags: %d, want %d", len(got), len(want))
	}
	lower := strings.ToLower(page.String())
	for _, bad := range []string{"<script", "<img", "<svg onload", "<style>body"} {
		if strings.Contains(lower, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if strings.ContainsAny(page.String(), "\x00\x1b") {
		t.Error("page contains NUL or ESC")
	}
}

func TestHostileHTML(t *testing.T) {
	checkHTMLSafe(t, nil, func(i int) string { return hostileStrings[i%len(hostileStrings)] })
	// Every hostile string lands, escaped, in the page.
	var page bytes.Buffer
	if err := WriteHTML(&page, hostileReport()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`, `\x1b[31mred`, `\u202e reversed`} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
}

func TestHostileJUnit(t *testing.T) {
	r := hostileReport()
	doc := checkJUnit(t, r)
	// The data is there, made visible, not dropped.
	cases := doc.Suites[0].Cases
	if r.Checks[1].Outcome != Fail || !strings.HasPrefix(cases[1].Failure.Text, clean(r.Checks[1].Reason, true)) {
		t.Errorf("failure text does not start with the reason: %q", cases[1].Failure.Text)
	}
	var out strings.Builder
	for _, c := range cases {
		out.WriteString(c.SystemOut)
	}
	for _, want := range []string{"<script>alert(1)</script>", `\x1b[31mred`, "]]><![CDATA[", `nul\x00 soh\x01`, `\xff\xfe\xc3 invalid`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("system-out lacks %q", want)
		}
	}
	if strings.ContainsAny(out.String(), "\x1b\x00") {
		t.Error("system-out carries ESC or NUL")
	}
}

func TestHostileMarkdown(t *testing.T) {
	md := checkMarkdown(t, hostileReport())
	if !strings.Contains(md, "&lt;script&gt;") || !strings.Contains(md, `a \| b \| c<br>\| d`) {
		t.Error("hostile text not escaped as expected in cells")
	}
	if !strings.Contains(md, "````````text\n") {
		t.Error("want an eight-backtick fence around evidence with a seven-backtick run")
	}
}

func TestHostileTerminal(t *testing.T) {
	for _, color := range []bool{false, true} {
		t.Run(fmt.Sprint("color=", color), func(t *testing.T) {
			r := hostileReport()
			r.Target, r.Checks[0].Title, r.Checks[1].Reason = hostileStrings[4], hostileStrings[4], hostileStrings[4]
			out := checkTerminal(t, r, color)
			for _, c := range r.Checks {
				if !strings.Contains(out, line(c.Title)) {
					t.Errorf("title %q not shown in visible form", line(c.Title))
				}
			}
			if strings.Count(out, `\x1b[31mred`) < 3 {
				t.Error("escape sequence in target, title and reason not shown in visible form")
			}
		})
	}
}
