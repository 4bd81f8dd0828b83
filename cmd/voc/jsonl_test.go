package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func echo(in textInput) any {
	return map[string]any{"id": in.ID, "n": len([]rune(in.Text)), "r": int(in.Rating)}
}

func TestStreamJSONLAnswersEveryLineInOrder(t *testing.T) {
	in := strings.Join([]string{
		`{"id": 1, "text": "好", "stars": 4}`,
		`{"id": "b", "text": "不好"}`,
		``,
		`not json`,
		`{"id": [3], "text": 7}`,
		`{"id": 4}`,
		`{"id": 5, "text": null}`,
		`{"text": "<script>", "id": {"k": 6}, "rating": 9}`,
		`{"text": ""}`,
	}, "\r\n")
	var out bytes.Buffer
	items, bad, err := streamJSONL(context.Background(), strings.NewReader(in), &out, echo)
	if err != nil {
		t.Fatal(err)
	}
	if items != 8 || bad != 3 {
		t.Errorf("items %d bad %d, want 8 and 3", items, bad)
	}
	want := []string{
		`{"id":1,"n":1,"r":4}`,
		`{"id":"b","n":2,"r":0}`,
		`{"id":null,"error":"line 4: invalid character 'o' in literal null (expecting 'u')"}`,
		`{"id":[3],"error":"line 5: \"text\" is not a string: 7"}`,
		`{"id":4,"error":"line 6: no \"text\" field"}`,
		`{"id":5,"n":0,"r":0}`,
		`{"id":{"k":6},"n":8,"r":0}`,
		`{"id":null,"n":0,"r":0}`,
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(got), out.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %s\nwant      %s", i+1, got[i], want[i])
		}
	}
}

// An interactive caller writes one line and waits for its answer before
// writing the next: the answer must come without the input being closed.
func TestStreamJSONLStreams(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, _, err := streamJSONL(context.Background(), inR, outW, echo)
		outW.Close()
		done <- err
	}()
	lines := make(chan string)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := outR.Read(buf)
			if n > 0 {
				lines <- string(buf[:n])
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	for i, text := range []string{"一", "二二"} {
		if _, err := io.WriteString(inW, `{"id":`+string(rune('1'+i))+`,"text":"`+text+`"}`+"\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-lines:
			if !strings.Contains(got, `"n":`+string(rune('1'+i))) {
				t.Errorf("answer %d = %q", i+1, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer to line %d while input stays open", i+1)
		}
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func FuzzStreamJSONL(f *testing.F) {
	f.Add([]byte(`{"id":1,"text":"好"}` + "\n" + `{"id":2}`))
	f.Add([]byte("\n\n{\"text\":\"\"}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		items, _, err := streamJSONL(context.Background(), bytes.NewReader(in), &out, echo)
		if err != nil {
			t.Fatal(err)
		}
		// One output line per non-blank input line, each valid JSON.
		n := 0
		for _, l := range strings.Split(out.String(), "\n") {
			if l == "" {
				continue
			}
			n++
			if !json.Valid([]byte(l)) {
				t.Fatalf("invalid output line %q", l)
			}
		}
		if n != items {
			t.Fatalf("%d output lines for %d items", n, items)
		}
	})
}
