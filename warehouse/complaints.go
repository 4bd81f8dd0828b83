package warehouse

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
)

// Results a stored ticket may have; "" is pending.
var complaintResults = map[string]bool{"": true, "resolved": true, "partly": true, "unresolved": true, "withdrawn": true}

func validateComplaint(r *voc.ComplaintTicket) error {
	it := &r.Item
	switch {
	case it.Kind != voc.KindComplaint:
		return fmt.Errorf("kind %q: a complaint record's item must be of kind complaint", it.Kind)
	case it.ExternalID == "":
		return fmt.Errorf("no ticket id (ExternalID)")
	case it.CreatedAt.IsZero():
		return fmt.Errorf("no opening time (CreatedAt)")
	case !r.ClosedAt.IsZero() && r.ClosedAt.Before(it.CreatedAt):
		return fmt.Errorf("closed before opened")
	case !r.FirstResponseAt.IsZero() && r.FirstResponseAt.Before(it.CreatedAt):
		return fmt.Errorf("first response before opened")
	case !complaintResults[r.Result]:
		return fmt.Errorf("result %q: want resolved, partly, unresolved, withdrawn or none", r.Result)
	case r.Satisfaction != voc.LevelNone && !r.Satisfaction.Valid():
		return fmt.Errorf("satisfaction %d: want 1-5 or none", r.Satisfaction)
	case r.Reopened != nil && (*r.Reopened < 0 || *r.Reopened > math.MaxInt32):
		return fmt.Errorf("reopened %d times: want a count from 0, or none", *r.Reopened)
	}
	return nil
}

const createStageComplaints = `
CREATE OR REPLACE TEMP TABLE stage_complaints (
	ord                 INTEGER,
	source              VARCHAR,
	ticket_id           VARCHAR,
	channel             VARCHAR,
	channel_raw         VARCHAR,
	opened_at           TIMESTAMPTZ,
	first_response_at   TIMESTAMPTZ,
	closed_at           TIMESTAMPTZ,
	category            VARCHAR,
	notes               VARCHAR,
	result              VARCHAR,
	compensation        VARCHAR,
	compensation_amount DOUBLE,
	demanded            DOUBLE,
	demand_terms        VARCHAR,
	punitive            BOOLEAN,
	order_value         DOUBLE,
	satisfaction        UTINYINT,
	escalated_to        VARCHAR,
	content_hash        VARCHAR,
	reopened            INTEGER
)`

const stageComplaintsWidth = 21

// updateChangedComplaints rewrites the tickets whose content changed (a
// ticket closed since the last export), leaving the indexed keys alone.
const updateChangedComplaints = `
UPDATE complaints SET
	channel = s.channel, channel_raw = s.channel_raw, opened_at = s.opened_at,
	first_response_at = s.first_response_at, closed_at = s.closed_at, category = s.category,
	notes = s.notes, result = s.result, compensation = s.compensation,
	compensation_amount = s.compensation_amount, demanded = s.demanded,
	demand_terms = CAST(s.demand_terms::JSON AS VARCHAR[]), punitive = s.punitive,
	order_value = s.order_value, satisfaction = s.satisfaction,
	escalated_to = CAST(s.escalated_to::JSON AS VARCHAR[]), reopened = s.reopened,
	content_hash = s.content_hash, updated_at = ?
FROM stage_complaints s
WHERE complaints.source = s.source AND complaints.ticket_id = s.ticket_id
  AND complaints.content_hash <> s.content_hash`

// insertNewComplaints adds the tickets not stored yet, attached to the
// items UpsertItems has just stored for them.
const insertNewComplaints = `
INSERT INTO complaints (item_id, source, ticket_id, channel, channel_raw, opened_at, first_response_at,
	closed_at, category, notes, result, compensation, compensation_amount, demanded, demand_terms,
	punitive, order_value, satisfaction, escalated_to, reopened, content_hash, updated_at)
SELECT i.id, s.source, s.ticket_id, s.channel, s.channel_raw, s.opened_at, s.first_response_at,
	s.closed_at, s.category, s.notes, s.result, s.compensation, s.compensation_amount, s.demanded,
	CAST(s.demand_terms::JSON AS VARCHAR[]), s.punitive, s.order_value, s.satisfaction,
	CAST(s.escalated_to::JSON AS VARCHAR[]), s.reopened, s.content_hash, ?
FROM stage_complaints s
JOIN items i ON i.source = s.source AND i.external_id = s.ticket_id
WHERE NOT EXISTS (SELECT 1 FROM complaints c WHERE c.source = s.source AND c.ticket_id = s.ticket_id)
ORDER BY s.ord`

