package mockserver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prismhook/prismhook/mockserver/store"
	"github.com/prismhook/prismhook/webhook"
)

// Defaults of createVideo, those of the documentation's example.
const (
	defaultProvider = "runway"
	defaultDuration = 6
)

// generationJSON is a generation as the API shows it: the URLs once it
// completed, the error once it failed.
type generationJSON struct {
	ID           string         `json:"id"`
	Status       string         `json:"status"`
	Prompt       string         `json:"prompt"`
	Provider     string         `json:"provider"`
	Duration     int            `json:"duration"`
	VideoURL     string         `json:"video_url,omitempty"`
	ThumbnailURL string         `json:"thumbnail_url,omitempty"`
	Error        *webhook.Error `json:"error,omitempty"`
	CreatedAt    string         `json:"created_at"`
	UpdatedAt    string         `json:"updated_at"`
}

func generationView(g store.Generation) generationJSON {
	v := generationJSON{
		ID: g.ID, Status: g.Status, Prompt: g.Prompt, Provider: g.Provider, Duration: g.Duration,
		CreatedAt: timestamp(g.CreatedAt), UpdatedAt: timestamp(g.UpdatedAt),
	}
	switch g.Status {
	case store.GenCompleted:
		v.VideoURL, v.ThumbnailURL = g.VideoURL, g.ThumbnailURL
	case store.GenFailed:
		v.Error = g.Error
	}
	return v
}

func (s *Server) createVideo(c *call) (int, any, error) {
	var req struct {
		Prompt   string `json:"prompt"`
		Provider string `json:"provider"`
		Duration int    `json:"duration"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Provider == "" {
		req.Provider = defaultProvider
	}
	if req.Duration == 0 {
		req.Duration = defaultDuration
	}
	g, err := s.sim.create(c.owner, req.Prompt, req.Provider, req.Duration, s.baseURL(c.r))
	if err != nil {
		return 0, nil, fmt.Errorf("creating generation: %w", err)
	}
	return http.StatusAccepted, generationView(g), nil
}

func (s *Server) getVideo(c *call) (int, any, error) {
	id := c.params["id"]
	g, err := s.store.Generation(id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && g.Owner != c.owner):
		return 0, nil, errorf(http.StatusNotFound, "no video generation %s", id)
	case err != nil:
		return 0, nil, fmt.Errorf("reading generation: %w", err)
	}
	return http.StatusOK, generationView(g), nil
}
