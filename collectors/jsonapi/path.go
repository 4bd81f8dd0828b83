package jsonapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled path into decoded JSON: keys separated by dots, "[]"
// for every element of an array and "[N]" for one (from 0), with an
// optional leading "$.": "data.comments[].content", "items[0].id",
// "[].score". Keys cannot contain '.', '[' or ']'.
type Path struct {
	src   string
	steps []step
}

type step struct {
	key   string // "" for an array step
	index int    // -1: every element; >= 0: that element
	array bool
}

// CompilePath parses a path. The empty path (or "$") is the value itself.
func CompilePath(s string) (Path, error) {
	p := Path{src: s}
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "$")
	t = strings.TrimPrefix(t, ".")
	if t == "" {
		return p, nil
	}
	if len(t) > 1000 {
		return Path{}, fmt.Errorf("path %q: too long", s[:40])
	}
	for _, seg := range strings.Split(t, ".") {
		key := seg
		rest := ""
		if i := strings.IndexByte(seg, '['); i >= 0 {
			key, rest = seg[:i], seg[i:]
		}
		if strings.ContainsAny(key, "]") {
			return Path{}, fmt.Errorf("path %q: unexpected ']' in %q", s, seg)
		}
		if key == "" && rest == "" {
			return Path{}, fmt.Errorf("path %q: empty key", s)
		}
		if key != "" {
			p.steps = append(p.steps, step{key: key})
		}
		for rest != "" {
			end := strings.IndexByte(rest, ']')
			if rest[0] != '[' || end < 0 {
				return Path{}, fmt.Errorf("path %q: malformed index in %q", s, seg)
			}
			inner := rest[1:end]
			st := step{array: true, index: -1}
			if inner != "" {
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return Path{}, fmt.Errorf("path %q: index %q is not a number from 0", s, inner)
				}
				st.index = n
			}
			p.steps = append(p.steps, st)
			rest = rest[end+1:]
		}
	}
	return p, nil
}

// String is the path as written.
func (p Path) String() string { return p.src }

// IsZero reports the empty path.
func (p Path) IsZero() bool { return len(p.steps) == 0 }

// Get returns every value the path reaches in v, in document order. A key
// missing on the way is no match, not an error.
func (p Path) Get(v any) []any {
	cur := []any{v}
	for _, st := range p.steps {
		var next []any
		for _, c := range cur {
			switch {
			case !st.array:
				if m, ok := c.(map[string]any); ok {
					if e, ok := m[st.key]; ok {
						next = append(next, e)
					}
				}
			default:
				a, ok := c.([]any)
				if !ok {
					continue
				}
				if st.index < 0 {
					next = append(next, a...)
				} else if st.index < len(a) {
					next = append(next, a[st.index])
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}

// First is the first value the path reaches.
func (p Path) First(v any) (any, bool) {
	vs := p.Get(v)
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// splitItems cuts an absolute field path at its first "[]": the part up to
// and including it is the items path, the rest is relative to one item.
// ok is false when the path has no "[]".
func splitItems(s string) (items, rel string, ok bool) {
	i := strings.Index(s, "[]")
	if i < 0 {
		return "", s, false
	}
	return s[:i+2], strings.TrimPrefix(s[i+2:], "."), true
}

// Text renders a scalar as text: strings as they are, numbers as written,
// booleans as true/false; null, objects and arrays are "".
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
