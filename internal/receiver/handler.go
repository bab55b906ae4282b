// Package receiver holds the reference receivers the project proves its
// conformance harness with: a correct Prism webhook receiver built on the
// public webhook package, the same receiver with any one defect of the
// check catalogue switched on, and the naive Node receiver that Prism's
// documentation leads to.
//
// The correct receiver verifies over the raw bytes, answers at once and
// hands the event to a bounded pool of background workers, deduplicates
// processing by (event, data.id), acknowledges and ignores unknown event
// types, and processes a video.completed event by fetching its video_url
// with retries.
package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// Path is where Start mounts the receiver.
const Path = "/webhooks/prism"

// MaxBodyBytes bounds a delivery body; larger ones are answered 413.
const MaxBodyBytes = 1 << 20

// Defaults for Options.
const (
	DefaultSlowAck    = 6 * time.Second
	DefaultWorkers    = 8
	DefaultQueueSize  = 1024
	DefaultDedupeSize = 10000
)

// Delays of the timing defects.
const (
	sluggishAck    = 1200 * time.Millisecond
	serialWork     = 150 * time.Millisecond
	throughputWork = 25 * time.Millisecond
	dedupeLookup   = 250 * time.Millisecond
	smallBodyLimit = 4 << 10
	largeBodyStall = 10 * time.Second
)

// Options configure a reference receiver.
type Options struct {
	Secret string // the webhook's signing secret; required
	Defect Defect // DefectNone for the correct receiver

	// TLS serves HTTPS with a certificate for 127.0.0.1 and localhost signed
	// by CA (Start only).
	TLS bool
	CA  *TestCA

	// SlowAck is how long DefectSlowAck holds an acknowledgement back;
	// default DefaultSlowAck.
	SlowAck time.Duration
	// Workers process events in the background; default DefaultWorkers.
	Workers int
	// QueueSize bounds the events waiting for a worker; a delivery that
	// finds the queue full is answered 503. Default DefaultQueueSize.
	QueueSize int
	// DedupeSize bounds the (event, data.id) keys remembered for
	// deduplication, least recently seen forgotten first. Default
	// DefaultDedupeSize.
	DedupeSize int

	Logger *slog.Logger // default: discard
}

func (o Options) withDefaults() Options {
	if o.SlowAck <= 0 {
		o.SlowAck = DefaultSlowAck
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.DedupeSize <= 0 {
		o.DedupeSize = DefaultDedupeSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o Options) validate() error {
	if o.Secret == "" {
		return errors.New("receiver: a webhook secret is required")
	}
	if _, err := ParseDefect(string(o.Defect)); err != nil {
		return fmt.Errorf("receiver: %w", err)
	}
	needsCA := (o.TLS && o.Defect != DefectPlainHTTP && o.Defect != DefectTLSUntrustedCert) || o.Defect == DefectTLSOldVersion
	if needsCA && o.CA == nil {
		return errors.New("receiver: TLS needs a CA (Options.CA, see NewTestCA)")
	}
	return nil
}

// Handler is a reference receiver as an http.Handler, with its background
// workers. It serves any path; Start mounts it at Path.
type Handler struct {
	opts   Options
	log    *slog.Logger
	serve  http.Handler
	queue  chan job
	seen   *webhook.Once
	client *http.Client

	ctx     context.Context // cancelled by Close: stops workers and pauses
	cancel  context.CancelFunc
	workers sync.WaitGroup
	once    sync.Once

	processed atomic.Int64
	dead      atomic.Bool // DefectDiesOnBadInput
	serial    sync.Mutex  // DefectSerialProcessing
}

// NewHandler returns the receiver for o as an http.Handler and starts its
// workers; Close stops them. Defects that live in the server
// (case-sensitive-header, the TLS ones) need Start and are refused here;
// o.TLS is ignored.
func NewHandler(o Options) (*Handler, error) {
	if o.Defect.serverLevel() {
		return nil, fmt.Errorf("receiver: defect %q is a property of the server: use Start", o.Defect)
	}
	o.TLS = false
	return newHandler(o)
}

func newHandler(o Options) (*Handler, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Handler{
		opts:   o,
		log:    o.Logger,
		queue:  make(chan job, o.QueueSize),
		seen:   webhook.NewOnce(o.DedupeSize),
		client: newFetchClient(),
		ctx:    ctx,
		cancel: cancel,
	}
	var intake http.Handler
	if o.Defect.bendsIntake() {
		intake = http.HandlerFunc(h.defectiveIntake)
	} else {
		verified := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, _ := webhook.DeliveryFrom(r.Context())
			h.accept(w, r, d)
		})
		intake = webhook.Middleware(o.Secret,
			webhook.WithMaxBodyBytes(MaxBodyBytes),
			webhook.WithErrorHook(h.refused),
		)(verified)
	}
	h.serve = h.guard(intake)
	for range o.Workers {
		h.workers.Add(1)
		go h.work()
	}
	return h, nil
}

// ServeHTTP answers one delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// Processed returns how many events were processed successfully: their
// video_url fetched, or, for video.failed, recorded.
func (h *Handler) Processed() int { return int(h.processed.Load()) }

// Close stops the workers, abandoning queued events, and ends any pause a
// defect is holding a request in. It does not stop the server.
func (h *Handler) Close() {
	h.once.Do(func() {
		h.cancel()
		h.workers.Wait()
		h.client.CloseIdleConnections()
	})
}

