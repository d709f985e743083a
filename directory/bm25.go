package directory

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// Name matching ranks organisations with BM25F: each organisation is one
// document whose fields weigh differently (its name most, then its acronym
// and other names, then its description), and a query's words score by
// how rare they are across the directory and how much of a document they
// make up. Scores are computed per word and organisation when the index is
// built ("impacts"), so a query only adds up the lists of its words: every
// organisation that has one of them is ranked, not a sample, and the cost
// is the length of those lists.

// Field weights and the BM25 parameters.
const (
	weightName  = 3.0
	weightOther = 2.0
	weightDesc  = 1.0
	bm25K1      = 1.2
	bm25B       = 0.75
)

// minCoverage is how much of a query's meaning (the sum of its words'
// idf) an organisation must hold to be an answer: most of its distinctive
// words, so one common word in common is not enough.
const minCoverage = 0.6

type posting struct {
	org    int32
	impact float32
}

// nameIndex holds the BM25 postings of the organisations' words.
type nameIndex struct {
	terms    smap[int32]     // nameWord → term id; a term whose postings are empty is no term (term)
	postings cvec[[]posting] // term id → organisations with it, by slot
	// gs are, by term id, each posting's word's frequency in its
	// organisation normalised by the organisation's length (tfNorm): a
	// posting's impact is its g times its word's idf, so that when an
	// approval moves a word's document frequency, re-weighing its postings
	// is one multiplication each (With). A compaction, which changes the
	// average length, recovers the frequencies from gs (tfFromNorm).
	gs     cvec[[]float32]
	idf    cvec[float64] // term id → inverse document frequency
	maxIDF float64       // the idf of a word no organisation has
	stats  bmStats
	// nameOrder is, by slot, a key that orders the organisations by name
	// (then by slot), so that equal scores are ordered by name without
	// comparing strings; byName the slots in that order, dead ones left
	// out. The keys are spaced (nameKeys) so that With gives an
	// organisation its key between its neighbours' without renumbering
	// the others. 32 bits, so that the dense ranking's heap entries stay
	// 12 bytes (denseHit).
	nameOrder cvec[uint32]
	byName    []int32
	// dense are the common words' bitsets (dense.go), by term id. Which
	// words are dense is decided by Build (and Compacted) and kept by
	// With, whose changes re-make a dense word's bitsets whole.
	dense map[int32]*denseTerm
	// words is the length of every bitset: room for slotCap slots;
	// blocks how many of them hold slots, which the dense ranking reads.
	words, blocks int
}

// bmStats are BM25's statistics over the whole directory: the number of
// documents (slots not dead, closed organisations' included) and their
// average weighted length. Build computes them; With keeps them, so that
// an approval re-weighs only the postings of the words it changes (their
// idf follows their document frequency exactly), and Compacted computes
// them again. In between every score is off by at most what those changes
// move N and the average (see TestIncrementalScoresStayNearFresh).
type bmStats struct{ n, avg float64 }

// term is word t's term id, if an organisation has it.
func (ni *nameIndex) term(t string) (int32, bool) {
	id, ok := ni.terms.get(t)
	if !ok || len(*ni.postings.at(id)) == 0 {
		return 0, false
	}
	return id, true
}

func (ni *nameIndex) post(t int32) []posting { return *ni.postings.at(t) }
func (ni *nameIndex) idfOf(t int32) float64  { return *ni.idf.at(t) }

