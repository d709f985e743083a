// Package directory is the domain of unionbot: peer-run organisations of
// people who use drugs, the places and regions they serve, and the search
// that every command uses. It imports no platform and no store.
package directory

// Kind says how wide an organisation's reach is. The order of the constants
// is the order in which search ranks them for a place: the place's own local
// groups first, the international network last.
type Kind string

const (
	KindLocal         Kind = "local"
	KindNational      Kind = "national"
	KindRegional      Kind = "regional"
	KindInternational Kind = "international"
)

// Rank orders kinds for search results; lower comes first.
func (k Kind) Rank() int {
	switch k {
	case KindLocal:
		return 0
	case KindNational:
		return 1
	case KindRegional:
		return 2
	case KindInternational:
		return 3
	}
	return 4
}

// Valid reports whether k is one of the four kinds.
func (k Kind) Valid() bool { return k.Rank() < 4 }

// Point is a position on Earth in decimal degrees (WGS 84).
type Point struct {
	Lat float64 `yaml:"lat" json:"lat"`
	Lon float64 `yaml:"lon" json:"lon"`
}

// Organisation is one peer-run organisation of people who use drugs.
//
// ID is a stable slug ("vandu") that never changes once published: links,
// reports and moderation decisions refer to it.
type Organisation struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	Acronym    string   `yaml:"acronym,omitempty" json:"acronym,omitempty"`
	OtherNames []string `yaml:"other_names,omitempty" json:"other_names,omitempty"`
	Kind       Kind     `yaml:"kind" json:"kind"`
	// Countries it serves, ISO 3166-1 alpha-2. A regional network lists
	// none here: it serves the countries of its Regions.
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty"`
	// Regions it serves, by region id; only for regional networks.
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	// Province is an ISO 3166-2 subdivision code ("CA-BC") where it has one.
	Province string `yaml:"province,omitempty" json:"province,omitempty"`
	City     string `yaml:"city,omitempty" json:"city,omitempty"`
	// Coordinates are its city's, or the capital's for national bodies. The
	// seed may leave them out; loading fills them in from Places.
	Coordinates *Point   `yaml:"coordinates,omitempty" json:"coordinates,omitempty"`
	Websites    []string `yaml:"websites,omitempty" json:"websites,omitempty"`
	Social      []string `yaml:"social,omitempty" json:"social,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	// Languages are BCP 47 tags ("en", "fr-CA").
	Languages []string `yaml:"languages,omitempty" json:"languages,omitempty"`
	// Serves lists further places it serves beyond its seat (City,
	// Province, Countries[0]). Each is one of: an ISO 3166-2 subdivision
	// code ("CA-YT"); a country code ("VN"), which must also be in
	// Countries; or a city with its subdivision or country code
	// ("Grand Forks, CA-BC", "Hanoi, VN"). Build reports an entry that
	// names an unknown place as a Problem.
	Serves []string `yaml:"serves,omitempty" json:"serves,omitempty"`
	// Status is "" or "active" for a working group and "closed" for one a
	// source or a moderator reports closed: it leaves answers but stays in
	// the history and the export.
	Status Status `yaml:"status,omitempty" json:"status,omitempty"`
	// Ally is true when no source says the group is run by people who use
	// drugs (a harm reduction association, a network of people living with
	// HIV): answers mark it and list it after the peer-run groups.
	Ally bool `yaml:"ally,omitempty" json:"ally,omitempty"`
	// Sources say where each fact comes from, the main source first. A
	// correction adds a source rather than replacing one.
	Sources []Source `yaml:"sources,omitempty" json:"sources,omitempty"`
	// Verified is when the entry was last confirmed: a moderator's /verify
	// or edit, else the main source's date. YYYY, YYYY-MM, YYYY-MM-DD or
	// "undated".
	Verified string `yaml:"verified,omitempty" json:"verified,omitempty"`
	// Source is the single source string of older records ("INPUD list,
	// Aug 2014"). It is kept only so they still load: decoding moves it
	// into Sources[0] and clears it, so nothing new ever writes it.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}

// Status is an organisation's status; the zero value means active.
type Status string

const (
	StatusActive Status = "active"
	StatusClosed Status = "closed"
)

// Valid reports whether s is "", "active" or "closed".
func (s Status) Valid() bool { return s == "" || s == StatusActive || s == StatusClosed }

// Source is one place a fact about an organisation comes from.
type Source struct {
	// Title names the page or document ("Drug User Unions Worldwide: An
	// Evolving List"), or says who confirmed it ("verified by a moderator").
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url,omitempty" json:"url,omitempty"`
	// Date is when the source was written or seen: YYYY, YYYY-MM,
	// YYYY-MM-DD or "undated".
	Date string `yaml:"date" json:"date"`
	// Note says which facts this source gives, where it gives only some.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Undated is the Date of a source that carries none.
