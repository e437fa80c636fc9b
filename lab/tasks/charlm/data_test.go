package charlm

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBaseVocab: the vocabulary is every character of both texts, once, in
// code-point order, whatever order the texts come in; both texts encode
// without any folding or replacement and decode back to themselves.
func TestBaseVocab(t *testing.T) {
	v := BaseVocab()
	if v.Size() != 103 {
		t.Errorf("base vocabulary has %d characters, want 103 (texts/README.md)", v.Size())
	}
	chars := []rune(v.Chars())
	if !slices.IsSorted(chars) || len(slices.Compact(slices.Clone(chars))) != len(chars) {
		t.Errorf("vocabulary not strictly in code-point order: %q", v.Chars())
	}
	if NewVocab(goSourceText, opticksText).Chars() != v.Chars() {
		t.Error("the vocabulary depends on the order of the texts")
	}
	for _, r := range "\n\t ?{}æ´" {
		if _, ok := v.ID(r); !ok {
			t.Errorf("%q missing from the vocabulary", r)
		}
	}
	for _, x := range []struct {
		name, raw string
		text      *Text
	}{{"opticks", opticksText, Opticks()}, {"go", goSourceText, GoSource()}} {
		if got := v.Decode(x.text.Tokens); got != x.raw {
			t.Errorf("%s: decode(encode) differs from the text", x.name)
		}
		if len(x.text.Tokens) != utf8.RuneCountInString(x.raw) {
			t.Errorf("%s: %d ids for %d characters", x.name, len(x.text.Tokens), utf8.RuneCountInString(x.raw))
		}
	}
	if Opticks().Digest != "d4a9ac22462b35e7821a4f2706c211093da678620a8f9997989ee7cf8d507bbd" ||
		GoSource().Digest != "e872fe7607d2ab6688489331ef7ff72585e2c06859fa6ce4a0e0bbab30f408f1" {
		t.Errorf("digests %s, %s differ from texts/README.md", Opticks().Digest, GoSource().Digest)
	}
	if !strings.Contains(GoLicense(), "Redistributions in binary form must reproduce") {
		t.Error("the Go licence is not embedded")
	}
}

// TestEncode: line ends, byte-order mark, folding, replacement, and the report.
func TestEncode(t *testing.T) {
	v := BaseVocab()
	ids, rep := v.Encode("\uFEFFa\r\nb\rc“é”—…中中✓\u200B\u00A0z")
	if got, want := v.Decode(ids), "a\nb\nc\"e\"-...??? z"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	if rep.Chars != 17 || rep.Dropped != 2 || rep.Folded != 6 || rep.Replaced != 3 {
		t.Errorf("report %+v, want 17 read, 2 dropped (CR of CRLF, zero-width space), 6 folded, 3 replaced", rep)
	}
	if len(rep.Unknown) != 2 || rep.Unknown[0] != (RuneCount{'中', 2}) || rep.Unknown[1] != (RuneCount{'✓', 1}) {
		t.Errorf("unknown characters %v, want 中 ×2 then ✓ ×1", rep.Unknown)
	}
	s := rep.String()
	for _, want := range []string{"3 characters outside the vocabulary replaced by '?'", "'中' ×2", "6 folded", "2 carriage returns"} {
		if !strings.Contains(s, want) || strings.Contains(s, "\n") {
			t.Errorf("report %q lacks %q (or is not one line)", s, want)
		}
	}
	if _, rep := v.Encode("plain text"); rep.String() != "" {
		t.Errorf("report of an in-vocabulary text: %q, want empty", rep.String())
	}
}

