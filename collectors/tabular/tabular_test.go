package tabular

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func utf16le(s string, bom bool) []byte {
	var b bytes.Buffer
	if bom {
		b.Write([]byte{0xFF, 0xFE})
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

func encode(t *testing.T, s string, big5 bool) []byte {
	t.Helper()
	enc := simplifiedchinese.GBK.NewEncoder()
	if big5 {
		enc = traditionalchinese.Big5.NewEncoder()
	}
	b, err := enc.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every encoding an export arrives in opens to the same records, with
// physical line numbers that count the lines of a quoted multi-line cell.
func TestOpenReadsRecordsWithPhysicalLines(t *testing.T) {
	text := "编号,满意度,意见\r\n1,非常满意,\"第一行\r\n第二行\"\r\n2,满意,很好\r\n\r\n3,不满意,\"引号\"\"里\"\r\n"
	tw := "編號,滿意度,意見\r\n1,非常滿意,\"第一行\r\n第二行\"\r\n2,滿意,很好\r\n\r\n3,不滿意,\"引號\"\"裡\"\r\n"
	tests := []struct {
		name, encoding string
		body           []byte
	}{
		{"utf-8", EncodingUTF8, []byte(text)},
		{"utf-8 bom", EncodingUTF8, append([]byte{0xEF, 0xBB, 0xBF}, text...)},
		{"gbk", EncodingGBK, encode(t, text, false)},
		{"big5", EncodingBig5, encode(t, tw, true)},
		{"utf-16le bom", EncodingUTF16LE, utf16le(text, true)},
		{"utf-16le no bom", EncodingUTF16LE, utf16le(text, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.body, "")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Encoding != tt.encoding {
				t.Errorf("encoding %q, want %q", f.Encoding, tt.encoding)
			}
			var lines []int
			var cells [][]string
			for {
				rec, ok, err := f.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				if Blank(rec.Cells) {
					continue
				}
				lines = append(lines, rec.Line)
				cells = append(cells, rec.Cells)
			}
			if got := fmt.Sprint(lines); got != "[1 2 4 6]" {
				t.Errorf("lines %v, want header at 1 and records at 2, 4 (after a two-line cell) and 6 (after a blank line)", lines)
			}
			if len(cells) != 4 || !strings.Contains(cells[1][2], "第二行") || !strings.HasSuffix(cells[3][2], "里") && !strings.HasSuffix(cells[3][2], "裡") {
				t.Errorf("cells %q", cells)
			}
		})
	}
}

func TestSniffDelimiter(t *testing.T) {
	for _, tc := range []struct {
		text string
		want rune
		skip int
	}{
		{"a,b,c\n1,2,3\n", ',', 0},
		{"a\tb\tc\n1\t2,5\t3\n", '\t', 0},
		{"a;b;c\n1;\"x;y\";3\n", ';', 0},
		{"sep=;\na;b\n1;2\n", ';', 1},
	} {
		got, skip := SniffDelimiter(tc.text)
		if got != tc.want || (skip > 0) != (tc.skip > 0) {
			t.Errorf("SniffDelimiter(%q) = %q, %d; want %q, skip %v", tc.text, got, skip, tc.want, tc.skip > 0)
		}
	}
}
