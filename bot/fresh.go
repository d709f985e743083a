package bot

import (
	"strings"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// freshness is the line of a full card that says how old its facts are:
// "listed 2014 (INPUD list)", from the main source and the date the entry
// was last confirmed. The link checker extends it with what it found
// ("· website reachable on 2026-11-28").
func (b *Bot) freshness(o *directory.Organisation, lang string) string {
	var title string
	if len(o.Sources) > 0 {
		title = strings.TrimSpace(o.Sources[0].Title)
	}
	date := o.Verified
	if date == "" && len(o.Sources) > 0 {
		date = o.Sources[0].Date
	}
	year := ""
	if len(date) >= 4 && date[:4] >= "1900" && date[:4] <= "2999" {
		year = date[:4]
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
