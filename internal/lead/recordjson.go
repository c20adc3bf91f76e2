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
func (w *jsonOut) strings(ss []string) { list(w, ss, func(s *string) { w.str(*s) }) }

// stringMap writes a map of strings, null when nil.
func (w *jsonOut) stringMap(m map[string]string) { object(w, m, w.str) }

// list writes each element of s with each, or null for a nil slice.
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

// object writes a map with each value written by each, its keys in
// order as encoding/json sorts them; null for a nil map.
func object[V any](w *jsonOut, m map[string]V, each func(V)) {
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
		each(m[k])
	}
	w.b = append(w.b, '}')
}

// strField and timeField write a member every value has.

func (w *jsonOut) strField(name, v string) {
	w.field(name)
	w.str(v)
}

func (w *jsonOut) timeField(name string, t time.Time) {
	w.field(name)
	w.time(t)
}

// The opt writers write a member that omitempty (or omitzero, for a time)
// leaves out when it is empty.

func (w *jsonOut) optStr(name, v string) {
	if v != "" {
		w.field(name)
		w.str(v)
	}
}

func (w *jsonOut) optInt(name string, n int) {
	if n != 0 {
		w.field(name)
		w.int(int64(n))
	}
}

func (w *jsonOut) optTrue(name string, v bool) {
	if v {
		w.field(name)
		w.bool(true)
	}
}

func (w *jsonOut) optMap(name string, m map[string]string) {
	if len(m) > 0 {
		w.field(name)
		w.stringMap(m)
	}
}

func (w *jsonOut) optStrings(name string, ss []string) {
	if len(ss) > 0 {
		w.field(name)
		w.strings(ss)
	}
}

func (w *jsonOut) optTimePtr(name string, t *time.Time) {
	if t != nil {
		w.field(name)
		w.time(*t)
	}
}

func (w *jsonOut) optTime(name string, t time.Time) {
	if !t.IsZero() {
		w.field(name)
		w.time(t)
	}
}

// The types below are written field by field in their declaration order,
// with their tags' names and omitempty and omitzero rules.

func (w *jsonOut) record(r *Record) {
	w.b = append(w.b, '{')
	w.lead(&r.Lead)
	if len(r.Provenance) > 0 {
		w.field("provenance")
		object(w, r.Provenance, func(p Provenance) {
			w.b = append(w.b, '{')
			w.provenance(&p)
			w.b = append(w.b, '}')
		})
	}
	if len(r.Proposed) > 0 {
		w.field("proposed")
		list(w, r.Proposed, w.proposal)
	}
	w.optStrings("visitors", r.Visitors)
	w.field("touches")
	list(w, r.Touches, w.touch)
	w.strField("stage", string(r.Stage))
	w.field("verdict")
	w.verdict(&r.Verdict)
	w.field("rev")
	w.int(r.Rev)
	w.timeField("createdAt", r.CreatedAt)
	w.timeField("updatedAt", r.UpdatedAt)
	w.optStr("owner", r.Owner)
	w.optTimePtr("assignedAt", r.AssignedAt)
	if f := r.FollowUp; f != nil {
		w.field("followUp")
		w.followUp(f)
	}
	if n := r.Nurture; n != nil {
		w.field("nurture")
		w.b = append(w.b, '{')
		w.strField("track", n.Track)
		w.strField("campaign", n.Campaign)
		w.timeField("since", n.Since)
		w.b = append(w.b, '}')
	}
	if len(r.History) > 0 {
		w.field("history")
		list(w, r.History, w.transition)
	}
	w.optInt("historyDropped", r.HistoryDropped)
	w.optTimePtr("expiresAt", r.ExpiresAt)
	w.optTimePtr("erasedAt", r.ErasedAt)
	w.b = append(w.b, '}')
}

// lead writes Lead's members, which Record embeds.
func (w *jsonOut) lead(l *Lead) {
	w.strField("id", l.ID)
	w.strField("email", l.Email)
	w.optStr("firstName", l.FirstName)
	w.optStr("lastName", l.LastName)
	w.optStr("company", l.Company)
	w.optStr("title", l.Title)
	w.optStr("phone", l.Phone)
	w.optStr("country", l.Country)
	w.optMap("fields", l.Fields)
}