// TestSplitSizes: the held-out split is 10 % of each text (to a block),
// interleaved; train and held-out together cover the text exactly, in order,
// without overlap; a short text holds out its last tenth.
func TestSplitSizes(t *testing.T) {
	for _, x := range []*Text{Opticks(), GoSource()} {
		n := len(x.Tokens)
		if h := x.Held.Chars(); h < n/10-splitBlock || h > n/10+splitBlock || h+x.Train.Chars() != n {
			t.Errorf("%s: %d held out, %d train of %d", x.Name, h, x.Train.Chars(), n)
		}
		if len(x.Held.Segments) < 4 {
			t.Errorf("%s: %d held-out segments, want them interleaved", x.Name, len(x.Held.Segments))
		}
		checkCover(t, x.Name, x.Tokens, x.Train, x.Held)
	}
	ids := make([]int, 700)
	train, held := SplitTokens(ids)
	if len(held.Segments) != 1 || held.Segments[0].Start != 630 || held.Chars() != 70 || train.Chars() != 630 {
		t.Errorf("700 characters: held out %+v", held.Segments)
	}
	checkCover(t, "700", ids, train, held)
}

// checkCover fails unless the segments of train and held, sorted by start,
// tile ids exactly and share its storage, alternating train and held-out.
func checkCover(t *testing.T, name string, ids []int, train, held Split) {
	t.Helper()
	type seg struct {
		Segment
		held bool
	}
	var all []seg
	for _, g := range train.Segments {
		all = append(all, seg{g, false})
	}
	for _, g := range held.Segments {
		all = append(all, seg{g, true})
	}
	slices.SortFunc(all, func(a, b seg) int { return a.Start - b.Start })
	next := 0
	for i, g := range all {
		if g.Start != next || len(g.Tokens) == 0 || &g.Tokens[0] != &ids[g.Start] {
			t.Fatalf("%s: segment %d starts at %d (length %d), want %d in the text's storage", name, i, g.Start, len(g.Tokens), next)
		}
		if i > 0 && g.held == all[i-1].held {
			t.Fatalf("%s: two adjacent segments of the same split at %d", name, g.Start)
		}
		next += len(g.Tokens)
	}
	if next != len(ids) {
		t.Fatalf("%s: segments cover %d of %d characters", name, next, len(ids))
	}
}

// positions is a text whose ids are their own offsets, so a batch says
// exactly where each of its characters came from.
func positions(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return ids
}

// TestBatchWindows: every window of a training batch is t+1 consecutive
// characters of one train segment (never of the held-out split, never
// across a segment's edge), targets are the inputs shifted by one, and
// every window is drawn over many batches (uniform over all windows).
func TestBatchWindows(t *testing.T) {
	const T, B = 8, 16
	for _, n := range []int{25 * splitBlock, 2000} { // 20 blocks, 2 held out; 10 blocks, the last held out
		ids := positions(n)
		train, held := SplitTokens(ids)
		inSplit := func(s Split, from, to int) bool { // [from, to) inside one segment
			for _, g := range s.Segments {
				if from >= g.Start && to <= g.Start+len(g.Tokens) {
					return true
				}
			}
			return false
		}
		r := rand.New(rand.NewPCG(1, 2))
		in, out := make([]int, B*T), make([]int, B*T)
		starts := map[int]int{}
		for range 2000 {
			train.Batch(r, T, in, out)
			for b := 0; b < B; b++ {
				w := in[b*T : (b+1)*T]
				for i := range w {
					if w[i] != w[0]+i || out[b*T+i] != w[i]+1 {
						t.Fatalf("window %v → %v is not consecutive characters shifted by one", w, out[b*T:(b+1)*T])
					}
				}
				if !inSplit(train, w[0], w[0]+T+1) || inSplit(held, w[0], w[0]+1) {
					t.Fatalf("window at %d is not inside one train segment", w[0])
				}
				starts[w[0]]++
			}
		}
		// 32,000 draws over 1,792 windows of the short text: each is drawn.
		if n == 2000 && len(starts) != train.Windows(T) {
			t.Errorf("%d distinct windows drawn of %d", len(starts), train.Windows(T))
		}
		// Held-out windows stay in held-out segments too.
		held.Batch(r, T, in, out)
		for b := 0; b < B; b++ {
			if !inSplit(held, in[b*T], in[b*T]+T+1) {
				t.Errorf("held-out window at %d outside the held-out split", in[b*T])
			}
		}
	}
}