// buildNames builds the BM25F index of the organisations' names: their
// words' postings with each word's frequency in each document, then the
// words' idf and the postings' impacts, then the order of names that
// breaks ties. stats, when not nil, are used rather than computed (see
// build).
//
// folded are the names and acronyms addOrgs folded, by organisation; each
// organisation's weighted length goes into its info.
func (x *Index) buildNames(f *folder, orgs []Organisation, info []orgInfo, folded []orgKeys, stats *bmStats) {
	ni := &nameIndex{}
	// Filled in place, rather than a map copied into shards once full: the
	// two at once were some 20 MB of a start's peak at 100,000
	// organisations. The organisations' words are about as many as the
	// terms.
	ni.terms = newPmapSized[string, int32](x.strHash, x.ovocab.len())
	postings, gs, docLen := addDocuments(f, &ni.terms, orgs, info, folded)
	ni.terms.fresh = false
	for i := range info {
		info[i].docLen = docLen[i]
	}
	if stats == nil {
		live := make([]float64, 0, len(docLen))
		for i, l := range docLen {
			if !info[i].dead {
				live = append(live, l)
			}
		}
		stats = docStats(live)
	}
	ni.stats = *stats
	idf := make([]float64, len(postings))
	for t, p := range postings {
		for j := range p {
			gs[t][j] = tfNorm(p[j].impact, docLen[p[j].org], ni.stats.avg)
		}
		idf[t] = ni.idfFor(len(p))
		weigh(p, gs[t], idf[t])
	}
	ni.maxIDF = math.Log(1 + (ni.stats.n+0.5)/0.5)
	ni.words, ni.blocks = (slotCap(len(orgs))+63)/64, (len(orgs)+63)/64
	ni.byName = nameOrder(orgs, info)
	ni.nameOrder = nameKeys(ni.byName, len(orgs))
	ni.buildDense(postings, gs, idf, len(ni.byName))
	ni.postings, ni.gs, ni.idf = newCvec(postings), newCvec(gs), newCvec(idf)
	x.bm = ni
}

// docStats are the statistics of documents of the given weighted lengths
// (a closed organisation's is 0, and counts).
func docStats(docLen []float64) *bmStats {
	var total float64
	for _, l := range docLen {
		total += l
	}
	avg := 1.0
	if len(docLen) > 0 && total > 0 {
		avg = total / float64(len(docLen))
	}
	return &bmStats{n: float64(len(docLen)), avg: avg}
}

// addDocuments lists every organisation's words in the postings, by term
// id (terms, which it fills), each posting holding for now the word's
// weighted frequency in it (a sum of the small integer field weights,
// exact in a float32), and returns them with room for their normalised
// frequencies (gs, by term, each as long as its postings) and the
// documents' weighted lengths. folded are the organisations' names and
// acronyms already folded (by organisation), which are not folded again.
//
// Each term's postings are laid out once, at their length, in one array
// for all: grown by appends, a term at a time, they were some 40 MB of
// garbage at 100,000 organisations, part of a start's peak (issue 15).
// Each is full (its capacity its length), so that With's appends copy it.
func addDocuments(f *folder, terms *smap[int32], orgs []Organisation, info []orgInfo, folded []orgKeys) (postings [][]posting, gs [][]float32, docLen []float64) {
	docLen = make([]float64, len(orgs))
	// First every document's terms, end to end (docEnd[i] is where
	// organisation i's end), and how many documents have each term.
	type docTerm struct {
		term int32
		tf   float32
	}
	all := make([]docTerm, 0, 8*len(orgs))
	docEnd := make([]int32, len(orgs))
	var df []int32
	var doc []docWord // one document's words, reused
	for i := range orgs {
		o := &orgs[i]
		if listed(o) && !info[i].dead {
			doc, docLen[i] = documentWords(f, o, folded[i], doc[:0])
			for _, t := range doc {
				id, ok := terms.get(t.word)
				if !ok {
					id = int32(len(df))
					terms.set(t.word, id)
					df = append(df, 0)
				}
				df[id]++
				all = append(all, docTerm{id, float32(t.tf)})
			}
		}
		docEnd[i] = int32(len(all))
	}
	flat, flatG := make([]posting, len(all)), make([]float32, len(all))
	postings, gs = make([][]posting, len(df)), make([][]float32, len(df))
	at := 0
	for t, n := range df {
		end := at + int(n)
		postings[t], gs[t] = flat[at:at:end], flatG[at:end:end]
		at = end
	}
	from := int32(0)
	for i, end := range docEnd {
		for _, d := range all[from:end] {
			postings[d.term] = append(postings[d.term], posting{org: int32(i), impact: d.tf})
		}
		from = end
	}
	return postings, gs, docLen
}

// docWord is a word's weighted frequency in one document.
type docWord struct {
	word string
	tf   float64
}

