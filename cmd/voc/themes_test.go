package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `voc themes tag` is used by external evaluation: one line per input, in
// order, with exactly this shape.
func TestThemesTagContract(t *testing.T) {
	in := strings.Join([]string{
		`{"id": 1, "text": "物流太慢了，等了一个星期才到，包装也破了"}`,
		`{"id": "2", "text": "物流不慢，质量也没问题"}`,
		`{"id": 3, "text": "再不给我退款，我就去12315投诉你们"}`,
		`{"id": 4, "text": "發貨很快，品質很好"}`,
		`{"id": 5, "text": ""}`,
	}, "\n")
	out, stderr, code := runVocStdin(t, in, "themes", "tag")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type hit struct{ ID, Polarity, Clause string }
	var got []struct {
		ID         json.RawMessage
		Themes     []hit
		Escalation *bool
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID         json.RawMessage
			Themes     []hit
			Escalation *bool
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Themes == nil || r.Escalation == nil {
			t.Fatalf("line %q: %v (themes must be a list, escalation a bool)", l, err)
		}
		got = append(got, r)
	}
	if len(got) != 5 {
		t.Fatalf("%d lines for 5 inputs", len(got))
	}
	has := func(i int, theme, pol string) bool {
		for _, h := range got[i].Themes {
			if h.ID == theme && h.Polarity == pol && h.Clause != "" {
				return true
			}
		}
		return false
	}
	if !has(0, "delivery_speed", "complaint") || !has(0, "delivery_damage", "complaint") {
		t.Errorf("line 1: %+v", got[0].Themes)
	}
	for _, h := range got[1].Themes {
		if h.Polarity == "complaint" {
			t.Errorf("negated complaints tagged as complaints: %+v", got[1].Themes)
		}
	}
	if !*got[2].Escalation || *got[0].Escalation {
		t.Errorf("escalation: line 3 %v, line 1 %v", *got[2].Escalation, *got[0].Escalation)
	}
	if !has(3, "delivery_speed", "praise") || !has(3, "quality", "praise") {
		t.Errorf("traditional Chinese praise: %+v", got[3].Themes)
	}
	if string(got[1].ID) != `"2"` || len(got[4].Themes) != 0 {
		t.Errorf("ids or empty text: %s %+v", got[1].ID, got[4])
	}
}

