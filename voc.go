// Package voc holds the domain types every part of voc shares: a feedback
// item, the five-level satisfaction scale, rejects and runs.
//
// It imports nothing of the project, so collectors, the warehouse, the
// pipeline, models, reports and schedules can all depend on it without
// cycles. Behaviour that needs I/O lives in those packages, never here.
package voc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind says which channel a feedback item came through. Channels are kept
// apart because they mean different things: a complaint is a customer who
// spoke up, a dissatisfied survey answer is often one who never would have.
type Kind string

// The kinds of feedback voc stores.
const (
	KindReview    Kind = "review"
	KindSurvey    Kind = "survey"
	KindComplaint Kind = "complaint"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindReview, KindSurvey, KindComplaint:
		return true
	}
	return false
}

// Level is a point on the five-level satisfaction scale. The zero value
// means "no level": an item without a rating, or text not yet scored.
type Level int8

// The five levels, from very dissatisfied to very satisfied.
const (
	LevelNone            Level = 0
	VeryDissatisfied     Level = 1
	SomewhatDissatisfied Level = 2
	Neutral              Level = 3
	Satisfied            Level = 4
	VerySatisfied        Level = 5

	MinLevel = VeryDissatisfied
	MaxLevel = VerySatisfied
)

var (
	levelLabelsZH = [...]string{"未知", "极不满意", "有些不满意", "无意见", "一般满意", "高度满意"}
	levelLabelsEN = [...]string{"unknown", "very dissatisfied", "somewhat dissatisfied", "neutral", "satisfied", "very satisfied"}
)

// Valid reports whether l is one of the five levels (LevelNone is not).
func (l Level) Valid() bool { return l >= MinLevel && l <= MaxLevel }

// LabelZH is the level's Chinese label, e.g. 高度满意 for 5.
func (l Level) LabelZH() string {
	if !l.Valid() {
		return levelLabelsZH[0]
	}
	return levelLabelsZH[l]
}

// LabelEN is the level's English label, e.g. "very satisfied" for 5.
func (l Level) LabelEN() string {
	if !l.Valid() {
		return levelLabelsEN[0]
	}
	return levelLabelsEN[l]
}

// Label returns the label in lang ("zh" or "en"; anything else gets English).
func (l Level) Label(lang string) string {
	if strings.HasPrefix(lang, "zh") {
		return l.LabelZH()
	}
	return l.LabelEN()
}

// String renders "5 高度满意 very satisfied", or "-" for LevelNone.
func (l Level) String() string {
	if !l.Valid() {
		return "-"
	}
	return fmt.Sprintf("%d %s %s", int(l), l.LabelZH(), l.LabelEN())
}

// Satisfied reports whether the level counts toward the satisfaction index
// (levels 4 and 5).
func (l Level) Satisfied() bool { return l >= Satisfied }

// Dissatisfied reports whether the level is 1 or 2.
func (l Level) Dissatisfied() bool { return l == VeryDissatisfied || l == SomewhatDissatisfied }

// ParseLevel reads a level from its number, "1" to "5".
func ParseLevel(s string) (Level, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return LevelNone, fmt.Errorf("level %q: want 1-5", s)
	}
	if n < int(MinLevel) || n > int(MaxLevel) {
		return LevelNone, fmt.Errorf("level %d: want 1-5", n)
	}
	return Level(n), nil
}

// Levels lists the five levels from 1 to 5, for loops and chart axes.
func Levels() []Level {
	return []Level{VeryDissatisfied, SomewhatDissatisfied, Neutral, Satisfied, VerySatisfied}
}

// Item is one piece of customer feedback: a review, a survey response or a
// complaint, as a collector found it and before any scoring.
//
// (Source, ExternalID) identifies an item. Sources without ids of their own
// get a content hash (see ContentKey) so a re-import stores nothing twice.
type Item struct {
	Source     string // name of the configured source, e.g. "wjx-2026q4"
	Kind       Kind
	ExternalID string // the source's own id; ContentKey() when it has none
	Product    string
	Channel    string // shop, platform or survey channel
	AuthorKey  string // a stable key for the customer or respondent, if known
	CreatedAt  time.Time
	// CollectedAt is when voc fetched or imported the item.
	CollectedAt time.Time
	// Rating is the customer's own rating on the five-level scale: stars
	// for a review, the satisfaction answer for a survey. LevelNone if absent.
	Rating Level
	Text   string
	Lang   string // "zh-Hans", "zh-Hant", "en", or "" when unknown
	// RawRef points at the stored raw payload the item came from, as
	// "<payload id>#<locator>" (e.g. a line number), so history can be
	// re-processed from the original bytes.
	RawRef string

	// Survey answers beyond satisfaction; nil when the source has none.
	Recommend  *int  // 0-10 likelihood to recommend (NPS)
	Repurchase Level // repurchase intent on the five-level scale, LevelNone if absent
	// Extra keeps answers no column of ours holds, by their header.
	Extra map[string]string
}

