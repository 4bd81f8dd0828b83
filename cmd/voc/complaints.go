package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/warehouse"
)

func (a *app) importComplaintsCommand() *cobra.Command {
	var source, encoding, product, channel string
	cmd := &cobra.Command{
		Use:   "complaints FILE...",
		Short: "Import complaint tickets (CSV or XLSX helpdesk exports)",
		Long: `import complaints loads helpdesk exports of complaint tickets. Each ticket
becomes an item of kind "complaint" (its text is the complaint content,
scored and theme-tagged by 'voc pipeline' like any feedback) and a row of
the complaints table with what was done about it: first response, close,
result, compensation, satisfaction after handling, escalation, reopens.

Columns are recognised by their headers in Chinese and English (工单号 /
ticket id, 投诉时间 / opened, 首次响应时间 / first response, 结案时间 /
closed, 处理结果 / result, 回访满意度 / satisfaction, 升级至 / escalated
to, 重开次数 / times reopened ...); others are named under
sources.NAME.complaints.mapping in voc.yaml. A reopen column holds a count
or yes/no (是/否); a status of 重新打开 / reopened counts as reopened at
least once, with or without one.
Encodings are detected as for surveys; --encoding wins.

Rows with an unreadable or impossible time (closed or first answered before
opened), an unknown result or satisfaction label, an unreadable reopen
count, or the wrong number of columns are quarantined in the rejects table
with file, line and reason.
Importing the same export again stores nothing twice; a re-export in which
a ticket got closed updates that ticket (counted as updated).

Exit code 2 when rows were rejected, 1 when a file could not be imported.`,
		Example: `  voc import complaints 投诉工单导出.csv --source helpdesk
  voc import complaints tickets.xlsx --source helpdesk --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			opt, err := a.complaintOptions(source)
			if err != nil {
				return err
			}
			override(&opt.Encoding, encoding)
			override(&opt.Product, product)
			override(&opt.Channel, channel)
			db, err := a.openDB(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer db.Close()
			return a.reportImport(jobs.ImportComplaints(cmd.Context(), db, source, files, opt))
		},
	}
	importFlags(cmd, &source, &encoding, &product, &channel, "tickets")
	return cmd
}

// complaintOptions starts from the source's settings in voc.yaml, if any.
func (a *app) complaintOptions(source string) (complaints.Options, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return complaints.Options{}, err
	}
	opt := complaints.Options{Source: source, Location: loc}
	if s, ok := a.cfg.Sources[source]; ok {
		if s.Type != "complaints" {
			return opt, fmt.Errorf("source %s is of type %q in %s, not complaints", source, s.Type, a.cfg.Path())
		}
		opt.Encoding, opt.Product, opt.Channel = s.Encoding, s.Product, s.Channel
		if s.Complaints != nil {
			opt.Mapping = s.Complaints.Mapping
		}
	}
	return opt, nil
}

// measureOptions turns voc.yaml's complaints section into the warehouse's
// options, with now as the clock.
func (a *app) measureOptions(now time.Time) (warehouse.ComplaintOptions, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return warehouse.ComplaintOptions{}, err
	}
	c := a.cfg.Complaints
	return warehouse.ComplaintOptions{
		Location: loc, Now: now, FirstResponseSLA: c.FirstResponseSLA, CloseSLA: c.CloseSLA, RepeatWindow: c.RepeatWindow,
		Review: warehouse.ReviewRules{DemandRatio: c.Review.DemandRatio, DemandAmount: c.Review.DemandAmount, RepeatDemands: c.Review.RepeatDemands,
			SharedDemands: c.Review.SharedDemands},
	}, nil
}

// complaintsReport is what `voc complaints --json` writes.
type complaintsReport struct {
	Now         time.Time                   `json:"now"`
	Week        *warehouse.ComplaintWeek    `json:"week"` // the latest week with tickets; null when none
	ByChannel   []warehouse.ComplaintWeek   `json:"by_channel"`
	OpenAges    []warehouse.AgeBucket       `json:"open_ages"`
	Breaches    []warehouse.ComplaintTicket `json:"breaches"` // open tickets past an SLA, oldest first
	Escalations []warehouse.ComplaintTicket `json:"escalations"`
	Review      []warehouse.ComplaintTicket `json:"review"` // flagged "review: possibly malicious"
	Silent      []warehouse.SilentWeek      `json:"silent"`
	AtRisk      []warehouse.AtRiskCustomer  `json:"at_risk"`
}

func (a *app) complaintsCommand() *cobra.Command {
	var limit int
	var asOf string
	cmd := &cobra.Command{
		Use:   "complaints",
		Short: "Complaint handling: open tickets, SLA breaches, escalations, the latest week",
		Long: `complaints shows how complaint tickets are handled: open tickets by age
with their SLA breaches, escalations (消协, 12315, media, lawyer, platform),
and the headline measures of the latest week with tickets: time to first
response and to close (median and p90), share within the SLAs of voc.yaml,
resolution rate, reopen rate (closed tickets reopened, over the tickets
whose export has a reopen count; "-" when none has) and the reopened
tickets left dissatisfied, satisfaction after handling and the recovery
rate (share answering 4-5), repeat complaints, tickets flagged for review as possibly
malicious (flagged only: they stay in every figure), and silent
dissatisfaction: dissatisfied reviews and survey answers per complaint on
the same theme, and customers at risk of being lost.

Themes and levels come from 'voc pipeline': run it after an import.`,
		Example: `  voc complaints
  voc complaints --json
  voc complaints --now 2026-11-30 --limit 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			now := time.Now()
			loc, err := a.cfg.Location()
			if err != nil {
				return err
			}
			if asOf != "" {
				if now, err = time.ParseInLocation(time.DateOnly, asOf, loc); err != nil {
					return fmt.Errorf("--now %q: want a date such as 2026-11-30", asOf)
				}
			}
			opt, err := a.measureOptions(now)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx, true)
			if err != nil {
				return err
			}
			defer db.Close()
			rep := complaintsReport{Now: now, ByChannel: []warehouse.ComplaintWeek{}, Breaches: []warehouse.ComplaintTicket{}, Silent: []warehouse.SilentWeek{}}
			open, err := db.OpenComplaints(ctx, opt)
			if err != nil {
				return err
			}
			rep.OpenAges = warehouse.OpenAges(open)
			for _, t := range open {
				if t.CloseBreach || t.FirstResponseBreach {
					rep.Breaches = append(rep.Breaches, t)
				}
			}
			all, err := db.ComplaintTickets(ctx, time.Time{}, now.Add(time.Nanosecond), opt)
			if err != nil {
				return err
			}
			if len(all) > 0 {
				from := warehouse.WeekStart(all[len(all)-1].OpenedAt, loc)
				to := from.AddDate(0, 0, 7)
				weeks, err := db.ComplaintMeasures(ctx, from, to, warehouse.ComplaintsOverall, opt)
				if err != nil {
					return err
				}
				if len(weeks) > 0 {
					rep.Week = &weeks[0]
				}
				if rep.ByChannel, err = db.ComplaintMeasures(ctx, from, to, warehouse.ComplaintsByChannel, opt); err != nil {
					return err
				}
				for _, t := range all {
					if !t.OpenedAt.Before(from) && t.Escalated() {
						rep.Escalations = append(rep.Escalations, t)
					}
				}
				if rep.Review, err = db.ComplaintsForReview(ctx, from, to, opt); err != nil {
					return err
				}
				if rep.Silent, err = db.SilentDissatisfaction(ctx, from, to, loc); err != nil {
					return err
				}
			}
			if rep.Escalations == nil {
				rep.Escalations = []warehouse.ComplaintTicket{}
			}
			if rep.Review == nil {
				rep.Review = []warehouse.ComplaintTicket{}
			}
			if rep.AtRisk, err = db.AtRiskCustomers(ctx, warehouse.AtRiskOptions{Silence: a.cfg.Complaints.AtRiskAfter, Now: now, Limit: limit}); err != nil {
				return err
			}
			if a.jsonOut {
				return a.writeJSON(rep)
			}
			a.printComplaints(rep, loc, limit)
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "how many tickets and customers to list per section (0: all)")
	cmd.Flags().StringVar(&asOf, "now", "", "measure as of this date (YYYY-MM-DD, in voc.yaml's timezone) instead of now")
	return cmd
}

