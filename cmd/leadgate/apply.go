package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leadgate/leadgate/internal/campaign"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// runApply implements `leadgate apply -f PATH [-f PATH...] [--url URL] [--token TOKEN] [--dry-run]`, like kubectl apply:
// PATH is a file or a directory (all *.yaml / *.yml in it, sorted, not recursive); a file may hold several YAML documents separated by `---` lines (split them; skip empty documents).
// URL defaults to $LEADGATE_URL, else http://127.0.0.1:3000. TOKEN defaults to $LEADGATE_TOKEN.
// For each document prints one line: "campaign/<id> created (version N)" or "campaign/<id> unchanged (version N)", then each warning indented "  warning: path: message".
// On a 4xx/5xx prints "campaign/<id> rejected: <message>" and each problem "  path: message" (to stderr), goes on with the next document, and returns an error at the end naming how many failed.
// --dry-run parses locally and prints "campaign/<id> would be applied" without sending.
// A document that does not parse locally is reported like a rejection (with its problems) and sending is skipped for it.
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var paths pathList
	fs.Var(&paths, "f", "campaign definition `PATH`: a YAML file, or a directory of *.yaml / *.yml files (repeatable)")
	client := clientFlags(fs)
	dryRun := fs.Bool("dry-run", false, "read the definitions and list what would be applied, without sending anything")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: leadgate apply -f PATH [-f PATH...] [--url URL] [--token TOKEN] [--dry-run]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("apply: unexpected argument %q (name definitions with -f)", fs.Arg(0))
	}
	if len(paths) == 0 {
		fs.Usage()
		return errors.New("apply: -f PATH is required")
	}

	// Everything is read before anything is sent, so a mistyped path fails
	// the run up front instead of leaving it half applied.
	var docs []document
	for _, p := range paths {
		ds, err := readDocuments(p)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		docs = append(docs, ds...)
	}
	if len(docs) == 0 {
		return fmt.Errorf("apply: no campaign definitions in %s", strings.Join(paths, ", "))
	}

	var c *apiClient
	if !*dryRun {
		var err error
		if c, err = client(); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}

	failed := 0
	for i, doc := range docs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("apply: stopped after %d of %d definitions (%d failed): %w", i, len(docs), failed, err)
		}
		// A document with `kind: rep` is a sales rep; anything else is a
		// campaign definition.
		var head struct {
			Kind string `yaml:"kind"`
			ID   string `yaml:"id"`
		}
		if yaml.Unmarshal(doc.body, &head) == nil && head.Kind == "rep" {
			if err := applyRep(ctx, c, *dryRun, head.ID, doc, stdout, stderr); err != nil {
				failed++
			}
			continue
		}
		d, err := campaign.Parse(doc.body)
		if err == nil && d.ID == "" {
			// The server would take the id from the URL, but the URL is
			// exactly what we cannot build without one.
			err = leadgate.Invalid("The definition has no id.", []leadgate.Problem{{Path: "id", Message: "required: apply publishes each definition under its id"}})
		}
		if err != nil {
			doc.reject(stderr, doc.source, err)
			failed++
			continue
		}
		name := "campaign/" + d.ID
		if *dryRun {
			fmt.Fprintf(stdout, "%s would be applied\n", name)
			continue
		}
		res, err := c.put(ctx, d.ID, doc.body)
		if err != nil {
			doc.reject(stderr, name, err)
			failed++
			continue
		}
		outcome := "unchanged"
		if res.Created {
			outcome = "created"
		}
		fmt.Fprintf(stdout, "%s %s (version %d)\n", name, outcome, res.Version)
		for _, w := range res.Warnings {
			fmt.Fprintf(stdout, "  warning: %s\n", doc.inFile(w))
		}
	}
	if failed > 0 {
		return fmt.Errorf("apply: %d of %d campaign definitions failed", failed, len(docs))
	}
	return nil
}

// pathList collects repeated -f flags.
type pathList []string

func (p *pathList) String() string { return strings.Join(*p, ", ") }

func (p *pathList) Set(v string) error {
	if v == "" {
		return errors.New("empty path")
	}
	*p = append(*p, v)
	return nil
}

// document is one YAML document of a definition file.
type document struct {
	source string // how a person finds it: the path, plus its number when the file holds several
	line   int    // the file line it starts on
	body   []byte
}

