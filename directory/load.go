package directory

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// seedFiles is the seed data compiled into the binary. The YAML files are
// the source of truth people edit and review in pull requests.
//
//go:embed data/*.yaml data/*.tsv
var seedFiles embed.FS

// placesFile is the place index built from the place files of the seed
// by go generate (places_codec.go); TestPlacesFileUpToDate fails when it
// is older than they are. Embedded as a string, so that the decoded
// index's strings are slices of it, in read-only memory.
//
//go:generate go run ./internal/placegen -langs en,fr,es,pt,ru,de,id -o data/places.bin
//go:embed data/places.bin
var placesFile string

// Seed is the directory as shipped in the binary.
//
// LoadSeed fills Organisations, Countries and Regions, but not
// Subdivisions, Cities and the World lists: the place index it comes with
// was built from those by go generate, and only a seed loaded from the
// files themselves (for languages the generated index was not made for)
// has them.
type Seed struct {
	Organisations []Organisation `yaml:"organisations"`
	Countries     []Country      `yaml:"countries"`
	Subdivisions  []Subdivision  `yaml:"subdivisions"`
	Cities        []City         `yaml:"cities"`
	Regions       []Region       `yaml:"regions"`
	// WorldCities and WorldSubdivisions are the world's larger cities and
	// every province or state, generated from GeoNames data by
	// tools/gencities. The hand-written Cities and Subdivisions take
	// precedence: search merges the two, so a city is listed once.
	WorldCities       []City        `yaml:"-"`
	WorldSubdivisions []Subdivision `yaml:"-"`
	// Header is the comment block at the top of organisations.yaml, which
	// WriteOrganisations writes back so that an export keeps it.
	Header string `yaml:"-"`
	// Languages are the languages whose country names the index
	// understands beyond the names in the seed files: the bot's reply
	// languages, which the caller passes to LoadSeed (bot/i18n holds the
	// one list; the domain imports nothing of ours, so it is given it).
	Languages []language.Tag `yaml:"-"`
	// Version is a digest of the seed files; it changes whenever any of them
	// does, so a store can tell a new seed from one it has seen.
	Version string `yaml:"-"`

	// placesDigest is the digest of the place files (digestPlaces).
	placesDigest string

	// places is the index of the places above, built once (see Build). A
	// Seed's places must not change once it has been built from.
	places struct {
		once sync.Once
		x    *Index
	}
}

// SeedFile returns one of the embedded seed files as shipped
// ("organisations.yaml"): what an export of an unchanged directory equals.
func SeedFile(name string) ([]byte, error) {
	return seedFiles.ReadFile("data/" + name)
}

// LoadSeed decodes the embedded seed; an index built from it also
// understands country names in languages (the bot's reply languages,
// i18n.Tags()). It fails only if the files compiled into the binary are
// malformed, which the tests catch before a release.
//
// For the languages data/places.bin was generated for, the places come
// decoded from it and only organisations.yaml is parsed; for any other
// list they are read from the seed files and indexed on first use, as
// go generate does.
func LoadSeed(languages ...language.Tag) (*Seed, error) {
	return loadSeed(seedFiles, "data", placesFile, languages)
}

// loadSeed is LoadSeed of the seed files in fsys under dir and the place
// file generated from them.
func loadSeed(fsys fs.FS, dir, placesFile string, languages []language.Tag) (*Seed, error) {
	p, err := decodePlaces(placesFile)
	if err != nil {
		return nil, fmt.Errorf("seed data/places.bin: %w (go generate ./directory/ remakes it)", err)
	}
	digest, err := digestPlaces(fsys, dir)
	if err != nil {
		return nil, err
	}
	// A place file edited without go generate, or other languages: the
	// places are built from the files, as go generate would (and
	// TestPlacesFileUpToDate fails in the first case).
	if !p.speaks(languages) || p.digest != digest {
		s, err := loadSeedFS(fsys, dir)
		if err != nil {
			return nil, err
		}
		s.Languages = slices.Clone(languages)
		return s, nil
	}
	s := &Seed{placesDigest: p.digest, Languages: slices.Clone(languages)}
	b, err := fs.ReadFile(fsys, dir+"/organisations.yaml")
	if err == nil {
		err = s.decodeOrganisations(b)
	}
	if err != nil {
		return nil, fmt.Errorf("seed organisations.yaml: %w", err)
	}
	s.Countries, s.Regions = p.x.countries, p.x.regions
	s.Version = seedVersion(b, p.digest)
	p.x.seedVersion = s.Version
	s.places.once.Do(func() { s.places.x = p.x })
	return s, nil
}

// GeneratePlaces builds the place index of the seed files in fsys under
// dir for languages and returns it encoded: what go generate writes to
// data/places.bin (internal/placegen). The bot never calls it.
func GeneratePlaces(fsys fs.FS, dir string, languages ...language.Tag) ([]byte, error) {
	s, err := loadSeedFS(fsys, dir)
	if err != nil {
		return nil, err
	}
	s.Languages = slices.Clone(languages)
	return encodePlaces(s.placeIndex(), s.placesDigest, s.Languages), nil
}

