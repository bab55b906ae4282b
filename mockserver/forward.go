package mockserver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/inspector"
	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// ForwardTo registers (or, with a data file, finds again) the webhook of
// `serve --forward-to`: every event type to rawURL, signed with secret
// (a new one when empty). Without API keys every generation is delivered
// to it, whatever token created the generation; with keys it belongs to
// the first key. It returns the webhook's id and secret. Call it before
// Serve.
func (s *Server) ForwardTo(rawURL, secret string) (id, usedSecret string, err error) {
	u, why := targetURL(rawURL)
	if why != "" {
		return "", "", fmt.Errorf("mockserver: forward URL %q: %s", wire.RedactURL(rawURL), why)
	}
	if s.opts.RequireHTTPS && u.Scheme != "https" {
		return "", "", fmt.Errorf("mockserver: forward URL %q: this server accepts only https webhook URLs", wire.RedactURL(rawURL))
	}
	if e := s.checkTarget("/url", u); e != nil {
		return "", "", fmt.Errorf("mockserver: forward URL: %s", e.Error())
	}
	if strings.ContainsAny(secret, " \t\r\n") {
		return "", "", errors.New("mockserver: the forward secret contains whitespace")
	}
	owner := ""
	if len(s.opts.APIKeys) > 0 {
		owner, _ = newAuthenticator(nil).owner(s.opts.APIKeys[0])
	}
	events := []string{webhook.EventCompleted, webhook.EventFailed}

	// A data file may hold the webhook of an earlier start: the same one
	// is used again (its secret too, unless another was given).
	hooks, err := s.store.Webhooks(owner)
	if err != nil {
		return "", "", fmt.Errorf("mockserver: %w", err)
	}
	var w store.Webhook
	for _, h := range hooks {
		if h.URL == rawURL && len(h.Events) == len(events) {
			if secret == "" || secret == h.Secret {
				w = h
				break
			}
			// Its secret changed: the old webhook would sign wrongly.
			if err := s.store.DeleteWebhook(h.ID); err != nil {
				return "", "", fmt.Errorf("mockserver: %w", err)
			}
		}
	}
	if w.ID == "" {
		if secret == "" {
			secret = s.webhookSecret()
		}
		w = store.Webhook{
			ID: wire.NewID("wh_"), Owner: owner, URL: rawURL, Events: events, Secret: secret,
			Status: "active", CreatedAt: time.Now().UTC(),
		}
		if err := s.store.CreateWebhook(w); err != nil {
			return "", "", fmt.Errorf("mockserver: creating the forward webhook: %w", err)
		}
	}
	s.forward.Store(&inspector.Forward{WebhookID: w.ID, URL: w.URL, Secret: w.Secret, Owner: owner})
	s.sim.forwardAll.Store(len(s.opts.APIKeys) == 0)
	s.sim.forwardID.Store(&w.ID)
	return w.ID, w.Secret, nil
}
