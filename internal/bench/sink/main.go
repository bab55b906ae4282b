// Command sink is the trivial receiver of the sender comparison: it reads
// each POSTed body in full and answers 200, nothing else. `prismhook send` and
// plainclient both post to it in turn, so the difference between their rates
// is the sender's own cost.
//
// GET /count answers the number of POST requests received so far, so that
// compare.sh can check that every delivery a sender claims arrived.
//
// Usage:
//
//	sink -addr 127.0.0.1:PORT
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/prismhook/prismhook/internal/bench/benchserve"
)

func main() {
	addr := flag.String("addr", "", "listen address, e.g. 127.0.0.1:4012 (required)")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	if addr == "" {
		return errors.New("-addr is required")
	}
	var received atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		received.Add(1)
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strconv.FormatInt(received.Load(), 10)+"\n")
	})

	return benchserve.Serve("sink", addr, mux)
}
