package themes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// MatcherRevision counts changes to the matching logic itself (negation,
// clause rules, escalation lists in code). Bump it with any change that
// alters what Tag returns for the same taxonomy, so stored tags are
// recomputed.
const MatcherRevision = 3

// Fingerprint identifies what a matcher built from t (and model m, which
// may be nil) finds: the taxonomy's content, the matcher's revision and the
// model's version. The pipeline stores it with every tagging and re-tags
// history when it changes, as it does for a new sentiment model.
func Fingerprint(t *Taxonomy, m *Model) string {
	var b bytes.Buffer
	if err := WriteYAML(&b, t); err != nil {
		// WriteYAML fails only on a writer error; bytes.Buffer has none.
		panic("themes: fingerprint: " + err.Error())
	}
	if m != nil {
		b.WriteString("\nmodel: " + m.Version())
	}
	sum := sha256.Sum256(b.Bytes())
	return "tax" + strconv.Itoa(MatcherRevision) + "-" + hex.EncodeToString(sum[:8])
}
