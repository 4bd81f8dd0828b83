package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/voc-analytics/voc"
)

// textLine is one input of the streaming text commands (`voc score`,
// `voc themes tag`): {"id": ..., "text": "..."}. The id is passed back
// byte for byte, whatever JSON type the caller used.
type textLine struct {
	ID   json.RawMessage `json:"id"`
	Text json.RawMessage `json:"text"`
	// Rating (or stars, as in the labelled corpora) is optional: the
	// customer's own 1-5 rating, used when the text says nothing.
	Rating *float64 `json:"rating"`
	Stars  *float64 `json:"stars"`
}

// textInput is one parsed input line.
type textInput struct {
	ID     json.RawMessage
	Text   string
	Rating voc.Level // LevelNone when absent or not 1-5
}

// maxLineBytes bounds one input line; a longer line is an error for that
// line, not the end of the stream.
const maxLineBytes = 16 << 20

// streamJSONL reads JSON lines from in and writes one JSON line per input
// line to out, in order. A line that is not a valid object with a text
// gets {"id": ..., "error": "line N: ..."} in its place, so outputs stay
// aligned with inputs; blank lines are skipped. It returns how many items
// were answered and how many of them were errors.
//
// Output is flushed whenever no more input is buffered, so a caller that
// writes one line and waits gets its answer at once, while a bulk pipe is
// written in large blocks.
func streamJSONL(ctx context.Context, in io.Reader, out io.Writer, fn func(in textInput) any) (items, bad int, err error) {
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for lineNo := 1; ; lineNo++ {
		if lineNo%1024 == 0 {
			if err := ctx.Err(); err != nil {
				w.Flush()
				return items, bad, err
			}
		}
		line, rerr := readLine(r)
		// Blank lines (a trailing newline, spacing) carry no input.
		if len(bytes.TrimSpace(line)) > 0 {
			items++
			v := answerLine(line, lineNo, fn)
			if _, isErr := v.(lineErr); isErr {
				bad++
			}
			if err := enc.Encode(v); err != nil {
				return items, bad, fmt.Errorf("write output: %w", err)
			}
			if r.Buffered() == 0 {
				if err := w.Flush(); err != nil {
					return items, bad, fmt.Errorf("write output: %w", err)
				}
			}
		}
		if rerr == io.EOF {
			return items, bad, w.Flush()
		}
		if rerr != nil {
			w.Flush()
			return items, bad, fmt.Errorf("read input line %d: %w", lineNo, rerr)
		}
	}
}

func answerLine(line []byte, lineNo int, fn func(in textInput) any) any {
	if len(line) > maxLineBytes {
		return lineError(nil, lineNo, fmt.Errorf("line longer than %d bytes", maxLineBytes))
	}
	var tl textLine
	if err := json.Unmarshal(line, &tl); err != nil {
		return lineError(nil, lineNo, err)
	}
	var text string
	switch {
	case tl.Text == nil:
		return lineError(tl.ID, lineNo, fmt.Errorf(`no "text" field`))
	case string(tl.Text) == "null": // no text: scored like an empty review
	default:
		if err := json.Unmarshal(tl.Text, &text); err != nil {
			return lineError(tl.ID, lineNo, fmt.Errorf(`"text" is not a string: %s`, tl.Text))
		}
	}
	in := textInput{ID: tl.ID, Text: text}
	for _, r := range []*float64{tl.Rating, tl.Stars} {
		if r != nil && *r >= 1 && *r <= 5 && *r == float64(int(*r)) {
			in.Rating = voc.Level(*r)
		}
	}
	if len(in.ID) == 0 {
		in.ID = json.RawMessage("null")
	}
	return fn(in)
}

// readLine returns the next line without its newline (and \r), keeping at
// most maxLineBytes+1 bytes of an overlong line so it can be reported.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf) <= maxLineBytes {
			buf = append(buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) == 0 {
			return nil, io.EOF
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if err == io.EOF {
			return buf, io.EOF
		}
		if buf == nil {
			buf = []byte{}
		}
		return buf, err
	}
}

// lineErr is the output for an input line that could not be read.
type lineErr struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

func lineError(id json.RawMessage, line int, err error) lineErr {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	return lineErr{ID: id, Error: fmt.Sprintf("line %d: %v", line, err)}
}

// readAllLimited reads r to the end, refusing more than limit bytes.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read stdin: more than %d bytes", limit)
	}
	return b, nil
}
