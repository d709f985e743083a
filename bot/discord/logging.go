package discord

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// discordgo logs through one package-wide function, so the adapter installs
// one, once, that sends its messages to the most recent adapter's logger
// with tokens removed. Payload dumps (unknown events and ops carry raw
// gateway data, which could include what people typed) are not passed on.
var (
	loggerOnce sync.Once
	logSink    atomic.Pointer[sink]
)

type sink struct {
	log   *slog.Logger
	token string
}

func installLogger(log *slog.Logger, token string) {
	logSink.Store(&sink{log: log, token: token})
	loggerOnce.Do(func() {
		discordgo.Logger = func(level, caller int, format string, args ...any) {
			s := logSink.Load()
			if s == nil {
				return
			}
			if strings.Contains(format, "Data: %s") || strings.Contains(format, "%#v") || strings.Contains(format, "message: %s") {
				s.log.Debug("discord: gateway sent an event the library does not handle")
				return
			}
			lv := slog.LevelDebug
			switch level {
			case discordgo.LogError:
				lv = slog.LevelError
			case discordgo.LogWarning:
				lv = slog.LevelWarn
			}
			msg := redact(fmt.Sprintf(format, args...), s.token)
			s.log.Log(context.Background(), lv, "discord: library: "+strings.TrimSpace(msg))
		}
	})
}

var (
	// Interaction and webhook tokens travel in URL paths.
	urlToken = regexp.MustCompile(`(/(?:webhooks|interactions)/[^/\s]+/)[^/\s?"']+`)
	// "Bot <token>" and "Bearer <token>" headers.
	authValue = regexp.MustCompile(`(?i)\b(Bot|Bearer)\s+[A-Za-z0-9._\-]{16,}`)
	// The shape of a Discord bot token: id.timestamp.hmac.
	tokenShape = regexp.MustCompile(`[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{20,}`)
)

// redact removes the bot token and anything shaped like a token from s.
func redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "[token]")
		if bare := strings.TrimPrefix(token, "Bot "); len(bare) >= 8 {
			s = strings.ReplaceAll(s, bare, "[token]")
		}
	}
	s = urlToken.ReplaceAllString(s, "${1}[token]")
	s = authValue.ReplaceAllString(s, "$1 [token]")
	s = tokenShape.ReplaceAllString(s, "[token]")
	if len(s) > 500 {
		cut := 500
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
