package reports

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser starts Debian's chromium headless with no network features and a
// fresh profile. Without chromium the test is skipped, except under CI=true,
// where .ci/run installs it and a skip would hide a broken page.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found under CI=true: .ci/run should have installed it: %v", err)
		}
		t.Skip("chromium not installed (apt-get install chromium); skipping browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("true")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// trap records what a page must never do: alert/confirm/prompt calls (the
// payload of every XSS item) are recorded instead of shown.
const trap = `window.__xss = [];
["alert", "confirm", "prompt"].forEach(function (f) { window[f] = function (m) { window.__xss.push(f + ":" + String(m)); }; });`

// pageCheck is what a loaded page reports about itself.
type pageCheck struct {
	Charts   int      `json:"charts"`
	Rendered int      `json:"rendered"` // charts with a non-empty svg
	Scripts  int      `json:"scripts"`  // executable <script> elements
	Injected []string `json:"injected"` // elements only an injection could make
	XSS      []string `json:"xss"`
	Title    string   `json:"title"`
}

const inspect = `(function () {
  var charts = document.querySelectorAll("[data-chart]");
  var rendered = 0;
  charts.forEach(function (el) {
    var svg = el.querySelector("svg");
    if (svg && svg.querySelectorAll("path, text, rect").length > 0 && el.getBoundingClientRect().width > 0) { rendered++; }
  });
  var injected = [];
  document.querySelectorAll("#pwned, [onerror], [onload], svg[onload], a[href^='javascript:']").forEach(function (e) { injected.push(e.outerHTML.slice(0, 80)); });
  var scripts = 0;
  document.querySelectorAll("script").forEach(function (s) { if (!s.type || s.type === "text/javascript") { scripts++; } });
  return {charts: charts.length, rendered: rendered, scripts: scripts, injected: injected, xss: window.__xss || ["trap missing"], title: document.title};
})()`

// showAllTips hovers every data point of every chart through ECharts' own
// API, so tooltips holding hostile names are drawn before the check.
const showAllTips = `(function () {
  var n = 0;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var c = echarts.getInstanceByDom(el);
    var opt = c.getOption();
    (opt.series || []).forEach(function (s, si) {
      for (var i = 0; i < (s.data || []).length; i++) { c.dispatchAction({type: "showTip", seriesIndex: si, dataIndex: i}); n++; }
    });
  });
  return n;
})()`

// visit loads url and checks it: no console error, no exception, no CSP
// violation, every chart drawn, no injected element or script, no alert.
func visit(t *testing.T, ctx context.Context, url string) pageCheck {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, fmt.Sprintf("%s %s", a.Value, a.Description))
				}
				problems = append(problems, "console error: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, desc))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log error: "+ev.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 60*time.Second)
	defer rcancel()
	if _, err := chromedp.Call(rctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("%s: enable log: %v", url, err)
	}
	if _, err := chromedp.Call(rctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: trap}); err != nil {
		t.Fatalf("%s: install trap: %v", url, err)
	}
	if err := chromedp.Do(rctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	tips, err := chromedp.Run(rctx, chromedp.Evaluate[int](showAllTips))
	if err != nil {
		t.Fatalf("%s: show tooltips: %v", url, err)
	}
	if err := chromedp.Do(rctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	check, err := chromedp.Run(rctx, chromedp.Evaluate[pageCheck](inspect))
	if err != nil {
		t.Fatalf("%s: inspect: %v", url, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("%s: %s", url, p)
	}
	if check.Rendered != check.Charts {
		t.Errorf("%s: %d of %d charts rendered", url, check.Rendered, check.Charts)
	}
	if len(check.Injected) > 0 || len(check.XSS) > 0 {
		t.Errorf("%s: injection ran: elements %q, calls %q", url, check.Injected, check.XSS)
	}
	if want := 2; check.Charts > 0 && check.Scripts != want {
		t.Errorf("%s: %d executable scripts, want %d (ECharts and boot)", url, check.Scripts, want)
	}
	if check.Charts > 0 && tips == 0 {
		t.Errorf("%s: no tooltip shown", url)
	}
	return check
}

func TestPagesInBrowser(t *testing.T) {
	ctx := browser(t)
	db := fixtureDB(t)
	dir := t.TempDir()
	var pages []string
	for _, lang := range []string{"zh", "en"} {
		res, err := WriteWeekly(context.Background(), db, dir, fixtureWeek, fixtureOptions(lang))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, res.Weekly)
		pages = append(pages, res.Themes...)
	}
	if err := os.WriteFile(filepath.Join(dir, "pwned.html"), []byte("<p>not a report</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, p := range pages {
		c := visit(t, ctx, "file://"+p)
		if c.Charts == 0 {
			t.Errorf("%s: no chart", p)
		}
		if i == 0 {
			// The trap itself works: a call made now is seen.
			probe, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](`alert("probe"); `+inspect))
			if err != nil || len(probe.XSS) != 1 || probe.XSS[0] != "alert:probe" {
				t.Fatalf("the alert trap does not record calls: %+v, %v", probe, err)
			}
		}
	}
	ix := visit(t, ctx, "file://"+filepath.Join(dir, "index.html"))
	if ix.Title == "" {
		t.Error("index has no title")
	}
	// The index lists both languages of the week, linking to real files.
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#reports a")).map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hrefs {
		if _, err := os.Stat(filepath.Join(dir, h)); err != nil {
			t.Errorf("index links to %s: %v", h, err)
		}
	}
	if len(hrefs) < 2 {
		t.Errorf("index links %q", hrefs)
	}
}