// The demo's last week has a spike of crushed parcels: the pipeline must
// find it as an emerging theme, and the drill-down must list the items.
func TestThemesAfterDemo(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runVoc(t, "demo", "--dir", dir, "--json"); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	db := filepath.Join(dir, "voc.duckdb")
	out, stderr, code := runVoc(t, "themes", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("themes: exit %d: %s", code, stderr)
	}
	rows := decode[[]themeRow](t, out)
	byID := map[string]themeRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	if len(rows) < 12 {
		t.Errorf("%d themes listed, want every theme of the taxonomy", len(rows))
	}
	dd := byID["delivery_damage"]
	if !contains(dd.Status, "emerging") || dd.Complaints < 10 || dd.PValue >= 0.01 || dd.Expected >= float64(dd.Complaints) {
		t.Errorf("delivery_damage = %+v, want emerging with a significant spike", dd)
	}
	// The week's complaint count is what SQL over the raw tables says.
	week, _ := parseISOWeek(dd.Week, mustZone(t, demoZone))
	n := queryInt(t, db, `SELECT count(DISTINCT h.item_id) AS n FROM theme_hits h JOIN items i ON i.id = h.item_id
		WHERE h.theme = 'delivery_damage' AND h.polarity = 'complaint'
		AND i.created_at >= '`+week.UTC().Format(time.RFC3339)+`' AND i.created_at < '`+week.AddDate(0, 0, 7).UTC().Format(time.RFC3339)+`'`)
	if n != dd.Complaints {
		t.Errorf("themes says %d complaints in %s, SQL says %d", dd.Complaints, dd.Week, n)
	}
	tz := filepath.Join(dir, "tz.yaml")
	os.WriteFile(tz, []byte("timezone: "+demoZone+"\n"), 0o644)
	out, stderr, code = runVoc(t, "themes", "show", "delivery_damage", "--week", dd.Week, "--db", db, "--json", "--limit", "500", "--config", tz)
	if code != 0 {
		t.Fatalf("themes show: exit %d: %s", code, stderr)
	}
	items := decode[[]map[string]any](t, out)
	if len(items) != dd.Complaints {
		t.Errorf("show lists %d items, themes counts %d", len(items), dd.Complaints)
	}

	// Drilling to one product finds it under every spelling (the demo's
	// Taiwanese shop writes 降噪耳機); drilling to a source keeps only it.
	out, stderr, code = runVoc(t, "themes", "show", "delivery_damage", "--product", "AIRSOUND pro  降噪耳機", "--db", db, "--json", "--limit", "500")
	if code != 0 {
		t.Fatalf("themes show --product: exit %d: %s", code, stderr)
	}
	spellings := map[any]int{}
	for _, it := range decode[[]map[string]any](t, out) {
		spellings[it["product"]]++
	}
	want := queryInt(t, db, `SELECT count(DISTINCT h.item_id) AS n FROM theme_hits h JOIN items i ON i.id = h.item_id
		WHERE h.theme = 'delivery_damage' AND h.polarity = 'complaint' AND i.product_key = 'airsound pro 降噪耳机'`)
	total := 0
	for _, n := range spellings {
		total += n
	}
	if total != want || spellings["AirSound Pro 降噪耳机"] == 0 || spellings["AirSound Pro 降噪耳機"] == 0 || len(spellings) != 2 {
		t.Errorf("--product lists %v (%d items), want both spellings of one product, %d items", spellings, total, want)
	}
	out, stderr, code = runVoc(t, "themes", "show", "delivery_damage", "--source", "demo-shop-tw", "--db", db, "--json", "--limit", "500")
	if code != 0 {
		t.Fatalf("themes show --source: exit %d: %s", code, stderr)
	}
	byTW := decode[[]map[string]any](t, out)
	for _, it := range byTW {
		if it["source"] != "demo-shop-tw" {
			t.Errorf("--source demo-shop-tw listed %v", it)
		}
	}
	if len(byTW) == 0 {
		t.Error("--source demo-shop-tw listed nothing")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func TestParseISOWeek(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-W47", "2026-11-16"},
		{"2026-w01", "2025-12-29"},
		{"2020-W53", "2020-12-28"},
		{"2026-W53", "2026-12-28"},
	} {
		got, err := parseISOWeek(tc.in, time.UTC)
		if err != nil || got.Format(time.DateOnly) != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"2026-47", "2026-W54", "2026-W00", "2025-W53", "W47"} {
		if _, err := parseISOWeek(bad, time.UTC); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestThemesAcceptGrowsTheUserTaxonomy(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "voc.duckdb")
	// Complaints about a smell, which no built-in theme covers.
	var b strings.Builder
	b.WriteString("编号,提交时间,满意度,意见\n")
	for i := range 8 {
		b.WriteString(strings.Join([]string{string(rune('a' + i)), time.Now().AddDate(0, 0, -i).Format("2006-01-02 15:04"), "不满意", "异味很大，熏得头疼"}, ",") + "\n")
	}
	file := filepath.Join(dir, "s.csv")
	os.WriteFile(file, []byte(b.String()), 0o644)
	cfg := filepath.Join(dir, "voc.yaml")
	os.WriteFile(cfg, []byte("db: "+db+"\nthemes:\n  taxonomy: "+filepath.Join(dir, "mine.yaml")+"\n"), 0o644)
	if _, stderr, code := runVoc(t, "import", "survey", file, "--source", "s", "--config", cfg); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	out, stderr, code := runVoc(t, "themes", "propose", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("propose: exit %d: %s", code, stderr)
	}
	props := decode[[]struct {
		ID     string
		Aspect string
		Items  int
	}](t, out)
	var id string
	for _, p := range props {
		if strings.Contains(p.Aspect, "异味") && p.Items == 8 {
			id = p.ID
		}
	}
	if id == "" {
		t.Fatalf("no proposal for the smell among %+v", props)
	}
	if _, stderr, code := runVoc(t, "themes", "accept", id, "--as", "quality", "--config", cfg); code == 0 || !strings.Contains(stderr, "taken") {
		t.Errorf("accepting under an existing id: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runVoc(t, "themes", "accept", id, "--as", "odor", "--config", cfg); code != 0 {
		t.Fatalf("accept: %s", stderr)
	}
	out, _, _ = runVocStdin(t, `{"id":1,"text":"异味太大了"}`, "themes", "tag", "--config", cfg)
	if !strings.Contains(out, `"odor"`) {
		t.Errorf("the accepted theme does not tag: %s", out)
	}
	// ids of the built-in themes are unchanged.
	out, _, _ = runVocStdin(t, `{"id":1,"text":"物流太慢"}`, "themes", "tag", "--config", cfg)
	if !strings.Contains(out, `"delivery_speed"`) {
		t.Errorf("built-in theme lost: %s", out)
	}
}