// provenance writes Provenance's members, which Proposal embeds.
func (w *jsonOut) provenance(p *Provenance) {
	w.strField("source", string(p.Source))
	w.strField("touch", p.Touch)
	w.timeField("at", p.At)
}

func (w *jsonOut) proposal(p *Proposal) {
	w.b = append(w.b, '{')
	w.strField("field", p.Field)
	w.strField("value", p.Value)
	w.provenance(&p.Provenance)
	w.b = append(w.b, '}')
}

func (w *jsonOut) touch(t *TouchPoint) {
	w.b = append(w.b, '{')
	w.strField("id", t.ID)
	w.strField("type", t.Type)
	w.timeField("at", t.At)
	w.optTime("receivedAt", t.ReceivedAt)
	w.optTrue("doubtfulTime", t.DoubtfulTime)
	w.optStr("campaign", t.Campaign)
	w.optInt("version", t.Version)
	w.optInt("rating", t.Rating)
	w.optStr("outcome", t.Outcome)
	w.optStr("source", string(t.Source))
	w.optStr("system", t.System)
	w.optMap("detail", t.Detail)
	w.optMap("utm", t.UTM)
	w.optStr("pageUrl", t.PageURL)
	w.optStr("referrer", t.Referrer)
	w.optMap("hidden", t.Hidden)
	w.optStr("notes", t.Notes)
	w.optStrings("tags", t.Tags)
	if len(t.Consents) > 0 {
		w.field("consents")
		list(w, t.Consents, w.consent)
	}
	w.optStrings("cut", t.Cut)
	w.optTrue("folded", t.Folded)
	w.b = append(w.b, '}')
}

func (w *jsonOut) consent(c *Consent) {
	w.b = append(w.b, '{')
	w.strField("field", c.Field)
	w.field("given")
	w.bool(c.Given)
	w.optStr("text", c.Text)
	w.b = append(w.b, '}')
}

func (w *jsonOut) verdict(v *Verdict) {
	w.b = append(w.b, '{')
	w.strField("stage", string(v.Stage))
	w.field("grade")
	grade, _ := v.Grade.MarshalText()
	w.str(string(grade))
	w.field("score")
	w.float(v.Score)
	w.strField("campaign", v.Campaign)
	w.field("version")
	w.int(int64(v.Version))
	w.optStr("geography", v.Geography)
	w.timeField("at", v.At)
	w.field("criteria")
	list(w, v.Criteria, w.criterion)
	w.b = append(w.b, '}')
}

func (w *jsonOut) criterion(c *Criterion) {
	w.b = append(w.b, '{')
	w.strField("rule", c.Rule)
	w.strField("group", string(c.Group))
	w.strField("outcome", c.Outcome.String())
	w.strField("saw", c.Saw)
	if c.Measure != 0 {
		w.field("measure")
		w.float(c.Measure)
	}
	w.strField("want", c.Want)
	w.b = append(w.b, '}')
}

func (w *jsonOut) followUp(f *FollowUp) {
	w.b = append(w.b, '{')
	w.strField("owner", f.Owner)
	w.timeField("since", f.Since)
	w.optTimePtr("remindAt", f.RemindAt)
	w.optTime("dueAt", f.DueAt)
	w.optTrue("reminded", f.Reminded)
	w.optTrue("escalated", f.Escalated)
	w.optStrings("missed", f.Missed)
	w.b = append(w.b, '}')
}

func (w *jsonOut) transition(t *Transition) {
	w.b = append(w.b, '{')
	w.timeField("at", t.At)
	w.optStr("from", string(t.From))
	w.strField("to", string(t.To))
	w.strField("by", t.By)
	w.optStr("reason", t.Reason)
	w.optStr("note", t.Note)
	w.optStr("owner", t.Owner)
	w.optStr("campaign", t.Campaign)
	w.optInt("version", t.Version)
	w.b = append(w.b, '}')
}
