// Package output renders tabular results the three ways voc prints them: an
// aligned table for people at a terminal, CSV for spreadsheets, and JSON for
// batch jobs.
//
// CSV is written on the assumption that someone will open it in Excel or
// WPS: a text cell that starts with = + - @ (or a tab or carriage return) is
// a formula there, and review text is written by strangers, so such cells are
// neutralised with a leading apostrophe (OWASP's advice for CSV injection).
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Table is a rectangular result: column names and rows of values as the
// database returned them (string, integers, floats, bool, time.Time, nil ...).
type Table struct {
	Columns []string
	Rows    [][]any
}

// maxCellWidth keeps one long review from pushing every other column off
// the screen; CSV and JSON are never truncated.
const maxCellWidth = 60

// WriteTable prints t aligned for a terminal, counting East Asian wide
// characters as two columns so Chinese text lines up.
func WriteTable(w io.Writer, t Table) error {
	cells := make([][]string, len(t.Rows))
	widths := make([]int, len(t.Columns))
	columns := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		columns[i] = normalize.Printable(oneLine(c))
		widths[i] = runewidth.StringWidth(columns[i])
	}
	numeric := make([]bool, len(t.Columns))
	for i := range numeric {
		numeric[i] = len(t.Rows) > 0
	}
	for r, row := range t.Rows {
		cells[r] = make([]string, len(t.Columns))
		for i := range t.Columns {
			var v any
			if i < len(row) {
				v = row[i]
			}
			// Review text is written by strangers: an escape sequence
			// must not reach the terminal (set its title, clear it).
			s := normalize.Printable(oneLine(Text(v)))
			s = runewidth.Truncate(s, maxCellWidth, "…")
			cells[r][i] = s
			widths[i] = max(widths[i], runewidth.StringWidth(s))
			if v != nil && !isNumber(v) {
				numeric[i] = false
			}
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		for i, v := range vals {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := widths[i] - runewidth.StringWidth(v)
			if numeric[i] {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(v)
			} else if i < len(vals)-1 {
				b.WriteString(v)
				b.WriteString(strings.Repeat(" ", pad))
			} else {
				b.WriteString(v)
			}
		}
		b.WriteString("\n")
	}
	line(columns)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, row := range cells {
		line(row)
	}
	fmt.Fprintf(&b, "(%d %s)\n", len(t.Rows), plural(len(t.Rows), "row", "rows"))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes t as RFC 4180 CSV with a header row, text cells guarded
// against formula injection.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(guardAll(t.Columns)); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = csvCell(row[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes t as a JSON array of objects keyed by column name, in
// column order, one value per column.
func WriteJSON(w io.Writer, t Table) error {
	var b strings.Builder
	b.WriteString("[")
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(c)
			b.Write(k)
			b.WriteString(": ")
			var v any
			if i < len(row) {
				v = row[i]
			}
			enc, err := json.Marshal(jsonValue(v))
			if err != nil {
				return fmt.Errorf("column %s row %d: %w", c, r+1, err)
			}
			b.Write(enc)
		}
		b.WriteString("}")
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes v as indented JSON followed by a newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// GuardFormula neutralises a spreadsheet formula: a cell starting with
// = + - @, tab or carriage return gets a leading apostrophe, which Excel,
// LibreOffice and WPS show as text and do not evaluate.
//
// Spreadsheets skip leading spaces, no-break spaces, ideographic spaces and
// a byte-order mark before they look for the formula sign, so those are
// looked past too: " =cmd|..." is guarded like "=cmd|...".
func GuardFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '\t', '\r':
		return "'" + s
	}
	t := strings.TrimLeft(s, " \u00a0\u3000\ufeff\u2007\u202f")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@':
		return "'" + s
	}
	// Full-width variants are folded to ASCII by some spreadsheet locales.
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(t, p) {
			return "'" + s
		}
	}
	return s
}

func guardAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = GuardFormula(s)
	}
	return out
}

// csvCell renders a value for CSV: numbers stay numbers (a negative number
// is data, not a formula); text is guarded.
func csvCell(v any) string {
	if isNumber(v) {
		return Text(v)
	}
	return GuardFormula(Text(v))
}

// Text renders one value the way a person expects to read it.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339)
	case float32:
		return formatFloat(float64(x))
	case float64:
		return formatFloat(x)
	case *big.Int:
		return x.String()
	case []any, map[string]any:
		// LISTs, STRUCTs and JSON columns read best as the JSON they are.
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // a terminal or CSV, not a page: keep < > & readable
		if err := enc.Encode(jsonValue(x)); err != nil {
			return fmt.Sprint(x)
		}
		return strings.TrimSuffix(b.String(), "\n")
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonValue turns driver values into what encoding/json writes well:
// NaN/Inf (which JSON cannot carry) as strings, bytes as their size.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatFloat(x)
		}
	case float32:
		return jsonValue(float64(x))
	case []byte:
		return Text(x)
	case *big.Int:
		return json.Number(x.String())
	case time.Time, string, bool, nil, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case json.Marshaler:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return v
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, *big.Int:
		return true
	}
	return false
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
