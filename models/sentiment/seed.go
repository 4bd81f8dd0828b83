package sentiment

import (
	"strings"

	"github.com/voc-analytics/voc"
)

// seedLexicon is a short list of hand-written texts (written for voc, not
// taken from any corpus) that Train adds to the corpora: emoji and stock
// phrases that anchor negation, intensifiers and emoji the corpora rarely
// show. Each line is "level<TAB>text".
const seedLexicon = `
5	👍
5	👍👍👍
5	😍
5	❤️
5	🥰
5	💯
5	非常好
5	非常满意
5	太棒了
5	完美
5	强烈推荐
5	excellent
5	love it
5	highly recommend
4	😊
4	👌
4	还不错
4	不错
4	没有问题
4	没问题
4	挺好的
4	满意
4	not bad
4	pretty good
4	good
3	一般
3	一般般
3	还行吧
3	不好不坏
3	ok
3	so-so
3	😐
2	不太满意
2	不是很好
2	不太好
2	有点失望
2	不怎么样
2	not great
2	not very good
2	😕
2	🙁
1	😡
1	😡😡
1	🤬
1	👎
1	🤮
1	💩
1	😭
1	非常差
1	太差了
1	很差劲
1	不好
1	垃圾
1	terrible
1	awful
1	the worst
`

const seedDataset = "seed"

func seedExamples() []Example {
	var out []Example
	for _, line := range strings.Split(strings.TrimSpace(seedLexicon), "\n") {
		lv, text, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		l, err := voc.ParseLevel(lv)
		if err != nil {
			continue
		}
		out = append(out, Example{ID: "seed-" + text, Text: text, Level: l, Dataset: seedDataset})
	}
	return out
}
