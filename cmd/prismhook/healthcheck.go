package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckTimeout bounds the whole probe, as a container runtime expects.
const healthcheckTimeout = 2 * time.Second

func newHealthcheckCmd() *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "healthcheck [--url URL]",
		Short: "Exit 0 if a running mock answers /healthz",
		Long: `Healthcheck asks a running "prismhook serve" for /healthz and exits 0 when it
answers 200 within 2 seconds, 1 otherwise. The container image uses it as
its HEALTHCHECK (a scratch image has no curl). Without --url it probes the
port of PRISMHOOK_ADDR, or 4010, on the loopback address.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				url = defaultHealthURL(os.Getenv("PRISMHOOK_ADDR"))
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), healthcheckTimeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return usage("--url: %v", err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return failed("unhealthy: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return failed("unhealthy: %s answered %s", url, resp.Status)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "healthy")
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "health URL (default http://127.0.0.1:4010/healthz)")
	return cmd
}

// defaultHealthURL probes the port serve listens on: PRISMHOOK_ADDR's port
// when it is set, so that an image run with another address stays healthy.
func defaultHealthURL(addr string) string {
	port := "4010"
	host := "127.0.0.1"
	if h, p, err := net.SplitHostPort(addr); err == nil && p != "" {
		port = p
		if h != "" && h != "0.0.0.0" && h != "::" {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
