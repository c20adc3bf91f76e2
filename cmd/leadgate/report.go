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
	"strings"
	"time"

	"github.com/leadgate/leadgate/internal/funnel"
)

// runReport implements `leadgate report --campaign ID [--from DATE] [--to
// DATE]`: the funnel report the reports page shows, in the terminal.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	campaignID := fs.String("campaign", "", "campaign to report on (required)")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default 90 days ago)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default today)")
	client := clientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *campaignID == "" || fs.NArg() > 0 {
		return errors.New("usage: leadgate report --campaign ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]")
	}
	c, err := client()
	if err != nil {
		return err
	}
	q := url.Values{}
	if *from != "" {
		q.Set("from", *from)
	}
	if *to != "" {
		q.Set("to", *to)
	}
	var r funnel.Report
	if _, err := c.json(ctx, request{method: http.MethodGet, path: "/v1/campaigns/" + url.PathEscape(*campaignID) + "/funnel?" + q.Encode()}, "a funnel report", &r); err != nil {
		return err
	}
	printReport(stdout, &r)
	return nil
}

func printReport(w io.Writer, r *funnel.Report) {
	fmt.Fprintf(w, "campaign/%s  %s to %s\n\n", r.Campaign, r.From, r.To)
	maxN := 1
	for _, s := range funnel.Stages {
		maxN = max(maxN, r.Total.Entered[string(s)])
	}
	for _, s := range funnel.Stages {
		n := r.Total.Entered[string(s)]
		people := ""
		// Counters from before people were counted have none: say nothing.
		if p := r.Total.People[string(s)]; p > 0 && p != n {
			people = fmt.Sprintf("  (%d people)", p)
		}
		fmt.Fprintf(w, "  %-13s %6d  %s%s\n", s, n, strings.Repeat("█", n*40/maxN), people)
	}
	fmt.Fprintln(w, "\n  Stage entries: a lead sent back and handed over again enters twice; people count once.")
	for _, c := range r.Total.Conversion {
		fmt.Fprintf(w, "  %-24s %s\n", string(c.From)+" → "+string(c.To), pct(c.Rate))
	}
	if h := r.Total.MedianMQLToSALHours; h != nil {
		fmt.Fprintf(w, "  median MQL → accepted    %.1f h\n", *h)
	}
	printSpeed(w, "", r.Total.SpeedToLead, r.Total.SLA)
	for _, rep := range r.ByRep {
		printSpeed(w, rep.Rep, rep.SpeedToLead, rep.SLA)
	}
	fmt.Fprintf(w, "\n  MQL→SQL leakage %s", pct(r.Total.Leakage))
	if b := r.Bounds; b != nil {
		fmt.Fprintf(w, " (agreed %.0f–%.0f%%)", b.Min*100, b.Max*100)
	}
	fmt.Fprintf(w, ": %s\n  %s\n", r.Verdict, r.Advice)
	printReasons(w, "rejected", r.Total.Rejections)
	printReasons(w, "recycled", r.Total.Recycles)
	if len(r.ByVersion) > 1 {
		fmt.Fprintln(w, "\n  by definition version:")
		for _, v := range r.ByVersion {
			fmt.Fprintf(w, "    v%-3d mql %5d  sql %5d  leakage %s\n", v.Version, v.Entered["mql"], v.Entered["sql"], pct(v.Leakage))
		}
	}
}

// printSpeed prints speed to lead and the SLA record, for the campaign
// (rep "") or one rep; nothing where nothing was measured.
func printSpeed(w io.Writer, rep string, sp funnel.Speed, sla funnel.SLA) {
	if sp.ToOwner.N == 0 && sp.ToAccept.N == 0 && sla.Met+sla.Missed == 0 {
		return
	}
	if rep == "" {
		fmt.Fprintf(w, "\n  %-14s %-8s %10s %10s %6s   %s\n", "speed to lead", "", "p50", "p90", "n", "SLA met")
		rep = "all"
	}
	spread := func(s funnel.Spread) string {
		if s.N == 0 {
			return fmt.Sprintf("%10s %10s %6s", "–", "–", "0")
		}
		return fmt.Sprintf("%10s %10s %6d", time.Duration(*s.P50*float64(time.Second)), time.Duration(*s.P90*float64(time.Second)), s.N)
	}
	met := "–"
	if sla.Share != nil {
		met = fmt.Sprintf("%s of %d", pct(sla.Share), sla.Met+sla.Missed)
	}
	fmt.Fprintf(w, "  %-14s %-8s %s   %s\n", rep, "→ owner", spread(sp.ToOwner), met)
	fmt.Fprintf(w, "  %-14s %-8s %s\n", "", "→ accept", spread(sp.ToAccept))
}

func printReasons(w io.Writer, what string, reasons map[string]int) {
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  %s:", what)
	for _, c := range slices.Sorted(maps.Keys(reasons)) {
		fmt.Fprintf(w, " %s %d", c, reasons[c])
	}
	fmt.Fprintln(w)
}

func pct(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *f*100)
}
