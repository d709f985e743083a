package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/store"
)

// Outcomes that cannot be sent privately. A decision is told to the person
// who sent the item in a private chat, or in their direct messages when
// they sent it from a group or server. When that fails (their direct
// messages are closed; on Telegram they never started the bot) the outcome
// is never posted where others read it, as a moderator's reject reason may
// say something about them. It is held, under the one-way hash of their id,
// until they next talk to the bot in a private chat or ask with
// /status S-12, and for OutcomeTTL at most.

// heldColl holds undelivered outcomes, one document per person.
const heldColl = "held"

// held is one person's undelivered outcomes.
type held struct {
	Outcomes []heldOutcome `json:"outcomes"`
}

type heldOutcome struct {
	Ref   string    `json:"ref"`
	Text  string    `json:"text"` // in the language they were answered in
	Until time.Time `json:"until"`
}

// hold keeps an outcome for owner. It replaces one held for the same ref.
func (s *Service) hold(ctx context.Context, owner, ref, text string) error {
	until := s.opts.Now().Add(s.opts.OutcomeTTL).UTC()
	_, err := s.st.Update(ctx, heldColl, owner, func(old []byte) ([]byte, error) {
		var h held
		if old != nil {
			_ = json.Unmarshal(old, &h)
		}
		out := h.Outcomes[:0]
		for _, o := range h.Outcomes {
			if o.Ref != ref {
				out = append(out, o)
			}
		}
		h.Outcomes = append(out, heldOutcome{Ref: ref, Text: text, Until: until})
		return json.Marshal(&h)
	})
	if err == nil {
		s.noteHeld(owner, true)
	}
	return err
}

// takeHeld removes and returns owner's unexpired outcomes; with ref set,
// only that one.
func (s *Service) takeHeld(ctx context.Context, owner, ref string) ([]heldOutcome, error) {
	var taken []heldOutcome
	now := s.opts.Now()
	_, err := s.st.Update(ctx, heldColl, owner, func(old []byte) ([]byte, error) {
		taken = nil
		if old == nil {
			return nil, store.ErrNoChange
		}
		var h held
		_ = json.Unmarshal(old, &h)
		var keep []heldOutcome
		for _, o := range h.Outcomes {
			switch {
			case o.Until.Before(now):
			case ref == "" || o.Ref == ref:
				taken = append(taken, o)
			default:
				keep = append(keep, o)
			}
		}
		if len(keep) == 0 {
			return nil, nil
		}
		h.Outcomes = keep
		return json.Marshal(&h)
	})
	if errors.Is(err, store.ErrNoChange) {
		err = nil
	}
	if err == nil && ref == "" {
		s.noteHeld(owner, false)
	}
	return taken, err
}

// sweepHeld deletes outcomes held past their time.
func (s *Service) sweepHeld(ctx context.Context) {
	docs, err := s.st.List(ctx, heldColl)
	if err != nil {
		return
	}
	now := s.opts.Now()
	for owner, b := range docs {
		var h held
		if json.Unmarshal(b, &h) != nil {
			_ = s.st.Delete(ctx, heldColl, owner)
			continue
		}
		live := false
		for _, o := range h.Outcomes {
			if !o.Until.Before(now) {
				live = true
			}
		}
		if !live {
			_ = s.st.Delete(ctx, heldColl, owner)
		}
	}
}

// Core is the bot's core with held outcomes shown to their owners: the
// next time a person with one writes to the bot in a private chat, it comes
// first, above the answer to what they wrote. Presses (which edit a
// message) and forms are left alone. It embeds the core so that every
// other method adapters look for (Complete…) is the core's own.
type Core struct {
	*bot.Bot
	s *Service
}

// Wrap returns b with held outcomes shown (see Core).
func (s *Service) Wrap(b *bot.Bot) *Core { return &Core{Bot: b, s: s} }

// Handle answers m with the core, then adds any held outcome.
func (c *Core) Handle(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	s := c.s
	rep, err := c.Bot.Handle(ctx, m)
	if err != nil || rep == nil || !m.Chat.Private || m.Pressed || rep.Edit || rep.Form != nil || m.User.ID == "" {
		return rep, err
	}
	owner := s.userKey(m)
	if !s.hasHeld(ctx, owner) {
		// Outcomes held before keyed hashes sit under the old key.
		if owner = legacyUserKey(m); !s.hasHeld(ctx, owner) {
			return rep, err
		}
	}
	outs, terr := s.takeHeld(ctx, owner, "")
	if terr != nil || len(outs) == 0 {
		return rep, err
	}
	var blocks []bot.Block
	for _, o := range outs {
		blocks = append(blocks, bot.Block{Spans: []bot.Span{bot.T(o.Text)}})
		s.forgetOwner(ctx, o.Ref)
	}
	rep.Blocks = append(blocks, rep.Blocks...)
	return rep, err
}