func sharePct(v float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%% of %d", v*100, n)
}

// reopens says the week's reopen rate with its base, or that the exports
// do not say: a missing reopen column is not a 0% reopen rate.
func reopens(w *warehouse.ComplaintWeek) string {
	if w.ReopenRate == nil {
		return "- (no reopen count in the exports)"
	}
	return fmt.Sprintf("%d of %d closed with a known count (%.0f%%); %d of them dissatisfied after handling (1-2)",
		w.Reopened, w.ReopenKnown, *w.ReopenRate*100, w.ReopenedDissatisfied)
}

func reopenPct(w warehouse.ComplaintWeek) string {
	if w.ReopenRate == nil {
		return "-"
	}
	return sharePct(*w.ReopenRate, w.ReopenKnown)
}

func hrs(v float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fh", v)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (a *app) printComplaints(r complaintsReport, loc *time.Location, limit int) {
	shown := func(n int) int {
		if limit > 0 && n > limit {
			return limit
		}
		return n
	}
	a.printf("open tickets by age (as of %s):\n", r.Now.In(loc).Format("2006-01-02 15:04"))
	for _, b := range r.OpenAges {
		a.printf("  %-6s %5d open, %4d past close SLA, %4d past first-response SLA\n", b.Label, b.Tickets, b.CloseBreaches, b.FirstResponseBreaches)
	}
	if len(r.Breaches) > 0 {
		a.printf("\nSLA breaches, oldest first (%d):\n", len(r.Breaches))
		for _, t := range r.Breaches[:shown(len(r.Breaches))] {
			a.printf("  %-12s %-10s opened %s, %5.0fh open  %s\n", t.TicketID, t.Channel, t.OpenedAt.In(loc).Format("2006-01-02 15:04"), t.Age, clip(t.Text, 40))
		}
	}
	if r.Week == nil {
		a.printf("\nno complaint tickets yet: voc import complaints FILE --source NAME\n")
		return
	}
	w := r.Week
	a.printf("\nweek of %s: %d tickets (%d closed, %d open)\n", w.Week.Format("2006-01-02"), w.Tickets, w.Closed, w.Open)
	a.printf("  first response   median %s, p90 %s; within SLA %s\n", hrs(w.FirstResponseMedianHours, w.Responded), hrs(w.FirstResponseP90Hours, w.Responded), sharePct(w.FirstResponseSLARate, w.FirstResponseDue))
	a.printf("  close            median %s, p90 %s; within SLA %s\n", hrs(w.CloseMedianHours, w.ClosedTimed), hrs(w.CloseP90Hours, w.ClosedTimed), sharePct(w.CloseSLARate, w.CloseDue))
	a.printf("  results          %d resolved, %d partly, %d unresolved, %d withdrawn; resolution rate %s\n", w.Resolved, w.Partly, w.Unresolved, w.Withdrawn, sharePct(w.ResolutionRate, w.Resolved+w.Partly+w.Unresolved))
	a.printf("  reopened         %s\n", reopens(w))
	a.printf("  after handling   levels 1-5: %v; recovered (4-5) %s\n", w.Satisfaction[1:], sharePct(w.RecoveryRate, w.SatisfactionAnswers))
	a.printf("  repeats          %d (%s)\n", w.Repeats, sharePct(w.RepeatRate, w.Tickets))
	targets := make([]string, 0, len(w.EscalatedTo))
	for k, n := range w.EscalatedTo {
		targets = append(targets, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(targets)
	a.printf("  escalated        %d %v\n", w.Escalated, targets)
	a.printf("  flagged          %d for review (possibly malicious; still counted)\n", w.Flagged)
	if len(r.ByChannel) > 0 {
		a.printf("\n  %-10s %7s %9s %9s %9s %9s\n", "channel", "tickets", "close p50", "close SLA", "recovered", "reopened")
		for _, c := range r.ByChannel {
			key := c.Key
			if key == "" {
				key = "(none)"
			}
			a.printf("  %-10s %7d %9s %9s %9s %9s\n", key, c.Tickets, hrs(c.CloseMedianHours, c.ClosedTimed), sharePct(c.CloseSLARate, c.CloseDue),
				sharePct(c.RecoveryRate, c.SatisfactionAnswers), reopenPct(c))
		}
	}
	if len(r.Escalations) > 0 {
		a.printf("\nescalations this week (%d):\n", len(r.Escalations))
		for _, t := range r.Escalations[:shown(len(r.Escalations))] {
			a.printf("  %-12s -> %-28s %s\n", t.TicketID, strings.Join(t.EscalatedTo, ", "), clip(t.Text, 40))
		}
	}
	if len(r.Review) > 0 {
		a.printf("\nreview: possibly malicious (%d; flagged only, a person decides):\n", len(r.Review))
		for _, t := range r.Review[:shown(len(r.Review))] {
			a.printf("  %-12s %-10s %-40s %s\n", t.TicketID, t.Customer, strings.Join(t.ReviewReasons, ", "), clip(t.Text, 30))
		}
	}
	if len(r.Silent) > 0 {
		a.printf("\nsilent dissatisfaction this week (dissatisfied reviews and survey answers per complaint):\n")
		for i, s := range r.Silent {
			if limit > 0 && i == limit+1 {
				break
			}
			theme := s.Theme
			if theme == "" {
				theme = "(all themes)"
			}
			per := "no complaints"
			if s.Complaints > 0 {
				per = fmt.Sprintf("%.1f per complaint", s.PerComplaint)
			}
			a.printf("  %-22s %4d dissatisfied, %4d complaints: %s\n", theme, s.Dissatisfied, s.Complaints, per)
		}
	}
	if len(r.AtRisk) > 0 {
		a.printf("\nat risk of being lost (last word dissatisfied, silent since):\n")
		for _, c := range r.AtRisk {
			a.printf("  %-20s level %d %-9s %s, %3.0f days silent  %s\n", clip(c.Key, 20), c.LastLevel, c.LastKind, c.LastAt.In(loc).Format("2006-01-02"), c.SilentDays, clip(c.LastText, 30))
		}
	}
}
