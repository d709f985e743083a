package moderation

import (
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/store"
)

// sayIn sends text as user in a private chat whose app is set to lang.
func (h *harness) sayIn(user, lang, text string) string {
	h.t.Helper()
	return h.do(&bot.Message{Platform: "test", Text: text, Lang: lang, User: bot.User{ID: user, Name: "name-" + user},
		Chat: bot.Chat{ID: "chat-" + user, Private: true}})
}

// TestSuggesterToldInTheirLanguage: a French speaker suggests and reports
// in French and is told the outcomes in French, later, while moderators'
// cards are in the channels' language (Options.Lang) and a German
// moderator's own replies are in German.
func TestSuggesterToldInTheirLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{Lang: "es"})
		mods, user := newRecorder(), newRecorder()
		h.svc.AddChannel(Channel{Key: "a", To: bot.Address{Platform: "test", ChatID: "mods"}, Sender: mods})
		h.svc.AddSender("test", user)
		h.run()

		got := h.sayIn("u1", "fr-CA", "/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | a peer-run union")
		mustContain(t, got, "Merci ! Votre proposition porte la référence S-1.", "« Lisbon Drug Users Union » (Lisbon, Portugal)")
		if it := h.item("S-1"); it.Lang != "fr" {
			t.Errorf("item language = %q, want fr", it.Lang)
		}
		mods.waitFor(t, "the card", func() bool { return len(mods.texts()) == 1 })
		mustContain(t, mods.texts()[0], "Nueva propuesta S-1", "Lugar: Lisbon, Portugal", "Enlace: https://lduu.example.org")
		if r := mods.sent[0]; r.Buttons[0][0].Label != "Aprobar" || r.Buttons[0][1].Label != "Rechazar" || r.Lang != "es" {
			t.Errorf("card buttons %+v, lang %q", r.Buttons, r.Lang)
		}
		mustContain(t, h.sayIn("mod1", "de", "/queue"), "1 wartet auf eine Entscheidung", "S-1 Vorschlag: Lisbon Drug Users Union")
		mustContain(t, h.sayIn("mod1", "de", "/reject S-1 pas autogéré"), "S-1 abgelehnt.")
		user.waitFor(t, "the outcome", func() bool { return len(user.texts()) == 1 })
		mustContain(t, user.texts()[0], "Votre proposition S-1 (Lisbon Drug Users Union) n’a pas été ajoutée. Message de la modération : pas autogéré.")
		if r := user.sent[0]; r.Lang != "fr" {
			t.Errorf("outcome reply language %q, want fr", r.Lang)
		}
		mustContain(t, h.sayIn("mod2", "ru", "/approve S-1"), "S-1 уже отклонено (test:name-mod1")

		// A report, and an approval, in Indonesian.
		mustContain(t, h.sayIn("u3", "id", "/report VANDU situs webnya pindah"), "Laporan Anda tentang Vancouver Area Network of Drug Users bernomor R-1")
		mustContain(t, h.sayIn("mod1", "en", "/approve R-1"), "R-1 approved.")
		user.waitFor(t, "the report's outcome", func() bool { return len(user.texts()) == 2 })
		mustContain(t, user.texts()[1], "Terima kasih: laporan Anda R-1 tentang Vancouver Area Network of Drug Users diterima.")
	})
}

// TestErrorsInTheUsersLanguage: checks on what people send answer in their
// language. (Invalid input counts against the rate limit, so the limit is
// raised for the many tries.)
func TestErrorsInTheUsersLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 100, PerDay: 100})
		for _, tc := range []struct{ lang, text, want string }{
			{"es", "/suggest X", "Indica el nombre del grupo"},
			{"pt-BR", "/suggest Grupo Teste | Zzyzxqq", "Não encontrei o lugar “Zzyzxqq”"},
			{"ru", "/suggest Test Group | Victoria", "«Victoria» может означать: "},
			{"de", "/suggest Test Group | Lisbon, Portugal | javascript:alert(1)", "Links müssen Webadressen sein"},
			{"fr", "/approve S-1", "Seules les personnes chargées de la modération"},
			{"id", "/report", "Untuk melaporkan kesalahan"},
		} {
			mustContain(t, h.sayIn("someone", tc.lang, tc.text), tc.want)
		}
		// In a list of choices, "or" is in the reader's language.
		mustContain(t, h.sayIn("someone", "fr", "/suggest Test Group | Victoria"), " ou ")
	})
}

// TestGuidedSuggestionInFrench: the questions, and the word for "skip".
func TestGuidedSuggestionInFrench(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.sayIn("u1", "fr", "/suggest"), "Ajoutons un groupe.", "Quel est le nom du groupe ?")
		mustContain(t, h.sayIn("u1", "fr", "Braga Peers"), "Où se trouve-t-il ?")
		mustContain(t, h.sayIn("u1", "fr", "Braga, Portugal"), "Envoyez « passer »")
		mustContain(t, h.sayIn("u1", "fr", "Passer"), "En une phrase")
		mustContain(t, h.sayIn("u1", "fr", "skip"), "Merci ! Votre proposition porte la référence S-1.")
		if it := h.item("S-1"); len(it.Org.Websites) != 0 || it.Org.Description != "" {
			t.Errorf("skipped answers kept: %+v", it.Org)
		}
	})
}

// TestDialogPromptsAreMessages: the guided questions are catalog keys.
func TestDialogPromptsAreMessages(t *testing.T) {
	for _, k := range dialogPrompts {
		if !i18n.Default().Has(k) {
			t.Errorf("dialog prompt %q is not in the catalog", k)
		}
	}
	if strings.Join(dialogPrompts, ",") == "" {
		t.Fatal("no prompts")
	}
}
