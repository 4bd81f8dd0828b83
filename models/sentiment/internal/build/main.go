// Command build trains voc's default sentiment model from the shared corpora,
// evaluates it on the balanced held-out split and writes the model file. It
// can also export the same splits for fastText and score fastText's
// predictions with the same metrics, so both rows of the README's table come
// from one protocol.
//
// Rebuild the default model (from the repository root):
//
//	go run ./models/sentiment/internal/build -data ../shared/data -out models/sentiment/default.model
//
// Modes: -mode final (train on buckets 1-9, test on the balanced bucket 0),
// -mode tune (train on buckets 2-9 without refit, test on the balanced
// validation bucket 1; for choosing settings without touching the test
// split). -ft-dir DIR writes fastText files for the chosen mode;
// -ft-pred FILE reads `fasttext predict-prob MODEL DIR/test.txt 5` output
// and prints its metrics.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/sentiment"
)

func main() {
	data := flag.String("data", "../shared/data", "folder of <dataset>/train.jsonl corpora")
	out := flag.String("out", "", "write the trained model here")
	mode := flag.String("mode", "final", "final or tune")
	seed := flag.Int64("seed", 1, "training seed")
	evalSeed := flag.Int64("eval-seed", 1, "seed of the balanced evaluation sample")
	epochs := flag.Int("epochs", 0, "epochs (0 = default)")
	lr := flag.Float64("lr", 0, "learning rate (0 = default)")
	bits := flag.Uint("bits", 0, "hash bits (0 = default)")
	maxN := flag.Int("maxn", 0, "longest n-gram (0 = default)")
	neg := flag.Int("negscope", 0, "negation scope (0 = default, -1 off)")
	wcap := flag.Float64("wcap", 0, "class weight cap (0 = default, -1 off)")
	decode := flag.String("decode", "", "polar, median or argmax")
	neutral := flag.Float64("neutral", 0, "polar decode threshold (0 = default)")
	plain := flag.Bool("plain-sgd", false, "plain SGD instead of AdaGrad")
	load := flag.String("load", "", "evaluate this saved model instead of training")
	probe := flag.Bool("probe", false, "explain a few hand-written probe texts")
	seedW := flag.Float64("seed-weight", 0, "weight of the seed examples (0 = default)")
	sweep := flag.Bool("sweep", false, "print metrics for several decoding rules")
	noSeed := flag.Bool("no-seed-lexicon", false, "leave out the built-in seed examples")
	sample := flag.Int("sample", 1, "keep 1 in N training examples (exploration)")
	script := flag.Int("script", 0, "longest n-gram with a script-tagged copy (0 = default, -1 off)")
	dump := flag.String("dump", "", "write test predictions (dataset, class, level, P1-P5, text) as TSV here")
	ftDir := flag.String("ft-dir", "", "write fastText train/test files here")
	ftPred := flag.String("ft-pred", "", "evaluate fastText predict-prob output against -ft-dir test set")
	link := flag.String("link", "", "output layer: ordinal (default) or softmax")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	all, err := readAll(ctx, *data)
	if err != nil {
		log.Fatal(err)
	}
	var train, test []sentiment.Example
	for _, ex := range all {
		b := sentiment.Bucket(ex)
		switch {
		case b == 0:
			if *mode == "final" {
				test = append(test, ex)
			}
		case b == 1 && *mode == "tune":
			test = append(test, ex)
		default:
			train = append(train, ex)
		}
	}
	if *sample > 1 {
		var kept []sentiment.Example
		for i, ex := range train {
			if i%*sample == 0 {
				kept = append(kept, ex)
			}
		}
		train = kept
	}
	test = sentiment.Balanced(test, *evalSeed)
	log.Printf("train %d examples, balanced test %d (%s split)", len(train), len(test), *mode)

	if *ftDir != "" && *ftPred == "" {
		if err := writeFastText(*ftDir, train, test); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *ftPred != "" {
		preds, err := readFastText(*ftPred, test)
		if err != nil {
			log.Fatal(err)
		}
		for _, name := range []string{"argmax", "median", "polar"} {
			fmt.Printf("\nfastText (%s decode)\n", name)
			printTable(preds[name])
		}
		return
	}

	opt := sentiment.TrainOptions{Seed: *seed, Epochs: *epochs, LearningRate: *lr, Bits: *bits,
		MaxN: *maxN, NegScope: *neg, ClassWeightCap: *wcap, Decode: *decode, Neutral: *neutral, NoSeedLexicon: *noSeed, PlainSGD: *plain, SeedWeight: *seedW,
		NoRefit: *mode == "tune", Script: *script, Link: *link}
	start := time.Now()
	var m *sentiment.Model
	if *load != "" {
		f, err := os.Open(*load)
		if err != nil {
			log.Fatal(err)
		}
		m, err = sentiment.Load(bufio.NewReader(f))
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
	} else {
		m, err = sentiment.Train(ctx, train, opt)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("trained in %s, version %s", time.Since(start).Round(time.Millisecond), m.Version())
	}
	if *probe {
		for _, t := range probes {
			r := m.Explain(t, 4)
			fmt.Printf("%-28q level=%d score=%.2f conf=%.2f notext=%v", t, r.Level, r.Score, r.Confidence, r.NoText)
			for _, c := range r.Reasons {
				fmt.Printf("  %s:%+.2f", c.Phrase, c.Weight)
			}
			fmt.Println()
		}
	}
	if *sweep {
		for _, rule := range []string{"argmax", "median"} {
			mm, _ := m.WithDecoding(rule, 1)
			fmt.Printf("\n%s: %v\n", rule, sentiment.Evaluate(mm, test))
		}
		for _, t := range []float64{0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 1} {
			mm, _ := m.WithDecoding("polar", t)
			fmt.Printf("polar %.2f: %v\n", t, sentiment.Evaluate(mm, test))
		}
	}
	var preds []sentiment.Prediction
	start = time.Now()
	for _, ex := range test {
		preds = append(preds, sentiment.Prediction{Example: ex, Level: m.Score(ex.Text).Level})
	}
	el := time.Since(start)
	if *dump != "" {
		f, err := os.Create(*dump)
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for _, ex := range test {
			r := m.Score(ex.Text)
			fmt.Fprintf(w, "%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n", ex.Dataset, ex.Class(), r.Level,
				r.Probs[0], r.Probs[1], r.Probs[2], r.Probs[3], r.Probs[4], strings.Join(strings.Fields(ex.Text), " "))
		}
		w.Flush()
		f.Close()
	}
	log.Printf("scored %d in %s (%.0f items/s)", len(test), el.Round(time.Millisecond), float64(len(test))/el.Seconds())
	fmt.Printf("\nvoc %s\n", m.Version())
	printTable(preds)
	fmt.Printf("\nsettings: %+v\n", m.Info())
	printCalibration(m, test)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		if err := m.Save(f); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		st, _ := os.Stat(*out)
		log.Printf("wrote %s (%d bytes)", *out, st.Size())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	log.Printf("peak heap about %d MB", ms.HeapSys>>20)
}

func readAll(ctx context.Context, dir string) ([]sentiment.Example, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "train.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no */train.jsonl under %s", dir)
	}
	sort.Strings(files)
	var all []sentiment.Example
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		r, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		exs, err := sentiment.ReadJSONL(ctx, bufio.NewReader(r), name)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, exs...)
	}
	return all, nil
}

