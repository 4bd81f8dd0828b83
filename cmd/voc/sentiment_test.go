package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runVocStdin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

// `voc score` is used by external evaluation: one line out per line in,
// same order, same ids, exactly these fields.
func TestScoreContract(t *testing.T) {
	in := strings.Join([]string{
		`{"id": "n1", "text": "质量太差了，用了两天就坏了，退货还被拒"}`,
		`{"id": 2, "text": "非常满意，物流很快，包装也很好，下次还会再来"}`,
		`{"id": 3.5, "text": "品質很差，客服態度也很差"}`,
		`{"id": "e", "text": "Absolutely love it, works perfectly and arrived early"}`,
		`{"id": "empty", "text": ""}`,
		`{"id": "stars", "text": "", "stars": 2}`,
	}, "\n") + "\n"
	out, stderr, code := runVocStdin(t, in, "score")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d output lines for 6 inputs:\n%s", len(lines), out)
	}
	wantIDs := []string{`"n1"`, `2`, `3.5`, `"e"`, `"empty"`, `"stars"`}
	for i, l := range lines {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d not JSON: %s", i+1, l)
		}
		for _, k := range []string{"id", "level", "score", "confidence", "label"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i+1, k, l)
			}
		}
		if string(m["id"]) != wantIDs[i] {
			t.Errorf("line %d id = %s, want %s", i+1, m["id"], wantIDs[i])
		}
		var r scoreLine
		json.Unmarshal([]byte(l), &r)
		if r.Level < 1 || r.Level > 5 || r.Score < 1 || r.Score > 5 || r.Confidence < 0 || r.Confidence > 1 {
			t.Errorf("line %d out of range: %s", i+1, l)
		}
	}
	level := func(i int) int {
		var r scoreLine
		json.Unmarshal([]byte(lines[i]), &r)
		return r.Level
	}
	if level(0) > 2 || level(2) > 2 {
		t.Errorf("complaints scored %d and %d, want 1-2", level(0), level(2))
	}
	if level(1) < 4 || level(3) < 4 {
		t.Errorf("praise scored %d and %d, want 4-5", level(1), level(3))
	}
	if !strings.Contains(lines[4], `"no_text":true`) || level(4) != 3 || level(5) != 2 {
		t.Errorf("empty text: %s / %s; want neutral without stars, the stars' level with them", lines[4], lines[5])
	}
}

func TestScoreBadLinesArePartial(t *testing.T) {
	out, _, code := runVocStdin(t, "{\"id\":1,\"text\":\"好\"}\n{broken\n", "score")
	if code != exitPartial || !strings.Contains(out, `"error":"line 2:`) {
		t.Errorf("exit %d, out %s; want exit 2 and an error line for line 2", code, out)
	}
}

func TestExplainShowsPhrases(t *testing.T) {
	out, stderr, code := runVoc(t, "explain", "--json", "客服态度太差了，等了三天都没人回复")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := decode[struct {
		Level   int
		Reasons []struct {
			Phrase string
			Weight float64
		}
	}](t, out)
	if r.Level > 2 || len(r.Reasons) == 0 {
		t.Fatalf("explain = %s", out)
	}
	neg := false
	for _, c := range r.Reasons {
		if c.Weight < 0 && strings.ContainsAny(c.Phrase, "差没") {
			neg = true
		}
	}
	if !neg {
		t.Errorf("no negative phrase from the text among the reasons: %+v", r.Reasons)
	}
}

func TestTrainEvalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "mine.jsonl")
	var b strings.Builder
	pos := []string{"很好", "非常满意", "质量不错", "物流很快", "推荐购买", "great", "love it", "excellent quality"}
	neg := []string{"很差", "非常失望", "质量太差", "物流太慢", "不推荐", "terrible", "hate it", "broke quickly"}
	for i := range 40 {
		for _, p := range pos {
			b.WriteString(`{"id":"p` + p + string(rune('a'+i%26)) + `","text":"` + p + strings.Repeat("！", i%5) + `","stars":5}` + "\n")
		}
		for _, n := range neg {
			b.WriteString(`{"id":"n` + n + string(rune('a'+i%26)) + `","text":"` + n + strings.Repeat("。", i%5) + `","stars":1}` + "\n")
		}
	}
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "my.model")
	out, stderr, code := runVoc(t, "train", "sentiment", "--data", data, "--out", model, "--epochs", "3", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	tr := decode[map[string]any](t, out)
	if tr["version"] == "" || tr["trained_on"].(float64) == 0 || tr["held_out"].(float64) == 0 {
		t.Errorf("train = %v", tr)
	}
	out, stderr, code = runVoc(t, "eval", "--model", model, "--data", data, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	ev := decode[struct {
		Pooled   map[string]any
		Datasets map[string]map[string]any
	}](t, out)
	if ev.Pooled["binary_accuracy"].(float64) < 0.9 || ev.Datasets["mine"] == nil {
		t.Errorf("eval of a model on its own easy data = %v", ev)
	}
	// The trained model is the one voc.yaml points at.
	cfg := filepath.Join(dir, "voc.yaml")
	os.WriteFile(cfg, []byte("sentiment:\n  model: "+model+"\n"), 0o644)
	out, _, _ = runVocStdin(t, `{"id":1,"text":"hate it"}`, "score", "--config", cfg)
	if !strings.Contains(out, `"level":1`) && !strings.Contains(out, `"level":2`) {
		t.Errorf("score with the configured model: %s", out)
	}
}
