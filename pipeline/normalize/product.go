package normalize

import "unicode"

// ProductKey is the key reports group a product name by, so that one
// product written several ways counts once: a Taiwanese shop's 降噪耳機 and a
// mainland shop's 降噪耳机, or "AirPods Pro", "airpods  pro" and the
// full-width "ＡｉｒＰｏｄｓ Pro". It folds full-width ASCII to half-width,
// converts traditional Chinese to simplified (character by character, with
// the tables Simplified uses), lower-cases every letter, drops zero-width
// marks and control characters, collapses runs of white space to one space
// and trims the ends. A name of white space only has the key "". Invalid
// UTF-8 bytes are dropped, so the key is always valid UTF-8, and
// ProductKey(ProductKey(s)) == ProductKey(s).
//
// The key is for grouping and filtering, never for display: show the
// product by one of its written forms. It deliberately does not translate
// vocabulary (智能 and 智慧 stay different words) or strip model numbers.
//
// The warehouse stores the key beside each item (items.product_key) and
// computes it only for items that have none, so changing what this function
// returns needs a warehouse migration that sets product_key back to NULL.
func ProductKey(name string) string {
	return foldString(name, func(r rune) rune { return simplest(unicode.ToLower(r)) })
}

// simplest follows Simplified to its end. OpenCC's character table has a
// few chains that one step leaves half-way (麼→么→幺, 薴→苧→苎), and a key
// must not change when it is keyed again.
func simplest(r rune) rune {
	for range 4 {
		s := Simplified(r)
		if s == r {
			break
		}
		r = s
	}
	return r
}
