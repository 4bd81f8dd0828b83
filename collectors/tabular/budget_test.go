package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// xlsxWith builds a minimal workbook whose first sheet is the XML that
// sheet writes, compressed as Excel would (a bomb compresses well).
func xlsxWith(t testing.TB, sheet func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	parts := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[name])
	}
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	sheet(w)
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inlineRow(w io.Writer, n int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, n)
	for i, c := range cells {
		fmt.Fprintf(w, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, n, c)
	}
	io.WriteString(w, `</row>`)
}

// A workbook that unzips to over a gigabyte is refused before it is
// unpacked: fast, in bounded memory, with one short message. (The sheet
// here says it unzips to 1,100 MiB, as a real bomb's directory does; its
// bytes are a sample, so the test takes milliseconds, not the seconds a
// gigabyte of XML takes to compress under the race detector.)
func TestXLSXBombIsRefused(t *testing.T) {
	var sample bytes.Buffer
	fw, _ := flate.NewWriter(&sample, flate.BestCompression)
	io.WriteString(fw, strings.Repeat(`<row><c t="inlineStr"><is><t>xxxxxxxx</t></is></c></row>`, 1<<14))
	fw.Close()
	body := xlsxWith(t, func(io.Writer) {})
	r, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, f := range r.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			w, err := z.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate,
				CompressedSize64: uint64(sample.Len()), UncompressedSize64: 1100 << 20})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(sample.Bytes())
			continue
		}
		w, _ := z.Create(f.Name)
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	z.Close()
	bomb := buf.Bytes()
	t.Logf("bomb: %d KB compressed", len(bomb)>>10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f, err := Open(bomb, "")
	if err == nil {
		f.Close()
		t.Fatal("a workbook unzipping to over 1 GB opened")
	}
	runtime.ReadMemStats(&after)
	t.Logf("refused in %v, %d KB allocated: %v", time.Since(start), (after.TotalAlloc-before.TotalAlloc)>>10, err)
	if !strings.Contains(err.Error(), "MiB") || len(err.Error()) > 300 {
		t.Errorf("error %q: want a short message naming the budget", err)
	}
	// An honest workbook under the budget still opens.
	small := xlsxWith(t, func(w io.Writer) { inlineRow(w, 1, "编号", "意见"); inlineRow(w, 2, "1", "好") })
	if f, err := Open(small, ""); err != nil {
		t.Errorf("a small workbook: %v", err)
	} else {
		f.Close()
	}
}

// Rows beyond the budgets come back as bad rows, each quoted by a short
// excerpt, never whole; the rest of the file still reads.
func TestOversizedRowsAreBadRowsWithExcerpts(t *testing.T) {
	long := strings.Repeat("长", MaxCellBytes) // 3 bytes a rune: over the cell budget
	wide := make([]string, MaxCells+1)
	for i := range wide {
		wide[i] = "c"
	}
	csvText := "编号,意见\n1,好\n2," + long + "\n" + strings.Join(wide, ",") + "\n3,不错\n"
	sheetRows := func(w io.Writer) {
		inlineRow(w, 1, "编号", "意见")
		inlineRow(w, 2, "1", "好")
		inlineRow(w, 3, "2", long)
		inlineRow(w, 4, "3", "不错")
	}
	for name, body := range map[string][]byte{"csv": []byte(csvText), "xlsx": xlsxWith(t, sheetRows)} {
		f, err := Open(body, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var good, bad int
		for {
			rec, ok, err := f.Next()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !ok {
				break
			}
			if len(rec.Raw) > MaxExcerptBytes+64 {
				t.Errorf("%s line %d: raw of %d bytes kept", name, rec.Line, len(rec.Raw))
			}
			if rec.Bad != "" {
				bad++
				if len(rec.Bad) > 300 {
					t.Errorf("%s line %d: reason of %d bytes", name, rec.Line, len(rec.Bad))
				}
				continue
			}
			good++
		}
		f.Close()
		wantBad := 2
		if name == "xlsx" {
			wantBad = 1
		}
		if good != 3 || bad != wantBad {
			t.Errorf("%s: %d good rows (header included), %d bad; want 3 and %d", name, good, bad, wantBad)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"长长长长", 7, "长长… (12 bytes)"},
		{"a\x1b]0;title\x07b", 100, `a\x1b]0;title\x07b`},
	} {
		if got := Excerpt(tc.in, tc.n); got != tc.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// One stray byte in a UTF-8 export costs its own row, named by line, not
// the whole file read as GBK; a NUL byte is a rejected row, not stored.
func TestDamagedLinesOfAUTF8FileAreRejectedAlone(t *testing.T) {
	var b strings.Builder
	b.WriteString("编号,意见\n")
	for i := 1; i <= 60; i++ {
		switch i {
		case 30:
			fmt.Fprintf(&b, "%d,坏\xff的\n", i)
		case 40:
			fmt.Fprintf(&b, "%d,空\x00字节\n", i)
		default:
			fmt.Fprintf(&b, "%d,物流很快，质量不错\n", i)
		}
	}
	f, err := Open([]byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Encoding != EncodingUTF8 {
		t.Fatalf("encoding %s, want utf-8", f.Encoding)
	}
	bad := map[int]string{}
	good := 0
	for {
		rec, ok, err := f.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if rec.Bad != "" {
			bad[rec.Line] = rec.Bad
			continue
		}
		good++
		for _, c := range rec.Cells {
			if strings.ContainsRune(c, '\uFFFD') || strings.ContainsRune(c, 0) {
				t.Errorf("line %d stored %q", rec.Line, c)
			}
		}
	}
	if len(bad) != 2 || !strings.Contains(bad[31], "line 31") || !strings.Contains(bad[41], "NUL") || good != 59 {
		t.Errorf("bad rows %v, %d good; want lines 31 (not UTF-8) and 41 (NUL) rejected, 59 good", bad, good)
	}
}

// A file over the byte budget is refused by its size, before it is read.
func TestReadFileRefusesOversizedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(path); !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "huge.csv") {
		t.Errorf("err = %v, want ErrFileTooLarge naming the file", err)
	}
}
