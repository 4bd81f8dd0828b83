package reports

import (
	"context"
	"fmt"
	"sort"

	"github.com/voc-analytics/voc/warehouse"
)

// ComplaintSection is the weekly report's account of complaint handling:
// how fast and how well this week's tickets were handled against last
// week's, the dissatisfaction that never became a complaint, and the
// customers who went quiet after a bad experience.
//
// Measures are taken as of the end of each week (open, breached, resolved
// at that moment), so a report re-rendered later shows the same numbers.
type ComplaintSection struct {
	This, Prev warehouse.ComplaintWeek
	// Silent sets dissatisfied reviews and survey answers against complaints
	// per top theme of the week, largest ratio first; SilentAll is all
	// themes together.
	Silent    []SilentLine
	SilentAll warehouse.SilentWeek
	// Escalated and Review are this week's escalated tickets and those
	// flagged "review: possibly malicious", for a person to judge.
	Escalated []warehouse.ComplaintTicket
	Review    []warehouse.ComplaintTicket
	// AtRisk are customers whose last word (by the week's end) was a 1-2
	// and who have been silent since.
	AtRisk []warehouse.AtRiskCustomer
}

// SilentLine is one theme's silent dissatisfaction, with its name.
type SilentLine struct {
	warehouse.SilentWeek
	Name string
}

// ComplaintRow is one line of the section's figures table, formatted.
type ComplaintRow struct {
	Key        string // the texts key of its label
	This, Prev string
	Better     int // +1 when a rise is good news, -1 when bad
}

// Rows are the handling figures of both weeks, "n/a" (na) where a figure
// has nothing to be computed from (no ticket closed, no answer after
// handling, no reopen count in the export ...) rather than a misleading 0.
func (c *ComplaintSection) Rows(na string) []ComplaintRow {
	count := func(f func(w warehouse.ComplaintWeek) int) (string, string) {
		return formatInt(f(c.This)), formatInt(f(c.Prev))
	}
	hours := func(n func(w warehouse.ComplaintWeek) int, v func(w warehouse.ComplaintWeek) float64) (string, string) {
		f := func(w warehouse.ComplaintWeek) string {
			if n(w) == 0 {
				return na
			}
			return fmt.Sprintf("%.1f h", v(w))
		}
		return f(c.This), f(c.Prev)
	}
	rate := func(n func(w warehouse.ComplaintWeek) int, v func(w warehouse.ComplaintWeek) float64) (string, string) {
		f := func(w warehouse.ComplaintWeek) string {
			if n(w) == 0 {
				return na
			}
			return fmt.Sprintf("%.1f%%", v(w)*100)
		}
		return f(c.This), f(c.Prev)
	}
	row := func(key string, better int, this, prev string) ComplaintRow {
		return ComplaintRow{Key: key, This: this, Prev: prev, Better: better}
	}
	type W = warehouse.ComplaintWeek
	var rows []ComplaintRow
	add := func(key string, better int, this, prev string) { rows = append(rows, row(key, better, this, prev)) }
	t, p := count(func(w W) int { return w.Tickets })
	add("c_tickets", -1, t, p)
	t, p = hours(func(w W) int { return w.Responded }, func(w W) float64 { return w.FirstResponseMedianHours })
	add("c_first_median", -1, t, p)
	t, p = hours(func(w W) int { return w.Responded }, func(w W) float64 { return w.FirstResponseP90Hours })
	add("c_first_p90", -1, t, p)
	t, p = hours(func(w W) int { return w.ClosedTimed }, func(w W) float64 { return w.CloseMedianHours })
	add("c_close_median", -1, t, p)
	t, p = hours(func(w W) int { return w.ClosedTimed }, func(w W) float64 { return w.CloseP90Hours })
	add("c_close_p90", -1, t, p)
	t, p = rate(func(w W) int { return w.FirstResponseDue }, func(w W) float64 { return w.FirstResponseSLARate })
	add("c_first_sla", 1, t, p)
	t, p = rate(func(w W) int { return w.CloseDue }, func(w W) float64 { return w.CloseSLARate })
	add("c_close_sla", 1, t, p)
	t, p = rate(func(w W) int { return w.Resolved + w.Partly + w.Unresolved }, func(w W) float64 { return w.ResolutionRate })
	add("c_resolution", 1, t, p)
	// The reopen rate shows its base (reopened / closed with a known
	// count): unlike the other rates it covers only the tickets whose
	// export says whether they were reopened.
	reopen := func(w W) string {
		if w.ReopenRate == nil {
			return na
		}
		return fmt.Sprintf("%.1f%% (%s/%s)", *w.ReopenRate*100, formatInt(w.Reopened), formatInt(w.ReopenKnown))
	}
	add("c_reopen", -1, reopen(c.This), reopen(c.Prev))
	reopenedDissatisfied := func(w W) string {
		if w.ReopenRate == nil {
			return na
		}
		return formatInt(w.ReopenedDissatisfied)
	}
	add("c_reopened_dissatisfied", -1, reopenedDissatisfied(c.This), reopenedDissatisfied(c.Prev))
	t, p = rate(func(w W) int { return w.SatisfactionAnswers }, func(w W) float64 { return w.RecoveryRate })
	add("c_recovery", 1, t, p)
	t, p = count(func(w W) int { return w.Repeats })
	add("c_repeats", -1, t, p)
	t, p = count(func(w W) int { return w.Escalated })
	add("c_escalated", -1, t, p)
	t, p = count(func(w W) int { return w.Flagged })
	add("c_flagged", 0, t, p)
	t, p = count(func(w W) int { return w.Open })
	add("c_open", -1, t, p)
	return rows
}

