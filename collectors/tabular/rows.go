package tabular

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Record is one row as read from a CSV or a sheet, before any meaning is
// given to its cells.
type Record struct {
	Cells []string
	// Line is the 1-based physical line where the record starts (a quoted
	// cell may span lines), or the sheet row number for XLSX.
	Line int
	// Raw is the row as text, for rejects: the CSV line(s) as read, or the
	// sheet row written as one CSV line.
	Raw string
	// Bad says why the row could not be read at all ("" when fine): a
	// malformed CSV quote, an unreadable sheet row. The importer rejects it.
	Bad string
	// Short is true when missing trailing cells just mean empty cells, as
	// XLSX rows end at their last non-empty cell; in CSV a short row is a
	// wrong column count.
	Short bool
}

// Blank reports whether every cell is empty or white space.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Content types of the payloads the importers store.
const (
	ContentTypeCSV  = "text/csv"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ZIPMagic starts every XLSX file (a ZIP archive).
var ZIPMagic = []byte("PK\x03\x04")

// IsXLSX reports whether body is a ZIP archive, which for an export means
// an XLSX workbook.
func IsXLSX(body []byte) bool { return bytes.HasPrefix(body, ZIPMagic) }

// File is an opened export: call Next until it reports no more records,
// then Close.
type File struct {
	// ContentType is ContentTypeCSV or ContentTypeXLSX.
	ContentType string
	// Encoding is the encoding the text was decoded with ("" for XLSX).
	Encoding string
	// Date1904 is true for workbooks counting dates from 1904 (old Mac
	// Excel); pass it to ParseTime for their serial numbers.
	Date1904 bool
	// Lines is the number of line breaks of a CSV's text, an upper bound
	// of its records for sizing slices; 0 for XLSX.
	Lines int

	rows  rowReader
	close func() error
}

// rowReader yields records in file order. An error is a whole-file failure;
// a malformed single row comes back as a record with Bad set.
type rowReader interface {
	next() (Record, bool, error)
}

// Open reads body as XLSX (its first sheet) when it starts with the ZIP
// signature, else as delimited text in the named encoding ("" detects; see
// DetectEncoding and CanonicalEncoding) whose delimiter (comma, TAB or
// semicolon, or an Excel "sep=" first line) is detected.
func Open(body []byte, encoding string) (*File, error) {
	if IsXLSX(body) {
		xr, err := openXLSX(body)
		if err != nil {
			return nil, err
		}
		return &File{ContentType: ContentTypeXLSX, Date1904: xr.date1904(), rows: xr, close: xr.close}, nil
	}
	text, enc, err := Decode(body, encoding)
	if err != nil {
		return nil, err
	}
	rows := newCSVRows(text)
	if enc == EncodingUTF8 && !utf8.Valid(body) {
		rows.badLines = map[int]bool{}
		for _, n := range InvalidUTF8Lines(body) {
			rows.badLines[n] = true
		}
	}
	return &File{ContentType: ContentTypeCSV, Encoding: enc, Lines: strings.Count(text, "\n"),
		rows: rows, close: func() error { return nil }}, nil
}

// Next returns the next record; ok is false at the end. An error is a
// whole-file failure (an unreadable workbook part), never a bad row.
func (f *File) Next() (rec Record, ok bool, err error) { return f.rows.next() }

// Close releases the workbook, if any.
func (f *File) Close() error { return f.close() }

// MaxFileBytes bounds one export file: it is read into memory whole (the
// raw payload keeps it). A million-row survey export is about 220 MB.
const MaxFileBytes = 1 << 30

// ErrFileTooLarge reports an export over MaxFileBytes.
var ErrFileTooLarge = fmt.Errorf("file over the budget of %d MiB for one export: split it", MaxFileBytes>>20)

// ReadAll reads r to the end, stopping early when ctx is cancelled (an
// import of a file on a slow network share can then be interrupted) or
// past MaxFileBytes.
func ReadAll(ctx context.Context, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(ctxReader{ctx, r}, MaxFileBytes+1))
	if err == nil && len(b) > MaxFileBytes {
		return nil, ErrFileTooLarge
	}
	return b, err
}

// ReadFile is os.ReadFile under MaxFileBytes: a file over it is refused
// before any of it is read.
func ReadFile(path string) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s: %w", path, ErrFileTooLarge)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := ReadAll(context.Background(), f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// csvRows reads delimited text with encoding/csv, which already handles
// quoted fields spanning lines and reports where each record starts.
type csvRows struct {
	r          *csv.Reader
	text       string
	lineOffset int   // lines removed before the reader saw the text ("sep=")
	byteOffset int   // bytes removed likewise
	prev       int64 // reader offset after the previous record
	// badLines are physical lines whose bytes were not UTF-8 in a UTF-8
	// file: a record on one is rejected rather than stored with U+FFFD.
	badLines map[int]bool
}

