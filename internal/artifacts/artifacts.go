// Package artifacts serves the files a generation produces — a small valid
// MP4 for video_url and a JPEG for thumbnail_url — and records every fetch.
// Per generation it can answer slowly or with a number of 503s first, which
// makes a receiver's asynchronous processing and retry logic visible from
// outside: the mock and the conformance harness both mount it.
package artifacts

import "time"

// Behavior shapes the answers for one generation's video. It applies to
// GET requests for the video; HEAD requests and thumbnails answer at once.
type Behavior struct {
	// Delay holds each video answer back this long (the request's context
	// still cancels it).
	Delay time.Duration
	// FailFirst answers 503 to this many video fetches before serving it.
	FailFirst int
}

// Fetch is one request for an artifact.
type Fetch struct {
	GenerationID string    `json:"generation_id"`
	Kind         string    `json:"kind"`   // "video" or "thumbnail"
	Method       string    `json:"method"` // GET or HEAD
	Path         string    `json:"path"`
	At           time.Time `json:"at"`
	// Status is the answer chosen when the request arrived; a client that
	// hangs up during a Delay never receives it.
	Status    int    `json:"status"`
	UserAgent string `json:"user_agent,omitempty"`
}

// Fetch kinds.
const (
	KindVideo     = "video"
	KindThumbnail = "thumbnail"
)

// Paths under the server's mount point, relative to the public base URL.
const (
	VideoPrefix     = "/videos/"     // VideoPrefix + id + ".mp4"
	ThumbnailPrefix = "/thumbnails/" // ThumbnailPrefix + id + ".jpg"
)

// VideoPath and ThumbnailPath give a generation's artifact paths.
func VideoPath(id string) string     { return VideoPrefix + id + ".mp4" }
func ThumbnailPath(id string) string { return ThumbnailPrefix + id + ".jpg" }
