package lead

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRecordJSONIsJSONMarshal holds the hand-written record encoder to
// json.Marshal: records filled at random through reflection, so every
// field of every type a record holds is set (a field added later and not
// written by hand fails here), with strings that need escaping, times in
// odd zones, nil and empty lists and maps, and the floats' edges.
func TestRecordJSONIsJSONMarshal(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for i := range 3000 {
		var r Record
		fill(rnd, reflect.ValueOf(&r).Elem(), "Record", seen)
		want, werr := json.Marshal(&r)
		got, ok := appendRecord(nil, &r)
		switch {
		case werr != nil && ok:
			t.Fatalf("record %d: json.Marshal refuses it (%v), the encoder wrote %s", i, werr, got)
		case werr == nil && !ok:
			t.Fatalf("record %d: the encoder gave up on what json.Marshal writes: %s", i, want)
		case werr == nil && !bytes.Equal(got, want):
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
	// Every field was set at least once, so each was compared.
	var missing []string
	walkFields(reflect.TypeFor[Record](), "Record", func(path string) {
		if !seen[path] {
			missing = append(missing, path)
		}
	})
	if len(missing) > 0 {
		t.Errorf("never set: %v", missing)
	}
}

// TestRecordJSONLeavesTheEdgesToJSON: what RFC 3339 or JSON cannot hold is
// left to encoding/json, and Encode says what it says.
func TestRecordJSONLeavesTheEdgesToJSON(t *testing.T) {
	tests := []struct {
		name string
		r    Record
	}{
		{"year 10000", Record{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year -1", Record{UpdatedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"zone 24 hours off", Record{Verdict: Verdict{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 24*3600))}}},
		{"NaN score", Record{Verdict: Verdict{Score: math.NaN()}}},
		{"infinite measure", Record{Verdict: Verdict{Criteria: []Criterion{{Measure: math.Inf(-1)}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, ok := appendRecord(nil, &tt.r); ok {
				t.Errorf("encoder wrote %s", b)
			}
			_, want := json.Marshal(&tt.r)
			_, err := tt.r.Encode()
			if want == nil || err == nil || !strings.Contains(err.Error(), want.Error()) {
				t.Errorf("Encode says %v; json.Marshal %v", err, want)
			}
		})
	}
}

// nasty are strings encoding/json escapes, or passes through, in every way
// it has.
var nasty = []string{"", "plain", `say "yes"`, `back\slash`, "<b>&</b>", "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
	"München", "emoji 🚀", "bad \xff utf8", "cut \xe2\x82", "line\u2028sep", "para\u2029sep", "replacement \ufffd", "ß>Z"}

var zones = []*time.Location{time.UTC, time.FixedZone("IST", 5*3600+1800), time.FixedZone("PST", -8*3600),
	time.FixedZone("LMT", -(17*60 + 32)), time.FixedZone("odd", 23*3600+59*60)}

// fill sets v at random, recording in seen every field path set to
// something but its zero value.
func fill(rnd *rand.Rand, v reflect.Value, path string, seen map[string]bool) {
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		if rnd.IntN(6) == 0 {
			return // zero: omitzero, and "0001-01-01T00:00:00Z"
		}
		sec := rnd.Int64N(253402300799) - rnd.Int64N(62135596800) // years 0001–9999
		nsec := [...]int64{0, 1, 120_000_000, 999_999_999, rnd.Int64N(1e9)}[rnd.IntN(5)]
		v.Set(reflect.ValueOf(time.Unix(sec, nsec).In(zones[rnd.IntN(len(zones))])))
		seen[path] = true
		return
	case reflect.TypeFor[Grade]():
		v.SetUint(uint64([]byte{0, 'A', 'B', 'D', '<', 0xff}[rnd.IntN(6)]))
		seen[path] = seen[path] || v.Uint() != 0
		return
	}
	switch v.Kind() {
	case reflect.String:
		if rnd.IntN(4) > 0 {
			v.SetString(nasty[rnd.IntN(len(nasty))])
		}
	case reflect.Bool:
		v.SetBool(rnd.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -7, 42, math.MaxInt32, math.MinInt64}[rnd.IntN(6)])
	case reflect.Uint8: // Outcome
		v.SetUint(uint64(rnd.IntN(4)))
	case reflect.Float64:
		v.SetFloat([]float64{0, 1, -3.25, 12.5, 0.1, 1e-7, -1e-7, 1e21, 123456789.125, 1e20, 5e-324, math.MaxFloat64}[rnd.IntN(12)])
	case reflect.Pointer:
		if rnd.IntN(3) > 0 {
			p := reflect.New(v.Type().Elem())
			fill(rnd, p.Elem(), path, seen)
			v.Set(p)
		}
	case reflect.Slice:
		switch n := rnd.IntN(5); n {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fill(rnd, s.Index(i), path+"[]", seen)
			}
			v.Set(s)
		}
	case reflect.Map:
		switch n := rnd.IntN(5); n {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range n {
				k := reflect.New(v.Type().Key()).Elem()
				k.SetString(nasty[rnd.IntN(len(nasty))] + string(rune('a'+rnd.IntN(26))))
				e := reflect.New(v.Type().Elem()).Elem()
				fill(rnd, e, path+"{}", seen)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				fill(rnd, v.Field(i), path+"."+f.Name, seen)
			}
		}
		return
	default:
		panic("fill: no case for " + v.Type().String() + " at " + path)
	}
	seen[path] = seen[path] || !v.IsZero()
}

// walkFields calls each with the path of every field a value of t holds,
// as fill names them.
func walkFields(t reflect.Type, path string, each func(string)) {
	switch {
	case t == reflect.TypeFor[time.Time](), t == reflect.TypeFor[Grade]():
		each(path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		walkFields(t.Elem(), path, each)
	case reflect.Slice:
		walkFields(t.Elem(), path+"[]", each)
	case reflect.Map:
		walkFields(t.Elem(), path+"{}", each)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				walkFields(f.Type, path+"."+f.Name, each)
			}
		}
	default:
		each(path)
	}
}