func loadSeedFS(fsys fs.FS, dir string) (*Seed, error) {
	var s Seed
	orgs, err := fs.ReadFile(fsys, dir+"/organisations.yaml")
	if err == nil {
		err = s.decodeOrganisations(orgs)
	}
	if err != nil {
		return nil, fmt.Errorf("seed organisations.yaml: %w", err)
	}
	for _, name := range placeFiles() {
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
		switch name {
		case "worldcities.tsv":
			s.WorldCities, err = readWorldCities(b)
		case "worldsubdivisions.tsv":
			s.WorldSubdivisions, err = readWorldSubdivisions(b)
		default:
			err = decodeYAML(b, &s)
		}
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
	}
	if s.placesDigest, err = digestPlaces(fsys, dir); err != nil {
		return nil, err
	}
	s.Version = seedVersion(orgs, s.placesDigest)
	return &s, nil
}

// placeFiles are the seed files the place index is made of, every one but
// organisations.yaml, in the order of their digest.
func placeFiles() []string {
	return []string{"countries.yaml", "subdivisions.yaml", "cities.yaml", "regions.yaml", "worldsubdivisions.tsv", "worldcities.tsv"}
}

// digestPlaces is the SHA-256 of the place files (Seed.placesDigest),
// streamed rather than read whole: LoadSeed takes it at every start to
// check data/places.bin against the files beside it.
func digestPlaces(fsys fs.FS, dir string) (string, error) {
	h := sha256.New()
	buf := make([]byte, 32<<10)
	for _, name := range placeFiles() {
		f, err := fsys.Open(dir + "/" + name)
		if err == nil {
			_, err = io.CopyBuffer(h, f, buf)
			f.Close()
		}
		if err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
	}
	return string(h.Sum(nil)), nil
}

// decodeOrganisations decodes organisations.yaml into s: its
// organisations and its header.
func (s *Seed) decodeOrganisations(b []byte) error {
	s.Header = orgsHeader(b)
	if err := decodeYAML(b, s); err != nil {
		return err
	}
	for i := range s.Organisations {
		s.Organisations[i].upgrade()
	}
	return nil
}

func decodeYAML(b []byte, s *Seed) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(s)
}

// seedVersion is a seed's Version: a digest of its organisations and of
// the digest of its place files, so that either changes it.
func seedVersion(orgs []byte, placesDigest string) string {
	h := sha256.New()
	h.Write(orgs)
	h.Write([]byte(placesDigest))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// tsvRows calls fn with the cells of each data row of a generated TSV file:
// lines starting with "#" are comments and the first other line names the
// columns, which must be want.
func tsvRows(b []byte, want []string, fn func(line int, cells []string) error) error {
	header := true
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cells := strings.Split(line, "\t")
		if header {
			if !slices.Equal(cells, want) {
				return fmt.Errorf("line %d: columns %q, want %q", i+1, cells, want)
			}
			header = false
			continue
		}
		if len(cells) != len(want) {
			return fmt.Errorf("line %d: %d columns, want %d", i+1, len(cells), len(want))
		}
		if err := fn(i+1, cells); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return nil
}

func parsePoint(lat, lon string) (Point, error) {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	p := Point{la, lo}
	if err1 != nil || err2 != nil || !p.Valid() {
		return p, fmt.Errorf("bad coordinates %q, %q", lat, lon)
	}
	return p, nil
}

// worldSubdivisionLangs are the languages of worldsubdivisions.tsv's name
// columns, in order.
var worldSubdivisionLangs = []string{"de", "es", "fr", "pt", "ru"}

func readWorldSubdivisions(b []byte) ([]Subdivision, error) {
	cols := append(append([]string{"code", "name", "lat", "lon"}, worldSubdivisionLangs...), "ascii")
	var out []Subdivision
	err := tsvRows(b, cols, func(_ int, c []string) error {
		p, err := parsePoint(c[2], c[3])
		if err != nil {
			return err
		}
		s := Subdivision{Code: c[0], Name: c[1], Point: p}
		for i, l := range worldSubdivisionLangs {
			if n := c[4+i]; n != "" {
				if s.Names == nil {
					s.Names = map[string]string{}
				}
				s.Names[l] = n
			}
		}
		if a := c[len(c)-1]; a != "" {
			s.Aliases = []string{a}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func readWorldCities(b []byte) ([]City, error) {
	var out []City
	err := tsvRows(b, []string{"name", "country", "subdivision", "lat", "lon", "alias"}, func(_ int, c []string) error {
		p, err := parsePoint(c[3], c[4])
		if err != nil {
			return err
		}
		city := City{Name: c[0], Country: c[1], Subdivision: c[2], Lat: p.Lat, Lon: p.Lon}
		if c[5] != "" {
			city.Aliases = []string{c[5]}
		}
		out = append(out, city)
		return nil
	})
	return out, err
}