// documentWords lists a listed organisation's words with their weighted
// frequencies, in the order they first come, and returns its weighted
// length: its name, acronym, other names and description, each field by
// its weight. folded are its name and acronym folded.
func documentWords(f *folder, o *Organisation, folded orgKeys, doc []docWord) ([]docWord, float64) {
	var n float64
	add := func(text string, w float64) {
		for t := range nameWordSeq(text) {
			n += w
			doc = addDocWord(doc, t, w)
		}
	}
	add(folded.name, weightName)
	add(folded.acronym, weightOther)
	for _, on := range o.OtherNames {
		if on != "" {
			add(f.fold(on), weightOther)
		}
	}
	if o.Description != "" {
		add(f.fold(o.Description), weightDesc)
	}
	return doc, n
}

// addDocWord adds w to word t's frequency in doc. A document has a few
// dozen words at most, so a scan beats a map.
func addDocWord(doc []docWord, t string, w float64) []docWord {
	for i := range doc {
		if doc[i].word == t {
			doc[i].tf += w
			return doc
		}
	}
	return append(doc, docWord{t, w})
}

// tfNorm is BM25's saturated frequency of a word of weighted frequency tf
// in a document of weighted length dl, the average being avg.
func tfNorm(tf float32, dl, avg float64) float32 {
	f := float64(tf)
	return float32(f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*dl/avg)))
}

// tfFromNorm is the weighted frequency whose tfNorm in a document of
// length dl, the average being avg, is g. Frequencies are sums of the
// field weights, whole numbers, which g (to float32's precision) gives
// back exactly for any frequency a name can have: the nearest whole
// number to the inverse of tfNorm. (TestIncrementalEqualsFreshBuild
// compares a compaction, which relies on it, with a build.)
func tfFromNorm(g float32, dl, avg float64) float32 {
	k := bm25K1 * (1 - bm25B + bm25B*dl/avg)
	return float32(math.Round(float64(g) * k / (bm25K1 + 1 - float64(g))))
}

// idfFor is the idf of a word df organisations have, under ni.stats.
func (ni *nameIndex) idfFor(df int) float64 {
	return math.Log(1 + (ni.stats.n-float64(df)+0.5)/(float64(df)+0.5))
}

// weigh sets the impacts of a word's postings p, of normalised
// frequencies g, for its idf.
func weigh(p []posting, g []float32, idf float64) {
	for j := range p {
		p[j].impact = float32(idf * float64(g[j]))
	}
}

// nameOrder lists the organisations (not dead) in name order.
func nameOrder(orgs []Organisation, info []orgInfo) (byName []int32) {
	byName = make([]int32, 0, len(orgs))
	for i := range orgs {
		if !info[i].dead {
			byName = append(byName, int32(i))
		}
	}
	slices.SortStableFunc(byName, func(a, b int32) int { return strings.Compare(orgs[a].Name, orgs[b].Name) })
	return byName
}

// nameKeys are the name keys of n slots listed by name in byName, spread
// evenly over 32 bits: at 100,000 organisations some fifteen can be put
// between two neighbours, halving the gap, before all are numbered again.
func nameKeys(byName []int32, n int) cvec[uint32] {
	keys := make([]uint32, n)
	gap := uint64(1<<32) / uint64(len(byName)+2)
	for p, s := range byName {
		keys[s] = uint32(uint64(p+1) * gap)
	}
	return newCvec(keys)
}

// rankNames ranks the organisations that hold most of the query's words
// (minCoverage of their idf) and that keep accepts (nil keeps all): it
// returns the best MaxPerTier, best first, and how many matched in all.
// words are folded; stop words are left out here. bonus words (the place a
// query named beside the name) add to the score of the names that have
// them but are not asked for: "Vancouver network of drug users" is VANDU
// before UNDUN.
func (x *Index) rankNames(words, bonus []string, keep func(int32) bool) ([]int32, int) {
	ni, q, need, ok := x.lookUpNames(words, bonus)
	if !ok {
		return nil, 0
	}
	s := x.getScratch()
	defer x.putRankScratch(s)
	if keep == nil {
		if ids, total, ok := ni.rankDense(s, q, need); ok {
			return ids, total
		}
	}
	ni.accumulate(s, q)
	return ni.best(s, need, keep)
}