func newCSVRows(text string) *csvRows {
	c := &csvRows{text: text}
	comma, skip := SniffDelimiter(text)
	if skip > 0 {
		c.lineOffset = 1
		c.byteOffset = skip
	}
	c.r = csv.NewReader(strings.NewReader(text[skip:]))
	c.r.Comma = comma
	c.r.FieldsPerRecord = -1
	return c
}

func (c *csvRows) next() (Record, bool, error) {
	cells, err := c.r.Read()
	end := c.r.InputOffset()
	raw := c.slice(c.prev, end)
	c.prev = end
	if err == io.EOF {
		return Record{}, false, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Record{
			Line: pe.StartLine + c.lineOffset,
			Raw:  Excerpt(raw, MaxExcerptBytes),
			Bad:  fmt.Sprintf("malformed CSV at line %d column %d: %v", pe.Line+c.lineOffset, pe.Column, pe.Err),
		}, true, nil
	}
	if err != nil {
		return Record{}, false, err
	}
	line, _ := c.r.FieldPos(0)
	line += c.lineOffset
	for l := line; l <= line+strings.Count(raw, "\n"); l++ {
		if c.badLines[l] {
			return Record{Line: line, Raw: Excerpt(raw, MaxExcerptBytes),
				Bad: fmt.Sprintf("line %d holds bytes that are not UTF-8 (the rest of the file is UTF-8)", l)}, true, nil
		}
	}
	line -= c.lineOffset
	if strings.ContainsRune(raw, 0) {
		return Record{Line: line + c.lineOffset, Raw: Excerpt(raw, MaxExcerptBytes), Bad: "holds a NUL byte, which no export writes in text"}, true, nil
	}
	if why := overBudget(cells, len(raw)); why != "" {
		return Record{Line: line + c.lineOffset, Raw: Excerpt(raw, MaxExcerptBytes), Bad: why}, true, nil
	}
	return Record{Cells: cells, Line: line + c.lineOffset, Raw: Excerpt(raw, MaxExcerptBytes)}, true, nil
}

func (c *csvRows) slice(from, to int64) string {
	text := c.text[c.byteOffset:]
	if from < 0 || to > int64(len(text)) || from > to {
		return ""
	}
	return strings.Trim(text[from:to], "\r\n")
}

// SniffDelimiter picks comma, TAB or semicolon: the one whose count outside
// quotes is highest on every one of the first few lines (a TSV header may
// hold unquoted commas in question texts, its data rows will not). An Excel
// "sep=X" first line names the delimiter outright; skip is then the length
// of that line, which the CSV reader must not see.
func SniffDelimiter(text string) (comma rune, skip int) {
	if first, _, _ := strings.Cut(text, "\n"); len(first) < 16 {
		f := strings.TrimSpace(first)
		if len(f) > 4 && strings.EqualFold(f[:4], "sep=") {
			r, size := utf8.DecodeRuneInString(f[4:])
			if 4+size == len(f) && validComma(r) {
				return r, min(len(first)+1, len(text))
			}
		}
	}
	cands := [...]rune{',', '\t', ';'}
	var minCount, firstCount [3]int
	for i := range minCount {
		minCount[i] = -1
	}
	var cur [3]int
	lines, inQuote, nonEmpty := 0, false, false
	flush := func() {
		if !nonEmpty {
			return
		}
		for i := range cur {
			if lines == 0 {
				firstCount[i] = cur[i]
			}
			if minCount[i] < 0 || cur[i] < minCount[i] {
				minCount[i] = cur[i]
			}
			cur[i] = 0
		}
		lines++
		nonEmpty = false
	}
	for i, r := range text {
		if i > 64<<10 || lines >= 5 {
			break
		}
		switch r {
		case '"':
			inQuote = !inQuote
			nonEmpty = true
		case '\n':
			if !inQuote {
				flush()
			}
		case '\r':
		default:
			nonEmpty = true
			if !inQuote {
				for k, c := range cands {
					if r == c {
						cur[k]++
					}
				}
			}
		}
	}
	if lines < 5 {
		flush()
	}
	best := 0
	for k := 1; k < len(cands); k++ {
		if minCount[k] > minCount[best] || (minCount[k] == minCount[best] && firstCount[k] > firstCount[best]) {
			best = k
		}
	}
	if minCount[best] <= 0 && firstCount[best] == 0 {
		return ',', 0
	}
	return cands[best], 0
}

