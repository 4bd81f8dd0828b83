package warehouse

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
)

func TestStartRunRecordsTriggerFromContext(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)

	plain, err := db.StartRun(ctx, "pipeline", "")
	if err != nil {
		t.Fatal(err)
	}
	if plain.Trigger != voc.TriggerManual {
		t.Errorf("run without a trigger in ctx: trigger %q, want manual", plain.Trigger)
	}
	sctx, log := WithRunLog(ctx, voc.TriggerSchedule)
	a, err := db.StartRun(sctx, "collect", "shop-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.StartRun(sctx, "collect", "shop-b")
	if err != nil {
		t.Fatal(err)
	}
	// The log survives the derivations jobs make of the context (the
	// finishing context of jobs.RunPipeline is one).
	fctx, cancel := context.WithTimeout(context.WithoutCancel(sctx), time.Second)
	defer cancel()
	if TriggerOf(fctx) != voc.TriggerSchedule {
		t.Errorf("TriggerOf a derived context = %q", TriggerOf(fctx))
	}
	started := log.Started()
	if len(started) != 2 || started[0].ID != a.ID || started[1].ID != b.ID {
		t.Fatalf("log.Started() = %+v, want runs %d and %d", started, a.ID, b.ID)
	}
	runs, err := db.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, r := range runs {
		got[r.ID] = r.Trigger
	}
	want := map[int64]string{plain.ID: "manual", a.ID: "schedule", b.ID: "schedule"}
	for id, tr := range want {
		if got[id] != tr {
			t.Errorf("run %d trigger %q, want %q", id, got[id], tr)
		}
	}
}

func TestRecordRunAndLastRuns(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

	record := func(r voc.Run) int64 {
		t.Helper()
		id, err := db.RecordRun(ctx, r)
		if err != nil {
			t.Fatalf("RecordRun(%+v): %v", r, err)
		}
		return id
	}
	record(voc.Run{Job: "report", Started: t0, Finished: t0.Add(time.Minute), Status: voc.RunOK, Trigger: voc.TriggerSchedule})
	lastReport := record(voc.Run{Job: "report", Started: t0.Add(7 * 24 * time.Hour), Status: voc.RunFailed,
		Trigger: voc.TriggerCatchUp, Error: "render: disk full", Detail: `{"pages":0}`})
	record(voc.Run{Job: "collect", Source: "shop-a", Started: t0, Status: voc.RunOK, Loaded: 12})
	skipped := record(voc.Run{Job: "collect", Source: "shop-a", Started: t0.Add(time.Hour), Finished: t0.Add(time.Hour),
		Status: voc.RunSkipped, Trigger: voc.TriggerSchedule, Error: "skipped: still running"})
	shopB := record(voc.Run{Job: "collect", Source: "shop-b", Started: t0, Status: voc.RunPartial, Loaded: 3, Rejected: 1})

	last, err := db.LastRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 3 {
		t.Fatalf("LastRuns gave %d runs, want one per job and source (3): %+v", len(last), last)
	}
	wantIDs := []int64{skipped, shopB, lastReport} // ordered by job, then source
	for i, r := range last {
		if r.ID != wantIDs[i] {
			t.Errorf("LastRuns[%d] = run %d (%s %s), want run %d", i, r.ID, r.Job, r.Source, wantIDs[i])
		}
	}
	if r := last[0]; r.Status != voc.RunSkipped || r.Trigger != voc.TriggerSchedule || r.Error != "skipped: still running" ||
		!r.Started.Equal(t0.Add(time.Hour)) {
		t.Errorf("skipped run read back as %+v", r)
	}
	if r := last[2]; r.Status != voc.RunFailed || r.Trigger != voc.TriggerCatchUp || r.Finished.IsZero() || r.Error != "render: disk full" {
		t.Errorf("catch-up run read back as %+v", r)
	}

	// A trigger left empty comes from the context.
	cctx, _ := WithRunLog(ctx, voc.TriggerCatchUp)
	id := record(voc.Run{Job: "pipeline", Status: voc.RunOK})
	id2, err := db.RecordRun(cctx, voc.Run{Job: "pipeline", Status: voc.RunOK})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := db.Runs(ctx, 0)
	for _, r := range runs {
		if r.ID == id && r.Trigger != voc.TriggerManual || r.ID == id2 && r.Trigger != voc.TriggerCatchUp {
			t.Errorf("run %d trigger %q", r.ID, r.Trigger)
		}
	}

	for _, bad := range []voc.Run{
		{Job: "", Status: voc.RunOK},
		{Job: "report", Status: voc.RunRunning},
		{Job: "report", Status: "done"},
		{Job: "report", Status: voc.RunOK, Detail: "not json"},
	} {
		if _, err := db.RecordRun(ctx, bad); err == nil {
			t.Errorf("RecordRun(%+v): no error", bad)
		} else if bad.Job != "" && !strings.Contains(err.Error(), "report") {
			t.Errorf("RecordRun(%+v): error %q does not name the job", bad, err)
		}
	}
}

func TestFailRunningLeavesFinishedRunsAlone(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	done, _ := db.StartRun(ctx, "collect", "shop-a")
	open1, _ := db.StartRun(ctx, "collect", "shop-b")
	other, _ := db.StartRun(ctx, "import survey", "wjx")
	done.Status, done.Loaded = voc.RunOK, 5
	if err := db.FinishRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	n, err := db.FailRunning(ctx, []int64{done.ID, open1.ID}, "panic: boom")
	if err != nil || n != 1 {
		t.Fatalf("FailRunning = %d, %v; want 1 run marked", n, err)
	}
	byID := map[int64]voc.Run{}
	runs, _ := db.Runs(ctx, 0)
	for _, r := range runs {
		byID[r.ID] = r
	}
	if r := byID[done.ID]; r.Status != voc.RunOK || r.Loaded != 5 || r.Error != "" {
		t.Errorf("finished run changed: %+v", r)
	}
	if r := byID[open1.ID]; r.Status != voc.RunFailed || r.Error != "panic: boom" || r.Finished.IsZero() {
		t.Errorf("running run not failed: %+v", r)
	}
	if r := byID[other.ID]; r.Status != voc.RunRunning {
		t.Errorf("run not named was touched: %+v", r)
	}
	n, err = db.FailStaleRuns(ctx, "interrupted")
	if err != nil || n != 1 {
		t.Fatalf("FailStaleRuns = %d, %v; want 1", n, err)
	}
	runs, _ = db.Runs(ctx, 0)
	for _, r := range runs {
		if r.Status == voc.RunRunning {
			t.Errorf("run %d still running after FailStaleRuns", r.ID)
		}
	}
}

// A warehouse from before the trigger column keeps its runs, read back as
// manual (they were all started by a command).
func TestUpgradeAddsTriggerAsManual(t *testing.T) {
	db := upgradedFrom(t, 5, func(ctx context.Context, sdb *sql.DB, _ string) {
		if _, err := sdb.ExecContext(ctx, `INSERT INTO runs (job, started, status) VALUES ('import survey', now(), 'ok')`); err != nil {
			t.Fatal(err)
		}
	})
	runs, err := db.Runs(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Trigger != voc.TriggerManual || runs[0].Job != "import survey" {
		t.Errorf("old run after upgrade: %+v", runs)
	}
}
