package bot

import (
	"strings"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// freshness is the line of a full card that says how old its facts are:
// "listed 2014 (INPUD list)". The link checker extends it with what it
// found ("· website reachable on 2026-11-28").
func (b *Bot) freshness(o *directory.Organisation, lang string) string {
	title := strings.TrimSpace(o.Source)
	year := ""
	if len(o.Verified) >= 4 && o.Verified[:4] >= "1900" && o.Verified[:4] <= "2999" {
		year = o.Verified[:4]
	}
	switch {
	case title == "" && year == "":
		return ""
	case year == "":
		return i18n.Tr(lang, "fresh.undated", title)
	case title == "":
		return i18n.Tr(lang, "fresh.year", year)
	}
	return i18n.Tr(lang, "fresh.listed", year, title)
}
