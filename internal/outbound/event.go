package outbound

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/leadgate/leadgate/internal/lead"
)

// SchemaV1 names the event format, schemas/webhook-event.v1.json.
const SchemaV1 = "leadgate.webhook-event/v1"

// Event is one occurrence, as every subscriber receives it. Its attributes
// are CloudEvents' (specversion, id, source, type, time as timestamp, and
// subject), so a CloudEvents consumer reads it as one.
type Event struct {
	Schema      string    `json:"schema"`
	SpecVersion string    `json:"specversion"`
	ID          string    `json:"id"`
	Source      string    `json:"source"`
	Type        string    `json:"type"`
	Subject     string    `json:"subject"`
	Timestamp   time.Time `json:"timestamp"`
	Data        Data      `json:"data"`
}

// Data is what an event is about. Lead events fill Lead and, for those
// read from a history entry, Transition; definition events fill Campaign
// and Definition.
type Data struct {
	Lead       *LeadData       `json:"lead,omitempty"`
	Campaign   *Campaign       `json:"campaign,omitempty"`
	Transition *Transition     `json:"transition,omitempty"`
	Definition *DefinitionData `json:"definition,omitempty"`
}

// LeadData is the lead as an event shows it: who and where it stands. The
// rest (touch points, the verdict's criteria) is read from the API by id.
type LeadData struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	FirstName     string     `json:"firstName,omitempty"`
	LastName      string     `json:"lastName,omitempty"`
	Company       string     `json:"company,omitempty"`
	Country       string     `json:"country,omitempty"`
	Stage         lead.Stage `json:"stage"`
	PreviousStage lead.Stage `json:"previousStage,omitempty"`
	Score         float64    `json:"score"`
	Owner         string     `json:"owner,omitempty"`
	PreviousOwner string     `json:"previousOwner,omitempty"`
	Rev           int64      `json:"rev"`
}

// Campaign names a campaign and the definition version in force.
type Campaign struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// Transition is the history entry an event was read from, with its place
// in the lead's whole history.
type Transition struct {
	Index  int        `json:"index"`
	At     time.Time  `json:"at"`
	From   lead.Stage `json:"from,omitempty"`
	To     lead.Stage `json:"to"`
	By     string     `json:"by"`
	Reason string     `json:"reason,omitempty"`
	Note   string     `json:"note,omitempty"`
	// Owner is whose SLA clock a reminder or breach is about; DueAt, on a
	// reminder, by when they should accept.
	Owner string     `json:"owner,omitempty"`
	DueAt *time.Time `json:"dueAt,omitempty"`
}

// DefinitionData is a definition version as its events show it.
type DefinitionData struct {
	Name        string    `json:"name,omitempty"`
	PublishedAt time.Time `json:"publishedAt,omitzero"`
	PublishedBy string    `json:"publishedBy,omitempty"`
	ReviewBy    string    `json:"reviewBy,omitempty"`
}

// newEvent fills the attributes every event has. The id is a digest of
// what names the occurrence, so it is the same however often the
// occurrence is read, and says nothing of the lead by itself.
func newEvent(typ, subject, occurrence string, at time.Time, data Data) Event {
	sum := sha256.Sum256([]byte(typ + "\x00" + subject + "\x00" + occurrence))
	return Event{
		Schema: SchemaV1, SpecVersion: "1.0", ID: "evt_" + hex.EncodeToString(sum[:16]), Source: "leadgate",
		Type: typ, Subject: subject, Timestamp: at.UTC(), Data: data,
	}
}

// system are the writers of history entries that are not sales' answers.
var system = []string{lead.ByEngine, lead.ByAssigner, lead.ByNurture, lead.BySLA}

// Derive returns the events a change of a lead is: before is nil for a new
// lead. It reads only the two images, so a stream record read twice gives
// the same events with the same ids:
//   - lead.sales_ready: the stage moved into mql (the revision names it);
//   - lead.assigned: the owner was set or changed (the revision names it);
//   - lead.feedback: a new history entry a person wrote that moved the
//     stage (sales.Apply's), and lead.recycled when it moved the lead from
//     mql, sal or sql to nurture;
//   - lead.sla_reminder, lead.sla_breached: a new history entry of the
//     follow-up clock with that reason.
//
// An entry is new when its place in the whole history (HistoryDropped plus
// its index) is at or past the end of the before image's; entries are
// named by that place, which never changes.
func Derive(before, after *lead.Record) []Event {
	if after == nil || after.ErasedAt != nil {
		return nil
	}
	var prev lead.Record
	if before != nil {
		prev = *before
	}
	var out []Event
	subject := after.ID
	rev := "rev " + strconv.FormatInt(after.Rev, 10)
	if after.Stage == lead.StageMQL && prev.Stage != lead.StageMQL {
		out = append(out, newEvent(LeadSalesReady, subject, rev, after.UpdatedAt, leadData(&prev, after)))
	}
	if after.Owner != "" && after.Owner != prev.Owner {
		out = append(out, newEvent(LeadAssigned, subject, rev, after.UpdatedAt, leadData(&prev, after)))
	}
	end := prev.HistoryDropped + len(prev.History)
	for i, h := range after.History {
		index := after.HistoryDropped + i
		if index < end {
			continue
		}
		var types []string
		switch {
		case h.By == lead.BySLA && h.Reason == lead.ReasonSLAReminder:
			types = []string{LeadSLAReminder}
		case h.By == lead.BySLA && h.Reason == lead.ReasonSLABreached:
			types = []string{LeadSLABreached}
		case h.By != "" && !slices.Contains(system, h.By) && h.From != h.To:
			types = []string{LeadFeedback}
			if h.To == lead.StageNurture && (h.From == lead.StageMQL || h.From == lead.StageSAL || h.From == lead.StageSQL) {
				types = append(types, LeadRecycled)
			}
		}
		for _, typ := range types {
			d := leadData(&prev, after)
			d.Transition = &Transition{Index: index, At: h.At.UTC(), From: h.From, To: h.To, By: h.By, Reason: h.Reason, Note: h.Note}
			if h.By == lead.BySLA {
				d.Transition.Owner = h.Owner
				if f := after.FollowUp; typ == LeadSLAReminder && f != nil && f.Owner == h.Owner && !f.DueAt.IsZero() {
					due := f.DueAt.UTC()
					d.Transition.DueAt = &due
				}
			}
			d.Campaign = &Campaign{ID: h.Campaign, Version: h.Version}
			out = append(out, newEvent(typ, subject, "history "+strconv.Itoa(index), h.At, d))
		}
	}
	return out
}

func leadData(before, after *lead.Record) Data {
	return Data{
		Lead: &LeadData{
			ID: after.ID, Email: after.Email, FirstName: after.FirstName, LastName: after.LastName,
			Company: after.Company, Country: after.Country, Stage: after.Stage, PreviousStage: before.Stage,
			Score: after.Verdict.Score, Owner: after.Owner, PreviousOwner: before.Owner, Rev: after.Rev,
		},
		Campaign: &Campaign{ID: after.Verdict.Campaign, Version: after.Verdict.Version},
	}
}
