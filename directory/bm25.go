package directory

import (
	"math"
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
	terms    map[string]int32 // nameWord → term id
	postings [][]posting      // term id → organisations with it, by id
	idf      []float64        // term id → inverse document frequency
	maxIDF   float64          // the idf of a word no organisation has
	// nameOrder is each organisation's position in name order, so that
	// equal scores are ordered by name without comparing strings.
	nameOrder []int32
	// dense are the common words' bitsets (dense.go), by term id.
	dense map[int32]*denseTerm
}

// buildNames builds the BM25F index of the organisations' names: their
// words' postings with each word's frequency in each document, then the
// words' idf and the postings' impacts, then the order of names that
// breaks ties.
//
// folded are the names and acronyms addOrgs folded, by organisation.
func (x *Index) buildNames(f *folder, folded []orgKeys) {
	ni := &nameIndex{terms: make(map[string]int32)}
	docLen := ni.addDocuments(f, x.orgs, folded)
	ni.weigh(docLen)
	ni.buildDense(len(x.orgs))
	ni.nameOrder = nameOrder(x.orgs)
	x.bm = ni
}

// termFreq is a word's weighted frequency in one document.
type termFreq struct {
	term int32
	tf   float64
}

// addDocuments lists every organisation's words in the postings, each
// posting holding for now the word's weighted frequency in it (a sum of
// the small integer field weights, exact in a float32), and returns the
// documents' weighted lengths. folded are the organisations' names and
// acronyms already folded (by organisation), which are not folded again.
func (ni *nameIndex) addDocuments(f *folder, orgs []Organisation, folded []orgKeys) []float64 {
	docLen := make([]float64, len(orgs))
	var doc []termFreq // one document's words, reused
	for i := range orgs {
		o := &orgs[i]
		if !listed(o) {
			continue
		}
		doc = doc[:0]
		doc, docLen[i] = ni.addFolded(doc, folded[i].name, weightName, 0)
		doc, docLen[i] = ni.addFolded(doc, folded[i].acronym, weightOther, docLen[i])
		for _, on := range o.OtherNames {
			doc, docLen[i] = ni.addField(f, doc, on, weightOther, docLen[i])
		}
		doc, docLen[i] = ni.addField(f, doc, o.Description, weightDesc, docLen[i])
		for _, t := range doc {
			ni.postings[t.term] = append(ni.postings[t.term], posting{org: int32(i), impact: float32(t.tf)})
		}
	}
	return docLen
}

// addField adds the words of one field of weight w to doc, whose weighted
// length so far is n.
func (ni *nameIndex) addField(f *folder, doc []termFreq, text string, w, n float64) ([]termFreq, float64) {
	if text == "" {
		return doc, n
	}
	return ni.addFolded(doc, f.fold(text), w, n)
}

// addFolded is addField for a field already folded.
func (ni *nameIndex) addFolded(doc []termFreq, folded string, w, n float64) ([]termFreq, float64) {
	for _, t := range nameWords(folded) {
		n += w
		id, ok := ni.terms[t]
		if !ok {
			id = int32(len(ni.postings))
			ni.terms[t] = id
			ni.postings = append(ni.postings, nil)
		}
		doc = addTerm(doc, id, w)
	}
	return doc, n
}

// addTerm adds w to term's frequency in doc. A document has a few dozen
// words at most, so a scan beats a map.
func addTerm(doc []termFreq, term int32, w float64) []termFreq {
	for i := range doc {
		if doc[i].term == term {
			doc[i].tf += w
			return doc
		}
	}
	return append(doc, termFreq{term, w})
}

// weigh computes each word's idf and turns the postings' frequencies into
// BM25 impacts.
func (ni *nameIndex) weigh(docLen []float64) {
	var total float64
	for _, l := range docLen {
		total += l
	}
	avg := 1.0
	if len(docLen) > 0 && total > 0 {
		avg = total / float64(len(docLen))
	}
	N := float64(len(docLen))
	ni.idf = make([]float64, len(ni.postings))
	for t, p := range ni.postings {
		df := float64(len(p))
		idf := math.Log(1 + (N-df+0.5)/(df+0.5))
		ni.idf[t] = idf
		for j := range p {
			tf := float64(p[j].impact)
			p[j].impact = float32(idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*docLen[p[j].org]/avg)))
		}
	}
	ni.maxIDF = math.Log(1 + (N+0.5)/0.5)
}

// nameOrder is each organisation's position in name order.
func nameOrder(orgs []Organisation) []int32 {
	byName := make([]int32, len(orgs))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortStableFunc(byName, func(a, b int32) int { return strings.Compare(orgs[a].Name, orgs[b].Name) })
	pos := make([]int32, len(orgs))
	for p, id := range byName {
		pos[id] = int32(p)
	}
	return pos
}

// rankNames ranks the organisations that hold most of the query's words
// (minCoverage of their idf) and that keep accepts (nil keeps all): it
// returns the best MaxPerTier, best first, and how many matched in all.
// words are folded; stop words are left out here. bonus words (the place a
// query named beside the name) add to the score of the names that have
// them but are not asked for: "Vancouver network of drug users" is VANDU
// before UNDUN.
func (x *Index) rankNames(words, bonus []string, keep func(int32) bool) ([]int32, int) {
	ni := x.bm
	if ni == nil {
		return nil, 0
	}
	q := ni.query(words, bonus)
	if len(q.terms) == 0 || q.want == 0 {
		return nil, 0
	}
	s := x.getScratch()
	defer func() {
		for _, id := range s.touched {
			s.acc[id] = accum{}
		}
		s.touched = s.touched[:0]
		x.putScratch(s)
	}()
	need := float32(minCoverage * q.want * 0.9999) // float32 sums round
	if keep == nil {
		if ids, total, ok := ni.rankDense(s, q, need); ok {
			return ids, total
		}
	}
	ni.accumulate(s, q)
	return ni.best(s, need, keep)
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
		if t, ok := ni.terms[w]; ok {
			q.terms = append(q.terms, t)
			q.want += ni.idf[t]
		} else {
			q.want += ni.maxIDF
		}
	}
	for _, w := range bonus {
		if t, ok := ni.terms[nameWord(w)]; ok && !slices.Contains(seen, nameWord(w)) {
			q.extra = append(q.extra, t)
		}
	}
	return q
}

// accumulate adds up, for every organisation with an asked word, its
// score and the idf it covers; bonus words add to the score of those only.
func (ni *nameIndex) accumulate(s *scratch, q nameQuery) {
	for _, t := range q.terms {
		idf := float32(ni.idf[t])
		for _, p := range ni.postings[t] {
			a := &s.acc[p.org]
			if a.cover == 0 {
				s.touched = append(s.touched, p.org)
			}
			a.score += p.impact
			a.cover += idf
		}
	}
	for _, t := range q.extra {
		for _, p := range ni.postings[t] {
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
		return ni.nameOrder[a] < ni.nameOrder[b]
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
