package directory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"golang.org/x/text/language"
)

// The place index (countries, provinces, the GeoNames cities and their
// names, words and misspellings) depends only on the place files of the
// seed and the bot's languages, so go generate builds it once and writes
// it to data/places.bin (GeneratePlaces, internal/placegen); LoadSeed
// decodes that instead of parsing 700 KB of YAML and TSV and indexing it
// at every start (issue 15: start to the first answer under 100 ms).
//
// The format is private to this package and changes with it: a header
// (placesMagic, placesFormat, the digest of the sources, the languages,
// the sizes of the pools the decoder allocates once), then the Index's
// fields in a fixed order. Numbers are unsigned varints, floats their
// IEEE bits in 8 little-endian bytes, a string its length then its bytes,
// a list its length + 1 with 0 for a nil list, and maps are written
// sorted by key, so that one input always gives the same bytes (the
// staleness test compares them). The misspelling index's hashes and
// their directory are the deletionIndex's own fixed-width bytes, used in
// place; its word lists are decoded.
//
// Strings of the decoded index are substrings of the file: the file is
// embedded as a string, so they point into the binary's read-only data
// and cost no heap.

// placesMagic starts a place file; placesFormat is its layout's version,
// raised whenever encodePlaces changes.
const (
	placesMagic  = "unionbot places\n"
	placesFormat = 1
)

// placeFile is a decoded place file.
type placeFile struct {
	digest string   // of the place sources (Seed.placesDigest)
	langs  []string // the languages it was built for, as BCP 47 tags
	x      *Index   // the place index, as Seed.placeIndex builds it
}

// speaks reports whether the file was built for exactly these languages,
// in this order (the order decides the order of a country's names).
func (p *placeFile) speaks(tags []language.Tag) bool {
	if len(tags) != len(p.langs) {
		return false
	}
	for i, t := range tags {
		if t.String() != p.langs[i] {
			return false
		}
	}
	return true
}

// placeWriter appends the encoding; it counts what the decoder's pools
// will hold.
type placeWriter struct {
	b                      []byte
	nStrs, nRefs, nRegions int
}

func (w *placeWriter) uv(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *placeWriter) int(v int)   { w.uv(uint64(v)) }
func (w *placeWriter) str(ss ...string) {
	for _, s := range ss {
		w.int(len(s))
		w.b = append(w.b, s...)
	}
}

func (w *placeWriter) f64(fs ...float64) {
	for _, f := range fs {
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f))
	}
}

// strs writes lists of strings, each its length + 1, 0 for nil.
func (w *placeWriter) strs(ls ...[]string) {
	for _, l := range ls {
		if l == nil {
			w.int(0)
			continue
		}
		w.int(len(l) + 1)
		w.nStrs += len(l)
		w.str(l...)
	}
}

func (w *placeWriter) names(m map[string]string) {
	if m == nil {
		w.int(0)
		return
	}
	w.int(len(m) + 1)
	for _, k := range sortedKeys(m) {
		w.str(k)
		w.str(m[k])
	}
}

func (w *placeWriter) city(c *City) {
	w.str(c.Name)
	w.strs(c.Aliases)
	w.str(c.Country, c.Subdivision)
	w.f64(c.Lat, c.Lon)
}

