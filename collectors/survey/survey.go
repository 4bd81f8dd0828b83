package survey

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors/tabular"
	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Mapping names, by header text, the columns a file's headers do not make
// obvious. It comes from the source's section of voc.yaml. A name matches a
// header cell of any header row exactly, else case-insensitively, else after
// the same folding the automatic matcher uses (full-width to ASCII, spaces
// and question numbers such as "Q3." or "3、" removed). Roles left empty are
// still found automatically from the headers, so a mapping only has to name
// what the matcher cannot guess. A name that matches no column is an error:
// a mistyped mapping must not quietly load nothing.
type Mapping struct {
	// HeaderRows is how many rows at the top are headers; 0 keeps what the
	// file's shape implies (1 for plain files, 2 for SurveyMonkey, 3 for
	// Qualtrics).
	HeaderRows   int    `yaml:"header_rows"`
	ID           string `yaml:"id"`
	Submitted    string `yaml:"submitted"`
	Satisfaction string `yaml:"satisfaction"`
	Comment      string `yaml:"comment"`
	Recommend    string `yaml:"recommend"`
	Repurchase   string `yaml:"repurchase"`
	Product      string `yaml:"product"`
	Channel      string `yaml:"channel"`
	Author       string `yaml:"author"`
	// DateFormat is a Go time layout (e.g. "02.01.2006 15:04") for the
	// submitted column. When set it is the only layout tried, because a
	// file with day-first dates would otherwise be read month-first without
	// complaint. Excel date cells in XLSX files are real dates and need none.
	DateFormat string `yaml:"date_format"`
}

// Options control one import. The zero value works: encoding and shape are
// detected, times without a zone are local, and items get no product or
// channel unless the file has such columns.
type Options struct {
	// Source is the configured source name, copied into every item, reject
	// and the payload.
	Source string
	// Encoding names the file's encoding and wins over detection: utf-8,
	// gbk, gb18030, big5, utf-16 (BOM, else little-endian), utf-16le or
	// utf-16be. "" detects (see DetectEncoding). Ignored for XLSX.
	Encoding string
	// Mapping, when set, names columns explicitly (Result.Format "mapped").
	Mapping *Mapping
	// Location is the zone of timestamps written without one. nil means
	// the zone a Qualtrics export declares for its date column, else
	// time.Local.
	Location *time.Location
	// Now gives Item.CollectedAt and Payload.FetchedAt; nil is time.Now.
	// Tests set it so results are reproducible.
	Now func() time.Time
	// Product and Channel are used for items whose file has no such column
	// or leaves the cell empty.
	Product, Channel string
}

// Result is what one file yielded. Rows counts the data rows that carried
// anything (blank rows are skipped and counted nowhere), so
// Rows == len(Items) + len(Rejects) always holds.
type Result struct {
	Items   []voc.Item
	Rejects []voc.Reject
	// Payload is the whole file as read; every Item.RawRef points into it
	// as "<payload id>#L<line>" (the sheet row number for XLSX).
	Payload voc.RawPayload
	// Format is the shape recognised: wjx, google-forms, surveymonkey,
	// qualtrics, generic, or mapped when Options.Mapping was used.
	Format string
	// Encoding is the encoding the text was decoded with (utf-8, gbk,
	// gb18030, big5, utf-16le, utf-16be); "" for XLSX.
	Encoding string
	// Columns tells, per role, which header was used: keys are id,
	// submitted, satisfaction, comment, recommend, repurchase, product,
	// channel and author; roles the file lacks are absent. Show it to the
	// user, so a wrong guess is seen before it skews a report.
	Columns map[string]string
	Rows    int
}

// Content types of the payloads Parse stores.
const (
	ContentTypeCSV  = tabular.ContentTypeCSV
	ContentTypeXLSX = tabular.ContentTypeXLSX
)

// Format names reported in Result.Format.
const (
	FormatWJX          = "wjx"
	FormatGoogleForms  = "google-forms"
	FormatSurveyMonkey = "surveymonkey"
	FormatQualtrics    = "qualtrics"
	FormatGeneric      = "generic"
	FormatMapped       = "mapped"
)

// ParseFile reads the survey export at path; see Parse. Messages and rejects
// name the file by path.
func ParseFile(ctx context.Context, path string, opt Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("survey %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("survey %s: %w", path, err)
	}
	defer f.Close()
	return Parse(ctx, f, path, opt)
}

// Parse reads a whole survey export from r. name (a path or URL) is used in
// error messages, rejects and the payload's URI. A file starting with the
// ZIP signature is read as XLSX (its first sheet); anything else as
// delimited text, whose delimiter (comma, TAB or semicolon, or an Excel
// "sep=" first line) is detected.
//
// The file is read into memory whole, because the raw payload keeps it
// anyway. Cancelling ctx stops reading and parsing.
func Parse(ctx context.Context, r io.Reader, name string, opt Options) (*Result, error) {
	body, err := tabular.ReadAll(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("survey %s: read: %w", name, err)
	}
	return parseBytes(ctx, body, name, opt)
}

// zipMagic starts an XLSX file; the fuzz test tells XLSX from CSV by it.
var zipMagic = tabular.ZIPMagic

