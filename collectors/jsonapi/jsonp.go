package jsonapi

import (
	"bytes"
)

// StripJSONP returns the JSON inside a JSONP answer such as
// `jQuery1234_5678({...});` or `/**/ cb([...])`, and b itself when it is
// not wrapped. The callback name must look like a JavaScript identifier
// path (letters, digits, _, $ and dots).
func StripJSONP(b []byte) []byte {
	t := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	for bytes.HasPrefix(t, []byte("/*")) {
		end := bytes.Index(t, []byte("*/"))
		if end < 0 {
			return b
		}
		t = bytes.TrimSpace(t[end+2:])
	}
	if len(t) == 0 || t[0] == '{' || t[0] == '[' {
		return t
	}
	open := bytes.IndexByte(t, '(')
	if open <= 0 {
		return b
	}
	name := bytes.TrimSpace(t[:open])
	if bytes.HasPrefix(name, []byte("typeof ")) { // typeof cb === 'function' && cb(...)
		if amp := bytes.LastIndex(name, []byte("&&")); amp >= 0 {
			name = bytes.TrimSpace(name[amp+2:])
		}
	}
	if len(name) == 0 {
		return b
	}
	for _, c := range name {
		if !(c == '_' || c == '$' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return b
		}
	}
	rest := bytes.TrimSpace(t[open+1:])
	rest = bytes.TrimSpace(bytes.TrimSuffix(rest, []byte(";")))
	if !bytes.HasSuffix(rest, []byte(")")) {
		return b
	}
	inner := bytes.TrimSpace(rest[:len(rest)-1])
	if len(inner) == 0 || (inner[0] != '{' && inner[0] != '[' && inner[0] != '"') {
		return b // a script, not a JSON answer in a callback
	}
	return inner
}
