package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/prismhook/prismhook/fixtures"
	"github.com/prismhook/prismhook/internal/endpoint"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/webhook"
)

// Default parallelism of `send`: a burst the size of check's TIME-03, and a
// load generator with as many connections as the mock's delivery workers.
const (
	defaultBurst       = 50
	defaultLoadWorkers = 32
)

// events are the event types send has example payloads for.
var events = []string{webhook.EventCompleted, webhook.EventFailed}

type sendFlags struct {
	url, secret string
	dataFile    string
	fault       string
	caFile      string
	count       int
	concurrency int
	timeout     time.Duration
	expect      string
}

func newSendCmd() *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send EVENT --url URL --secret SECRET [flags]",
		Short: "Send one signed event (optionally with a fault) to a receiver",
		Long: `Send delivers one event to URL exactly as Prism would: compact JSON, signed
with the secret, with the X-Prism-* headers, a 5 s timeout, no redirects.
EVENT is ` + strings.Join(events, " or ") + `; the body is the documentation's
example payload, or the contents of --body.

It prints the status, the latency and the start of the answer, and exits 0
when the answer is what --expect says (default 2xx) and 1 otherwise
(including no answer at all): --expect 4xx asserts that a fault is refused.

--fault sends a deliberately broken delivery instead:
` + faultList() + `
--count N turns send into a load generator: N deliveries over --concurrency
connections, reporting deliveries per second and latency percentiles.`,
		Example: `  prismhook send video.completed --url http://localhost:8080/webhooks/prism --secret whsec_...
  prismhook send video.failed --url $URL --secret $SECRET --fault wrong-secret --expect 4xx
  prismhook send video.completed --url $URL --secret $SECRET --count 10000 --concurrency 32`,
		Args:      eventArg,
		ValidArgs: events,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSend(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "receiver URL (env PRISMHOOK_URL)")
	fl.StringVar(&f.secret, "secret", "", "webhook secret (env "+secretEnv+")")
	fl.StringVar(&f.dataFile, "body", "", "send this `FILE` as the body (JSON is compacted first) instead of the example payload")
	fl.StringVar(&f.fault, "fault", "", "inject a fault (names above)")
	fl.StringVar(&f.caFile, "ca", "", "PEM CA bundle to verify an HTTPS receiver")
	fl.IntVar(&f.count, "count", 0, "send N deliveries and report throughput and latency")
	fl.IntVar(&f.concurrency, "concurrency", 0, fmt.Sprintf("deliveries in flight at once, with --count (default %d) or --fault burst (default %d)", defaultLoadWorkers, defaultBurst))
	fl.DurationVar(&f.timeout, "ack-timeout", wire.DefaultTimeout, "time allowed for each answer")
	fl.StringVar(&f.expect, "expect", "2xx", "the answer that counts as success: 2xx, 4xx, 5xx or a status such as 401")
	names := make([]string, len(wire.Faults))
	for i, f := range wire.Faults {
		names[i] = string(f.Name) + "\t" + f.Description
	}
	completeWith(cmd, "fault", names...)
	return cmd
}

// eventArg checks the EVENT argument, naming the valid ones when it is wrong.
func eventArg(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usage("send needs one EVENT argument: %s", strings.Join(events, " or "))
	}
	if !slices.Contains(events, args[0]) {
		return usage("unknown event %q: valid events are %s", args[0], strings.Join(events, ", "))
	}
	return nil
}

func faultList() string {
	var b strings.Builder
	for _, f := range wire.Faults {
		fmt.Fprintf(&b, "  %-20s %s\n", f.Name, f.Description)
	}
	return b.String()
}

func faultNames() string {
	names := make([]string, len(wire.Faults))
	for i, f := range wire.Faults {
		names[i] = string(f.Name)
	}
	return strings.Join(names, ", ")
}