func (w *placeWriter) index(m map[string]int32) {
	w.int(len(m))
	for _, k := range sortedKeys(m) {
		w.str(k)
		w.int(int(m[k]))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encodePlaces encodes a place index (Seed.placeIndex's) built from
// sources with the given digest for langs.
func encodePlaces(x *Index, digest string, langs []language.Tag) []byte {
	var w placeWriter
	w.int(len(x.countries))
	for i := range x.countries {
		c := &x.countries[i]
		w.str(c.Code, c.Alpha3, c.Name)
		w.strs(c.Aliases, c.Local, c.Names)
		w.city(&c.Capital)
	}
	w.int(len(x.subs))
	w.int(x.curatedSubs)
	for i := range x.subs {
		s := &x.subs[i]
		w.str(s.Code, s.Name)
		w.strs(s.Aliases)
		w.names(s.Names)
		w.f64(s.Point.Lat, s.Point.Lon)
	}
	w.int(len(x.cities))
	for i := range x.cities {
		w.city(&x.cities[i])
	}
	w.int(len(x.regions))
	for i := range x.regions {
		g := &x.regions[i]
		w.str(g.ID, g.Name)
		w.strs(g.Aliases)
		w.names(g.Names)
		w.strs(g.Countries)
	}
	w.index(x.countryBy)
	w.index(x.subBy)
	w.index(x.regionBy)
	w.index(x.cityKeys)
	listed := make([]int32, 0, len(x.cityListed))
	for c := range x.cityListed {
		listed = append(listed, c)
	}
	slices.Sort(listed)
	w.int(len(listed))
	for _, c := range listed {
		w.int(int(c))
		w.int(x.cityListed[c])
	}
	w.int(len(x.countryRegion))
	for _, k := range sortedKeys(x.countryRegion) {
		w.str(k)
		w.int(len(x.countryRegion[k]))
		w.nRegions += len(x.countryRegion[k])
		for _, g := range x.countryRegion[k] {
			w.int(int(g))
		}
	}
	w.int(len(x.words))
	runes := 0
	for id, rw := range x.words {
		runes += len(rw)
		w.str(string(rw))
		if x.fuzzed[id] {
			w.b = append(w.b, 1)
		} else {
			w.b = append(w.b, 0)
		}
	}
	w.int(len(x.keys))
	for _, k := range sortedKeys(x.keys) {
		w.str(k)
		refs := x.keys[k]
		w.int(len(refs))
		w.nRefs += len(refs)
		for _, r := range refs {
			w.int(int(r.kind))
			w.int(int(r.idx))
		}
	}
	w.int(len(x.cityTree.pts))
	for _, p := range x.cityTree.pts {
		w.int(int(p.id))
	}
	d := x.placeDels
	w.int(len(d.start) - 1)
	for k := 1; k < len(d.start); k++ {
		w.int(int(d.start[k] - d.start[k-1]))
	}
	for _, id := range d.ids {
		w.int(int(id))
	}
	w.int(int(64 - d.shift))
	w.b = append(w.b, d.hashes...)
	w.b = append(w.b, d.dir...)

	var h placeWriter
	h.b = append(h.b, placesMagic...)
	h.int(placesFormat)
	h.str(digest)
	tags := make([]string, len(langs))
	for i, t := range langs {
		tags[i] = t.String()
	}
	h.strs(tags)
	h.int(w.nStrs)
	h.int(runes)
	h.int(w.nRefs)
	h.int(w.nRegions)
	h.int(len(d.ids))
	return append(h.b, w.b...)
}

// placeReader decodes a place file. The first error stops it: every later
// read returns a zero value, and the error is reported at the end.
type placeReader struct {
	s   string
	off int
	err error

	strs  []string // pool of every []string's elements, allocated once
	runes []rune   // pool of the words' runes
	refs  []ref
	ints  []int32
}

func (r *placeReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("places: %s at byte %d", what, r.off)
	}
	r.off = len(r.s)
}

func (r *placeReader) uv() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.off >= len(r.s) {
			r.fail("truncated")
			return 0
		}
		c := r.s[r.off]
		r.off++
		if c < 0x80 {
			if shift == 63 && c > 1 {
				break
			}
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
	}
	r.fail("bad number")
	return 0
}

// count reads a number of items that each take at least one byte, so that
// a corrupt count cannot make the decoder allocate more than the file.
func (r *placeReader) count() int {
	v := r.uv()
	if v > uint64(len(r.s)-r.off) {
		r.fail("count beyond the end")
		return 0
	}
	return int(v)
}

// idx reads an index into a list of n.
func (r *placeReader) idx(n int) int32 {
	v := r.uv()
	if v >= uint64(n) {
		r.fail("index out of range")
		return 0
	}
	return int32(v)
}

func (r *placeReader) str() string {
	n := r.count()
	s := r.s[r.off : r.off+n]
	r.off += n
	return s
}

func (r *placeReader) f64() float64 {
	if len(r.s)-r.off < 8 {
		r.fail("truncated")
		return 0
	}
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(r.s[r.off+i])
	}
	r.off += 8
	return math.Float64frombits(v)
}

