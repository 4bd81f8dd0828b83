package themes

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/voc-analytics/voc/pipeline/normalize"
)

//go:embed taxonomy.yaml
var defaultTaxonomyYAML []byte

// Theme is one complaint theme. Terms may be written in any script; the
// matcher normalises them (see package normalize), the taxonomy keeps them
// as written so WriteYAML gives the user back what they wrote.
type Theme struct {
	ID     string `yaml:"id"`
	NameZH string `yaml:"name_zh,omitempty"`
	NameEN string `yaml:"name_en,omitempty"`
	// Owner is the department a complaint on this theme is routed to.
	Owner string `yaml:"owner,omitempty"`

	Aspects          []string `yaml:"aspects,omitempty,flow"`
	ComplaintTerms   []string `yaml:"complaint_terms,omitempty,flow"`
	PraiseTerms      []string `yaml:"praise_terms,omitempty,flow"`
	ComplaintPhrases []string `yaml:"complaint_phrases,omitempty,flow"`
	PraisePhrases    []string `yaml:"praise_phrases,omitempty,flow"`

	// Subjects are aspects that name who or what the theme is about (客服,
	// seller for customer-service attitude). They match like Aspects, and
	// one of them ends a NotAbout.
	Subjects []string `yaml:"subjects,omitempty,flow"`
	// NotAbout names others whose words look like the theme's but are not
	// (快递员, 安装师傅: their 态度 and 服务 are not customer service). A
	// clause naming one does not hit the theme, nor do the clauses after
	// it, until a clause names one of Subjects again: in "安装师傅很专业，
	// 服务很好" the 服务 is still the installer's.
	NotAbout []string `yaml:"not_about,omitempty,flow"`

	// DeferTo names a theme this one gives way to: when a text complains
	// of DeferTo, a complaint of this theme in a clause holding one of
	// DeferTerms is the same event told twice and is dropped. "Package
	// was damaged in transit, item broken" is damage in transit, not a
	// faulty product: quality defers to delivery_damage on "broken".
	DeferTo    string   `yaml:"defer_to,omitempty"`
	DeferTerms []string `yaml:"defer_terms,omitempty,flow"`

	// Source and Line say where the theme was (last) defined, for messages.
	Source string `yaml:"-"`
	Line   int    `yaml:"-"`
}

// Parent returns the id of the theme's parent ("quality" for
// "quality.battery"), or "" for a top-level theme.
func (th Theme) Parent() string {
	if i := strings.LastIndexByte(th.ID, '.'); i >= 0 {
		return th.ID[:i]
	}
	return ""
}

// Name returns the theme's name in lang ("zh..." or anything else for
// English), falling back to the other language and then to the id.
func (th Theme) Name(lang string) string {
	first, second := th.NameEN, th.NameZH
	if strings.HasPrefix(lang, "zh") {
		first, second = th.NameZH, th.NameEN
	}
	for _, s := range []string{first, second} {
		if s != "" {
			return s
		}
	}
	return th.ID
}

func (th Theme) termCount() int {
	return len(th.Aspects) + len(th.ComplaintTerms) + len(th.PraiseTerms) + len(th.ComplaintPhrases) + len(th.PraisePhrases) +
		len(th.Subjects) + len(th.NotAbout)
}

// Taxonomy is an ordered set of themes. It is a value: Merge and Accept
// return a new one and leave their inputs alone, so a Matcher built from a
// taxonomy never sees it change.
type Taxonomy struct {
	Version int     `yaml:"version"`
	Themes  []Theme `yaml:"themes"`
}

// Theme returns the theme with id, if there is one.
func (t *Taxonomy) Theme(id string) (Theme, bool) {
	for _, th := range t.Themes {
		if th.ID == id {
			return th, true
		}
	}
	return Theme{}, false
}

// IDs returns the theme ids in taxonomy order.
func (t *Taxonomy) IDs() []string {
	ids := make([]string, len(t.Themes))
	for i, th := range t.Themes {
		ids[i] = th.ID
	}
	return ids
}

