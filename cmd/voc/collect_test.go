package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/demo"
)

// runCollectCLI runs voc with the collect and sources commands wired in
// (whether or not app.go lists them yet), mapping errors to exit codes as
// run does.
func runCollectCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errb)
	root := a.rootCommand()
	for _, c := range []*cobra.Command{a.collectCommand(), a.sourcesCommand()} {
		if sub, _, err := root.Find([]string{c.Name()}); err != nil || sub == root {
			root.AddCommand(c)
		}
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	var p partialError
	switch {
	case err == nil:
		return out.String(), errb.String(), exitOK
	case errors.As(err, &p):
		return out.String(), errb.String(), exitPartial
	}
	return out.String(), errb.String() + err.Error(), exitFailed
}

func TestCollectCommand(t *testing.T) {
	shop := demo.NewShop(9, time.Now(), map[string]int{demo.ShopZH: 30, demo.ShopTW: 12, demo.ShopEN: 6, demo.ShopAPI: 25})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	dir := t.TempDir()
	yml, err := demo.ShopSourcesYAML(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	yml = append(yml, []byte(`    broken:
        type: html
        urls: ["`+srv.URL+`/en/products"]
        http: {delay: 1ms}
        html: {review: "div.review", text: "p"}
`)...)
	cfgPath, db := filepath.Join(dir, "voc.yaml"), filepath.Join(dir, "voc.duckdb")
	if err := os.WriteFile(cfgPath, yml, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"--config", cfgPath, "--db", db}

	out, stderr, code := runCollectCLI(t, append(base, "collect", "--dry-run", "--source", "demo-shop-zh", "--limit", "3", "--json")...)
	if code != exitOK {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	dry := decode[struct {
		Items []struct {
			Rating int    `json:"rating"`
			Text   string `json:"text"`
		} `json:"items"`
	}](t, out)
	if len(dry.Items) != 3 || dry.Items[0].Rating == 0 || dry.Items[0].Text == "" {
		t.Errorf("dry run items = %+v", dry.Items)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a dry run created the warehouse")
	}

	type summary struct {
		Sources []struct {
			Source string `json:"source"`
			Status string `json:"status"`
			New    int    `json:"items_new"`
			Error  string `json:"error"`
		} `json:"sources"`
	}
	out, stderr, code = runCollectCLI(t, append(base, "collect", "--json", "--source", "demo-shop-zh", "--source", "demo-shop-api")...)
	if code != exitOK {
		t.Fatalf("collect: exit %d: %s", code, stderr)
	}
	s := decode[summary](t, out)
	if len(s.Sources) != 2 || s.Sources[0].New+s.Sources[1].New != 55 {
		t.Errorf("collect = %+v", s)
	}

	// All sources: the broken one fails, the others are ok: partial.
	out, _, code = runCollectCLI(t, append(base, "collect", "--json")...)
	s = decode[summary](t, out)
	if code != exitPartial || len(s.Sources) != 5 {
		t.Fatalf("exit %d, %+v; want 2 with five sources", code, s)
	}
	for _, src := range s.Sources {
		if src.Source == "broken" && (src.Status != "failed" || !strings.Contains(src.Error, "layout changed")) {
			t.Errorf("broken = %+v", src)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM items"); n != shop.Count("") {
		t.Errorf("%d items, want %d", n, shop.Count(""))
	}
	_, stderr, code = runCollectCLI(t, append(base, "collect", "--source", "broken")...)
	if code != exitFailed || !strings.Contains(stderr, "broken") {
		t.Errorf("only the broken source: exit %d, %s", code, stderr)
	}

	out, _, code = runCollectCLI(t, append(base, "sources", "--json")...)
	srcs := decode[struct {
		Sources []struct {
			Name      string `json:"name"`
			Status    string `json:"status"`
			Items     int    `json:"items"`
			LastError string `json:"last_error"`
		} `json:"sources"`
	}](t, out)
	if code != exitOK || len(srcs.Sources) != 5 {
		t.Fatalf("sources: exit %d, %+v", code, srcs)
	}
	for _, x := range srcs.Sources {
		if x.Name == "broken" && (x.Status != "failed" || x.LastError == "") || x.Name == "demo-shop-tw" && (x.Status != "ok" || x.Items != 12) {
			t.Errorf("source %+v", x)
		}
	}
	out, _, code = runCollectCLI(t, append(base, "sources")...)
	if code != exitOK || !strings.Contains(out, "demo-shop-en") || !strings.Contains(out, "layout changed") {
		t.Errorf("sources table: exit %d\n%s", code, out)
	}
	if _, stderr, code = runCollectCLI(t, append(base, "collect", "--source", "nope")...); code != exitFailed || !strings.Contains(stderr, "nope") {
		t.Errorf("unknown source: exit %d %s", code, stderr)
	}
}
