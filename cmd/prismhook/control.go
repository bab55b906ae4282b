package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/prismhook/prismhook/internal/endpoint"
)

// controlTimeout bounds one control API call: a redelivery or a test event
// waits for the receiver (5 s per attempt), a burst for several.
const controlTimeout = time.Minute

// controlFlags are the flags of the commands that drive a running serve.
type controlFlags struct {
	server, apiKey string
}

func (f *controlFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", "http://127.0.0.1:4010", "base URL of the running prismhook serve (env PRISMHOOK_SERVER)")
	cmd.Flags().StringVar(&f.apiKey, "api-key", "", "API key, when serve has --api-key (env PRISM_API_KEY)")
}

func (f *controlFlags) env(cmd *cobra.Command) error {
	return envFallback(cmd, map[string]string{"server": "PRISMHOOK_SERVER", "api-key": "PRISM_API_KEY"})
}

// call posts body (nil: none) to the control API path and decodes the
// answer into out; an error answer becomes its message.
func (f *controlFlags) call(ctx context.Context, method, path string, body, out any) error {
	base, err := endpoint.ParseHTTP(strings.TrimSuffix(f.server, "/"))
	if err != nil {
		return usage("--server %q: want the http(s) base URL of prismhook serve", f.server)
	}
	ctx, cancel := context.WithTimeout(ctx, controlTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, rd)
	if err != nil {
		return usage("%v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if f.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+f.apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return usage("cannot reach prismhook serve at %s: %v", f.server, oneLine(err.Error()))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return usage("reading the answer of %s: %v", f.server, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			return usage("%s", oneLine(e.Error.Message))
		}
		return usage("%s answered %s", f.server, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return usage("%s did not answer with JSON: is it prismhook serve?", f.server)
	}
	return nil
}

// attemptLine is one attempt as the commands print it.
func attemptLine(id string, status int, latencyMS float64, errText string) string {
	if status == 0 {
		return fmt.Sprintf("%s: no answer (%s)", id, oneLine(errText))
	}
	return fmt.Sprintf("%s: %d %s in %.1f ms", id, status, http.StatusText(status), latencyMS)
}

func newRedeliverCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "redeliver DELIVERY_ID [--server URL]",
		Short: "Send a delivery of a running serve's log again now",
		Long: `Redeliver asks a running "prismhook serve" to send one of its deliveries again
now: the same bytes, signature and delivery id, recorded in the delivery log
as a manual attempt. It prints the receiver's answer and exits 0 when it was
a 2xx, 1 otherwise.`,
		Example: `  prismhook redeliver dlv_7d1e0c4b9a8f6e5d4c3b2a19 --server http://127.0.0.1:4010`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.env(cmd); err != nil {
				return err
			}
			var d struct {
				Attempts []struct {
					Status    int     `json:"status"`
					LatencyMS float64 `json:"latency_ms"`
					Error     string  `json:"error"`
				} `json:"attempts"`
			}
			if err := f.call(cmd.Context(), http.MethodPost, "/_mock/deliveries/"+url.PathEscape(args[0])+"/redeliver", nil, &d); err != nil {
				return err
			}
			if len(d.Attempts) == 0 {
				return usage("the answer holds no attempt")
			}
			a := d.Attempts[len(d.Attempts)-1]
			fmt.Fprintln(cmd.OutOrStdout(), attemptLine(args[0], a.Status, a.LatencyMS, a.Error))
			if a.Status < 200 || a.Status >= 300 {
				return silent(exitFailed)
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newEmitCmd() *cobra.Command {
	var (
		f                    controlFlags
		webhookID, ev, fault string
	)
	cmd := &cobra.Command{
		Use:   "emit --webhook ID [--event TYPE] [--fault FAULT] [--server URL]",
		Short: "Send a test event to a webhook of a running serve",
		Long: `Emit asks a running "prismhook serve" to send a test event to one of its
webhooks now, optionally with a fault (see "prismhook send --help" for the
list). --event unknown sends an event type the receiver does not know. The
send is in the delivery log as a test delivery. It prints the receiver's
answer to each send and exits 0 when all were 2xx, 1 otherwise.`,
		Example: `  prismhook emit --webhook wh_4f9c2a7e1b3d5f8091a2b3c4 --fault wrong-secret`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.env(cmd); err != nil {
				return err
			}
			if webhookID == "" {
				return usage("--webhook is required")
			}
			req := map[string]any{"webhook_id": webhookID, "event": ev}
			if fault != "" {
				req["fault"] = fault
			}
			if ev == "unknown" {
				if fault != "" && fault != "unknown-event" {
					return usage("--event unknown is the unknown-event fault; it cannot go with --fault %s", fault)
				}
				req["event"], req["fault"] = "video.completed", "unknown-event"
			}
			var out struct {
				Exchanges []struct {
					DeliveryID string  `json:"delivery_id"`
					Status     int     `json:"status"`
					LatencyMS  float64 `json:"latency_ms"`
					Error      string  `json:"error"`
					OK         bool    `json:"ok"`
				} `json:"exchanges"`
			}
			if err := f.call(cmd.Context(), http.MethodPost, "/_mock/emit", req, &out); err != nil {
				return err
			}
			ok := true
			for _, x := range out.Exchanges {
				fmt.Fprintln(cmd.OutOrStdout(), attemptLine(x.DeliveryID, x.Status, x.LatencyMS, x.Error))
				ok = ok && x.OK
			}
			if !ok {
				return silent(exitFailed)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&webhookID, "webhook", "", "id of the webhook (wh_…)")
	cmd.Flags().StringVar(&ev, "event", "video.completed", "video.completed, video.failed or unknown")
	cmd.Flags().StringVar(&fault, "fault", "", "fault to inject (default none)")
	completeWith(cmd, "event", "video.completed", "video.failed", "unknown")
	return cmd
}

func newOutcomeCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "outcome completed|failed [--server URL]",
		Short: "Force the outcome of a running serve's next generation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.env(cmd); err != nil {
				return err
			}
			if args[0] != "completed" && args[0] != "failed" {
				return usage("outcome %q: want completed or failed", args[0])
			}
			if err := f.call(cmd.Context(), http.MethodPost, "/_mock/outcome", map[string]string{"outcome": args[0]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "the next generation will end %s\n", args[0])
			return nil
		},
	}
	f.add(cmd)
	return cmd
}