// UpsertComplaints stores complaint tickets in one transaction: all of
// them or none. See Tx.UpsertComplaints.
func (db *DB) UpsertComplaints(ctx context.Context, recs []voc.ComplaintTicket) (UpsertResult, error) {
	var res UpsertResult
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.UpsertComplaints(ctx, recs)
		return err
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// UpsertComplaints stores each record's item (through UpsertItems, so the
// pipeline scores and tags it like any item) and its ticket row, keyed by
// (source, ticket id). Counts are per ticket:
//   - Inserted: a ticket not stored before;
//   - Updated: a stored ticket whose item or handling changed, e.g. a
//     re-export where the ticket got closed, answered or escalated since;
//   - Unchanged: stored as it is, or repeated in the batch (the last
//     occurrence wins).
//
// Records are checked first (kind complaint, a ticket id, an opening time,
// times in order, a known result, a valid satisfaction level, a reopen
// count not below 0): a bad one fails the whole batch naming it, since bad
// rows belong in rejects.
func (t *Tx) UpsertComplaints(ctx context.Context, recs []voc.ComplaintTicket) (UpsertResult, error) {
	if err := t.check("upsert complaints"); err != nil {
		return UpsertResult{}, err
	}
	if len(recs) == 0 {
		return UpsertResult{}, nil
	}
	type row struct {
		r    *voc.ComplaintTicket
		hash string
	}
	pos := map[[2]string]int{}
	rows := make([]row, 0, len(recs))
	items := make([]voc.Item, len(recs))
	for i := range recs {
		r := &recs[i]
		if err := validateComplaint(r); err != nil {
			return UpsertResult{}, fmt.Errorf("upsert complaints: ticket %d (%s %s): %w", i, r.Item.Source, r.Item.ExternalID, err)
		}
		items[i] = r.Item
		k := [2]string{r.Item.Source, r.Item.ExternalID}
		w := row{r, complaintHash(r)}
		if p, dup := pos[k]; dup {
			rows[p] = w
			continue
		}
		pos[k] = len(rows)
		rows = append(rows, w)
	}
	if _, err := t.UpsertItems(ctx, items); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, createStageComplaints); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: create staging table: %w", err)
	}
	err := t.appendRows(ctx, "stage_complaints", stageComplaintsWidth, len(rows), func(i int, v []driver.Value) {
		r := rows[i].r
		v[0] = int32(i)
		v[1] = r.Item.Source
		v[2] = r.Item.ExternalID
		v[3] = r.Channel
		v[4] = r.ChannelRaw
		v[5] = r.Item.CreatedAt.UTC()
		v[6] = nullTime(r.FirstResponseAt)
		v[7] = nullTime(r.ClosedAt)
		v[8] = r.Category
		v[9] = r.Notes
		if r.Result != "" {
			v[10] = r.Result
		}
		v[11] = r.Compensation
		v[12] = nullFloat(r.CompensationAmount)
		v[13] = nullFloat(r.Demanded)
		v[14] = jsonStrings(r.DemandTerms)
		v[15] = r.Punitive
		v[16] = nullFloat(r.OrderValue)
		v[17] = nullLevel(r.Satisfaction)
		v[18] = jsonStrings(r.EscalatedTo)
		v[19] = rows[i].hash
		if r.Reopened != nil {
			v[20] = int32(*r.Reopened)
		}
	})
	if err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: stage: %w", err)
	}
	now := time.Now().UTC()
	var res UpsertResult
	if res.Updated, err = t.exec(ctx, updateChangedComplaints, now); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: update changed: %w", err)
	}
	if res.Inserted, err = t.exec(ctx, insertNewComplaints, now); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: insert new: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE stage_complaints`); err != nil {
		return UpsertResult{}, fmt.Errorf("upsert complaints: drop staging table: %w", err)
	}
	res.Unchanged = len(recs) - res.Inserted - res.Updated
	return res, nil
}

func nullFloat(p *float64) driver.Value {
	if p == nil {
		return nil
	}
	return *p
}

// complaintHash fingerprints a ticket: its item's content (as items hash
// it) and every handling field, length-prefixed so no two tickets collide
// by moving text between fields. A known reopen count is added last and an
// unknown one not at all, so tickets stored before reopen counts existed
// keep their hash: re-importing the same export after the upgrade is not an
// update of every ticket, while a re-export that adds the column is.
func complaintHash(r *voc.ComplaintTicket) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	for _, s := range []string{
		contentHash(&r.Item, ""), r.Channel, r.ChannelRaw, tm(r.FirstResponseAt), tm(r.ClosedAt), r.Category,
		r.Notes, r.Result, r.Compensation, num(r.CompensationAmount), num(r.Demanded),
		strings.Join(r.DemandTerms, "\x00"), strconv.FormatBool(r.Punitive), num(r.OrderValue),
		strconv.Itoa(int(r.Satisfaction)), strings.Join(r.EscalatedTo, "\x00"),
	} {
		write(s)
	}
	if r.Reopened != nil {
		write(strconv.Itoa(*r.Reopened))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
