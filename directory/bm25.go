package directory

import (
	"math"
	"sort"
	"sync"
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
	pool     sync.Pool        // *scratch
}

// scratch is a query's accumulators, reused: dense arrays indexed by
// organisation, reset through the list of those touched.
type scratch struct {
	score, cover []float64
	touched      []int32
}

func (x *Index) buildNames(f *folder) {
	n := len(x.orgs)
	ni := &nameIndex{terms: make(map[string]int32)}
	type doc struct {
		tf  map[int32]float64
		len float64
	}
	docs := make([]doc, n)
	var total float64
	for i := range x.orgs {
		o := &x.orgs[i]
		d := doc{tf: map[int32]float64{}}
		add := func(text string, w float64) {
			for _, t := range nameWords(f.fold(text)) {
				id, ok := ni.terms[t]
				if !ok {
					id = int32(len(ni.postings))
					ni.terms[t] = id
					ni.postings = append(ni.postings, nil)
				}
				d.tf[id] += w
				d.len += w
			}
		}
		if listed(o) {
			add(o.Name, weightName)
			add(o.Acronym, weightOther)
			for _, on := range o.OtherNames {
				add(on, weightOther)
			}
			add(o.Description, weightDesc)
		}
		docs[i] = d
		total += d.len
	}
	avg := 1.0
	if n > 0 && total > 0 {
		avg = total / float64(n)
	}
	for i, d := range docs {
		for t := range d.tf {
			ni.postings[t] = append(ni.postings[t], posting{org: int32(i)})
		}
	}
	ni.idf = make([]float64, len(ni.postings))
	N := float64(n)
	for t, p := range ni.postings {
		df := float64(len(p))
		ni.idf[t] = math.Log(1 + (N-df+0.5)/(df+0.5))
		for j := range p {
			d := docs[p[j].org]
			tf := d.tf[int32(t)]
			p[j].impact = float32(ni.idf[t] * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*d.len/avg)))
		}
	}
	ni.maxIDF = math.Log(1 + (N+0.5)/0.5)
	ni.pool.New = func() any {
		return &scratch{score: make([]float64, n), cover: make([]float64, n)}
	}
	x.bm = ni
}

// rankNames ranks the organisations that hold most of the query's words
// (minCoverage of their idf), best first, keeping those keep accepts (nil
// keeps all). words are folded; stop words are left out here.
func (x *Index) rankNames(words []string, keep func(int32) bool) []int32 {
	ni := x.bm
	if ni == nil {
		return nil
	}
	var terms []int32
	var want float64
	seen := map[string]bool{}
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		w = nameWord(w)
		if seen[w] {
			continue
		}
		seen[w] = true
		if t, ok := ni.terms[w]; ok {
			terms = append(terms, t)
			want += ni.idf[t]
		} else {
			want += ni.maxIDF
		}
	}
	if len(terms) == 0 || want == 0 {
		return nil
	}
	s := ni.pool.Get().(*scratch)
	defer func() {
		for _, id := range s.touched {
			s.score[id], s.cover[id] = 0, 0
		}
		s.touched = s.touched[:0]
		ni.pool.Put(s)
	}()
	for _, t := range terms {
		idf := ni.idf[t]
		for _, p := range ni.postings[t] {
			if s.cover[p.org] == 0 {
				s.touched = append(s.touched, p.org)
			}
			s.score[p.org] += float64(p.impact)
			s.cover[p.org] += idf
		}
	}
	var out []int32
	for _, id := range s.touched {
		if s.cover[id] >= minCoverage*want && (keep == nil || keep(id)) {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if s.score[a] != s.score[b] {
			return s.score[a] > s.score[b]
		}
		return x.orgs[a].Name < x.orgs[b].Name
	})
	return out
}
