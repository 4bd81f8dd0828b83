package demo

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/voc-analytics/voc/collectors/complaints"
)

// The generated export reads back through the real parser: every ticket
// loads except the deliberate bad rows, and the scripted cases are there.
func TestComplaintsExportParses(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	spec := DefaultComplaints(time.Date(2026, 11, 23, 0, 0, 0, 0, loc))
	body, err := spec.Export()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := spec.Export()
	if !bytes.Equal(body, again) {
		t.Fatal("same seed, different bytes")
	}
	res, err := complaints.Parse(context.Background(), bytes.NewReader(body), "demo.csv", complaints.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoding != "gbk" || len(res.Rejects) != ComplaintBadRows {
		t.Fatalf("encoding %s, rejects %+v", res.Encoding, res.Rejects)
	}
	var open, withdrawn, escalated, punitive, en, shopNames int
	// Closed tickets and how many of them were reopened, quality
	// complaints apart.
	var closed, reopened, qualityClosed, qualityReopened int
	// The last week, the weekly report's, has a reopened ticket whose
	// customer stayed dissatisfied.
	lastWeekReopenedDissatisfied := 0
	customers := map[string]int{}
	names := map[string]bool{}
	for _, n := range complaintCustomers {
		names[n] = true
	}
	for _, tk := range res.Tickets {
		if tk.ClosedAt.IsZero() {
			open++
			if tk.Reopened != nil {
				t.Errorf("open ticket %s has a reopen count %d", tk.Item.ExternalID, *tk.Reopened)
			}
		} else {
			if tk.Reopened == nil {
				t.Errorf("closed ticket %s has no reopen count", tk.Item.ExternalID)
				continue
			}
			closed++
			if tk.Category == "质量" {
				qualityClosed++
			}
			if *tk.Reopened > 0 {
				reopened++
				if tk.Satisfaction.Dissatisfied() && !tk.Item.CreatedAt.Before(spec.End.AddDate(0, 0, -7)) {
					lastWeekReopenedDissatisfied++
				}
				if tk.Category == "质量" {
					qualityReopened++
				}
			}
		}
		if tk.Result == complaints.ResultWithdrawn {
			withdrawn++
		}
		if len(tk.EscalatedTo) > 0 {
			escalated++
		}
		if tk.Punitive {
			punitive++
		}
		if tk.Item.Lang == "en" {
			en++
		}
		if names[tk.Item.AuthorKey] {
			shopNames++
		}
		customers[tk.Item.AuthorKey]++
		if !tk.Item.CreatedAt.Before(spec.End) {
			t.Errorf("ticket %s opened at %v, after the end", tk.Item.ExternalID, tk.Item.CreatedAt)
		}
	}
	// About one closed ticket in nine reopened, quality ones more often.
	if share := float64(reopened) / float64(closed); share < 0.08 || share > 0.15 ||
		qualityReopened*(closed-qualityClosed) <= (reopened-qualityReopened)*qualityClosed {
		t.Errorf("reopened %d of %d closed tickets (quality %d of %d): want 8-15%%, quality more often",
			reopened, closed, qualityReopened, qualityClosed)
	}
	if lastWeekReopenedDissatisfied == 0 {
		t.Error("no reopened ticket left dissatisfied in the last week: the demo's report would not show the case")
	}
	repeaters := 0
	for _, n := range customers {
		if n > 1 {
			repeaters++
		}
	}
	if len(res.Tickets) < spec.Tickets || open == 0 || withdrawn == 0 || escalated == 0 || punitive != 6 || en == 0 || shopNames == 0 || repeaters < 3 {
		t.Errorf("tickets %d open %d withdrawn %d escalated %d punitive %d en %d shop names %d repeat customers %d",
			len(res.Tickets), open, withdrawn, escalated, punitive, en, shopNames, repeaters)
	}
}
