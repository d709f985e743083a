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
	// Source says where the entry came from: "INPUD list, Aug 2014",
	// "reader comment, 2017-01-18", "community suggestion".
	Source string `yaml:"source" json:"source"`
	// Verified is the date (YYYY-MM-DD, or YYYY-MM) the entry was last checked.
	Verified string `yaml:"verified,omitempty" json:"verified,omitempty"`
}

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
