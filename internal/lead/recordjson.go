package lead

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendRecord appends r's JSON to b, byte for byte what json.Marshal
// writes for it (TestRecordJSONIsJSONMarshal holds the two together over
// random records, every field set). ok is false when a value needs
// encoding/json's own handling, which then writes it or says why it cannot:
// a time RFC 3339 cannot hold, a NaN.
//
// Every lead write encodes its record, and encoding/json spent most of
// that on reflection, sorting map keys through reflect.Values and
// re-scanning what time.Time's MarshalJSON returned, about twenty times a
// record.
func appendRecord(b []byte, r *Record) (_ []byte, ok bool) {
	w := jsonOut{b: b, ok: true}
	w.record(r)
	return w.b, w.ok
}

// jsonOut writes JSON the way encoding/json does, HTML-safe escaping
// included.
type jsonOut struct {
	b  []byte
	ok bool
}

// field starts an object member: the comma unless it is the first, then
// the name (leadgate's own field names: plain ASCII, nothing to escape).
func (w *jsonOut) field(name string) {
	if last := w.b[len(w.b)-1]; last != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

const hexDigits = "0123456789abcdef"

// str is encoding/json's appendString with escapeHTML.
func (w *jsonOut) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

// time is time.Time's MarshalJSON: RFC 3339 with nanoseconds. A year
// outside 0–9999 or a zone 24 hours or more off UTC is left to
// encoding/json, which refuses it.
func (w *jsonOut) time(t time.Time) {
	_, offset := t.Zone()
	if y := t.Year(); y < 0 || y > 9999 || offset <= -24*3600 || offset >= 24*3600 {
		w.ok = false
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// float is encoding/json's float64: as ES6 writes numbers.
func (w *jsonOut) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.ok = false
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	w.b = b
}

func (w *jsonOut) int(n int64) { w.b = strconv.AppendInt(w.b, n, 10) }

func (w *jsonOut) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

// strings writes a list of strings, null when nil.
func (w *jsonOut) strings(ss []string) {
	if ss == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(s)
	}
	w.b = append(w.b, ']')
}

// stringMap writes a map with its keys in order, as encoding/json does;
// null when nil.
func (w *jsonOut) stringMap(m map[string]string) {
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(k)
		w.b = append(w.b, ':')
		w.str(m[k])
	}
	w.b = append(w.b, '}')
}

// list writes n elements with each, or null for a nil slice.
func list[T any](w *jsonOut, s []T, each func(*T)) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range s {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		each(&s[i])
	}
	w.b = append(w.b, ']')
}

// The types below are written field by field in their declaration order,
// with their tags' names and omitempty and omitzero rules.

func (w *jsonOut) record(r *Record) {
	w.b = append(w.b, '{')
	w.lead(&r.Lead)
	if len(r.Provenance) > 0 {
		w.field("provenance")
		w.b = append(w.b, '{')
		for i, k := range slices.Sorted(maps.Keys(r.Provenance)) {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.str(k)
			w.b = append(w.b, ':', '{')
			p := r.Provenance[k]
			w.provenance(&p)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, '}')
	}
	if len(r.Proposed) > 0 {
		w.field("proposed")
		list(w, r.Proposed, w.proposal)
	}
	if len(r.Visitors) > 0 {
		w.field("visitors")
		w.strings(r.Visitors)
	}
	w.field("touches")
	list(w, r.Touches, w.touch)
	w.field("stage")
	w.str(string(r.Stage))
	w.field("verdict")
	w.verdict(&r.Verdict)
	w.field("rev")
	w.int(r.Rev)
	w.field("createdAt")
	w.time(r.CreatedAt)
	w.field("updatedAt")
	w.time(r.UpdatedAt)
	if r.Owner != "" {
		w.field("owner")
		w.str(r.Owner)
	}
	if r.AssignedAt != nil {
		w.field("assignedAt")
		w.time(*r.AssignedAt)
	}
	if f := r.FollowUp; f != nil {
		w.field("followUp")
		w.followUp(f)
	}
	if n := r.Nurture; n != nil {
		w.field("nurture")
		w.b = append(w.b, `{"track":`...)
		w.str(n.Track)
		w.field("campaign")
		w.str(n.Campaign)
		w.field("since")
		w.time(n.Since)
		w.b = append(w.b, '}')
	}
	if len(r.History) > 0 {
		w.field("history")
		list(w, r.History, w.transition)
	}
	if r.HistoryDropped != 0 {
		w.field("historyDropped")
		w.int(int64(r.HistoryDropped))
	}
	if r.ExpiresAt != nil {
		w.field("expiresAt")
		w.time(*r.ExpiresAt)
	}
	if r.ErasedAt != nil {
		w.field("erasedAt")
		w.time(*r.ErasedAt)
	}
	w.b = append(w.b, '}')
}

// lead writes Lead's members, which Record embeds.
func (w *jsonOut) lead(l *Lead) {
	w.field("id")
	w.str(l.ID)
	w.field("email")
	w.str(l.Email)
	for _, f := range [...]struct {
		name, value string
	}{{"firstName", l.FirstName}, {"lastName", l.LastName}, {"company", l.Company}, {"title", l.Title}, {"phone", l.Phone}, {"country", l.Country}} {
		if f.value != "" {
			w.field(f.name)
			w.str(f.value)
		}
	}
	if len(l.Fields) > 0 {
		w.field("fields")
		w.stringMap(l.Fields)
	}
}