func printTable(preds []sentiment.Prediction) {
	names, per := sentiment.ByDataset(preds)
	fmt.Println("| dataset | n | exact | within-1 | MAE | QWK | binary acc |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, n := range names {
		m := per[n]
		qwk := "-"
		if m.NStars > 0 {
			qwk = fmt.Sprintf("%.3f", m.QWK)
		}
		fmt.Printf("| %s | %d | %.3f | %.3f | %.3f | %s | %.3f |\n", n, m.N, m.Exact, m.WithinOne, m.MAE, qwk, m.BinaryAcc)
	}
	fmt.Println()
	fmt.Print(per["all"].ConfusionTable())
}

// fastTextTokens pre-splits text the way the fastText peer sees it: every
// Han character, emoji or punctuation mark a token, Latin words kept whole,
// lower-cased. No script conversion: that is part of what voc adds.
func fastTextTokens(text string) string {
	var b strings.Builder
	inWord := false
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsSpace(r):
			inWord = false
		case r < 0x3000 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\''):
			if !inWord && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			inWord = true
		default:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String()
}

func ftLabels(ex sentiment.Example) string {
	switch {
	case ex.Level.Valid():
		return "__label__" + strconv.Itoa(int(ex.Level))
	case *ex.Positive:
		return "__label__4 __label__5"
	default:
		return "__label__1 __label__2"
	}
}

