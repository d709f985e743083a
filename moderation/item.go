// Package moderation is how the community grows the directory: /suggest and
// /report put items in one queue, every moderator channel on every platform
// gets a card for each, and moderators decide once, atomically, from any of
// them. It knows no platform: channels are bot.Senders.
package moderation

import (
	"time"

	"github.com/unionbot/unionbot/directory"
)

// Kind is what an item asks for.
type Kind string

const (
	KindSuggestion Kind = "suggestion" // a new organisation
	KindReport     Kind = "report"     // a problem with a listed one
)

// Status is where an item is in its life.
type Status string

const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Rejected Status = "rejected"
)

// Item is one entry of the moderation queue, stored as JSON.
type Item struct {
	Ref    string `json:"ref"` // "S-12", "R-3"
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
	// Org is the proposal: the suggested organisation, or for a report the
	// listed entry as it was when reported, which /edit may correct.
	Org *directory.Organisation `json:"org,omitempty"`
	// Place is the suggestion's place as resolved ("Lyon, France").
	Place string `json:"place,omitempty"`
	// Target is the reported organisation's id; Problem what is wrong.
	Target  string `json:"target,omitempty"`
	Problem string `json:"problem,omitempty"`
	// Duplicates are possible duplicates: organisation ids or item refs.
	Duplicates []string `json:"duplicates,omitempty"`
	// Lookalikes are the confusable warnings on a suggestion: what in it
	// looks like a listed group without being spelt as it.
	Lookalikes []Lookalike `json:"lookalikes,omitempty"`
	// SenderToday is how many suggestions and reports its sender had sent
	// that day, this one included, when it came: a number for moderators'
	// cards, never who they are.
	SenderToday int `json:"sender_today,omitempty"`
	// Submitter is who to tell the outcome; deleted once they are told.
	Submitter *Recipient `json:"submitter,omitempty"`
	// Telling is when a process last took on telling Submitter the
	// outcome; a decided item whose Submitter is still set after ClaimIdle
	// was left by a process that stopped in between, and is told again.
	Telling time.Time `json:"telling,omitzero"`
	// Owner is the one-way hash of the sender's platform id, so that
	// /status can tell them apart and a held outcome waits for them; it is
	// deleted once they have the outcome.
	Owner string `json:"owner,omitempty"`
	// Lang is the language the submitter was answered in, so the outcome
	// reaches them in it too.
	Lang        string    `json:"lang,omitempty"`
	SubmittedAt time.Time `json:"submitted_at"`
	// Edited is true once a moderator changed the proposal.
	Edited    bool       `json:"edited,omitempty"`
	Approvals []Decision `json:"approvals,omitempty"`
	Decision  *Decision  `json:"decision,omitempty"`
	// Lead is set on a suggestion imported as a lead (leads.go): why it
	// is uncertain, and the key that keeps it from being queued twice.
	Lead *LeadInfo `json:"lead,omitempty"`
	// Posted maps a moderator channel's key to the id of the card posted
	// there, so a card is posted once per channel and can be updated.
	Posted map[string]string `json:"posted,omitempty"`
}

// Decision is one moderator's action on an item.
type Decision struct {
	// By is the moderator as "platform:display name"; ByKey is a hash of
	// their platform id, to tell two moderators apart without storing ids.
	By     string    `json:"by"`
	ByKey  string    `json:"by_key"`
	Action Status    `json:"action"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"` // "platform:display name"
	Action string    `json:"action"`
	Ref    string    `json:"ref,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Recipient is where to tell a submitter the outcome, as an Item stores
// it. It is moderation's own record rather than bot.Address so that the
// stored format changes only when moderation changes it; the JSON names are
// the ones items were first stored with, so old items still decode.
type Recipient struct {
	Platform string `json:"platform"`
	ChatID   string `json:"chat_id,omitempty"`
	UserID   string `json:"user_id,omitempty"`
	// Direct asks for the user's direct messages rather than ChatID, where
	// the platform has them; ChatID is the fallback.
	Direct bool `json:"direct,omitempty"`
}
