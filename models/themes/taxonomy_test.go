package themes

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requiredIDs are the ids external evaluation keys on; they must never
// disappear from the default taxonomy.
var requiredIDs = []string{"delivery_speed", "delivery_damage", "quality", "not_as_described", "size_fit", "counterfeit",
	"price", "service_attitude", "after_sales_returns", "stock_out", "payment_invoice", "missing_items"}

func TestDefaultTaxonomy(t *testing.T) {
	tx := DefaultTaxonomy()
	for _, id := range requiredIDs {
		th, ok := tx.Theme(id)
		if !ok {
			t.Errorf("default taxonomy lacks %q", id)
			continue
		}
		if th.NameZH == "" || th.NameEN == "" || th.Owner == "" {
			t.Errorf("%s: names and owner must be set: %+v", id, th)
		}
	}
	if _, ok := tx.Theme("quality.battery"); !ok {
		t.Error("default taxonomy lacks the sub-theme quality.battery")
	}
}

func loadFile(t *testing.T, name string) (*Taxonomy, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return LoadTaxonomy(f, name)
}

func TestLoadTaxonomyErrors(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the error
	}{
		{"bad-dup.yaml", []string{"bad-dup.yaml line 6", `"noise"`, "duplicate id", "first at bad-dup.yaml line 3"}},
		{"bad-id.yaml", []string{"bad-id.yaml line 3", "bad id"}},
		{"bad-empty.yaml", []string{"bad-empty.yaml line 3", "empty term"}},
		{"bad-nokeywords.yaml", []string{"bad-nokeywords.yaml line 3", "no keywords"}},
		{"bad-parent.yaml", []string{"bad-parent.yaml line 3", `parent theme "noise" is not defined`}},
		{"bad-key.yaml", []string{"bad-key.yaml line 3", `line 4: unknown key "aspect"`}},
	}
	for _, tt := range tests {
		_, err := loadFile(t, tt.file)
		if err == nil {
			t.Errorf("%s: loaded, want an error", tt.file)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.file, err, w)
			}
		}
	}
}

func TestMerge(t *testing.T) {
	base := DefaultTaxonomy()
	user, err := loadFile(t, "user.yaml")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(base, user)
	if err != nil {
		t.Fatal(err)
	}
	// existing ids keep their order and place; the new one is appended
	for i, id := range base.IDs() {
		if merged.Themes[i].ID != id {
			t.Fatalf("theme %d: id %q, want %q (ids must not move)", i, merged.Themes[i].ID, id)
		}
	}
	if got := merged.Themes[len(merged.Themes)-1].ID; got != "noise" {
		t.Errorf("last theme %q, want noise", got)
	}
	ds, _ := merged.Theme("delivery_speed")
	if ds.Owner != "logistics_east" || ds.NameZH != "物流速度" {
		t.Errorf("delivery_speed after merge: owner %q name %q", ds.Owner, ds.NameZH)
	}
	if n := strings.Count(strings.Join(ds.ComplaintPhrases, "|"), "拖了一周"); n != 1 {
		t.Errorf("merged phrase appears %d times", n)
	}
	if orig, _ := base.Theme("delivery_speed"); orig.Owner != "logistics" {
		t.Error("Merge changed its input")
	}
	m := NewMatcher(merged)
	if got := m.Tag("声音太吵").ThemeSummary(); got["noise"] != Complaint {
		t.Errorf("merged theme does not match: %v", got)
	}
	if got := m.Tag("声音安静").ThemeSummary(); got["noise"] != Praise {
		t.Errorf("merged theme praise: %v", got)
	}
}

func TestWriteYAMLRoundTrip(t *testing.T) {
	tx := DefaultTaxonomy()
	var buf bytes.Buffer
	if err := WriteYAML(&buf, tx); err != nil {
		t.Fatal(err)
	}
	back, err := LoadTaxonomy(&buf, "written.yaml")
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if len(back.Themes) != len(tx.Themes) {
		t.Fatalf("%d themes back, want %d", len(back.Themes), len(tx.Themes))
	}
	for i := range tx.Themes {
		a, b := tx.Themes[i], back.Themes[i]
		if a.ID != b.ID || a.Owner != b.Owner || a.termCount() != b.termCount() {
			t.Errorf("theme %d changed in round trip: %s/%d vs %s/%d", i, a.ID, a.termCount(), b.ID, b.termCount())
		}
	}
}

func FuzzLoadTaxonomy(f *testing.F) {
	for _, name := range []string{"user.yaml", "bad-dup.yaml", "bad-key.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("themes: 3"))
	f.Add([]byte("- a\n- b"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := LoadTaxonomy(bytes.NewReader(b), "fuzz.yaml")
		if err != nil {
			return
		}
		if err := tx.Validate(); err != nil {
			t.Fatalf("loaded taxonomy does not validate: %v", err)
		}
		NewMatcher(tx).Tag("物流太慢，包装破损 not damaged")
	})
}

func TestFingerprintFollowsContent(t *testing.T) {
	base := DefaultTaxonomy()
	if Fingerprint(base, nil) != Fingerprint(DefaultTaxonomy(), nil) {
		t.Fatal("fingerprint of the same taxonomy differs between loads")
	}
	grown, err := Accept(base, Proposal{ID: "noise", NameZH: "噪音", NameEN: "Noise", Aspect: "噪音", Phrases: []PhraseCount{{Phrase: "噪音大", Count: 3}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(grown, nil) == Fingerprint(base, nil) {
		t.Error("a taxonomy with a new theme has the old fingerprint: history would not be re-tagged")
	}
}