// lookUpNames looks a name query's words up for rankNames and
// rankNamesServing, with the coverage a match needs; ok is false when no
// name could match.
func (x *Index) lookUpNames(words, bonus []string) (ni *nameIndex, q nameQuery, need float32, ok bool) {
	ni = x.bm
	if ni == nil {
		return nil, q, 0, false
	}
	q = ni.query(words, bonus)
	if len(q.terms) == 0 || q.want == 0 || !ni.reachable(q) {
		return nil, q, 0, false
	}
	return ni, q, float32(minCoverage * q.want * 0.9999), true // float32 sums round
}

// putRankScratch clears the accumulators a ranking touched in s and
// returns it to the pool.
func (x *Index) putRankScratch(s *scratch) {
	for _, id := range s.touched {
		s.acc[id] = accum{}
	}
	s.touched = s.touched[:0]
	x.putScratch(s)
}

// rankNamesServing is rankNames with keep accepting the organisations
// that serve one of places (serves), and the same answer. When it can
// list those organisations from the place's side (servedSet), it ranks
// them alone: scoring each, when they are few beside the postings, or
// else the dense ranking narrowed to them; otherwise it filters every
// match as rankNames does.
func (x *Index) rankNamesServing(words, bonus []string, places []ref) ([]int32, int) {
	ni, q, need, ok := x.lookUpNames(words, bonus)
	if !ok {
		return nil, 0
	}
	s := x.getScratch()
	defer x.putRankScratch(s)
	keep := func(id int32) bool { return x.serves(id, places) }
	if n, ok := x.servedSet(s, places); ok {
		postings := 0
		for _, t := range q.terms {
			postings += len(ni.post(t))
		}
		// Scoring a name costs a lookup per word; adding up, a
		// posting's worth (or less, block by block) per word's name.
		if n*(len(q.terms)+len(q.extra)) <= postings/servedScoreShare {
			return ni.rankAmong(s, q, need, s.servedList())
		}
		if ids, total, ok := ni.rankDenseIn(s, q, need, s.served); ok {
			return ids, total
		}
		keep = func(id int32) bool { return bitIsSet(s.served, id) }
	}
	ni.accumulate(s, q)
	return ni.best(s, need, keep)
}

// servedScoreShare is where rankNamesServing turns from scoring each
// organisation served (a few scattered reads per word) to the dense
// ranking narrowed to them: when they times the query's words are more
// than the postings of its words by this share.
const servedScoreShare = 32

// maxServedShare bounds the candidates servedSet checks by serves, as a
// share of the slots: beyond, filtering the matches (a few of which have
// the query's words) costs less. Those it lists as served without a
// check cost a bit each, and are not bounded.
const maxServedShare = 8

