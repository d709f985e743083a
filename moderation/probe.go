package moderation

import (
	"context"
	"errors"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store"
)

// Prober checks one link now. linkcheck.Checker's Probe is one: public
// addresses only, with its timeout, User-Agent and per-host pacing.
type Prober interface {
	Probe(ctx context.Context, url string) linkcheck.Probe
}

// LinkCheck is the result shown on a suggestion's card.
type LinkCheck struct {
	URL         string `json:"url"`
	Status      string `json:"status"` // linkcheck's: "ok", "http 404", "timeout", "blocked"…
	RedirectsTo string `json:"redirects_to,omitempty"`
}

// SetProber sets Options.Prober after New, once the caller knows whether
// links may be checked (the platforms are connected); call it before Run.
func (s *Service) SetProber(p Prober) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Prober = p
}

func (s *Service) prober() Prober {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.opts.Prober
}

// probeLater checks the suggestion's first website in the background, so
// the suggester's reply never waits on a stranger's server: the result is
// saved on the item and shown on its cards, posted or still to come. The
// checker's timeout bounds it; it outlives the request that started it.
func (s *Service) probeLater(ctx context.Context, it *Item) {
	pr := s.prober()
	if pr == nil || it.Org == nil || len(it.Org.Websites) == 0 {
		return
	}
	ref, u := it.Ref, it.Org.Websites[0]
	ctx = context.WithoutCancel(ctx)
	go func() {
		p := pr.Probe(ctx, u)
		lc := &LinkCheck{URL: u, Status: p.Status, RedirectsTo: p.FinalURL}
		now, err := s.update(ctx, ref, func(it *Item) error {
			if it.Status != Pending {
				return store.ErrNoChange // decided meanwhile: its card is final
			}
			it.LinkCheck = lc
			return nil
		})
		if err != nil {
			if !errors.Is(err, store.ErrNoChange) {
				s.log.Info("could not save a suggested website's check", "ref", ref, "err", err)
			}
			return
		}
		s.updateCards(ctx, now)
	}()
}

// linkCheckText is the card's line for a check: "reachable",
// "unreachable (http 404)", "redirects to https://…".
func linkCheckText(lc *LinkCheck, lang string) string {
	switch {
	case lc.Status == linkcheck.StatusOK && lc.RedirectsTo != "":
		link, _ := displayLink(lc.RedirectsTo)
		return i18n.Tr(lang, "card.link_redirects", link)
	case lc.Status == linkcheck.StatusOK:
		return i18n.Tr(lang, "card.link_reachable")
	default:
		return i18n.Tr(lang, "card.link_unreachable", lc.Status)
	}
}

// linkCheckSpans is the check as a card's paragraph.
func linkCheckSpans(it *Item, lang string) []bot.Span {
	return []bot.Span{bot.T(i18n.Tr(lang, "card.link_check", linkCheckText(it.LinkCheck, lang)))}
}