// provenance writes Provenance's members, which Proposal embeds.
func (w *jsonOut) provenance(p *Provenance) {
	w.field("source")
	w.str(string(p.Source))
	w.field("touch")
	w.str(p.Touch)
	w.field("at")
	w.time(p.At)
}

func (w *jsonOut) proposal(p *Proposal) {
	w.b = append(w.b, `{"field":`...)
	w.str(p.Field)
	w.field("value")
	w.str(p.Value)
	w.provenance(&p.Provenance)
	w.b = append(w.b, '}')
}

func (w *jsonOut) touch(t *TouchPoint) {
	w.b = append(w.b, `{"id":`...)
	w.str(t.ID)
	w.field("type")
	w.str(t.Type)
	w.field("at")
	w.time(t.At)
	if !t.ReceivedAt.IsZero() {
		w.field("receivedAt")
		w.time(t.ReceivedAt)
	}
	if t.DoubtfulTime {
		w.field("doubtfulTime")
		w.bool(true)
	}
	if t.Campaign != "" {
		w.field("campaign")
		w.str(t.Campaign)
	}
	if t.Version != 0 {
		w.field("version")
		w.int(int64(t.Version))
	}
	if t.Rating != 0 {
		w.field("rating")
		w.int(int64(t.Rating))
	}
	if t.Outcome != "" {
		w.field("outcome")
		w.str(t.Outcome)
	}
	if t.Source != "" {
		w.field("source")
		w.str(string(t.Source))
	}
	if t.System != "" {
		w.field("system")
		w.str(t.System)
	}
	if len(t.Detail) > 0 {
		w.field("detail")
		w.stringMap(t.Detail)
	}
	if len(t.UTM) > 0 {
		w.field("utm")
		w.stringMap(t.UTM)
	}
	if t.PageURL != "" {
		w.field("pageUrl")
		w.str(t.PageURL)
	}
	if t.Referrer != "" {
		w.field("referrer")
		w.str(t.Referrer)
	}
	if len(t.Hidden) > 0 {
		w.field("hidden")
		w.stringMap(t.Hidden)
	}
	if t.Notes != "" {
		w.field("notes")
		w.str(t.Notes)
	}
	if len(t.Tags) > 0 {
		w.field("tags")
		w.strings(t.Tags)
	}
	if len(t.Consents) > 0 {
		w.field("consents")
		list(w, t.Consents, w.consent)
	}
	if len(t.Cut) > 0 {
		w.field("cut")
		w.strings(t.Cut)
	}
	if t.Folded {
		w.field("folded")
		w.bool(true)
	}
	w.b = append(w.b, '}')
}

func (w *jsonOut) consent(c *Consent) {
	w.b = append(w.b, `{"field":`...)
	w.str(c.Field)
	w.field("given")
	w.bool(c.Given)
	if c.Text != "" {
		w.field("text")
		w.str(c.Text)
	}
	w.b = append(w.b, '}')
}

func (w *jsonOut) verdict(v *Verdict) {
	w.b = append(w.b, `{"stage":`...)
	w.str(string(v.Stage))
	w.field("grade")
	grade, _ := v.Grade.MarshalText()
	w.str(string(grade))
	w.field("score")
	w.float(v.Score)
	w.field("campaign")
	w.str(v.Campaign)
	w.field("version")
	w.int(int64(v.Version))
	if v.Geography != "" {
		w.field("geography")
		w.str(v.Geography)
	}
	w.field("at")
	w.time(v.At)
	w.field("criteria")
	list(w, v.Criteria, w.criterion)
	w.b = append(w.b, '}')
}

func (w *jsonOut) criterion(c *Criterion) {
	w.b = append(w.b, `{"rule":`...)
	w.str(c.Rule)
	w.field("group")
	w.str(string(c.Group))
	w.field("outcome")
	w.str(c.Outcome.String())
	w.field("saw")
	w.str(c.Saw)
	if c.Measure != 0 {
		w.field("measure")
		w.float(c.Measure)
	}
	w.field("want")
	w.str(c.Want)
	w.b = append(w.b, '}')
}

func (w *jsonOut) followUp(f *FollowUp) {
	w.b = append(w.b, `{"owner":`...)
	w.str(f.Owner)
	w.field("since")
	w.time(f.Since)
	if f.RemindAt != nil {
		w.field("remindAt")
		w.time(*f.RemindAt)
	}
	if !f.DueAt.IsZero() {
		w.field("dueAt")
		w.time(f.DueAt)
	}
	if f.Reminded {
		w.field("reminded")
		w.bool(true)
	}
	if f.Escalated {
		w.field("escalated")
		w.bool(true)
	}
	if len(f.Missed) > 0 {
		w.field("missed")
		w.strings(f.Missed)
	}
	w.b = append(w.b, '}')
}

func (w *jsonOut) transition(t *Transition) {
	w.b = append(w.b, `{"at":`...)
	w.time(t.At)
	if t.From != "" {
		w.field("from")
		w.str(string(t.From))
	}
	w.field("to")
	w.str(string(t.To))
	w.field("by")
	w.str(t.By)
	for _, f := range [...]struct {
		name, value string
	}{{"reason", t.Reason}, {"note", t.Note}, {"owner", t.Owner}, {"campaign", t.Campaign}} {
		if f.value != "" {
			w.field(f.name)
			w.str(f.value)
		}
	}
	if t.Version != 0 {
		w.field("version")
		w.int(int64(t.Version))
	}
	w.b = append(w.b, '}')
}
