package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// decode unmarshals the validated body into v.
func (c *call) decode(v any) error {
	if err := json.Unmarshal(c.body, v); err != nil {
		// The validator decodes the first JSON value and ignores what
		// follows; this is stricter.
		return errorf(http.StatusBadRequest, "request body: %v", err)
	}
	return nil
}

// jsonBuffers recycles the buffers answers are encoded into: most answers
// are small and alike, and the mock answers many.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeFailure answers for a value that cannot be encoded, which only a
// programming error produces.
var encodeFailure = []byte(`{"error":{"type":"internal_error","message":"internal error: encoding the answer failed"}}`)

// writeJSON answers with v as JSON (without HTML escaping: messages show
// "<", not "\u003c").
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a huge answer's buffer is left to the GC
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	b := encodeFailure
	if err := enc.Encode(v); err == nil {
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	} else {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
