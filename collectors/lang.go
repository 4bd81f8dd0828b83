package collectors

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"github.com/voc-analytics/voc"
)

// Characters written differently in traditional and simplified Chinese and
// common in reviews. Counting them tells zh-Hant from zh-Hans well enough
// for reports; a text with neither counts as simplified, the common case.
const (
	hantMarks = "們這來個說對時會過還發貨質買賣東問題點麼樣裡嗎應讓覺體務與寶網號態錢錯單並從處邊後開關慢務壞換機電話給嗎實顏級產價"
	hansMarks = "们这来个说对时会过还发货质买卖东问题点么样里吗应让觉体务与宝网号态钱错单并从处边后开关慢务坏换机电话给吗实颜级产价"
)

// DetectLang guesses an item's language from its script: "zh-Hans" or
// "zh-Hant" when Han characters are at least a fifth of the letters,
// "en" for Latin text, "" when there is nothing to go on.
func DetectLang(text string) string {
	var han, latin, hant, hans int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			if strings.ContainsRune(hantMarks, r) {
				hant++
			} else if strings.ContainsRune(hansMarks, r) {
				hans++
			}
		case r < 0x250 && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case han > 0 && han*5 >= han+latin:
		if hant > hans {
			return "zh-Hant"
		}
		return "zh-Hans"
	case latin > 0:
		return "en"
	}
	return ""
}

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
