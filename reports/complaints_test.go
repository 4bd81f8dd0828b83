package reports

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// The complaints section shows the warehouse's own measures for the
// report's week, as tickets stood at its end, and escapes ticket text.
func TestComplaintSection(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "voc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt := fixtureOptions("en")
	empty, err := BuildWeekly(ctx, db, fixtureWeek, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !empty.Complaints.Empty() {
		t.Errorf("no tickets, yet the section is not empty: %+v", empty.Complaints)
	}

	monday := fixtureWeek.Period(shanghai).Start
	ticket := func(id string, opened time.Duration, firstResp, closed time.Duration, result string, sat voc.Level, esc []string, text string) voc.ComplaintTicket {
		r := voc.ComplaintTicket{
			Item: voc.Item{Source: "hotline", Kind: voc.KindComplaint, ExternalID: id, AuthorKey: "c-" + id,
				CreatedAt: monday.Add(opened), Text: text},
			Channel: "phone", Result: result, Satisfaction: sat, EscalatedTo: esc,
		}
		if firstResp > 0 {
			r.FirstResponseAt = r.Item.CreatedAt.Add(firstResp)
		}
		if closed > 0 {
			r.ClosedAt = r.Item.CreatedAt.Add(closed)
		}
		return r
	}
	recs := []voc.ComplaintTicket{
		ticket("t1", 2*time.Hour, 1*time.Hour, 20*time.Hour, "resolved", voc.Satisfied, nil, "物流太慢"),
		ticket("t2", 26*time.Hour, 3*time.Hour, 60*time.Hour, "unresolved", voc.VeryDissatisfied, []string{"12315"}, `<script>alert("x")</script>再不处理就投诉到12315`),
		ticket("t3", 100*time.Hour, 30*time.Hour, 0, "", voc.LevelNone, nil, "包装破了"),
	}
	// t2 was reopened once; t1 never; t3, still open, has no count.
	once, never := 1, 0
	recs[0].Reopened, recs[1].Reopened = &never, &once
	recs[1].Punitive = true // flagged for review, with its reason named in words
	if _, err := db.UpsertComplaints(ctx, recs); err != nil {
		t.Fatal(err)
	}
	w, err := BuildWeekly(ctx, db, fixtureWeek, opt)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Complaints
	co := opt.Complaints
	co.Location, co.Now = shanghai, w.Period.End
	want, err := db.ComplaintMeasures(ctx, w.Period.Start, w.Period.End, warehouse.ComplaintsOverall, co)
	if err != nil || len(want) != 1 {
		t.Fatalf("measures %v, %v", want, err)
	}
	if c.This.Tickets != 3 || c.This.FirstResponseMedianHours != want[0].FirstResponseMedianHours || c.This.Open != 1 ||
		c.This.CloseMedianHours != want[0].CloseMedianHours || c.This.RecoveryRate != 0.5 || c.Prev.Tickets != 0 {
		t.Errorf("section this week %+v\nwant %+v", c.This, want[0])
	}
	rows := map[string]ComplaintRow{}
	for _, r := range c.Rows("n/a") {
		rows[r.Key] = r
	}
	if r := rows["c_first_median"]; r.This != "3.0 h" || r.Prev != "n/a" {
		t.Errorf("first response median row = %+v, want 3.0 h this week and n/a for a week without tickets", r)
	}
	if r := rows["c_recovery"]; r.This != "50.0%" {
		t.Errorf("recovery row = %+v", r)
	}
	// Reopens over the two closed tickets with a count; last week had none,
	// which is n/a rather than 0%.
	if r := rows["c_reopen"]; r.This != "50.0% (1/2)" || r.Prev != "n/a" || r.Better != -1 {
		t.Errorf("reopen row = %+v, want 50.0%% (1/2) this week and n/a last week", r)
	}
	if r := rows["c_reopened_dissatisfied"]; r.This != "1" || r.Prev != "n/a" {
		t.Errorf("reopened and dissatisfied row = %+v", r)
	}
	if len(c.Escalated) != 1 || c.Escalated[0].TicketID != "t2" {
		t.Errorf("escalated = %+v", c.Escalated)
	}
	var page bytes.Buffer
	if err := w.WriteHTML(&page, time.Now(), shanghai); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if strings.Contains(html, `<script>alert("x")`) || !strings.Contains(html, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;再不处理`) {
		t.Error("ticket text is not escaped in the complaints section")
	}
	if !strings.Contains(html, `id="complaint-figures"`) {
		t.Error("no complaint figures table in the page")
	}
	if !strings.Contains(html, "<td>Reopen rate (closed tickets reopened)</td><td class=\"n\">50.0% (1/2)</td><td class=\"n\">n/a</td>") {
		t.Error("no reopen rate row in the complaint figures")
	}
	if !strings.Contains(html, "<td>asks for punitive damages (refund plus three times, …)</td>") {
		t.Error("the review table does not name the reason in words")
	}
	zh, err := BuildWeekly(ctx, db, fixtureWeek, fixtureOptions("zh"))
	if err != nil {
		t.Fatal(err)
	}
	page.Reset()
	if err := zh.WriteHTML(&page, time.Now(), shanghai); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<td>重开率（已结案工单中被重新打开的占比）</td><td class=\"n\">50.0% (1/2)</td>") {
		t.Error("no reopen rate row in the Chinese page")
	}
	if !strings.Contains(page.String(), "<td>要求惩罚性赔偿（退一赔三等）</td>") {
		t.Error("the Chinese review table does not name the reason in words")
	}
}
