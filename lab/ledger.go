package lab

import (
	"fmt"
	"sync"
)

// Category says what a buffer is for, in the terms of the memory breakdown.
type Category int

// The categories of the memory ledger.
const (
	Frozen      Category = iota // weights that never receive a gradient (base W and b, LoRA-FA's A, VeRA's shared pair)
	Trainable                   // parameters the optimiser updates
	Gradients                   // one gradient number per trainable number
	Optimizer                   // AdamW's m and v
	Activations                 // tensors kept from the forward pass for the backward pass
	Other                       // method extras, e.g. Delta-LoRA's previous A and B, LoRA-FA's (AAᵀ)⁻¹
	Workspace                   // scratch buffers of the forward and backward passes (outputs, ∂L/∂X)
	numCategories
)

// Categories lists every category in display order.
var Categories = []Category{Frozen, Trainable, Gradients, Optimizer, Activations, Other, Workspace}

var categoryNames = [...]string{"frozen", "trainable", "gradients", "optimizer", "activations", "other", "workspace"}

// String returns the category's short name, as used in JSON.
func (c Category) String() string {
	if c < 0 || c >= numCategories {
		return fmt.Sprintf("category(%d)", int(c))
	}
	return categoryNames[c]
}

// BytesPerNumber is the size of one float64, the engine's only number type.
const BytesPerNumber = 8

// Ledger allocates every buffer of a model, its adapters, its optimiser and its
// backward pass, and counts the bytes it handed out by category. Because
// buffers come from here, the numbers it reports are the bytes really held.
// It is safe for concurrent use.
type Ledger struct {
	mu      sync.Mutex
	entries []LedgerEntry
	index   map[*float64]int
}

// LedgerEntry is one buffer the ledger handed out.
type LedgerEntry struct {
	Name     string   // e.g. "layer2.A"
	Category Category // what it is for
	Numbers  int      // how many float64 it holds
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{index: map[*float64]int{}} }

// Mat allocates a zeroed rows × cols matrix and counts it under cat.
func (l *Ledger) Mat(cat Category, name string, rows, cols int) *Mat {
	m := NewMat(rows, cols)
	l.record(cat, name, m.Data)
	return m
}

// Vec allocates a zeroed vector of length n and counts it under cat.
func (l *Ledger) Vec(cat Category, name string, n int) []float64 {
	v := make([]float64, n)
	l.record(cat, name, v)
	return v
}

func (l *Ledger) record(cat Category, name string, data []float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(data) > 0 {
		l.index[&data[0]] = len(l.entries)
	}
	l.entries = append(l.entries, LedgerEntry{Name: name, Category: cat, Numbers: len(data)})
}

// Retag moves a buffer the ledger allocated to another category, e.g. when full
// fine-tuning makes the base weights trainable. It panics on a foreign buffer.
func (l *Ledger) Retag(data []float64, cat Category) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[&data[0]]
	if !ok {
		panic("lab: Retag of a buffer the ledger did not allocate")
	}
	l.entries[i].Category = cat
}

// Numbers returns how many float64 are held in each category.
func (l *Ledger) Numbers() Footprint {
	l.mu.Lock()
	defer l.mu.Unlock()
	var f Footprint
	for _, e := range l.entries {
		f.add(e.Category, e.Numbers)
	}
	return f
}

// Entries returns a copy of every buffer record, in allocation order.
func (l *Ledger) Entries() []LedgerEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LedgerEntry(nil), l.entries...)
}

// Footprint counts numbers (not bytes) by category. Methods state their cost as
// a Footprint formula; the ledger measures one; tests check they agree.
type Footprint struct {
	Frozen, Trainable, Gradients, Optimizer, Activations, Other, Workspace int
}

func (f *Footprint) add(c Category, n int) {
	switch c {
	case Frozen:
		f.Frozen += n
	case Trainable:
		f.Trainable += n
	case Gradients:
		f.Gradients += n
	case Optimizer:
		f.Optimizer += n
	case Activations:
		f.Activations += n
	case Other:
		f.Other += n
	case Workspace:
		f.Workspace += n
	}
}

// Get returns the count of one category.
func (f Footprint) Get(c Category) int {
	switch c {
	case Frozen:
		return f.Frozen
	case Trainable:
		return f.Trainable
	case Gradients:
		return f.Gradients
	case Optimizer:
		return f.Optimizer
	case Activations:
		return f.Activations
	case Other:
		return f.Other
	case Workspace:
		return f.Workspace
	}
	return 0
}

// Plus returns the category-wise sum f + g.
func (f Footprint) Plus(g Footprint) Footprint {
	for _, c := range Categories {
		f.add(c, g.Get(c))
	}
	return f
}

// Times returns f with every category multiplied by k.
func (f Footprint) Times(k int) Footprint {
	var out Footprint
	for _, c := range Categories {
		out.add(c, f.Get(c)*k)
	}
	return out
}

// Total is the sum over all categories.
func (f Footprint) Total() int {
	t := 0
	for _, c := range Categories {
		t += f.Get(c)
	}
	return t
}

// Memory is a Footprint in bytes, as reported to users (JSON field names).
type Memory struct {
	Frozen      int64 `json:"frozen"`
	Trainable   int64 `json:"trainable"`
	Gradients   int64 `json:"gradients"`
	Optimizer   int64 `json:"optimizer"`
	Activations int64 `json:"activations"`
	Other       int64 `json:"other"`
	Workspace   int64 `json:"workspace"`
	Total       int64 `json:"total"`
}

// Get returns the bytes of one category.
func (m Memory) Get(c Category) int64 {
	switch c {
	case Frozen:
		return m.Frozen
	case Trainable:
		return m.Trainable
	case Gradients:
		return m.Gradients
	case Optimizer:
		return m.Optimizer
	case Activations:
		return m.Activations
	case Other:
		return m.Other
	case Workspace:
		return m.Workspace
	}
	return 0
}

// Bytes converts a count of numbers to bytes at bytesPerNumber each.
func (f Footprint) Bytes(bytesPerNumber int) Memory {
	b := int64(bytesPerNumber)
	return Memory{
		Frozen: int64(f.Frozen) * b, Trainable: int64(f.Trainable) * b, Gradients: int64(f.Gradients) * b,
		Optimizer: int64(f.Optimizer) * b, Activations: int64(f.Activations) * b, Other: int64(f.Other) * b,
		Workspace: int64(f.Workspace) * b, Total: int64(f.Total()) * b,
	}
}
