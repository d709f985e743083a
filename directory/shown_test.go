package directory

// shown lists the ids a match shows, in the order answers show them (see
// Match): what a person reads first comes first.
func shown(m Match) []string {
	var out []string
	add := func(hs []Hit) { out = append(out, ids(hs)...) }
	if m.Place == nil {
		for _, o := range m.Orgs {
			out = append(out, o.ID)
		}
		return out
	}
	switch {
	case m.Place.Kind == PlaceRegion:
		add(m.Regional)
		add(m.International)
	case !m.Own():
		add(m.Regional)
		add(m.National)
		add(m.Nearest)
		add(m.International)
	case m.Place.Kind == PlaceCountry:
		add(m.National)
		add(m.Local)
		add(m.Regional)
		add(m.International)
	case m.Place.Kind == PlaceSubdivision:
		add(m.Local)
		add(m.National)
		add(m.Regional)
		add(m.International)
	default:
		add(m.Local)
		add(m.Near)
		add(m.National)
		add(m.Regional)
		add(m.International)
	}
	return out
}