// TestBatchDeterminism: the same seed gives the same batches; another seed
// other batches; Eval gives the same windows every time, spread over the split.
func TestBatchDeterminism(t *testing.T) {
	const T, B = 16, 8
	x := GoSource()
	draw := func(seed uint64) []int {
		r := rand.New(rand.NewPCG(seed, 7))
		in, out := make([]int, B*T), make([]int, B*T)
		var all []int
		for range 3 {
			x.Train.Batch(r, T, in, out)
			all = append(all, in...)
		}
		return all
	}
	if !slices.Equal(draw(1), draw(1)) {
		t.Error("the same seed gave different batches")
	}
	if slices.Equal(draw(1), draw(2)) {
		t.Error("two seeds gave the same batches")
	}
	in1, out1, in2, out2 := make([]int, B*T), make([]int, B*T), make([]int, B*T), make([]int, B*T)
	x.Held.Eval(T, in1, out1)
	x.Held.Eval(T, in2, out2)
	if !slices.Equal(in1, in2) || !slices.Equal(out1, out2) {
		t.Error("Eval is not the same twice")
	}
	ids := positions(25 * splitBlock)
	_, held := SplitTokens(ids)
	in, out := make([]int, 4*T), make([]int, 4*T)
	held.Eval(T, in, out)
	if in[0] != held.Segments[0].Start || in[2*T] != held.Segments[1].Start {
		t.Errorf("eval windows start at %d, %d, %d, %d; want the two segments' starts at 0 and 2", in[0], in[T], in[2*T], in[3*T])
	}
}

// TestCheckContext: a context that leaves no held-out window is refused.
func TestCheckContext(t *testing.T) {
	x := assemble("short", "", positions(MinChars(32)))
	if err := x.CheckContext(32); err != nil {
		t.Errorf("context 32 on %d characters: %v", MinChars(32), err)
	}
	if err := x.CheckContext(33); err == nil || !strings.Contains(err.Error(), "context 33 is too long for short") {
		t.Errorf("context 33 on %d characters: %v", MinChars(32), err)
	}
}

// TestUserText: every refusal is one line naming the file and what is
// allowed; a text with a few unknown characters is accepted and reported.
func TestUserText(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v, T := BaseVocab(), 64
	good := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.txt"), "missing.txt: no such file"},
		{dir, "not a regular file"},
		{write("empty.txt", nil), "empty.txt: empty"},
		{write("blank.txt", []byte(" \n\t\n")), "blank.txt: empty"},
		{write("bin.dat", []byte("abc\x00def")), "bin.dat: binary (a NUL byte at offset 3)"},
		{write("latin1.txt", []byte("caf\xe9 au lait")), "latin1.txt: not UTF-8 text (invalid byte 0xe9 at offset 3)"},
		{write("short.txt", []byte("too short")), "short.txt: 9 characters; at least 650 needed for context 64"},
		{write("han.txt", []byte(strings.Repeat("中文文本", 300))), "100% of its 1200 characters are outside"},
		{write("big.txt", make([]byte, MaxTextBytes+1)), "big.txt: 4.0 MiB; at most 4 MiB"},
	} {
		_, _, err := ReadUserText(c.path, v, T)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "--text-file ") {
			t.Errorf("%s: error %v, want one line with %q", filepath.Base(c.path), err, c.want)
		}
	}
	x, rep, err := ReadUserText(write("ok.txt", []byte(good+"naïve ☃ café\r\n")), v, T)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replaced != 1 || rep.Folded != 2 || rep.Unknown[0].Rune != '☃' || x.Name != "ok.txt" || x.Train.Windows(T) == 0 || x.Held.Windows(T) == 0 {
		t.Errorf("accepted text: report %+v, name %q", rep, x.Name)
	}
	if got := v.Decode(x.Tokens[len(x.Tokens)-13:]); got != "naive ? cafe\n" {
		t.Errorf("tail decoded as %q", got)
	}
}