func parseBytes(ctx context.Context, body []byte, name string, opt Options) (*Result, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	collected := now()
	res := &Result{
		Columns: map[string]string{},
		Payload: voc.RawPayload{
			ID:        voc.PayloadID(body),
			Source:    opt.Source,
			URI:       name,
			FetchedAt: collected,
			Body:      body,
		},
	}

	file, err := tabular.Open(body, opt.Encoding)
	if err != nil {
		return nil, fmt.Errorf("survey %s: %w", name, err)
	}
	defer file.Close()
	res.Payload.ContentType = file.ContentType
	res.Encoding = file.Encoding
	if file.ContentType == tabular.ContentTypeCSV {
		// Line count bounds the row count; sizing once avoids copying a
		// growing slice of large items over and over.
		res.Items = make([]voc.Item, 0, min(file.Lines, 1<<20))
	}
	p := &parser{name: name, opt: opt, res: res, collected: collected, rows: file}
	if err := p.readHeader(); err != nil {
		return nil, err
	}
	if err := p.readData(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// parser carries one file's state from header to last row.
type parser struct {
	name      string
	opt       Options
	res       *Result
	collected time.Time
	rows      *tabular.File
	pending   []tabular.Record // records read ahead while finding the header

	cols     []column
	roleCol  [numRoles]int // column index per role, -1 if none
	loc      *time.Location
	layout   string
	date1904 bool
}

func (p *parser) next() (tabular.Record, bool, error) {
	if n := len(p.pending); n > 0 {
		rec := p.pending[0]
		p.pending = p.pending[1:]
		return rec, true, nil
	}
	return p.rows.Next()
}

func (p *parser) readData(ctx context.Context) error {
	width := len(p.cols)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("survey %s: %w", p.name, err)
			}
		}
		rec, ok, err := p.next()
		if err != nil {
			return fmt.Errorf("survey %s: %w", p.name, err)
		}
		if !ok {
			return nil
		}
		if rec.Bad == "" && blank(rec.Cells) {
			continue
		}
		p.res.Rows++
		if rec.Bad != "" {
			p.reject(rec, rec.Bad)
			continue
		}
		cells := rec.Cells
		if len(cells) > width {
			if !blank(cells[width:]) {
				p.reject(rec, fmt.Sprintf("row has %d fields, header has %d", len(cells), width))
				continue
			}
			cells = cells[:width]
		}
		if len(cells) < width {
			if !rec.Short {
				p.reject(rec, fmt.Sprintf("row has %d fields, header has %d", len(cells), width))
				continue
			}
			cells = append(cells, make([]string, width-len(cells))...)
		}
		it, problems := p.item(cells, rec.Line)
		if len(problems) > 0 {
			p.reject(rec, strings.Join(problems, "; "))
			continue
		}
		p.res.Items = append(p.res.Items, it)
	}
}

func (p *parser) reject(rec tabular.Record, reason string) {
	p.res.Rejects = append(p.res.Rejects, voc.Reject{
		Source: p.opt.Source,
		File:   p.name,
		Line:   rec.Line,
		Reason: reason,
		Raw:    rec.Raw,
	})
}

func (p *parser) cell(cells []string, r role) string {
	if i := p.roleCol[r]; i >= 0 {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// item reads one data row; problems lists every reason the row cannot be
// loaded, so one correction pass fixes them all.
func (p *parser) item(cells []string, line int) (voc.Item, []string) {
	var problems []string
	it := voc.Item{
		Source:      p.opt.Source,
		Kind:        voc.KindSurvey,
		ExternalID:  p.cell(cells, roleID),
		Product:     p.opt.Product,
		Channel:     p.opt.Channel,
		AuthorKey:   p.cell(cells, roleAuthor),
		CollectedAt: p.collected,
		RawRef:      p.res.Payload.ID + "#L" + strconv.Itoa(line),
	}
	if v := p.cell(cells, roleProduct); v != "" {
		it.Product = v
	}
	if v := p.cell(cells, roleChannel); v != "" {
		it.Channel = v
	}
	if v := p.cell(cells, roleSubmitted); v != "" {
		t, err := parseTime(v, p.loc, p.layout, p.date1904)
		if err != nil {
			problems = append(problems, "unparseable submitted time: "+err.Error())
		} else {
			it.CreatedAt = t.UTC()
		}
	}
	answered := false
	if v := p.cell(cells, roleSatisfaction); v != "" {
		lv, err := ParseLikert(v)
		if err != nil {
			problems = append(problems, err.Error())
		}
		it.Rating = lv
		answered = true
	}
	if v := p.cell(cells, roleRecommend); v != "" {
		n, err := ParseRecommend(v)
		if err != nil {
			problems = append(problems, err.Error())
		} else {
			it.Recommend = &n
		}
		answered = true
	}
	if v := p.cell(cells, roleRepurchase); v != "" {
		lv, err := ParseRepurchase(v)
		if err != nil {
			problems = append(problems, err.Error())
		}
		it.Repurchase = lv
		answered = true
	}
	if v := p.cell(cells, roleComment); v != "" {
		it.Text = v
		it.Lang = normalize.Lang(v)
		answered = true
	}
	for i, c := range p.cols {
		if c.role != roleNone || c.meta {
			continue
		}
		v := strings.TrimSpace(cells[i])
		if v == "" {
			continue
		}
		if it.Extra == nil {
			it.Extra = map[string]string{}
		}
		it.Extra[c.display] = v
		answered = true
	}
	if !answered && len(problems) == 0 {
		problems = append(problems, "row has no answers")
	}
	return it, problems
}

func blank(cells []string) bool { return tabular.Blank(cells) }
