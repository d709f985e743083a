package discord

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
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
		body, status := a.verified(w, r)
		if status != 0 {
			refuse(w, status)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			refuse(w, http.StatusBadRequest)
			return
		}
		if i.Type == discordgo.InteractionPing {
			writeJSON(w, map[string]int{"type": int(discordgo.InteractionResponsePong)})
			return
		}
		if status := a.admit(&i); status != 0 {
			refuse(w, status)
			return
		}
		a.exchangeHTTP(w, r, h, &i)
	})
}

// refuse answers a request the endpoint will not serve, saying no more
// than the status: a bad signature, a replay and a bad body look alike.
func refuse(w http.ResponseWriter, status int) {
	msg := map[int]string{
		http.StatusMethodNotAllowed:   "method not allowed",
		http.StatusServiceUnavailable: "unavailable",
		http.StatusBadRequest:         "bad request",
	}[status]
	if msg == "" {
		msg = "invalid request signature"
	}
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	http.Error(w, msg, status)
}

// verified returns the body of a request that really comes from Discord:
// a POST, signed by the application's key, over a timestamp within
// maxSkew of now. Otherwise it returns the status to refuse it with.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	if r.Method != http.MethodPost {
		return nil, http.StatusMethodNotAllowed
	}
	if a.key == nil {
		a.log.Error("discord: interactions endpoint called but no public key is configured")
		return nil, http.StatusServiceUnavailable
	}
	sec, err := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
	if err != nil {
		return nil, http.StatusUnauthorized
	}
	if skew := a.now().Sub(time.Unix(sec, 0)); skew > maxSkew || skew < -maxSkew {
		return nil, http.StatusUnauthorized
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if !discordgo.VerifyInteraction(r, a.key) {
		return nil, http.StatusUnauthorized
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, http.StatusBadRequest
	}
	return body, 0
}

// admit accepts an interaction seen for the first time while the adapter
// serves, counting it in flight (the caller must call a.end); otherwise it
// returns the status to refuse it with.
func (a *Adapter) admit(i *discordgo.Interaction) int {
	if i.ID == "" || !a.fresh(i.ID) {
		return http.StatusUnauthorized
	}
	if !a.begin() {
		return http.StatusServiceUnavailable
	}
	return 0
}

// exchangeHTTP answers an admitted interaction: the exchange runs in its
// own goroutine, and its first response is handed to this request as the
// HTTP answer, within Discord's deadline; later responses (edits,
// follow-ups) go through the webhook once the answer is written.
func (a *Adapter) exchangeHTTP(w http.ResponseWriter, r *http.Request, h bot.Handler, i *discordgo.Interaction) {
	first := make(chan []byte) // the first response, handed to this request
	written := make(chan error, 1)
	gone := make(chan struct{})
	finished := make(chan struct{})
	x := a.newExchange(i, func(ctx context.Context, resp any) error {
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
	})
	go func() {
		defer a.end()
		defer close(finished)
		x.serve(context.WithoutCancel(r.Context()), h)
	}()

	deadline := time.NewTimer(discordgo.InteractionDeadline)
	defer deadline.Stop()
	select {
	case b := <-first:
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(b)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		written <- err
	case <-finished:
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
	case <-deadline.C:
		close(gone)
		a.log.Warn("discord: no answer to an HTTP interaction in time")
		http.Error(w, "timeout", http.StatusServiceUnavailable)
	case <-r.Context().Done():
		close(gone)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// fresh records an interaction id and reports whether it is new. Ids are
// kept for twice the allowed clock skew, after which a replay fails the
// timestamp check anyway. They are forgotten oldest first, from a queue in
// arrival order, so each call costs the same however many are kept.
func (a *Adapter) fresh(id string) bool {
	a.seenMu.Lock()
	defer a.seenMu.Unlock()
	now := a.now()
	for len(a.seenOrder) > 0 {
		old := a.seenOrder[0]
		if now.Sub(a.seen[old]) <= 2*maxSkew {
			break
		}
		delete(a.seen, old)
		a.seenOrder[0] = ""
		a.seenOrder = a.seenOrder[1:]
	}
	if _, ok := a.seen[id]; ok {
		return false
	}
	a.seen[id] = now
	a.seenOrder = append(a.seenOrder, id)
	return true
}
