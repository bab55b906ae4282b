package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Error types of the JSON envelope, one per status the API answers with.
// spec/openapi.yaml and spec/mock.yaml list the same values.
var errorTypes = map[int]string{
	http.StatusBadRequest:            "invalid_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "payload_too_large",
	http.StatusInternalServerError:   "internal_error",
}

// apiError is an error the API answers with: a status and a message meant
// for the client. Any other error reaching writeError is internal: logged,
// and answered with a generic 500.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Message }

// Type is the envelope's "type" for the status.
func (e *apiError) Type() string {
	if t, ok := errorTypes[e.Status]; ok {
		return t
	}
	return errorTypes[http.StatusInternalServerError]
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON envelope of every error answer.
type errorBody struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with err in the JSON envelope. It is the only place
// that turns errors into responses, and the only one that logs internal
// errors; their text never reaches the client.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		logger.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
		ae = errorf(http.StatusInternalServerError, "internal error; the server log has the details (request id %s)", requestID(r.Context()))
	}
	var body errorBody
	body.Error.Type = ae.Type()
	body.Error.Message = ae.Message
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, ae.Status, body)
}
