package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/voc-analytics/voc"
)

// This file computes the complaint-handling measures from the complaints
// table, the complaint items and their theme hits. Tickets are read once
// and aggregated in Go: the definitions below (percentiles, SLA due-ness,
// repeats) are easier to state, test and keep identical across the CLI and
// the weekly report in Go than in SQL, and a helpdesk's tickets (thousands
// a week, not millions) fit in memory comfortably.
//
// Definitions, shared by every function here:
//   - A ticket counts in the week (ISO, Monday 00:00 in Options.Location)
//     it was opened in: the measures of a week describe how that week's
//     complaints were handled, however late they were closed.
//   - Closed: it has a closed time or a final result (resolved, partly,
//     unresolved, withdrawn). Open: not closed.
//   - First response: the first-response time, else the closed time (a
//     ticket closed without a recorded response was answered by closing).
//   - SLA shares: within-SLA / due, where due counts the tickets that have
//     the event (responded / closed with a time) plus the tickets still
//     without it whose deadline (opened + SLA) has passed at Options.Now.
//     A ticket opened an hour ago is not yet a breach, nor a success.
//   - Median: the middle value, the mean of the two middle ones for an
//     even count. P90: nearest rank, the ceil(0.9·n)-th smallest value.
//   - Resolution rate: resolved / (resolved + partly + unresolved).
//     Withdrawn tickets and tickets without a result are left out.
//   - Recovery rate: tickets answered at level 4-5 after handling / all
//     tickets with an answer after handling.
//   - Reopen rate: tickets reopened at least once / tickets closed at
//     least once whose reopen count is known. Closed at least once: closed
//     now (as above, so withdrawn tickets and tickets closed without a
//     result count, unlike in the resolution rate: the question is whether
//     a closing held, not how it ended), or reopened (a ticket handled
//     again after a reopen was closed before). Tickets never closed have
//     had no chance to be reopened and would dilute the rate of recent
//     weeks. A NULL reopen count (the export has no such column) is left
//     out, never read as 0; with no known count the rate is null.
//   - Repeat: a ticket whose customer (non-empty key) opened another
//     ticket on the same problem at most RepeatWindow (30 days) before it.
//     Same problem: a shared complaint theme from theme_hits, compared at
//     the top level ("quality.battery" is "quality"), or the same helpdesk
//     category when both have one. Themes exist once the pipeline ran.
//   - Escalated: escalated_to names at least one target.
//   - Flagged: at least one ReviewReasons entry; flagged tickets stay in
//     every figure.

// ComplaintOptions are the knobs of the complaint measures. The zero value
// gets the defaults named on each field.
type ComplaintOptions struct {
	// Location cuts weeks (ISO, Monday 00:00); nil is UTC.
	Location *time.Location
	// Now is the clock open tickets' ages and SLA due-ness are measured
	// against; zero is time.Now().
	Now time.Time
	// FirstResponseSLA (default 24h) and CloseSLA (default 48h) are the
	// service levels a ticket is measured against.
	FirstResponseSLA time.Duration
	CloseSLA         time.Duration
	// RepeatWindow is how far back a customer's earlier ticket on the same
	// problem makes a ticket a repeat (default 30 days; exactly 30 days is
	// in).
	RepeatWindow time.Duration
	// Review tunes the "review: possibly malicious" heuristics.
	Review ReviewRules
}

// ReviewRules are the heuristics that flag a ticket for a person to judge
// as possibly malicious. They flag only: nothing is dismissed or left out.
type ReviewRules struct {
	// DemandRatio: demanded compensation at least this multiple of the
	// order value flags the ticket (default 3, the 退一赔三 multiple).
	DemandRatio float64
	// DemandAmount: demanded compensation at least this much flags a
	// ticket whose order value is unknown (default 1000).
	DemandAmount float64
	// RepeatDemands: a customer demanding compensation in at least this
	// many tickets flags each of them (default 3).
	RepeatDemands int
	// SharedDemands: the same demand, word for word, from at least this
	// many different customers within the repeat window flags each of
	// them (default 3): claim rings file from one template.
	SharedDemands int
}