// list reads a list's length + 1, 0 for nil; ok is false for nil.
func (r *placeReader) list() (n int, ok bool) {
	n = r.count()
	if n == 0 {
		return 0, false
	}
	return n - 1, true
}

// take reads n items with read into *pool, whose room the header
// declared, and returns them: pools are allocated once, and a corrupt
// count cannot grow them.
func take[T any](r *placeReader, pool *[]T, n int, read func() T) []T {
	p := *pool
	if n > cap(p)-len(p) {
		r.fail("more items than declared")
		return nil
	}
	start := len(p)
	for range n {
		p = append(p, read())
	}
	*pool = p
	return p[start:len(p):len(p)]
}

func (r *placeReader) strList() []string {
	n, ok := r.list()
	if !ok {
		return nil
	}
	return take(r, &r.strs, n, r.str)
}

func (r *placeReader) names() map[string]string {
	n, ok := r.list()
	if !ok {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := r.str()
		m[k] = r.str()
	}
	return m
}

func (r *placeReader) city() City {
	return City{Name: r.str(), Aliases: r.strList(), Country: r.str(), Subdivision: r.str(), Lat: r.f64(), Lon: r.f64()}
}

func (r *placeReader) index(size int) map[string]int32 {
	n := r.count()
	m := make(map[string]int32, n)
	for range n {
		k := r.str()
		m[k] = r.idx(size)
	}
	return m
}

// pool reads a pool's declared size.
func (r *placeReader) pool() int { return r.count() }

