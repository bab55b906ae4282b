// Package inspector is the page `prismhook serve` shows at its root URL:
// the webhooks, the generations and the delivery log, updated live over
// server-sent events, with every attempt of a delivery (what was sent and
// what the receiver answered) and the actions of the control API:
// redeliver, send a test event, force the next outcome, run the
// conformance check.
//
// The page is rendered on the server with html/template; a small embedded
// script swaps in fragments the server renders when an event says
// something changed. Nothing is loaded from elsewhere, and a strict
// Content-Security-Policy allows only the page's own script and style:
// text a receiver controls (headers, bodies, reasons) is escaped and inert.
package inspector

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// Prefix is the path under which the page's parts are served.
const Prefix = "/_inspector/"

// maxDeliveries is how many deliveries, newest first, the page lists.
const maxDeliveries = 200

// csp allows the page its own script, style and connections only.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// reportCSP is the policy of an HTML check report shown in the page's
// frame: the report's own inline style, nothing else, sandboxed.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"

//go:embed assets
var assets embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ts":     timestamp,
	"event":  func(s string) string { return strings.TrimPrefix(s, "video.") },
	"clock":  func(t time.Time) string { return t.UTC().Format("15:04:05Z") },
	"ms":     func(v float64) string { return fmt.Sprintf("%.1f ms", v) },
	"short":  func(s string) string { return shortText(s, 80) },
	"status": statusClass,
}).ParseFS(assets, "assets/*.tmpl"))

// Filter says whose objects a request may see: one API key owner, or all
// of them (open mode without a token filter).
type Filter struct {
	Owner string
	All   bool
}

// Allows reports whether an object of owner is visible.
func (f Filter) Allows(owner string) bool { return f.All || owner == f.Owner }

// Webhook is a registered webhook as the page lists it.
type Webhook struct {
	ID        string
	URL       string // credentials already hidden
	Events    []string
	Owner     string
	CreatedAt time.Time
	Forward   bool // the webhook of serve --forward-to
}

// Generation is a simulated generation as the page lists it.
type Generation struct {
	ID, Status, Prompt, Provider, Owner string
	CreatedAt, UpdatedAt                time.Time
}

// Forward is the webhook `serve --forward-to` registered.
type Forward struct {
	WebhookID, URL, Secret string
	Owner                  string
}

// CheckRun is a conformance check started from the page or the control
// API, as both show it.
type CheckRun struct {
	ID        string    `json:"id"`
	WebhookID string    `json:"webhook_id"`
	URL       string    `json:"url"`
	Profile   string    `json:"profile"`
	Status    string    `json:"status"` // running, done, error
	Done      int       `json:"done"`
	Total     int       `json:"total"`
	Verdict   string    `json:"verdict,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Error     string    `json:"error,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Owner     string    `json:"-"`
}

// Source is what the page shows, from the mock's store and engine.
type Source interface {
	Webhooks(f Filter) []Webhook
	Generations(f Filter) []Generation
	// Deliveries lists at most limit deliveries, newest first.
	Deliveries(f Filter, limit int) []delivery.Delivery
	Delivery(f Filter, id string) (delivery.Delivery, bool)
	// Check returns a run and, once done, its HTML report.
	Check(id string) (CheckRun, []byte, bool)
	Checks(f Filter) []CheckRun
	Forward() *Forward
}

// Options configures the page.
type Options struct {
	Source Source
	Hub    *Hub
	// Keys is true when serve has API keys: the page then asks for one
	// and shows only its objects. Without keys a token is an optional
	// filter.
	Keys bool
	// Owner maps a token to its owner; false for a token that is not a
	// key (with Keys).
	Owner func(token string) (string, bool)
	// ReadOnly hides the actions: the control API they call is turned
	// off (serve --no-control-api).
	ReadOnly bool
	Checks   bool     // a check runner is available
	Faults   []string // the fault names test events may carry
	Version  string
	Logger   *slog.Logger
}

// Handler serves the page at "/" and its parts under Prefix.
type Handler struct {
	o Options
}

// New returns the page's handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{o: o}
}

// ServeHTTP answers "/" and the paths under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case p == "/":
		h.page(w, r)
	case p == Prefix+"app.js":
		h.asset(w, "assets/app.js", "text/javascript; charset=utf-8")
	case p == Prefix+"app.css":
		h.asset(w, "assets/app.css", "text/css; charset=utf-8")
	case p == Prefix+"events":
		h.events(w, r)
	case strings.HasPrefix(p, Prefix+"checks/") && strings.HasSuffix(p, "/report"):
		h.report(w, strings.TrimSuffix(strings.TrimPrefix(p, Prefix+"checks/"), "/report"))
	default:
		h.fragment(w, r, strings.TrimPrefix(p, Prefix))
	}
}

