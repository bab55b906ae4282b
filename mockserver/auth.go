package mockserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Authentication failures; both are answered with 401.
var (
	errNoToken = errors.New("missing bearer token: send Authorization: Bearer <api key>")
	errBadKey  = errors.New("invalid API key")
)

// authenticator checks bearer tokens. It keeps SHA-256 digests of the
// configured keys rather than the keys, and compares digests: equal
// lengths, so the comparison's time says nothing about a key's length.
type authenticator struct {
	digests [][sha256.Size]byte // empty: any non-empty token is accepted
}

func newAuthenticator(keys []string) *authenticator {
	a := &authenticator{}
	for _, k := range keys {
		a.digests = append(a.digests, sha256.Sum256([]byte(k)))
	}
	return a
}

// owner returns the owner of a token, a short digest of it, or false when
// keys are configured and the token is none of them. Every key is compared,
// whatever matched, so the time taken does not say which key matched.
func (a *authenticator) owner(token string) (string, bool) {
	d := sha256.Sum256([]byte(token))
	if len(a.digests) > 0 {
		match := 0
		for i := range a.digests {
			match |= subtle.ConstantTimeCompare(d[:], a.digests[i][:])
		}
		if match != 1 {
			return "", false
		}
	}
	return hex.EncodeToString(d[:8]), true
}

// authenticate is the AuthenticationFunc of request validation: it checks
// the bearer token and records its owner in the request's info.
func (a *authenticator) authenticate(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
	if !isBearer(in.SecurityScheme) {
		// checkSecuritySchemes refuses such documents at construction.
		return fmt.Errorf("security scheme %q is not supported", in.SecuritySchemeName)
	}
	token, ok := bearerToken(in.RequestValidationInput.Request.Header.Get("Authorization"))
	if !ok {
		return errNoToken
	}
	owner, ok := a.owner(token)
	if !ok {
		return errBadKey
	}
	infoFrom(ctx).owner = owner
	return nil
}

// bearerToken extracts the token of "Bearer <token>" (the scheme name is
// case-insensitive, RFC 7235).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func isBearer(s *openapi3.SecurityScheme) bool {
	return s != nil && s.Type == "http" && strings.EqualFold(s.Scheme, "bearer")
}

// checkSecuritySchemes refuses a document whose security schemes this
// server cannot check, so that an edited document fails at start rather
// than on every request.
func checkSecuritySchemes(doc *openapi3.T) error {
	if doc.Components == nil {
		return nil
	}
	for name, ref := range doc.Components.SecuritySchemes {
		if !isBearer(ref.Value) {
			return fmt.Errorf("security scheme %q: only HTTP bearer is supported", name)
		}
	}
	return nil
}
