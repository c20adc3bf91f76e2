package badgescan

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sync"

	"github.com/leadgate/leadgate/internal/safecsv"
)

// byteBudget bounds the bytes of rows read but not yet written. The reader
// takes before it queues a row and blocks while the budget is spent; a
// worker gives back once the row is written.
type byteBudget struct {
	mu   sync.Mutex
	cond *sync.Cond
	left int
	max  int
}

func newByteBudget(max int) *byteBudget {
	b := &byteBudget{left: max, max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// take waits for n bytes (a row bigger than the whole budget waits for all
// of it, so one such row is held at a time).
func (b *byteBudget) take(n int) {
	n = min(n, b.max)
	b.mu.Lock()
	for b.left < n {
		b.cond.Wait()
	}
	b.left -= n
	b.mu.Unlock()
}

func (b *byteBudget) give(n int) {
	n = min(n, b.max)
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// maxIssueBytes bounds an import's stored issue list (gzip-compressed CSV):
// a few hundred thousand issues of the usual kind.
const maxIssueBytes = 1 << 20

// issueLog writes every rejected row and warning as gzip-compressed CSV,
// in the order they are found, up to maxIssueBytes; what does not fit is
// counted on the last line.
type issueLog struct {
	buf     bytes.Buffer
	zw      *gzip.Writer
	csv     *safecsv.Writer
	omitted int
}

func newIssueLog() *issueLog {
	l := &issueLog{}
	l.zw = gzip.NewWriter(&l.buf)
	l.csv = safecsv.NewWriter(l.zw)
	_ = l.csv.Write([]string{"row", "line", "kind", "reason"})
	return l
}

func (l *issueLog) add(kind string, x RowIssue) {
	if l.buf.Len() >= maxIssueBytes {
		l.omitted++
		return
	}
	_ = l.csv.Write([]string{fmt.Sprint(x.Row), fmt.Sprint(x.Line), kind, x.Reason})
}

// close ends the log and returns it.
func (l *issueLog) close() []byte {
	if l.omitted > 0 {
		_ = l.csv.Write([]string{"", "", "omitted", fmt.Sprintf("%d more issues: the list stops at %d MiB", l.omitted, maxIssueBytes>>20)})
	}
	_ = l.csv.Flush()
	_ = l.zw.Close()
	return l.buf.Bytes()
}
