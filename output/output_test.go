package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
)

func TestGuardFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝1+1", "'＝1+1"},
		{" =1+1", "' =1+1"},
		{"\u00a0=cmd|' /C calc'!A0", "'\u00a0=cmd|' /C calc'!A0"},
		{"\u3000+1", "'\u3000+1"},
		{"\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"},
		{"  ＝1", "'  ＝1"},
		{"   ", "   "},
		{"物流很快", "物流很快"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := GuardFormula(tt.in); got != tt.want {
			t.Errorf("GuardFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Review text on a terminal cannot set its title or clear it.
func TestWriteTableEscapesControlCharacters(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, Table{Columns: []string{"text\x1b[2J"}, Rows: [][]any{{"\x1b]0;pwned\x07好评\u202e"}}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("control characters reached the terminal: %q", out)
	}
	if !strings.Contains(out, `\x1b]0;pwned\x07好评\u{202e}`) {
		t.Errorf("escaped text not shown: %q", out)
	}
}

func TestWriteCSVNeutralisesTextButKeepsNumbers(t *testing.T) {
	tab := Table{
		Columns: []string{"text", "delta", "=col"},
		Rows: [][]any{
			{"=cmd|' /C calc'!A0", int64(-3), 1.5},
			{"好评", -0.25, nil},
		},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tab); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	want := [][]string{
		{"text", "delta", "'=col"},
		{"'=cmd|' /C calc'!A0", "-3", "1.5"},
		{"好评", "-0.25", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestWriteJSONKeepsColumnOrderAndTypes(t *testing.T) {
	ts := time.Date(2026, 11, 3, 14, 5, 9, 0, time.UTC)
	tab := Table{
		Columns: []string{"source", "n", "avg", "at", "nan"},
		Rows:    [][]any{{"<script>", int64(3), 4.5, ts, math.NaN()}},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, tab); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", buf.String(), err)
	}
	if len(got) != 1 || got[0]["source"] != "<script>" || got[0]["n"] != 3.0 || got[0]["avg"] != 4.5 ||
		got[0]["at"] != "2026-11-03T14:05:09Z" || got[0]["nan"] != "NaN" {
		t.Errorf("got %v", got)
	}
	if i, j := strings.Index(buf.String(), `"source"`), strings.Index(buf.String(), `"nan"`); i > j {
		t.Errorf("columns out of order: %s", buf.String())
	}
	buf.Reset()
	if err := WriteJSON(&buf, Table{Columns: []string{"a"}}); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty result = %q, %v; want []", buf.String(), err)
	}
}

func TestWriteTableAlignsWideCharacters(t *testing.T) {
	tab := Table{
		Columns: []string{"level", "label", "n"},
		Rows: [][]any{
			{int64(5), "高度满意", int64(120)},
			{int64(3), "neutral", int64(7)},
			{int64(1), "极不满意\n第二行", nil},
		},
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, tab); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("want header, rule, 3 rows, footer; got %d lines:\n%s", len(lines), buf.String())
	}
	// The last column is numeric and right-aligned, so aligned lines all
	// have the same display width.
	for _, l := range lines[1:5] {
		if runewidth.StringWidth(l) != runewidth.StringWidth(lines[0]) {
			t.Errorf("misaligned line %q (width %d, header %d)", l, runewidth.StringWidth(l), runewidth.StringWidth(lines[0]))
		}
	}
	if strings.Contains(buf.String(), "第二行\n") {
		t.Errorf("newline inside a cell broke the row:\n%s", buf.String())
	}
	if lines[5] != "(3 rows)" {
		t.Errorf("footer = %q", lines[5])
	}
}

func TestTextRendersNestedValuesAsJSON(t *testing.T) {
	v := []any{map[string]any{"phrase": "慢", "weight": -1.5}}
	if got := Text(v); got != `[{"phrase":"慢","weight":-1.5}]` {
		t.Errorf("Text = %s", got)
	}
	if got := Text([]any{"12315", "<消协>"}); got != `["12315","<消协>"]` {
		t.Errorf("Text = %s", got)
	}
}
