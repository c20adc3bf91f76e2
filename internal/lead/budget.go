package lead

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxRecordBytes is the byte budget of a stored lead, well under DynamoDB's
// 400 KB item limit (and every write costs a unit per KB): whatever anyone
// posts, a lead stays writable.
const MaxRecordBytes = 128 << 10

// Encode returns the record's JSON, as it is stored, within MaxRecordBytes:
// a record over the budget is fitted first (Fit), and refused as Fit
// refuses it. A record under the budget, nearly every one, is encoded once:
// measuring it apart and then encoding it again for the write cost a
// badge-scan row a fifth of its CPU.
func (r *Record) Encode() ([]byte, error) {
	doc, err := r.marshal()
	if err != nil || len(doc) <= MaxRecordBytes {
		return doc, err
	}
	if err := r.Fit(); err != nil {
		return nil, err
	}
	return r.marshal()
}

// Decode reads a record Encode wrote. A verdict stored before its
// engagement score was spelled ("saw":"" beside the measure, leads written
// before the score was shown) gets its text here, as the encoder of that
// time gave it on the way out.
func Decode(doc []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, err
	}
	r.Verdict.spell()
	return &r, nil
}

// marshal is json.Marshal(r), written by hand (appendRecord) unless a
// value needs encoding/json's own handling.
func (r *Record) marshal() ([]byte, error) {
	if doc, ok := appendRecord(make([]byte, 0, 4<<10), r); ok {
		return doc, nil
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode lead %s: %w", r.ID, err)
	}
	return doc, nil
}

// Fit keeps the record within MaxRecordBytes by folding touch points
// (TouchPoint.Folded), the oldest of the least trusted first: they keep
// their points for scoring, their consents, and are still recognised when
// retried. A record that cannot fit even so is refused, and nothing of the
// change is written.
func (r *Record) Fit() error {
	doc, err := r.marshal()
	if err != nil {
		return err
	}
	size := len(doc)
	for _, i := range leastTrusted(r.Touches) {
		if size <= MaxRecordBytes {
			break
		}
		t := &r.Touches[i]
		if t.Folded {
			continue
		}
		before, err := encodedSize(t)
		if err != nil {
			return err
		}
		t.fold()
		after, err := encodedSize(t)
		if err != nil {
			return err
		}
		size -= before - after
	}
	if size > MaxRecordBytes {
		return &leadgate.Error{Code: leadgate.ECONFLICT, Cause: ErrTooLarge,
			Message: fmt.Sprintf("Lead %s is at its size limit of %d KiB; this change was not recorded.", r.ID, MaxRecordBytes>>10)}
	}
	return nil
}

// ErrTooLarge is the cause of Fit's refusal.
var ErrTooLarge = errors.New("the lead is at its size limit")

func encodedSize(v any) (int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("measure lead: %w", err)
	}
	return len(b), nil
}

// leastTrusted lists the touch points' indexes in the order they give way:
// the least trusted source first, then the oldest.
func leastTrusted(touches []TouchPoint) []int {
	order := make([]int, len(touches))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(touches[a].Source.trust(), touches[b].Source.trust()); c != 0 {
			return c
		}
		return touches[a].At.Compare(touches[b].At)
	})
	return order
}
