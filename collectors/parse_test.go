package collectors

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voc-analytics/voc"
)

func TestParseRating(t *testing.T) {
	tests := []struct {
		in    string
		scale float64
		want  voc.Level
		value float64
	}{
		{"4", 0, 4, 4},
		{"4.0", 0, 4, 4},
		{"4,5", 0, 5, 4.5},
		{"4.4", 0, 4, 4.4},
		{"★★★★☆", 0, 4, 4},
		{"★★☆☆☆", 0, 2, 2},
		{"⭐⭐⭐⭐⭐", 0, 5, 5},
		{"☆☆☆☆☆", 0, voc.LevelNone, 0},
		{"star-4", 0, 4, 4},
		{"rating star-4 small", 0, 4, 4},
		{"stars-4-5", 0, 5, 4.5},
		{"sa sa40", 0, 4, 4},
		{"sa10", 0, 1, 1},
		{"a-star-3", 0, 3, 3},
		{"rate-2", 0, 2, 2},
		{"width:80%", 0, 4, 80},
		{"width: 20%;", 0, 1, 20},
		{"60%", 0, 3, 60},
		{"8/10", 0, 4, 8},
		{"4.0 out of 5 stars", 0, 4, 4},
		{"3 of 5", 0, 3, 3},
		{"9", 10, 5, 9},
		{"6", 10, 3, 6},
		{"2", 10, 1, 2},
		{"4星", 0, 4, 4},
		{"五星好评", 0, 5, 5},
		{"三颗星", 0, 3, 3},
		{"4.5分", 0, 5, 4.5},
		{"73", 100, 4, 73},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRating(tt.in, tt.scale)
			if err != nil {
				t.Fatalf("ParseRating(%q) error: %v", tt.in, err)
			}
			if r.Value != tt.value || r.Level() != tt.want {
				t.Errorf("ParseRating(%q) = %+v (level %d), want value %g level %d", tt.in, r, r.Level(), tt.value, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "   ", "no stars here", "7", "好评"} {
		if r, err := ParseRating(bad, 5); err == nil {
			t.Errorf("ParseRating(%q) = %+v, want an error", bad, r)
		}
	}
}

func TestParseDate(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2024, 3, 10, 15, 30, 0, 0, sh)
	day := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, sh) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-05", day(2024, 3, 5, 0, 0)},
		{"2024-03-05 12:01", day(2024, 3, 5, 12, 1)},
		{"2024-03-05 12:01:09", day(2024, 3, 5, 12, 1).Add(9 * time.Second)},
		{"2024-03-05T12:01:00Z", time.Date(2024, 3, 5, 12, 1, 0, 0, time.UTC)},
		{"2024-03-05T12:01:00+08:00", day(2024, 3, 5, 12, 1)},
		{"2024/3/5", day(2024, 3, 5, 0, 0)},
		{"2024.03.05", day(2024, 3, 5, 0, 0)},
		{"2024年3月5日", day(2024, 3, 5, 0, 0)},
		{"2024年03月05日 12:01", day(2024, 3, 5, 12, 1)},
		{"3月5日", day(2024, 3, 5, 0, 0)},
		{"12月30日", day(2023, 12, 30, 0, 0)},
		{"03-05 12:01", day(2024, 3, 5, 12, 1)},
		{"3天前", day(2024, 3, 7, 0, 0)},
		{"5小時前", day(2024, 3, 10, 10, 0)},
		{"10分钟前", day(2024, 3, 10, 15, 20)},
		{"2周前", day(2024, 2, 25, 0, 0)},
		{"1个月前", day(2024, 2, 10, 0, 0)},
		{"昨天", day(2024, 3, 9, 0, 0)},
		{"昨天 18:30", day(2024, 3, 9, 18, 30)},
		{"前天", day(2024, 3, 8, 0, 0)},
		{"今天 09:05", day(2024, 3, 10, 9, 5)},
		{"刚刚", now},
		{"2 days ago", day(2024, 3, 8, 0, 0)},
		{"an hour ago", day(2024, 3, 10, 14, 0)},
		{"yesterday", day(2024, 3, 9, 0, 0)},
		{"Mar 5, 2024", day(2024, 3, 5, 0, 0)},
		{"March 5, 2024", day(2024, 3, 5, 0, 0)},
		{"5 March 2024", day(2024, 3, 5, 0, 0)},
		{"Reviewed in the United States on March 5, 2024", day(2024, 3, 5, 0, 0)},
		{"发表于 2024-03-05", day(2024, 3, 5, 0, 0)},
		{"1709611260", time.Unix(1709611260, 0)},
		{"1709611260000", time.Unix(1709611260, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in, now, sh, "")
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	// Relative days read on two days give the same time: a review's
	// identity and date do not drift from run to run.
	a, _ := ParseDate("3天前", now, sh, "")
	b, _ := ParseDate("4天前", now.Add(24*time.Hour), sh, "")
	if !a.Equal(b) {
		t.Errorf("3天前 today = %v, 4天前 tomorrow = %v: should be equal", a, b)
	}
	for _, bad := range []string{"", "soon", "2024-13-01", "2024年2月30日", "0001-01-01", "32天", "tomorrow-ish"} {
		if got, err := ParseDate(bad, now, sh, ""); err == nil || !errors.Is(err, ErrNoDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrNoDate", bad, got, err)
		}
	}
	if got, err := ParseDate("05/03/2024", now, sh, "02/01/2006"); err != nil || !got.Equal(day(2024, 3, 5, 0, 0)) {
		t.Errorf("with layout: %v, %v", got, err)
	}
}

func TestWatermark(t *testing.T) {
	t0 := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	items := []voc.Item{
		{ExternalID: "c", CreatedAt: t0.Add(2 * time.Hour)},
		{ExternalID: "b", CreatedAt: t0.Add(time.Hour)},
		{ExternalID: "a", CreatedAt: t0},
	}
	var tr Tracker
	tr.Add(items)
	w := tr.Next(Watermark{}, t0)
	if w.NewestID != "c" || !w.NewestTime.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("watermark = %+v", w)
	}
	back, err := ParseWatermark(w.String())
	if err != nil || back.NewestID != "c" || !back.NewestTime.Equal(w.NewestTime) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if w.Reached(&items[0]) != true || w.Reached(&voc.Item{ExternalID: "d", CreatedAt: t0.Add(2 * time.Hour)}) {
		t.Error("same id is reached; a new id at the same instant is not")
	}
	if !w.Reached(&items[1]) || w.Reached(&voc.Item{ExternalID: "e", CreatedAt: t0.Add(3 * time.Hour)}) {
		t.Error("older is reached, newer is not")
	}
	// An older run's items never move the watermark back.
	var old Tracker
	old.Add(items[1:])
	if got := old.Next(w, t0); got.NewestID != "c" {
		t.Errorf("watermark moved back to %+v", got)
	}
	// Items without times: the first one of the run.
	var nt Tracker
	nt.Add([]voc.Item{{ExternalID: "x"}, {ExternalID: "y"}})
	if got := nt.Next(Watermark{}, t0); got.NewestID != "x" || !got.Reached(&voc.Item{ExternalID: "x"}) || got.Reached(&voc.Item{ExternalID: "y"}) {
		t.Errorf("id-only watermark = %+v", got)
	}
	if _, err := ParseWatermark("{broken"); err == nil {
		t.Error("a broken watermark must be an error")
	}
}

