package tabular

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// Encoding names DetectEncoding returns and Result.Encoding reports.
const (
	EncodingUTF8    = "utf-8"
	EncodingGBK     = "gbk"
	EncodingGB18030 = "gb18030"
	EncodingBig5    = "big5"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DetectEncoding guesses the encoding of a text export:
//
//  1. a byte-order mark decides (UTF-8, UTF-16 LE or BE);
//  2. NUL bytes in most odd (or even) positions mean UTF-16 LE (or BE)
//     without a BOM, as Excel's "Unicode text" and some SurveyMonkey
//     exports are: ASCII delimiters, digits and line breaks carry a NUL;
//  3. valid UTF-8 is UTF-8;
//  4. otherwise the text is Chinese from a legacy Windows program: it is
//     decoded as both GB18030 and Big5 and the reading with more common
//     Chinese characters and fewer invalid sequences wins, GBK on a tie
//     because mainland exports (Excel, 问卷星) are by far the most common.
//     "gb18030" is returned instead of "gbk" when four-byte GB18030
//     sequences occur.
//
// Other legacy encodings (Shift-JIS, Windows-1252 ...) are not detected;
// such files must name their encoding, and only the ones in
// CanonicalEncoding are supported.
func DetectEncoding(b []byte) string {
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		return EncodingUTF8
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE
	}
	if enc := sniffUTF16(b); enc != "" {
		return enc
	}
	if utf8.Valid(b) || mostlyUTF8(b) {
		return EncodingUTF8
	}
	return guessChinese(b)
}

// mostlyUTF8 reports a UTF-8 file with a few damaged lines: of its lines
// with non-ASCII bytes, at most 1 in 50 (and at least one) is invalid.
// One stray byte must not turn a whole UTF-8 export into GBK mojibake;
// the damaged lines are rejected on their own (see InvalidUTF8Lines).
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for line := range bytes.Lines(b) {
		if isASCII(line) {
			continue
		}
		if utf8.Valid(line) {
			valid++
		} else {
			invalid++
		}
	}
	return valid > 0 && invalid*50 <= valid
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// InvalidUTF8Lines lists the 1-based lines of b that are not valid UTF-8.
func InvalidUTF8Lines(b []byte) []int {
	var out []int
	n := 0
	for line := range bytes.Lines(b) {
		n++
		if !utf8.Valid(line) {
			out = append(out, n)
		}
	}
	return out
}

// sniffUTF16 looks for the NUL pattern of BOM-less UTF-16 in the first 4 KB.
func sniffUTF16(b []byte) string {
	b = b[:min(len(b), 4096)]
	pairs := len(b) / 2
	if pairs < 2 {
		return ""
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd*4 >= pairs && even*4 <= odd:
		return EncodingUTF16LE
	case even*4 >= pairs && odd*4 <= even:
		return EncodingUTF16BE
	}
	return ""
}

func guessChinese(b []byte) string {
	sample := b[:min(len(b), 64<<10)]
	gb := chineseScore(simplifiedchinese.GB18030, sample)
	big := chineseScore(traditionalchinese.Big5, sample)
	if big > gb {
		return EncodingBig5
	}
	if hasGB18030FourByte(sample) {
		return EncodingGB18030
	}
	return EncodingGBK
}

func chineseScore(enc encoding.Encoding, b []byte) int {
	text, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return -1 << 30
	}
	score := 0
	for _, r := range string(text) {
		switch {
		case r == utf8.RuneError:
			score -= 4
		case r >= 0xE000 && r <= 0xF8FF: // private use: a misreading
			score -= 2
		case commonHan[r]:
			score++
		}
	}
	return score
}

// hasGB18030FourByte reports a lead byte followed by a digit byte, which
// only GB18030's four-byte sequences produce.
func hasGB18030FourByte(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] < 0x81 {
			continue
		}
		if i+1 < len(b) && b[i+1] >= 0x30 && b[i+1] <= 0x39 {
			return true
		}
		i++
	}
	return false
}

// commonHan holds frequent characters of survey answers in both scripts;
// a correct decoding of Chinese text is mostly made of them, a decoding in
// the wrong encoding mostly of rare ones.
var commonHan = func() map[rune]bool {
	const simplified = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切价格质服务态度递装客速推荐购买错差评希建议见店铺货退换尺码颜效果非常满意般购物体验性价比味道包装"
	const traditional = "這個國說們為時會著過學對裡後麼發當開頭經動兩長樣現將與進實點種聲話兒問機給幾業間東門聽氣關並內卻軍產萬體別處總場師書員華報馬張難數車應親務邊風戰許覺統請愛讓認論義術結連遠資隊帶條變聯權該領傳紅決保達辦區轉眾輕語極黃臉錢黨設雙歷網專誰讀飛觀爭組視濟喜離雖壞興價質服務態遞裝購買錯評議見店鋪貨換碼顏滿意還購物體驗性價比味道包裝非常一般"
	m := make(map[rune]bool, 1200)
	for _, r := range simplified + traditional {
		m[r] = true
	}
	return m
}()

// Decode turns body into text. An explicit encoding name wins; "" detects.
// A leading BOM is removed, and invalid UTF-8 becomes U+FFFD so nothing
// downstream sees broken strings.
func Decode(body []byte, explicit string) (text, name string, err error) {
	if explicit == "" {
		name = DetectEncoding(body)
	} else if name, err = CanonicalEncoding(explicit, body); err != nil {
		return "", "", err
	}
	var enc encoding.Encoding
	switch name {
	case EncodingUTF8:
		return strings.ToValidUTF8(strings.TrimPrefix(string(body), "\uFEFF"), "\uFFFD"), name, nil
	case EncodingGBK, EncodingGB18030:
		enc = simplifiedchinese.GB18030
	case EncodingBig5:
		enc = traditionalchinese.Big5
	case EncodingUTF16LE:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case EncodingUTF16BE:
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", "", fmt.Errorf("decode as %s: %w", name, err)
	}
	return strings.ToValidUTF8(strings.TrimPrefix(string(out), "\uFEFF"), "\uFFFD"), name, nil
}

// CanonicalEncoding maps a configured name to one Decode knows. "utf-16"
// follows the BOM when there is one and assumes little-endian (Windows)
// otherwise.
func CanonicalEncoding(s string, body []byte) (string, error) {
	switch strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s)) {
	case "utf8":
		return EncodingUTF8, nil
	case "gbk", "gb2312", "cp936":
		return EncodingGBK, nil
	case "gb18030":
		return EncodingGB18030, nil
	case "big5", "cp950":
		return EncodingBig5, nil
	case "utf16":
		if bytes.HasPrefix(body, []byte{0xFE, 0xFF}) {
			return EncodingUTF16BE, nil
		}
		return EncodingUTF16LE, nil
	case "utf16le":
		return EncodingUTF16LE, nil
	case "utf16be":
		return EncodingUTF16BE, nil
	}
	return "", fmt.Errorf("unknown encoding %q (want utf-8, gbk, gb18030, big5, utf-16, utf-16le or utf-16be)", s)
}
