package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prismhook/prismhook/internal/receiver"
	"github.com/spf13/cobra"
)

func newReceiverCmd() *cobra.Command {
	var addr, secret, defect string
	cmd := &cobra.Command{
		Use:   "receiver --secret SECRET [--addr ADDR]",
		Short: "Serve the example webhook receiver",
		Long: `Receiver serves prismhook's example receiver at ` + receiver.Path + `: a correct
Prism webhook receiver written with the webhook package. It verifies
signatures over the raw bytes, answers at once, fetches video_url in the
background with retries, and processes each event once. /healthz answers
200, so the image's HEALTHCHECK works when the address comes from
PRISMHOOK_ADDR. Use it to try "serve" and "check" end to end (compose.yaml does), or as
a model for your own receiver.

--defect NAME serves the same receiver with one deliberate flaw, to see the
check that catches it fail:
` + defectHelp(),
		Example: `  prismhook receiver --addr 127.0.0.1:8080 --secret whsec_example &
  prismhook check http://127.0.0.1:8080` + receiver.Path + ` --secret whsec_example
  prismhook receiver --addr 127.0.0.1:8081 --secret whsec_example --defect no-dedup &
  prismhook check http://127.0.0.1:8081` + receiver.Path + ` --secret whsec_example   # IDEM-02 fails`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := envFallback(cmd, map[string]string{"addr": "PRISMHOOK_ADDR"}); err != nil {
				return err
			}
			if err := requireSecret(cmd, &secret); err != nil {
				return err
			}
			d, err := receiver.ParseDefect(defect)
			if err != nil {
				return usage("--defect: %v", err)
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			return serveReceiver(cmd.Context(), addr, receiver.Options{Secret: secret, Defect: d, Logger: logger})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address (env PRISMHOOK_ADDR)")
	cmd.Flags().StringVar(&secret, "secret", "", "webhook secret (env "+secretEnv+")")
	cmd.Flags().StringVar(&defect, "defect", "", "serve with one deliberate flaw (`NAME` from the list above)")
	return cmd
}

// serveReceiver serves the receiver on addr until ctx ends.
func serveReceiver(ctx context.Context, addr string, o receiver.Options) error {
	h, err := receiver.NewHandler(o)
	if err != nil {
		return usage("%v", err)
	}
	defer h.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usage("%v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(receiver.Path, h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	o.Logger.Info("example receiver listening", "url", "http://"+reachableAddr(ln.Addr())+receiver.Path, "defect", string(o.Defect))

	select {
	case err := <-served:
		return usage("%v", err)
	case <-ctx.Done():
	}
	// The handler is closed first so that a defect holding a request back
	// lets go of it.
	h.Close()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return usage("%v", err)
	}
	return nil
}
