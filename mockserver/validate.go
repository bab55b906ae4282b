package mockserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// call is a request that passed validation, as an operation sees it.
type call struct {
	r      *http.Request
	params map[string]string // path parameters
	owner  string            // the API key's owner; "" where no auth is required
	body   []byte
}

// operation handles one OpenAPI operation: it returns the status and the
// value to answer with as JSON (nil for no body), or an error.
type operation func(c *call) (int, any, error)

// api serves one OpenAPI document: each request is routed, validated
// (authentication included) and handed to its operation, in that order,
// and every failure is answered with the JSON error envelope.
type api struct {
	router   routers.Router
	ops      map[*openapi3.Operation]operation
	methods  []string // every method of the document, to compute Allow
	validate *openapi3filter.Options
	noBody   *openapi3filter.Options // validate without the request body
	logger   *slog.Logger
}

// newAPI builds the route table of doc once. Every operation of the
// document needs a handler and every handler an operation, so that the
// document and the code cannot drift apart unnoticed.
func newAPI(name string, doc *openapi3.T, handlers map[string]operation, auth *authenticator, logger *slog.Logger) (*api, error) {
	if err := checkSecuritySchemes(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: routes: %w", name, err)
	}
	a := &api{
		router: router,
		ops:    map[*openapi3.Operation]operation{},
		validate: &openapi3filter.Options{
			AuthenticationFunc: auth.authenticate,
			// Defaults are applied by the handlers; letting the validator
			// write them would re-encode every body.
			SkipSettingDefaults: true,
			// Messages name the field and the rule, never the value. The
			// "uri" format is left to the documents' patterns and the
			// handlers, which parse URLs anyway.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
		},
		logger: logger,
	}
	noBody := *a.validate
	noBody.ExcludeRequestBody = true
	a.noBody = &noBody
	seen := map[string]bool{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			h, ok := handlers[op.OperationID]
			switch {
			case op.OperationID == "":
				return nil, fmt.Errorf("%s: %s %s has no operationId", name, method, path)
			case !ok:
				return nil, fmt.Errorf("%s: operation %s (%s %s) is not implemented", name, op.OperationID, method, path)
			case seen[op.OperationID]:
				return nil, fmt.Errorf("%s: operationId %s is used twice", name, op.OperationID)
			}
			seen[op.OperationID] = true
			a.ops[op] = h
			if !slices.Contains(a.methods, method) {
				a.methods = append(a.methods, method)
			}
		}
	}
	for id := range handlers {
		if !seen[id] {
			return nil, fmt.Errorf("%s: operation %s is missing from the document", name, id)
		}
	}
	slices.Sort(a.methods)
	return a, nil
}

// routes is the number of operations served.
func (a *api) routes() int { return len(a.ops) }

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, err := a.router.FindRoute(r)
	if err != nil {
		a.fail(w, r, a.routeError(r, err, w.Header()))
		return
	}
	r, info := withInfo(r)
	info.route = route.Operation.OperationID

	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		if body, err = readBody(r); err != nil {
			if e, ok := tooLargeError(err); ok {
				a.fail(w, r, e)
				return
			}
			a.fail(w, r, errorf(http.StatusBadRequest, "reading the request body: %v", err))
			return
		}
	}
	if err := a.validateRequest(r, route, params, body); err != nil {
		a.fail(w, r, validationError(err))
		return
	}

	status, v, err := a.ops[route.Operation](&call{r: r, params: params, owner: info.owner, body: body})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

// validateRequest checks r against its route: security, then parameters,
// then the body, which is the order and the errors of
// openapi3filter.ValidateRequest. The first two steps get the request
// without its body: ValidateRequest would read the body into a new buffer
// for the authentication function, which reads only headers, and once more
// for the schema. The body step reads it once, from the bytes read already.
func (a *api) validateRequest(r *http.Request, route *routers.Route, params map[string]string, body []byte) error {
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: a.noBody}
	r.Body, r.GetBody = http.NoBody, nil
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return err
	}
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		// ValidateRequest ignores a body the operation does not describe.
		return nil
	}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	in.Options = a.validate
	return openapi3filter.ValidateRequestBody(r.Context(), in, rb.Value)
}

// readBody reads r's body whole. limitBody refused a declared length over
// the limit, so a declared length sizes the buffer exactly (one byte more,
// to see the end without growing); io.ReadAll would start at 512 bytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength <= 0 || r.ContentLength > DefaultMaxBodyBytes {
		return io.ReadAll(r.Body)
	}
	b := make([]byte, 0, r.ContentLength+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // more than declared (a request built by hand)
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, a.logger, err)
}

// routeError maps a routing failure; for 405 it sets Allow.
func (a *api) routeError(r *http.Request, err error, h http.Header) error {
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		return errorf(http.StatusNotFound, "no such path: %s", r.URL.Path)
	case errors.Is(err, routers.ErrMethodNotAllowed):
		allow := a.allowed(r)
		h.Set("Allow", strings.Join(allow, ", "))
		return errorf(http.StatusMethodNotAllowed, "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
	}
	return err
}

// allowed lists the methods the request's path answers to. It runs only for
// 405s, so trying each method of the document is cheap enough.
func (a *api) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range a.methods {
		probe := *r
		probe.Method = m
		if _, _, err := a.router.FindRoute(&probe); err == nil {
			allow = append(allow, m)
		}
	}
	return allow
}

// validationError maps a validation failure to the API's answer. The
// security error is checked first: it wraps the errors of each scheme,
// which may be RequestErrors themselves.
func validationError(err error) error {
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sec) {
		switch {
		case errors.Is(err, errNoToken):
			return errorf(http.StatusUnauthorized, "%v", errNoToken)
		case errors.Is(err, errBadKey):
			return errorf(http.StatusUnauthorized, "%v", errBadKey)
		}
		return errorf(http.StatusUnauthorized, "not authenticated")
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		if e, ok := tooLargeError(re); ok {
			return e
		}
		return errorf(http.StatusBadRequest, "%s", requestErrorMessage(re))
	}
	return err
}

// requestErrorMessage says what is wrong and where: the parameter or the
// body field, and the rule it breaks.
func requestErrorMessage(re *openapi3filter.RequestError) string {
	where := "request"
	switch {
	case re.Parameter != nil:
		where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
	case re.RequestBody != nil:
		where = "request body"
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		if p := se.JSONPointer(); len(p) > 0 {
			where += fmt.Sprintf(" %q", "/"+strings.Join(p, "/"))
		}
		return where + ": " + schemaReason(se)
	}
	reason := re.Reason
	if strings.HasPrefix(reason, "failed to decode") {
		reason = "cannot be decoded"
	}
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return where + " is required"
	case re.Err != nil && reason != "":
		return where + ": " + reason + ": " + re.Err.Error()
	case re.Err != nil:
		return where + ": " + re.Err.Error()
	}
	return where + ": " + reason
}

// errorMessageExtension on a schema of the documents replaces the
// validator's wording of a pattern, format or oneOf failure (which would
// show a regular expression or name no field) with the document's own.
const errorMessageExtension = "x-error-message"

func schemaReason(se *openapi3.SchemaError) string {
	switch se.SchemaField {
	case "pattern", "format", "oneOf", "anyOf":
		if se.Schema != nil {
			if msg, ok := se.Schema.Extensions[errorMessageExtension].(string); ok && msg != "" {
				return msg
			}
		}
	}
	if se.Reason == "" {
		return fmt.Sprintf("does not match %q", se.SchemaField)
	}
	return se.Reason
}
