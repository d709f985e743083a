package telegram

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
)

// WebhookPath is the path where the application should mount
// WebhookHandler, and so the path of Config.WebhookURL
// ("https://bot.example.org/telegram/webhook"). The token is deliberately
// not part of it: paths end up in access logs; the secret travels in a
// header instead.
const WebhookPath = "/telegram/webhook"

// SecretHeader carries the webhook's secret_token on Telegram's requests.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

const (
	maxUpdateBytes = 1 << 20
	seenUpdates    = 1024 // webhook update ids remembered against redelivery
)

// WebhookHandler receives Telegram's webhook requests. It refuses with 403
// any request whose secret header is not Config.WebhookSecret (all of them
// when no secret is configured), so updates cannot be forged, and answers
// 200 as soon as the update is queued: the reply is sent with a Bot API
// call, not in the response. While Run is not running it answers 503, and
// Telegram delivers the update again later. An update that cannot be
// decoded is logged, counted (Observer.UpdateSkipped) and answered 200, so
// that Telegram does not deliver it again forever.
func (a *Adapter) WebhookHandler() http.Handler { return http.HandlerFunc(a.serveWebhook) }

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !a.secretOK(r.Header.Get(SecretHeader)) {
		a.log.Debug("telegram: webhook request with a missing or wrong secret refused")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	a.mu.Lock()
	running := a.running
	a.mu.Unlock()
	if !running {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
	if err != nil {
		a.log.Debug("telegram: webhook request body could not be read")
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	u, id, err := decodeUpdate(raw)
	if err != nil {
		// The secret was right, so this is Telegram: a refusal would make
		// it deliver the same poison update again and again. Accept it,
		// count it, move on.
		a.skipped(errKind(err))
		w.WriteHeader(http.StatusOK)
		return
	}
	if !a.firstDelivery(id) {
		w.WriteHeader(http.StatusOK) // answered already
		return
	}
	if !a.dispatch(r.Context(), u) {
		a.forget(u.UpdateID)
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// secretOK compares in constant time; hashing first hides the length too.
func (a *Adapter) secretOK(got string) bool {
	if a.cfg.WebhookSecret == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(a.cfg.WebhookSecret))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// firstDelivery records id and reports whether it is new. Telegram
// delivers an update again when an answer is slow or lost.
func (a *Adapter) firstDelivery(id int) bool {
	if id <= 0 {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seen[id] {
		return false
	}
	a.seen[id] = true
	a.seenLog = append(a.seenLog, id)
	if len(a.seenLog) > seenUpdates {
		delete(a.seen, a.seenLog[0])
		a.seenLog = a.seenLog[1:]
	}
	return true
}

func (a *Adapter) forget(id int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.seen, id)
}
