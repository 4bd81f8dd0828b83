package survey

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// benchCSV builds an n-row wjx-shaped export with a realistic mix of
// labels, numbers and comments.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您对本次购物的总体满意度,2、您向朋友推荐我们的可能性有多大？,3、您是否会再次购买？,4、您购买的商品类别,5、您的意见和建议\r\n")
	sat := []string{"非常满意", "满意", "一般", "不满意", "非常不满意", "5", "Very satisfied", "4分"}
	rep := []string{"一定会", "可能会", "不确定", "可能不会", "肯定不会"}
	cat := []string{"家电", "数码", "服装"}
	comments := []string{"物流很快，包装也很结实", "", "客服回复及时，问题当天解决", "\"Fits well, will order again\"", "\"尺码偏小,\n换货流程太慢\""}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,2026/11/%d %d:%02d:%02d,%d秒,微信,N/A,113.87.10.21(广东-深圳),%s,%d,%s,%s,%s\r\n",
			i, 1+i%28, i%24, i%60, (i*7)%60, 30+i%300, sat[i%len(sat)], i%11, rep[i%len(rep)], cat[i%len(cat)], comments[i%len(comments)])
	}
	return b.Bytes()
}

func BenchmarkParse100k(b *testing.B) {
	const rows = 100_000
	utf8Body := benchCSV(rows)
	gbkBody, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf8Body)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		body []byte
	}{{"utf-8", utf8Body}, {"gbk", gbkBody}} {
		b.Run(bc.name, func(b *testing.B) {
			opt := Options{Location: time.UTC}
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				res, err := Parse(context.Background(), bytes.NewReader(bc.body), "bench.csv", opt)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Items) != rows {
					b.Fatalf("%d items, %d rejects (%v)", len(res.Items), len(res.Rejects), res.Rejects[0])
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