const Undated = "undated"

// ModeratorSource is the title of the source a moderator's confirmation
// adds to an entry (by /verify, or by approving a report or suggestion).
const ModeratorSource = "verified by a moderator"

// CommunitySource is the title of the source of an entry that came from a
// suggestion in the bot, which a moderator confirmed by approving it.
const CommunitySource = "community suggestion"

// Confirmed returns the date a person last confirmed the entry (a
// moderator's /verify, edit or approval), and false when Verified only
// repeats the date of a page it was taken from: a source's own date is
// not a confirmation, and a card must not claim one.
func (o *Organisation) Confirmed() (string, bool) {
	v := o.Verified
	if len(v) != len("2006-01-02") || !ValidDate(v) {
		return "", false
	}
	published := false
	for _, s := range o.Sources {
		if s.Date != v {
			continue
		}
		if s.Title == ModeratorSource || s.Title == CommunitySource {
			return v, true
		}
		published = true
	}
	return v, !published
}

// Closed reports whether the group is reported closed.
func (o *Organisation) Closed() bool { return o.Status == StatusClosed }

// PeerRun reports whether a source says the group is run by people who use
// drugs.
func (o *Organisation) PeerRun() bool { return !o.Ally }

// Country is a country or territory with an ISO 3166-1 code.
type Country struct {
	Code   string `yaml:"code"`   // alpha-2, "CA"
	Alpha3 string `yaml:"alpha3"` // "CAN"
	Name   string `yaml:"name"`   // English short name
	// Aliases are other English names people use ("Holland", "UK").
	Aliases []string `yaml:"aliases,omitempty"`
	// Local names in the country's own languages ("Deutschland", "Россия").
	Local []string `yaml:"local,omitempty"`
	// Names in the bot's languages that the CLDR lacks ("Países Baixos",
	// "США"); the CLDR's own are known without being listed.
	Names   []string `yaml:"names,omitempty"`
	Capital City     `yaml:"capital"`
}

// Subdivision is a province, state or territory (ISO 3166-2).
type Subdivision struct {
	Code    string   `yaml:"code"` // "CA-BC"
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases,omitempty"`
	// Names are its names in the bot's other languages, by language
	// ("fr": "Colombie-Britannique"); search knows them too.
	Names map[string]string `yaml:"names,omitempty"`
	// Point is a representative position (its capital or centre).
	Point Point `yaml:"point"`
}

// City is a city or town. Country and Subdivision are filled in for cities
// listed on their own; a country's capital leaves them implied.
type City struct {
	Name        string   `yaml:"name"`
	Aliases     []string `yaml:"aliases,omitempty"`
	Country     string   `yaml:"country,omitempty"`
	Subdivision string   `yaml:"subdivision,omitempty"`
	Lat         float64  `yaml:"lat"`
	Lon         float64  `yaml:"lon"`
}

// Region is a world region served by a regional network. Membership is data:
// a country can belong to several regions.
type Region struct {
	ID      string   `yaml:"id"` // "asia"
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases,omitempty"`
	// Names are its names in the bot's other languages, by language
	// ("fr": "Asie"); search knows them too.
	Names     map[string]string `yaml:"names,omitempty"`
	Countries []string          `yaml:"countries"`
}
