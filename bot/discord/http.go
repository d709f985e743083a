package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
)

const (
	// maxSkew is how far a request's signed timestamp may be from now.
	// discordgo.VerifyInteraction checks the signature only, so a request
	// captured once could otherwise be replayed forever.
	maxSkew = 5 * time.Minute
	// maxBody bounds what is read from a request; interactions are small.
	maxBody = 1 << 20
)

var errGone = errors.New("discord: the interactions request ended before the answer")

// InteractionsHandler serves Discord's HTTP interactions endpoint (the
// "Interactions Endpoint URL" of the application), for running without a
// gateway connection. Every request must carry a valid ed25519 signature
// by Config.PublicKey over a timestamp at most five minutes from now, else
// it is refused with 401; an interaction id seen before is refused too.
// PING is answered with PONG; other interactions are answered like those
// from the gateway, the first response being the HTTP answer and the rest
// going through the interaction's webhook. Replies still need the token,
// for edits and follow-ups.
func (a *Adapter) InteractionsHandler(h bot.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered := false
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("discord: interactions endpoint panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !answered {
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}
		}()
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if a.key == nil {
			a.log.Error("discord: interactions endpoint called but no public key is configured")
			http.Error(w, "not configured", http.StatusServiceUnavailable)
			return
		}
		sec, err := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
		if err != nil {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		if skew := a.now().Sub(time.Unix(sec, 0)); skew > maxSkew || skew < -maxSkew {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if !discordgo.VerifyInteraction(r, a.key) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if i.Type == discordgo.InteractionPing {
			answered = true
			writeJSON(w, map[string]int{"type": int(discordgo.InteractionResponsePong)})
			return
		}
		if i.ID == "" || !a.fresh(i.ID) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		if !a.begin() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}

		first := make(chan []byte) // the first response, handed to this request
		written := make(chan error, 1)
		gone := make(chan struct{})
		finished := make(chan struct{})
		x := &exchange{a: a, i: &i, respondFn: func(ctx context.Context, resp any) error {
			b, err := json.Marshal(resp)
			if err != nil {
				return err
			}
			select {
			case first <- b:
			case <-gone:
				return errGone
			case <-ctx.Done():
				return ctx.Err()
			}
			// Wait until the answer is out, so that edits and follow-ups
			// reach Discord after it.
			select {
			case err := <-written:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}}
		go func() {
			defer a.end()
			defer close(finished)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
			defer cancel()
			x.handle(ctx, h)
		}()

		deadline := time.NewTimer(discordgo.InteractionDeadline)
		defer deadline.Stop()
		select {
		case b := <-first:
			answered = true
			w.Header().Set("Content-Type", "application/json")
			_, err := w.Write(b)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			written <- err
		case <-finished:
			answered = true
			http.Error(w, "unsupported interaction", http.StatusBadRequest)
		case <-deadline.C:
			close(gone)
			a.log.Warn("discord: no answer to an HTTP interaction in time")
			http.Error(w, "timeout", http.StatusServiceUnavailable)
		case <-r.Context().Done():
			close(gone)
		}
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// fresh records an interaction id and reports whether it is new. Ids are
// kept for twice the allowed clock skew, after which a replay fails the
// timestamp check anyway.
func (a *Adapter) fresh(id string) bool {
	a.seenMu.Lock()
	defer a.seenMu.Unlock()
	now := a.now()
	if len(a.seen) >= 1024 {
		for k, t := range a.seen {
			if now.Sub(t) > 2*maxSkew {
				delete(a.seen, k)
			}
		}
	}
	if _, ok := a.seen[id]; ok {
		return false
	}
	a.seen[id] = now
	return true
}