func (o ComplaintOptions) withDefaults() ComplaintOptions {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.FirstResponseSLA <= 0 {
		o.FirstResponseSLA = 24 * time.Hour
	}
	if o.CloseSLA <= 0 {
		o.CloseSLA = 48 * time.Hour
	}
	if o.RepeatWindow <= 0 {
		o.RepeatWindow = 30 * 24 * time.Hour
	}
	if o.Review.DemandRatio <= 0 {
		o.Review.DemandRatio = 3
	}
	if o.Review.DemandAmount <= 0 {
		o.Review.DemandAmount = 1000
	}
	if o.Review.RepeatDemands <= 0 {
		o.Review.RepeatDemands = 3
	}
	if o.Review.SharedDemands <= 0 {
		o.Review.SharedDemands = 3
	}
	return o
}

// Review reasons, as ComplaintTicket.ReviewReasons lists them.
const (
	// ReviewDemandExceedsOrder: demanded ≥ DemandRatio × order value.
	ReviewDemandExceedsOrder = "demand_exceeds_order"
	// ReviewLargeDemand: no order value known and demanded ≥ DemandAmount.
	ReviewLargeDemand = "large_demand"
	// ReviewPunitiveDemand: the text asks for a multiple of the price
	// (退一赔三, 假一赔十, 十倍赔偿).
	ReviewPunitiveDemand = "punitive_demand"
	// ReviewRepeatDemand: the customer demands compensation in at least
	// RepeatDemands tickets (all history up to the period's end).
	ReviewRepeatDemand = "repeat_demand"
	// ReviewWithdrawnAfterCompensation: withdrawn once compensated.
	ReviewWithdrawnAfterCompensation = "withdrawn_after_compensation"
	// ReviewSharedDemand: a demand whose wording (at least
	// minTemplateRunes letters and digits) at least SharedDemands different
	// customers used within RepeatWindow of each other.
	ReviewSharedDemand = "shared_demand"
)

// minTemplateRunes is the shortest wording that counts as shared: short
// demands (退一赔三!) are what anyone would write.
const minTemplateRunes = 15

// templateKey is a demand's wording with case, spacing and punctuation
// folded away, so a template pasted with other commas still matches; ""
// when it is too short to tell a template from a common phrase.
func templateKey(text string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			n++
		}
	}
	if n < minTemplateRunes {
		return ""
	}
	return b.String()
}

// flagSharedDemands flags the demands that SharedDemands or more customers
// made in the same words within the window around each of them.
func flagSharedDemands(ts []ComplaintTicket, opt ComplaintOptions) {
	groups := map[string][]int{}
	for i := range ts {
		t := &ts[i]
		if !t.demands || t.Customer == "" {
			continue
		}
		if k := templateKey(t.Text); k != "" {
			groups[k] = append(groups[k], i)
		}
	}
	for _, g := range groups {
		if len(g) < opt.Review.SharedDemands {
			continue
		}
		for _, i := range g {
			customers := map[string]bool{}
			for _, j := range g {
				d := ts[i].OpenedAt.Sub(ts[j].OpenedAt)
				if d <= opt.RepeatWindow && -d <= opt.RepeatWindow {
					customers[ts[j].Customer] = true
				}
			}
			if len(customers) >= opt.Review.SharedDemands {
				ts[i].ReviewReasons = append(ts[i].ReviewReasons, ReviewSharedDemand)
			}
		}
	}
}