// servedSet puts in the bitset s.served every listed organisation that
// serves one of places (serves(id, places)) and returns how many, or
// reports false (leaving it empty) when it would check more candidates
// than a share of the slots.
//
// It reads them from the lists answers are made of, which placesOf
// fills, and from the few regional and international networks, which it
// checks by serves. For a city c of country C a listed organisation
// serves, C is one of its countries, and it is seated in c or serves it
// (a local or national group: c's list), a national body (C's), a local
// group of c's province (the province's list) or a local group at a real
// point within NearKm (the tree of them). A province's list holds the
// local groups in it or serving one of its cities, and whoever serves it;
// a national body with the province, or serving one of its cities, is in
// some country's list of them. A country's, or a region's countries',
// local groups and national bodies serve it, and so do the groups in the
// lists of its cities, who are seated in them or serve them. Those the
// lists show to serve are listed without a check; the other candidates
// are checked by serves, so the set is exact if the candidates hold it
// (TestPlaceRankingEqualsFiltering compares it with every organisation
// serves accepts).
func (x *Index) servedSet(s *scratch, places []ref) (int, bool) {
	if len(places) == 0 {
		return 0, false
	}
	cities := true
	for _, p := range places {
		cities = cities && p.kind == refCity
	}
	limit := x.orgs.len()/maxServedShare + 64
	// Organisations are served once their bit is set, and were checked
	// and found not to serve once marked: the bitset, a bit each, is the
	// cheaper to test, and most candidates serve.
	s.resetMarks()
	checked := 0
	s.servedUsed = true
	served := s.served
	add := func(id int32) { served[id>>6] |= 1 << (id & 63) }
	accept := func(ids []int32) {
		for _, id := range ids {
			served[id>>6] |= 1 << (id & 63)
		}
	}
	// serves, or for cities alone, once their own lists are done,
	// serves without the scan of those lists.
	check := x.serves
	if cities {
		check = x.servesUnlisted
	}
	one := func(id int32) bool {
		if bitIsSet(s.served, id) || !s.mark(id) {
			return true
		}
		if checked++; checked > limit {
			return false
		}
		if check(id, places) {
			add(id)
		}
		return true
	}
	try := func(ids []int32) bool {
		for _, id := range ids {
			if !one(id) {
				return false
			}
		}
		return true
	}
	// First the lists whose organisations all serve.
	ok := true
	for _, p := range places {
		switch p.kind {
		case refCity:
			// One of city p's serves it if p's country is one of its.
			country := x.cities[p.idx].Country
			for _, id := range x.cityList(p.idx) {
				if bitIsSet(s.served, id) || !s.mark(id) {
					continue
				}
				if slices.Contains(x.org(id).Countries, country) {
					add(id)
					continue
				}
				if checked++; checked > limit {
					ok = false
					break
				}
				if x.serves(id, places) {
					add(id)
				}
			}
		case refSub:
			accept(x.subIn.at(x.subs[p.idx].Code))
		case refCountry:
			var in countrySet
			in.add(x.countries[p.idx].Code)
			x.acceptCountries(&in, accept)
		case refRegion:
			var in countrySet
			for code, gs := range x.countryRegion {
				if slices.Contains(gs, p.idx) {
					in.add(code)
				}
			}
			x.acceptCountries(&in, accept)
		}
	}
	// Then the candidates to check.
	if ok {
		ok = try(x.international)
	}
	for i := 0; ok && i < len(x.regions); i++ {
		ok = try(x.regional.at(x.regions[i].ID))
	}
	nationals := false // every country's national bodies tried
	for _, p := range places {
		if !ok {
			break
		}
		switch p.kind {
		case refCity:
			c := &x.cities[p.idx]
			ok = try(x.national.at(c.Country))
			if ok && c.Subdivision != "" {
				ok = try(x.subIn.at(c.Subdivision))
			}
			if ok {
				// A little farther than NearKm: serves measures by
				// DistanceKm, the tree by chords, which may round
				// apart.
				near := x.localTree.appendWithin(s.near[:0], Point{c.Lat, c.Lon}, NearKm+1)
				// A local group at a real point (the tree's) in c's
				// country serves c if it is within NearKm: surely so
				// when its chord is well within, which saves serves'
				// DistanceKm for most of them.
				inner := withinR2(NearKm - 0.01)
				for i := 0; ok && i < len(near); i++ {
					id := near[i].id
					if near[i].d <= inner && !bitIsSet(s.served, id) && slices.Contains(x.org(id).Countries, c.Country) {
						add(id)
						continue
					}
					ok = one(id)
				}
				s.near = near[:0]
			}
		case refSub:
			for i := 0; ok && !nationals && i < len(x.countries); i++ {
				ok = try(x.national.at(x.countries[i].Code))
			}
			nationals = true
		}
	}
	if !ok {
		s.clearServed()
		return 0, false
	}
	n := 0
	for _, w := range served[:(x.orgs.len()+63)/64] {
		n += bits.OnesCount64(w)
	}
	return n, true
}

// countrySet is a set of countries by alpha-2 code: a bit each, for the
// cities' codes to be looked up without a map.
type countrySet struct {
	bits  [26*26/64 + 1]uint64
	codes []string
	odd   []string // codes not of two capital letters, if any
}

func countryBit(code string) (int, bool) {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return 0, false
	}
	return int(code[0]-'A')*26 + int(code[1]-'A'), true
}

func (c *countrySet) add(code string) {
	c.codes = append(c.codes, code)
	if b, ok := countryBit(code); ok {
		c.bits[b>>6] |= 1 << (b & 63)
	} else {
		c.odd = append(c.odd, code)
	}
}

