package directory

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// upgrade turns the single `source` string of an older record into
// Sources[0], dated by the record's verified date (or "undated"), and gives
// an undated source the Undated marker. It is idempotent; every decoder of
// organisations (the seed, stored changes, imported files) calls it, so the
// rest of the program sees only Sources.
func (o *Organisation) upgrade() {
	if s := strings.TrimSpace(o.Source); s != "" {
		dup := false
		for _, have := range o.Sources {
			dup = dup || have.Title == s
		}
		if !dup {
			date := o.Verified
			if date == "" {
				date = Undated
			}
			o.Sources = append([]Source{{Title: s, Date: date}}, o.Sources...)
		}
	}
	o.Source = ""
	for i := range o.Sources {
		if strings.TrimSpace(o.Sources[i].Date) == "" {
			o.Sources[i].Date = Undated
		}
	}
}

// Upgrade is upgrade for decoders outside the package (moderation's stored
// items, say): it moves an old `source` string into Sources.
func (o *Organisation) Upgrade() { o.upgrade() }

// UnmarshalJSON decodes an organisation and upgrades its old `source`
// string, so that changes stored before Sources existed still load.
func (o *Organisation) UnmarshalJSON(b []byte) error {
	type plain Organisation // no methods: no recursion
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*o = Organisation(p)
	o.upgrade()
	return nil
}

// ValidDate reports whether d is a date as Sources and Verified write them:
// YYYY, YYYY-MM, YYYY-MM-DD or "undated".
func ValidDate(d string) bool {
	if d == Undated {
		return true
	}
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(d) == len(layout) {
			if _, err := time.Parse(layout, d); err == nil {
				return true
			}
		}
	}
	return false
}

// MainSource returns the first source, the one the entry comes from, or
// the zero Source if it has none.
func (o *Organisation) MainSource() Source {
	if len(o.Sources) == 0 {
		return Source{}
	}
	return o.Sources[0]
}

// checkFacts validates what an entry says beyond its seat: its status, its
// sources' dates, its verified date and the places it serves. Build calls
// it for every entry and reports an error as a Problem.
func (x *Index) checkFacts(f *folder, o *Organisation) error {
	o.upgrade() // an entry built in memory may still carry Source
	if !o.Status.Valid() {
		return fmt.Errorf("unknown status %q (want active or closed)", o.Status)
	}
	for i, s := range o.Sources {
		if strings.TrimSpace(s.Title) == "" && strings.TrimSpace(s.URL) == "" {
			return fmt.Errorf("source %d has neither title nor url", i+1)
		}
		if !ValidDate(s.Date) {
			return fmt.Errorf("source %d has date %q (want YYYY, YYYY-MM, YYYY-MM-DD or undated)", i+1, s.Date)
		}
	}
	if o.Verified != "" && !ValidDate(o.Verified) {
		return fmt.Errorf("verified %q is not a date (want YYYY, YYYY-MM, YYYY-MM-DD or undated)", o.Verified)
	}
	for _, s := range o.Serves {
		if err := x.checkServed(f, o, s); err != nil {
			return fmt.Errorf("serves %q: %w", s, err)
		}
	}
	return nil
}

// checkServed checks one `serves` place: a subdivision code, a country code
// also listed in Countries, or "City, CODE" with CODE the city's
// subdivision or country.
func (x *Index) checkServed(f *folder, o *Organisation, s string) error {
	if name, code, ok := strings.Cut(s, ","); ok {
		name, code = strings.TrimSpace(name), strings.TrimSpace(code)
		if name == "" || code == "" {
			return fmt.Errorf("want \"City, CODE\"")
		}
		country, sub := code, ""
		if c, _, isSub := strings.Cut(code, "-"); isSub {
			if _, known := x.subBy[code]; !known {
				return fmt.Errorf("unknown subdivision %q", code)
			}
			country, sub = c, code
		} else if _, known := x.countryBy[code]; !known {
			return fmt.Errorf("unknown country %q", code)
		}
		i, known := x.cityKeys[f.fold(name)+"|"+country]
		if !known {
			return fmt.Errorf("unknown city %q in %s", name, country)
		}
		if have := x.cities[i].Subdivision; sub != "" && have != "" && have != sub {
			return fmt.Errorf("%s is in %s, not %s", name, have, sub)
		}
		return nil
	}
	if strings.Contains(s, "-") {
		if _, known := x.subBy[s]; !known {
			return fmt.Errorf("unknown subdivision")
		}
		return nil
	}
	if _, known := x.countryBy[s]; !known {
		return fmt.Errorf("unknown place (want a subdivision code, a country code or \"City, CODE\")")
	}
	for _, c := range o.Countries {
		if c == s {
			return nil
		}
	}
	return fmt.Errorf("a country it serves must also be in countries")
}

// Check reports whether o would be indexed as it is: the check Build makes
// of every entry, for an entry that is not (yet) in the directory, such as
// a lead before it becomes a suggestion. o itself is not changed.
func (x *Index) Check(o Organisation) error {
	f := newFolder()
	if _, err := x.resolvePlaces(f, &o); err != nil {
		return err
	}
	return x.checkFacts(f, &o)
}
