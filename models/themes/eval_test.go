package themes

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// evalItem is one line of testdata/eval.jsonl: a short review written for
// this test (not taken from any corpus) with the themes a careful reader
// assigns it. split is "dev" (looked at while tuning the taxonomy) or
// "holdout" (every third item, never looked at while tuning).
type evalItem struct {
	ID         string `json:"id"`
	Split      string `json:"split"`
	Text       string `json:"text"`
	Themes     []struct{ Theme, Polarity string }
	Escalation bool `json:"escalation"`
}

var showErrors = flag.String("eval.errors", "", "print the matcher's errors on this split of the labelled sets (dev only while tuning)")

// evalSets are the labelled sets TestEvalSet measures. eval.jsonl was
// written with the first taxonomy; eval2.jsonl was written later, by a
// different hand and before the rules were tuned on it, so its holdout
// third is the fairer estimate of how the matcher does on text nobody
// tuned on. Both split every third item into the holdout.
//
// Labelling conventions (both sets): service_attitude is the shop's own
// people (客服, 卖家, 商家, 店家, 掌柜, seller, customer service, support,
// agent; a bare 服务/服务态度 is taken to be the shop's). A courier's or
// installer's manner is no theme; what a courier does to the delivery
// (送货上门, 放驿站) is delivery_speed, and an installation or repair
// visit that is late or never comes is after_sales_returns. A sub-theme
// label (quality.battery) comes with its parent (quality). Battery life
// and charging speed are no theme (shared THEMES.md; the items that said
// otherwise were relabelled when the taxonomy followed it), a battery
// fault (鼓包, will not charge) is quality.battery.
var evalSets = []string{"eval.jsonl", "eval2.jsonl"}

func loadEval(t testing.TB) []evalItem { return loadEvalFile(t, "eval.jsonl") }

func loadEvalFile(t testing.TB, name string) []evalItem {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []evalItem
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var it evalItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s line %d: %v", name, line, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return items
}

// prf holds true positives, false positives and false negatives.
type prf struct{ tp, fp, fn int }

func (c prf) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c prf) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// evaluate scores m on one split: a prediction is (item, theme, polarity),
// right only when a gold label has the same theme and polarity. Counts are
// per theme, plus "ALL" (micro) and "escalation".
func evaluate(m *Matcher, items []evalItem, split string, errs *strings.Builder) map[string]*prf {
	res := map[string]*prf{"ALL": {}, "escalation": {}}
	get := func(k string) *prf {
		if res[k] == nil {
			res[k] = &prf{}
		}
		return res[k]
	}
	for _, it := range items {
		if it.Split != split {
			continue
		}
		tg := m.Tag(it.Text)
		pred := map[[2]string]bool{}
		for _, h := range tg.Themes {
			pred[[2]string{h.Theme, h.Polarity}] = true
		}
		gold := map[[2]string]bool{}
		for _, g := range it.Themes {
			gold[[2]string{g.Theme, g.Polarity}] = true
		}
		var wrong []string
		for k := range pred {
			if gold[k] {
				get(k[0]).tp++
				get("ALL").tp++
			} else {
				get(k[0]).fp++
				get("ALL").fp++
				wrong = append(wrong, "+"+k[0]+":"+k[1])
			}
		}
		for k := range gold {
			if !pred[k] {
				get(k[0]).fn++
				get("ALL").fn++
				wrong = append(wrong, "-"+k[0]+":"+k[1])
			}
		}
		e := get("escalation")
		switch {
		case tg.Escalation && it.Escalation:
			e.tp++
		case tg.Escalation:
			e.fp++
			wrong = append(wrong, fmt.Sprintf("+escalation%v", tg.EscalationTerms))
		case it.Escalation:
			e.fn++
			wrong = append(wrong, "-escalation")
		}
		if errs != nil && len(wrong) > 0 {
			sort.Strings(wrong)
			fmt.Fprintf(errs, "%s %s\t%s\n", it.ID, it.Text, strings.Join(wrong, " "))
		}
	}
	return res
}

func report(t *testing.T, split string, res map[string]*prf) {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s split:\n%-22s %4s %4s %4s %6s %6s\n", split, "theme", "tp", "fp", "fn", "P", "R")
	for _, k := range keys {
		c := res[k]
		fmt.Fprintf(&b, "%-22s %4d %4d %4d %6.2f %6.2f\n", k, c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	t.Log(b.String())
}

// TestEvalSet measures the default taxonomy on the labelled sets and holds
// every split to the product floor (micro precision >= 0.85, recall >=
// 0.70), so a keyword edit that breaks matching fails here. Run with -v to
// see per-theme figures, and with -eval.errors=dev to list what the
// matcher gets wrong on the dev splits while tuning.
func TestEvalSet(t *testing.T) {
	m := NewMatcher(DefaultTaxonomy())
	for _, name := range evalSets {
		items := loadEvalFile(t, name)
		if len(items) < 250 {
			t.Fatalf("%s has %d items, want >= 250", name, len(items))
		}
		for _, split := range []string{"dev", "holdout"} {
			if split == "holdout" && *showErrors == "dev" {
				continue // tuning: do not look at the held-out part
			}
			var errs *strings.Builder
			if *showErrors == split {
				errs = &strings.Builder{}
			}
			res := evaluate(m, items, split, errs)
			report(t, name+" "+split, res)
			if split == "holdout" && *showErrors == "holdout" {
				t.Log("(holdout errors shown: stop tuning on this set)")
			}
			if errs != nil {
				t.Log(name + " errors:\n" + errs.String())
			}
			all := res["ALL"]
			if p, r := all.precision(), all.recall(); p < 0.85 || r < 0.70 {
				t.Errorf("%s %s: micro precision %.2f recall %.2f, want >= 0.85 and >= 0.70", name, split, p, r)
			}
		}
	}
}
