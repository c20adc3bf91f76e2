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

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// runApply implements `leadgate apply -f PATH [-f PATH...] [--publish] [--dry-run] [--mode MODE]`, like
// kubectl apply: PATH is a file or a directory (all *.yaml / *.yml in it,
// sorted, not recursive); a file may hold several YAML documents separated
// by `---` lines. A campaign definition becomes a draft, which says what it
// changes from the version in force; a definition identical to it proposes
// nothing. --publish signs the draft for every side the token may sign for,
// which publishes it where the campaign's approval policy is then met.
// --dry-run has the server check and compare each definition, storing
// nothing. A `kind: rep` document configures a sales rep, a `kind: account`
// document a named account. Every document is
// reported on its own line; a rejected one (with its problems, on stderr)
// does not stop the rest, and the run ends in an error naming how many
// failed.
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var paths pathList
	fs.Var(&paths, "f", "campaign definition `PATH`: a YAML file, or a directory of *.yaml / *.yml files (repeatable)")
	client := clientFlags(fs)
	dryRun := fs.Bool("dry-run", false, "have the server check each definition and say what it would change, storing nothing")
	publish := fs.Bool("publish", false, "sign each draft for every side the token may sign for, publishing it where the approval policy allows")
	mode := fs.String("mode", "forward", "what publishing does to leads already judged: forward (new touch points only) or rejudge (every open lead)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: leadgate apply -f PATH [-f PATH...] [--publish] [--dry-run] [--mode forward|rejudge] [--url URL] [--token TOKEN]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mode != "forward" && *mode != "rejudge" {
		return fmt.Errorf("apply: --mode %q: want forward or rejudge", *mode)
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

	c, err := client()
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}

	failed := 0
	for i, doc := range docs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("apply: stopped after %d of %d definitions (%d failed): %w", i, len(docs), failed, err)
		}
		// A document with `kind: rep` is a sales rep, `kind: account` an
		// account; anything else is a campaign definition.
		var head struct {
			Kind string `yaml:"kind"`
			ID   string `yaml:"id"`
		}
		if yaml.Unmarshal(doc.body, &head) == nil && dataKinds[head.Kind] != "" {
			if err := applyData(ctx, c, *dryRun, head.Kind, head.ID, doc, stdout, stderr); err != nil {
				failed++
			}
			continue
		}
		d, err := authored.Parse(doc.body)
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
		if err := applyCampaign(ctx, c, d.ID, doc, applyOptions{dryRun: *dryRun, publish: *publish, mode: *mode}, stdout, stderr); err != nil {
			failed++
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

type applyOptions struct {
	dryRun, publish bool
	mode            string
}

// applyCampaign proposes one definition as a draft and reports what it
// changes, signing it with --publish.
func applyCampaign(ctx context.Context, c *apiClient, id string, doc document, opts applyOptions, stdout, stderr io.Writer) error {
	name := "campaign/" + id
	// A dry run first: a definition identical to the version in force is
	// not an edit, and should leave no draft behind.
	query := "?mode=" + opts.mode
	dr, _, err := c.propose(ctx, id, query+"&dryRun=true", doc.body)
	existing := false
	if err == nil && !opts.dryRun && (dr.BasedOn == 0 || len(dr.Changes) > 0) {
		var status int
		dr, status, err = c.propose(ctx, id, query, doc.body)
		existing = status == http.StatusOK
	}
	if err != nil {
		doc.reject(stderr, name, err)
		return err
	}
	warn := func() {
		for _, w := range dr.Warnings {
			fmt.Fprintf(stdout, "  warning: %s\n", doc.inFile(w))
		}
	}
	proposed := "proposed"
	if existing {
		proposed = "already proposed"
	}
	switch {
	case dr.BasedOn > 0 && len(dr.Changes) == 0:
		fmt.Fprintf(stdout, "%s unchanged (version %d)\n", name, dr.BasedOn)
		warn()
		return nil
	case opts.dryRun && dr.BasedOn == 0:
		fmt.Fprintf(stdout, "%s would be created\n", name)
	case opts.dryRun:
		fmt.Fprintf(stdout, "%s would change version %d:\n", name, dr.BasedOn)
	case dr.BasedOn == 0:
		fmt.Fprintf(stdout, "%s draft %s %s (a new campaign)\n", name, dr.ID, proposed)
	default:
		fmt.Fprintf(stdout, "%s draft %s %s, changing version %d:\n", name, dr.ID, proposed, dr.BasedOn)
	}
	for _, ch := range dr.Changes {
		fmt.Fprintf(stdout, "  ~ %s\n", ch.Summary)
	}
	warn()
	if opts.dryRun {
		return nil
	}
	if !opts.publish {
		fmt.Fprintf(stdout, "  %s: each side signs with POST /v1/campaigns/%s/drafts/%s/approvals\n", dr.State, id, dr.ID)
		return nil
	}
	state, version, err := c.sign(ctx, id, dr.ID, dr.Revision)
	if err != nil {
		doc.reject(stderr, name, err)
		return err
	}
	if version > 0 {
		fmt.Fprintf(stdout, "%s published (version %d)\n", name, version)
		return nil
	}
	fmt.Fprintf(stdout, "%s draft %s: %s\n", name, dr.ID, state)
	return nil
}

// draftReply is the part of a draft apply and preview read.
type draftReply struct {
	ID       string             `json:"id"`
	Revision int                `json:"revision"`
	BasedOn  int                `json:"basedOn"`
	State    string             `json:"state"`
	Warnings []leadgate.Problem `json:"warnings"`
	Changes  []struct {
		Summary string `json:"summary"`
	} `json:"changes"`
}

// propose sends a draft; the status tells a new draft (201) from an open
// one that already proposed the same, or a dry run (200).
func (c *apiClient) propose(ctx context.Context, id, query string, doc []byte) (*draftReply, int, error) {
	var dr draftReply
	rep, err := c.json(ctx, request{method: http.MethodPost, path: "/v1/campaigns/" + url.PathEscape(id) + "/drafts" + query, body: doc,
		header: map[string]string{"Content-Type": "application/yaml"}}, "a draft", &dr)
	if err != nil {
		return nil, 0, err
	}
	return &dr, rep.status, nil
}

func (c *apiClient) discard(ctx context.Context, id, draftID string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/campaigns/" + url.PathEscape(id) + "/drafts/" + url.PathEscape(draftID)})
	return err
}

// sign approves a draft for each side the token may sign for, until it is
// published; a side it may not sign for is passed over. It returns the
// draft's state, or the version it became.
func (c *apiClient) sign(ctx context.Context, id, draftID string, revision int) (state string, version int, err error) {
	var signed struct {
		Draft struct {
			State string `json:"state"`
		} `json:"draft"`
		Published *struct {
			Version int `json:"version"`
		} `json:"published"`
	}
	refused := 0
	var lastErr error
	for _, side := range []string{"marketing", "sales"} {
		// The revision proposed: one replaced meanwhile is not signed unseen.
		body := []byte(fmt.Sprintf(`{"decision": "approve", "side": %q, "revision": %d}`, side, revision))
		_, err := c.json(ctx, request{method: http.MethodPost, path: "/v1/campaigns/" + url.PathEscape(id) + "/drafts/" + url.PathEscape(draftID) + "/approvals",
			body: body, header: map[string]string{"Content-Type": "application/json"}}, "a signed draft", &signed)
		if leadgate.ErrorCode(err) == leadgate.EFORBIDDEN {
			refused++
			lastErr = err
			continue
		}
		if err != nil {
			return "", 0, err
		}
		if signed.Published != nil {
			return "", signed.Published.Version, nil
		}
	}
	if refused == 2 {
		return "", 0, lastErr
	}
	return signed.Draft.State, 0, nil
}

// dataKinds are the documents that are data put at their path, not
// definitions: the kind and its collection.
var dataKinds = map[string]string{"rep": "/v1/reps/", "account": "/v1/accounts/"}

// applyData puts one rep or account document.
func applyData(ctx context.Context, c *apiClient, dryRun bool, kind, id string, doc document, stdout, stderr io.Writer) error {
	name := kind + "/" + id
	if id == "" {
		err := leadgate.Invalid("The "+kind+" has no id.", []leadgate.Problem{{Path: "id", Message: "required"}})
		doc.reject(stderr, doc.source, err)
		return err
	}
	if dryRun {
		fmt.Fprintf(stdout, "%s would be applied\n", name)
		return nil
	}
	rep, err := c.do(ctx, request{method: http.MethodPut, path: dataKinds[kind] + url.PathEscape(id), body: doc.body,
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
