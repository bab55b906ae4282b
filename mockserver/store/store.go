// Package store keeps the mock's state: webhooks, generations and, when a
// data file is used, the delivery journal. The default is in memory, so a
// mock starts clean and fast; Open with a path keeps everything across a
// restart (bbolt, one file, fsync on every write that was acknowledged).
package store

import (
	"errors"
	"time"

	"github.com/prismhook/prismhook/webhook"
)

// ErrNotFound is returned for an unknown id.
var ErrNotFound = errors.New("store: not found")

// Webhook is a registered endpoint. Owner identifies the API key that
// created it (a digest, never the key itself).
type Webhook struct {
	ID        string    `json:"id"` // wh_…
	Owner     string    `json:"owner"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"secret"`
	Status    string    `json:"status"` // "active"
	CreatedAt time.Time `json:"created_at"`
}

// Generation states.
const (
	GenQueued     = "queued"
	GenProcessing = "processing"
	GenCompleted  = "completed"
	GenFailed     = "failed"
)

// Generation is a simulated video generation.
type Generation struct {
	ID       string `json:"id"` // gen_…
	Owner    string `json:"owner"`
	Prompt   string `json:"prompt"`
	Provider string `json:"provider"`
	Duration int    `json:"duration"`
	Status   string `json:"status"`
	// Outcome is the terminal state chosen when the generation was created
	// (GenCompleted or GenFailed), so a restart does not change it.
	Outcome      string         `json:"outcome"`
	VideoURL     string         `json:"video_url,omitempty"`
	ThumbnailURL string         `json:"thumbnail_url,omitempty"`
	Error        *webhook.Error `json:"error,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	// EventID is the id ("evt_…") of the terminal event, chosen when the
	// generation is created, so that every delivery of that event carries
	// it, those a restart emits again included.
	EventID string `json:"event_id,omitempty"`
	// Emitted is set once the terminal event has been handed to the
	// delivery engine; a restart re-emits generations where it is false.
	Emitted bool `json:"emitted"`
}

// Store is the mock's state. Implementations are safe for concurrent use.
type Store interface {
	CreateWebhook(w Webhook) error
	Webhook(id string) (Webhook, error)
	// Webhooks lists the owner's webhooks, oldest first.
	Webhooks(owner string) ([]Webhook, error)
	// Subscribers lists the owner's webhooks subscribed to the event type.
	Subscribers(owner, event string) ([]Webhook, error)
	DeleteWebhook(id string) error
	// AllWebhooks lists every owner's webhooks, oldest first (the
	// inspector of a mock without API keys).
	AllWebhooks() ([]Webhook, error)

	PutGeneration(g Generation) error
	Generation(id string) (Generation, error)
	// Unfinished lists generations whose terminal event was not emitted yet.
	Unfinished() ([]Generation, error)

	// Reset forgets everything (the control API's reset).
	Reset() error
	Close() error
}
