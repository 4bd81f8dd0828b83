package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/mattn/go-runewidth"
)

// digestFile is the plain-text digest's name next to weekly.<lang>.html.
func digestFile(lang string) string { return "digest." + lang + ".txt" }

// Limits of the digest: an email body is read on a phone, so it lists the
// first few of everything and points at the full report for the rest.
const (
	digestItems  = 5  // escalations and repeat complainants listed
	digestThemes = 8  // complaint themes listed
	digestText   = 72 // display columns of one customer text
)

// WriteDigest writes the report as plain text for the body of an email:
// the headline figures with their change, what needs attention today, the
// top complaint themes and complaint handling, then where the full report
// with charts and drill-downs is. Executives often read the weekly report
// in a mail client that runs no script and shows no attachment inline;
// plain text reads the same in every one of them.
//
// Customer text is untrusted here too: control characters and line breaks
// are flattened so a review cannot forge lines of the digest, and each
// text is cut to one line.
func (w *Weekly) WriteDigest(out io.Writer, fullReport string) error {
	t := textsFor(w.Lang)
	na := t.Get("na")
	b := bufio.NewWriter(out)
	title := t.Get("weekly_title") + " · " + w.Week.String()
	fmt.Fprintf(b, "%s\n%s · %s %s\n", title, w.Days, t.Get("zone"), w.Zone)

	section(b, t.Get("summary"))
	rows := [][]string{{"", t.Get("this_week"), t.Get("last_week"), t.Get("change")}}
	for _, f := range w.Summary {
		rows = append(rows, []string{t.Get(f.Key), formatFigure(f, f.Has, f.Value, na), formatFigure(f, f.HasPrev, f.Prev, na), formatChange(f, na)})
	}
	writeColumns(b, rows, false)

	section(b, t.Get("attention"))
	fmt.Fprintf(b, "%s (%s)\n", t.Get("escalation_title"), formatInt(w.EscalationTotal))
	if len(w.Escalations) == 0 {
		fmt.Fprintf(b, "  %s\n", t.Get("no_escalations"))
	}
	for _, it := range w.Escalations[:min(len(w.Escalations), digestItems)] {
		where := joinNonEmpty(" · ", it.When, it.Source, it.Product)
		terms := ""
		if len(it.Terms) > 0 {
			terms = "[" + strings.Join(it.Terms, ", ") + "] "
		}
		fmt.Fprintf(b, "  - %s\n    %s%s\n", oneLineText(where, digestText), terms, oneLineText(it.Text, digestText))
	}
	more(b, t, min(len(w.Escalations), digestItems), w.EscalationTotal)
	fmt.Fprintf(b, "%s (%d)\n", t.Get("repeat_title"), len(w.Repeat))
	if len(w.Repeat) == 0 {
		fmt.Fprintf(b, "  %s\n", t.Get("no_repeat"))
	}
	for _, c := range w.Repeat[:min(len(w.Repeat), digestItems)] {
		latest := ""
		if len(c.Items) > 0 {
			latest = c.Items[0].Text
		}
		fmt.Fprintf(b, "  - %s ×%d: %s\n", oneLineText(c.AuthorKey, 24), len(c.Items), oneLineText(latest, digestText))
	}
	more(b, t, min(len(w.Repeat), digestItems), len(w.Repeat))

	section(b, t.Get("top_themes"))
	rows = [][]string{{t.Get("theme"), t.Get("this_week"), t.Get("last_week"), t.Get("change"), t.Get("status")}}
	listed := 0
	for _, th := range w.Themes {
		if th.Complaints == 0 || listed == digestThemes {
			continue
		}
		listed++
		var status []string
		if th.Emerging {
			status = append(status, t.Get("emerging"))
		}
		if th.Recurring {
			status = append(status, t.Get("recurring"))
		}
		rows = append(rows, []string{th.Name, formatInt(th.Complaints), formatInt(th.PrevComplaints),
			signed(float64(th.Complaints-th.PrevComplaints), 0), strings.Join(status, ", ")})
	}
	if listed == 0 {
		fmt.Fprintf(b, "%s\n", t.Get("no_themes"))
	} else {
		writeColumns(b, rows, true)
	}

	if c := w.Complaints; !c.Empty() {
		section(b, t.Get("complaints_title"))
		rows = [][]string{{"", t.Get("this_week"), t.Get("last_week")}}
		for _, r := range c.Rows(na) {
			rows = append(rows, []string{t.Get(r.Key), r.This, r.Prev})
		}
		writeColumns(b, rows, false)
		fmt.Fprintf(b, "%s\n", t.Get("c_measured"))
		if c.SilentAll.Complaints > 0 {
			fmt.Fprintf(b, "%s\n", fmt.Sprintf(t.Get("silent_all"), fmt.Sprintf("%.2f", c.SilentAll.PerComplaint)))
		} else {
			fmt.Fprintf(b, "%s\n", fmt.Sprintf(t.Get("silent_none"), formatInt(c.SilentAll.Dissatisfied)))
		}
	}

	fmt.Fprintf(b, "\n%s %s\n", t.Get("digest_full"), fullReport)
	return b.Flush()
}

func section(b *bufio.Writer, title string) {
	fmt.Fprintf(b, "\n%s\n%s\n", title, strings.Repeat("=", runewidth.StringWidth(title)))
}

// more says how many of total the list above showed, when it left some out.
func more(b *bufio.Writer, t texts, shown, total int) {
	if total > shown {
		fmt.Fprintf(b, "  … %s %d %s %s\n", t.Get("showing"), shown, t.Get("of"), formatInt(total))
	}
}

// writeColumns aligns rows in columns, counting East Asian wide characters
// as two: the first column (labels) left-aligned, the others (figures)
// right-aligned, and the last left-aligned too when it holds words.
func writeColumns(b *bufio.Writer, rows [][]string, wordsLast bool) {
	if len(rows) == 0 {
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(c))
			switch {
			case i == 0 || wordsLast && i == len(r)-1:
				line.WriteString(c + pad)
			default:
				line.WriteString(pad + c)
			}
			if i < len(r)-1 {
				line.WriteString("  ")
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// oneLineText flattens untrusted text to one line (control characters and
// line breaks become spaces, runs of spaces one, bidi controls go) and cuts
// it to width display columns.
func oneLineText(s string, width int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.Is(unicode.Bidi_Control, r):
			return -1 // an override would reorder the digest's own words
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return runewidth.Truncate(s, width, "…")
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
