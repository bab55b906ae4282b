// Command bare is the baseline for the mock API's throughput: a plain
// net/http server, with no routing framework, validation, authentication or
// storage, that answers GET /v1/webhooks and POST /v1/webhooks with fixed
// bytes. compare.sh captures those bytes from a real `prismhook serve` run, so
// both servers write responses of the same size and the difference measured is
// the mock's own work.
//
// Usage:
//
//	bare -addr 127.0.0.1:PORT -list list.json -created created.json
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/prismhook/prismhook/internal/bench/benchserve"
)

func main() {
	addr := flag.String("addr", "", "listen address, e.g. 127.0.0.1:4011 (required)")
	listFile := flag.String("list", "", "body of the GET /v1/webhooks answer (required)")
	createdFile := flag.String("created", "", "body of the POST /v1/webhooks 201 answer (required)")
	flag.Parse()
	if err := run(*addr, *listFile, *createdFile); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(addr, listFile, createdFile string) error {
	if addr == "" || listFile == "" || createdFile == "" {
		return errors.New("-addr, -list and -created are required")
	}
	list, err := os.ReadFile(listFile)
	if err != nil {
		return err
	}
	created, err := os.ReadFile(createdFile)
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/webhooks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(list)
	})
	mux.HandleFunc("POST /v1/webhooks", func(w http.ResponseWriter, r *http.Request) {
		// Read the request like the mock must, so keep-alive works the same.
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(created)
	})
	return benchserve.Serve("bare", addr, mux)
}
