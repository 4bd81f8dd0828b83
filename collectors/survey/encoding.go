package survey

import "github.com/voc-analytics/voc/collectors/tabular"

// Encoding names DetectEncoding returns and Result.Encoding reports.
const (
	EncodingUTF8    = tabular.EncodingUTF8
	EncodingGBK     = tabular.EncodingGBK
	EncodingGB18030 = tabular.EncodingGB18030
	EncodingBig5    = tabular.EncodingBig5
	EncodingUTF16LE = tabular.EncodingUTF16LE
	EncodingUTF16BE = tabular.EncodingUTF16BE
)

// DetectEncoding guesses the encoding of a text export; see
// tabular.DetectEncoding for the rules. Kept here because callers of this
// package (and the web collectors' charset sniffing) know it by this name.
func DetectEncoding(b []byte) string { return tabular.DetectEncoding(b) }
