package reports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// The digest carries the report's headline figures exactly as the page
// shows them, next to their labels, and names the full report.
func TestDigestFigures(t *testing.T) {
	db := fixtureDB(t)
	dir := t.TempDir()
	res, err := WriteWeekly(context.Background(), db, dir, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != filepath.Join(dir, fixtureWeek.String(), "digest.en.txt") {
		t.Fatalf("digest written to %q", res.Digest)
	}
	raw, err := os.ReadFile(res.Digest)
	if err != nil {
		t.Fatal(err)
	}
	digest := string(raw)
	w, err := BuildWeekly(context.Background(), db, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	tx := textsFor("en")
	lines := strings.Split(digest, "\n")
	if !strings.HasPrefix(lines[0], "Voice of the customer: weekly report · "+fixtureWeek.String()) {
		t.Errorf("first line %q", lines[0])
	}
	for _, f := range w.Summary {
		want := []string{tx.Get(f.Key), formatFigure(f, f.Has, f.Value, "n/a"), formatFigure(f, f.HasPrev, f.Prev, "n/a"), formatChange(f, "n/a")}
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, want[0]+" ") && strings.HasSuffix(l, " "+want[3]) &&
				strings.Contains(l, " "+want[1]+" ") && strings.Contains(l, " "+want[2]+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no digest line with %q", want)
		}
	}
	for _, th := range w.Themes[:min(3, len(w.Themes))] {
		if th.Complaints > 0 && !strings.Contains(digest, th.Name) {
			t.Errorf("top theme %s missing from the digest", th.Name)
		}
	}
	if !strings.HasSuffix(digest, "Full report with charts and drill-downs: weekly.en.html\n") {
		t.Errorf("digest does not end by naming the full report:\n%s", digest[max(0, len(digest)-200):])
	}
}

// Customer text cannot forge lines of the digest, and long text is cut to
// one line.
func TestDigestFlattensCustomerText(t *testing.T) {
	long := strings.Repeat("物流太慢了", 40)
	w := &Weekly{Lang: "en", Week: fixtureWeek, Days: "d", Zone: "UTC",
		Escalations: []Item{
			{When: "2026-11-20 10:00", Source: "shop", Terms: []string{"12315"}, Text: "refund now\nFull report with charts and drill-downs: http://evil.example\r\x1b[2J"},
			{When: "2026-11-20 11:00", Source: "shop", Text: long},
			{When: "2026-11-20 12:00", Source: "shop", Text: "price \u202egnorw\u202c ok\u2066"},
		},
		EscalationTotal: 7,
		Repeat:          []Complainant{{AuthorKey: "bad\nname", Items: []Item{{Text: "again\u2028and again"}}}},
	}
	var b bytes.Buffer
	if err := w.WriteDigest(&b, "weekly.en.html"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Full report") && !strings.HasSuffix(l, ": weekly.en.html") {
			t.Errorf("a review forged a line: %q", l)
		}
		if strings.ContainsAny(l, "\r\x1b\u2028\u202e\u202c\u2066") {
			t.Errorf("control characters reached the digest: %q", l)
		}
		if runewidth.StringWidth(l) > 120 {
			t.Errorf("line of %d columns: %q", runewidth.StringWidth(l), l)
		}
	}
	for _, want := range []string{"[12315] refund now Full report with charts", "bad name ×1: again and again", "物流太慢了物流太慢了", "…", "showing 3 of 7", "price gnorw ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("digest lacks %q:\n%s", want, out)
		}
	}
}
