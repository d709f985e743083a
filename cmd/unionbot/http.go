package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/bot/telegram"
)

// serveHTTP serves the health checks, the metrics and the platforms'
// webhooks on UNIONBOT_HTTP_ADDR until ctx ends.
//
//	/healthz  200 while the process runs
//	/readyz   200 when the store answers and every platform's API answered
//	          its last request; 503 otherwise. The body says, line by line,
//	          what is ready and which replica role this process has.
//	/metrics  Prometheus metrics (metrics.go)
func (a *App) serveHTTP(ctx context.Context) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.ops.metrics.handler())
	for _, p := range a.platforms {
		switch p := p.(type) {
		case *telegram.Adapter:
			if a.cfg.TelegramWebhookURL != "" {
				mux.Handle(telegram.WebhookPath, p.WebhookHandler())
			}
		case *discord.Adapter:
			if a.cfg.DiscordPublicKey != "" {
				mux.Handle("/discord/interactions", p.InteractionsHandler(a.Handler()))
			}
		}
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	a.ops.httpAddr.Store(&addr)
	a.log.Info("serving /healthz, /readyz and /metrics", "addr", addr)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	return srv, nil
}

// readyz answers whether this process can do its work: the store answers
// and the platforms' APIs did on their last request. A replica standing by
// for a lease is ready: it serves webhooks and delivers cards, and takes
// over the lease when the holder stops.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	ready := true
	pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.store.Ping(pctx); err != nil {
		ready = false
		b.WriteString("store: unreachable\n")
	} else {
		b.WriteString("store: ok\n")
	}
	for _, p := range a.platforms {
		name := p.Name()
		ok, problem := a.ops.health[name].get()
		role := ""
		if l := a.leaseFor(p); l != "" {
			role = " (standing by: another replica holds " + l + ")"
			if a.ops.isHeld(l) {
				role = " (holds " + l + ")"
			}
		}
		if ok {
			fmt.Fprintf(&b, "%s: ok%s\n", name, role)
		} else {
			ready = false
			fmt.Fprintf(&b, "%s: %s%s\n", name, problem, role)
		}
		// What the adapter found at start (the Discord moderators'
		// channel's permissions).
		if pr, has := p.(interface{ Problems() []string }); has {
			for _, msg := range pr.Problems() {
				ready = false
				fmt.Fprintf(&b, "%s: %s\n", name, msg)
			}
		}
	}
	// Cards that moderators' channels refuse are retried, but an operator
	// must fix the cause (the bot removed, a permission missing).
	for _, h := range a.mod.Delivery() {
		if h.OK {
			fmt.Fprintf(&b, "moderators' channel %s: ok\n", h.Key)
			continue
		}
		ready = false
		fmt.Fprintf(&b, "moderators' channel %s: cards not delivered since %s (%d failed tries in a row; retrying): %s\n",
			h.Key, h.Since.Format(time.RFC3339), h.Failing, h.LastError)
	}
	if !a.mod.Reviewed() {
		b.WriteString("moderation: review is not set up; see `unionbot check`\n")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write([]byte(b.String()))
}
