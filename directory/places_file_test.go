package directory

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"

	"golang.org/x/text/language"

	"github.com/unionbot/unionbot/bot/i18n"
)

// TestPlacesFileUpToDate fails when data/places.bin is not what go generate
// makes of the place files and the bot's languages today: a place file was
// edited, a language added, or the index or its encoding changed, without
// `go generate ./directory/`.
func TestPlacesFileUpToDate(t *testing.T) {
	want, err := GeneratePlaces(os.DirFS("."), "data", i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(placesFile), want) {
		t.Fatalf("data/places.bin (%d bytes) is stale: the seed's place files, the languages or the place index changed (it would be %d bytes); run go generate ./directory/", len(placesFile), len(want))
	}
}

// TestPlacesFileDecodesToTheBuiltIndex: the place index LoadSeed decodes
// is the one building it from the seed files makes, field for field, so
// every answer is the same.
func TestPlacesFileDecodesToTheBuiltIndex(t *testing.T) {
	files, err := loadSeedFS(seedFiles, "data")
	if err != nil {
		t.Fatal(err)
	}
	files.Languages = i18n.Tags()
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	if seed.WorldCities != nil {
		t.Fatal("LoadSeed read the place files: it should have decoded data/places.bin")
	}
	built, decoded := files.placeIndex(), seed.placeIndex()
	if !reflect.DeepEqual(built, decoded) {
		t.Error("the decoded place index differs from the one built from the files")
	}
	if seed.Version != files.Version || seed.Header != files.Header ||
		!reflect.DeepEqual(seed.Organisations, files.Organisations) ||
		!reflect.DeepEqual(seed.Countries, files.Countries) || !reflect.DeepEqual(seed.Regions, files.Regions) {
		t.Error("the seed LoadSeed decodes differs from the one loaded from the files")
	}
}

// TestLoadSeedOtherLanguages: for languages data/places.bin was not made
// for, LoadSeed builds the places from the files, in those languages.
func TestLoadSeedOtherLanguages(t *testing.T) {
	seed, err := LoadSeed(language.Italian)
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.WorldCities) == 0 {
		t.Fatal("LoadSeed(it) did not read the place files")
	}
	x := Build(seed, seed.Organisations)
	// "Giappone" and "Ungheria" are Italian, from the CLDR only.
	for q, want := range map[string]string{"Giappone": "JP", "Ungheria": "HU", "Canada": "CA"} {
		res := x.Search(q)
		if len(res.Matches) == 0 || res.Matches[0].Place == nil || res.Matches[0].Place.Country != want {
			t.Errorf("Search(%q) = %+v, want the country %s", q, res.Matches, want)
		}
	}
}

// TestStalePlacesFileNotUsed: a place file edited without go generate is
// not answered from the old generated index: LoadSeed builds the places
// from the files instead.
func TestStalePlacesFileNotUsed(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, name := range append(placeFiles(), "organisations.yaml") {
		b, err := seedFiles.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "regions.yaml" {
			b = bytes.Replace(b, []byte("aliases: [Asia Pacific,"), []byte("aliases: [Quuxland, Asia Pacific,"), 1)
		}
		fsys["d/"+name] = &fstest.MapFile{Data: b}
	}
	seed, err := loadSeed(fsys, "d", placesFile, i18n.Tags())
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.WorldCities) == 0 {
		t.Fatal("LoadSeed used a place file older than the place files")
	}
	res := Build(seed, seed.Organisations).Search("Quuxland")
	if len(res.Matches) == 0 || res.Matches[0].Place == nil || res.Matches[0].Place.Region != "asia" {
		t.Errorf("Search(Quuxland) = %+v, want the region asia", res.Matches)
	}
	// Unchanged files: the generated index.
	fsys["d/regions.yaml"].Data, _ = seedFiles.ReadFile("data/regions.yaml")
	if seed, err := loadSeed(fsys, "d", placesFile, i18n.Tags()); err != nil || seed.WorldCities != nil {
		t.Errorf("unchanged files: err %v, read the files %v; want the generated index", err, seed != nil && seed.WorldCities != nil)
	}
}