func TestItemKeyIgnoresDate(t *testing.T) {
	a := voc.Item{Kind: voc.KindReview, Product: "p", AuthorKey: "u", Rating: 4, Text: "好", CreatedAt: time.Unix(1, 0)}
	b := a
	b.CreatedAt = time.Unix(99999, 0)
	c := a
	c.Text = "不好"
	if ItemKey(&a) != ItemKey(&b) || ItemKey(&a) == ItemKey(&c) {
		t.Error("ItemKey must ignore the date and see the text")
	}
}

func FuzzParseRating(f *testing.F) {
	for _, s := range []string{"4", "4.0", "★★★★☆", "star-4", "sa40", "width:80%", "8/10", "五星", "4,5", "stars-4-5", "99999999999999999999", "%"} {
		f.Add(s, 5.0)
	}
	f.Fuzz(func(t *testing.T, s string, scale float64) {
		r, err := ParseRating(s, scale)
		if err != nil {
			if r != (Rating{}) {
				t.Fatalf("error with a value: %+v", r)
			}
			return
		}
		if r.Scale <= 0 || r.Value < 0 || r.Value > r.Scale {
			t.Fatalf("ParseRating(%q, %g) = %+v: value outside its scale", s, scale, r)
		}
		if l := r.Level(); l != voc.LevelNone && !l.Valid() {
			t.Fatalf("level %d", l)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-03-05", "2024-03-05 12:01", "2024年3月5日", "3天前", "昨天 18:30", "Mar 5, 2024", "1709611260", "03-05 12:01", "半小时前", "99999天前"} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 10, 15, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s, now, time.UTC, "")
		if err != nil {
			if !errors.Is(err, ErrNoDate) {
				t.Fatalf("ParseDate(%q): error %v does not match ErrNoDate", s, err)
			}
			if utf8.ValidString(s) && !strings.Contains(err.Error(), "date") {
				t.Fatalf("error %q does not say what failed", err)
			}
			return
		}
		if y := got.Year(); y < 1990 || y > 2199 {
			t.Fatalf("ParseDate(%q) = %v: implausible year accepted", s, got)
		}
	})
}

func TestStableAuthor(t *testing.T) {
	for in, want := range map[string]string{
		"小王2716": "小王2716", " Jenny_W ": "Jenny_W", "j***8": "", "李**": "", "t＊＊y": "",
		"匿名用户": "", "匿名": "", "Anonymous": "", "Amazon Customer": "", "": "",
	} {
		if got := StableAuthor(in); got != want {
			t.Errorf("StableAuthor(%q) = %q, want %q", in, got, want)
		}
	}
}