// TestThemeFilterInBrowser types into a static theme page's filters and
// checks the table follows.
func TestThemeFilterInBrowser(t *testing.T) {
	ctx := browser(t)
	db := fixtureDB(t)
	dir := t.TempDir()
	res, err := WriteWeekly(context.Background(), db, dir, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fixtureWeek.String(), themeFile("delivery_speed", "en"))
	if !strings.Contains(strings.Join(res.Themes, " "), path) {
		t.Fatalf("no delivery_speed page in %v", res.Themes)
	}
	visit(t, ctx, "file://"+path)
	count := func() (shown string, visible int) {
		t.Helper()
		shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#shown")))
		if err != nil {
			t.Fatal(err)
		}
		visible, err = chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#items tbody tr")).filter(r => !r.hidden).length`))
		if err != nil {
			t.Fatal(err)
		}
		return shown, visible
	}
	all, n := count()
	if all != fmt.Sprint(n) || n == 0 {
		t.Fatalf("before filtering: shown %s, visible %d", all, n)
	}
	tests := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
		want   func(int) bool
	}{
		{"search for an XSS payload", chromedp.SendKeys(chromedp.CSS(`#filters input[name=q]`), "onerror"), func(v int) bool { return v > 0 && v < n }},
		{"and level 5", chromedp.SetValue(chromedp.CSS(`#filters select[name=level]`), "5"), func(v int) bool { return v > 0 && v < n }},
		{"a search nothing matches", chromedp.SetValue(chromedp.CSS(`#filters input[name=q]`), "zzzz-no-such-text"), func(v int) bool { return v == 0 }},
	}
	for _, tc := range tests {
		if err := chromedp.Do(ctx, tc.action); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("filters").dispatchEvent(new Event("input"))`)); err != nil {
			t.Fatal(err)
		}
		shown, visible := count()
		if shown != fmt.Sprint(visible) || !tc.want(visible) {
			t.Errorf("%s: shown %s, visible %d of %d", tc.name, shown, visible, n)
		}
	}
}

// TestLiveServerInBrowser loads `voc serve`'s pages from a loopback test
// server with a token, through the ?token= link and its cookie.
func TestLiveServerInBrowser(t *testing.T) {
	ctx := browser(t)
	db := fixtureDB(t)
	srv, err := NewServer(db, ServerOptions{Options: fixtureOptions("zh"), Token: "t0ken"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	// The first visit carries the token; the redirect drops it, the cookie
	// keeps the session.
	c := visit(t, ctx, ts.URL+"/week/2026-W47?lang=zh&token=t0ken")
	if c.Charts == 0 {
		t.Error("live weekly page has no chart")
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(loc, "token") {
		t.Errorf("token left in the address bar: %s", loc)
	}
	visit(t, ctx, ts.URL+"/week/2026-W47/theme/delivery_speed?lang=en&level=1")
	visit(t, ctx, ts.URL+"/")
}