func (c *countrySet) has(code string) bool {
	if b, ok := countryBit(code); ok {
		return c.bits[b>>6]>>(b&63)&1 != 0
	}
	return slices.Contains(c.odd, code)
}

// acceptCountries passes to accept the organisations that serve one of
// the countries in: their local groups and national bodies, and the
// groups in the lists of their cities.
func (x *Index) acceptCountries(in *countrySet, accept func([]int32)) {
	for _, code := range in.codes {
		accept(x.countryLocal.at(code))
		accept(x.national.at(code))
	}
	if cross := x.crossBorderOf(); cross != nil {
		// The cities' lists hold these beyond the countries' own.
		for _, code := range in.codes {
			accept(cross[code])
		}
		return
	}
	if len(in.codes) == 1 {
		// One country (the usual case): its code compared as it is.
		code := in.codes[0]
		if len(code) != 2 {
			for i := range x.cities {
				if x.cities[i].Country == code {
					accept(x.cityList(int32(i)))
				}
			}
			return
		}
		// Byte by byte: == calls memequal for strings of unknown length.
		a, b := code[0], code[1]
		for i := range x.cities {
			if cc := x.cities[i].Country; len(cc) == 2 && cc[0] == a && cc[1] == b {
				accept(x.cityList(int32(i)))
			}
		}
		return
	}
	for i := range x.cities {
		if in.has(x.cities[i].Country) {
			accept(x.cityList(int32(i)))
		}
	}
}

// servesUnlisted is serves(id, places) for cities places, id being in
// none of their lists: the same conditions but that one, whose scan of a
// city's list, for each of a province's groups, was most of the cost of
// listing a city's organisations.
func (x *Index) servesUnlisted(id int32, places []ref) bool {
	o, info := x.org(id), x.info.at(id)
	for _, p := range places {
		c := &x.cities[p.idx]
		if !slices.Contains(o.Countries, c.Country) {
			continue
		}
		if info.city == p.idx || o.Kind == KindNational ||
			(c.Subdivision != "" && o.Province == c.Subdivision) ||
			(o.Coordinates != nil && info.real && DistanceKm(*o.Coordinates, Point{c.Lat, c.Lon}) <= NearKm) {
			return true
		}
	}
	return false
}

// rankAmong ranks as accumulate and best do with a keep that accepts the
// organisations ids (each once, in any order) alone, by scoring each of
// them: their scores and covers are added up in the order accumulate
// adds them (scoreOf), so that the float32 sums are the same, and the
// heap orders them as best does (score, then name order), a total order,
// so the order they come in does not matter.
func (ni *nameIndex) rankAmong(s *scratch, q nameQuery, need float32, ids []int32) ([]int32, int) {
	r := denseRanker{ni: ni, s: s, q: q}
	for _, t := range q.terms {
		r.termBits = append(r.termBits, ni.dense[t])
	}
	for _, t := range q.extra {
		r.extraBits = append(r.extraBits, ni.dense[t])
	}
	better := func(a, b int32) bool {
		x, y := &s.hits[a], &s.hits[b]
		if x.score != y.score {
			return x.score > y.score
		}
		return x.order < y.order
	}
	s.hits = s.hits[:0]
	h := topK{better: better}
	total := 0
	for _, id := range ids {
		a, has := r.scoreOf(id), false
		if a.cover == 0 {
			// Only a name with one of the words is a match (accumulate
			// touches no other), which a cover of 0 may not show.
			for i, t := range q.terms {
				if _, ok := ni.impact(t, r.termBits[i], id); ok {
					has = true
					break
				}
			}
		} else {
			has = true
		}
		if !has || a.cover < need {
			continue
		}
		total++
		if len(h.ids) == MaxPerTier && a.score < s.hits[h.ids[0]].score {
			continue
		}
		k := int32(len(s.hits))
		s.hits = append(s.hits, denseHit{a.score, *ni.nameOrder.at(id), id})
		h.offer(k, MaxPerTier)
	}
	out := h.ids
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	for i, k := range out {
		out[i] = s.hits[k].id
	}
	return out, total
}