// guard holds the defects that act before the body is read.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch h.opts.Defect {
		case DefectNotFound:
			// Defect: nothing is served at the URL the sender was given.
			http.NotFound(w, r)
			return
		case DefectCrashOnBadInput:
			// Defect: a parse error escapes the handler, and the server
			// drops the connection without an answer.
			crashOnBadJSON(r)
		case DefectDiesOnBadInput:
			// Defect: once a bad body was seen, the receiver is "down".
			if h.dead.Load() {
				writeStatus(w, http.StatusServiceUnavailable, "unavailable")
				return
			}
		case DefectStrictContentType:
			// Defect: parameters such as charset are not tolerated.
			if r.Header.Get("Content-Type") != "application/json" {
				writeStatus(w, http.StatusUnsupportedMediaType, "unsupported content type")
				return
			}
		case DefectSmallBodyLimit:
			// Defect: a body limit sized for the documentation's example.
			r.Body = http.MaxBytesReader(w, r.Body, smallBodyLimit)
		case DefectStallOnLargeBody:
			// Defect: a large body is left unread for a long while instead
			// of being refused at once.
			if r.ContentLength > MaxBodyBytes {
				h.pause(r, largeBodyStall)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refused is webhook.Middleware's error hook.
func (h *Handler) refused(r *http.Request, status int, err error) {
	h.log.Info("delivery refused", "status", status, "delivery", r.Header.Get(webhook.DeliveryHeader), "err", err)
	// Defect: a body that is not JSON takes the receiver down.
	if h.opts.Defect == DefectDiesOnBadInput && errors.Is(err, webhook.ErrNotJSON) {
		h.dead.Store(true)
	}
}

// accept takes a verified delivery: it acknowledges it and queues its event
// for processing, once per (event, data.id).
func (h *Handler) accept(w http.ResponseWriter, r *http.Request, d *webhook.Delivery) {
	ev := d.Event
	switch h.opts.Defect {
	case DefectStrictFields:
		// Defect: fields the receiver does not know are an error.
		dec := json.NewDecoder(bytes.NewReader(d.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(new(webhook.Event)); err != nil {
			writeStatus(w, http.StatusBadRequest, "unknown field")
			return
		}
	case DefectRejectCompleted:
		// Defect: a parser written from the video.failed example requires
		// data.error, which no completed event has.
		if ev.Event == webhook.EventCompleted && ev.Data.Error == nil {
			writeStatus(w, http.StatusBadRequest, "data.error is required")
			return
		}
	case DefectRejectFailed:
		// Defect: video_url is required, which no failed event has.
		if ev.Event == webhook.EventFailed && ev.Data.VideoURL == "" {
			writeStatus(w, http.StatusBadRequest, "data.video_url is required")
			return
		}
	case DefectSerialProcessing:
		// Defect: slow work inside the handler under one global lock.
		h.serial.Lock()
		h.pause(r, serialWork)
		h.serial.Unlock()
	case DefectLimitedThroughput:
		// Defect: less slow work under the same kind of lock: fine for a
		// burst, too slow for a steady stream.
		h.serial.Lock()
		h.pause(r, throughputWork)
		h.serial.Unlock()
	}

	if !ev.Known() {
		// Defect: unknown event types are refused instead of ignored.
		if h.opts.Defect == DefectRejectUnknownEvent {
			writeStatus(w, http.StatusBadRequest, "unknown event type")
			return
		}
		h.log.Debug("event ignored", "event", ev.Event, "delivery", d.ID)
		h.ack(w, r, http.StatusAccepted, "ignored")
		return
	}

	key := dedupeKey(ev)
	if h.opts.Defect == DefectNoDedup {
		// Defect: every delivery is processed, redeliveries included.
		key = ""
	}
	if h.opts.Defect == DefectRacyDedupe && key != "" {
		// Defect: check, then act: the lookup and the insert are two steps
		// with a round trip between them. Once only offers the atomic step,
		// so the lookup is a First undone at once.
		if !h.seen.First(key) {
			h.ack(w, r, http.StatusOK, "duplicate")
			return
		}
		h.seen.Forget(key)
		h.pause(r, dedupeLookup)
		h.seen.First(key)
		key = "" // recorded; queued below without a second look
	}
	if key != "" && !h.seen.First(key) {
		// Defect: a redelivery is an error instead of a success.
		if h.opts.Defect == DefectRejectRedelivery {
			writeStatus(w, http.StatusConflict, "already received")
			return
		}
		h.log.Debug("duplicate acknowledged", "event", ev.Event, "id", ev.Data.ID, "delivery", d.ID)
		h.ack(w, r, http.StatusOK, "duplicate")
		return
	}

	j := job{key: key, event: ev}
	if h.opts.Defect == DefectSyncProcessing {
		// Defect: processing happens before the answer.
		h.process(r.Context(), j)
		h.ack(w, r, http.StatusOK, "processed")
		return
	}
	select {
	case h.queue <- j:
	default:
		// Full: refuse rather than block, so Prism delivers again later.
		h.seen.Forget(key)
		writeStatus(w, http.StatusServiceUnavailable, "busy")
		return
	}
	h.ack(w, r, http.StatusAccepted, "accepted")
}

// dedupeKey identifies an event for deduplication. Events without an id
// cannot be told apart, so they get no key and are not deduplicated.
func dedupeKey(ev *webhook.Event) string {
	return ev.OnceKey()
}

// ack answers a delivery with 2xx.
func (h *Handler) ack(w http.ResponseWriter, r *http.Request, status int, what string) {
	switch h.opts.Defect {
	case DefectSlowAck:
		// Defect: the answer comes after Prism stopped waiting.
		h.pause(r, h.opts.SlowAck)
	case DefectSluggishAck:
		// Defect: every answer takes more than a second.
		h.pause(r, sluggishAck)
	}
	writeStatus(w, status, what)
}

// pause waits d, or less if the request or the handler ends first.
func (h *Handler) pause(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-h.ctx.Done():
	}
}

// writeStatus answers with a tiny JSON body.
func writeStatus(w http.ResponseWriter, status int, what string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"status\":%q}\n", what)
}
