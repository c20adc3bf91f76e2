package emulators

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

const (
	// dynamoVersion pins the npm package that carries DynamoDB Local. The
	// npm registry is used because it is reachable where AWS's own download
	// bucket may not be, and a pinned version keeps the cache key stable.
	dynamoVersion = "2.9.30"
	dynamoPackage = "amplify-dynamodb-simulator@" + dynamoVersion
	// emulatorPrefix is where the jar lives inside the npm tarball; nothing
	// else in the package is needed.
	emulatorPrefix = "package/emulator/"
	jarName        = "DynamoDBLocal.jar"
	libDirName     = "DynamoDBLocal_lib"
	// staleTempAge is how old a leftover extraction directory must be before
	// we assume its writer crashed and delete it.
	staleTempAge = time.Hour
)

// fetchTarball downloads the DynamoDB Local tarball into dir and returns its
// path. It is a variable so tests can exercise caching and extraction
// without the network.
var fetchTarball = npmPack

// EnsureDynamoDBLocal fetches only the npm tarball (npm pack, not npm
// install, which would drag in ~300 MB of unused dependencies) and publishes
// the extracted emulator with a single rename, so readers either see a
// complete cache or none, even if an extraction crashed or two processes
// raced.
func EnsureDynamoDBLocal(ctx context.Context, cacheDir string, log io.Writer) (string, error) {
	if log == nil {
		log = io.Discard
	}
	final := filepath.Join(cacheDir, "dynamodb-local", dynamoVersion)
	if isEmulatorDir(final) {
		return final, nil
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create DynamoDB Local cache: %w", err)
	}
	removeStaleTemps(parent)
	tmp, err := os.MkdirTemp(parent, ".tmp-"+dynamoVersion+"-")
	if err != nil {
		return "", fmt.Errorf("create DynamoDB Local cache: %w", err)
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(log, "downloading DynamoDB Local %s via npm ...\n", dynamoVersion)
	tgz, err := fetchTarball(ctx, tmp)
	if err != nil {
		return "", err
	}
	staged := filepath.Join(tmp, "emulator")
	err = extractEmulator(tgz, staged)
	// The tarball is 56 MB and useless once extracted.
	_ = os.Remove(tgz)
	if err != nil {
		return "", fmt.Errorf("extract %s: %w", filepath.Base(tgz), err)
	}
	if !isEmulatorDir(staged) {
		return "", fmt.Errorf("%s has no %s%s", dynamoPackage, emulatorPrefix, jarName)
	}
	if err := os.Rename(staged, final); err != nil {
		// Another process finished first; its copy is as good as ours.
		if isEmulatorDir(final) {
			return final, nil
		}
		return "", fmt.Errorf("install DynamoDB Local into cache: %w", err)
	}
	return final, nil
}

func isEmulatorDir(dir string) bool {
	jar, err := os.Stat(filepath.Join(dir, jarName))
	if err != nil || !jar.Mode().IsRegular() {
		return false
	}
	lib, err := os.Stat(filepath.Join(dir, libDirName))
	return err == nil && lib.IsDir()
}

// removeStaleTemps reclaims the ~60 MB left by extractions that crashed;
// fresh ones may belong to a concurrent process and are left alone.
func removeStaleTemps(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTempAge {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

func npmPack(ctx context.Context, dir string) (string, error) {
	npm, err := lookPath("npm", "Node.js and npm are needed to download DynamoDB Local")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", dynamoPackage, "--pack-destination", dir)
	// Running in the scratch dir keeps a project-level .npmrc or
	// package.json from influencing the download.
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", fmt.Errorf("npm pack %s: %w", dynamoPackage, ctx.Err())
	}
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w\n%s", dynamoPackage, err, strings.TrimSpace(stderr.String()))
	}
	// npm prints the tarball name; fall back to looking for it in case a
	// future npm changes what it prints.
	lines := strings.Fields(string(out))
	if len(lines) > 0 {
		p := filepath.Join(dir, filepath.Base(lines[len(lines)-1]))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(matches) == 1 {
		return matches[0], nil
	}
	return "", fmt.Errorf("npm pack %s: cannot find the tarball (npm printed %q)", dynamoPackage, out)
}

// extractEmulator unpacks only package/emulator/ into dest, in Go rather than
// with tar(1) so it behaves the same on every machine.
func extractEmulator(tgz, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(hdr.Name)
		if !strings.HasPrefix(name, emulatorPrefix) {
			continue
		}
		rel := strings.TrimPrefix(name, emulatorPrefix)
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("refusing unsafe path %q", hdr.Name)
		}
		target := filepath.Join(dest, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr, hdr.FileInfo().Mode()); err != nil {
				return err
			}
		default:
			// npm tarballs hold only files and directories; anything else
			// (links, devices) is not needed to run the jar.
		}
	}
}

func writeFile(target string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	w, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
