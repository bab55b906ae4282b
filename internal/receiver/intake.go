package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/prismhook/prismhook/webhook"
)

// defectiveIntake stands in for webhook.Middleware for the defects that
// live inside verification or parsing. It follows Middleware step by step;
// each defect is one marked branch.
func (h *Handler) defectiveIntake(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeStatus(w, http.StatusMethodNotAllowed, "deliveries are POSTed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeStatus(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		writeStatus(w, http.StatusBadRequest, "unreadable body")
		return
	}
	if status, ok := h.defectiveVerify(r.Header, body); !ok {
		writeStatus(w, status, "signature refused")
		return
	}
	ev, err := webhook.Parse(body)
	if err != nil {
		// Defect: a parse error escapes as a server error.
		if h.opts.Defect == Defect500OnBadJSON {
			writeStatus(w, http.StatusInternalServerError, "internal server error")
			return
		}
		writeStatus(w, http.StatusBadRequest, "not a JSON event")
		return
	}
	h.accept(w, r, &webhook.Delivery{ID: r.Header.Get(webhook.DeliveryHeader), Event: ev, Body: body})
}

// defectiveVerify checks the signature with the receiver's defect applied,
// returning the status to refuse with when it does not pass.
func (h *Handler) defectiveVerify(header http.Header, body []byte) (status int, ok bool) {
	sig := header.Get(webhook.SignatureHeader)
	_, present := header[webhook.SignatureHeader]
	switch h.opts.Defect {
	case DefectAcceptUnsigned:
		// Defect: no header, no verification.
		if !present {
			return 0, true
		}
	case DefectFormatOnlySignature:
		// Defect: the format is checked, the digest never compared.
		if len(sig) == webhook.SignatureLength && isHex(sig) {
			return 0, true
		}
		return http.StatusUnauthorized, false
	case DefectCrashOnMalformedSignature:
		// Defect: a signature of the wrong length or encoding makes the
		// comparison throw, which ends as a 500.
		if present && (len(sig) != webhook.SignatureLength || !isHex(sig)) {
			return http.StatusInternalServerError, false
		}
	case DefectVerifyReencoded:
		// Defect: the signature is checked over re-encoded JSON, not over
		// the bytes that were signed.
		var compact bytes.Buffer
		if json.Compact(&compact, body) == nil {
			body = compact.Bytes()
		}
	case DefectVerifyLatin1:
		// Defect: the body is read as ISO-8859-1 text and turned back into
		// bytes as UTF-8; every non-ASCII byte becomes two.
		body = latin1ToUTF8(body)
	}
	if err := webhook.Verify(h.opts.Secret, body, sig); err != nil {
		h.log.Info("delivery refused", "status", http.StatusUnauthorized, "delivery", header.Get(webhook.DeliveryHeader), "err", err)
		return http.StatusUnauthorized, false
	}
	return 0, true
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// latin1ToUTF8 reads b as ISO-8859-1 and encodes it as UTF-8.
func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
