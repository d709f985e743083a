package directory

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestChordKmIsDistanceKm checks that the distance a city's answer shows
// from the squared chord (chordKm) is the haversine distance DistanceKm
// gives, for points near and far apart.
func TestChordKmIsDistanceKm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a := Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
		b := Point{a.Lat + (r.Float64()-0.5)*r.Float64()*4, a.Lon + (r.Float64()-0.5)*r.Float64()*4}
		if r.IntN(4) == 0 {
			b = Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
		}
		b.Lat = max(-90, min(90, b.Lat))
		got, want := chordKm(chord2(unit(a), unit(b))), DistanceKm(a, b)
		if math.Abs(got-want) > 1e-6*max(1, want) {
			t.Fatalf("chordKm between %v and %v = %.9f km, DistanceKm %.9f", a, b, got, want)
		}
	}
}
