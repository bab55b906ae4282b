package receiver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// crashOnBadJSON is DefectCrashOnBadInput: it reads a body of acceptable
// size and, when it is not JSON, aborts the request as an unrecovered panic
// in a handler would (net/http closes the connection without an answer).
// Otherwise the body is put back for the rest of the receiver.
func crashOnBadJSON(r *http.Request) {
	if r.ContentLength < 0 || r.ContentLength > MaxBodyBytes {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes))
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !json.Valid(body) {
		panic(http.ErrAbortHandler)
	}
}
