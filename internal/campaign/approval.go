package campaign

import (
	"slices"
	"strings"
	"time"
)

// Sides that sign a definition: it is an agreement, so both teams do.
const (
	SideMarketing = "marketing"
	SideSales     = "sales"
)

// Sides lists both.
var Sides = []string{SideMarketing, SideSales}

// Approval policies. Under PolicyBoth a draft is published once marketing
// and sales have each approved it; PolicySingle, meant for development and
// sandboxes, publishes on the first approval from either side. Every
// published version records which policy applied.
const (
	PolicyBoth   = "both"
	PolicySingle = "single"
)

// Approvers says who signs new versions of the definition. Authority to
// sign for a side comes from the caller's scope; a list here narrows it to
// the people named. Without lists, the owner (marketing) and sales owner
// are the accountable signers the document names, and anyone holding a
// side's scope may sign for it.
type Approvers struct {
	Policy    string   `yaml:"policy,omitempty" json:"policy,omitempty"`
	Marketing []string `yaml:"marketing,omitempty" json:"marketing,omitempty"`
	Sales     []string `yaml:"sales,omitempty" json:"sales,omitempty"`
}

// PolicyOf is the approval policy a draft of a campaign is signed under:
// the version in force's, and PolicyBoth for a campaign's first version,
// whatever the draft says, so that opting out of two signatures is itself
// signed by both sides.
func PolicyOf(current *Published) string {
	if current == nil {
		return PolicyBoth
	}
	return current.Definition.Policy()
}

// Policy is the approval policy in force, PolicyBoth unless the
// definition opts out.
func (d *Definition) Policy() string {
	if d.Approvers == nil || d.Approvers.Policy == "" {
		return PolicyBoth
	}
	return d.Approvers.Policy
}

// MayApprove reports whether someone known by any of ids may sign for
// side: anyone, unless the definition names that side's approvers.
func (d *Definition) MayApprove(side string, ids ...string) bool {
	if d.Approvers == nil {
		return true
	}
	named := d.Approvers.Marketing
	if side == SideSales {
		named = d.Approvers.Sales
	}
	if len(named) == 0 {
		return true
	}
	return slices.ContainsFunc(ids, func(id string) bool {
		return id != "" && slices.ContainsFunc(named, func(n string) bool { return strings.EqualFold(n, id) })
	})
}

// Decisions an approver makes.
const (
	Approve = "approve"
	Reject  = "reject"
)

// Approval is one side's decision on one revision of a draft.
type Approval struct {
	Side     string    `json:"side"`
	Decision string    `json:"decision"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Note     string    `json:"note,omitempty"`
	// OneStep marks the two approvals a caller holding both sides' scopes
	// records by publishing directly.
	OneStep bool `json:"oneStep,omitempty"`
	// Preview is what the last preview of the revision showed, when one
	// was run: the figures the approver had in front of them.
	Preview *Figures `json:"preview,omitempty"`
}

// MaxNoteBytes bounds an approval's note.
const MaxNoteBytes = 2000

// Figures sum up a preview of a draft against a campaign's own leads.
type Figures struct {
	At   time.Time `json:"at"`
	Days int       `json:"days"`
	// Leads is how many leads the preview re-judged; MQLs how many the
	// current version and the draft hand to sales today.
	Leads        int `json:"leads"`
	CurrentMQLs  int `json:"currentMqls"`
	DraftMQLs    int `json:"draftMqls"`
	StageChanges int `json:"stageChanges"`
	// LostAccepted are leads sales accepted, qualified or won that the
	// draft would not have handed over; KeptRejected leads sales rejected
	// that it still would.
	LostAccepted int `json:"lostAccepted"`
	KeptRejected int `json:"keptRejected"`
	// Leakage is the expected MQL→SQL leakage under the draft, over Sample
	// leads sales has decided on; LeakageVerdict judges it against the
	// draft's bounds.
	Leakage        *float64 `json:"leakage"`
	Sample         int      `json:"sample"`
	LeakageVerdict string   `json:"leakageVerdict"`
}

// Publishing modes: what a new version does to the leads already judged.
const (
	// ModeForward judges only touch points that arrive after publishing.
	ModeForward = "forward"
	// ModeRejudge re-judges every open lead of the campaign at once.
	ModeRejudge = "rejudge"
)

// Draft is a proposed definition on its way to being published: it is
// validated like a publish, compared with the version it was based on,
// previewed against real leads and signed by both sides.
type Draft struct {
	ID       string `json:"id"`
	Campaign string `json:"campaign"`
	// Revision counts replacements; approvals are of one revision, and a
	// replacement starts them over.
	Revision int `json:"revision"`
	// BasedOn is the version current when the revision was written (0 for
	// a campaign not yet published). A draft publishes only on top of it.
	BasedOn    int         `json:"basedOn"`
	Mode       string      `json:"mode"`
	CreatedBy  string      `json:"createdBy"`
	CreatedAt  time.Time   `json:"createdAt"`
	UpdatedBy  string      `json:"updatedBy"`
	UpdatedAt  time.Time   `json:"updatedAt"`
	Digest     string      `json:"digest"`
	Definition *Definition `json:"definition"`
	Approvals  []Approval  `json:"approvals"`
	Preview    *Figures    `json:"preview,omitempty"`
	// Writes is the store's count of writes to the draft when it was read:
	// a save is conditioned on it, so two approvers deciding at once do
	// not overwrite each other.
	Writes int `json:"-"`
}

// Decided returns the standing decision of side on this revision, nil
// while it has not decided. A later decision replaces an earlier one.
func (dr *Draft) Decided(side string) *Approval {
	for i := len(dr.Approvals) - 1; i >= 0; i-- {
		if dr.Approvals[i].Side == side {
			return &dr.Approvals[i]
		}
	}
	return nil
}

// Approved reports whether the draft has the approvals policy asks for
// and no standing rejection.
func (dr *Draft) Approved(policy string) bool {
	approvals := 0
	for _, side := range Sides {
		switch a := dr.Decided(side); {
		case a == nil:
		case a.Decision == Reject:
			return false
		default:
			approvals++
		}
	}
	if policy == PolicySingle {
		return approvals > 0
	}
	return approvals == len(Sides)
}

// State says where the draft stands, in words for a list or a page.
func (dr *Draft) State(policy string) string {
	var waiting []string
	for _, side := range Sides {
		switch a := dr.Decided(side); {
		case a == nil:
			waiting = append(waiting, side)
		case a.Decision == Reject:
			return "rejected by " + side
		}
	}
	switch {
	case dr.Approved(policy):
		return "approved"
	case len(waiting) == len(Sides):
		return "awaiting " + strings.Join(waiting, " and ")
	}
	return "approved by " + otherSide(waiting[0]) + ", awaiting " + waiting[0]
}

func otherSide(side string) string {
	if side == SideMarketing {
		return SideSales
	}
	return SideMarketing
}

// ValidDraftID reports whether id can name a draft: d and a number from 1,
// at most nine digits (d1, d27).
func ValidDraftID(id string) bool { return ValidSerialID(id, 'd') }

// ValidSerialID reports whether id is prefix and a number from 1 of at
// most nine digits, with no sign and no leading zero: the form of the ids
// a campaign gives its drafts and its re-judge jobs, one after another.
func ValidSerialID(id string, prefix byte) bool {
	if len(id) < 2 || len(id) > 10 || id[0] != prefix || id[1] == '0' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