func runSend(cmd *cobra.Command, event string, f sendFlags) error {
	if err := envFallback(cmd, map[string]string{"url": "PRISMHOOK_URL"}); err != nil {
		return err
	}
	if err := requireSecret(cmd, &f.secret); err != nil {
		return err
	}
	if err := checkURL("--url", f.url); err != nil {
		return err
	}
	fault, ok := wire.ParseFault(f.fault)
	if !ok {
		return usage("unknown fault %q: valid faults are %s", f.fault, faultNames())
	}
	_, pattern := fault.Pattern(1)
	switch {
	case f.count < 0 || f.concurrency < 0:
		return usage("--count and --concurrency must not be negative")
	case f.count > 0 && pattern:
		return usage("--count cannot be combined with --fault %s", fault)
	case f.concurrency > 0 && f.count == 0 && fault != wire.FaultBurst:
		return usage("--concurrency needs --count or --fault burst")
	case f.timeout <= 0:
		return usage("--ack-timeout must be positive")
	}
	want, err := parseExpect(f.expect)
	if err != nil {
		return err
	}
	body, err := sendBody(event, f.dataFile)
	if err != nil {
		return err
	}
	opts := wire.SenderOptions{Timeout: f.timeout}
	if f.caFile != "" {
		if opts.TLSConfig, err = caConfig(f.caFile); err != nil {
			return err
		}
	}
	s := &sendRun{
		sender: wire.NewSender(opts),
		msg:    wire.Message{URL: f.url, Secret: f.secret, EventType: event, Body: body, Fault: fault},
		out:    cmd.OutOrStdout(),
		want:   want,
	}
	ctx := cmd.Context()
	switch {
	case f.count > 0:
		return s.load(ctx, f.count, orDefault(f.concurrency, defaultLoadWorkers))
	case fault == wire.FaultDuplicate:
		// The same delivery twice: same id, same bytes, same signature.
		return s.report(s.sender.Repeat(ctx, wire.Duplicate(2), s.msg))
	case fault == wire.FaultBurst:
		return s.report(s.sender.Repeat(ctx, wire.Burst(orDefault(f.concurrency, defaultBurst)), s.msg))
	default:
		return s.report(s.sender.Repeat(ctx, wire.Once, s.msg))
	}
}

// sendBody is the example payload for event, or the --body file; JSON is
// compacted because that is the form Prism sends (faults derive the other
// forms from it).
func sendBody(event, file string) ([]byte, error) {
	if file == "" {
		return fixtures.CompactEvent(event)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usage("--body: %v", err)
	}
	var compact bytes.Buffer
	if json.Compact(&compact, b) == nil {
		return compact.Bytes(), nil
	}
	return b, nil
}

// checkURL accepts absolute http and https URLs only.
func checkURL(flag, raw string) error {
	if raw == "" {
		return usage("%s is required", flag)
	}
	if _, err := endpoint.ParseHTTP(raw); err != nil {
		return usage("%s %q: %v", flag, wire.RedactURL(raw), err)
	}
	return nil
}

// caConfig trusts the PEM certificates of file (in place of the system's).
func caConfig(file string) (*tls.Config, error) {
	pool, err := endpoint.LoadCA(file)
	if err != nil {
		return nil, usage("--ca: %v", err)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// sendRun sends one message, possibly many times, through the one sender.
type sendRun struct {
	sender *wire.Sender
	msg    wire.Message
	out    io.Writer
	want   expectation
}

// report prints one line per exchange and fails unless every answer was
// the expected one.
func (s *sendRun) report(xs []wire.Exchange) error {
	bad := 0
	var last wire.Exchange
	for _, x := range xs {
		fmt.Fprintln(s.out, exchangeLine(x))
		if !s.want.matches(x) {
			bad++
			last = x
		}
	}
	switch {
	case bad == 0:
		return nil
	case len(xs) == 1:
		return failed("%s", outcome(last))
	default:
		return failed("%d of %d deliveries failed (last: %s)", bad, len(xs), outcome(last))
	}
}

// exchangeLine is "<status> <latency> <delivery id> [answer excerpt]". The
// excerpt is quoted: it is receiver-controlled text headed for a terminal.
func exchangeLine(x wire.Exchange) string {
	line := fmt.Sprintf("%s  %s  %s", outcome(x), formatLatency(x.Latency), x.DeliveryID)
	if x.ResponseExcerpt != "" {
		line += "  " + strconv.Quote(x.ResponseExcerpt)
	}
	return line
}

// outcome is the status line of an answer, or why there was none.
func outcome(x wire.Exchange) string {
	if x.Err != nil {
		return fmt.Sprintf("no answer (%s): %s", x.ErrKind, oneLine(x.Err.Error()))
	}
	return fmt.Sprintf("%d %s", x.Status, http.StatusText(x.Status))
}

func formatLatency(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
}