func (h *Handler) asset(w http.ResponseWriter, name, ctype string) {
	b, err := assets.ReadFile(name)
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// scope is the filter of a request: its bearer token is required with
// keys and an optional filter without.
func (h *Handler) scope(r *http.Request) (Filter, bool) {
	token := bearer(r.Header.Get("Authorization"))
	if token == "" {
		return Filter{All: !h.o.Keys}, !h.o.Keys
	}
	owner, ok := h.o.Owner(token)
	if !ok {
		return Filter{}, false
	}
	return Filter{Owner: owner}, true
}

func bearer(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// pageData is what the page template renders.
type pageData struct {
	Version  string
	Keys     bool
	ReadOnly bool
	Checks   bool
	Faults   []string
	Lists    listsData
}

type listsData struct {
	Filter      Filter
	Forward     *Forward
	Webhooks    []Webhook
	Generations []Generation
	Deliveries  []deliveryRow
	CheckRuns   []CheckRun
	ReadOnly    bool
	Checks      bool
	Faults      []string
}

func (h *Handler) lists(f Filter) listsData {
	d := listsData{Filter: f, ReadOnly: h.o.ReadOnly, Checks: h.o.Checks, Faults: h.o.Faults}
	if !f.All && f.Owner == "" {
		return d // keys mode before a key was given
	}
	if fw := h.o.Source.Forward(); fw != nil && f.Allows(fw.Owner) {
		d.Forward = fw
	}
	d.Webhooks = h.o.Source.Webhooks(f)
	d.Generations = h.o.Source.Generations(f)
	for _, dl := range h.o.Source.Deliveries(f, maxDeliveries) {
		d.Deliveries = append(d.Deliveries, newRow(dl))
	}
	d.CheckRuns = h.o.Source.Checks(f)
	return d
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w)
	h.render(w, "page", pageData{
		Version:  h.o.Version,
		Keys:     h.o.Keys,
		ReadOnly: h.o.ReadOnly,
		Checks:   h.o.Checks,
		Faults:   h.o.Faults,
		Lists:    h.lists(Filter{All: !h.o.Keys}),
	})
}

func setPageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
}

// fragment answers the parts the script swaps in: "lists" (webhooks,
// generations, deliveries, checks), "deliveries/ID", "checks/ID".
func (h *Handler) fragment(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := h.scope(r)
	if !ok {
		http.Error(w, "an API key is required", http.StatusUnauthorized)
		return
	}
	setPageHeaders(w)
	switch {
	case name == "lists":
		h.render(w, "lists", h.lists(f))
	case strings.HasPrefix(name, "deliveries/"):
		d, ok := h.o.Source.Delivery(f, strings.TrimPrefix(name, "deliveries/"))
		if !ok {
			http.Error(w, "no such delivery", http.StatusNotFound)
			return
		}
		v := newDetail(d)
		v.ReadOnly = h.o.ReadOnly
		h.render(w, "delivery", v)
	case strings.HasPrefix(name, "checks/"):
		run, _, ok := h.o.Source.Check(strings.TrimPrefix(name, "checks/"))
		if !ok || !f.Allows(run.Owner) {
			http.Error(w, "no such check run", http.StatusNotFound)
			return
		}
		h.render(w, "check", run)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

// report serves a finished run's HTML report. The run's id, random and
// shown only to its owner, is what grants access: a frame cannot send the
// key.
func (h *Handler) report(w http.ResponseWriter, id string) {
	_, html, ok := h.o.Source.Check(id)
	if !ok || html == nil {
		http.Error(w, "no such report", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Security-Policy", reportCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(html)
}

func (h *Handler) render(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		h.o.Logger.Error("inspector: rendering", "template", name, "err", err)
		http.Error(w, "rendering failed", http.StatusInternalServerError)
		return
	}
	w.Write(buf.Bytes())
}

// deliveryRow is a delivery as the log lists it.
type deliveryRow struct {
	delivery.Delivery
	Last *delivery.Attempt
}

func newRow(d delivery.Delivery) deliveryRow {
	r := deliveryRow{Delivery: d}
	if n := len(d.Attempts); n > 0 {
		r.Last = &d.Attempts[n-1]
	}
	return r
}

// header is one header line.
type header struct{ Name, Value string }

// attemptView is an attempt as the detail shows it.
type attemptView struct {
	delivery.Attempt
	Signature      string
	RequestHeader  []header
	BodyPretty     string
	ResponseHeader []header
	Truncated      bool
}

type detailView struct {
	delivery.Delivery
	Attempts []attemptView
	ReadOnly bool
}

func newDetail(d delivery.Delivery) detailView {
	v := detailView{Delivery: d}
	for i := len(d.Attempts) - 1; i >= 0; i-- { // newest first
		a := d.Attempts[i]
		av := attemptView{Attempt: a, RequestHeader: headers(a.RequestHeaders), ResponseHeader: headers(a.ResponseHeaders)}
		for _, hd := range av.RequestHeader {
			if strings.EqualFold(hd.Name, "X-Prism-Signature") {
				av.Signature = hd.Value
			}
		}
		av.Truncated = a.RequestBodySize > len(a.RequestBody)
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(a.RequestBody), "", "  ") == nil {
			av.BodyPretty = pretty.String()
		} else {
			av.BodyPretty = a.RequestBody
		}
		v.Attempts = append(v.Attempts, av)
	}
	return v
}

func headers(h http.Header) []header {
	var out []header
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, header{k, v})
		}
	}
	slices.SortStableFunc(out, func(a, b header) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

func timestamp(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04:05Z")
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04:05Z")
	}
	return ""
}

func shortText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func statusClass(code int) string {
	switch {
	case code == 0:
		return "err"
	case code >= 200 && code < 300:
		return "ok"
	case code >= 300 && code < 500:
		return "warn"
	}
	return "err"
}
