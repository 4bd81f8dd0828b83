package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// schedTemp makes a warehouse path and a voc.yaml naming it, with reports
// written inside the test's temporary folder.
func schedTemp(t *testing.T) (db, cfg string) {
	t.Helper()
	dir := t.TempDir()
	db, cfg = filepath.Join(dir, "voc.duckdb"), filepath.Join(dir, "voc.yaml")
	if err := os.WriteFile(cfg, []byte("db: voc.duckdb\nreports:\n  dir: reports\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return db, cfg
}

type runJSON struct {
	Status string
	Jobs   []struct {
		Job, Trigger, Status, Error string
		Loaded                      int
		RunIDs                      []int64 `json:"run_ids"`
	}
}

// `voc run` runs the pipeline and then the weekly report once, records
// each once with trigger manual and reports them on stdout; a second run
// finds nothing left to score.
func TestRunOnceRecordsEachJobOnce(t *testing.T) {
	db, cfg := schedTemp(t)
	if _, stderr, code := runVoc(t, "import", "survey", "testdata/survey-wjx-gbk.csv", "--source", "shop-survey", "--config", cfg, "--json"); code != exitPartial && code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	out, stderr, code := runVoc(t, "run", "--config", cfg, "--json")
	if code != exitOK {
		t.Fatalf("voc run: exit %d: %s\n%s", code, stderr, out)
	}
	res := decode[runJSON](t, out)
	if res.Status != "ok" || len(res.Jobs) != 2 {
		t.Fatalf("voc run = %+v, want the pipeline and the report, ok", res)
	}
	j := res.Jobs[0]
	if j.Job != "pipeline" || j.Status != "ok" || j.Trigger != "manual" || j.Loaded == 0 || len(j.RunIDs) != 1 {
		t.Errorf("pipeline job = %+v", j)
	}
	if r := res.Jobs[1]; r.Job != reportJobName || r.Status != "ok" || r.Loaded == 0 {
		t.Errorf("report job = %+v", r)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "reports", "index.html")); err != nil {
		t.Errorf("voc run wrote no report index where voc.yaml says: %v", err)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM runs WHERE job = 'pipeline' AND trigger = 'manual' AND status = 'ok'"); n != 1 {
		t.Errorf("%d pipeline runs recorded, want exactly 1", n)
	}

	out, stderr, code = runVoc(t, "run", "--config", cfg, "--json")
	if code != exitOK {
		t.Fatalf("second voc run: exit %d: %s", code, stderr)
	}
	if res := decode[runJSON](t, out); len(res.Jobs) != 2 || res.Jobs[0].Loaded != 0 {
		t.Errorf("second run = %+v, want nothing left to score", res)
	}

	// The human summary names the job and its status.
	out, _, code = runVoc(t, "run", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "pipeline") || !strings.Contains(out, "ok") {
		t.Errorf("voc run (table): exit %d\n%s", code, out)
	}
}

// `voc schedule --list` is the status of the schedule: each job's next
// time and last run.
func TestScheduleList(t *testing.T) {
	_, cfg := schedTemp(t)
	// No warehouse yet: jobs listed, no last runs.
	out, stderr, code := runVoc(t, "schedule", "--list", "--config", cfg, "--json")
	if code != exitOK {
		t.Fatalf("schedule --list on no warehouse: exit %d: %s", code, stderr)
	}
	type listJSON struct {
		Jobs []struct {
			Job, Spec string
			Next      time.Time
			CatchUp   bool `json:"catch_up"`
			Last      *struct{ Trigger, Status string }
		}
	}
	l := decode[listJSON](t, out)
	if len(l.Jobs) != 2 || l.Jobs[0].Job != "pipeline" || l.Jobs[0].Spec != "@every 6h" || l.Jobs[0].Last != nil ||
		l.Jobs[1].Job != reportJobName || l.Jobs[1].Spec != "0 8 * * 1" || l.Jobs[1].Next.Weekday() != time.Monday {
		t.Fatalf("list = %+v", l)
	}
	if _, stderr, code := runVoc(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("voc run: exit %d: %s", code, stderr)
	}
	out, _, _ = runVoc(t, "schedule", "--list", "--config", cfg, "--json")
	l = decode[listJSON](t, out)
	p := l.Jobs[0]
	if p.Last == nil || p.Last.Trigger != "manual" || p.Last.Status != "ok" || p.CatchUp {
		t.Errorf("pipeline after a run = %+v", p)
	}
	// "@every 6h" counts from the last run.
	if d := time.Until(p.Next); d < 5*time.Hour+59*time.Minute || d > 6*time.Hour {
		t.Errorf("next pipeline run in %v, want 6h after the last", d)
	}
	out, _, code = runVoc(t, "schedule", "--list", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "@every 6h") || !strings.Contains(out, "manual") {
		t.Errorf("schedule --list (table): exit %d\n%s", code, out)
	}
}
