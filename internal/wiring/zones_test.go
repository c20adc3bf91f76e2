package wiring

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestZoneDatabaseWhereZonesAreLoaded: Lambda's image need not carry the
// zone database, so a function that can load a time zone (definitions'
// intake.timeZone, reps' shifts, badge-scan files) embeds it by importing
// time/tzdata in its main package, as Go advises; a function that cannot
// does not carry its 400 KB. The linker knows which can: it keeps
// time.LoadLocation only where it is reachable.
func TestZoneDatabaseWhereZonesAreLoaded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	dirs, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(out, d.Name())
			build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./functions/"+d.Name())
			build.Dir = "../.."
			build.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, b)
			}
			nm, err := exec.Command("go", "tool", "nm", bin).Output()
			if err != nil {
				t.Fatalf("go tool nm: %v", err)
			}
			loads, embeds := false, false
			for sc := bufio.NewScanner(bytes.NewReader(nm)); sc.Scan(); {
				f := strings.Fields(sc.Text())
				if len(f) == 0 {
					continue
				}
				name := f[len(f)-1]
				loads = loads || name == "time.LoadLocation"
				embeds = embeds || strings.HasPrefix(name, "time/tzdata.")
			}
			switch {
			case loads && !embeds:
				t.Errorf("functions/%s can load a time zone but does not embed the zone database: import _ \"time/tzdata\" in its main.go", d.Name())
			case embeds && !loads:
				t.Errorf("functions/%s embeds the zone database (400 KB) but loads no time zone: find who imports time/tzdata (go list -deps) and move the import to the main packages that need it", d.Name())
			}
		})
	}
}
