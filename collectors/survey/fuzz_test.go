package survey

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

func FuzzParseLikert(f *testing.F) {
	for _, s := range []string{"5", "非常满意", "Very satisfied", "5 - Very satisfied", "非常满意(5)", "５分", "★★★", "4.0", "不满意", "", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lv, err := ParseLikert(s)
		if err != nil {
			if lv != voc.LevelNone {
				t.Fatalf("ParseLikert(%q) = %v with error %v", s, lv, err)
			}
			return
		}
		if strings.TrimSpace(s) == "" {
			if lv != voc.LevelNone {
				t.Fatalf("blank %q read as %v", s, lv)
			}
		} else if !lv.Valid() {
			t.Fatalf("ParseLikert(%q) = %v, no error", s, lv)
		}
		// Surrounding white space never changes an answer.
		lv2, err2 := ParseLikert(" \t" + s + "\u3000")
		if lv2 != lv || err2 != nil {
			t.Fatalf("padded %q = %v, %v; unpadded %v", s, lv2, err2, lv)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026/11/3 14:05:09", "2026-11-03T14:05:09Z", "2026年11月3日 14:05", "11/03/2026 02:05:09 PM", "46329.5", "20261103", "2026-11-03 14:05:09 +0100"} {
		f.Add(s)
	}
	loc := time.FixedZone("X", -5*3600)
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, loc, "")
		if err != nil {
			return
		}
		if y := tm.Year(); y < 1900 || y >= 2200 {
			t.Fatalf("ParseTime(%q) = %v, year out of range", s, tm)
		}
		// What was read can be written and read back to the same instant.
		back, err := ParseTime(tm.Format(time.RFC3339Nano), loc, "")
		if err != nil || !back.Equal(tm) {
			t.Fatalf("ParseTime(%q) = %v; round trip %v, %v", s, tm, back, err)
		}
	})
}

// FuzzParse feeds arbitrary bytes (seeded with every fixture) to Parse: it
// must not panic, and what it returns must account for every row exactly
// once, at distinct lines, with values in range.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("满意度,意见\n满意,好\n\"x\"y,1\n"))
	f.Add([]byte("sep=\t\nsatisfaction\tcomment\n5\tok\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		opt := Options{Location: time.UTC, Now: func() time.Time { return collected }}
		res, err := Parse(context.Background(), bytes.NewReader(body), "fuzz.csv", opt)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if res.Rows != len(res.Items)+len(res.Rejects) {
			t.Fatalf("rows %d != items %d + rejects %d", res.Rows, len(res.Items), len(res.Rejects))
		}
		maxLine := bytes.Count(body, []byte("\n")) + 1
		seen := map[int]bool{}
		mark := func(line int) {
			if line < 1 || (!bytes.HasPrefix(body, zipMagic) && line > maxLine) || seen[line] {
				t.Fatalf("line %d out of range or used twice (max %d)", line, maxLine)
			}
			seen[line] = true
		}
		for _, it := range res.Items {
			id, loc, ok := strings.Cut(it.RawRef, "#L")
			if !ok || id != res.Payload.ID {
				t.Fatalf("RawRef %q", it.RawRef)
			}
			line := 0
			for _, c := range loc {
				line = line*10 + int(c-'0')
			}
			mark(line)
			if it.Kind != voc.KindSurvey || it.Rating < 0 || it.Rating > 5 || it.Repurchase < 0 || it.Repurchase > 5 ||
				(it.Recommend != nil && (*it.Recommend < 0 || *it.Recommend > 10)) ||
				(!it.CreatedAt.IsZero() && it.CreatedAt.Location() != time.UTC) {
				t.Fatalf("item out of range: %+v", it)
			}
		}
		for _, r := range res.Rejects {
			mark(r.Line)
			if r.File != "fuzz.csv" || r.Reason == "" {
				t.Fatalf("reject %+v", r)
			}
		}
	})
}

// FuzzParseRecords writes fuzzed answers through encoding/csv and checks
// the outcome row by row: each non-blank row is one item (when its
// satisfaction answer reads) or one reject (when it does not), at the line
// the row starts on, with the comment kept.
func FuzzParseRecords(f *testing.F) {
	f.Add("非常满意", "物流很快", "一般", "多行\n评论", "  ", "")
	f.Add("Meh", "", "5分", "\"quoted\", text", "\t", "x")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		rows := [][]string{{a, b}, {c, d}, {e, g}, {b, a}}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{"满意度", "意见"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		type want struct {
			line int
			row  []string
		}
		var wants []want
		for _, r := range rows {
			for i := range r {
				r[i] = strings.ToValidUTF8(r[i], "?")
			}
			line := bytes.Count(buf.Bytes(), []byte("\n")) + 1
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			if strings.TrimSpace(r[0]) != "" || strings.TrimSpace(r[1]) != "" {
				wants = append(wants, want{line, r})
			}
		}
		res, err := Parse(context.Background(), bytes.NewReader(buf.Bytes()), "rows.csv", Options{Encoding: "utf-8"})
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.Bytes())
		}
		items, rejects := res.Items, res.Rejects
		for _, w := range wants {
			_, err := ParseLikert(w.row[0])
			if err != nil {
				if len(rejects) == 0 || rejects[0].Line != w.line {
					t.Fatalf("row at line %d (%q) should be rejected; rejects %+v", w.line, w.row, rejects)
				}
				rejects = rejects[1:]
				continue
			}
			if len(items) == 0 || !strings.HasSuffix(items[0].RawRef, "#L"+strconv.Itoa(w.line)) {
				t.Fatalf("row at line %d (%q) should be an item; items %+v rejects %+v\n%q", w.line, w.row, items, res.Rejects, buf.String())
			}
			if got, want := items[0].Text, strings.TrimSpace(strings.ReplaceAll(w.row[1], "\r\n", "\n")); got != want {
				t.Fatalf("line %d text %q, want %q", w.line, got, want)
			}
			items = items[1:]
		}
		if len(items)+len(rejects) != 0 {
			t.Fatalf("unexpected extra results: %+v %+v", items, rejects)
		}
	})
}
