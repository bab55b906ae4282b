// Command receiver is a small Prism webhook receiver built on the webhook
// package: it verifies each delivery, answers at once and processes events
// in the background.
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/prismhook/prismhook/webhook"
)

func main() {
	events := make(chan *webhook.Event, 1000) // room for a burst
	go process(events)
	http.Handle("/webhooks/prism", newHandler(os.Getenv("PRISM_WEBHOOK_SECRET"), events))
	log.Fatal(http.ListenAndServe("127.0.0.1:3000", nil))
}

// newHandler verifies each delivery (Middleware answers 4xx to bad ones)
// and queues its event without waiting for the processing.
func newHandler(secret string, events chan<- *webhook.Event) http.Handler {
	return webhook.Middleware(secret)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		select {
		case events <- d.Event: // processed in the background…
			w.WriteHeader(http.StatusAccepted) // …and answered at once
		default: // queue full: Prism retries later
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
}

func process(events <-chan *webhook.Event) {
	for ev := range events {
		// Download ev.Data.VideoURL, update your records, notify users…
		log.Printf("%s %s", ev.Event, ev.Data.ID)
	}
}
