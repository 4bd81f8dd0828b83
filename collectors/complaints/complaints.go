package complaints

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/collectors/tabular"
	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Ticket is one complaint ticket as the helpdesk exported it, with the row
// it came from. Item.ExternalID is the ticket id, or the item's ContentKey
// when the export has none, so re-imports and re-exports find the same
// ticket.
type Ticket struct {
	voc.ComplaintTicket
	// Line is where the ticket's row starts in the file.
	Line int
}

// Options control one import. The zero value works.
type Options struct {
	// Source is the configured source name, copied into every item,
	// reject and the payload.
	Source string
	// Encoding names the file's encoding; "" detects. Ignored for XLSX.
	Encoding string
	// Mapping names columns explicitly; roles it leaves empty are found
	// from the headers.
	Mapping *Mapping
	// Location is the zone of timestamps written without one; nil is
	// time.Local.
	Location *time.Location
	// Now gives Item.CollectedAt and Payload.FetchedAt; nil is time.Now.
	Now func() time.Time
	// Product and Channel fill tickets whose export has no such column or
	// leaves the cell empty.
	Product, Channel string
}

// Result is what one file yielded. Rows counts the data rows that carried
// anything, so Rows == len(Tickets) + len(Rejects) always holds.
type Result struct {
	Tickets []Ticket
	Rejects []voc.Reject
	// Payload is the whole file; every Item.RawRef points into it as
	// "<payload id>#L<line>".
	Payload voc.RawPayload
	// Encoding the text was decoded with; "" for XLSX.
	Encoding string
	// Columns tells, per role, which header was used (ticket, customer,
	// channel, product, opened, first_response, closed, reopened, category,
	// content, notes, result, compensation, demanded, order_value,
	// satisfaction, escalated_to). Show it, so a wrong guess is seen before
	// it skews a report.
	Columns map[string]string
	Rows    int
}

// ParseFile reads the export at path; see Parse.
func ParseFile(ctx context.Context, path string, opt Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("complaints %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("complaints %s: %w", path, err)
	}
	defer f.Close()
	return Parse(ctx, f, path, opt)
}

// Parse reads a whole complaint export from r; name (a path) is used in
// errors, rejects and the payload. The first non-blank row is the header.
// A whole-file problem (unreadable, no header, no opening-time column, no
// ticket id nor content column) is an error naming the file; a bad row is
// a Reject.
func Parse(ctx context.Context, r io.Reader, name string, opt Options) (*Result, error) {
	body, err := tabular.ReadAll(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("complaints %s: read: %w", name, err)
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	collected := now()
	res := &Result{Columns: map[string]string{}, Payload: voc.RawPayload{
		ID: voc.PayloadID(body), Source: opt.Source, URI: name, FetchedAt: collected, Body: body,
	}}
	file, err := tabular.Open(body, opt.Encoding)
	if err != nil {
		return nil, fmt.Errorf("complaints %s: %w", name, err)
	}
	defer file.Close()
	res.Payload.ContentType, res.Encoding = file.ContentType, file.Encoding

	var header tabular.Record
	for {
		rec, ok, err := file.Next()
		if err != nil {
			return nil, fmt.Errorf("complaints %s: %w", name, err)
		}
		if !ok {
			return nil, fmt.Errorf("complaints %s: no header row: the file has no content", name)
		}
		if rec.Bad != "" {
			return nil, fmt.Errorf("complaints %s line %d: header: %s", name, rec.Line, rec.Bad)
		}
		if !tabular.Blank(rec.Cells) {
			header = rec
			break
		}
	}
	headers := make([]string, len(header.Cells))
	for i, h := range header.Cells {
		headers[i] = strings.Join(strings.Fields(h), " ")
	}
	col, err := assignColumns(name, headers, opt.Mapping)
	if err != nil {
		return nil, err
	}
	if col[roleOpened] < 0 || (col[roleTicket] < 0 && col[roleContent] < 0) {
		return nil, fmt.Errorf("complaints %s line %d: need an opening-time column (投诉时间 / opened) and a ticket id (工单号 / ticket id) or content (投诉内容 / complaint) column among headers %s; name them under the source's complaints mapping in voc.yaml",
			name, header.Line, tabular.Excerpt(fmt.Sprintf("%q", headers), 300))
	}
	for r := roleTicket; r < numRoles; r++ {
		if i := col[r]; i >= 0 {
			res.Columns[roleNames[r]] = headers[i]
		}
	}
	p := &parser{name: name, opt: opt, res: res, collected: collected, col: col, width: len(headers), date1904: file.Date1904}
	if p.opt.Location == nil {
		p.opt.Location = time.Local
	}
	if opt.Mapping != nil {
		p.layout = opt.Mapping.DateFormat
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("complaints %s: %w", name, err)
			}
		}
		rec, ok, err := file.Next()
		if err != nil {
			return nil, fmt.Errorf("complaints %s: %w", name, err)
		}
		if !ok {
			return res, nil
		}
		if rec.Bad == "" && tabular.Blank(rec.Cells) {
			continue
		}
		res.Rows++
		t, problems := p.row(rec)
		if len(problems) > 0 {
			res.Rejects = append(res.Rejects, voc.Reject{Source: opt.Source, File: name, Line: rec.Line,
				Reason: strings.Join(problems, "; "), Raw: rec.Raw})
			continue
		}
		res.Tickets = append(res.Tickets, t)
	}
}