func writeFastText(dir string, train, test []sentiment.Example) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, exs []sentiment.Example) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		for _, ex := range exs {
			fmt.Fprintf(w, "%s %s\n", ftLabels(ex), fastTextTokens(ex.Text))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
	if err := write("train.txt", train); err != nil {
		return err
	}
	return write("test.txt", test)
}

// readFastText reads predict-prob output (one line per test example, up to
// five "__label__N prob" pairs) and decodes it by argmax and by median.
func readFastText(path string, test []sentiment.Example) (map[string][]sentiment.Prediction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	out := map[string][]sentiment.Prediction{}
	i := 0
	for sc.Scan() {
		if i >= len(test) {
			return nil, fmt.Errorf("%s: more lines than test examples", path)
		}
		var p [5]float64
		fs := strings.Fields(sc.Text())
		for j := 0; j+1 < len(fs); j += 2 {
			l, err := strconv.Atoi(strings.TrimPrefix(fs[j], "__label__"))
			if err != nil || l < 1 || l > 5 {
				return nil, fmt.Errorf("%s line %d: label %q", path, i+1, fs[j])
			}
			v, err := strconv.ParseFloat(fs[j+1], 64)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: prob %q", path, i+1, fs[j+1])
			}
			p[l-1] = v
		}
		best, c, med := 0, 0.0, -1
		sum := p[0] + p[1] + p[2] + p[3] + p[4]
		for k := range 5 {
			if p[k] > p[best] {
				best = k
			}
			c += p[k]
			if med < 0 && c >= sum/2 {
				med = k
			}
		}
		lv := voc.Level(best + 1)
		if sum == 0 {
			lv, med = voc.LevelNone, -1
		}
		out["argmax"] = append(out["argmax"], sentiment.Prediction{Example: test[i], Level: lv})
		out["median"] = append(out["median"], sentiment.Prediction{Example: test[i], Level: voc.Level(med + 1)})
		// the polar rule of the voc model (neutral threshold 0.7), for a
		// like-for-like binary accuracy
		pol := voc.Level(med + 1)
		switch {
		case sum == 0:
		case p[2] >= 0.7*sum:
			pol = 3
		case p[0]+p[1] > p[3]+p[4]:
			pol = min(pol, 2)
		default:
			pol = max(pol, 4)
		}
		out["polar"] = append(out["polar"], sentiment.Prediction{Example: test[i], Level: pol})
		i++
	}
	if i != len(test) {
		return nil, fmt.Errorf("%s: %d lines for %d test examples", path, i, len(test))
	}
	return out, sc.Err()
}

// probes are hand-written texts for eyeballing negation, intensifiers,
// mixed language and emoji.
var probes = []string{"好", "不好", "很好", "非常好", "不太满意", "非常差", "差", "不是很好", "没有问题", "有问题",
	"not bad", "bad", "good", "not good", "很满意", "不满意", "一般", "還不錯", "服務很差", "😡", "👍", "😡😡😡", "👍👍",
	"质量很好 but 物流太慢", "great 👍", "", "   ", "。。。", "?????", "物流很快，质量不错，推荐", "完全不值这个价", "下次不会再来了", "没有想象中好"}

// printCalibration prints the reliability of Confidence on star-rated
// examples (is the level exactly right?) in ten bins, and the expected
// calibration error.
func printCalibration(m *sentiment.Model, test []sentiment.Example) {
	var n, right [10]int
	var conf [10]float64
	total := 0
	for _, ex := range test {
		if !ex.Level.Valid() {
			continue
		}
		r := m.Score(ex.Text)
		if r.NoText {
			continue
		}
		b := min(int(r.Confidence*10), 9)
		n[b]++
		conf[b] += r.Confidence
		if r.Level == ex.Level {
			right[b]++
		}
		total++
	}
	ece := 0.0
	fmt.Println("\n| confidence | n | mean confidence | exact accuracy |")
	fmt.Println("|---|---:|---:|---:|")
	for b := range 10 {
		if n[b] == 0 {
			continue
		}
		mc, acc := conf[b]/float64(n[b]), float64(right[b])/float64(n[b])
		ece += float64(n[b]) / float64(total) * max(mc-acc, acc-mc)
		fmt.Printf("| %.1f-%.1f | %d | %.3f | %.3f |\n", float64(b)/10, float64(b+1)/10, n[b], mc, acc)
	}
	fmt.Printf("\nECE (star-rated, exact level) = %.3f over %d examples\n", ece, total)
}
