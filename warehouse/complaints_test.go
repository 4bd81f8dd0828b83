package warehouse

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

// The fixture's clock: figures are computed as of this instant.
var cNow = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func day(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

func fp(v float64) *float64 { return &v }

// tk builds a ticket opened at `opened`, answered and closed after the
// given hours (negative: not yet).
func tk(id, customer string, opened time.Time, firstH, closeH float64, result string, sat voc.Level) voc.ComplaintTicket {
	r := voc.ComplaintTicket{
		Item: voc.Item{Source: "desk", Kind: voc.KindComplaint, ExternalID: id, AuthorKey: customer,
			Product: "P1", Channel: "phone", CreatedAt: opened, Text: "complaint " + id},
		Channel: "phone", Result: result, Satisfaction: sat,
	}
	if firstH >= 0 {
		r.FirstResponseAt = opened.Add(time.Duration(firstH * float64(time.Hour)))
	}
	if closeH >= 0 {
		r.ClosedAt = opened.Add(time.Duration(closeH * float64(time.Hour)))
	}
	return r
}

func with2(r voc.ComplaintTicket, f func(*voc.ComplaintTicket)) voc.ComplaintTicket { f(&r); return r }

// complaintFixture stores the tickets, reviews and survey answers whose
// figures the tests below state by hand; themes and levels stand in for
// what the pipeline would write.
func complaintFixture(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, _ := openTemp(t)
	recs := []voc.ComplaintTicket{
		// Week of Monday 2 November: the handling figures.
		tk("A", "c1", day(11, 2, 0), 1, 10, "resolved", 5),
		tk("B", "c2", day(11, 2, 0), 2, 20, "resolved", 4),
		tk("C", "c3", day(11, 3, 0), 3, 30, "partly", 2),
		tk("D", "c4", day(11, 3, 0), 4, 40, "unresolved", 1),
		tk("E", "c5", day(11, 4, 0), 5, 50, "resolved", 5),
		with2(tk("F", "c6", day(11, 4, 0), 30, 60, "withdrawn", 0), func(r *voc.ComplaintTicket) {
			r.Compensation, r.CompensationAmount = "退款100元", fp(100)
		}),
		with2(tk("G", "c7", day(11, 5, 0), -1, -1, "", 0), func(r *voc.ComplaintTicket) { r.EscalatedTo = []string{"12315"} }),
		tk("H", "c8", day(11, 5, 0), 6, -1, "", 0),
		// Repeats across the 30-day boundary: 29 days in, 31 days out.
		tk("R1", "r", day(10, 1, 0), 1, 2, "resolved", 0),
		tk("R2", "r", day(10, 30, 0), 1, 2, "resolved", 0),  // 29 days after R1, quality.battery: a repeat
		tk("R5", "r", day(10, 30, 12), 1, 2, "resolved", 0), // same customer, another theme: not a repeat
		tk("R3", "s", day(10, 1, 0), 1, 2, "resolved", 0),
		tk("R4", "s", day(11, 1, 0), 1, 2, "resolved", 0), // 31 days after R3: not a repeat
		// Week of 9 November: the review flags.
		with2(tk("M1", "m", day(11, 9, 0), 1, 2, "resolved", 0), func(r *voc.ComplaintTicket) { r.Demanded, r.OrderValue = fp(5000), fp(100) }),
		with2(tk("M2", "m", day(11, 10, 0), 1, 2, "resolved", 0), func(r *voc.ComplaintTicket) { r.Punitive, r.DemandTerms = true, []string{"退一赔三"} }),
		with2(tk("M3", "m", day(11, 11, 0), 1, 2, "resolved", 0), func(r *voc.ComplaintTicket) { r.Demanded, r.OrderValue = fp(50), fp(100) }),
		with2(tk("M4", "n", day(11, 11, 0), 1, 2, "resolved", 0), func(r *voc.ComplaintTicket) { r.Demanded = fp(2000) }),
		// Opened 12 hours before the clock: open, not yet due.
		tk("O1", "o", day(11, 19, 12), -1, -1, "", 0),
		// A complainant recovered by the handling (text reads 1, answer 5).
		tk("K1", "c9", day(10, 5, 0), 1, 5, "resolved", 5),
	}
	res, err := db.UpsertComplaints(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != len(recs) || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("first upsert %+v", res)
	}
	review := func(id, author string, kind voc.Kind, at time.Time) voc.Item {
		return voc.Item{Source: "shop", Kind: kind, ExternalID: id, AuthorKey: author, CreatedAt: at, Text: "review " + id}
	}
	items := []voc.Item{
		review("v1", "", voc.KindReview, day(11, 2, 5)),
		review("v2", "", voc.KindReview, day(11, 3, 5)),
		review("v3", "", voc.KindReview, day(11, 8, 5)),
		review("q1", "", voc.KindSurvey, day(11, 4, 5)),
		review("v4", "", voc.KindReview, day(11, 4, 5)), // level 5: not dissatisfied
		review("v5", "", voc.KindReview, day(11, 4, 6)), // level 1, no theme
		review("u1", "u1", voc.KindReview, day(10, 1, 0)),
		review("u2a", "u2", voc.KindReview, day(10, 1, 0)),
		review("u2b", "u2", voc.KindReview, day(10, 10, 0)),
		review("u3", "u3", voc.KindReview, day(10, 15, 0)),
		review("u4", "u4", voc.KindReview, day(11, 10, 0)),
		review("anon", "匿名", voc.KindReview, day(10, 1, 0)),
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	id := func(source, ext string) int64 {
		return int64(queryInt(t, db, `SELECT id FROM items WHERE source = ? AND external_id = ?`, source, ext))
	}
	levels := map[[2]string]voc.Level{
		{"shop", "v1"}: 1, {"shop", "v2"}: 2, {"shop", "v3"}: 2, {"shop", "q1"}: 2, {"shop", "v4"}: 5, {"shop", "v5"}: 1,
		{"shop", "u1"}: 1, {"shop", "u2a"}: 1, {"shop", "u2b"}: 5, {"shop", "u3"}: 2, {"shop", "u4"}: 1, {"shop", "anon"}: 1,
		{"desk", "K1"}: 1,
	}
	var scores []ScoredItem
	for k, lv := range levels {
		scores = append(scores, ScoredItem{ContentHash: "x", Score: voc.Score{ItemID: id(k[0], k[1]), Model: "m", TextLevel: lv, Value: float64(lv), Confidence: 1}})
	}
	if err := db.SaveScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	themes := map[[2]string][]string{
		{"desk", "A"}: {"delivery_speed"}, {"desk", "B"}: {"delivery_speed"},
		{"desk", "R1"}: {"quality"}, {"desk", "R2"}: {"quality.battery"}, {"desk", "R5"}: {"price"},
		{"desk", "R3"}: {"quality"}, {"desk", "R4"}: {"quality"},
		{"shop", "v1"}: {"delivery_speed"}, {"shop", "v2"}: {"delivery_speed"}, {"shop", "v3"}: {"delivery_speed"},
		{"shop", "q1"}: {"delivery_speed"}, {"shop", "v4"}: {"delivery_speed"},
	}
	var tags []TaggedItem
	for k, ths := range themes {
		tg := voc.Tagging{ItemID: id(k[0], k[1]), Taxonomy: "t"}
		for _, th := range ths {
			tg.Hits = append(tg.Hits, voc.ThemeHit{Theme: th, Polarity: voc.Complaint, Clause: "x", Sentiment: -1})
		}
		tags = append(tags, TaggedItem{Tagging: tg, ContentHash: "x"})
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	return db
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestComplaintMeasuresByHand(t *testing.T) {
	db := complaintFixture(t)
	ctx := context.Background()
	opt := ComplaintOptions{Now: cNow, Location: time.UTC}
	weeks, err := db.ComplaintMeasures(ctx, day(11, 2, 0), day(11, 9, 0), ComplaintsOverall, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 1 {
		t.Fatalf("weeks %+v", weeks)
	}
	w := weeks[0]
	// First response hours A-H: 1 2 3 4 5 30 (F) 6 (H), G none: sorted
	// 1 2 3 4 5 6 30, median 4, p90 = 7th of 7 (ceil 6.3) = 30.
	// Close hours A-F: 10 20 30 40 50 60: median 35, p90 = 6th (ceil 5.4) = 60.
	// First response due: 7 answered + G past 24h = 8; in SLA all but F: 6.
	// Close due: 6 closed + G, H past 48h = 8; in SLA A-D: 4.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"tickets", float64(w.Tickets), 8}, {"closed", float64(w.Closed), 6}, {"open", float64(w.Open), 2},
		{"responded", float64(w.Responded), 7}, {"first median", w.FirstResponseMedianHours, 4}, {"first p90", w.FirstResponseP90Hours, 30},
		{"closed timed", float64(w.ClosedTimed), 6}, {"close median", w.CloseMedianHours, 35}, {"close p90", w.CloseP90Hours, 60},
		{"first due", float64(w.FirstResponseDue), 8}, {"first in SLA", float64(w.FirstResponseInSLA), 6}, {"first SLA rate", w.FirstResponseSLARate, 0.75},
		{"close due", float64(w.CloseDue), 8}, {"close in SLA", float64(w.CloseInSLA), 4}, {"close SLA rate", w.CloseSLARate, 0.5},
		{"resolved", float64(w.Resolved), 3}, {"partly", float64(w.Partly), 1}, {"unresolved", float64(w.Unresolved), 1}, {"withdrawn", float64(w.Withdrawn), 1},
		{"resolution rate", w.ResolutionRate, 0.6},
		{"answers", float64(w.SatisfactionAnswers), 5}, {"recovered", float64(w.Recovered), 3}, {"recovery rate", w.RecoveryRate, 0.6},
		{"escalated", float64(w.Escalated), 1}, {"flagged", float64(w.Flagged), 1}, {"repeats", float64(w.Repeats), 0},
		{"first breaches", float64(w.FirstResponseBreaches), 2}, {"close breaches", float64(w.CloseBreaches), 4},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The fixture's tickets have no reopen count: no rate, rather than 0%.
	if w.ReopenKnown != 0 || w.Reopened != 0 || w.ReopenRate != nil {
		t.Errorf("reopens without counts: known %d reopened %d rate %v, want 0 0 nil", w.ReopenKnown, w.Reopened, w.ReopenRate)
	}
	if w.Satisfaction != [6]int{0, 1, 1, 0, 1, 2} || !reflect.DeepEqual(w.EscalatedTo, map[string]int{"12315": 1}) {
		t.Errorf("satisfaction %v escalated %v", w.Satisfaction, w.EscalatedTo)
	}
	if !w.Week.Equal(day(11, 2, 0)) {
		t.Errorf("week %v", w.Week)
	}

	// By theme: A and B are delivery_speed, the rest untagged ("").
	byTheme, err := db.ComplaintMeasures(ctx, day(11, 2, 0), day(11, 9, 0), ComplaintsByTheme, opt)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, w := range byTheme {
		got[w.Key] = w.Tickets
	}
	if !reflect.DeepEqual(got, map[string]int{"": 6, "delivery_speed": 2}) {
		t.Errorf("by theme %v", got)
	}
	if _, err := db.ComplaintMeasures(ctx, day(11, 2, 0), day(11, 9, 0), "colour", opt); err == nil {
		t.Error("unknown dimension accepted")
	}
}

func TestComplaintRepeatsAcrossThirtyDays(t *testing.T) {
	db := complaintFixture(t)
	ts, err := db.ComplaintTickets(context.Background(), day(9, 28, 0), day(11, 2, 0), ComplaintOptions{Now: cNow})
	if err != nil {
		t.Fatal(err)
	}
	repeat := map[string]bool{}
	for _, tk := range ts {
		repeat[tk.TicketID] = tk.Repeat
	}
	want := map[string]bool{"R1": false, "R2": true, "R5": false, "R3": false, "R4": false, "K1": false}
	if !reflect.DeepEqual(repeat, want) {
		t.Errorf("repeats %v, want %v", repeat, want)
	}
	// The week of 26 October holds R2 (repeat), R5 and R4 (not).
	weeks, err := db.ComplaintMeasures(context.Background(), day(10, 26, 0), day(11, 2, 0), ComplaintsOverall, ComplaintOptions{Now: cNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 1 || weeks[0].Tickets != 3 || weeks[0].Repeats != 1 || !near(weeks[0].RepeatRate, 1.0/3) {
		t.Errorf("week of 26 Oct: %+v", weeks)
	}
}

func TestComplaintsForReview(t *testing.T) {
	db := complaintFixture(t)
	ts, err := db.ComplaintsForReview(context.Background(), day(10, 1, 0), day(11, 20, 0), ComplaintOptions{Now: cNow})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, tk := range ts {
		got[tk.TicketID] = tk.ReviewReasons
	}
	want := map[string][]string{
		"F":  {ReviewWithdrawnAfterCompensation},
		"M1": {ReviewDemandExceedsOrder, ReviewRepeatDemand},
		"M2": {ReviewPunitiveDemand, ReviewRepeatDemand},
		"M3": {ReviewRepeatDemand},
		"M4": {ReviewLargeDemand},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flags %v, want %v", got, want)
	}
}

func TestOpenComplaintsAndAges(t *testing.T) {
	db := complaintFixture(t)
	open, err := db.OpenComplaints(context.Background(), ComplaintOptions{Now: cNow})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range open {
		ids = append(ids, tk.TicketID)
	}
	if !reflect.DeepEqual(ids, []string{"G", "H", "O1"}) || !near(open[0].Age, 15*24) || !near(open[2].Age, 12) {
		t.Fatalf("open %v ages %v", ids, open)
	}
	ages := OpenAges(open)
	counts := map[string][3]int{}
	for _, b := range ages {
		counts[b.Label] = [3]int{b.Tickets, b.CloseBreaches, b.FirstResponseBreaches}
	}
	want := map[string][3]int{"<24h": {1, 0, 0}, "1-2d": {}, "2-7d": {}, "7-30d": {2, 2, 1}, ">30d": {}}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("ages %v, want %v", counts, want)
	}
}

func TestSilentDissatisfaction(t *testing.T) {
	db := complaintFixture(t)
	weeks, err := db.SilentDissatisfaction(context.Background(), day(11, 2, 0), day(11, 9, 0), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SilentWeek{}
	for _, w := range weeks {
		got[w.Theme] = w
	}
	// delivery_speed: v1, v2, v3 (reviews at 1-2) and q1 (survey at 2)
	// against complaints A and B: 4 / 2 = 2 per complaint. v4 is at 5.
	// All themes: those four and untagged v5, against the 8 tickets.
	if d := got["delivery_speed"]; d.Dissatisfied != 4 || d.Reviews != 3 || d.Surveys != 1 || d.Complaints != 2 || !near(d.PerComplaint, 2) {
		t.Errorf("delivery_speed %+v", d)
	}
	if a := got[""]; a.Dissatisfied != 5 || a.Complaints != 8 || !near(a.PerComplaint, 0.625) {
		t.Errorf("all themes %+v", a)
	}
	if len(weeks) != 2 || weeks[0].Theme != "" {
		t.Errorf("rows %+v", weeks)
	}
}

func TestAtRiskCustomers(t *testing.T) {
	db := complaintFixture(t)
	got, err := db.AtRiskCustomers(context.Background(), AtRiskOptions{Now: cNow, Silence: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// u1 (level 1 on 1 Oct) and u3 (level 2 on 15 Oct); not u2 (a 5 since),
	// u4 (10 days), 匿名 (nobody), c9 (recovered: answered 5 after
	// handling), nor the complainants of November.
	var keys []string
	for _, c := range got {
		keys = append(keys, c.Key)
	}
	if !reflect.DeepEqual(keys, []string{"u1", "u3"}) {
		t.Fatalf("at risk %v", keys)
	}
	if c := got[0]; c.LastLevel != 1 || c.LastKind != voc.KindReview || !near(c.SilentDays, 50) || c.Items != 1 {
		t.Errorf("u1 %+v", c)
	}
}

func TestUpsertComplaintsUpdatesClosedTicket(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	open := tk("T1", "c", day(11, 2, 0), 1, -1, "", 0)
	if _, err := db.UpsertComplaints(ctx, []voc.ComplaintTicket{open, tk("T2", "c", day(11, 2, 0), 1, 2, "resolved", 4)}); err != nil {
		t.Fatal(err)
	}
	again, err := db.UpsertComplaints(ctx, []voc.ComplaintTicket{open, tk("T2", "c", day(11, 2, 0), 1, 2, "resolved", 4)})
	if err != nil || again != (UpsertResult{Unchanged: 2}) {
		t.Fatalf("re-import %+v %v", again, err)
	}
	closed := tk("T1", "c", day(11, 2, 0), 1, 30, "resolved", 5)
	up, err := db.UpsertComplaints(ctx, []voc.ComplaintTicket{closed})
	if err != nil || up != (UpsertResult{Updated: 1}) {
		t.Fatalf("closing %+v %v", up, err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM complaints WHERE ticket_id = 'T1' AND result = 'resolved' AND satisfaction = 5 AND closed_at IS NOT NULL`); n != 1 {
		t.Errorf("closed ticket not stored: %d", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE kind = 'complaint'`); n != 2 {
		t.Errorf("%d complaint items, want 2", n)
	}
	bad := tk("T3", "c", day(11, 2, 0), 1, -1, "", 0)
	bad.ClosedAt = day(11, 1, 0)
	if _, err := db.UpsertComplaints(ctx, []voc.ComplaintTicket{bad}); err == nil {
		t.Error("a ticket closed before it was opened was stored")
	}
}

func TestMedianP90(t *testing.T) {
	for _, c := range []struct {
		xs          []float64
		median, p90 float64
	}{
		{nil, 0, 0}, {[]float64{7}, 7, 7}, {[]float64{3, 1}, 2, 3},
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5.5, 9},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	} {
		if m, p := Median(c.xs), P90(c.xs); m != c.median || p != c.p90 {
			t.Errorf("%v: median %v p90 %v, want %v %v", c.xs, m, p, c.median, c.p90)
		}
	}
}

// A week's figures are its tickets as they stood at the clock (the report
// passes its week's end): a ticket closed after that counts as open, with
// no result, satisfaction or reopens yet, and its first response only once
// it happened. Later, the same week shows the closing.
func TestComplaintsAsTheyStood(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	late := tk("L", "l", day(11, 6, 0), 80, 24*9, "resolved", voc.VerySatisfied) // opened Friday, answered Monday after, closed 9 days on
	late.Reopened = ip(1)
	early := tk("E", "e", day(11, 2, 0), 1, 10, "unresolved", voc.VeryDissatisfied)
	early.Reopened = ip(0)
	if _, err := db.UpsertComplaints(ctx, []voc.ComplaintTicket{late, early}); err != nil {
		t.Fatal(err)
	}
	weekEnd := day(11, 9, 0)
	at := func(now time.Time) ComplaintWeek {
		t.Helper()
		ws, err := db.ComplaintMeasures(ctx, day(11, 2, 0), weekEnd, ComplaintsOverall, ComplaintOptions{Now: now, Location: time.UTC})
		if err != nil || len(ws) != 1 {
			t.Fatalf("measures at %v: %+v %v", now, ws, err)
		}
		return ws[0]
	}
	then := at(weekEnd)
	if then.Closed != 1 || then.Open != 1 || then.Resolved != 0 || then.Unresolved != 1 || then.SatisfactionAnswers != 1 ||
		then.Recovered != 0 || then.ReopenKnown != 1 || then.Reopened != 0 || then.Responded != 1 || then.FirstResponseBreaches != 1 {
		t.Errorf("at the week's end: %+v; want the late ticket open, unanswered (past its SLA) and without its result", then)
	}
	now := at(day(11, 30, 0))
	if now.Closed != 2 || now.Open != 0 || now.Resolved != 1 || now.SatisfactionAnswers != 2 || now.Recovered != 1 ||
		now.ReopenKnown != 2 || now.Reopened != 1 || now.Responded != 2 || now.FirstResponseBreaches != 1 {
		t.Errorf("weeks later: %+v; want both closed, the late one resolved, recovered, reopened, answered past the SLA", now)
	}
}

// Claim rings file one template: the same demand from three customers
// within the window flags each of them; two customers, a short demand
// anyone would write, or the same words months apart do not.
func TestSharedDemands(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	const template = "你们卖假货，必须按照消费者权益保护法退一赔三，否则我们将向12315投诉并联系媒体曝光！"
	var recs []voc.ComplaintTicket
	add := func(id, customer string, opened time.Time, text string) {
		r := tk(id, customer, opened, 1, 10, "", voc.LevelNone)
		r.Item.Text, r.Demanded = text, fp(300)
		recs = append(recs, r)
	}
	add("R1", "c1", day(11, 2, 0), template)
	add("R2", "c2", day(11, 4, 0), "你们卖假货, 必须按照消费者权益保护法 退一赔三!! 否则我们将向12315投诉并联系媒体曝光")
	add("R3", "c3", day(11, 9, 0), template)
	add("R4", "c4", day(9, 1, 0), template) // months before: alone in its window
	add("P1", "c5", day(11, 3, 0), "快递丢件了，要求按照订单金额三倍赔偿运费和货款损失")
	add("P2", "c6", day(11, 5, 0), "快递丢件了，要求按照订单金额三倍赔偿运费和货款损失")
	for i, c := range []string{"c7", "c8", "c9"} {
		add("S"+strconv.Itoa(i), c, day(11, 3+i, 0), "退一赔三！")
	}
	if _, err := db.UpsertComplaints(ctx, recs); err != nil {
		t.Fatal(err)
	}
	ts, err := db.ComplaintTickets(ctx, day(9, 1, 0), day(11, 30, 0), ComplaintOptions{Now: day(11, 30, 0)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, tk := range ts {
		got[tk.TicketID] = slices.Contains(tk.ReviewReasons, ReviewSharedDemand)
	}
	want := map[string]bool{"R1": true, "R2": true, "R3": true, "R4": false, "P1": false, "P2": false, "S0": false, "S1": false, "S2": false}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s flagged shared_demand = %v, want %v", id, got[id], w)
		}
	}
}

// Weeks are cut in the zone asked for, even one half an hour off UTC, and
// an item that hits a theme and its sub-theme counts once for each.
func TestSilentDissatisfactionWeeksAndSubThemes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	kolkata, err := time.LoadLocation("Asia/Kolkata") // UTC+5:30
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 11, 16, 0, 0, 0, 0, kolkata)
	items := []voc.Item{
		{Source: "shop", Kind: voc.KindReview, ExternalID: "late-sunday", CreatedAt: monday.Add(-10 * time.Minute), Text: "a"},
		{Source: "shop", Kind: voc.KindReview, ExternalID: "early-monday", CreatedAt: monday.Add(10 * time.Minute), Text: "b"},
		{Source: "shop", Kind: voc.KindSurvey, ExternalID: "monday-survey", CreatedAt: monday.Add(time.Hour), Text: "c"},
		{Source: "desk", Kind: voc.KindComplaint, ExternalID: "monday-ticket", CreatedAt: monday.Add(2 * time.Hour), Text: "d"},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	id := func(ext string) int64 {
		return int64(queryInt(t, db, `SELECT id FROM items WHERE external_id = ?`, ext))
	}
	var scores []ScoredItem
	for _, ext := range []string{"late-sunday", "early-monday", "monday-survey"} {
		scores = append(scores, ScoredItem{ContentHash: "x", Score: voc.Score{ItemID: id(ext), Model: "m", TextLevel: 1, Value: 1, Confidence: 1}})
	}
	if err := db.SaveScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	hits := map[string][]string{
		"late-sunday":   {"quality"},
		"early-monday":  {"quality", "quality.battery", "quality.battery"},
		"monday-survey": {"quality.battery"},
		"monday-ticket": {"quality.battery"},
	}
	var tags []TaggedItem
	for ext, ths := range hits {
		tg := voc.Tagging{ItemID: id(ext), Taxonomy: "t"}
		for i, th := range ths {
			tg.Hits = append(tg.Hits, voc.ThemeHit{Theme: th, Polarity: voc.Complaint, Clause: "x", Start: i, End: i + 1, Sentiment: -1})
		}
		tags = append(tags, TaggedItem{Tagging: tg, ContentHash: "x"})
	}
	if err := db.SaveTags(ctx, tags); err != nil {
		t.Fatal(err)
	}
	weeks, err := db.SilentDissatisfaction(ctx, monday.AddDate(0, 0, -7), monday.AddDate(0, 0, 7), kolkata)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, w := range weeks {
		got[w.Week.Format("01-02")+" "+w.Theme] = fmt.Sprintf("%d/%d/%d/%d", w.Dissatisfied, w.Reviews, w.Surveys, w.Complaints)
	}
	want := map[string]string{ // dissatisfied/reviews/surveys/complaints
		"11-09 ":                "1/1/0/0",
		"11-09 quality":         "1/1/0/0",
		"11-16 ":                "2/1/1/1",
		"11-16 quality":         "2/1/1/1",
		"11-16 quality.battery": "2/1/1/1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("silent dissatisfaction by week and theme:\n got %v\nwant %v", got, want)
	}
}
