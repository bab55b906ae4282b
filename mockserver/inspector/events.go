package inspector

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

var lineBreaks = strings.NewReplacer("\r", "", "\n", "")

func oneLine(s string) string { return lineBreaks.Replace(s) }

// heartbeat keeps an idle event stream (and proxies on its way) open.
const heartbeat = 20 * time.Second

// events streams changes as server-sent events: "event: KIND" and the
// object's id as data. With keys only the key's objects are streamed.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	f, ok := h.scope(r)
	if !ok {
		http.Error(w, "an API key is required", http.StatusUnauthorized)
		return
	}
	c, cancel, ok := h.o.Hub.subscribe()
	if !ok {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many pages are listening, or the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": live\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.o.Hub.done:
			return
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		case e := <-c:
			if e.Kind != "reset" && !f.Allows(e.Owner) {
				continue
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", oneLine(e.Kind), oneLine(e.ID))
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
