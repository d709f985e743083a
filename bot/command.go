package bot

import "github.com/unionbot/unionbot/bot/i18n"

// NameIn is the command's name in lang, for platforms that show localized
// command names (Discord): the catalog's "command.<name>.name" where there
// is one, else Name. A person can always type the English name too.
func (c Command) NameIn(lang string) string {
	if k := "cmd." + c.Name + ".name"; i18n.Default().Has(k) {
		return i18n.Tr(lang, k)
	}
	return c.Name
}

// NameIn is the option's name in lang: the catalog's "<Key>.name" where
// there is one, else Name.
func (o Option) NameIn(lang string) string {
	if k := o.Key + ".name"; o.Key != "" && i18n.Default().Has(k) {
		return i18n.Tr(lang, k)
	}
	return o.Name
}

// DescriptionIn is the option's description in lang (the catalog's Key);
// "" when it has none.
func (o Option) DescriptionIn(lang string) string {
	if o.Key == "" || !i18n.Default().Has(o.Key) {
		return ""
	}
	return i18n.Tr(lang, o.Key)
}
