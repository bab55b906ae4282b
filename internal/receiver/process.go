package receiver

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Fetching video_url.
const (
	fetchTimeout     = 10 * time.Second
	maxArtifactBytes = 1 << 30
	fetchUserAgent   = "prismhook-reference-receiver"
)

// job is one event waiting for a worker.
type job struct {
	key   string // dedupe key, "" when not deduplicated
	event *webhook.Event
}

func newFetchClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Timeout: fetchTimeout, Transport: t}
}

// work processes queued events until the handler is closed.
func (h *Handler) work() {
	defer h.workers.Done()
	for {
		select {
		case <-h.ctx.Done():
			return
		case j := <-h.queue:
			h.process(h.ctx, j)
		}
	}
}

// process handles one event. When it fails for good, the event's dedupe key
// is forgotten so that a later delivery of the same event is processed.
func (h *Handler) process(ctx context.Context, j job) {
	ev := j.event
	var err error
	if ev.Event == webhook.EventCompleted {
		err = h.fetch(ctx, ev.Data.VideoURL)
	}
	// A video.failed event has nothing to fetch: recording it is all.
	if err != nil {
		h.seen.Forget(j.key)
		h.log.Warn("processing failed", "event", ev.Event, "id", ev.Data.ID, "err", err)
		return
	}
	h.processed.Add(1)
	h.log.Info("event processed", "event", ev.Event, "id", ev.Data.ID)
}

// fetch downloads an http(s) URL with webhook.Fetcher's defaults: server
// errors and transport failures are retried with exponential backoff.
func (h *Handler) fetch(ctx context.Context, rawURL string) error {
	f := webhook.Fetcher{Client: h.client, UserAgent: fetchUserAgent}
	if h.opts.Defect == DefectNoFetchRetry {
		// Defect: one attempt, no retry.
		f.Attempts = 1
	}
	resp, err := f.Get(ctx, rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxArtifactBytes))
	return err
}