// ComplaintTicket is one stored ticket with what the measures derive from
// it. Times are UTC; durations are hours (0 when the event is missing).
type ComplaintTicket struct {
	ItemID          int64     `json:"item_id"`
	Source          string    `json:"source"`
	TicketID        string    `json:"ticket_id"`
	Customer        string    `json:"customer"`
	Product         string    `json:"product"`      // as the ticket wrote it
	ProductKey      string    `json:"product_key"`  // the key it groups under (see BreakdownRow)
	ProductName     string    `json:"product_name"` // how to show that group: its commonest written form
	Channel         string    `json:"channel"`
	Category        string    `json:"category"`
	OpenedAt        time.Time `json:"opened_at"`
	FirstResponseAt time.Time `json:"first_response_at"`
	ClosedAt        time.Time `json:"closed_at"`
	Result          string    `json:"result"`
	Compensation    string    `json:"compensation"`
	// Amounts; nil when unknown.
	CompensationAmount *float64  `json:"compensation_amount"`
	Demanded           *float64  `json:"demanded"`
	OrderValue         *float64  `json:"order_value"`
	Punitive           bool      `json:"punitive"`
	Satisfaction       voc.Level `json:"satisfaction"`
	EscalatedTo        []string  `json:"escalated_to"`
	Reopened           *int      `json:"reopened"` // times reopened; nil when the export did not say
	Text               string    `json:"text"`
	// Themes are the complaint themes tagged in the text, with their
	// ancestors ("quality.battery" brings "quality"), sorted.
	Themes []string `json:"themes"`

	// Closed: a closed time or a final result. Open tickets have Age.
	Closed bool    `json:"closed"`
	Age    float64 `json:"age_hours"`
	// Hours to the (effective) first response and to close; 0 when absent.
	FirstResponseHours float64 `json:"first_response_hours"`
	CloseHours         float64 `json:"close_hours"`
	// SLA verdicts at Options.Now: a breach is an event later than its SLA
	// or, still missing, past its deadline.
	FirstResponseBreach bool `json:"first_response_breach"`
	CloseBreach         bool `json:"close_breach"`
	// Repeat: the customer complained about the same problem at most
	// RepeatWindow earlier; RepeatOf is that earlier ticket's item id.
	Repeat   bool  `json:"repeat"`
	RepeatOf int64 `json:"repeat_of,omitempty"`
	// ReviewReasons flag the ticket "review: possibly malicious".
	ReviewReasons []string `json:"review_reasons"`

	firstResponse, firstDue, closeDue bool
	closedTimed                       bool
	demands                           bool
}

// Escalated reports whether the ticket went outside (消协, 12315 ...).
func (t *ComplaintTicket) Escalated() bool { return len(t.EscalatedTo) > 0 }

// WasReopened reports whether the ticket is known to have been reopened at
// least once.
func (t *ComplaintTicket) WasReopened() bool { return t.Reopened != nil && *t.Reopened > 0 }

// reopenKnown reports whether the ticket is in the base of the reopen
// rate: closed at least once, with a known reopen count.
func (t *ComplaintTicket) reopenKnown() bool {
	return t.Reopened != nil && (t.Closed || *t.Reopened > 0)
}

const selectComplaintTickets = `
SELECT c.item_id, c.source, c.ticket_id, coalesce(i.author_key, ''), coalesce(i.product, ''), ` + productKeyExpr + `,
	coalesce(c.channel, ''), coalesce(c.category, ''), c.opened_at, c.first_response_at, c.closed_at,
	coalesce(c.result, ''), coalesce(c.compensation, ''), c.compensation_amount, c.demanded,
	c.order_value, c.punitive, coalesce(c.satisfaction, 0), coalesce(to_json(c.escalated_to)::VARCHAR, '[]'),
	c.reopened, coalesce(i.text, ''),
	coalesce((SELECT to_json(list(DISTINCT h.theme ORDER BY h.theme))::VARCHAR FROM theme_hits h
	          WHERE h.item_id = c.item_id AND h.polarity = 'complaint'), '[]')
FROM complaints c JOIN items i ON i.id = c.item_id
WHERE c.opened_at < ?
ORDER BY c.opened_at, c.item_id`

