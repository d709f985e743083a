package moderation

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// ModeratorSource is the title of the source a moderator's confirmation
// adds to an entry (by /verify, or by approving a report or suggestion).
const ModeratorSource = directory.ModeratorSource

// MaxVerifyNote is the longest note /verify keeps.
const MaxVerifyNote = 200

// registerVerify adds /verify to the router (called from Register).
func (s *Service) registerVerify(r *bot.Router) {
	r.RegisterFunc(bot.Command{Name: "verify", Args: "<group> [note]", Description: "Confirm that a listed group's entry is still right", Moderator: true,
		Options: []bot.Option{{Name: "organisation", Required: true, Complete: true, Key: "option.verify.organisation"},
			{Name: "note", Key: "option.verify.note"}}}, s.verify)
}

// verify is /verify <group> [note]: a moderator confirms an entry, so today
// becomes its verified date and its sources gain (or renew) one saying a
// moderator checked it, with the note. The audit log records who did it;
// the entry itself names no moderator.
func (s *Service) verify(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	if err := s.refuse(ctx, m, "verify", ""); err != nil {
		return nil, err
	}
	_, args, _ := m.Command()
	if m.Form != nil {
		args = m.Form["organisation"] + " " + m.Form["note"]
	}
	x := s.dir.Index()
	org, rest := findOrg(x, Clean(args))
	if org == nil {
		return nil, errorf(notFound, "mod.verify_which")
	}
	note := Clean(rest)
	if utf8.RuneCountInString(note) > MaxVerifyNote {
		return nil, errorf(invalid, "mod.verify_note_too_long", MaxVerifyNote)
	}
	now := s.opts.Now().UTC()
	cp := *org
	markVerified(&cp, now, note)
	if err := s.dir.Apply(ctx, directory.Change{ID: cp.ID, Org: &cp, At: now, By: actor(m)}); err != nil {
		return nil, storeErr(err)
	}
	s.recordAudit(ctx, AuditEntry{Actor: actor(m), Action: "verified", Ref: cp.ID, Detail: truncate(note, 80)})
	return bot.Text(i18n.Tr(m.Lang, "mod.verified", cp.Name, cp.Verified)), nil
}

// markVerified makes at the entry's verified date and renews its
// moderator source: the one a moderator's earlier confirmation added is
// replaced (the audit log keeps the history), so sources do not grow with
// every check. Its Sources slice is copied, never changed in place.
func markVerified(o *directory.Organisation, at time.Time, note string) {
	day := at.UTC().Format("2006-01-02")
	o.Verified = day
	srcs := make([]directory.Source, 0, len(o.Sources)+1)
	for _, src := range o.Sources {
		if src.Title != ModeratorSource {
			srcs = append(srcs, src)
		}
	}
	o.Sources = append(srcs, directory.Source{Title: ModeratorSource, Date: day, Note: note})
}