// validComma mirrors what encoding/csv accepts as a delimiter.
func validComma(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != 0xFEFF &&
		utf8.ValidRune(r) && r != utf8.RuneError
}

// xlsxRows streams the first sheet. Cells are read raw, so dates arrive as
// Excel serial numbers whatever their display format, and numbers as typed.
type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

// Budgets. The `file` source imports whatever lands in a folder, so an
// export is remote input: a 947 KB workbook once unzipped to a 950 MiB
// sheet and took 12 GB and two minutes. A file over a budget fails at
// once, a row over one is a bad row, and no message quotes more than an
// excerpt.
const (
	// MaxUnzipBytes bounds what a workbook may unzip to, all parts
	// together (a million-row export is about 300 MiB).
	MaxUnzipBytes = 512 << 20
	// xlsxUnzipXMLLimit is the largest part excelize keeps in memory;
	// bigger ones stream from a temporary file.
	xlsxUnzipXMLLimit = 64 << 20
	// MaxCells bounds the cells of one row.
	MaxCells = 1000
	// MaxCellBytes bounds one cell (Excel's own limit is 32,767
	// characters).
	MaxCellBytes = 32 << 10
	// MaxRecordBytes bounds one CSV record, quoted line breaks included.
	MaxRecordBytes = 1 << 20
	// MaxExcerptBytes bounds what a record keeps of its raw text (Raw)
	// and what any message quotes of input.
	MaxExcerptBytes = 1 << 10
)

// overBudget says why cells (of a record of size bytes, 0 when unknown)
// exceed a budget, or "".
func overBudget(cells []string, size int) string {
	switch {
	case size > MaxRecordBytes:
		return fmt.Sprintf("row of %d bytes, over the budget of %d", size, MaxRecordBytes)
	case len(cells) > MaxCells:
		return fmt.Sprintf("row of %d cells, over the budget of %d", len(cells), MaxCells)
	}
	for i, c := range cells {
		if len(c) > MaxCellBytes {
			return fmt.Sprintf("cell %d holds %d bytes, over the budget of %d", i+1, len(c), MaxCellBytes)
		}
	}
	return ""
}

func openXLSX(body []byte) (*xlsxRows, error) {
	if n := unzippedSize(body); n > MaxUnzipBytes {
		return nil, fmt.Errorf("xlsx unzips to %d MiB, over the budget of %d MiB for one export: split it, or export CSV", n>>20, MaxUnzipBytes>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{
		UnzipSizeLimit:    MaxUnzipBytes,
		UnzipXMLSizeLimit: xlsxUnzipXMLLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("open xlsx: %s", Excerpt(err.Error(), 200))
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("xlsx has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx sheet %q: %w", sheets[0], err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

// date1904 reports whether the workbook counts dates from 1904 (old Mac
// Excel), which shifts every serial by 1462 days.
func (x *xlsxRows) date1904() bool {
	props, err := x.f.GetWorkbookProps()
	return err == nil && props.Date1904 != nil && *props.Date1904
}

func (x *xlsxRows) next() (Record, bool, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return Record{}, false, fmt.Errorf("xlsx row %d: %w", x.n+1, err)
		}
		return Record{}, false, nil
	}
	x.n++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return Record{Line: x.n, Bad: "unreadable row: " + Excerpt(err.Error(), 200)}, true, nil
	}
	if why := overBudget(cells, 0); why != "" {
		return Record{Line: x.n, Raw: Excerpt(JoinCSV(cells[:min(len(cells), 20)]), MaxExcerptBytes), Bad: why}, true, nil
	}
	return Record{Cells: cells, Line: x.n, Raw: Excerpt(JoinCSV(cells), MaxExcerptBytes), Short: true}, true, nil
}

func (x *xlsxRows) close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// unzippedSize adds up what a ZIP archive's central directory says its
// parts unzip to; Go's reader holds each part to that size, so a lying
// directory fails later rather than growing past it. 0 when body is no
// readable ZIP (excelize then says why).
func unzippedSize(body []byte) int64 {
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return 0
	}
	var n int64
	for _, f := range z.File {
		n += int64(f.UncompressedSize64)
		if n < 0 {
			return math.MaxInt64
		}
	}
	return n
}

// Excerpt is normalize.Excerpt: s made safe and short for a message, a
// terminal or a reject.
func Excerpt(s string, max int) string { return normalize.Excerpt(s, max) }

// JoinCSV renders a row as one CSV line, so a reject's Raw can be pasted
// back into a spreadsheet.
func JoinCSV(cells []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(cells) // writes to a strings.Builder cannot fail
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}
