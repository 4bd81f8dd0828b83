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

// anonymousAuthors are the names shops and app stores show for reviewers
// who chose not to be named. They name nobody: two of them are not one
// customer.
var anonymousAuthors = map[string]bool{
	"匿名": true, "匿名用户": true, "匿名買家": true, "匿名买家": true, "匿名用戶": true, "匿名會員": true, "匿名会员": true,
	"游客": true, "遊客": true, "买家": true, "買家": true, "用户": true, "用戶": true,
	"anonymous": true, "a customer": true, "amazon customer": true, "customer": true, "guest": true, "n/a": true,
}

// StableAuthor returns name if it can identify one customer across
// reviews, else "": anonymous placeholders, and masked nicknames (j***8,
// 李**) that shops show for many different people alike. Repeat-complainant
// detection keys on the result, so a wrong "same customer" is worse than a
// missed one.
func StableAuthor(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, "*＊") || anonymousAuthors[strings.ToLower(name)] {
		return ""
	}
	return name
}