// tinySeed is a seed of one place of each kind, whose place file is small
// enough for the fuzzer to work on.
func tinySeed() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"d/organisations.yaml": file("organisations: []\n"),
		"d/countries.yaml":     file("countries:\n  - {code: CA, alpha3: CAN, name: Canada, aliases: [Kanada], capital: {name: Ottawa, lat: 45.42, lon: -75.7}}\n"),
		"d/subdivisions.yaml":  file("subdivisions:\n  - {code: CA-BC, name: British Columbia, aliases: [BC], point: {lat: 53.7, lon: -127.6}}\n"),
		"d/cities.yaml":        file("cities:\n  - {name: Vancouver, country: CA, subdivision: CA-BC, lat: 49.28, lon: -123.12}\n"),
		"d/regions.yaml":       file("regions:\n  - {id: americas, name: Americas, names: {fr: Amériques}, countries: [CA]}\n"),
		"d/worldsubdivisions.tsv": file("code\tname\tlat\tlon\tde\tes\tfr\tpt\tru\tascii\n" +
			"CA-ON\tOntario\t50\t-85\t\t\t\t\tОнтарио\t\n"),
		"d/worldcities.tsv": file("name\tcountry\tsubdivision\tlat\tlon\talias\nToronto\tCA\tCA-ON\t43.7\t-79.4\tTdot\n"),
	}
}

// FuzzDecodePlaces: a corrupt place file is an error, never a panic, and
// the index of one that decodes answers lookups without panicking and
// encodes to a file that decodes to it again.
func FuzzDecodePlaces(f *testing.F) {
	tiny, err := GeneratePlaces(tinySeed(), "d", language.French)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tiny)
	f.Add(tiny[:len(tiny)/2])
	f.Add([]byte(placesFile[:4096]))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePlaces(string(b))
		if err != nil {
			return
		}
		d := p.x.placeDels
		for k := range len(d.hashes) / 8 {
			d.words(le64(d.hashes, 8*k))
		}
		for _, h := range []uint64{0, 1, 1 << 63, ^uint64(0), uint64(len(b)) * 0x9e3779b97f4a7c15} {
			d.words(h)
		}
		tags := make([]language.Tag, len(p.langs))
		for i, l := range p.langs {
			tags[i] = language.Make(l)
		}
		once := encodePlaces(p.x, p.digest, tags)
		q, err := decodePlaces(string(once))
		if err != nil {
			t.Fatalf("a decoded file encodes to one that does not decode: %v", err)
		}
		if twice := encodePlaces(q.x, q.digest, tags); !bytes.Equal(once, twice) {
			t.Fatal("encoding a decoded file is not stable")
		}
	})
}

// TestTinyPlacesFile: the fuzzer's small seed decodes to the index built
// from its files, so the fuzzer starts from a valid file.
func TestTinyPlacesFile(t *testing.T) {
	b, err := GeneratePlaces(tinySeed(), "d", language.French)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodePlaces(string(b))
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadSeedFS(tinySeed(), "d")
	if err != nil {
		t.Fatal(err)
	}
	s.Languages = []language.Tag{language.French}
	built := s.placeIndex()
	p.x.seedVersion = built.seedVersion
	if !reflect.DeepEqual(built, p.x) {
		t.Errorf("decoded %+v\nbuilt   %+v", p.x, built)
	}
	if !slices.Equal(p.langs, []string{"fr"}) || len(p.x.cities) != 3 {
		t.Errorf("langs %v, %d cities; want [fr] and Ottawa, Vancouver, Toronto", p.langs, len(p.x.cities))
	}
	// Every strict prefix is an error, not a panic.
	for n := range len(b) {
		if _, err := decodePlaces(string(b[:n])); err == nil {
			t.Fatalf("a file cut at %d of %d bytes decoded", n, len(b))
		}
	}
}

func BenchmarkDecodePlaces(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePlaces(placesFile); err != nil {
			b.Fatal(err)
		}
	}
}
