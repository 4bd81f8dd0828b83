package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/models/themes"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/pipeline"
	"github.com/voc-analytics/voc/pipeline/normalize"
	"github.com/voc-analytics/voc/warehouse"
)

// taxonomy is the built-in taxonomy with the user's file (themes.taxonomy in
// voc.yaml) merged over it.
func (a *app) taxonomy() (*themes.Taxonomy, error) {
	base := themes.DefaultTaxonomy()
	path := a.cfg.Themes.Taxonomy
	if path == "" {
		return base, nil
	}
	user, err := loadTaxonomyFile(path)
	if err != nil {
		return nil, err
	}
	if user == nil {
		// Named but not written yet: `voc themes accept` creates it.
		a.log.Warn("taxonomy file does not exist yet; using the built-in taxonomy", "file", path)
		return base, nil
	}
	merged, err := themes.Merge(base, user)
	if err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", path, err)
	}
	return merged, nil
}

// loadTaxonomyFile reads a user taxonomy; nil without error when the file
// does not exist.
func loadTaxonomyFile(path string) (*themes.Taxonomy, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	defer f.Close()
	return themes.LoadTaxonomy(f, path)
}

// pipelineConfig gathers what `voc pipeline`, the demo and schedules run.
func (a *app) pipelineConfig(modelPath string, progress func(done, total int)) (jobs.Pipeline, error) {
	m, err := a.sentimentModel(modelPath)
	if err != nil {
		return jobs.Pipeline{}, err
	}
	matcher, fingerprint, err := a.matcher("")
	if err != nil {
		return jobs.Pipeline{}, err
	}
	scorer := pipeline.NewConsistent(m, matcher, fingerprint)
	loc, err := a.cfg.Location()
	if err != nil {
		return jobs.Pipeline{}, err
	}
	th := a.cfg.Themes
	return jobs.Pipeline{
		Scorer:   scorer,
		Score:    pipeline.ScoreOptions{Reasons: a.cfg.Sentiment.Reasons, Progress: progress},
		Tagger:   matcher,
		Taxonomy: fingerprint,
		Tag:      pipeline.TagOptions{Progress: progress},
		Trend: pipeline.TrendOptions{Location: loc, Trend: themes.TrendOptions{
			RecurK: th.Recurring.MinWeeks, RecurN: th.Recurring.Weeks,
			Alpha: th.Emerging.Alpha, MinCount: th.Emerging.MinCount, BaselineWeeks: th.Emerging.BaselineWeeks,
		}},
	}, nil
}

func (a *app) themesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "themes",
		Short: "Complaint themes: counts, trends, recurring and emerging",
		Long: `themes lists every theme of the taxonomy with its complaints in the latest
week, the week before, the share of all feedback, the last eight weeks, and
its status: recurring (complaints in at least 3 of the last 4 weeks) or
emerging (this week significantly above its baseline: a one-sided Poisson
test, p < 0.01, at least 5 complaints). Figures are those of the last
'voc pipeline' run.`,
		Example: `  voc themes
  voc themes show delivery_speed --week 2026-W47
  echo '{"id":1,"text":"物流太慢了，包装也破了"}' | voc themes tag
  voc themes propose`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tax, err := a.taxonomy()
			if err != nil {
				return err
			}
			db, err := a.openDB(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer db.Close()
			weeks, err := db.ThemeWeeks(cmd.Context())
			if err != nil {
				return err
			}
			rows := themeRows(tax, weeks)
			if a.jsonOut {
				return a.writeJSON(rows)
			}
			if len(weeks) == 0 {
				a.printf("no theme figures yet: run `voc pipeline` first\n\n")
			}
			t := output.Table{Columns: []string{"theme", "name", "owner", "week", "complaints", "prev", "share", "last 8 weeks", "status"}}
			for _, r := range rows {
				t.Rows = append(t.Rows, []any{r.ID, r.NameZH, r.Owner, r.Week, int64(r.Complaints), int64(r.Previous),
					fmt.Sprintf("%.1f%%", r.Share*100), sparkline(r.History), strings.Join(r.Status, ",")})
			}
			return output.WriteTable(a.stdout, t)
		},
	}
	cmd.AddCommand(a.themesShowCommand(), a.themesTagCommand(), a.themesProposeCommand(), a.themesAcceptCommand())
	return cmd
}