type parser struct {
	name      string
	opt       Options
	res       *Result
	collected time.Time
	col       [numRoles]int
	width     int
	layout    string
	date1904  bool
}

// column names a role's column for a reject reason: its header as the
// export wrote it, so the reader finds the cell.
func (p *parser) column(r role) string {
	return fmt.Sprintf("column %q", p.res.Columns[roleNames[r]])
}

func (p *parser) cell(cells []string, r role) string {
	if i := p.col[r]; i >= 0 && i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// row reads one data row. problems lists every reason it cannot be loaded,
// so one correction pass fixes them all.
func (p *parser) row(rec tabular.Record) (Ticket, []string) {
	if rec.Bad != "" {
		return Ticket{}, []string{rec.Bad}
	}
	cells := rec.Cells
	if len(cells) > p.width {
		if !tabular.Blank(cells[p.width:]) {
			return Ticket{}, []string{fmt.Sprintf("row has %d fields, header has %d", len(cells), p.width)}
		}
		cells = cells[:p.width]
	}
	if len(cells) < p.width && !rec.Short {
		return Ticket{}, []string{fmt.Sprintf("row has %d fields, header has %d", len(cells), p.width)}
	}
	return p.ticket(cells, rec.Line)
}

func (p *parser) ticket(cells []string, line int) (Ticket, []string) {
	var problems []string
	t := Ticket{Line: line}
	it := &t.Item
	*it = voc.Item{
		Source:      p.opt.Source,
		Kind:        voc.KindComplaint,
		ExternalID:  p.cell(cells, roleTicket),
		Product:     p.opt.Product,
		AuthorKey:   p.cell(cells, roleCustomer),
		CollectedAt: p.collected,
		RawRef:      p.res.Payload.ID + "#L" + strconv.Itoa(line),
		Text:        p.cell(cells, roleContent),
	}
	if v := p.cell(cells, roleProduct); v != "" {
		it.Product = v
	}
	t.ChannelRaw = p.cell(cells, roleChannel)
	if t.ChannelRaw == "" {
		t.ChannelRaw = p.opt.Channel
	}
	t.Channel = ParseChannel(t.ChannelRaw)
	it.Channel = t.Channel
	it.Lang = normalize.Lang(it.Text)

	readTime := func(r role, what string) time.Time {
		v := p.cell(cells, r)
		if v == "" {
			return time.Time{}
		}
		tm, err := tabular.ParseTime(v, p.opt.Location, p.layout, p.date1904)
		if err != nil {
			problems = append(problems, "unparseable "+what+" time: "+err.Error())
			return time.Time{}
		}
		return tm.UTC()
	}
	it.CreatedAt = readTime(roleOpened, "opened")
	t.FirstResponseAt = readTime(roleFirstResponse, "first response")
	t.ClosedAt = readTime(roleClosed, "closed")
	if it.CreatedAt.IsZero() && p.cell(cells, roleOpened) == "" {
		problems = append(problems, "no opened time")
	}
	if !it.CreatedAt.IsZero() {
		if !t.ClosedAt.IsZero() && t.ClosedAt.Before(it.CreatedAt) {
			problems = append(problems, fmt.Sprintf("closed %s before opened %s",
				t.ClosedAt.In(p.opt.Location).Format(time.DateTime), it.CreatedAt.In(p.opt.Location).Format(time.DateTime)))
		}
		if !t.FirstResponseAt.IsZero() && t.FirstResponseAt.Before(it.CreatedAt) {
			problems = append(problems, fmt.Sprintf("first response %s before opened %s",
				t.FirstResponseAt.In(p.opt.Location).Format(time.DateTime), it.CreatedAt.In(p.opt.Location).Format(time.DateTime)))
		}
	}

	var err error
	status := p.cell(cells, roleResult)
	if t.Result, err = ParseResult(status); err != nil {
		problems = append(problems, err.Error())
	}
	if t.Reopened, err = ParseReopened(p.cell(cells, roleReopened)); err != nil {
		problems = append(problems, p.column(roleReopened)+": "+err.Error())
	}
	// A status of 重新打开 / reopened is a reopen the count column (if any)
	// has not caught up with: at least once.
	if ReopenedStatus(status) && (t.Reopened == nil || *t.Reopened < 1) {
		once := 1
		t.Reopened = &once
	}
	if t.Satisfaction, err = parseSatisfaction(p.cell(cells, roleSatisfaction)); err != nil {
		problems = append(problems, err.Error())
	}
	t.Category = p.cell(cells, roleCategory)
	t.Notes = p.cell(cells, roleNotes)
	t.EscalatedTo = ParseEscalation(p.cell(cells, roleEscalated))
	if t.Compensation = p.cell(cells, roleCompensation); noneWords[fold(t.Compensation)] {
		t.Compensation = ""
	}
	if v, ok := ParseAmount(t.Compensation); ok {
		t.CompensationAmount = &v
	}
	readAmount := func(r role, what string) *float64 {
		s := p.cell(cells, r)
		if s == "" || noneWords[fold(s)] {
			return nil
		}
		v, ok := ParseAmount(s)
		if !ok {
			problems = append(problems, fmt.Sprintf("unreadable %s %q: want an amount such as 199 or ¥1,299.50", what, s))
			return nil
		}
		return &v
	}
	t.OrderValue = readAmount(roleOrderValue, "order value")
	t.Demanded = readAmount(roleDemanded, "demanded compensation")
	d := FindDemand(it.Text)
	t.DemandTerms, t.Punitive = d.Terms, d.Punitive
	if t.Demanded == nil && d.Amount > 0 {
		amount := d.Amount
		t.Demanded = &amount
	}
	if it.ExternalID == "" && it.Text == "" {
		problems = append(problems, "no ticket id and no complaint content")
	}
	if len(problems) > 0 {
		return Ticket{}, problems
	}
	if it.ExternalID == "" {
		it.ExternalID = it.ContentKey()
	}
	return t, nil
}

// noAnswer are satisfaction cells meaning "not asked" or "no answer".
var noAnswer = map[string]bool{}

func init() {
	for _, w := range []string{"未回访", "未回訪", "未评价", "未評價", "无", "無", "未接通", "拒绝回答", "拒答", "-", "/", "n/a", "na", "none", "no answer", "not asked", "unanswered"} {
		noAnswer[fold(w)] = true
	}
}

// parseSatisfaction reads the five-level answer after handling with the
// survey import's Likert reader (1-5, 非常满意 ... 非常不满意, Very
// satisfied ... Very dissatisfied); "not asked" cells are LevelNone.
func parseSatisfaction(s string) (voc.Level, error) {
	if noAnswer[fold(s)] {
		return voc.LevelNone, nil
	}
	lv, err := survey.ParseLikert(s)
	if err != nil {
		return voc.LevelNone, fmt.Errorf("unknown satisfaction after handling %q (want 1-5 or 非常满意 ... 非常不满意)", s)
	}
	return lv, nil
}
