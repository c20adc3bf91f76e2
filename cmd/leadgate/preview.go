package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/leadgate/leadgate/internal/campaign/authored"
	"github.com/leadgate/leadgate/internal/leadgate"
)

// runPreview implements `leadgate preview -f FILE [--days N] [--keep]`: each
// campaign definition in FILE is proposed as a draft, re-judged against the
// campaign's own leads of the last N days, and the figures printed; the
// draft is discarded again unless --keep.
func runPreview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var paths pathList
	fs.Var(&paths, "f", "campaign definition `PATH`: a YAML file, or a directory of them (repeatable)")
	days := fs.Int("days", 90, "re-judge the leads whose record changed in the last `N` days")
	keep := fs.Bool("keep", false, "keep the draft for signing instead of discarding it")
	client := clientFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: leadgate preview -f PATH [-f PATH...] [--days N] [--keep] [--url URL] [--token TOKEN]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("preview: unexpected argument %q (flags go before it; name definitions with -f)", fs.Arg(0))
	}
	if len(paths) == 0 {
		fs.Usage()
		return errors.New("preview: -f PATH is required")
	}
	var docs []document
	for _, p := range paths {
		ds, err := readDocuments(p)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		docs = append(docs, ds...)
	}
	c, err := client()
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	failed := 0
	for _, doc := range docs {
		d, err := authored.Parse(doc.body)
		if err == nil && d.ID == "" {
			err = leadgate.Invalid("The definition has no id.", []leadgate.Problem{{Path: "id", Message: "required: the preview is of the campaign with this id"}})
		}
		if err != nil {
			doc.reject(stderr, doc.source, err)
			failed++
			continue
		}
		if err := previewOne(ctx, c, d.ID, doc, *days, *keep, stdout); err != nil {
			doc.reject(stderr, "campaign/"+d.ID, err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("preview: %d of %d definitions failed", failed, len(docs))
	}
	return nil
}

// previewReply is the part of a preview the terminal shows.
type previewReply struct {
	Version       int            `json:"version"`
	Days          int            `json:"days"`
	Leads         int            `json:"leads"`
	CurrentStages map[string]int `json:"currentStages"`
	DraftStages   map[string]int `json:"draftStages"`
	Changes       int            `json:"changes"`
	Changed       []struct {
		Lead    string   `json:"lead"`
		Company string   `json:"company"`
		From    string   `json:"from"`
		To      string   `json:"to"`
		Flipped []string `json:"flipped"`
	} `json:"changed"`
	Sales struct {
		Answered      int            `json:"answered"`
		Lost          int            `json:"lost"`
		KeptRejected  int            `json:"keptRejected"`
		KeptRecycled  int            `json:"keptRecycled"`
		KeptByReason  map[string]int `json:"keptByReason"`
		HeldRejected  int            `json:"heldRejected"`
		StillAccepted int            `json:"stillAccepted"`
	} `json:"sales"`
	Leakage struct {
		Current       *float64 `json:"current"`
		CurrentSample int      `json:"currentSample"`
		Draft         *float64 `json:"draft"`
		DraftSample   int      `json:"draftSample"`
		Bounds        *struct {
			Min float64 `json:"min"`
			Max float64 `json:"max"`
		} `json:"bounds"`
		Verdict string `json:"verdict"`
		Advice  string `json:"advice"`
	} `json:"leakage"`
	ReviewBy      string `json:"reviewBy"`
	ReviewOverdue bool   `json:"reviewOverdue"`
}

// shownChanges bounds the stage changes printed; the API lists 50 and its
// CSV all of them.
const shownChanges = 10

func previewOne(ctx context.Context, c *apiClient, id string, doc document, days int, keep bool, w io.Writer) error {
	dr, status, err := c.propose(ctx, id, "", doc.body)
	if err != nil {
		return err
	}
	// An open draft that already proposed this file is someone's to sign:
	// previewed, and left as it was.
	existing := status == http.StatusOK
	keep = keep || existing
	var rep previewReply
	_, err = c.json(ctx, request{method: http.MethodGet,
		path: "/v1/campaigns/" + url.PathEscape(id) + "/drafts/" + url.PathEscape(dr.ID) + "/preview?days=" + strconv.Itoa(days)}, "a preview", &rep)
	if !keep {
		if derr := c.discard(ctx, id, dr.ID); err == nil {
			err = derr
		}
	}
	if err != nil {
		return err
	}
	against := "version " + strconv.Itoa(rep.Version)
	if rep.Version == 0 {
		against = "nothing published yet"
	}
	fmt.Fprintf(w, "campaign/%s: %s against %s, %d leads of the last %d days\n", id, describeDraft(dr, keep, existing), against, rep.Leads, rep.Days)
	for _, ch := range dr.Changes {
		fmt.Fprintf(w, "  ~ %s\n", ch.Summary)
	}
	stages := slices.Sorted(maps.Keys(rep.DraftStages))
	for s := range maps.Keys(rep.CurrentStages) {
		if !slices.Contains(stages, s) {
			stages = append(stages, s)
		}
	}
	fmt.Fprintf(w, "  %-14s %10s %10s\n", "stage today", against[:min(len(against), 10)], "draft")
	for _, s := range stages {
		fmt.Fprintf(w, "  %-14s %10d %10d\n", s, rep.CurrentStages[s], rep.DraftStages[s])
	}
	fmt.Fprintf(w, "  leads that change stage: %d\n", rep.Changes)
	for i, ch := range rep.Changed {
		if i == shownChanges {
			fmt.Fprintf(w, "    … %d more (the API's preview CSV lists them all)\n", rep.Changes-shownChanges)
			break
		}
		fmt.Fprintf(w, "    %s (%s): %s → %s; %s\n", ch.Lead, ch.Company, ch.From, ch.To, strings.Join(ch.Flipped, ", "))
	}
	s := rep.Sales
	fmt.Fprintf(w, "  sales answered for %d handed-over leads: %d accepted or better would not have been handed over, %d still would; %d rejected and %d recycled would still be handed over%s, %d rejected would be held back\n",
		s.Answered, s.Lost, s.StillAccepted, s.KeptRejected, s.KeptRecycled, reasons(s.KeptByReason), s.HeldRejected)
	l := rep.Leakage
	fmt.Fprintf(w, "  MQL→SQL leakage: today %s of %d decided, draft %s of %d decided", percent(l.Current), l.CurrentSample, percent(l.Draft), l.DraftSample)
	if l.Bounds != nil {
		fmt.Fprintf(w, " (agreed %.0f%%–%.0f%%)", l.Bounds.Min*100, l.Bounds.Max*100)
	}
	fmt.Fprintf(w, ": %s\n", l.Advice)
	overdue := ""
	if rep.ReviewOverdue {
		overdue = " (overdue)"
	}
	fmt.Fprintf(w, "  review by %s%s\n", rep.ReviewBy, overdue)
	return nil
}

func describeDraft(dr *draftReply, kept, existing bool) string {
	switch {
	case existing:
		return "this file (open as draft " + dr.ID + ")"
	case kept:
		return "draft " + dr.ID + " (kept for signing)"
	}
	return "this file"
}

func percent(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
}

func reasons(by map[string]int) string {
	if len(by) == 0 {
		return ""
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, r+" "+strconv.Itoa(by[r]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