// themeRow is one line of `voc themes`.
type themeRow struct {
	ID         string   `json:"id"`
	NameZH     string   `json:"name_zh"`
	NameEN     string   `json:"name_en"`
	Owner      string   `json:"owner"`
	Week       string   `json:"week"` // ISO week of the figures, e.g. 2026-W47
	Complaints int      `json:"complaints"`
	Previous   int      `json:"previous"`
	Share      float64  `json:"share"` // complaints / all items that week
	History    []int    `json:"history"`
	Status     []string `json:"status"` // "recurring", "emerging"
	Expected   float64  `json:"expected,omitempty"`
	PValue     float64  `json:"p_value,omitempty"`
}

func themeRows(tax *themes.Taxonomy, weeks []voc.ThemeWeek) []themeRow {
	var latest time.Time
	byTheme := map[string][]voc.ThemeWeek{}
	for _, w := range weeks {
		byTheme[w.Theme] = append(byTheme[w.Theme], w)
		if w.Week.After(latest) {
			latest = w.Week
		}
	}
	rows := make([]themeRow, 0, len(tax.Themes))
	for _, th := range tax.Themes {
		r := themeRow{ID: th.ID, NameZH: th.NameZH, NameEN: th.NameEN, Owner: th.Owner, History: []int{}, Status: []string{}}
		if !latest.IsZero() {
			y, w := latest.ISOWeek()
			r.Week = fmt.Sprintf("%d-W%02d", y, w)
		}
		hist := byTheme[th.ID]
		for i, w := range hist {
			if i >= len(hist)-8 {
				r.History = append(r.History, w.Complaints)
			}
			switch {
			case w.Week.Equal(latest):
				r.Complaints, r.Expected, r.PValue = w.Complaints, w.Expected, w.PValue
				if w.Items > 0 {
					r.Share = float64(w.Complaints) / float64(w.Items)
				}
				if w.Recurring {
					r.Status = append(r.Status, "recurring")
				}
				if w.Emerging {
					r.Status = append(r.Status, "emerging")
				}
			case w.Week.Equal(latest.AddDate(0, 0, -7)):
				r.Previous = w.Complaints
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// sparkline draws counts as block characters, scaled to the largest.
func sparkline(xs []int) string {
	const bars = "▁▂▃▄▅▆▇█"
	top := 0
	for _, x := range xs {
		top = max(top, x)
	}
	var b strings.Builder
	for _, x := range xs {
		i := 0
		if top > 0 {
			i = x * 7 / top
		}
		b.WriteRune([]rune(bars)[i])
	}
	return b.String()
}

// parseISOWeek reads "2026-W47" as the Monday 00:00 of that week in loc.
func parseISOWeek(s string, loc *time.Location) (time.Time, error) {
	var y, w int
	if _, err := fmt.Sscanf(strings.ToUpper(s), "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 {
		return time.Time{}, fmt.Errorf("week %q: want the ISO form 2026-W47", s)
	}
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if yy, ww := monday.ISOWeek(); yy != y || ww != w {
		return time.Time{}, fmt.Errorf("week %q: %d has no week %d", s, y, w)
	}
	return monday, nil
}

func (a *app) themesShowCommand() *cobra.Command {
	var (
		week, polarity, product, source string
		limit                           int
	)
	cmd := &cobra.Command{
		Use:   "show THEME",
		Short: "List the items behind a theme, newest first",
		Long: `show lists the items behind a theme, newest first, with the clause that hit
it: the reviews, answers and complaints a theme's figure counts. Narrow it
to a week, a source or a product; a product matches however it is spelled
(降噪耳機 or 降噪耳机, "AirPods Pro" or "airpods pro").`,
		Example: `  voc themes show delivery_speed
  voc themes show quality --week 2026-W47 --polarity praise --json
  voc themes show delivery_damage --product "AirSound Pro 降噪耳机" --source demo-shop-tw`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tax, err := a.taxonomy()
			if err != nil {
				return err
			}
			th, ok := tax.Theme(args[0])
			if !ok {
				return fmt.Errorf("no theme %q: `voc themes` lists them", args[0])
			}
			q := warehouse.ThemeQuery{Theme: th.ID, Limit: limit, Source: source}
			if product != "" {
				q.Product = normalize.ProductKey(product)
			}
			switch polarity {
			case "complaint", "praise":
				q.Polarity = voc.Polarity(polarity)
			case "all":
			default:
				return fmt.Errorf("--polarity must be complaint, praise or all, not %q", polarity)
			}
			if week != "" {
				loc, err := a.cfg.Location()
				if err != nil {
					return err
				}
				if q.From, err = parseISOWeek(week, loc); err != nil {
					return err
				}
				q.To = q.From.AddDate(0, 0, 7)
			}
			db, err := a.openDB(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer db.Close()
			items, err := db.ThemeItems(cmd.Context(), q)
			if err != nil {
				return err
			}
			t := output.Table{Columns: []string{"id", "created", "source", "product", "level", "polarity", "clause", "text"}}
			for _, it := range items {
				t.Rows = append(t.Rows, []any{it.ID, it.CreatedAt, it.Source, it.Product, int64(it.Level), string(it.Polarity), it.Clause, it.Text})
			}
			if a.jsonOut {
				return output.WriteJSON(a.stdout, t)
			}
			a.printf("%s %s / %s (owner: %s)\n\n", th.ID, th.NameZH, th.NameEN, th.Owner)
			return output.WriteTable(a.stdout, t)
		},
	}
	f := cmd.Flags()
	f.StringVar(&week, "week", "", "only this ISO week, e.g. 2026-W47")
	f.StringVar(&polarity, "polarity", "complaint", "complaint, praise or all")
	f.IntVar(&limit, "limit", 50, "at most this many items")
	f.StringVar(&product, "product", "", "only this product, however spelled (script, width, case and spaces do not matter)")
	f.StringVar(&source, "source", "", "only this source")
	return cmd
}

// tagLine is the output contract of `voc themes tag`, relied on by external
// evaluation: do not rename or drop fields.
type tagLine struct {
	ID         json.RawMessage `json:"id"`
	Themes     []tagHit        `json:"themes"`
	Escalation bool            `json:"escalation"`
	// Complaint says whether the text complains at all, themed or not.
	Complaint bool `json:"complaint"`
}

type tagHit struct {
	ID       string `json:"id"`
	Polarity string `json:"polarity"`
	Clause   string `json:"clause"`
	// Phrases are set on a hit the theme model found where no word list
	// did: the clause's phrases that raised its score most.
	Phrases []string `json:"phrases,omitempty"`
}

func (a *app) themesTagCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "tag",
		Short: "Tag JSON lines of text with themes (stdin to stdout)",
		Long: `tag reads JSON lines {"id": ..., "text": "..."} on stdin and writes one line
per input, in order, as soon as it is tagged:

  {"id": ..., "themes": [{"id": "delivery_speed", "polarity": "complaint", "clause": "..."}], "escalation": false, "complaint": true}

A hit on a sub-theme (quality.battery) also appears as a hit on its parent
(quality). Themes come from the taxonomy's word lists and the theme model
(themes.model in voc.yaml; the built-in one by default): a hit only the
model found carries "phrases", the words that decided it. "complaint" says
whether the text complains at all, about a theme or not ("不怎么样"). A line that is not valid JSON gets {"id": ..., "error": "line N:
..."} and the exit code is 2.`,
		Example: `  echo '{"id":1,"text":"物流不慢，但是包装破了，再不处理就投诉到12315"}' | voc themes tag`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, _, err := a.matcher("")
			if err != nil {
				return err
			}
			_, bad, err := streamJSONL(cmd.Context(), a.stdin, a.stdout, func(in textInput) any {
				r := m.Tag(in.Text)
				out := tagLine{ID: in.ID, Themes: []tagHit{}, Escalation: r.Escalation, Complaint: r.Complaint}
				for _, h := range r.Themes {
					th := tagHit{ID: h.Theme, Polarity: h.Polarity, Clause: h.Clause}
					for _, p := range h.Phrases {
						th.Phrases = append(th.Phrases, p.Text)
					}
					out.Themes = append(out.Themes, th)
				}
				return out
			})
			if err != nil {
				return err
			}
			if bad > 0 {
				return partialError{fmt.Sprintf("%d input lines could not be read", bad)}
			}
			return nil
		},
	}
}

// proposals mines the warehouse's recent texts for complaint themes the
// taxonomy does not cover.
func (a *app) proposals(cmd *cobra.Command, weeks, minCount int, dataFile string) ([]themes.Proposal, *themes.Taxonomy, error) {
	tax, err := a.taxonomy()
	if err != nil {
		return nil, nil, err
	}
	model, err := a.sentimentModel("")
	if err != nil {
		return nil, nil, err
	}
	if dataFile != "" {
		docs, err := readProposeDocs(cmd, dataFile)
		if err != nil {
			return nil, nil, err
		}
		return themes.Propose(docs, tax, themes.ProposeOptions{MinCount: minCount, Scorer: model}), tax, nil
	}
	db, err := a.openDB(cmd.Context(), true)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	since := time.Now().AddDate(0, 0, -7*weeks)
	texts, err := db.ItemTexts(cmd.Context(), since, 200000)
	if err != nil {
		return nil, nil, err
	}
	docs := make([]themes.Doc, len(texts))
	for i, t := range texts {
		docs[i] = themes.Doc{ID: fmt.Sprint(t.ID), Text: t.Text, Unhappy: t.Level.Dissatisfied()}
	}
	return themes.Propose(docs, tax, themes.ProposeOptions{MinCount: minCount, Scorer: model}), tax, nil
}

func (a *app) themesProposeCommand() *cobra.Command {
	var weeks, minCount int
	var dataFile string
	cmd := &cobra.Command{
		Use:   "propose",
		Short: "Propose new themes from complaints no theme covers",
		Long: `propose looks at the negative clauses of recent feedback that no theme hits,
pairs each clause's aspect with its complaint (噪音 + 大, 遥控器 + 失灵),
and groups frequent pairs into proposed themes with a suggested id, the top
phrases and example items. Accept one with 'voc themes accept ID'.`,
		Example: `  voc themes propose --weeks 12 --min-count 5`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			props, _, err := a.proposals(cmd, weeks, minCount, dataFile)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.writeJSON(nonNil(props))
			}
			if len(props) == 0 {
				a.printf("no proposals: the taxonomy covers the recent complaints (or there are too few)\n")
				return nil
			}
			t := output.Table{Columns: []string{"id", "aspect", "items", "top phrases", "examples"}}
			for _, p := range props {
				var phrases []string
				for _, ph := range p.Phrases[:min(5, len(p.Phrases))] {
					phrases = append(phrases, fmt.Sprintf("%s(%d)", ph.Phrase, ph.Count))
				}
				t.Rows = append(t.Rows, []any{p.ID, p.Aspect, int64(p.Items), strings.Join(phrases, " "), strings.Join(p.Examples, ",")})
			}
			if err := output.WriteTable(a.stdout, t); err != nil {
				return err
			}
			a.printf("accept one: voc themes accept ID [--as my_theme_id]\n")
			return nil
		},
	}
	cmd.Flags().IntVar(&weeks, "weeks", 12, "mine the feedback of the last N weeks")
	cmd.Flags().IntVar(&minCount, "min-count", 3, "a proposal needs at least this many items")
	cmd.Flags().StringVar(&dataFile, "data", "", `mine a JSON lines file ({"id", "text", "stars" or "label"}) instead of the warehouse`)
	return cmd
}

