package badgescan

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// TestWindows1252MatchesCharmap: the decoder here gives what x/text's gave,
// byte for byte, for every byte and through reads of any size.
func TestWindows1252MatchesCharmap(t *testing.T) {
	var all []byte
	for range 3 {
		for b := range 256 {
			all = append(all, byte(b))
		}
	}
	want, err := io.ReadAll(transform.NewReader(bytes.NewReader(all), charmap.Windows1252.NewDecoder()))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"whole":       transform.NewReader(bytes.NewReader(all), windows1252{}),
		"byte a read": iotest.OneByteReader(transform.NewReader(iotest.OneByteReader(bytes.NewReader(all)), windows1252{})),
	} {
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: decoded %q, want %q", name, got, want)
		}
	}
	// A destination too short for a character is refused whole, not cut.
	dst := make([]byte, 2)
	if n, m, err := (windows1252{}).Transform(dst, []byte{'a', 0x80}, true); n != 1 || m != 1 || err != transform.ErrShortDst {
		t.Errorf("short destination: %d, %d, %v", n, m, err)
	}
}
