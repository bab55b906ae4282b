package mockserver

import (
	"slices"
	"sync"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
	"github.com/prismhook/prismhook/mockserver/inspector"
	"github.com/prismhook/prismhook/mockserver/store"
)

// recentGenerationsKept is how many generation ids, newest last, the
// inspector lists.
const recentGenerationsKept = 100

// watchedStore tells the inspector about every change of webhooks and
// generations, and remembers the ids of the recent generations.
type watchedStore struct {
	store.Store
	hub *inspector.Hub

	mu   sync.Mutex
	gens []string // recent generation ids, oldest first, no repeats
}

func (w *watchedStore) CreateWebhook(h store.Webhook) error {
	err := w.Store.CreateWebhook(h)
	if err == nil {
		w.hub.Publish(inspector.Event{Kind: "webhook", ID: h.ID, Owner: h.Owner})
	}
	return err
}

func (w *watchedStore) DeleteWebhook(id string) error {
	h, _ := w.Store.Webhook(id)
	err := w.Store.DeleteWebhook(id)
	if err == nil {
		w.hub.Publish(inspector.Event{Kind: "webhook", ID: id, Owner: h.Owner})
	}
	return err
}

func (w *watchedStore) PutGeneration(g store.Generation) error {
	err := w.Store.PutGeneration(g)
	if err != nil {
		return err
	}
	w.mu.Lock()
	if !slices.Contains(w.gens, g.ID) {
		w.gens = append(w.gens, g.ID)
		if len(w.gens) > recentGenerationsKept {
			w.gens = slices.Delete(w.gens, 0, len(w.gens)-recentGenerationsKept)
		}
	}
	w.mu.Unlock()
	w.hub.Publish(inspector.Event{Kind: "generation", ID: g.ID, Owner: g.Owner})
	return nil
}

func (w *watchedStore) Reset() error {
	err := w.Store.Reset()
	w.mu.Lock()
	w.gens = nil
	w.mu.Unlock()
	w.hub.Publish(inspector.Event{Kind: "reset"})
	return err
}

func (w *watchedStore) recent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.gens)
}

// inspectorSource is what the inspector shows, read from the Server.
type inspectorSource struct{ s *Server }

func (src inspectorSource) Webhooks(f inspector.Filter) []inspector.Webhook {
	var (
		hooks []store.Webhook
		err   error
	)
	if f.All {
		hooks, err = src.s.store.AllWebhooks()
	} else {
		hooks, err = src.s.store.Webhooks(f.Owner)
	}
	if err != nil {
		src.s.logger.Error("inspector: listing webhooks", "err", err)
	}
	fw := src.s.forward.Load()
	out := make([]inspector.Webhook, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, inspector.Webhook{
			ID: h.ID, URL: wire.RedactURL(h.URL), Events: h.Events, Owner: h.Owner, CreatedAt: h.CreatedAt,
			Forward: fw != nil && fw.WebhookID == h.ID,
		})
	}
	return out
}

func (src inspectorSource) Generations(f inspector.Filter) []inspector.Generation {
	ids := src.s.watched.recent()
	var out []inspector.Generation
	for i := len(ids) - 1; i >= 0; i-- { // newest first
		g, err := src.s.store.Generation(ids[i])
		if err != nil || !f.Allows(g.Owner) {
			continue
		}
		out = append(out, inspector.Generation{
			ID: g.ID, Status: g.Status, Prompt: g.Prompt, Provider: g.Provider, Owner: g.Owner,
			CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt,
		})
	}
	return out
}

func (src inspectorSource) Deliveries(f inspector.Filter, limit int) []delivery.Delivery {
	all := src.s.engine.List("")
	var out []delivery.Delivery
	for i := len(all) - 1; i >= 0 && len(out) < limit; i-- {
		if src.allows(f, all[i]) {
			out = append(out, viewDelivery(all[i]))
		}
	}
	return out
}

func (src inspectorSource) Delivery(f inspector.Filter, id string) (delivery.Delivery, bool) {
	d, ok := src.s.engine.Get(id)
	if !ok || !src.allows(f, d) {
		return delivery.Delivery{}, false
	}
	return viewDelivery(d), true
}

// allows reports whether the page may show d: with API keys, what the
// control API shows the key (see deliveryVisible).
func (src inspectorSource) allows(f inspector.Filter, d delivery.Delivery) bool {
	if src.s.scoped() && !f.All {
		return src.s.deliveryVisible(f.Owner, d)
	}
	return f.Allows(d.Owner)
}

func (src inspectorSource) Check(id string) (inspector.CheckRun, []byte, bool) {
	return src.s.checks.get(id)
}

func (src inspectorSource) Checks(f inspector.Filter) []inspector.CheckRun {
	return src.s.checks.list(f)
}

func (src inspectorSource) Forward() *inspector.Forward {
	fw := src.s.forward.Load()
	if fw == nil {
		return nil
	}
	c := *fw
	c.URL = wire.RedactURL(c.URL)
	return &c
}

// viewDelivery is a delivery as shown: times in UTC, credentials hidden.
func viewDelivery(d delivery.Delivery) delivery.Delivery {
	return deliveriesView([]delivery.Delivery{d}).Data[0]
}

// publishDelivery is the engine's OnChange.
func (s *Server) publishDelivery(d delivery.Delivery) {
	s.hub.Publish(inspector.Event{Kind: "delivery", ID: d.ID, Owner: d.Owner})
}

// faultNames lists the faults a test event may carry.
func faultNames() []string {
	out := make([]string, 0, len(wire.Faults))
	for _, f := range wire.Faults {
		out = append(out, string(f.Name))
	}
	return out
}