// readProposeDocs reads texts to mine from a labelled JSON lines file; a
// line rated 1-2 stars or "neg" is an unhappy customer's.
func readProposeDocs(cmd *cobra.Command, path string) ([]themes.Doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("propose: %w", err)
	}
	defer f.Close()
	ls, err := themes.ReadLabelled(cmd.Context(), f, path)
	if err != nil {
		return nil, fmt.Errorf("propose: %w", err)
	}
	docs := make([]themes.Doc, 0, len(ls))
	for i, l := range ls {
		id := l.ID
		if id == "" {
			id = fmt.Sprintf("line %d", i+1)
		}
		neg, _ := l.Negative()
		docs = append(docs, themes.Doc{ID: id, Text: l.Text, Unhappy: neg})
	}
	return docs, nil
}

func (a *app) themesAcceptCommand() *cobra.Command {
	var (
		as, file        string
		weeks, minCount int
	)
	cmd := &cobra.Command{
		Use:   "accept PROPOSAL",
		Short: "Add a proposed theme to your taxonomy file",
		Long: `accept adds a proposal from 'voc themes propose' to your taxonomy file
(themes.taxonomy in voc.yaml, or --file), under the proposal's id or --as.
Existing theme ids never change. The next 'voc pipeline' re-tags history
with the grown taxonomy.`,
		Example: `  voc themes accept new_theme_1 --as remote_control`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				file = a.cfg.Themes.Taxonomy
			}
			if file == "" {
				return errors.New("no taxonomy file: set themes.taxonomy in voc.yaml (e.g. taxonomy.yaml) or give --file")
			}
			props, merged, err := a.proposals(cmd, weeks, minCount, "")
			if err != nil {
				return err
			}
			var p *themes.Proposal
			for i := range props {
				if props[i].ID == args[0] {
					p = &props[i]
				}
			}
			if p == nil {
				return fmt.Errorf("no proposal %q among the current ones (voc themes propose lists them)", args[0])
			}
			id := as
			if id == "" {
				id = p.ID
			}
			if _, taken := merged.Theme(id); taken {
				return fmt.Errorf("theme id %q is taken; choose another with --as", id)
			}
			user, err := loadTaxonomyFile(file)
			if err != nil {
				return err
			}
			if user == nil {
				user = &themes.Taxonomy{Version: 1}
			}
			grown, err := themes.Accept(user, *p, id)
			if err != nil {
				return err
			}
			var b strings.Builder
			if err := themes.WriteYAML(&b, grown); err != nil {
				return err
			}
			if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
				return fmt.Errorf("write taxonomy: %w", err)
			}
			if a.jsonOut {
				return a.writeJSON(map[string]any{"accepted": id, "file": file})
			}
			a.printf("added theme %s to %s; run `voc pipeline` to tag history with it\n", id, file)
			if a.cfg.Themes.Taxonomy != file {
				a.printf("note: voc.yaml's themes.taxonomy does not name %s yet, so voc does not use it\n", file)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&as, "as", "", "id for the new theme (default: the proposal's)")
	f.StringVar(&file, "file", "", "taxonomy file to write (default: voc.yaml's themes.taxonomy)")
	f.IntVar(&weeks, "weeks", 12, "as for propose")
	f.IntVar(&minCount, "min-count", 3, "as for propose")
	return cmd
}