// ContentKey is a stable hash of what an item says, used as its identity
// when the source gives no id. Two imports of the same answer yield the same
// key; the collection time does not take part.
func (it *Item) ContentKey() string {
	h := sha256.New()
	for _, part := range []string{
		string(it.Kind), it.Product, it.Channel, it.AuthorKey,
		formatKeyTime(it.CreatedAt), strconv.Itoa(int(it.Rating)), it.Text,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "h:" + hex.EncodeToString(h.Sum(nil))[:32]
}

func formatKeyTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Reject is an input row that could not be loaded. Rejects are stored, not
// dropped, so a user can see what was left out and why.
type Reject struct {
	Source string
	File   string // file path or URL
	Line   int    // 1-based line or row number; 0 when not line-based
	Reason string
	Raw    string // the offending row as read, for correction
}

// Location renders "file:line" (or just the file) for messages.
func (r Reject) Location() string {
	if r.Line > 0 {
		return r.File + ":" + strconv.Itoa(r.Line)
	}
	return r.File
}

// RawPayload is the original bytes a collector read: a file, a page, an API
// response. Items refer to it through RawRef.
type RawPayload struct {
	ID          string // sha256 of Body, hex
	Source      string
	URI         string
	ContentType string
	FetchedAt   time.Time
	Body        []byte
}

// PayloadID is the content address used for RawPayload.ID.
func PayloadID(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// RunStatus is how a job ended.
type RunStatus string

// Run outcomes, mirroring the exit codes 0, 2 and 1.
const (
	RunRunning RunStatus = "running"
	RunOK      RunStatus = "ok"
	RunPartial RunStatus = "partial" // finished, but some input was rejected or failed
	RunFailed  RunStatus = "failed"
	// RunSkipped records a scheduled run that did not start because the
	// job's previous run was still going: a job never overlaps itself.
	RunSkipped RunStatus = "skipped"
	// RunAbandoned records a run whose process ended without finishing
	// it (killed or crashed): found by the next process to open the
	// warehouse for writing.
	RunAbandoned RunStatus = "abandoned"
)

// What started a run, as recorded in Run.Trigger.
const (
	TriggerManual   = "manual"   // a command: voc import, voc pipeline, voc run
	TriggerSchedule = "schedule" // the daemon, at the job's scheduled time
	TriggerCatchUp  = "catch-up" // the daemon at its start, for a scheduled time it was down for
)

// Run is one execution of a job (an import, a collection, the pipeline, a
// report), kept as history so a user can see what ran and how it went.
type Run struct {
	ID       int64     `json:"id"`
	Job      string    `json:"job"`              // e.g. "import survey", "collect"
	Source   string    `json:"source,omitempty"` // empty for jobs not tied to one source
	Trigger  string    `json:"trigger"`          // TriggerManual, TriggerSchedule or TriggerCatchUp
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Status   RunStatus `json:"status"`
	Loaded   int       `json:"loaded"`     // new items stored
	Dupes    int       `json:"duplicates"` // items already stored, left as they were
	Updated  int       `json:"updated"`    // items already stored whose content changed
	Rejected int       `json:"rejected"`
	Error    string    `json:"error,omitempty"`
	// Detail is free-form JSON for job-specific figures (pages fetched, HTTP
	// statuses, model version ...).
	Detail string `json:"detail,omitempty"`
}

// Reason is a phrase that pushed a text's score up (positive Weight) or
// down (negative Weight), so a marketer can see why a review is a 2.
type Reason struct {
	Phrase string  `json:"phrase"`
	Weight float64 `json:"weight"`
}

// Score is the pipeline's reading of one stored item: the level its text
// expresses, next to the rating the customer gave.
//
// Both are kept because they disagree more often than one would like: five
// stars with angry words is dissatisfaction the star average hides.
type Score struct {
	ItemID     int64
	Model      string  // version of the model that read the text
	TextLevel  Level   // level of the text; LevelNone when there is no text
	Value      float64 // the text's continuous score in [1, 5]; 0 without text
	Confidence float64 // in [0, 1]
	Rating     Level   // the customer's own rating (stars, Likert); LevelNone if absent
	Reasons    []Reason
}

// Level is what the item counts as in satisfaction figures: the customer's
// own rating when they gave one, else what their text says.
func (s Score) Level() Level {
	if s.Rating.Valid() {
		return s.Rating
	}
	return s.TextLevel
}

// Disagrees reports whether rating and text are two or more levels apart,
// the threshold at which a mismatch is more than scoring noise.
func (s Score) Disagrees() bool {
	if !s.Rating.Valid() || !s.TextLevel.Valid() {
		return false
	}
	d := int(s.Rating) - int(s.TextLevel)
	return d >= 2 || d <= -2
}

// Polarity says whether a theme was mentioned as a complaint or as praise:
// "物流太慢" and "物流很快" are both about delivery speed.
type Polarity string

// The two polarities of a theme hit.
const (
	Complaint Polarity = "complaint"
	Praise    Polarity = "praise"
)

// ThemeHit is one theme found in one clause of an item's text.
type ThemeHit struct {
	Theme     string   // taxonomy id, e.g. "delivery_speed" or "quality.battery"
	Polarity  Polarity // complaint or praise
	Clause    string   // the clause as the customer wrote it
	Start     int      // rune offsets of the clause in the item's text
	End       int
	Sentiment float64 // the clause's own sentiment, negative for complaints
}

// Tagging is what theme matching found in one stored item.
type Tagging struct {
	ItemID   int64
	Taxonomy string // version of the taxonomy that tagged it
	Hits     []ThemeHit
	// Escalation marks a threat to take the matter further (12315, 消协,
	// media, a lawyer, a chargeback): such items need attention today.
	Escalation      bool
	EscalationTerms []string
}

// ThemeWeek is one theme's complaint figures for one ISO week.
type ThemeWeek struct {
	Theme      string
	Week       time.Time // Monday 00:00 of the ISO week, in the report's zone
	Complaints int       // items with a complaint hit on the theme
	Praises    int       // items with a praise hit on the theme
	Items      int       // all items that week, the share's denominator
	MeanLevel  float64   // mean level of the complaining items; 0 if none
	// Recurring: complaints in at least k of the last n weeks.
	Recurring bool
	// Emerging: this week's count significantly above its baseline; the
	// expected count and the test's p-value say by how much.
	Emerging bool
	Expected float64
	PValue   float64
}

// ComplaintTicket is a complaint ticket: the complaint itself as a feedback item
// (Kind complaint; ExternalID the ticket id, AuthorKey the customer,
// CreatedAt the opening time, Text the complaint) and what the company
// did about it. Rating stays LevelNone: the satisfaction after handling is
// an answer about the handling, not the product, and lives in Satisfaction.
type ComplaintTicket struct {
	Item Item
	// Channel is phone, online, store, 12315, platform or other ("" when
	// the export does not say); ChannelRaw is the export's wording.
	Channel, ChannelRaw string
	// FirstResponseAt and ClosedAt are zero while they have not happened.
	FirstResponseAt, ClosedAt time.Time
	Category, Notes           string
	// Result is resolved, partly, unresolved or withdrawn; "" while the
	// ticket is handled or when the export does not say.
	Result string
	// Compensation is what the company gave, as written (退款50元+优惠券);
	// CompensationAmount its money part when it has one.
	Compensation       string
	CompensationAmount *float64
	// Demanded is the compensation the customer asked for; DemandTerms the
	// demand phrases of the text; Punitive is set when the text asks for a
	// multiple of the price (退一赔三, 十倍赔偿).
	Demanded    *float64
	DemandTerms []string
	Punitive    bool
	// OrderValue is what the customer paid, when known.
	OrderValue *float64
	// Satisfaction is the five-level answer after handling; LevelNone when
	// the customer was not asked or did not answer.
	Satisfaction Level
	// EscalatedTo lists consumer_association, 12315, media, lawyer,
	// platform or other; nil when the ticket stayed in house.
	EscalatedTo []string
	// Reopened is how many times the ticket was reopened after it was
	// closed: a closing that did not hold, the figure behind the reopen
	// rate. nil when the export does not say, which is not the same as 0:
	// many exports have no such column. A yes/no column, or a status of
	// 重新打开 / reopened, says only "at least once" and gives 1.
	Reopened *int
}