// loadTickets reads every ticket opened before until, oldest first, and
// derives states, repeats and review flags: repeats and repeated demands
// need the history before any period asked for.
func (db *DB) loadTickets(ctx context.Context, until time.Time, opt ComplaintOptions) ([]ComplaintTicket, error) {
	rows, err := db.sql.QueryContext(ctx, selectComplaintTickets, until.UTC())
	if err != nil {
		return nil, fmt.Errorf("complaint tickets: %w", err)
	}
	defer rows.Close()
	var out []ComplaintTicket
	for rows.Next() {
		var t ComplaintTicket
		var first, closed sql.NullTime
		var comp, demanded, order sql.NullFloat64
		var sat int
		var reopened sql.NullInt64
		var esc, themes string
		if err := rows.Scan(&t.ItemID, &t.Source, &t.TicketID, &t.Customer, &t.Product, &t.ProductKey, &t.Channel, &t.Category,
			&t.OpenedAt, &first, &closed, &t.Result, &t.Compensation, &comp, &demanded, &order, &t.Punitive,
			&sat, &esc, &reopened, &t.Text, &themes); err != nil {
			return nil, fmt.Errorf("complaint tickets: %w", err)
		}
		t.OpenedAt = t.OpenedAt.UTC()
		if first.Valid {
			t.FirstResponseAt = first.Time.UTC()
		}
		if closed.Valid {
			t.ClosedAt = closed.Time.UTC()
		}
		t.CompensationAmount, t.Demanded, t.OrderValue = floatPtr(comp), floatPtr(demanded), floatPtr(order)
		t.Satisfaction = voc.Level(sat)
		if reopened.Valid {
			n := int(reopened.Int64)
			t.Reopened = &n
		}
		if err := json.Unmarshal([]byte(esc), &t.EscalatedTo); err != nil {
			return nil, fmt.Errorf("complaint tickets: escalated_to of %s: %w", t.TicketID, err)
		}
		var hit []string
		if err := json.Unmarshal([]byte(themes), &hit); err != nil {
			return nil, fmt.Errorf("complaint tickets: themes of %s: %w", t.TicketID, err)
		}
		t.Themes = withAncestors(hit)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("complaint tickets: %w", err)
	}
	rows.Close()
	keys := make([]string, len(out))
	for i := range out {
		keys[i] = out[i].ProductKey
	}
	names, err := db.productNames(ctx, db.sql, keys)
	if err != nil {
		return nil, fmt.Errorf("complaint tickets: %w", err)
	}
	for i := range out {
		out[i].ProductName = names[out[i].ProductKey]
	}
	derive(out, opt)
	return out, nil
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// withAncestors adds each theme's parents ("a.b.c" brings "a.b" and "a"),
// as theme_weeks counts a sub-theme's complaints for its parent too.
func withAncestors(themes []string) []string {
	set := map[string]bool{}
	for _, th := range themes {
		for p := th; p != ""; {
			set[p] = true
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	out := make([]string, 0, len(set))
	for th := range set {
		out = append(out, th)
	}
	sort.Strings(out)
	return out
}

// problemKeys are what "the same problem" compares: top-level themes and
// the helpdesk category.
func problemKeys(t *ComplaintTicket) []string {
	var keys []string
	for _, th := range t.Themes {
		if !strings.Contains(th, ".") {
			keys = append(keys, "theme:"+th)
		}
	}
	if c := strings.ToLower(strings.TrimSpace(t.Category)); c != "" {
		keys = append(keys, "category:"+c)
	}
	return keys
}

// rewind puts a ticket back as it stood at now: a first response or a
// closing recorded later had not happened yet, nor had what only a closing
// brings (its result, the satisfaction asked after it, reopens of it). So
// a week's figures read the same whenever its report is written, and "still
// open at week's end" means what it says. What has no time in the export
// (escalations, compensation, a result without a closing time) stays as
// exported.
func (t *ComplaintTicket) rewind(now time.Time) {
	if t.FirstResponseAt.After(now) {
		t.FirstResponseAt = time.Time{}
	}
	if t.ClosedAt.After(now) {
		t.ClosedAt = time.Time{}
		t.Result, t.Satisfaction, t.Reopened = "", voc.LevelNone, nil
	}
}

// derive fills the derived fields of tickets sorted by opening time.
func derive(ts []ComplaintTicket, opt ComplaintOptions) {
	now := opt.Now.UTC()
	type prior struct {
		at   time.Time
		id   int64
		keys []string
	}
	byCustomer := map[string][]prior{}
	demandsByCustomer := map[string]int{}
	for i := range ts {
		t := &ts[i]
		t.rewind(now)
		t.Closed = !t.ClosedAt.IsZero() || (t.Result != "" && complaintResults[t.Result])
		t.closedTimed = !t.ClosedAt.IsZero()
		if !t.Closed {
			t.Age = hours(now.Sub(t.OpenedAt))
		}
		resp := t.FirstResponseAt
		if resp.IsZero() {
			resp = t.ClosedAt
		}
		if !resp.IsZero() {
			t.firstResponse = true
			t.FirstResponseHours = hours(resp.Sub(t.OpenedAt))
			t.firstDue = true
			t.FirstResponseBreach = resp.Sub(t.OpenedAt) > opt.FirstResponseSLA
		} else if !t.Closed && !now.Before(t.OpenedAt.Add(opt.FirstResponseSLA)) {
			t.firstDue, t.FirstResponseBreach = true, true
		}
		if t.closedTimed {
			t.CloseHours = hours(t.ClosedAt.Sub(t.OpenedAt))
			t.closeDue = true
			t.CloseBreach = t.ClosedAt.Sub(t.OpenedAt) > opt.CloseSLA
		} else if !t.Closed && !now.Before(t.OpenedAt.Add(opt.CloseSLA)) {
			t.closeDue, t.CloseBreach = true, true
		}

		keys := problemKeys(t)
		if t.Customer != "" {
			// Latest earlier ticket on a shared problem within the window.
			hist := byCustomer[t.Customer]
			for j := len(hist) - 1; j >= 0; j-- {
				p := hist[j]
				if t.OpenedAt.Sub(p.at) > opt.RepeatWindow {
					break
				}
				if shares(keys, p.keys) {
					t.Repeat, t.RepeatOf = true, p.id
					break
				}
			}
			byCustomer[t.Customer] = append(hist, prior{t.OpenedAt, t.ItemID, keys})
		}

		t.demands = t.Punitive || (t.Demanded != nil && *t.Demanded > 0)
		if t.demands && t.Customer != "" {
			demandsByCustomer[t.Customer]++
		}
		var reasons []string
		switch {
		case t.Demanded != nil && t.OrderValue != nil && *t.OrderValue > 0:
			if *t.Demanded >= opt.Review.DemandRatio**t.OrderValue {
				reasons = append(reasons, ReviewDemandExceedsOrder)
			}
		case t.Demanded != nil && *t.Demanded >= opt.Review.DemandAmount:
			reasons = append(reasons, ReviewLargeDemand)
		}
		if t.Punitive {
			reasons = append(reasons, ReviewPunitiveDemand)
		}
		if t.Result == "withdrawn" && ((t.CompensationAmount != nil && *t.CompensationAmount > 0) ||
			(t.CompensationAmount == nil && t.Compensation != "")) {
			reasons = append(reasons, ReviewWithdrawnAfterCompensation)
		}
		t.ReviewReasons = reasons
	}
	flagSharedDemands(ts, opt)
	for i := range ts {
		t := &ts[i]
		if t.demands && t.Customer != "" && demandsByCustomer[t.Customer] >= opt.Review.RepeatDemands {
			t.ReviewReasons = append(t.ReviewReasons, ReviewRepeatDemand)
		}
		if t.ReviewReasons == nil {
			t.ReviewReasons = []string{}
		}
		if t.EscalatedTo == nil {
			t.EscalatedTo = []string{}
		}
	}
}

func shares(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func hours(d time.Duration) float64 { return d.Hours() }

// ComplaintTickets returns the tickets opened in [from, to), oldest first,
// with their derived fields: the rows behind ComplaintMeasures, for lists
// (escalations, breaches, tickets to review).
func (db *DB) ComplaintTickets(ctx context.Context, from, to time.Time, opt ComplaintOptions) ([]ComplaintTicket, error) {
	opt = opt.withDefaults()
	all, err := db.loadTickets(ctx, to, opt)
	if err != nil {
		return nil, err
	}
	out := []ComplaintTicket{}
	for _, t := range all {
		if !t.OpenedAt.Before(from) {
			out = append(out, t)
		}
	}
	return out, nil
}

// ComplaintsForReview returns the tickets opened in [from, to) that the
// heuristics flag "review: possibly malicious", oldest first. It is a
// queue for a person: every one of them still counts in every figure.
func (db *DB) ComplaintsForReview(ctx context.Context, from, to time.Time, opt ComplaintOptions) ([]ComplaintTicket, error) {
	ts, err := db.ComplaintTickets(ctx, from, to, opt)
	if err != nil {
		return nil, err
	}
	out := []ComplaintTicket{}
	for _, t := range ts {
		if len(t.ReviewReasons) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// OpenComplaints returns the tickets open at opt.Now, oldest first, each
// with its age and SLA verdicts.
func (db *DB) OpenComplaints(ctx context.Context, opt ComplaintOptions) ([]ComplaintTicket, error) {
	opt = opt.withDefaults()
	all, err := db.loadTickets(ctx, opt.Now.Add(time.Nanosecond), opt)
	if err != nil {
		return nil, err
	}
	out := []ComplaintTicket{}
	for _, t := range all {
		if !t.Closed {
			out = append(out, t)
		}
	}
	return out, nil
}

// AgeBucket counts open tickets of one age band.
type AgeBucket struct {
	Label    string  `json:"label"`
	MinHours float64 `json:"min_hours"`
	MaxHours float64 `json:"max_hours"` // 0: no upper bound
	Tickets  int     `json:"tickets"`
	// CloseBreaches are those past the close SLA, FirstResponseBreaches
	// those still (or too late) unanswered past the first-response SLA.
	CloseBreaches         int `json:"close_breaches"`
	FirstResponseBreaches int `json:"first_response_breaches"`
}

// OpenAges buckets open tickets by age: under 24 hours, 1-2 days, 2-7
// days, 7-30 days and older; an age on a boundary goes to the older band.
func OpenAges(open []ComplaintTicket) []AgeBucket {
	bs := []AgeBucket{
		{Label: "<24h", MinHours: 0, MaxHours: 24},
		{Label: "1-2d", MinHours: 24, MaxHours: 48},
		{Label: "2-7d", MinHours: 48, MaxHours: 168},
		{Label: "7-30d", MinHours: 168, MaxHours: 720},
		{Label: ">30d", MinHours: 720},
	}
	for _, t := range open {
		if t.Closed {
			continue
		}
		for i := range bs {
			b := &bs[i]
			if t.Age >= b.MinHours && (b.MaxHours == 0 || t.Age < b.MaxHours) {
				b.Tickets++
				if t.CloseBreach {
					b.CloseBreaches++
				}
				if t.FirstResponseBreach {
					b.FirstResponseBreaches++
				}
				break
			}
		}
	}
	return bs
}

// ComplaintBy is the dimension ComplaintMeasures groups by.
type ComplaintBy string

// The dimensions of the complaint measures.
const (
	ComplaintsOverall   ComplaintBy = ""        // one row per week, Key ""
	ComplaintsByTheme   ComplaintBy = "theme"   // a ticket counts under each of its themes (and their parents); Key "" for untagged tickets
	ComplaintsByProduct ComplaintBy = "product" // Key is the product key, "" when the ticket names none; see ComplaintWeek.Name
	ComplaintsByChannel ComplaintBy = "channel" // phone, online, store, 12315, platform, other, or ""
)

// ComplaintWeek is the complaint-handling measures of one week (and one
// Key of the dimension asked for). Hours are 0 and rates 0 when their
// denominator (named next to them) is 0: check the count before showing.
// The reopen rate is the exception, null without a base, because whole
// exports lack a reopen column and a 0 there would read as "no reopens".
type ComplaintWeek struct {
	Week time.Time `json:"week"` // Monday 00:00 in Options.Location
	Key  string    `json:"key"`
	// Name is how to show Key by product: the product's commonest written
	// form (ComplaintTicket.ProductName). Empty for the other dimensions.
	Name string `json:"name,omitempty"`

	Tickets int `json:"tickets"` // opened this week
	Closed  int `json:"closed"`  // of them, closed by Options.Now
	Open    int `json:"open"`    // of them, still open

	// Time to first response, over Responded tickets.
	Responded                int     `json:"responded"`
	FirstResponseMedianHours float64 `json:"first_response_median_hours"`
	FirstResponseP90Hours    float64 `json:"first_response_p90_hours"`
	// Time to close, over ClosedTimed tickets (closed with a time).
	ClosedTimed      int     `json:"closed_timed"`
	CloseMedianHours float64 `json:"close_median_hours"`
	CloseP90Hours    float64 `json:"close_p90_hours"`

	// SLA: within / due (see the definitions at the top of this file).
	FirstResponseDue     int     `json:"first_response_due"`
	FirstResponseInSLA   int     `json:"first_response_in_sla"`
	FirstResponseSLARate float64 `json:"first_response_sla_rate"`
	CloseDue             int     `json:"close_due"`
	CloseInSLA           int     `json:"close_in_sla"`
	CloseSLARate         float64 `json:"close_sla_rate"`

	Resolved   int `json:"resolved"`
	Partly     int `json:"partly"`
	Unresolved int `json:"unresolved"`
	Withdrawn  int `json:"withdrawn"`
	// ResolutionRate = Resolved / (Resolved + Partly + Unresolved).
	ResolutionRate float64 `json:"resolution_rate"`

	// Satisfaction after handling: Satisfaction[l] tickets answered level
	// l (index 0 unused) out of SatisfactionAnswers; Recovered are those
	// at 4-5, RecoveryRate = Recovered / SatisfactionAnswers.
	SatisfactionAnswers int     `json:"satisfaction_answers"`
	Satisfaction        [6]int  `json:"satisfaction"`
	Recovered           int     `json:"recovered"`
	RecoveryRate        float64 `json:"recovery_rate"`

	// Reopens, over ReopenKnown: the tickets closed at least once whose
	// reopen count is known (see the definitions at the top of this file).
	// Reopened of them were reopened at least once; ReopenRate =
	// Reopened / ReopenKnown, nil (JSON null) when ReopenKnown is 0.
	// ReopenedDissatisfied are the reopened tickets answered 1-2 after
	// handling: a closing that did not hold and a customer left unhappy,
	// the strongest sign of a customer about to leave.
	ReopenKnown          int      `json:"reopen_known"`
	Reopened             int      `json:"reopened"`
	ReopenRate           *float64 `json:"reopen_rate"`
	ReopenedDissatisfied int      `json:"reopened_dissatisfied"`

	Repeats    int     `json:"repeats"`     // repeat tickets
	RepeatRate float64 `json:"repeat_rate"` // Repeats / Tickets

	Escalated   int            `json:"escalated"`
	EscalatedTo map[string]int `json:"escalated_to"` // per target; a ticket may name several

	Flagged int `json:"flagged"` // tickets flagged for review (possibly malicious)

	// Breaches at Options.Now among this week's tickets.
	FirstResponseBreaches int `json:"first_response_breaches"`
	CloseBreaches         int `json:"close_breaches"`
}

// WeekStart is the Monday 00:00 in loc of the ISO week holding t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// ComplaintMeasures computes the measures of the tickets opened in
// [from, to), per week and per value of by, ordered by week then key
// (by Tickets, most first, then key, for the dimensions). Repeats look back
// before from; SLA due-ness and open states are as of opt.Now.
func (db *DB) ComplaintMeasures(ctx context.Context, from, to time.Time, by ComplaintBy, opt ComplaintOptions) ([]ComplaintWeek, error) {
	switch by {
	case ComplaintsOverall, ComplaintsByTheme, ComplaintsByProduct, ComplaintsByChannel:
	default:
		return nil, fmt.Errorf("complaint measures: unknown dimension %q (want theme, product, channel or none)", by)
	}
	opt = opt.withDefaults()
	ts, err := db.ComplaintTickets(ctx, from, to, opt)
	if err != nil {
		return nil, err
	}
	return MeasureComplaints(ts, by, opt.Location), nil
}

// MeasureComplaints aggregates tickets (as ComplaintTickets returns them)
// into weekly measures; ComplaintMeasures is this over the warehouse.
func MeasureComplaints(ts []ComplaintTicket, by ComplaintBy, loc *time.Location) []ComplaintWeek {
	if loc == nil {
		loc = time.UTC
	}
	type key struct {
		week time.Time
		k    string
	}
	type acc struct {
		w            ComplaintWeek
		first, close []float64
	}
	groups := map[key]*acc{}
	for i := range ts {
		t := &ts[i]
		week := WeekStart(t.OpenedAt, loc)
		var keys []string
		name := ""
		switch by {
		case ComplaintsByTheme:
			keys = t.Themes
			if len(keys) == 0 {
				keys = []string{""}
			}
		case ComplaintsByProduct:
			keys, name = []string{t.ProductKey}, t.ProductName
		case ComplaintsByChannel:
			keys = []string{t.Channel}
		default:
			keys = []string{""}
		}
		for _, k := range keys {
			g := groups[key{week, k}]
			if g == nil {
				g = &acc{w: ComplaintWeek{Week: week, Key: k, Name: name, EscalatedTo: map[string]int{}}}
				groups[key{week, k}] = g
			}
			w := &g.w
			w.Tickets++
			if t.Closed {
				w.Closed++
			} else {
				w.Open++
			}
			if t.firstResponse {
				g.first = append(g.first, t.FirstResponseHours)
			}
			if t.closedTimed {
				g.close = append(g.close, t.CloseHours)
			}
			if t.firstDue {
				w.FirstResponseDue++
				if !t.FirstResponseBreach {
					w.FirstResponseInSLA++
				}
			}
			if t.closeDue {
				w.CloseDue++
				if !t.CloseBreach {
					w.CloseInSLA++
				}
			}
			if t.FirstResponseBreach {
				w.FirstResponseBreaches++
			}
			if t.CloseBreach {
				w.CloseBreaches++
			}
			switch t.Result {
			case "resolved":
				w.Resolved++
			case "partly":
				w.Partly++
			case "unresolved":
				w.Unresolved++
			case "withdrawn":
				w.Withdrawn++
			}
			if t.Satisfaction.Valid() {
				w.SatisfactionAnswers++
				w.Satisfaction[t.Satisfaction]++
				if t.Satisfaction.Satisfied() {
					w.Recovered++
				}
			}
			if t.reopenKnown() {
				w.ReopenKnown++
				if t.WasReopened() {
					w.Reopened++
					if t.Satisfaction.Dissatisfied() {
						w.ReopenedDissatisfied++
					}
				}
			}
			if t.Repeat {
				w.Repeats++
			}
			if t.Escalated() {
				w.Escalated++
				for _, e := range t.EscalatedTo {
					w.EscalatedTo[e]++
				}
			}
			if len(t.ReviewReasons) > 0 {
				w.Flagged++
			}
		}
	}
	out := make([]ComplaintWeek, 0, len(groups))
	for _, g := range groups {
		w := g.w
		w.Responded, w.ClosedTimed = len(g.first), len(g.close)
		w.FirstResponseMedianHours, w.FirstResponseP90Hours = Median(g.first), P90(g.first)
		w.CloseMedianHours, w.CloseP90Hours = Median(g.close), P90(g.close)
		w.FirstResponseSLARate = ratio(w.FirstResponseInSLA, w.FirstResponseDue)
		w.CloseSLARate = ratio(w.CloseInSLA, w.CloseDue)
		w.ResolutionRate = ratio(w.Resolved, w.Resolved+w.Partly+w.Unresolved)
		w.RecoveryRate = ratio(w.Recovered, w.SatisfactionAnswers)
		if w.ReopenKnown > 0 {
			r := ratio(w.Reopened, w.ReopenKnown)
			w.ReopenRate = &r
		}
		w.RepeatRate = ratio(w.Repeats, w.Tickets)
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Week.Equal(b.Week) {
			return a.Week.Before(b.Week)
		}
		if a.Tickets != b.Tickets {
			return a.Tickets > b.Tickets
		}
		return a.Key < b.Key
	})
	return out
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Median is the middle of xs, the mean of the two middle values for an
// even count; 0 for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// P90 is the 90th percentile of xs by nearest rank: the ceil(0.9·n)-th
// smallest value, always one of the values (no interpolation, so "90% of
// tickets were answered within X hours" holds for the X shown); 0 for none.
func P90(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := (9*len(s) + 9) / 10 // ceil(0.9·n) in integers, free of float rounding
	return s[rank-1]
}
