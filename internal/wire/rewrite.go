package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// The body faults rewrite an event without changing what it means (or
// changing exactly one thing). They work on an ordered view of the JSON
// object, because encoding/json's maps would lose the key order that the
// key-order fault is about, and keep every value's bytes as they came.

// member is one key of a JSON object with its value's raw bytes.
type member struct {
	key   string
	value json.RawMessage
}

// object is a JSON object with its keys in document order.
type object []member

// errNotObject is returned when a body fault needs a JSON object and the
// message's body is something else.
var errNotObject = errors.New("body is not a JSON object")

// parseObject decodes b, which must be exactly one JSON object.
func parseObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	var o object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNotObject, err)
		}
		key, _ := tok.(string) // inside an object the decoder only yields string keys
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", errNotObject, err)
		}
		o = append(o, member{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("%w: %v", errNotObject, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", errNotObject)
	}
	return o, nil
}

// index returns the position of key, or -1.
func (o object) index(key string) int {
	for i, m := range o {
		if m.key == key {
			return i
		}
	}
	return -1
}

// set replaces key's value, or appends the key when it is absent.
func (o object) set(key string, value json.RawMessage) object {
	if i := o.index(key); i >= 0 {
		o[i].value = value
		return o
	}
	return append(o, member{key, value})
}

// data returns the "data" member as an object, if it is one.
func (o object) data() (object, bool) {
	i := o.index("data")
	if i < 0 {
		return nil, false
	}
	d, err := parseObject(o[i].value)
	return d, err == nil
}

// reversed returns the members in reverse order.
func (o object) reversed() object {
	r := make(object, len(o))
	for i, m := range o {
		r[len(o)-1-i] = m
	}
	return r
}

// marshal encodes the object compactly; values keep their bytes.
func (o object) marshal() []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(jsonString(m.key))
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// jsonString encodes s as a JSON string.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// withData returns o with its "data" member replaced by d.
func (o object) withData(d object) object {
	return o.set("data", d.marshal())
}

// escapeUnicode rewrites the string literals of the valid JSON document b
// with \u escapes that decode to the same text: every non-ASCII character,
// every '/', and the first character of each string value when it is a
// letter (so that even an ASCII-only event changes on the wire). Values that
// start with a digit, RFC 3339 timestamps among them, keep their first
// character: some decoders (Go's time.Time, for one) parse timestamps from
// the raw bytes. Keys keep their letters; existing escapes are copied as
// they are.
func escapeUnicode(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i < len(b); {
		if b[i] != '"' {
			out = append(out, b[i])
			i++
			continue
		}
		end := stringEnd(b, i)
		out = appendEscaped(out, b[i+1:end], !isKey(b, end+1))
		i = end + 1
	}
	return out
}

// stringEnd returns the index of the quote closing the string literal that
// starts at b[start].
func stringEnd(b []byte, start int) int {
	j := start + 1
	for j < len(b) && b[j] != '"' {
		if b[j] == '\\' {
			j++
		}
		j++
	}
	return min(j, len(b))
}

// isKey reports whether the next significant byte from i is a colon, i.e.
// the string literal that ended just before i is an object key.
func isKey(b []byte, i int) bool {
	for ; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// appendEscaped appends the quoted literal whose contents are s.
func appendEscaped(out, s []byte, value bool) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			n := 2
			if i+1 < len(s) && s[i+1] == 'u' {
				n = 6
			}
			n = min(n, len(s)-i)
			out = append(out, s[i:i+n]...)
			i += n
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s[i:])
			out = appendRuneEscape(out, r)
			i += size
		case c == '/' || (value && i == 0 && isLetter(c)):
			out = appendRuneEscape(out, rune(c))
			i++
		default:
			out = append(out, c)
			i++
		}
	}
	return append(out, '"')
}

// appendRuneEscape appends r as \uXXXX, or as a surrogate pair beyond the
// Basic Multilingual Plane.
func appendRuneEscape(out []byte, r rune) []byte {
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
		return appendU16(appendU16(out, r1), r2)
	}
	return appendU16(out, r)
}

func appendU16(out []byte, r rune) []byte {
	const hexDigits = "0123456789abcdef"
	return append(out, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// pad returns the JSON object body grown to exactly size bytes by a
// "_padding" string member at its end. A body already that large is
// returned as is.
func pad(body []byte, size int) ([]byte, error) {
	b := bytes.TrimSpace(body)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || !json.Valid(b) {
		return nil, errNotObject
	}
	head := b[:len(b)-1]
	sep := `,"_padding":"`
	if len(bytes.TrimSpace(head)) == 1 { // "{}": no member before the padding
		sep = `"_padding":"`
	}
	n := size - len(head) - len(sep) - len(`"}`)
	if n < 0 {
		return body, nil
	}
	out := make([]byte, size)
	i := copy(out, head)
	i += copy(out[i:], sep)
	fill := out[i : i+n]
	if n > 0 {
		fill[0] = 'x'
		for done := 1; done < n; done *= 2 {
			copy(fill[done:], fill[:done])
		}
	}
	copy(out[i+n:], `"}`)
	return out, nil
}
