package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event types Prism emits.
const (
	EventCompleted = "video.completed"
	EventFailed    = "video.failed"
)

// Event is the body of a delivery. Unknown fields are ignored on decoding so
// that a receiver keeps working when Prism adds some.
type Event struct {
	Event     string    `json:"event"`
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Data describes the generation the event is about. A video.completed event
// carries the URLs; a video.failed one carries Error instead.
type Data struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Prompt       string    `json:"prompt"`
	Provider     string    `json:"provider"`
	Duration     int       `json:"duration"`
	VideoURL     string    `json:"video_url,omitempty"`
	ThumbnailURL string    `json:"thumbnail_url,omitempty"`
	Error        *Error    `json:"error,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Error says why a generation failed.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrNotJSON is returned by Parse for a body that is not a JSON object.
var ErrNotJSON = errors.New("webhook: body is not a JSON event")

// Parse decodes a delivery body. It requires a JSON object with an "event"
// name and ignores unknown fields; it does not judge the event type, so a
// receiver can acknowledge and ignore types it does not know.
func Parse(body []byte) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	if ev.Event == "" {
		return nil, fmt.Errorf("%w: no \"event\" field", ErrNotJSON)
	}
	return &ev, nil
}

// Known reports whether the event type is one this package describes.
func (e *Event) Known() bool {
	return e.Event == EventCompleted || e.Event == EventFailed
}
