package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runVocSched is runVoc with `schedule` and `run` registered, whether or
// not app.go lists them yet.
func runVocSched(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errOut)
	root := a.rootCommand()
	have := map[string]bool{}
	for _, c := range root.Commands() {
		have[c.Name()] = true
	}
	for _, c := range []*cobra.Command{a.scheduleCommand(), a.runCommand()} {
		if !have[c.Name()] {
			root.AddCommand(c)
		}
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	switch {
	case err == nil:
		return out.String(), errOut.String(), exitOK
	case errors.As(err, new(partialError)):
		return out.String(), errOut.String(), exitPartial
	}
	return out.String(), errOut.String() + err.Error(), exitFailed
}

type runJSON struct {
	Status string
	Jobs   []struct {
		Job, Trigger, Status, Error string
		Loaded                      int
		RunIDs                      []int64 `json:"run_ids"`
	}
}

// `voc run` runs the pipeline once, records it once with trigger manual
// and reports it on stdout; a second run finds nothing left to score.
func TestRunOnceRecordsEachJobOnce(t *testing.T) {
	db := t.TempDir() + "/voc.duckdb"
	if _, stderr, code := runVoc(t, "import", "survey", "testdata/survey-wjx-gbk.csv", "--source", "shop-survey", "--db", db, "--json"); code != exitPartial && code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	out, stderr, code := runVocSched(t, "run", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("voc run: exit %d: %s\n%s", code, stderr, out)
	}
	res := decode[runJSON](t, out)
	if res.Status != "ok" || len(res.Jobs) != 1 {
		t.Fatalf("voc run = %+v, want one ok job (the pipeline; no collect or report wired)", res)
	}
	j := res.Jobs[0]
	if j.Job != "pipeline" || j.Status != "ok" || j.Trigger != "manual" || j.Loaded == 0 || len(j.RunIDs) != 1 {
		t.Errorf("pipeline job = %+v", j)
	}
	if n := queryInt(t, db, "SELECT count(*) AS n FROM runs WHERE job = 'pipeline' AND trigger = 'manual' AND status = 'ok'"); n != 1 {
		t.Errorf("%d pipeline runs recorded, want exactly 1", n)
	}

	out, stderr, code = runVocSched(t, "run", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("second voc run: exit %d: %s", code, stderr)
	}
	if res := decode[runJSON](t, out); len(res.Jobs) != 1 || res.Jobs[0].Loaded != 0 {
		t.Errorf("second run = %+v, want nothing left to score", res)
	}

	// The human summary names the job and its status.
	out, _, code = runVocSched(t, "run", "--db", db)
	if code != exitOK || !strings.Contains(out, "pipeline") || !strings.Contains(out, "ok") {
		t.Errorf("voc run (table): exit %d\n%s", code, out)
	}
}

// `voc schedule --list` is the status of the schedule: each job's next
// time and last run.
func TestScheduleList(t *testing.T) {
	db := t.TempDir() + "/voc.duckdb"
	// No warehouse yet: jobs listed, no last runs.
	out, stderr, code := runVocSched(t, "schedule", "--list", "--db", db, "--json")
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
	if len(l.Jobs) != 1 || l.Jobs[0].Job != "pipeline" || l.Jobs[0].Spec != "@every 6h" || l.Jobs[0].Last != nil {
		t.Fatalf("list = %+v", l)
	}
	if _, stderr, code := runVocSched(t, "run", "--db", db); code != exitOK {
		t.Fatalf("voc run: exit %d: %s", code, stderr)
	}
	out, _, _ = runVocSched(t, "schedule", "--list", "--db", db, "--json")
	l = decode[listJSON](t, out)
	p := l.Jobs[0]
	if p.Last == nil || p.Last.Trigger != "manual" || p.Last.Status != "ok" || p.CatchUp {
		t.Errorf("pipeline after a run = %+v", p)
	}
	// "@every 6h" counts from the last run.
	if d := time.Until(p.Next); d < 5*time.Hour+59*time.Minute || d > 6*time.Hour {
		t.Errorf("next pipeline run in %v, want 6h after the last", d)
	}
	out, _, code = runVocSched(t, "schedule", "--list", "--db", db)
	if code != exitOK || !strings.Contains(out, "@every 6h") || !strings.Contains(out, "manual") {
		t.Errorf("schedule --list (table): exit %d\n%s", code, out)
	}
}