// DefaultTaxonomy returns a fresh copy of the taxonomy built into the
// binary (taxonomy.yaml in this package).
func DefaultTaxonomy() *Taxonomy {
	t, err := LoadTaxonomy(bytes.NewReader(defaultTaxonomyYAML), "themes/taxonomy.yaml (built in)")
	if err != nil {
		// The embedded file is tested; failing here is a build defect.
		panic(err)
	}
	return t
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// ValidID reports whether id is a well-formed theme id: lower-case ASCII
// words of letters, digits and "_", dot-separated for sub-themes.
func ValidID(id string) bool { return len(id) <= 100 && idPattern.MatchString(id) }

// LoadTaxonomy reads a taxonomy YAML file (the shape WriteYAML writes) and
// validates it. name is used in errors, which give the file and line:
// "voc-themes.yaml line 12: theme "Delivery": bad id ...".
//
// The file may be partial (only the themes a user adds or changes); use
// Merge to lay it over DefaultTaxonomy.
func LoadTaxonomy(r io.Reader, name string) (*Taxonomy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read taxonomy %s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", name, err)
	}
	t := &Taxonomy{Version: 1}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("taxonomy %s: empty file", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("taxonomy %s line %d: want a mapping with the keys version and themes", name, root.Line)
	}
	var themesNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			if err := v.Decode(&t.Version); err != nil || t.Version != 1 {
				return nil, fmt.Errorf("taxonomy %s line %d: version %q: want 1", name, v.Line, v.Value)
			}
		case "themes":
			themesNode = v
		default:
			return nil, fmt.Errorf("taxonomy %s line %d: unknown key %q (want version, themes)", name, k.Line, k.Value)
		}
	}
	if themesNode == nil || themesNode.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("taxonomy %s: no themes: list", name)
	}
	for _, n := range themesNode.Content {
		var th Theme
		if err := decodeStrict(n, &th); err != nil {
			return nil, fmt.Errorf("taxonomy %s line %d: %w", name, n.Line, err)
		}
		th.Source, th.Line = name, n.Line
		t.Themes = append(t.Themes, th)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// decodeStrict decodes a theme mapping, rejecting unknown keys so a typo
// ("aspect:" for "aspects:") is an error rather than a silently ignored list.
func decodeStrict(n *yaml.Node, th *Theme) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("theme: want a mapping with keys such as id and name_zh")
	}
	known := map[string]bool{"id": true, "name_zh": true, "name_en": true, "owner": true, "aspects": true,
		"complaint_terms": true, "praise_terms": true, "complaint_phrases": true, "praise_phrases": true,
		"subjects": true, "not_about": true, "defer_to": true, "defer_terms": true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !known[k.Value] {
			return fmt.Errorf("line %d: unknown key %q", k.Line, k.Value)
		}
	}
	return n.Decode(th)
}

// where renders "file line N" for a theme's messages.
func (th Theme) where() string {
	if th.Line > 0 {
		return fmt.Sprintf("%s line %d", th.Source, th.Line)
	}
	if th.Source != "" {
		return th.Source
	}
	return "taxonomy"
}

// Validate checks that ids are well formed and unique, that a sub-theme's
// parent exists, that no term is empty, and that every theme can match
// something: a phrase, or an aspect with an opinion term.
func (t *Taxonomy) Validate() error {
	seen := make(map[string]Theme, len(t.Themes))
	var errs []error
	for _, th := range t.Themes {
		switch {
		case !ValidID(th.ID):
			errs = append(errs, fmt.Errorf("%s: theme %q: bad id: want lower-case words like delivery_speed or quality.battery", th.where(), th.ID))
			continue
		case seen[th.ID].ID != "":
			errs = append(errs, fmt.Errorf("%s: theme %q: duplicate id (first at %s)", th.where(), th.ID, seen[th.ID].where()))
			continue
		}
		seen[th.ID] = th
		for _, list := range [][]string{th.Aspects, th.ComplaintTerms, th.PraiseTerms, th.ComplaintPhrases, th.PraisePhrases, th.Subjects, th.NotAbout} {
			for _, s := range list {
				if normalize.Text(s) == "" {
					errs = append(errs, fmt.Errorf("%s: theme %q: empty term", th.where(), th.ID))
				}
			}
		}
		if th.DeferTo != "" && len(th.DeferTerms) == 0 {
			errs = append(errs, fmt.Errorf("%s: theme %q: defer_to %q needs defer_terms", th.where(), th.ID, th.DeferTo))
		}
		hasOpinion := len(th.ComplaintTerms)+len(th.PraiseTerms) > 0
		if len(th.ComplaintPhrases)+len(th.PraisePhrases) == 0 && (len(th.Aspects)+len(th.Subjects) == 0 || !hasOpinion) {
			errs = append(errs, fmt.Errorf("%s: theme %q: no keywords: give phrases, or aspects with complaint/praise terms", th.where(), th.ID))
		}
	}
	for _, th := range t.Themes {
		if p := th.Parent(); p != "" && ValidID(th.ID) && seen[p].ID == "" {
			errs = append(errs, fmt.Errorf("%s: theme %q: parent theme %q is not defined", th.where(), th.ID, p))
		}
		if th.DeferTo != "" && (seen[th.DeferTo].ID == "" || th.DeferTo == th.ID) {
			errs = append(errs, fmt.Errorf("%s: theme %q: defer_to %q is not another defined theme", th.where(), th.ID, th.DeferTo))
		}
	}
	return errors.Join(errs...)
}

