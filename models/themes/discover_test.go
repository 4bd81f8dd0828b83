package themes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadDocs(t *testing.T) []Doc {
	f, err := os.Open(filepath.Join("testdata", "discover.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []Doc
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var d struct{ ID, Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Doc{ID: d.ID, Text: d.Text})
	}
	return docs
}

func TestProposeAccept(t *testing.T) {
	tx := DefaultTaxonomy()
	ps := Propose(loadDocs(t), tx, ProposeOptions{MinCount: 3})
	if len(ps) != 1 {
		t.Fatalf("proposals %+v, want one (遥控器)", ps)
	}
	p := ps[0]
	if p.Aspect != "遥控器" || p.Items != 4 || len(p.Examples) != 4 || !strings.HasPrefix(p.ID, "new_") {
		t.Errorf("proposal %+v", p)
	}
	if p.Phrases[0].Count < 2 {
		t.Errorf("top phrase %+v, want one seen twice or more", p.Phrases[0])
	}
	for _, ex := range p.Examples {
		if ex == "d4" || ex == "d5" || ex == "d7" {
			t.Errorf("example %s is not about the remote", ex)
		}
	}
	acc, err := Accept(tx, p, "quality.remote")
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range tx.IDs() {
		if acc.Themes[i].ID != id {
			t.Fatalf("Accept moved theme %d: %q -> %q", i, id, acc.Themes[i].ID)
		}
	}
	m := NewMatcher(acc)
	if got := m.Tag("遥控器难用").ThemeSummary(); got["quality.remote"] != Complaint || got["quality"] != Complaint {
		t.Errorf("accepted theme does not tag: %v", got)
	}
	if _, err := Accept(acc, p, "quality.remote"); err == nil {
		t.Error("accepting an existing id: no error")
	}
	if _, err := Accept(tx, p, "Bad ID"); err == nil {
		t.Error("accepting a bad id: no error")
	}
	var buf bytes.Buffer
	if err := WriteYAML(&buf, acc); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTaxonomy(&buf, "accepted.yaml"); err != nil {
		t.Fatalf("written taxonomy does not load: %v", err)
	}
}

// A clause of an item its customer rated 1-2 is a candidate complaint even
// when the scorer does not know its words.
func TestProposeTrustsUnhappyRatings(t *testing.T) {
	var docs []Doc
	for i := range 4 {
		docs = append(docs, Doc{ID: string(rune('a' + i)), Text: "异味很大，熏得头疼", Unhappy: true})
	}
	props := Propose(docs, DefaultTaxonomy(), ProposeOptions{})
	if len(props) != 1 || props[0].Aspect != "异味" || props[0].Items != 4 {
		t.Errorf("proposals = %+v, want one about 异味 with 4 items", props)
	}
	for i := range docs {
		docs[i].Unhappy = false
	}
	if props := Propose(docs, DefaultTaxonomy(), ProposeOptions{}); len(props) != 0 {
		t.Errorf("without the ratings the lexicon sees no complaint, got %+v", props)
	}
}

// A negator alone, or a vague noun, makes no proposal.
func TestProposeSkipsBareNegatorsAndVagueAspects(t *testing.T) {
	var docs []Doc
	for i := range 4 {
		docs = append(docs,
			Doc{ID: string(rune('a' + i)), Text: "结果没有用", Unhappy: true},
			Doc{ID: string(rune('e' + i)), Text: "遥控器没有", Unhappy: true})
	}
	for _, p := range Propose(docs, DefaultTaxonomy(), ProposeOptions{}) {
		for _, ph := range p.Phrases {
			if ph.Phrase == "遥控器没有" || p.Aspect == "结果" {
				t.Errorf("noise proposed: %+v", p)
			}
		}
	}
}

// People and vague nouns are who or how, not what: "the kids don't like
// it" and "shopping was unpleasant" give a team nothing to own, while the
// broken remote beside them must still come through.
func TestProposeSkipsPeopleAndVagueNouns(t *testing.T) {
	var docs []Doc
	for i := range 5 {
		id := string(rune('a' + i))
		docs = append(docs,
			Doc{ID: "kid" + id, Text: "孩子不喜欢", Unhappy: true},
			Doc{ID: "buy" + id, Text: "购物不愉快", Unhappy: true},
			Doc{ID: "remote" + id, Text: "遥控器很难用", Unhappy: true})
	}
	var aspects []string
	for _, p := range Propose(docs, DefaultTaxonomy(), ProposeOptions{}) {
		aspects = append(aspects, p.Aspect)
	}
	if strings.Join(aspects, ",") != "遥控器" {
		t.Errorf("proposed aspects %v, want only 遥控器", aspects)
	}
}
