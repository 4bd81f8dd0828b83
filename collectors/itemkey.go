package collectors

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/voc-analytics/voc"
)

// ItemKey is the identity of a review whose source gives it no id: a hash
// of product, author, rating and text. Unlike voc.Item.ContentKey it leaves
// the date out, because shops write dates relative to today ("3天前"), and
// the same review read tomorrow must keep its identity.
func ItemKey(it *voc.Item) string {
	h := sha256.New()
	for _, part := range []string{string(it.Kind), it.Product, it.AuthorKey, strconv.Itoa(int(it.Rating)), strings.TrimSpace(it.Text)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "k:" + hex.EncodeToString(h.Sum(nil))[:32]
}