// Merge lays overlay over base and returns the result; neither input is
// changed. A theme whose id is already in base keeps its place and id,
// takes the overlay's non-empty names and owner, and gains the overlay's
// terms (duplicates dropped). A theme with a new id is appended. Nothing
// is ever removed or renamed, so ids that reports and history use stay
// valid as the taxonomy grows.
func Merge(base, overlay *Taxonomy) (*Taxonomy, error) {
	out := base.clone()
	for _, o := range overlay.Themes {
		i := slices.IndexFunc(out.Themes, func(th Theme) bool { return th.ID == o.ID })
		if i < 0 {
			out.Themes = append(out.Themes, o.cloneTheme())
			continue
		}
		th := &out.Themes[i]
		if o.NameZH != "" {
			th.NameZH = o.NameZH
		}
		if o.NameEN != "" {
			th.NameEN = o.NameEN
		}
		if o.Owner != "" {
			th.Owner = o.Owner
		}
		th.Aspects = union(th.Aspects, o.Aspects)
		th.ComplaintTerms = union(th.ComplaintTerms, o.ComplaintTerms)
		th.PraiseTerms = union(th.PraiseTerms, o.PraiseTerms)
		th.ComplaintPhrases = union(th.ComplaintPhrases, o.ComplaintPhrases)
		th.PraisePhrases = union(th.PraisePhrases, o.PraisePhrases)
		th.Subjects = union(th.Subjects, o.Subjects)
		th.NotAbout = union(th.NotAbout, o.NotAbout)
		if o.DeferTo != "" {
			th.DeferTo = o.DeferTo
		}
		th.DeferTerms = union(th.DeferTerms, o.DeferTerms)
		th.Source, th.Line = o.Source, o.Line
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("merge taxonomy: %w", err)
	}
	return out, nil
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (t *Taxonomy) clone() *Taxonomy {
	out := &Taxonomy{Version: t.Version, Themes: make([]Theme, len(t.Themes))}
	for i, th := range t.Themes {
		out.Themes[i] = th.cloneTheme()
	}
	return out
}

func (th Theme) cloneTheme() Theme {
	th.Aspects = slices.Clone(th.Aspects)
	th.ComplaintTerms = slices.Clone(th.ComplaintTerms)
	th.PraiseTerms = slices.Clone(th.PraiseTerms)
	th.ComplaintPhrases = slices.Clone(th.ComplaintPhrases)
	th.PraisePhrases = slices.Clone(th.PraisePhrases)
	th.Subjects = slices.Clone(th.Subjects)
	th.NotAbout = slices.Clone(th.NotAbout)
	th.DeferTerms = slices.Clone(th.DeferTerms)
	return th
}

// WriteYAML writes t as a taxonomy file a user can edit and load back with
// LoadTaxonomy.
func WriteYAML(w io.Writer, t *Taxonomy) error {
	if _, err := io.WriteString(w, "# voc theme taxonomy: edit names, owners and terms; never change an id.\n"); err != nil {
		return fmt.Errorf("write taxonomy: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	v := t.Version
	if v == 0 {
		v = 1
	}
	if err := enc.Encode(&Taxonomy{Version: v, Themes: t.Themes}); err != nil {
		return fmt.Errorf("write taxonomy: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write taxonomy: %w", err)
	}
	return nil
}
