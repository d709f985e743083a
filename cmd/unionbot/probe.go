package main

import (
	"github.com/unionbot/unionbot/directory/linkcheck"
)

// setupProber lets moderation check a suggestion's website once, for its
// card, with the link checker's rules (public addresses only, timeouts,
// the bot's User-Agent). Under the same conditions as the checker itself:
// UNIONBOT_LINKCHECK on, and the bot serving a platform (never in ask,
// console, export or a terminal session). Every replica probes the
// suggestions it receives: one request per suggestion, not a sweep.
func (a *App) setupProber(opts []option) {
	if !a.cfg.LinkCheck || a.io.ConsoleOnly || len(a.platforms) == 0 {
		return
	}
	lo := linkcheck.Options{Log: a.log}
	for _, o := range opts {
		if o.noProbe {
			return
		}
		if o.linkcheck != nil {
			o.linkcheck(&lo)
		}
	}
	a.mod.SetProber(linkcheck.New(nil, nil, nil, lo))
}
