package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/unionbot/unionbot/bot/telegram"
)

// serveHTTP serves the health checks and the platforms' webhooks on
// UNIONBOT_HTTP_ADDR until ctx ends.
func (a *App) serveHTTP(ctx context.Context) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(pctx); err != nil {
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	if a.telegram != nil && a.cfg.TelegramWebhookURL != "" {
		mux.Handle(telegram.WebhookPath, a.telegram.WebhookHandler())
	}
	if a.discord != nil && a.cfg.DiscordPublicKey != "" {
		mux.Handle("/discord/interactions", a.discord.InteractionsHandler(a.bot))
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
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