// forgetOwner deletes the hash that tied an item to its sender, once they
// have its outcome.
func (s *Service) forgetOwner(ctx context.Context, ref string) {
	if _, err := s.update(ctx, ref, func(it *Item) error {
		if it.Owner == "" {
			return store.ErrNoChange
		}
		it.Owner = ""
		return nil
	}); err != nil && !errors.Is(err, store.ErrNoChange) {
		s.log.Debug("could not forget an item's sender", "ref", ref, "err", err)
	}
}

// status is /status S-12: to its sender, the held outcome or that it is
// still waiting; to anyone else only whether it is waiting or decided,
// never what it was or why. It answers only where the asker alone reads
// the answer.
func (s *Service) status(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	_, args, _ := m.Command()
	ref, ok := parseRef(args)
	if !ok {
		return nil, errorf(invalid, "mod.status_which")
	}
	if !m.Chat.Private && m.Chat.Space == "" {
		// A group where the answer would be public (Telegram).
		return bot.Text(i18n.Tr(m.Lang, "mod.status_private")), nil
	}
	outs, err := s.takeHeld(ctx, s.userKey(m), ref)
	if err == nil && len(outs) == 0 {
		outs, err = s.takeHeld(ctx, legacyUserKey(m), ref) // held before keyed hashes
	}
	if err != nil {
		return nil, storeErr(err)
	} else if len(outs) > 0 {
		s.forgetOwner(ctx, ref)
		r := bot.Text(outs[0].Text)
		r.Private = true
		return r, nil
	}
	it, err := s.Get(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(notFound, "mod.status_none", ref)
	}
	if err != nil {
		return nil, storeErr(err)
	}
	var text string
	switch {
	case it.Status == Pending:
		text = i18n.Tr(m.Lang, "mod.status_pending", ref)
	default:
		text = i18n.Tr(m.Lang, "mod.status_decided", ref, when(it.Decision.At, m.Lang))
	}
	r := bot.Text(text)
	r.Private = true
	return r, nil
}

// outcomeText is what the sender of it is told, in their language.
func outcomeText(it *Item) string {
	lang := it.Lang
	reason := ""
	if it.Decision != nil {
		reason = it.Decision.Reason
	}
	switch {
	case it.Kind == KindSuggestion && it.Status == Approved:
		return i18n.Tr(lang, "outcome.suggestion_approved", it.Ref, it.Org.Name)
	case it.Kind == KindSuggestion && reason != "":
		return i18n.Tr(lang, "outcome.suggestion_rejected_reason", it.Ref, it.Org.Name, reason)
	case it.Kind == KindSuggestion:
		return i18n.Tr(lang, "outcome.suggestion_rejected", it.Ref, it.Org.Name)
	case it.Status == Approved:
		return i18n.Tr(lang, "outcome.report_accepted", it.Ref, it.Org.Name)
	case reason != "":
		return i18n.Tr(lang, "outcome.report_closed_reason", it.Ref, it.Org.Name, reason)
	default:
		return i18n.Tr(lang, "outcome.report_closed", it.Ref, it.Org.Name)
	}
}

// tellSubmitter tells the person who sent the item what was decided,
// privately: in the private chat they sent it from, or in their direct
// messages. When that cannot be done the outcome is held for them (see
// above), never posted in the chat they sent it from. Their ids are then
// deleted from the item.
func (s *Service) tellSubmitter(ctx context.Context, it *Item) {
	if it.Submitter == nil {
		return
	}
	text := outcomeText(it)
	to := *it.Submitter
	addr := bot.Address{Platform: to.Platform, ChatID: to.ChatID, UserID: to.UserID}
	if to.Direct {
		addr = bot.Address{Platform: to.Platform, UserID: to.UserID}
	}
	var err error
	switch snd := s.sender(to.Platform); {
	case snd == nil:
		err = errors.New("no way to reach the platform")
	case addr.ChatID == "" && addr.UserID == "":
		err = errors.New("no private address")
	default:
		r := bot.Text(text)
		r.Lang, _ = i18n.Match(it.Lang)
		_, err = snd.Send(ctx, addr, r)
	}
	delivered := err == nil
	if !delivered {
		s.log.Info("outcome could not be sent privately; held for the sender", "ref", it.Ref, "err", err)
		if it.Owner == "" {
			s.log.Warn("outcome could not be sent and the item has no sender key; dropped", "ref", it.Ref)
		} else if herr := s.hold(ctx, it.Owner, it.Ref, text); herr != nil {
			s.log.Warn("could not hold an outcome for its sender", "ref", it.Ref, "err", herr)
		}
	}
	if _, err := s.update(ctx, it.Ref, func(it *Item) error {
		it.Submitter = nil
		if delivered {
			it.Owner = ""
		}
		return nil
	}); err != nil {
		s.log.Warn("could not delete the suggester's ids", "ref", it.Ref, "err", err)
	}
}
