package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestImportComplaintsAndReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "voc.duckdb")
	file := filepath.Join("testdata", "complaints.csv")
	out, stderr, code := runVoc(t, "import", "complaints", file, "--source", "desk", "--db", db, "--json")
	if code != exitPartial {
		t.Fatalf("exit %d, want 2 (one row rejected): %s", code, stderr)
	}
	sum := decode[importJSON](t, out)
	if sum.Loaded != 2 || sum.Rejected != 1 || len(sum.Files) != 1 || len(sum.Files[0].Rejects) != 1 ||
		sum.Files[0].Rejects[0].Line != 4 || !strings.Contains(sum.Files[0].Rejects[0].Reason, "before opened") {
		t.Fatalf("import %+v", sum)
	}
	out, _, code = runVoc(t, "import", "complaints", file, "--source", "desk", "--db", db, "--json")
	if sum := decode[importJSON](t, out); code != exitPartial || sum.Loaded != 0 || sum.Duplicates != 2 {
		t.Errorf("re-import exit %d %+v, want nothing new", code, sum)
	}

	out, stderr, code = runVoc(t, "complaints", "--db", db, "--json", "--now", "2026-11-10")
	if code != exitOK {
		t.Fatalf("voc complaints exit %d: %s", code, stderr)
	}
	rep := decode[struct {
		Week struct {
			Tickets, Closed, Open, Escalated int
			CloseMedian                      float64  `json:"close_median_hours"`
			ReopenKnown                      int      `json:"reopen_known"`
			Reopened                         int      `json:"reopened"`
			ReopenRate                       *float64 `json:"reopen_rate"`
		}
		ByChannel []struct {
			Key        string
			ReopenRate *float64 `json:"reopen_rate"`
		} `json:"by_channel"`
		OpenAges []struct {
			Label   string
			Tickets int
		} `json:"open_ages"`
		Breaches []struct {
			TicketID string `json:"ticket_id"`
		}
		Escalations []struct {
			TicketID    string   `json:"ticket_id"`
			EscalatedTo []string `json:"escalated_to"`
		}
	}](t, out)
	if rep.Week.Tickets != 2 || rep.Week.Closed != 1 || rep.Week.Open != 1 || rep.Week.Escalated != 1 || rep.Week.CloseMedian != 24 {
		t.Errorf("week %+v", rep.Week)
	}
	// C-1, the one closed ticket, was reopened once; C-2 (open, no count)
	// is not in the base.
	if w := rep.Week; w.ReopenKnown != 1 || w.Reopened != 1 || w.ReopenRate == nil || *w.ReopenRate != 1 {
		t.Errorf("reopens: known %d reopened %d rate %v, want 1 1 1", w.ReopenKnown, w.Reopened, w.ReopenRate)
	}
	// By channel, online has only C-2: no known count, so null, not 0.
	for _, c := range rep.ByChannel {
		if (c.Key == "online") != (c.ReopenRate == nil) {
			t.Errorf("channel %s reopen rate %v", c.Key, c.ReopenRate)
		}
	}
	if !strings.Contains(out, `"reopen_rate": null`) {
		t.Errorf("no null reopen rate in the JSON:\n%s", out)
	}
	// C-2 opened 3 Nov, open at 10 Nov 00:00 local: 6-7 days, past the close SLA.
	if len(rep.Breaches) != 1 || rep.Breaches[0].TicketID != "C-2" || len(rep.Escalations) != 1 || rep.Escalations[0].EscalatedTo[0] != "12315" {
		t.Errorf("breaches %+v escalations %+v", rep.Breaches, rep.Escalations)
	}
	open := 0
	for _, b := range rep.OpenAges {
		open += b.Tickets
	}
	if open != 1 {
		t.Errorf("open ages %+v", rep.OpenAges)
	}
	human, _, code := runVoc(t, "complaints", "--db", db, "--now", "2026-11-10")
	if code != exitOK || !strings.Contains(human, "SLA breaches") || !strings.Contains(human, "C-2") ||
		!strings.Contains(human, "reopened         1 of 1 closed with a known count (100%)") {
		t.Errorf("human output:\n%s", human)
	}
}