// Empty reports whether there is nothing to show: no ticket in either week
// and no silent dissatisfaction.
func (c *ComplaintSection) Empty() bool {
	return c == nil || c.This.Tickets == 0 && c.Prev.Tickets == 0 && c.SilentAll.Dissatisfied == 0 && len(c.AtRisk) == 0
}

// complaints builds the section for the report's week.
func (w *Weekly) complaints(ctx context.Context, db *warehouse.DB, opt Options) error {
	co := opt.Complaints
	co.Location = opt.Location
	sec := &ComplaintSection{}
	for _, p := range []struct {
		period warehouse.Period
		into   *warehouse.ComplaintWeek
	}{{w.Period, &sec.This}, {w.Prev, &sec.Prev}} {
		co.Now = p.period.End
		ws, err := db.ComplaintMeasures(ctx, p.period.Start, p.period.End, warehouse.ComplaintsOverall, co)
		if err != nil {
			return fmt.Errorf("complaints: %w", err)
		}
		if len(ws) > 0 { // one week asked, so one row at most
			*p.into = ws[0]
		}
	}
	co.Now = w.Period.End
	tickets, err := db.ComplaintTickets(ctx, w.Period.Start, w.Period.End, co)
	if err != nil {
		return fmt.Errorf("complaints: %w", err)
	}
	for _, t := range tickets {
		if len(t.EscalatedTo) > 0 && len(sec.Escalated) < listLimit {
			sec.Escalated = append(sec.Escalated, t)
		}
		if len(t.ReviewReasons) > 0 && len(sec.Review) < listLimit {
			sec.Review = append(sec.Review, t)
		}
	}
	silent, err := db.SilentDissatisfaction(ctx, w.Period.Start, w.Period.End, opt.Location)
	if err != nil {
		return fmt.Errorf("complaints: %w", err)
	}
	top := map[string]bool{}
	for i, t := range w.Themes {
		if i < 8 {
			top[t.ID] = true
		}
	}
	for _, s := range silent {
		switch {
		case s.Theme == "":
			sec.SilentAll = s
		case top[s.Theme] && (s.Dissatisfied > 0 || s.Complaints > 0):
			sec.Silent = append(sec.Silent, SilentLine{SilentWeek: s, Name: opt.theme(s.Theme).Name(opt.Lang)})
		}
	}
	sort.SliceStable(sec.Silent, func(i, j int) bool {
		a, b := sec.Silent[i], sec.Silent[j]
		return a.Dissatisfied*max(b.Complaints, 1) > b.Dissatisfied*max(a.Complaints, 1)
	})
	sec.AtRisk, err = db.AtRiskCustomers(ctx, warehouse.AtRiskOptions{Silence: opt.AtRiskSilence, Now: w.Period.End, Limit: listLimit})
	if err != nil {
		return fmt.Errorf("complaints: %w", err)
	}
	w.Complaints = sec
	return nil
}
