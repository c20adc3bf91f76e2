package lead

import (
	"encoding/json"
	"fmt"

	"github.com/leadgate/leadgate/internal/leadgate"
)

// MaxRecordBytes is the byte budget of a stored lead, well under DynamoDB's
// 400 KB item limit (and every write costs a unit per KB): whatever anyone
// posts, a lead stays writable.
const MaxRecordBytes = 128 << 10

// Fit keeps the record within MaxRecordBytes by folding its oldest touch
// points (TouchPoint.Folded): they keep their points for scoring and are
// still recognised when retried. A record that cannot fit even so is
// refused, and nothing of the change is written.
func (r *Record) Fit() error {
	size, err := encodedSize(r)
	if err != nil {
		return err
	}
	for i := 0; size > MaxRecordBytes && i < len(r.Touches); i++ {
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
		return leadgate.Errorf(leadgate.ECONFLICT, "Lead %s is at its size limit of %d KiB; this change was not recorded.", r.ID, MaxRecordBytes>>10)
	}
	return nil
}

func encodedSize(v any) (int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("measure lead: %w", err)
	}
	return len(b), nil
}
