package moderation

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// TestStoredSubmitterDecodes checks that an item stored while Submitter
// was a bot.Address (same JSON names) still decodes, and encodes back to
// the same names.
func TestStoredSubmitterDecodes(t *testing.T) {
	old := `{"ref":"S-7","submitter":{"platform":"discord","chat_id":"c9","user_id":"u3","direct":true}}`
	var it Item
	if err := json.Unmarshal([]byte(old), &it); err != nil {
		t.Fatal(err)
	}
	want := Recipient{Platform: "discord", ChatID: "c9", UserID: "u3", Direct: true}
	if it.Submitter == nil || *it.Submitter != want {
		t.Fatalf("Submitter = %+v, want %+v", it.Submitter, want)
	}
	b, err := json.Marshal(it.Submitter)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"platform":"discord","chat_id":"c9","user_id":"u3","direct":true}` {
		t.Errorf("encoded as %s", got)
	}
}

// TestErrorsReachTheCoreAsCoreErrors checks the boundary: the core reads a
// moderation error's code and shows its message in the user's language.
func TestErrorsReachTheCoreAsCoreErrors(t *testing.T) {
	cases := []struct {
		err  error
		code bot.Code
		fr   string
	}{
		{errorf(limited, "mod.queue_full"), bot.Limited, i18n.Tr("fr", "mod.queue_full")},
		{errorf(notAllowed, "mod.not_moderator"), bot.NotAllowed, i18n.Tr("fr", "mod.not_moderator")},
		{storeErr(errors.New("disk on fire")), bot.Internal, i18n.Tr("fr", "error.internal")},
	}
	for _, tc := range cases {
		if got := bot.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if got := bot.UserMessageIn(tc.err, "fr"); got != tc.fr {
			t.Errorf("UserMessageIn(%v, fr) = %q, want %q", tc.err, got, tc.fr)
		}
	}
	if tc := (errorf(limited, "mod.queue_full")); tc.Error() != i18n.Tr(i18n.Reference, "mod.queue_full") {
		t.Errorf("Error() = %q, want the English message", tc.Error())
	}
}
