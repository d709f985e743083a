package directory

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"
)

// seedFiles is the seed data compiled into the binary. The YAML files are
// the source of truth people edit and review in pull requests.
//
//go:embed data/*.yaml
var seedFiles embed.FS

// Seed is the directory as shipped in the binary.
type Seed struct {
	Organisations []Organisation `yaml:"organisations"`
	Countries     []Country      `yaml:"countries"`
	Subdivisions  []Subdivision  `yaml:"subdivisions"`
	Cities        []City         `yaml:"cities"`
	Regions       []Region       `yaml:"regions"`
	// Version is a digest of the seed files; it changes whenever any of them
	// does, so a store can tell a new seed from one it has seen.
	Version string `yaml:"-"`
}

// LoadSeed decodes the embedded seed. It fails only if the files compiled
// into the binary are malformed, which the tests catch before a release.
func LoadSeed() (*Seed, error) {
	return loadSeedFS(seedFiles, "data")
}

func loadSeedFS(fsys fs.FS, dir string) (*Seed, error) {
	var s Seed
	h := sha256.New()
	// Each file fills one field; decoding them in a fixed order keeps the
	// digest stable.
	for _, name := range []string{"organisations.yaml", "countries.yaml", "subdivisions.yaml", "cities.yaml", "regions.yaml"} {
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
		h.Write(b)
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
	}
	s.Version = hex.EncodeToString(h.Sum(nil))[:16]
	return &s, nil
}
