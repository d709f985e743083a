package discordtest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMessageChecks: the fake refuses a message body as Discord does, for
// each limit it knows, and accepts one within them.
func TestMessageChecks(t *testing.T) {
	button := func(extra string) string { return `{"type":1,"components":[{"type":2,` + extra + `}]}` }
	for _, tc := range []struct {
		name, body string
		refused    string // "" when accepted; else a piece of the message
	}{
		{"content and buttons", `{"content":"hi","components":[` + button(`"style":2,"label":"a","custom_id":"x"`) + `]}`, ""},
		{"an embed", `{"embeds":[{"title":"t","description":"d","author":{"name":"n"},"fields":[{"name":"a","value":"b"}]}]}`, ""},
		{"null body", `null`, ""},
		{"content too long", `{"content":"` + strings.Repeat("é", 2001) + `"}`, "content: Must be 2000"},
		{"six rows", `{"components":[` + strings.TrimSuffix(strings.Repeat(button(`"style":1,"custom_id":"a"`)+",", 6), ",") + `]}`, "Must be 5 or fewer"},
		{"a duplicated id", `{"components":[` + button(`"style":1,"custom_id":"a"`) + `,` + button(`"style":1,"custom_id":"a"`) + `]}`, "cannot be duplicated"},
		{"a label too long", `{"components":[` + button(`"style":1,"custom_id":"a","label":"`+strings.Repeat("x", 81)+`"`) + `]}`, "label: Must be 80"},
		{"a link button with an id", `{"components":[` + button(`"style":5,"url":"https://a.example","custom_id":"a"`) + `]}`, "link button needs a url and no custom_id"},
		{"a link button to a script", `{"components":[` + button(`"style":5,"url":"javascript:alert(1)"`) + `]}`, "must be http(s)"},
		{"an unknown style", `{"components":[` + button(`"style":9,"custom_id":"a"`) + `]}`, "unknown button style 9"},
		{"an author without a name", `{"embeds":[{"author":{"name":""}}]}`, "embeds.author.name"},
		{"an empty field", `{"embeds":[{"fields":[{"name":"a","value":""}]}]}`, "embeds.fields.value"},
		{"embeds too big", `{"embeds":[{"description":"` + strings.Repeat("x", 4000) + `"},{"description":"` + strings.Repeat("x", 2001) + `"}]}`, "exceeds maximum size of 6000"},
		{"a number for the content", `{"content":5}`, "Invalid Form Body"},
		{"not JSON", `{"content":`, "Invalid Form Body"},
		{"no body", ``, "Invalid Form Body"},
	} {
		m, _, errBody := checkedMessage([]byte(tc.body))
		got := ""
		if m == nil {
			b, _ := json.Marshal(errBody)
			got = string(b)
		}
		switch {
		case tc.refused == "" && got != "":
			t.Errorf("%s: refused: %s", tc.name, got)
		case tc.refused != "" && !strings.Contains(got, tc.refused):
			t.Errorf("%s: got %q, want a refusal with %q", tc.name, got, tc.refused)
		}
	}
}

// TestModalChecks: a modal within Discord's limits passes, and each limit
// the fake knows refuses one beyond it.
func TestModalChecks(t *testing.T) {
	input := func(extra string) string {
		return `{"type":1,"components":[{"type":4,"custom_id":"f","label":"Name","style":1` + extra + `}]}`
	}
	modal := func(title, rows string) string {
		return `{"custom_id":"/suggest","title":"` + title + `","components":[` + rows + `]}`
	}
	for _, tc := range []struct {
		name, body string
		refused    string
	}{
		{"a modal", modal("Suggest", input(`,"max_length":4000,"placeholder":"e.g."`)), ""},
		{"no title", modal("", input("")), "title must be"},
		{"a long title", modal(strings.Repeat("t", 46), input("")), "title must be"},
		{"no rows", modal("T", ""), "1-5 rows"},
		{"a button in a modal", modal("T", `{"type":1,"components":[{"type":2,"style":1,"custom_id":"b","label":"x"}]}`), "must be text inputs"},
		{"a bad style", modal("T", input(`,"style":3`)), "style must be 1 or 2"},
		{"too long an input", modal("T", input(`,"max_length":4001`)), "max_length"},
	} {
		m, ok := decodeMessage([]byte(tc.body))
		if !ok {
			t.Fatalf("%s: the body does not decode: %s", tc.name, tc.body)
		}
		got := m.checkModal()
		switch {
		case tc.refused == "" && got != "":
			t.Errorf("%s: refused: %s", tc.name, got)
		case tc.refused != "" && !strings.Contains(got, tc.refused):
			t.Errorf("%s: got %q, want a refusal with %q", tc.name, got, tc.refused)
		}
	}
}
