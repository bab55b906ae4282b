package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/inspector"
	"github.com/prismhook/prismhook/mockserver/store"
)

// guardControl wraps the control API (/_mock/…). With NoControlAPI it
// answers 404. With API keys configured, a hosted mock shared by several
// people, it needs one of them as a bearer token, like the Prism API, and
// records its owner: the operations then act only on that owner's
// webhooks, generations and deliveries (see the owns… helpers). /healthz
// stays open either way.
func (s *Server) guardControl(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/_mock/") {
			next.ServeHTTP(w, r)
			return
		}
		if s.opts.NoControlAPI {
			writeError(w, r, s.logger, errorf(http.StatusNotFound, "the control API is turned off (--no-control-api)"))
			return
		}
		if !s.scoped() {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			writeError(w, r, s.logger, errorf(http.StatusUnauthorized, "%v", errNoToken))
			return
		}
		owner, ok := s.auth.owner(token)
		if !ok {
			writeError(w, r, s.logger, errorf(http.StatusUnauthorized, "%v", errBadKey))
			return
		}
		r, info := withInfo(r)
		info.owner = owner
		next.ServeHTTP(w, r)
	})
}

// scoped reports whether control operations act on the caller's objects
// only: when API keys are configured.
func (s *Server) scoped() bool { return len(s.opts.APIKeys) > 0 }

// ownsWebhook refuses, as not found, a webhook of another owner.
func (s *Server) ownsWebhook(c *call, w store.Webhook) error {
	if s.scoped() && w.Owner != c.owner {
		return errorf(http.StatusNotFound, "no webhook %s", w.ID)
	}
	return nil
}

// ownedWebhook reads the webhook id for a control operation: not found
// when it is not stored, or (with keys) belongs to another owner.
func (s *Server) ownedWebhook(c *call, id string) (store.Webhook, error) {
	w, err := s.store.Webhook(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Webhook{}, errorf(http.StatusNotFound, "no webhook %s", id)
	case err != nil:
		return store.Webhook{}, fmt.Errorf("reading webhook: %w", err)
	}
	return w, s.ownsWebhook(c, w)
}

// ownsGeneration refuses, as not found, a stored generation of another
// owner; an id not stored is free to use.
func (s *Server) ownsGeneration(c *call, id string) error {
	if !s.scoped() || id == "" {
		return nil
	}
	g, err := s.store.Generation(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("reading generation: %w", err)
	case g.Owner != c.owner:
		return errorf(http.StatusNotFound, "no generation %s", id)
	}
	return nil
}

// ownsDelivery refuses, as not found, a delivery the caller may not see
// (see deliveryVisible).
func (s *Server) ownsDelivery(c *call, d delivery.Delivery) error {
	if s.scoped() && !s.deliveryVisible(c.owner, d) {
		return errorf(http.StatusNotFound, "no delivery %s", d.ID)
	}
	return nil
}

// ownsCheck refuses, as not found, a check run of another owner.
func (s *Server) ownsCheck(c *call, run inspector.CheckRun) error {
	if s.scoped() && run.Owner != c.owner {
		return errorf(http.StatusNotFound, "no check run %s", run.ID)
	}
	return nil
}

// visibleDeliveries keeps the deliveries the caller may see.
func (s *Server) visibleDeliveries(c *call, ds []delivery.Delivery) ([]delivery.Delivery, error) {
	if !s.scoped() {
		return ds, nil
	}
	return slices.DeleteFunc(ds, func(d delivery.Delivery) bool { return !s.deliveryVisible(c.owner, d) }), nil
}

// deliveryVisible reports whether owner may see d, with API keys: d is to
// one of owner's webhooks or a test event owner sent, and came after
// owner's last reset.
func (s *Server) deliveryVisible(owner string, d delivery.Delivery) bool {
	return s.deliveryOwner(d) == owner && d.CreatedAt.After(s.resets.at(owner))
}

// deliveryOwner is d's owner; for a delivery journaled by a version that
// did not record owners, its webhook's.
func (s *Server) deliveryOwner(d delivery.Delivery) string {
	if d.Owner != "" || d.WebhookID == "" {
		return d.Owner
	}
	w, err := s.store.Webhook(d.WebhookID)
	if err != nil {
		return ""
	}
	return w.Owner
}

// resetOwner is the control API's reset for one owner of a shared mock:
// it deletes the owner's webhooks (cancelling their pending deliveries),
// drops the owner's forced outcome, and takes the owner's earlier
// deliveries out of its view; everyone else's state is left alone.
func (s *Server) resetOwner(c *call) error {
	hooks, err := s.store.Webhooks(c.owner)
	if err != nil {
		return fmt.Errorf("listing webhooks: %w", err)
	}
	for _, w := range hooks {
		if err := s.store.DeleteWebhook(w.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleting webhook: %w", err)
		}
		s.engine.CancelWebhook(w.ID)
	}
	s.sim.forceNextFor(c.owner, "")
	s.resets.mark(c.owner)
	s.hub.Publish(inspector.Event{Kind: "reset", Owner: c.owner})
	return nil
}

// ownerResets remembers when each owner last reset its part of a shared
// mock. It is not persisted: after a restart the log holds what the
// journal resumed.
type ownerResets struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (r *ownerResets) mark(owner string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]time.Time)
	}
	r.m[owner] = time.Now()
}

// at is the time of owner's last reset, zero if none.
func (r *ownerResets) at(owner string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[owner]
}
