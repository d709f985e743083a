package directory

import (
	"fmt"
	"strings"
)

func isClosed(o *Organisation) bool { return o.Closed() }
func isAlly(o *Organisation) bool   { return !o.PeerRun() }

// resolveServes resolves Organisation.Serves to the subdivisions and cities
// answers list the organisation under; a country it serves is in
// Countries already. checkFacts reports what does not resolve.
func (x *Index) resolveServes(f *folder, o *Organisation) ([]ref, error) {
	var out []ref
	for _, s := range o.Serves {
		if name, code, ok := strings.Cut(s, ","); ok {
			name, code = strings.TrimSpace(name), strings.TrimSpace(code)
			country, _, _ := strings.Cut(code, "-")
			i, known := x.cityKeys[f.fold(name)+"|"+country]
			if !known {
				return nil, fmt.Errorf("serves %q: unknown city %q in %s", s, name, country)
			}
			out = append(out, ref{refCity, i})
			continue
		}
		if strings.Contains(s, "-") {
			i, known := x.subBy[s]
			if !known {
				return nil, fmt.Errorf("serves %q: unknown subdivision", s)
			}
			out = append(out, ref{refSub, i})
		}
	}
	return out, nil
}