// readDocuments reads a file, or every *.yaml / *.yml directly in a
// directory, in name order so runs are repeatable.
func readDocuments(path string) ([]document, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return splitDocuments(path, data), nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, err
	}
	var docs []document
	found := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if ext := strings.ToLower(filepath.Ext(e.Name())); ext != ".yaml" && ext != ".yml" {
			continue
		}
		found = true
		file := filepath.Join(path, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		docs = append(docs, splitDocuments(file, data)...)
	}
	if !found {
		return nil, fmt.Errorf("%s: no *.yaml or *.yml files in the directory", path)
	}
	return docs, nil
}

// splitDocuments cuts a file at its "---" lines. The server reads exactly one
// definition per request, so each document travels on its own.
func splitDocuments(path string, data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	start, n := 1, 0
	flush := func() {
		if !blankYAML(cur.Bytes()) {
			docs = append(docs, document{line: start, body: bytes.Clone(cur.Bytes())})
		}
		cur.Reset()
	}
	for line := range bytes.Lines(data) {
		n++
		if isDocumentSeparator(line) {
			flush()
			start = n + 1
			continue
		}
		cur.Write(line)
	}
	flush()
	for i := range docs {
		docs[i].source = path
		if len(docs) > 1 {
			docs[i].source = fmt.Sprintf("%s (document %d)", path, i+1)
		}
	}
	return docs
}

// isDocumentSeparator matches "---" alone on a line, allowing a trailing
// comment ("--- # webinar"), which people write to label documents.
func isDocumentSeparator(line []byte) bool {
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, " \t\r\n"), []byte("---"))
	if !ok {
		return false
	}
	return len(rest) == 0 || ((rest[0] == ' ' || rest[0] == '\t') && bytes.HasPrefix(bytes.TrimSpace(rest), []byte("#")))
}

// blankYAML reports a document with nothing but blank lines and comments:
// the header comment before a file's first "---" is not a definition.
func blankYAML(doc []byte) bool {
	for line := range bytes.Lines(doc) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

var linePath = regexp.MustCompile(`^line (\d+)$`)

// inFile restates a "line N" problem against the file: the parser counts from
// the start of the document it was given, which is not where the author looks
// in a file of several documents.
func (d document) inFile(p leadgate.Problem) leadgate.Problem {
	if m := linePath.FindStringSubmatch(p.Path); m != nil && d.line > 1 {
		n, _ := strconv.Atoi(m[1])
		p.Path = "line " + strconv.Itoa(n+d.line-1)
	}
	return p
}

func (d document) reject(w io.Writer, name string, err error) {
	msg := err.Error()
	var le *leadgate.Error
	if errors.As(err, &le) {
		msg = le.Message
	}
	fmt.Fprintf(w, "%s rejected: %s\n", name, msg)
	for _, p := range leadgate.ErrorProblems(err) {
		fmt.Fprintf(w, "  %s\n", d.inFile(p))
	}
}

type publishReply struct {
	ID       string             `json:"id"`
	Version  int                `json:"version"`
	Created  bool               `json:"created"`
	Digest   string             `json:"digest"`
	Warnings []leadgate.Problem `json:"warnings"`
}

func (c *apiClient) put(ctx context.Context, id string, doc []byte) (*publishReply, error) {
	var r publishReply
	rep, err := c.json(ctx, request{method: http.MethodPut, path: "/v1/campaigns/" + url.PathEscape(id), body: doc,
		header: map[string]string{"Content-Type": "application/yaml"}}, "the admin API's JSON", &r)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK && rep.status != http.StatusCreated {
		return nil, fmt.Errorf("HTTP %d: expected 200 or 201 (is --url the leadgate admin API?)", rep.status)
	}
	return &r, nil
}

// applyRep publishes one rep document.
func applyRep(ctx context.Context, c *apiClient, dryRun bool, id string, doc document, stdout, stderr io.Writer) error {
	name := "rep/" + id
	if id == "" {
		err := leadgate.Invalid("The rep has no id.", []leadgate.Problem{{Path: "id", Message: "required"}})
		doc.reject(stderr, doc.source, err)
		return err
	}
	if dryRun {
		fmt.Fprintf(stdout, "%s would be applied\n", name)
		return nil
	}
	rep, err := c.do(ctx, request{method: http.MethodPut, path: "/v1/reps/" + url.PathEscape(id), body: doc.body,
		header: map[string]string{"Content-Type": "application/yaml"}})
	if err != nil {
		doc.reject(stderr, name, err)
		return err
	}
	outcome := "configured"
	if rep.status == http.StatusCreated {
		outcome = "created"
	}
	fmt.Fprintf(stdout, "%s %s\n", name, outcome)
	return nil
}
