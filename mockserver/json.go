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

// jsonEncoders recycles the buffers answers are encoded into, each with its
// encoder: most answers are small and alike, and the mock answers many.
var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encodeFailure answers for a value that cannot be encoded, which only a
// programming error produces.
var encodeFailure = []byte(`{"error":{"type":"internal_error","message":"internal error: encoding the answer failed"}}`)

// writeJSON answers with v as JSON (without HTML escaping: messages show
// "<", not "\u003c").
func writeJSON(w http.ResponseWriter, status int, v any) {
	e := jsonEncoders.Get().(*jsonEncoder)
	defer func() {
		if e.buf.Cap() <= 64<<10 { // a huge answer's buffer is left to the GC
			e.buf.Reset()
			jsonEncoders.Put(e)
		}
	}()
	b := encodeFailure
	if err := e.enc.Encode(v); err == nil {
		b = bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	} else {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