// decodePlaces decodes a place file. A corrupt file is an error, never a
// panic (FuzzDecodePlaces); the index of a file that decodes refers only
// to its own places and words.
func decodePlaces(s string) (*placeFile, error) {
	if len(s) < len(placesMagic) || s[:len(placesMagic)] != placesMagic {
		return nil, errors.New("places: not a place file")
	}
	r := &placeReader{s: s, off: len(placesMagic)}
	if v := r.uv(); v != placesFormat {
		return nil, fmt.Errorf("places: format %d, want %d", v, placesFormat)
	}
	p := &placeFile{digest: r.str()}
	n, _ := r.list()
	p.langs = make([]string, n)
	for i := range p.langs {
		p.langs[i] = r.str()
	}
	r.strs = make([]string, 0, r.pool())
	r.runes = make([]rune, 0, r.pool())
	r.refs = make([]ref, 0, r.pool())
	r.ints = make([]int32, 0, r.pool())
	nIDs := r.pool()
	x := &Index{}
	p.x = x

	x.countries = make([]Country, r.count())
	for i := range x.countries {
		x.countries[i] = Country{Code: r.str(), Alpha3: r.str(), Name: r.str(),
			Aliases: r.strList(), Local: r.strList(), Names: r.strList(), Capital: r.city()}
	}
	x.subs = make([]Subdivision, r.count())
	if x.curatedSubs = r.count(); x.curatedSubs > len(x.subs) {
		r.fail("more hand-written subdivisions than subdivisions")
	}
	for i := range x.subs {
		x.subs[i] = Subdivision{Code: r.str(), Name: r.str(), Aliases: r.strList(), Names: r.names(),
			Point: Point{r.f64(), r.f64()}}
	}
	x.cities = make([]City, r.count())
	for i := range x.cities {
		x.cities[i] = r.city()
	}
	x.regions = make([]Region, r.count())
	for i := range x.regions {
		x.regions[i] = Region{ID: r.str(), Name: r.str(), Aliases: r.strList(), Names: r.names(), Countries: r.strList()}
	}
	x.countryBy = r.index(len(x.countries))
	x.subBy = r.index(len(x.subs))
	x.regionBy = r.index(len(x.regions))
	x.cityKeys = r.index(len(x.cities))
	n = r.count()
	x.cityListed = make(map[int32]int, n)
	for range n {
		c := r.idx(len(x.cities))
		x.cityListed[c] = int(r.idx(math.MaxInt32))
	}
	n = r.count()
	x.countryRegion = make(map[string][]int32, n)
	region := func() int32 { return r.idx(len(x.regions)) }
	for range n {
		k := r.str()
		x.countryRegion[k] = take(r, &r.ints, r.count(), region)
	}
	decodeWords(r, x)
	decodeKeys(r, x)
	pts := make([]geoPoint, r.count())
	for i := range pts {
		id := r.idx(len(x.cities))
		if r.err != nil {
			break
		}
		c := &x.cities[id]
		pts[i] = geoPoint{unit(Point{c.Lat, c.Lon}), id}
	}
	x.cityTree = &geoTree{pts: pts}
	x.placeDels = decodeDeletions(r, len(x.words), nIDs)
	if r.err == nil && r.off != len(s) {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// decodeWords reads the vocabulary: each word once, with whether its
// misspellings are indexed.
func decodeWords(r *placeReader, x *Index) {
	n := r.count()
	x.words = make([][]rune, n)
	x.fuzzed = make([]bool, n)
	x.vocab = make(map[string]int32, n)
	for id := range n {
		w := r.str()
		start := len(r.runes)
		for _, c := range w {
			if len(r.runes) == cap(r.runes) {
				r.fail("more letters than declared")
				return
			}
			r.runes = append(r.runes, c)
		}
		x.words[id] = r.runes[start:len(r.runes):len(r.runes)]
		x.vocab[w] = int32(id)
		x.fuzzed[id] = r.idx(2) == 1
	}
}

// decodeKeys reads the folded names and what each names.
func decodeKeys(r *placeReader, x *Index) {
	n := r.count()
	x.keys = make(map[string][]ref, n)
	sizes := [...]int{refCountry: len(x.countries), refSub: len(x.subs), refCity: len(x.cities), refRegion: len(x.regions)}
	place := func() ref {
		kind := refKind(r.idx(len(sizes)))
		if kind < refCountry {
			r.fail("not a place")
			return ref{}
		}
		return ref{kind, r.idx(sizes[kind])}
	}
	for range n {
		k := r.str()
		x.keys[k] = take(r, &r.refs, r.count(), place)
	}
}

// decodeDeletions reads the misspelling index: the word lists, then the
// hashes and their directory, which stay in the file (see deletionIndex).
// A corrupt directory can make a lookup miss but not fail: words checks
// what it reads.
func decodeDeletions(r *placeReader, nWords, nIDs int) *deletionIndex {
	n := r.count()
	d := &deletionIndex{start: make([]int32, 1, n+1), ids: make([]int32, 0, nIDs)}
	total := 0
	for range n {
		total += r.count()
		if total > nIDs {
			r.fail("more word ids than declared")
			return d
		}
		d.start = append(d.start, int32(total))
	}
	for range total {
		d.ids = append(d.ids, r.idx(nWords))
	}
	bits := r.uv()
	if bits > 32 || (1<<bits+1)*4 > uint64(len(r.s)-r.off) || n*8 > len(r.s)-r.off-(1<<bits+1)*4 {
		r.fail("bad misspelling table")
		return d
	}
	d.shift = 64 - uint(bits)
	d.hashes = r.s[r.off : r.off+8*n]
	r.off += len(d.hashes)
	d.dir = r.s[r.off : r.off+(1<<bits+1)*4]
	r.off += len(d.dir)
	return d
}
