package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prismhook/prismhook/internal/artifacts"
	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// mockOperations are the handlers of spec/mock.yaml, by operation id.
func (s *Server) mockOperations() map[string]operation {
	return map[string]operation{
		"setNextOutcome":      s.setNextOutcome,
		"emitEvent":           s.emitEvent,
		"listAllDeliveries":   s.listAllDeliveries,
		"resetMock":           s.resetMock,
		"setArtifactBehavior": s.setArtifactBehavior,
		"listArtifactFetches": s.listArtifactFetches,
		"getHealth":           s.getHealth,
		"redeliverDelivery":   s.redeliverDelivery,
		"startCheck":          s.startCheck,
		"getCheck":            s.getCheck,
	}
}

// Default number of sends of an emit, by fault.
const (
	defaultEmitCount      = 1
	defaultDuplicateCount = 2
	defaultBurstCount     = 10
)

func (s *Server) getHealth(*call) (int, any, error) {
	return http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version}, nil
}

func (s *Server) setNextOutcome(c *call) (int, any, error) {
	var req struct {
		Outcome string `json:"outcome"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	s.sim.forceNextFor(c.owner, req.Outcome)
	return http.StatusOK, req, nil
}

func (s *Server) listAllDeliveries(c *call) (int, any, error) {
	ds, err := s.visibleDeliveries(c, s.engine.List(""))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deliveriesView(ds), nil
}

func (s *Server) resetMock(c *call) (int, any, error) {
	if s.scoped() {
		return http.StatusNoContent, nil, s.resetOwner(c)
	}
	if err := s.sim.reset(); err != nil {
		return 0, nil, fmt.Errorf("resetting the store: %w", err)
	}
	s.artifacts.Reset()
	return http.StatusNoContent, nil, nil
}

type artifactBehaviorJSON struct {
	GenerationID string `json:"generation_id"`
	DelayMS      int64  `json:"delay_ms"`
	FailFirst    int    `json:"fail_first"`
}

func (s *Server) setArtifactBehavior(c *call) (int, any, error) {
	var req artifactBehaviorJSON
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	req.GenerationID = c.params["generation_id"]
	if err := s.ownsGeneration(c, req.GenerationID); err != nil {
		return 0, nil, err
	}
	s.artifacts.SetBehavior(req.GenerationID, artifacts.Behavior{
		Delay:     time.Duration(req.DelayMS) * time.Millisecond,
		FailFirst: req.FailFirst,
	})
	return http.StatusOK, req, nil
}

func (s *Server) listArtifactFetches(c *call) (int, any, error) {
	id := c.params["generation_id"]
	if err := s.ownsGeneration(c, id); err != nil {
		return 0, nil, err
	}
	fetches := s.artifacts.Fetches(id)
	for i := range fetches {
		fetches[i].At = fetches[i].At.UTC()
	}
	if fetches == nil {
		fetches = []artifacts.Fetch{}
	}
	return http.StatusOK, struct {
		GenerationID string            `json:"generation_id"`
		Data         []artifacts.Fetch `json:"data"`
	}{id, fetches}, nil
}

// emitRequest is the body of emitEvent.
type emitRequest struct {
	WebhookID    string `json:"webhook_id"`
	URL          string `json:"url"`
	Secret       string `json:"secret"`
	Event        string `json:"event"`
	Fault        string `json:"fault"`
	Count        int    `json:"count"`
	GenerationID string `json:"generation_id"`
}

func (s *Server) emitEvent(c *call) (int, any, error) {
	var req emitRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.WebhookID != "" && (req.URL != "" || req.Secret != "") {
		return 0, nil, errorf(http.StatusBadRequest, "request body: give webhook_id, or url and secret, not both")
	}
	m := wire.Message{URL: req.URL, Secret: req.Secret, EventType: req.Event}
	logged := delivery.Delivery{Owner: c.owner}
	if req.URL != "" {
		u, err := parseTargetURL("/url", req.URL)
		if err != nil {
			return 0, nil, err
		}
		if err := s.checkTarget("/url", u); err != nil {
			return 0, nil, err
		}
	}
	if req.WebhookID != "" {
		w, err := s.ownedWebhook(c, req.WebhookID)
		if err != nil {
			return 0, nil, err
		}
		m.URL, m.Secret = w.URL, w.Secret
		logged.WebhookID, logged.Owner = w.ID, w.Owner
	}
	fault, ok := wire.ParseFault(req.Fault)
	if !ok {
		return 0, nil, errorf(http.StatusBadRequest, "request body \"/fault\": unknown fault %q", req.Fault)
	}
	m.Fault = fault
	if m.EventType == "" {
		m.EventType = webhook.EventCompleted
	}
	if err := s.ownsGeneration(c, req.GenerationID); err != nil {
		return 0, nil, err
	}
	g, err := s.emitGeneration(req.GenerationID, s.baseURL(c.r))
	if err != nil {
		return 0, nil, err
	}
	s.artifacts.Issue(g.ID)
	if m.Body, err = eventBody(g, m.EventType, time.Now()); err != nil {
		return 0, nil, err
	}

	count := req.Count
	if count == 0 {
		count = defaultEmitCount
		switch fault {
		case wire.FaultDuplicate:
			count = defaultDuplicateCount
		case wire.FaultBurst:
			count = defaultBurstCount
		}
	}
	pattern, ok := fault.Pattern(count)
	if !ok {
		pattern = wire.AsNew(count)
	}
	logged.GenerationID = g.ID
	xs := s.sendNow(c.r.Context(), m, logged, pattern)
	out := struct {
		Exchanges []exchangeJSON `json:"exchanges"`
	}{make([]exchangeJSON, 0, len(xs))}
	for _, x := range xs {
		out.Exchanges = append(out.Exchanges, exchangeView(x))
	}
	return http.StatusOK, out, nil
}

// emitGeneration is the generation an emitted event is about: the stored
// one with that id, else made-up data (the documentation's example) under
// that id or a new one. Its artifacts are served by this server.
func (s *Server) emitGeneration(id, base string) (store.Generation, error) {
	if id != "" {
		g, err := s.store.Generation(id)
		switch {
		case err == nil:
			if g.VideoURL == "" { // a generation that failed has none
				g.VideoURL, g.ThumbnailURL = base+artifacts.VideoPath(id), base+artifacts.ThumbnailPath(id)
			}
			return g, nil
		case !errors.Is(err, store.ErrNotFound):
			return store.Generation{}, fmt.Errorf("reading generation: %w", err)
		}
	} else {
		id = wire.NewID("gen_")
	}
	now := time.Now().UTC()
	return store.Generation{
		ID:           id,
		Prompt:       "A serene mountain lake at sunset",
		Provider:     defaultProvider,
		Duration:     defaultDuration,
		VideoURL:     base + artifacts.VideoPath(id),
		ThumbnailURL: base + artifacts.ThumbnailPath(id),
		CreatedAt:    now,
		UpdatedAt:    now,
	}, nil
}

// sendNow sends m as p says (see wire.Pattern), without retries, as test
// deliveries of the delivery log: a new delivery becomes a test delivery,
// the same delivery again (a duplicate) a manual attempt of the first. d
// gives what the log shows beside the message (webhook, generation, owner).
func (s *Server) sendNow(ctx context.Context, m wire.Message, d delivery.Delivery, p wire.Pattern) []wire.Exchange {
	d.URL, d.Secret, d.EventType, d.Body, d.Fault = m.URL, m.Secret, m.EventType, m.Body, m.Fault
	return wire.Repeat(ctx, p, m, func(ctx context.Context, i int, m wire.Message) wire.Exchange {
		var (
			x   wire.Exchange
			err error
		)
		if p.Same && i > 0 {
			_, x, err = s.engine.Redeliver(ctx, m.DeliveryID)
		} else {
			di := d
			di.ID = m.DeliveryID
			_, x, err = s.engine.SendTest(ctx, di)
		}
		if err != nil {
			x = wire.Exchange{DeliveryID: m.DeliveryID, Fault: m.Fault, URL: wire.RedactURL(m.URL), Started: time.Now(), Err: err, ErrKind: wire.ErrKindOther}
		}
		return x
	})
}

// exchangeJSON is an Exchange as the control API shows it.
type exchangeJSON struct {
	DeliveryID      string              `json:"delivery_id"`
	Fault           string              `json:"fault,omitempty"`
	URL             string              `json:"url"`
	StartedAt       time.Time           `json:"started_at"`
	RequestHeaders  map[string][]string `json:"request_headers"`
	BodySize        int                 `json:"body_size"`
	BodyExcerpt     string              `json:"body_excerpt,omitempty"`
	Status          int                 `json:"status,omitempty"`
	ResponseExcerpt string              `json:"response_excerpt,omitempty"`
	LatencyMS       float64             `json:"latency_ms"`
	Error           string              `json:"error,omitempty"`
	ErrorKind       string              `json:"error_kind,omitempty"`
	OK              bool                `json:"ok"`
}

func exchangeView(x wire.Exchange) exchangeJSON {
	v := exchangeJSON{
		DeliveryID:      x.DeliveryID,
		Fault:           string(x.Fault),
		URL:             x.URL,
		StartedAt:       x.Started.UTC(),
		RequestHeaders:  x.RequestHeader,
		BodySize:        x.BodySize,
		BodyExcerpt:     x.BodyExcerpt,
		Status:          x.Status,
		ResponseExcerpt: x.ResponseExcerpt,
		LatencyMS:       float64(x.Latency) / float64(time.Millisecond),
		ErrorKind:       string(x.ErrKind),
		OK:              x.OK(),
	}
	if v.RequestHeaders == nil {
		v.RequestHeaders = map[string][]string{}
	}
	if x.Err != nil {
		v.Error = x.Err.Error()
	}
	return v
}
