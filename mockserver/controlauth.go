package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/prismhook/prismhook/mockserver/delivery"
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

// visibleDeliveries keeps the deliveries of the caller's webhooks.
func (s *Server) visibleDeliveries(c *call, ds []delivery.Delivery) ([]delivery.Delivery, error) {
	if !s.scoped() {
		return ds, nil
	}
	hooks, err := s.store.Webhooks(c.owner)
	if err != nil {
		return nil, fmt.Errorf("listing webhooks: %w", err)
	}
	ids := make([]string, len(hooks))
	for i, w := range hooks {
		ids[i] = w.ID
	}
	return slices.DeleteFunc(ds, func(d delivery.Delivery) bool { return !slices.Contains(ids, d.WebhookID) }), nil
}

// resetOwner is the control API's reset for one owner of a shared mock:
// it deletes the owner's webhooks (their deliveries leave the owner's
// view with them) and the owner's forced outcome, and leaves everyone
// else's state alone.
func (s *Server) resetOwner(c *call) error {
	hooks, err := s.store.Webhooks(c.owner)
	if err != nil {
		return fmt.Errorf("listing webhooks: %w", err)
	}
	for _, w := range hooks {
		if err := s.store.DeleteWebhook(w.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleting webhook: %w", err)
		}
	}
	s.sim.forceNextFor(c.owner, "")
	return nil
}