// reachable reports whether a name holding every word of q the index has
// could cover what a match must (minCoverage of q.want). When it could
// not ("peer netwrok": the unknown word weighs most), no name matches, and
// ranking them all to find none cost as much as a vague query. The bound
// is widened past float32 rounding, so it never turns a match away.
func (ni *nameIndex) reachable(q nameQuery) bool {
	var reach float64
	for _, t := range q.terms {
		reach += float64(float32(ni.idfOf(t)))
	}
	return reach*(1+1e-4) >= minCoverage*q.want*0.9999
}

// nameQuery is a query's words as name ranking uses them.
type nameQuery struct {
	terms []int32 // the asked words the index has, each once
	extra []int32 // bonus words the index has, not asked for
	want  float64 // the asked words' total idf, unknown words at maxIDF
}

// query looks the words up: stop words and repeats left out, a word no
// organisation has counting at maxIDF towards what a match must cover.
func (ni *nameIndex) query(words, bonus []string) nameQuery {
	var q nameQuery
	seen := make([]string, 0, len(words))
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		w = nameWord(w)
		if slices.Contains(seen, w) {
			continue
		}
		seen = append(seen, w)
		if t, ok := ni.term(w); ok {
			q.terms = append(q.terms, t)
			q.want += ni.idfOf(t)
		} else {
			q.want += ni.maxIDF
		}
	}
	for _, w := range bonus {
		if t, ok := ni.term(nameWord(w)); ok && !slices.Contains(seen, nameWord(w)) {
			q.extra = append(q.extra, t)
		}
	}
	return q
}

// accumulate adds up, for every organisation with an asked word, its
// score and the idf it covers; bonus words add to the score of those only.
func (ni *nameIndex) accumulate(s *scratch, q nameQuery) {
	for _, t := range q.terms {
		idf := float32(ni.idfOf(t))
		for _, p := range ni.post(t) {
			a := &s.acc[p.org]
			if a.cover == 0 {
				s.touched = append(s.touched, p.org)
			}
			a.score += p.impact
			a.cover += idf
		}
	}
	for _, t := range q.extra {
		for _, p := range ni.post(t) {
			if a := &s.acc[p.org]; a.cover != 0 {
				a.score += p.impact
			}
		}
	}
}

// best counts the accumulated organisations that cover need and that keep
// accepts, and returns the best MaxPerTier of them in order. Every match is
// ranked, but only the best are kept in order (a bounded heap): sorting
// tens of thousands of matches of a vague query would cost more than
// finding them.
func (ni *nameIndex) best(s *scratch, need float32, keep func(int32) bool) ([]int32, int) {
	better := func(a, b int32) bool {
		if sa, sb := s.acc[a].score, s.acc[b].score; sa != sb {
			return sa > sb
		}
		return *ni.nameOrder.at(a) < *ni.nameOrder.at(b)
	}
	h := topK{better: better}
	total := 0
	for _, id := range s.touched {
		a := s.acc[id]
		if a.cover >= need && (keep == nil || keep(id)) {
			total++
			// A full heap takes only a better one than its worst; a lower
			// score cannot be (ties go to offer, which compares names).
			if len(h.ids) == MaxPerTier && a.score < s.acc[h.ids[0]].score {
				continue
			}
			h.offer(id, MaxPerTier)
		}
	}
	out := h.ids
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out, total
}

// topK keeps the k best ids offered: a heap whose root is the worst kept.
type topK struct {
	ids    []int32
	better func(a, b int32) bool
}

func (h *topK) offer(id int32, k int) {
	if len(h.ids) < k {
		h.ids = append(h.ids, id)
		h.up(len(h.ids) - 1)
		return
	}
	if !h.better(id, h.ids[0]) {
		return
	}
	h.ids[0] = id
	h.down(0)
}

// worse orders the heap: the root is the worst.
func (h *topK) worse(i, j int) bool { return h.better(h.ids[j], h.ids[i]) }

func (h *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			return
		}
		h.ids[i], h.ids[p] = h.ids[p], h.ids[i]
		i = p
	}
}

func (h *topK) down(i int) {
	n := len(h.ids)
	for {
		l, m := 2*i+1, i
		if l < n && h.worse(l, m) {
			m = l
		}
		if r := l + 1; r < n && h.worse(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h.ids[i], h.ids[m] = h.ids[m], h.ids[i]
		i = m
	}
}
