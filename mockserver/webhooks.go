package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/store"
)

// prismOperations are the handlers of spec/openapi.yaml, by operation id.
func (s *Server) prismOperations() map[string]operation {
	return map[string]operation{
		"createWebhook":         s.createWebhook,
		"listWebhooks":          s.listWebhooks,
		"getWebhook":            s.getWebhook,
		"deleteWebhook":         s.deleteWebhook,
		"listWebhookDeliveries": s.listWebhookDeliveries,
		"createVideo":           s.createVideo,
		"getVideo":              s.getVideo,
	}
}

// webhookJSON is a webhook as the API shows it; Secret only in the answer
// that created it.
type webhookJSON struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Secret    string   `json:"secret,omitempty"`
	Status    string   `json:"status"`
	CreatedAt string   `json:"created_at"`
}

func webhookView(w store.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, URL: wire.RedactURL(w.URL), Events: w.Events, Status: w.Status, CreatedAt: timestamp(w.CreatedAt)}
}

type listJSON[T any] struct {
	Data []T `json:"data"`
}

func (s *Server) createWebhook(c *call) (int, any, error) {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	// The document's pattern checks the form; only a parser knows whether
	// the host part really is one.
	u, err := parseTargetURL("/url", req.URL)
	switch {
	case err != nil:
		return 0, nil, err
	case s.opts.RequireHTTPS && u.Scheme != "https":
		return 0, nil, errorf(http.StatusBadRequest, "request body \"/url\": this server accepts only https webhook URLs")
	}
	if err := s.checkTarget("/url", u); err != nil {
		return 0, nil, err
	}
	w := store.Webhook{
		ID:        wire.NewID("wh_"),
		Owner:     c.owner,
		URL:       req.URL,
		Events:    req.Events,
		Secret:    s.webhookSecret(),
		Status:    "active",
		CreatedAt: time.Now().UTC(),
	}
	if err := s.store.CreateWebhook(w); err != nil {
		return 0, nil, fmt.Errorf("creating webhook: %w", err)
	}
	v := webhookView(w)
	v.Secret = w.Secret // the one answer that carries it
	return http.StatusCreated, v, nil
}

// webhookSecret is Options.WebhookSecret, else a new random secret.
func (s *Server) webhookSecret() string {
	if s.opts.WebhookSecret != "" {
		return s.opts.WebhookSecret
	}
	return wire.NewSecret()
}

// checkTarget refuses, under DenyPrivateTargets, a URL whose host is
// localhost or a private IP address. Other names are checked by the sender
// on each connection, against the addresses they resolve to then.
func (s *Server) checkTarget(field string, u *url.URL) error {
	if !s.opts.DenyPrivateTargets || !wire.IsPrivateHost(u.Hostname()) {
		return nil
	}
	return errorf(http.StatusBadRequest,
		"request body %q: host %q is a loopback, private, link-local or otherwise internal address, which this server does not deliver to", field, u.Hostname())
}

func (s *Server) listWebhooks(c *call) (int, any, error) {
	hooks, err := s.store.Webhooks(c.owner)
	if err != nil {
		return 0, nil, fmt.Errorf("listing webhooks: %w", err)
	}
	out := listJSON[webhookJSON]{Data: make([]webhookJSON, 0, len(hooks))}
	for _, w := range hooks {
		out.Data = append(out.Data, webhookView(w))
	}
	return http.StatusOK, out, nil
}

// ownWebhook returns the caller's webhook with the path's id. Another
// key's webhook is "not found" too: its existence is not the caller's
// business.
func (s *Server) ownWebhook(c *call) (store.Webhook, error) {
	id := c.params["id"]
	w, err := s.store.Webhook(id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && w.Owner != c.owner):
		return store.Webhook{}, errorf(http.StatusNotFound, "no webhook %s", id)
	case err != nil:
		return store.Webhook{}, fmt.Errorf("reading webhook: %w", err)
	}
	return w, nil
}

func (s *Server) getWebhook(c *call) (int, any, error) {
	w, err := s.ownWebhook(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhookView(w), nil
}

func (s *Server) deleteWebhook(c *call) (int, any, error) {
	w, err := s.ownWebhook(c)
	if err != nil {
		return 0, nil, err
	}
	if err := s.store.DeleteWebhook(w.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, nil, fmt.Errorf("deleting webhook: %w", err)
	}
	s.engine.CancelWebhook(w.ID)
	return http.StatusNoContent, nil, nil
}

func (s *Server) listWebhookDeliveries(c *call) (int, any, error) {
	w, err := s.ownWebhook(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deliveriesView(s.engine.List(w.ID)), nil
}

// deliveriesView shows deliveries with their times in UTC.
func deliveriesView(ds []delivery.Delivery) listJSON[delivery.Delivery] {
	for i := range ds {
		ds[i] = ds[i].WithRequestBodies()
		d := &ds[i]
		d.URL = wire.RedactURL(d.URL) // a password in the URL is sent, never shown
		d.CreatedAt = d.CreatedAt.UTC()
		if d.NextAttemptAt != nil {
			t := d.NextAttemptAt.UTC()
			d.NextAttemptAt = &t
		}
		d.Attempts = append([]delivery.Attempt{}, d.Attempts...) // never alias the engine's
		for j := range d.Attempts {
			d.Attempts[j].At = d.Attempts[j].At.UTC()
		}
	}
	if ds == nil {
		ds = []delivery.Delivery{}
	}
	return listJSON[delivery.Delivery]{Data: ds}
}
